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
audit(struct req *r, const char *action, const char *target, const char *result,
    const char *detail)
{
	const char *kind = "anonymous";
	char at[32];
	int rc;

	/* Kiosks are accounts of the staff table: their actor is a staff id too. */
	if (r->sess.role == ROLE_CITIZEN)
		kind = "citizen";
	else if (r->sess.role != 0)
		kind = "staff";
	sql_now(at, sizeof at);	/* hall time, like every other record */
	rc = db_exec(r->ctx, "INSERT INTO audit_log (at, hall, actor_kind, actor, action, target,"
	    " result, remote_addr, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(at), DBSO(r->sess.hall[0] ? r->sess.hall : NULL), DBS(kind),
	    col(r->sess.subject, 64), col(action, 64), col(target, 128), col(result, 32),
	    col(r->remote_addr, 45), col(detail, 500)), NULL, NULL);
	if (rc != 0)
		log_warn("audit %s %s not recorded (%d)", action, result, rc);
	r->audited = 1;
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
