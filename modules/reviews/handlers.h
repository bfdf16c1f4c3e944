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
/*
 * What the steps of complaints and rectification tasks change, for their replies: the record
 * read by its id ({member: …}, 1 found, 0 not, or a DB_* code), the caller's own marks on it,
 * and the 404's message when it is not the hall's.
 */
struct reviews_record {
	int		 (*load)(struct ctx *c, const char *hall, long long id, json_t **out);
	const char	*member;
	void		 (*mark)(const struct req *r, json_t *record);
	const char	*missing;
	const char	*list;		/* the member of a list of them */
};
/* A list's query: status, one of statuses (words: the 400's message), into *k; limit 1–500
 * (default 100); then the path's hall must exist.  0 or the reply. */
int	reviews_list_query(struct req *r, const char *const *statuses, const char *words, int *k,
	    long long *limit);
/* The list filled (rc: 0 or a DB_* code) as the reply: {list: […]}, each marked. */
int	reviews_list_reply(struct req *r, const struct reviews_record *kind, int rc, json_t *list);
/* 200 with the record id of the path's hall as it is now. */
int	reviews_record_reply(struct req *r, const struct reviews_record *k, long long id);
/* The step fn(ctx, st) in its transaction, then the record id as it is now; 404 when it is
 * gone, 409 (conflict says why) when its state no longer allows the step, else db_fail. */
int	reviews_step_run(struct req *r, const struct reviews_record *k,
	    int (*fn)(struct ctx *, void *), void *st, long long id, const char *conflict);

#endif
