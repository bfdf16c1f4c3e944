/*
 * handover.c — a hand-over sheet (交接单) sent and received (handover.h): the sheet, parsed
 * by handover_parse.c, written in the caller's transaction with the custody rows and the
 * case history, and its receipt signed with the discrepancies the receiver found.
 *
 * Routes: none here (handover_api.c); other rooms call these inside their own transactions.
 * Tables: handovers, handover_cases, handover_materials, case_custody (written); cases,
 *         case_materials, halls, windows, departments (read); case_history (cases.h);
 *         audit_log (shared/audit.h).
 * Redis:  none of its own (each history row drops the case's cached tracking page).
 *
 * Why the case row is locked (SELECT … FOR UPDATE) before its custody is read: two sheets
 * sent at once for the same case are serialised there, so the second sees the first in
 * transit (HANDOVER_OPEN); the unique key (case_id, open_lock) of handover_cases is the net
 * under it.  A receipt locks the sheet's row and changes it with a guarded
 * UPDATE … WHERE status = 'sent': of two receivers at once exactly one signs.
 */
#include "handover.h"
#include "handover_int.h"
#include "../cases/cases.h"
#include "../shared/audit.h"
#include "../shared/pii.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HANDOVER_TOKEN_BYTES 32

void
handover_token_hash(const char *token, char out[65])
{
	case_token_hash(token, out);
}

void
handover_receive_url(const char *token, char *out, size_t osz)
{
	config_public_url("/staff/handover-receive.html#t=", token, out, osz);
}

int
handover_token_open(struct ctx *c, long long id, char out[HANDOVER_TOKEN_MAX])
{
	return case_sealed_get(c, "SELECT token_enc FROM handovers WHERE id = ?",
	    DBARGS(DBI(id)), out, HANDOVER_TOKEN_MAX);
}

/* ---------------------------------------------------------------- sending */

struct case_lock {
	long long	 id;
	char		 status[24];
	char		 title[256];
	int		 decided;
};

static const struct db_col case_lock_cols[] = {
	DBC_I(struct case_lock, id, 1, INT64_MAX), DBC_S(struct case_lock, status),
	DBC_S(struct case_lock, title), DBC_B(struct case_lock, decided),
};

struct mat_row {
	char	 item[48];
	char	 name[804];
};

static const struct db_col mat_cols[] = {
	DBC_S(struct mat_row, item), DBC_S(struct mat_row, name),
};

/* The case's material code (its first item's, for a bundle) into m: 1, 0 none, or DB_*. */
static int
mat_find(struct ctx *c, long long case_id, const char *code, struct mat_row *m)
{
	memset(m, 0, sizeof *m);
	return db_row_into(c, "SELECT item, name FROM case_materials WHERE case_id = ?"
	    " AND code = ? ORDER BY item LIMIT 1", DBARGS(DBI(case_id), DBS(code)),
	    DB_COLS(mat_cols), m);
}

/* Does the destination exist?  0 (field errors recorded), or a DB_* code. */
static int
to_exists(struct ctx *c, struct req *r, const struct handover_end *e)
{
	char v[8];
	int rc;

	rc = db_scalar(c, "SELECT 1 FROM halls WHERE code = ?", DBARGS(DBS(e->hall)), v, sizeof v);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		req_fail_field(r, e->kind == HO_HALL ? "to.hall" : "to.hall", "没有这个大厅");
		return 0;
	}
	if (e->kind == HO_WINDOW) {
		rc = db_scalar(c, "SELECT 1 FROM windows WHERE hall = ? AND number = ?",
		    DBARGS(DBS(e->hall), DBI(e->window)), v, sizeof v);
		if (rc < 0)
			return rc;
		if (rc == 0)
			req_fail_field(r, "to.window", "该大厅没有这个窗口");
	} else if (e->kind == HO_DEPARTMENT) {
		rc = db_scalar(c, "SELECT 1 FROM departments WHERE code = ?",
		    DBARGS(DBS(e->department)), v, sizeof v);
		if (rc < 0)
			return rc;
		if (rc == 0)
			req_fail_field(r, "to.department", "没有这个部门");
	}
	return 0;
}

