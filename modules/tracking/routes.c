/*
 * routes.c — the routes the tracking room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route tracking_routes[] = {
	{ M_GET,  "/track/{token}",           h_track,         ROLE_ANY, 0, 0 },
	{ M_GET,  "/track/{token}/qr.svg",    h_qr,            ROLE_ANY, 0, 0 },
	{ M_GET,  "/track/{token}/qr.png",    h_qr,            ROLE_ANY, 0, 0 },
	{ M_GET,  "/tickets/{token}/qr.svg",  h_qr,            ROLE_ANY, 0, 0 },
	{ M_GET,  "/tickets/{token}/qr.png",  h_qr,            ROLE_ANY, 0, 0 },
	{ M_GET,  "/appointments/{token}/qr.svg", h_qr, ROLE_ANY, 0, 0 },
	{ M_GET,  "/appointments/{token}/qr.png", h_qr, ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices/qr.svg",     h_qr,            ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices/qr.png",     h_qr,            ROLE_ANY, 0, 0 },
};
const size_t tracking_nroutes = NELEM(tracking_routes);
