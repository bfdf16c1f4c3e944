/*
 * handlers.h — the ops room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_OPS_HANDLERS_H
#define YC_OPS_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_health(struct req *);

#endif