/* The custody row of a case: its holder `from` (kept on a first hand-over), in transit on
 * sheet id, or received by sheet id (holder = to). */
static int
custody_write(struct ctx *c, long long case_id, const struct handover_end *e,
    const char *since_sql_or_null, long long handover_id, long long in_transit)
{
	return db_exec(c, "INSERT INTO case_custody (case_id, holder_kind, hall, department,"
	    " window_no, office, since, handover_id, in_transit) VALUES (?, ?, ?, ?, ?, ?,"
	    " COALESCE(?, (SELECT COALESCE(accepted_at, created_at) FROM cases WHERE id = ?)),"
	    " ?, ?)"
	    " ON DUPLICATE KEY UPDATE holder_kind = VALUES(holder_kind), hall = VALUES(hall),"
	    " department = VALUES(department), window_no = VALUES(window_no),"
	    " office = VALUES(office), since = IF(? IS NULL, since, VALUES(since)),"
	    " handover_id = IF(? IS NULL, handover_id, VALUES(handover_id)),"
	    " in_transit = VALUES(in_transit)",
	    DBARGS(DBI(case_id), DBS(handover_kind_names[e->kind]), DBS(e->hall),
	    e->kind == HO_DEPARTMENT ? DBS(e->department) : DBN,
	    e->kind == HO_WINDOW ? DBI(e->window) : DBN,
	    e->kind == HO_OFFICE ? DBS(e->office) : DBN,
	    DBSO(since_sql_or_null), DBI(case_id),
	    handover_id ? DBI(handover_id) : DBN, in_transit ? DBI(in_transit) : DBN,
	    DBSO(since_sql_or_null), handover_id ? DBI(handover_id) : DBN),
	    NULL, NULL);
}

/*
 * Case i of the sheet locked into *lk and checked: field errors recorded, the first refusal
 * kept (*refused, why), and the side holding it compared with the sheet's `from` (the first
 * case's holder).  0 or a DB_* code.
 */
static int
create_check_case(struct ctx *c, struct req *r, const struct handover_in *in, size_t i,
    struct case_lock *lk, struct handover_end *from, int *have_from, int *refused,
    struct handover_why *why)
{
	const struct handover_case_in *ci = &in->cases[i];
	struct handover_end held;
	struct mat_row mr;
	long long transit;
	char f[96];
	size_t j;
	int rc;

	fmt(f, sizeof f, "cases[%zu].no", i);
	rc = db_row_into(c, "SELECT id, status, title, decision IS NOT NULL FROM cases"
	    " WHERE no = ? FOR UPDATE", DBARGS(DBS(ci->no)), DB_COLS(case_lock_cols), lk);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		req_fail_field(r, f, "没有这个办件");
		return 0;
	}
	if ((rc = handover_custody_get(c, lk->id, &held, &transit)) < 0)
		return rc;
	if (!*have_from) {
		*from = held;
		*have_from = 1;
	}
	if (!*refused && (strcmp(lk->status, "submitted") == 0 ||
	    strcmp(lk->status, "returned") == 0)) {
		fmt(why->msg, sizeof why->msg, "办件 %s 尚未受理，没有可移交的材料", ci->no);
		*refused = E_INVALID_STATE;
	}
	if (!*refused && transit) {
		fmt(why->msg, sizeof why->msg, "办件 %s 已在交接单 %lld 上，签收后才能再移交",
		    ci->no, transit);
		*refused = E_HANDOVER_OPEN;
	}
	if (!*refused && !handover_on_side(&r->sess, &held)) {
		json_t *hj = NULL;

		if ((rc = handover_end_json(c, &held, &hj)) < 0)
			return rc;
		fmt(why->msg, sizeof why->msg, "办件 %s 的材料现在在%s，不在您这里",
		    ci->no, json_string_value(json_object_get(hj, "label")));
		json_decref(hj);
		*refused = E_NOT_IN_CUSTODY;
	}
	if (!*refused && !handover_end_same(from, &held))
		req_fail_field(r, f, "一张交接单上的办件须在同一处");
	for (j = 0; j < ci->nmats; j++) {
		const struct handover_mat_in *m = &ci->mats[j];

		fmt(f, sizeof f, "cases[%zu].materials[%zu].code", i, j);
		if (strcmp(m->code, HANDOVER_RESULT_CODE) == 0) {
			if (!lk->decided)
				req_fail_field(r, f, "尚未作出决定，没有办理结果可移交");
			continue;
		}
		if ((rc = mat_find(c, lk->id, m->code, &mr)) < 0)
			return rc;
		if (rc == 0)
			req_fail_field(r, f, "不是该办件的材料");
	}
	return 0;
}

