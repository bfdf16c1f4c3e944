/*
 * results_record.c — recording the results of a case in the transaction that decides it
 * (results_record: the hook of case_results_record, cases.h, which case_actions.c and
 * cases_accept.c call; set at start by programs/assembly.c), so an approved case
 * without its result cannot exist: one per part (permits joined to the case's licence,
 * 一照通), or one 不予许可决定书 for the part of the department that refused.
 *
 * Tables: results (insert), case_parts, items, departments, cases (read)
 */
#include "results_int.h"
#include "../../fcgi/db.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct part {
	long long	 seq, years;
	int		 electronic;
	char		 item[48], department[32], issuer[304], kind[16], title[184];
	char		 no[CASE_NO_MAX], holder[68], hall[32];
};

struct parts {
	struct part	 p[16];
	size_t		 n;
};

/* The columns of results_record's query of a case's parts, in order. */
static const struct db_col part_cols[] = {
	DBC_I(struct part, seq, 0, 255), DBC_S(struct part, item), DBC_S(struct part, department),
	DBC_S(struct part, issuer), DBC_S(struct part, kind), DBC_S(struct part, title),
	DBC_I(struct part, years, 0, 99), DBC_B(struct part, electronic), DBC_S(struct part, no),
	DBC_S(struct part, holder), DBC_S(struct part, hall),
};

void
result_vid_new(char out[RESULT_VID_LEN + 1])
{
	unsigned char b[RESULT_VID_LEN / 2];

	randombytes_buf(b, sizeof b);
	hex_encode(out, b, sizeof b);
}

int
results_record(struct ctx *c, long long case_id, const char *now, int approved,
    const char *department)
{
	struct parts *ps;
	long long licence = 0;
	size_t i;
	int rc;

	if ((ps = calloc(1, sizeof *ps)) == NULL)
		return DB_FAIL;
	rc = db_rows_into(c, "SELECT p.seq, p.item, p.department, d.name, i.result_kind,"
	    " i.result_name, i.result_valid_years, i.result_electronic, c.no,"
	    " c.applicant_name_mask, c.hall FROM case_parts p JOIN items i ON i.id = p.item"
	    " JOIN departments d ON d.code = p.department JOIN cases c ON c.id = p.case_id"
	    " WHERE p.case_id = ? AND (? = 1 OR p.department = ?) ORDER BY p.seq",
	    DBARGS(DBI(case_id), DBI(approved), DBS(department ? department : "")),
	    DB_COLS(part_cols), ps->p, sizeof ps->p[0], NELEM(ps->p));
	if (rc < 0)
		goto out;
	ps->n = (size_t)rc < NELEM(ps->p) ? (size_t)rc : NELEM(ps->p);
	rc = 0;
	for (i = 0; i < ps->n && rc == 0; i++) {
		struct part *p = &ps->p[i];
		char vid[RESULT_VID_LEN + 1], number[68];
		const char *kind = approved ? p->kind : "refusal";
		const char *title = !approved ? "不予许可决定书" :
		    p->title[0] ? p->title : "准予许可决定书";
		uint64_t id = 0;

		result_vid_new(vid);
		fmt(number, sizeof number, "%s-%lld", p->no, p->seq);
		rc = db_exec(c, "INSERT INTO results (vid, hall, case_id, item, department, kind,"
		    " title, number, holder_mask, issuer, issued_on, valid_until, electronic,"
		    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, DATE(?),"
		    " IF(? > 0, DATE_SUB(DATE_ADD(DATE(?), INTERVAL ? YEAR), INTERVAL 1 DAY), NULL),"
		    " ?, ?)",
		    DBARGS(DBS(vid), DBS(p->hall), DBI(case_id), DBS(p->item), DBS(p->department),
		    DBS(kind), DBS(title), DBS(number), DBS(p->holder), DBS(p->issuer), DBS(now),
		    DBI(approved ? p->years : 0), DBS(now), DBI(approved ? p->years : 0),
		    DBI(approved && p->electronic), DBS(now)), NULL, &id);
		if (rc == 0 && approved && strcmp(kind, "licence") == 0 && licence == 0)
			licence = (long long)id;
		if (!approved)
			break;	/* one 不予许可决定书 for the rejected part */
	}
	/* 一照通: the case's permits are joined to its licence. */
	if (rc == 0 && licence != 0)
		rc = db_exec(c, "UPDATE results SET licence_id = ? WHERE case_id = ?"
		    " AND kind = 'permit' AND licence_id IS NULL", DBARGS(DBI(licence), DBI(case_id)),
		    NULL, NULL);
out:
	free(ps);
	return rc;
}

