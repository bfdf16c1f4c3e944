/*
 * handlers.h — the handover room's route handlers (routes.c says which path, method and
 * roles reach each).  Private to the room: other rooms call handover.h, not these.
 */
#ifndef YC_HANDOVER_HANDLERS_H
#define YC_HANDOVER_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_handover_create(struct req *);
int	h_handovers_list(struct req *);
int	h_custody_mine(struct req *);
int	h_handover_lookup(struct req *);
int	h_handover_receive_token(struct req *);
int	h_handover_get(struct req *);
int	h_handover_qr(struct req *);
int	h_handover_receive(struct req *);

#endif