/* Every case locked and checked before anything is written, the side sending them into
 * *from: 0, a refusal (E_*, why), or a DB_* code. */
static int
create_check(struct ctx *c, struct req *r, const struct handover_in *in,
    struct case_lock *locks, struct handover_end *from, struct handover_why *why)
{
	size_t i;
	int rc, refused = 0, have_from = 0;

	for (i = 0; i < in->ncases; i++)
		if ((rc = create_check_case(c, r, in, i, &locks[i], from, &have_from, &refused,
		    why)) < 0)
			return rc;
	if (in_has_errors(r))
		return E_INVALID_INPUT;
	if (refused)
		return refused;
	if (handover_end_same(from, &in->to)) {
		req_fail_field(r, "to", "接收方与移交方相同");
		return E_INVALID_INPUT;
	}
	return 0;
}

/* The sheet's row, from `from` to in->to, with a new receive token (out->token) kept
 * sealed and by its hash: its id into *id.  0 or a DB_* code. */
static int
create_sheet(struct ctx *c, struct req *r, const struct handover_in *in,
    const struct handover_end *from, const char *now, struct handover_made *out, uint64_t *id)
{
	unsigned char sealed[PII_SEALED_MAX];
	char hash[65];
	int rc, slen;

	if (token_new(out->token, sizeof out->token, HANDOVER_TOKEN_BYTES) != 0 ||
	    (slen = pii_seal(out->token, sealed, sizeof sealed)) < 0)
		return DB_FAIL;
	handover_token_hash(out->token, hash);
	rc = db_exec(c, "INSERT INTO handovers (from_kind, from_hall, from_department, from_window,"
	    " from_office, to_kind, to_hall, to_department, to_window, to_office, status, note,"
	    " token_hash, token_enc, sent_by, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " 'sent', ?, ?, ?, ?, ?)",
	    DBARGS(DBS(handover_kind_names[from->kind]), DBS(from->hall),
	    from->kind == HO_DEPARTMENT ? DBS(from->department) : DBN,
	    from->kind == HO_WINDOW ? DBI(from->window) : DBN,
	    from->kind == HO_OFFICE ? DBS(from->office) : DBN,
	    DBS(handover_kind_names[in->to.kind]), DBS(in->to.hall),
	    in->to.kind == HO_DEPARTMENT ? DBS(in->to.department) : DBN,
	    in->to.kind == HO_WINDOW ? DBI(in->to.window) : DBN,
	    in->to.kind == HO_OFFICE ? DBS(in->to.office) : DBN,
	    DBS(in->note ? in->note : ""), DBS(hash), DBSN((const char *)sealed, (size_t)slen),
	    DBS(r->sess.subject), DBS(now)), NULL, id);
	sodium_memzero(sealed, sizeof sealed);
	return rc;
}

/* Case i (locked as *lk) put on sheet id: its row, its materials, its custody in transit
 * and its history row (to: the receiver in words).  0, E_HANDOVER_OPEN (why) or DB_*. */
