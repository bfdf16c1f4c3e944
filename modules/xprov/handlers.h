/*
 * handlers.h — the xprov room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call xprov.h.
 */
#ifndef YC_XPROV_HANDLERS_H
#define YC_XPROV_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_xprov_step(struct req *);
int	h_xprov_list(struct req *);
int	h_xprov_incoming(struct req *);
int	h_xprov_figures(struct req *);
int	h_xprov_get(struct req *);

#endif
