/*
 * reviews.h — what the reviews room (好差评 and 差评整改) offers other rooms.  The room's
 * layout, routes, tables and rules: modules/reviews/README.md; the rules themselves, pure,
 * in review_rules.h (the hall's figures count with them too).
 *
 * The token is the credential of a review: whoever holds a ticket's token (/q/<token>) or a
 * case's tracking token (/t/<token>) may review that visit or case once.
 */
#ifndef YC_REVIEWS_H
#define YC_REVIEWS_H

#include "../../fcgi/ctx.h"

/* Working days a manager has to rectify a bad review (config review_rectify_days, default 5). */
int	review_rectify_days(void);

/* Working days a complaint is to be answered in (config complaint_answer_days, default 5). */
int	complaint_answer_days(void);

/* reviews_jobs.c: the overdue alerts of rectifications and complaints (job reviews-overdue;
 * its table: reviews_jobs.c).  0 or a DB_* code. */
int	job_reviews_overdue(struct ctx *c);
/* Clear the hall's alert <kind>:<id> (kind "rectification" or "complaint"), when raised.
 * 0 or a DB_* code. */
int	reviews_alert_clear(struct ctx *c, const char *hall, const char *kind, long long id);

#endif