static int
create_case(struct ctx *c, struct req *r, const struct handover_in *in, size_t i,
    const struct case_lock *lk, const struct handover_end *from, uint64_t id, const char *to,
    const char *now, struct handover_why *why)
{
	const struct handover_case_in *ci = &in->cases[i];
	struct mat_row mr;
	char note[600], pub[400];
	long long pages;
	size_t j;
	int rc;

	rc = db_exec(c, "INSERT INTO handover_cases (handover_id, case_id, seq, open_lock)"
	    " VALUES (?, ?, ?, 1)", DBARGS(DBI(id), DBI(lk->id), DBI(i + 1)), NULL, NULL);
	if (rc == DB_DUP) {
		fmt(why->msg, sizeof why->msg, "办件 %s 已在另一张未签收的交接单上", ci->no);
		rc = E_HANDOVER_OPEN;
	}
	if (rc != 0)
		return rc;
	for (j = 0, pages = 0; j < ci->nmats; j++) {
		const struct handover_mat_in *m = &ci->mats[j];
		int result = strcmp(m->code, HANDOVER_RESULT_CODE) == 0;

		if (!result && (rc = mat_find(c, lk->id, m->code, &mr)) < 0)
			return rc;
		rc = db_exec(c, "INSERT INTO handover_materials (handover_id, case_id, seq,"
		    " item, code, name, pages) VALUES (?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBI(id), DBI(lk->id), DBI(j + 1), DBS(result ? "" : mr.item),
		    DBS(m->code), DBS(result ? "办理结果" : mr.name), DBI(m->pages)),
		    NULL, NULL);
		if (rc != 0)
			return rc;
		pages += m->pages;
	}
	if ((rc = custody_write(c, lk->id, from, NULL, 0, (long long)id)) != 0)
		return rc;
	fmt(note, sizeof note, "交接单 %llu：移交至%s，材料 %zu 项共 %lld 页%s%s",
	    (unsigned long long)id, to, ci->nmats, pages,
	    in->note ? "；" : "", in->note ? in->note : "");
	utf8_trunc(note, sizeof note, 500, "…");
	fmt(pub, sizeof pub, "材料正在移交至%s", to);
	utf8_trunc(pub, sizeof pub, CASE_PUBLIC_NOTE_MAX, "…");
	return case_history_add(c, &r->sess, lk->id, now, "handover_sent", lk->status,
	    lk->status, in->to.kind == HO_DEPARTMENT ? in->to.department : NULL, note, pub);
}

int
handover_create_tx(struct ctx *c, struct req *r, const struct handover_in *in,
    struct handover_made *out, struct handover_why *why)
{
	struct case_lock *locks = NULL;
	struct handover_end from;
	char now[20], note[600], target[32], words[700];
	json_t *toj = NULL;
	uint64_t id = 0;
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&from, 0, sizeof from);
	why->msg[0] = '\0';
	if ((rc = to_exists(c, r, &in->to)) < 0)
		return rc;
	if ((locks = calloc(in->ncases, sizeof *locks)) == NULL)
		return DB_FAIL;
	if ((rc = create_check(c, r, in, locks, &from, why)) != 0)
		goto fail;
	case_now(now);
	if ((rc = create_sheet(c, r, in, &from, now, out, &id)) != 0)
		goto fail;
	out->id = (long long)id;
	if ((rc = handover_end_json(c, &in->to, &toj)) < 0)
		goto fail;
	str_copy(words, sizeof words, json_string_value(json_object_get(toj, "label")));
	json_decref(toj);
	for (i = 0; i < in->ncases; i++)
		if ((rc = create_case(c, r, in, i, &locks[i], &from, id, words, now, why)) != 0)
			goto fail;
	fmt(target, sizeof target, "handover:%llu", (unsigned long long)id);
	fmt(note, sizeof note, "%s→%s %zu cases", handover_kind_names[from.kind],
	    handover_kind_names[in->to.kind], in->ncases);
	audit(r, "handover.send", target, "ok", note);
	free(locks);
	return 0;
fail:
	free(locks);
	if (rc != 0 && rc != E_HANDOVER_OPEN && rc > 0 && why->msg[0] == '\0')
		str_copy(why->msg, sizeof why->msg, err_kind(rc)->message);
	return rc;
}

/* ---------------------------------------------------------------- receiving */

