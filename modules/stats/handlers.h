/*
 * handlers.h — the stats room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_STATS_HANDLERS_H
#define YC_STATS_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_stats(struct req *);
int	h_city_stats(struct req *);	/* city_stats.c */

#endif
