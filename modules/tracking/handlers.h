/*
 * handlers.h — the tracking room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_TRACKING_HANDLERS_H
#define YC_TRACKING_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_track(struct req *);
int	h_track_qr_svg(struct req *);
int	h_track_qr_png(struct req *);
int	h_ticket_qr_svg(struct req *);
int	h_ticket_qr_png(struct req *);
int	h_appointment_qr_svg(struct req *);
int	h_appointment_qr_png(struct req *);
int	h_notice_qr_svg(struct req *);
int	h_notice_qr_png(struct req *);

#endif
