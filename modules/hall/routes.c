/*
 * routes.c — the routes the hall room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route hall_routes[] = {
	{ M_GET,  "/halls",                   h_halls,      ROLE_ANY, 0, 0 },
	{ M_GET,  "/halls/{hall}/categories", h_categories, ROLE_ANY, 0, 0 },
	{ M_GET,  "/items",                   h_items,      ROLE_ANY, 0, 0 },
	{ M_GET,  "/items/{id}",              h_item,       ROLE_ANY, 0, 0 },
	{ M_GET,  "/calendar/deadline",       h_deadline,   ROLE_ANY, 0, 0 },
};
const size_t hall_nroutes = NELEM(hall_routes);
