/*
 * routes.c — the routes the queue room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route queue_routes[] = {
	{ M_POST,   "/halls/{hall}/tickets",       h_ticket_take,     ROLE_KIOSK | ROLE_CLERK | ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/halls/{hall}/board",         h_board,           ROLE_ANY, 0, 0 },
	{ M_GET,    "/push/auth/halls/{hall}/tickets/{token}", h_push_auth_ticket, ROLE_ANY, 0, 0 },
	{ M_GET,    "/push/auth/halls/{hall}/staff", h_push_auth_staff, ROLE_CLERK | ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,    "/tickets/{token}",            h_ticket_get,      ROLE_ANY, 0, 0 },
	{ M_DELETE, "/tickets/{token}",            h_ticket_change,   ROLE_ANY, 0, 0 },
	{ M_POST,   "/tickets/{token}/rejoin",     h_ticket_change,   ROLE_ANY, 0, 0 },
	{ M_GET,    "/me/tickets",                 h_my_tickets,      ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/windows/{window}",           h_window_get,      ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/call-next", h_window_call_next, ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/recall",    h_window_recall,   ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/skip",      h_window_skip,     ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/start",     h_window_start,    ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/transfer",  h_window_transfer, ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/finish",    h_window_finish,   ROLE_CLERK, 0, 0 },
};
const size_t queue_nroutes = NELEM(queue_routes);
