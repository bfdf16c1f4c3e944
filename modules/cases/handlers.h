/*
 * handlers.h — the cases room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_CASES_HANDLERS_H
#define YC_CASES_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_cases_post(struct req *);
int	h_cases_action_any(struct req *);
int	h_case_create(struct req *);
int	h_cases_list(struct req *);
int	h_case_get(struct req *);
int	h_case_action(struct req *);
int	h_case_track_token(struct req *);
int	h_notice(struct req *);
int	h_promise_checks(struct req *);
int	h_promise_check_close(struct req *);
int	h_case_waivers(struct req *);
int	h_helper_cases(struct req *);
int	h_case_helper_assign(struct req *);
/* POST /cases with "bundle" by a clerk or helper (cases_bundle.c). */
int	case_bundle_create(struct req *);
/* A bundle case's title and parts on its notice (cases_bundle.c).  0 or DB_*. */
int	case_bundle_notice_add(struct ctx *c, long long case_id, json_t *o);

#endif