struct sheet_lock {
	int			 found;
	long long		 id;
	char			 status[32];
	struct handover_end	 from, to;
};

static int
sheet_lock_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct sheet_lock *s = arg;

	(void)lens;
	if (ncol < 12)
		return 1;
	s->found = 1;
	parse_ll(v[0], 1, INT64_MAX, &s->id);
	str_copy(s->status, sizeof s->status, v[1] ? v[1] : "");
	handover_end_from(&s->from, v + 2);
	handover_end_from(&s->to, v + 7);
	return 1;
}

struct sheet_case {
	long long	 id;
	char		 no[CASE_NO_MAX];
	char		 status[24];
	int		 missing;	/* the whole file */
	char		 problems[600];	/* the discrepancies in words */
};

struct sheet_cases {
	struct sheet_case	 t[HANDOVER_CASES_MAX];
	size_t			 n;
};

static const struct db_col sheet_case_cols[] = {
	DBC_I(struct sheet_case, id, 1, INT64_MAX), DBC_S(struct sheet_case, no),
	DBC_S(struct sheet_case, status),
};

static struct sheet_case *
sheet_case_find(struct sheet_cases *s, const char *no)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->t[i].no, no) == 0)
			return &s->t[i];
	return NULL;
}

/* Append text to a case's discrepancy words ("；" between). */
static void
problem_add(struct sheet_case *x, const char *text)
{
	char tmp[600];

	fmt(tmp, sizeof tmp, "%s%s%s", x->problems, x->problems[0] ? "；" : "", text);
	str_copy(x->problems, sizeof x->problems, tmp);
}

/* The sheet id (or the sheet of token when there is one) locked into *s (its id into
 * *id_out), and r's staff allowed to sign it: 0, a refusal (E_*, why), or a DB_* code. */
static int
receive_lock(struct ctx *c, struct req *r, long long id, const char *token,
    struct sheet_lock *s, long long *id_out, struct handover_why *why)
{
	char hash[65];
	json_t *toj;
	int rc;

	memset(s, 0, sizeof *s);
	if (token) {
		handover_token_hash(token, hash);
		rc = db_query(c, "SELECT id, status, from_kind, from_hall, from_department,"
		    " from_window, from_office, to_kind, to_hall, to_department, to_window, to_office"
		    " FROM handovers WHERE token_hash = ? FOR UPDATE", DBARGS(DBS(hash)),
		    sheet_lock_row, s);
	} else
		rc = db_query(c, "SELECT id, status, from_kind, from_hall, from_department,"
		    " from_window, from_office, to_kind, to_hall, to_department, to_window, to_office"
		    " FROM handovers WHERE id = ? FOR UPDATE", DBARGS(DBI(id)), sheet_lock_row, s);
	if (rc < 0)
		return rc;
	if (!s->found) {
		str_copy(why->msg, sizeof why->msg, "没有这张交接单");
		return E_NOT_FOUND;
	}
	*id_out = s->id;
	if (!handover_on_side(&r->sess, &s->to)) {
		if ((rc = handover_end_json(c, &s->to, &toj)) < 0)
			return rc;
		fmt(why->msg, sizeof why->msg, "这张交接单只能由接收方（%s）签收",
		    json_string_value(json_object_get(toj, "label")));
		json_decref(toj);
		return E_FORBIDDEN;
	}
	if (strcmp(s->status, "sent") != 0) {
		str_copy(why->msg, sizeof why->msg, "这张交接单已经签收过了");
		return E_INVALID_STATE;
	}
	return 0;
}

/* The discrepancies against the cases (cs) and materials of sheet `sheet`, all before the
 * first write: field errors recorded.  0 or a DB_* code. */
