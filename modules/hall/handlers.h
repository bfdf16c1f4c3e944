/*
 * handlers.h — the hall room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_HALL_HANDLERS_H
#define YC_HALL_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_halls(struct req *);
int	h_categories(struct req *);
int	h_items(struct req *);
int	h_item(struct req *);
int	h_deadline(struct req *);

#endif
