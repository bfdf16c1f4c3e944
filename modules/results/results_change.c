/*
 * results_change.c — 撤销 (revoke) and 换发 (replace) a result.  Both are guarded UPDATEs
 * (… WHERE status = 'valid') in the caller's transaction: of two managers acting at once one
 * wins, the other gets E_RESULT_NOT_VALID.  The case history row and the audit row are the
 * caller's (results_api.c), in the same transaction.
 *
 * Tables: results
 */
#include "results_int.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdio.h>
#include <string.h>

int
result_valid_until_ok(const char *s)
{
	long long y, m, d;

	return sscanf(s, "%4lld-%2lld-%2lld", &y, &m, &d) == 3 &&
	    s[4] == '-' && s[7] == '-' && y >= 2000 && y <= 2199 && m >= 1 && m <= 12 &&
	    d >= 1 && d <= 31;
}

int
result_change_allowed(const struct result_row *x, int replace)
{
	if (strcmp(x->status, "valid") != 0)
		return E_RESULT_NOT_VALID;
	if (replace && strcmp(x->f.kind, "refusal") == 0)
		return E_RESULT_NOT_REPLACEABLE;
	return 0;
}

int
result_revoke(struct ctx *c, const struct result_row *x, struct result_change *ch)
{
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE results SET status = 'revoked', changed_at = ?,"
	    " changed_by = ?, change_reason = ? WHERE id = ? AND status = 'valid'",
	    DBARGS(DBS(ch->now), DBI(ch->staff), DBS(ch->reason), DBI(x->id)), &n, NULL);
	if (rc == 0 && n != 1)
		return E_RESULT_NOT_VALID;
	return rc;
}

/* The number of the next replacement: the original's, with -R<n> for the n-th. */
static int
replacement_number(struct ctx *c, const struct result_row *x, char number[68])
{
	char base[68], *p;
	long long gen = 0;
	int rc;

	str_copy(base, sizeof base, x->f.number);
	if ((p = strstr(base, "-R")) != NULL)
		*p = '\0';
	rc = db_query(c, "SELECT COUNT(*) FROM results WHERE case_id = ? AND item = ?"
	    " AND kind = ?", DBARGS(DBI(x->case_id), DBS(x->item), DBS(x->f.kind)), db_ll_row,
	    &gen);
	if (rc < 0)
		return rc;
	fmt(number, 68, "%s-R%lld", base, gen);
	return 0;
}

int
result_replace(struct ctx *c, const struct result_row *x, struct result_change *ch)
{
	char number[68];
	uint64_t n = 0;
	int rc;

	if ((rc = replacement_number(c, x, number)) != 0)
		return rc;
	result_vid_new(ch->new_vid);
	rc = db_exec(c, "INSERT INTO results (vid, hall, case_id, item, department, kind,"
	    " title, number, holder_mask, issuer, issued_on, valid_until, electronic, licence_id,"
	    " replaces_id, created_at) SELECT ?, hall, case_id, item, department, kind, title, ?,"
	    " holder_mask, issuer, DATE(?), IF(? = '', valid_until, ?), electronic, licence_id,"
	    " id, ? FROM results WHERE id = ? AND status = 'valid'",
	    DBARGS(DBS(ch->new_vid), DBS(number), DBS(ch->now),
	    DBS(ch->valid_until ? ch->valid_until : ""),
	    DBS(ch->valid_until ? ch->valid_until : "2000-01-01"), DBS(ch->now), DBI(x->id)),
	    &n, &ch->new_id);
	if (rc == 0 && n != 1)
		return E_RESULT_NOT_VALID;
	if (rc == 0)
		rc = db_exec(c, "UPDATE results SET status = 'replaced', replaced_by = ?,"
		    " changed_at = ?, changed_by = ?, change_reason = ? WHERE id = ?"
		    " AND status = 'valid'", DBARGS(DBI(ch->new_id), DBS(ch->now), DBI(ch->staff),
		    DBS(ch->reason), DBI(x->id)), &n, NULL);
	if (rc == 0 && n != 1)
		return E_RESULT_NOT_VALID;
	/* A replaced licence keeps its permits: they now hang on the new one. */
	if (rc == 0 && strcmp(x->f.kind, "licence") == 0)
		rc = db_exec(c, "UPDATE results SET licence_id = ? WHERE licence_id = ?"
		    " AND id <> ?", DBARGS(DBI(ch->new_id), DBI(x->id), DBI(ch->new_id)), NULL, NULL);
	return rc;
}