static int
receive_check(struct ctx *c, struct req *r, long long sheet, struct sheet_cases *cs,
    const struct handover_disc *d, size_t nd)
{
	struct sheet_case *x;
	char f[96], v[16];
	long long sent;
	size_t i;
	int rc;

	for (i = 0; i < nd; i++) {
		fmt(f, sizeof f, "discrepancies[%zu].no", i);
		if ((x = sheet_case_find(cs, d[i].no)) == NULL) {
			req_fail_field(r, f, "这个办件不在交接单上");
			continue;
		}
		if (d[i].code == NULL)
			continue;
		fmt(f, sizeof f, "discrepancies[%zu].code", i);
		rc = db_scalar(c, "SELECT pages FROM handover_materials WHERE handover_id = ?"
		    " AND case_id = ? AND code = ?", DBARGS(DBI(sheet), DBI(x->id),
		    DBS(d[i].code)), v, sizeof v);
		if (rc < 0)
			return rc;
		if (rc == 0)
			req_fail_field(r, f, "这项材料不在交接单上");
		else if (d[i].pages_received >= 0 && strcmp(v, "") != 0) {
			sent = 0;
			parse_ll(v, 0, HANDOVER_PAGES_MAX, &sent);
			if (sent == d[i].pages_received) {
				fmt(f, sizeof f, "discrepancies[%zu].pages_received", i);
				req_fail_field(r, f, "与交接页数相同，不是差异");
			}
		}
	}
	return 0;
}

/* The discrepancies written on the rows of sheet `sheet`, and added in words to their
 * cases' problems (cs).  0 or a DB_* code. */
static int
receive_discrepancies(struct ctx *c, long long sheet, struct sheet_cases *cs,
    const struct handover_disc *d, size_t nd)
{
	struct sheet_case *x;
	char text[700], pages[16];
	size_t i;
	int rc;

	for (i = 0; i < nd; i++) {
		x = sheet_case_find(cs, d[i].no);
		if (d[i].code == NULL) {
			x->missing = 1;
			rc = db_exec(c, "UPDATE handover_cases SET missing = 1, note = ?"
			    " WHERE handover_id = ? AND case_id = ?",
			    DBARGS(DBS(d[i].note ? d[i].note : ""), DBI(sheet), DBI(x->id)), NULL, NULL);
			fmt(text, sizeof text, "整卷材料未收到%s%s", d[i].note ? "：" : "",
			    d[i].note ? d[i].note : "");
		} else {
			rc = db_exec(c, "UPDATE handover_materials SET pages_received = ?, missing = ?,"
			    " note = ? WHERE handover_id = ? AND case_id = ? AND code = ?",
			    DBARGS(d[i].pages_received >= 0 ? DBI(d[i].pages_received) : DBN,
			    DBI(d[i].missing), DBS(d[i].note ? d[i].note : ""), DBI(sheet), DBI(x->id),
			    DBS(d[i].code)), NULL, NULL);
			fmt(pages, sizeof pages, "%lld", d[i].pages_received);
			fmt(text, sizeof text, "%s %s%s%s%s", d[i].code,
			    d[i].missing ? "缺失" : "实收 ", d[i].missing ? "" : pages,
			    d[i].missing ? "" : " 页", d[i].note ? "" : "");
			if (d[i].note) {
				char more[700];

				fmt(more, sizeof more, "%s（%s）", text, d[i].note);
				str_copy(text, sizeof text, more);
			}
		}
		if (rc != 0)
			return rc;
		problem_add(x, text);
	}
	return 0;
}

/* Each case of sheet s closed on it, given to its new holder (the receiver, or back to the
 * sender when its whole file is missing) with its history rows: received, and the
 * discrepancies found (*any then).  0 or a DB_* code. */
