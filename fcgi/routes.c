/*
 * routes.c — the route table: method, path below /api/v1, handler, roles, body limit, flags.
 * Read it as the API reference; ../../shared/API.md is the contract it implements.
 */
#include "yc.h"
#include "../modules/handlers.h"

const struct route routes[] = {
	/* Health and catalog (public) */
	{ M_GET,  "/health",                  h_health,     ROLE_ANY, 0, 0 },
	{ M_GET,  "/halls",                   h_halls,      ROLE_ANY, 0, 0 },
	{ M_GET,  "/halls/{hall}/categories", h_categories, ROLE_ANY, 0, 0 },
	{ M_GET,  "/items",                   h_items,      ROLE_ANY, 0, 0 },
	{ M_GET,  "/items/{id}",              h_item,       ROLE_ANY, 0, 0 },
	{ M_GET,  "/calendar/deadline",       h_deadline,   ROLE_ANY, 0, 0 },

	/* Sign-in */
	{ M_POST, "/staff/login",             h_staff_login, ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/logout",             h_logout,     ROLE_ALL, 0, 0 },
	{ M_GET,  "/me",                      h_me,         ROLE_ALL, 0, 0 },

	/* identity: routes */

	/* notify: routes */

	/* queue: routes */

	/* appointments: routes */

	/* cases: routes */

	/* tracking: routes */

	/* reviews: routes */
};

const size_t nroutes = NELEM(routes);
