/*
 * handlers.h — the consult room's route handlers (routes.c says which path, method and
 * roles reach each).  Private to the room: other rooms call consult.h, not these.
 */
#ifndef YC_CONSULT_HANDLERS_H
#define YC_CONSULT_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_consult_referrals(struct req *);
int	h_consult_referral_accept(struct req *);

#endif
