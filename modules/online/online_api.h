/*
 * online_api.h — the online room's handlers that share a route with the window's
 * (POST /cases, POST /cases/{no}/actions): the dispatcher cases/cases_post.c calls them by
 * the caller's role or the action, so neither room's route table needs the other's handlers.
 * They are handed to it at start (cases_on_online, programs/assembly.c).
 */
#ifndef YC_ONLINE_API_H
#define YC_ONLINE_API_H

#include "../../fcgi/yc.h"

/* POST /cases by a citizen: the application (online_apply.c). */
int	online_apply(struct req *r);
/* POST /cases/{no}/actions with action pre_accept, return or resubmit (online_review.c). */
int	online_review(struct req *r, const char *action);

#endif
