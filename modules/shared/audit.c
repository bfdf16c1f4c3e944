/*
 * audit.c — writing the audit trail (see audit.h).
 * Tables: audit_log (insert only).
 */
#include "audit.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

/* A value cut to its column's characters: an audit row is never refused for its length
 * (a refused row inside a transaction would leave the change without its audit). */
static struct dbv
col(const char *s, size_t maxc)
{
	if (s == NULL)
		s = "";
	return DBSN(s, utf8_cut(s, strlen(s), maxc, SIZE_MAX));
}

void
audit_values(struct req *r, const char *action, const char *target, const char *result,
    const char *detail, struct audit_values *out)
{
	const char *kind = "anonymous";

	/* Kiosks are accounts of the staff table: their actor is a staff id too. */
	if (r->sess.role == ROLE_CITIZEN)
		kind = "citizen";
	else if (r->sess.role != 0)
		kind = "staff";
	sql_now(out->at, sizeof out->at);	/* hall time, like every other record */
	out->v[0] = DBS(out->at);
	out->v[1] = DBSO(r->sess.hall[0] ? r->sess.hall : NULL);
	out->v[2] = DBS(kind);
	out->v[3] = col(r->sess.subject, 64);
	out->v[4] = col(action, 64);
	out->v[5] = col(target, 128);
	out->v[6] = col(result, 32);
	out->v[7] = col(r->remote_addr, 45);
	out->v[8] = col(detail, 500);
	r->audited = 1;
}

void
audit(struct req *r, const char *action, const char *target, const char *result,
    const char *detail)
{
	struct audit_values a;
	int rc;

	audit_values(r, action, target, result, detail, &a);
	rc = db_exec(r->ctx, "INSERT INTO audit_log (at, hall, actor_kind, actor, action, target,"
	    " result, remote_addr, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", a.v, AUDIT_NVALUES,
	    NULL, NULL);
	if (rc != 0)
		log_warn("audit %s %s not recorded (%d)", action, result, rc);
}

void
audit_refusal(struct req *r)
{
	char what[160], status[8];

	if (r->audited || r->ctx == NULL || (r->status != 401 && r->status != 403))
		return;
	fmt(status, sizeof status, "%d", r->status);
	if (fmt(what, sizeof what, "%s %s", r->method_str ? r->method_str : "-",
	    r->route ? r->route->pattern : "-") < 0)
		str_copy(what, sizeof what, "-");
	audit(r, "refused", what, status, r->err_code ? r->err_code : "");
}
