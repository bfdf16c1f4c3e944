/*
 * routes.c — the routes the appointments room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route appointments_routes[] = {
	{ M_GET,    "/halls/{hall}/slots",                  h_slots,            ROLE_ANY, 0, 0 },
	{ M_PATCH,  "/halls/{hall}/slots/{slot}",           h_slot_capacity,    ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/halls/{hall}/appointments/check-in",  h_appointment_checkin_code, ROLE_KIOSK | ROLE_CLERK, 0, 0 },
	{ M_POST,   "/appointments",                        h_appointment_book, ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/me/appointments",                     h_my_appointments,  ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/appointments/{token}",                h_appointment_get,  ROLE_CITIZEN | ROLE_KIOSK | ROLE_STAFF, 0, 0 },
	{ M_DELETE, "/appointments/{token}",                h_appointment_cancel, ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/appointments/{token}/reschedule",     h_appointment_reschedule, ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/appointments/{token}/check-in",       h_appointment_checkin, ROLE_CITIZEN | ROLE_KIOSK | ROLE_CLERK, 0, 0 },
};
const size_t appointments_nroutes = NELEM(appointments_routes);
