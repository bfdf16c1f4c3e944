/*
 * reply.c — how the queue's handlers name the caller to the domain, and turn the domain's
 * refusals into the API's error replies.
 *
 * Routes, tables, Redis: none of its own (audit_log through shared/audit.h).
 */
#include "handlers.h"
#include "queue_int.h"
#include "../shared/audit.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

static const char *
actor_kind(const struct req *r)
{
	if (r->sess.role == ROLE_CITIZEN)
		return "citizen";
	if (r->sess.role == ROLE_KIOSK)
		return "kiosk";
	if (r->sess.role != 0)
		return "staff";
	return "anonymous";
}

static void
actor_audit(void *arg, const char *action, const char *target, const char *detail)
{
	audit(arg, action, target, "ok", detail);
}

static void
actor_audit_values(void *arg, const char *action, const char *target, const char *detail,
    struct audit_values *out)
{
	audit_values(arg, action, target, "ok", detail, out);
}

void
q_actor_of(struct req *r, struct q_actor *who)
{
	who->kind = actor_kind(r);
	who->subject = r->sess.subject;
	who->audit = actor_audit;
	who->audit_values = actor_audit_values;
	who->arg = r;
}

int
q_fail(struct req *r, int rc, const char *why, const char *field)
{
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == E_UNAVAILABLE)
		return req_unavailable(r);
	if (rc == E_INTERNAL)
		return req_bug(r, why ? why : "queue: internal error");
	if (rc == E_INVALID_INPUT && field) {
		req_fail_field(r, field, why);
		return req_invalid(r);
	}
	return req_err_msg(r, rc, why);
}

int
q_reply_ticket(struct req *r, const struct q_hall *h, const struct q_ticket *t)
{
	const char *why = NULL;
	json_t *j;
	int rc;

	if ((rc = q_ticket_view(r->ctx, h, t, &j, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	return req_ok(r, 200, json_pack("{s:o}", "ticket", j));
}
