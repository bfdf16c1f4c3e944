/*
 * routes.c — the routes the reviews room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route reviews_routes[] = {
	{ M_POST,  "/reviews",                          h_review_post,         ROLE_ANY, 0, 0 },
	{ M_GET,   "/reviews",                          h_review_get,          ROLE_ANY, 0, 0 },
	{ M_GET,   "/halls/{hall}/rectifications",      h_rectifications_list, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PATCH, "/halls/{hall}/rectifications/{id}", h_rectification_update, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,  "/halls/{hall}/rectifications/{id}/close", h_rectification_close, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,  "/halls/{hall}/rectifications/{id}/check", h_rectification_check, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,   "/halls/{hall}/rectifications/{id}/contact", h_rectification_contact, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,  "/complaints",                       h_complaint_post,      ROLE_CITIZEN, 0, 0 },
	{ M_GET,   "/me/complaints",                    h_my_complaints,       ROLE_CITIZEN, 0, 0 },
	{ M_GET,   "/halls/{hall}/complaints",          h_complaints_list,     ROLE_STAFF, 0, 0 },
	{ M_POST,  "/halls/{hall}/complaints/{id}/assign", h_complaint_assign, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,  "/halls/{hall}/complaints/{id}/answer", h_complaint_answer, ROLE_STAFF, 0, 0 },
	{ M_GET,   "/halls/{hall}/satisfaction",        h_satisfaction,        ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
};
const size_t reviews_nroutes = NELEM(reviews_routes);
