/*
 * case_resend.c — fresh secrets for a case's notice resent by staff (POST /notices/{id}/resend,
 * notify/notify_api.c): the renewers this room hands the notify room at start
 * (notify_on_resend, programs/assembly.c).
 *
 * Tables: cases (pickup_code_hash), case_history, case_tracking (read).  Redis: none.
 */
#include "cases.h"
#include "case_agent.h"
#include "../notify/notify.h"
#include "../shared/pii.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* result_ready.pickup_code: a new pickup code; the one sent before stops working. */
int
case_renew_pickup(struct req *r, const struct notice_ref *o, char *out, size_t osz,
    const char **msg)
{
	struct case_row cr;
	char code[8], hash[PII_HASH_HEX], now[20];
	uint64_t n = 0;
	int rc;

	if ((rc = case_load(r->ctx, r->sess.hall, o->ref_id, &cr)) < 0)
		return rc;
	if (rc == 0 || strcmp(cr.status, "ready") != 0) {
		*msg = "办件已不在待领取状态，无需重发取件码";
		return 1;
	}
	fmt(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
	case_pickup_hash(cr.no, code, hash);
	case_now(now);
	rc = db_exec(r->ctx, "UPDATE cases SET pickup_code_hash = ?, updated_at = ?"
	    " WHERE id = ? AND status = 'ready'", DBARGS(DBS(hash), DBS(now), DBI(cr.id)), &n,
	    NULL);
	if (rc == 0 && n == 0) {
		*msg = "办件已不在待领取状态，无需重发取件码";
		rc = 1;
	}
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, cr.id, now, "pickup_code", cr.status, cr.status, NULL,
		    "重发领取通知：已生成新取件码，原取件码作废", NULL);
	if (rc == 0)
		str_copy(out, osz, code);
	sodium_memzero(code, sizeof code);
	sodium_memzero(&cr, sizeof cr);
	return rc;
}

static int
token_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char *tok = arg;

	(void)ncol;
	if (v[0] == NULL || pii_open((const unsigned char *)v[0], lens[0], tok,
	    CASE_TOKEN_MAX) != 0)
		tok[0] = '\0';
	return 1;
}

/* case_accepted.url: the case's tracking link as it is now — the newest live token of the
 * holder the notice went to (the applicant, or the authorised agent); case_closed.url: the
 * review link (review.html?case=) of that token. */
int
case_renew_track_url(struct req *r, const struct notice_ref *o, char *out, size_t osz,
    const char **msg)
{
	struct case_row cr;
	char to[PII_SEALED_MAX], agent[32], tok[CASE_TOKEN_MAX] = "";
	const char *holder = "applicant";
	long long case_id;
	int rc;

	if ((rc = case_load(r->ctx, r->sess.hall, o->ref_id, &cr)) < 0)
		return rc;
	if (rc == 0) {
		*msg = "找不到这条通知对应的办件";
		return 1;
	}
	case_id = cr.id;
	if ((rc = case_agent_phone(r->ctx, case_id, agent)) != 0)
		return rc;
	if (pii_open(o->rec, o->reclen, to, sizeof to) != 0)
		return DB_FAIL;
	if (agent[0] && strcmp(agent, to) == 0 && strcmp(cr.phone, to) != 0)
		holder = "agent";
	sodium_memzero(to, sizeof to);
	sodium_memzero(&cr, sizeof cr);
	rc = db_query(r->ctx, "SELECT token_enc FROM case_tracking WHERE case_id = ?"
	    " AND holder = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
	    DBARGS(DBI(case_id), DBS(holder)), token_row, tok);
	if (rc < 0)
		return rc;
	if (tok[0] == '\0') {
		*msg = "该办件的查询链接已全部撤销，请先重新生成查询码";
		return 1;
	}
	if (strcmp(o->tmpl, "case_closed") == 0)
		case_review_abs(tok, out, osz);
	else
		case_track_abs(tok, out, osz);
	sodium_memzero(tok, sizeof tok);
	return 0;
}
