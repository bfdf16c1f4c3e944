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

#endif
