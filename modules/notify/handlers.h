/*
 * handlers.h — the notify room's route handlers (routes.c says which path, method and roles
 * reach each).  Private to the room: other rooms call its functions, not its handlers.
 */
#ifndef YC_NOTIFY_HANDLERS_H
#define YC_NOTIFY_HANDLERS_H

#include "../../fcgi/yc.h"

int	h_notices(struct req *);
int	h_notice_resend(struct req *);
int	h_sms_receipt_aliyun(struct req *);
int	h_sms_receipt_tencent(struct req *);
int	h_sms_receipt_nosecret(struct req *);
int	h_alert_dismiss(struct req *);

#endif
