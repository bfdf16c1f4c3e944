/*
 * cases_post.c — the two routes a window and the online hall share, sent to their room:
 *
 * Routes: POST /cases               citizen → the online room's apply (online_apply.c)
 *                                   clerk   → cases_accept.c (一窗受理)
 *         POST /cases/{no}/actions  pre_accept, return, resubmit → the online room's review
 *                                   (online_review.c)
 *                                   any other action → case_actions_api.c (a citizen: 403)
 * Tables: audit_log (a citizen's refused action).  Redis: none.
 *
 * The online room's two handlers are handed in at start (cases_on_online, cases.h).
 */
#include "handlers.h"
#include "cases.h"
#include "../shared/audit.h"
#include "../../fcgi/errors.h"

#include <string.h>

static int	(*online_apply_fn)(struct req *);
static int	(*online_review_fn)(struct req *, const char *);

void
cases_on_online(int (*apply)(struct req *r), int (*review)(struct req *r, const char *action))
{
	online_apply_fn = apply;
	online_review_fn = review;
}

int
h_cases_post(struct req *r)
{
	if (r->sess.role == ROLE_CITIZEN)
		return online_apply_fn ? online_apply_fn(r) : req_bug(r, "no online room");
	return h_case_create(r);
}

int
h_cases_action_any(struct req *r)
{
	const char *action = json_string_value(json_object_get(r->body, "action"));

	if (action && (strcmp(action, "pre_accept") == 0 || strcmp(action, "return") == 0 ||
	    strcmp(action, "resubmit") == 0))
		return online_review_fn ? online_review_fn(r, action) :
		    req_bug(r, "no online room");
	if (r->sess.role == ROLE_CITIZEN) {
		if (action == NULL)
			return req_fail_field(r, "action", "必填"), req_invalid(r);
		audit(r, "case.action", r->pathv[0], "forbidden", action);
		return req_err_msg(r, E_FORBIDDEN, "您不能进行该操作");
	}
	return h_case_action(r);
}
