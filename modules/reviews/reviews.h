/*
 * reviews.h — 好差评 (reviews), 差评整改 (rectification of bad reviews) and the hall manager's
 * figures.
 *
 *   reviews.c  POST /reviews; GET /halls/{hall}/rectifications,
 *              PATCH /halls/{hall}/rectifications/{id}, POST /halls/{hall}/rectifications/{id}/close
 *   stats.c    GET /halls/{hall}/stats?from=&to=[&format=csv]
 *
 * The token is the credential of a review: whoever holds a ticket's token (/q/<token>) or a
 * case's tracking token (/t/<token>) may review that visit or case once.
 */
#ifndef YC_REVIEWS_H
#define YC_REVIEWS_H

#include "../../fcgi/ctx.h"

/* Working days a manager has to rectify a bad review (config review_rectify_days, default 5). */
int	review_rectify_days(void);

#endif
