/*
 * handlers.h — the reviews room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_REVIEWS_HANDLERS_H
#define YC_REVIEWS_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_review_post(struct req *);
int	h_review_get(struct req *);
int	h_rectifications_list(struct req *);
int	h_rectification_contact(struct req *);
int	h_rectification_update(struct req *);
int	h_rectification_close(struct req *);
int	h_rectification_check(struct req *);

int	h_complaint_post(struct req *);
int	h_my_complaints(struct req *);
int	h_complaints_list(struct req *);
int	h_complaint_assign(struct req *);
int	h_complaint_answer(struct req *);
int	h_satisfaction(struct req *);

/*
 * For the steps of complaints and rectification tasks, each audited in its transaction:
 * when rc is 0 (the change is made), the event `action` on target "<kind>:<id>" ("<id>"
 * when kind is NULL) with result "ok".  Returns rc (reviews_api.c).
 */
int	reviews_step_audit(struct req *r, int rc, const char *action, const char *kind,
	    long long id, const char *detail);
/* A step's transaction that did not commit (rc non-zero) as its reply: 404 with missing,
 * 409 with conflict (its state no longer allows the step), else db_fail.  0 when rc is 0
 * (the caller replies with the record as it is now); otherwise the reply's status. */
int	reviews_step_fail(struct req *r, int rc, const char *missing, const char *conflict);

#endif