static int
receive_cases(struct ctx *c, struct req *r, const struct sheet_lock *s,
    const struct sheet_cases *cs, const char *now, int *any)
{
	const struct sheet_case *x;
	const char *dept = s->to.kind == HO_DEPARTMENT ? s->to.department : NULL;
	char text[700], pub[400], words[700];
	json_t *toj;
	size_t i;
	int rc;

	rc = db_exec(c, "UPDATE handover_cases SET open_lock = NULL WHERE handover_id = ?",
	    DBARGS(DBI(s->id)), NULL, NULL);
	if (rc != 0)
		return rc;
	if ((rc = handover_end_json(c, &s->to, &toj)) < 0)
		return rc;
	str_copy(words, sizeof words, json_string_value(json_object_get(toj, "label")));
	json_decref(toj);
	for (i = 0; i < cs->n; i++) {
		x = &cs->t[i];
		if (x->missing)
			rc = custody_write(c, x->id, &s->from, NULL, 0, 0);
		else
			rc = custody_write(c, x->id, &s->to, now, s->id, 0);
		if (rc != 0)
			return rc;
		if (x->missing) {
			fmt(text, sizeof text, "交接单 %lld：%s签收时整卷材料未收到，材料仍由移交方负责",
			    s->id, words);
			fmt(pub, sizeof pub, "材料移交未完成，正在核查");
		} else {
			fmt(text, sizeof text, "交接单 %lld：%s已签收", s->id, words);
			fmt(pub, sizeof pub, "材料已交至%s", words);
		}
		utf8_trunc(text, sizeof text, 500, "…");
		utf8_trunc(pub, sizeof pub, CASE_PUBLIC_NOTE_MAX, "…");
		rc = case_history_add(c, &r->sess, x->id, now, "handover_received", x->status,
		    x->status, dept, text, pub);
		if (rc != 0)
			return rc;
		if (x->problems[0]) {
			*any = 1;
			fmt(text, sizeof text, "交接单 %lld 签收差异：%s", s->id, x->problems);
			utf8_trunc(text, sizeof text, 500, "…");
			rc = case_history_add(c, &r->sess, x->id, now, "handover_discrepancy",
			    x->status, x->status, dept, text, "");
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int
handover_receive_tx(struct ctx *c, struct req *r, long long id, const char *token,
    const struct handover_disc *d, size_t nd, const char *note, long long *id_out,
    struct handover_why *why)
{
	struct sheet_lock s;
	struct sheet_cases *cs = NULL;
	char now[20], target[32];
	uint64_t n = 0;
	int rc, any = 0;

	why->msg[0] = '\0';
	*id_out = 0;
	if ((rc = receive_lock(c, r, id, token, &s, id_out, why)) != 0)
		return rc;
	if ((cs = calloc(1, sizeof *cs)) == NULL)
		return DB_FAIL;
	rc = db_rows_into(c, "SELECT hc.case_id, c.no, c.status FROM handover_cases hc"
	    " JOIN cases c ON c.id = hc.case_id WHERE hc.handover_id = ? ORDER BY hc.seq",
	    DBARGS(DBI(s.id)), DB_COLS(sheet_case_cols), cs->t, sizeof cs->t[0],
	    HANDOVER_CASES_MAX);
	if (rc < 0)
		goto done;
	cs->n = (size_t)rc < HANDOVER_CASES_MAX ? (size_t)rc : HANDOVER_CASES_MAX;
	if ((rc = receive_check(c, r, s.id, cs, d, nd)) < 0)
		goto done;
	if (in_has_errors(r)) {
		rc = E_INVALID_INPUT;
		goto done;
	}
	case_now(now);
	rc = db_exec(c, "UPDATE handovers SET status = ?, received_by = ?, received_at = ?,"
	    " receive_note = ? WHERE id = ? AND status = 'sent'",
	    DBARGS(DBS(nd ? "received_with_discrepancies" : "received"), DBS(r->sess.subject),
	    DBS(now), DBS(note ? note : ""), DBI(s.id)), &n, NULL);
	if (rc != 0)
		goto done;
	if (n != 1) {
		str_copy(why->msg, sizeof why->msg, "这张交接单已经签收过了");
		rc = E_INVALID_STATE;
		goto done;
	}
	if ((rc = receive_discrepancies(c, s.id, cs, d, nd)) != 0 ||
	    (rc = receive_cases(c, r, &s, cs, now, &any)) != 0)
		goto done;
	fmt(target, sizeof target, "handover:%lld", s.id);
	audit(r, "handover.receive", target, "ok", any ? "with discrepancies" : "");
	rc = 0;
done:
	free(cs);
	return rc;
}
