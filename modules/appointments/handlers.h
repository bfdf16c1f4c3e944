/*
 * handlers.h — the appointments room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_APPOINTMENTS_HANDLERS_H
#define YC_APPOINTMENTS_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_slots(struct req *);
int	h_slot_capacity(struct req *);
int	h_appointment_book(struct req *);
int	h_my_appointments(struct req *);
int	h_appointment_get(struct req *);
int	h_appointment_cancel(struct req *);
int	h_appointment_reschedule(struct req *);
int	h_appointment_checkin(struct req *);
int	h_appointment_checkin_code(struct req *);

#endif
