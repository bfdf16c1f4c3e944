/*
 * handlers.h — the tracking room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_TRACKING_HANDLERS_H
#define YC_TRACKING_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_track(struct req *);
int	h_qr(struct req *);	/* every …/qr.svg and …/qr.png route */

#endif
