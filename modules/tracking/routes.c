/*
 * routes.c — the routes the tracking room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route tracking_routes[] = {
	{ M_GET,  "/track/{token}",           h_track,         ROLE_ANY, 0, 0 },
	{ M_GET,  "/track/{token}/qr.svg",    h_track_qr_svg,  ROLE_ANY, 0, 0 },
	{ M_GET,  "/track/{token}/qr.png",    h_track_qr_png,  ROLE_ANY, 0, 0 },
	{ M_GET,  "/tickets/{token}/qr.svg",  h_ticket_qr_svg, ROLE_ANY, 0, 0 },
	{ M_GET,  "/tickets/{token}/qr.png",  h_ticket_qr_png, ROLE_ANY, 0, 0 },
	{ M_GET,  "/appointments/{token}/qr.svg", h_appointment_qr_svg, ROLE_ANY, 0, 0 },
	{ M_GET,  "/appointments/{token}/qr.png", h_appointment_qr_png, ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices/qr.svg",     h_notice_qr_svg, ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices/qr.png",     h_notice_qr_png, ROLE_ANY, 0, 0 },
};
const size_t tracking_nroutes = NELEM(tracking_routes);
