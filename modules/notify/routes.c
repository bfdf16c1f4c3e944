/*
 * routes.c — the routes the notify room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "../rooms.h"

const struct route notify_routes[] = {
	{ M_GET,  "/notices",                 h_notices,       ROLE_STAFF, 0, 0 },
	{ M_POST, "/notices/{id}/resend",     h_notice_resend, ROLE_STAFF, 0, 0 },
	{ M_POST, "/sms/receipts/aliyun/{secret}",  h_sms_receipt_aliyun,  ROLE_ANY, 256 * 1024,
	  RF_RAW_BODY | RF_NO_CSRF },
	{ M_POST, "/sms/receipts/tencent/{secret}", h_sms_receipt_tencent, ROLE_ANY, 256 * 1024,
	  RF_RAW_BODY | RF_NO_CSRF },
	{ M_POST, "/sms/receipts/aliyun",     h_sms_receipt_nosecret, ROLE_ANY, 256 * 1024,
	  RF_RAW_BODY | RF_NO_CSRF },
	{ M_POST, "/sms/receipts/tencent",    h_sms_receipt_nosecret, ROLE_ANY, 256 * 1024,
	  RF_RAW_BODY | RF_NO_CSRF },
	{ M_POST, "/halls/{hall}/alerts/dismiss", h_alert_dismiss, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
};
const size_t notify_nroutes = NELEM(notify_routes);
