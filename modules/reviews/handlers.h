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

#endif
