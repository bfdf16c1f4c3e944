/*
 * routes.c — the route table: method, path below /api/v1, handler, roles, body limit, flags.
 * Read it as the API reference; ../../shared/API.md is the contract it implements.
 */
#include "yc.h"
#include "../modules/handlers.h"

const struct route routes[] = {
	/* Health and catalog (public) */
	{ M_GET,  "/health",                  h_health,     ROLE_ANY, 0, 0 },
	{ M_GET,  "/halls",                   h_halls,      ROLE_ANY, 0, 0 },
	{ M_GET,  "/halls/{hall}/categories", h_categories, ROLE_ANY, 0, 0 },
	{ M_GET,  "/items",                   h_items,      ROLE_ANY, 0, 0 },
	{ M_GET,  "/items/{id}",              h_item,       ROLE_ANY, 0, 0 },
	{ M_GET,  "/calendar/deadline",       h_deadline,   ROLE_ANY, 0, 0 },

	/* Sign-in */
	{ M_POST, "/staff/login",             h_staff_login, ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/logout",             h_logout,     ROLE_ALL, 0, 0 },
	{ M_GET,  "/me",                      h_me,         ROLE_ALL, 0, 0 },
	{ M_GET,  "/halls/{hall}/staff",      h_staff_list, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST, "/halls/{hall}/staff/{username}/unlock", h_staff_unlock,
	  ROLE_MANAGER | ROLE_ADMIN, 0, 0 },

	/* identity: routes */
	{ M_POST, "/auth/sms-code",           h_sms_code,   ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/sms-login",          h_sms_login,  ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/wx-login",           h_wx_login,   ROLE_ANY, 0, 0 },
	{ M_POST, "/auth/wx-phone",           h_wx_phone,   ROLE_CITIZEN, 0, 0 },

	/* realname: routes (实名，一证一号; 亲友代办) */
	{ M_GET,    "/me/identity",               h_me_identity,     ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/me/principals/sms-code",    h_principal_code,  ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/me/principals",             h_principal_add,   ROLE_CITIZEN, 0, 0 },
	{ M_DELETE, "/me/principals/{id}",        h_principal_drop,  ROLE_CITIZEN, 0, 0 },
	{ M_DELETE, "/me/proxies/{id}",           h_proxy_drop,      ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/identity-bindings/rebind",  h_identity_rebind, ROLE_CLERK, 0, 0 },
	{ M_POST,   "/identity-bindings/proxies", h_identity_proxy_register, ROLE_CLERK, 0, 0 },

	/* notify: routes */
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

	/* queue: routes */
	{ M_POST,   "/halls/{hall}/tickets",       h_ticket_take,     ROLE_KIOSK | ROLE_CLERK | ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/halls/{hall}/board",         h_board,           ROLE_ANY, 0, 0 },
	{ M_GET,    "/tickets/{token}",            h_ticket_get,      ROLE_ANY, 0, 0 },
	{ M_DELETE, "/tickets/{token}",            h_ticket_cancel,   ROLE_ANY, 0, 0 },
	{ M_POST,   "/tickets/{token}/rejoin",     h_ticket_rejoin,   ROLE_ANY, 0, 0 },
	{ M_GET,    "/me/tickets",                 h_my_tickets,      ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/windows/{window}",           h_window_get,      ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/call-next", h_window_call_next, ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/recall",    h_window_recall,   ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/skip",      h_window_skip,     ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/start",     h_window_start,    ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/transfer",  h_window_transfer, ROLE_CLERK, 0, 0 },
	{ M_POST,   "/windows/{window}/finish",    h_window_finish,   ROLE_CLERK, 0, 0 },

	/* appointments: routes */
	{ M_GET,    "/halls/{hall}/slots",                  h_slots,            ROLE_ANY, 0, 0 },
	{ M_PATCH,  "/halls/{hall}/slots/{slot}",           h_slot_capacity,    ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,   "/halls/{hall}/appointments/check-in",  h_appointment_checkin_code, ROLE_KIOSK | ROLE_CLERK, 0, 0 },
	{ M_POST,   "/appointments",                        h_appointment_book, ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/me/appointments",                     h_my_appointments,  ROLE_CITIZEN, 0, 0 },
	{ M_GET,    "/appointments/{token}",                h_appointment_get,  ROLE_CITIZEN | ROLE_KIOSK | ROLE_STAFF, 0, 0 },
	{ M_DELETE, "/appointments/{token}",                h_appointment_cancel, ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/appointments/{token}/reschedule",     h_appointment_reschedule, ROLE_CITIZEN, 0, 0 },
	{ M_POST,   "/appointments/{token}/check-in",       h_appointment_checkin, ROLE_CITIZEN | ROLE_KIOSK | ROLE_CLERK, 0, 0 },

	/* cases: routes */
	{ M_POST, "/cases",                   h_cases_post,   ROLE_CLERK | ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/cases",                   h_cases_list,   ROLE_STAFF, 0, 0 },
	{ M_GET,  "/cases/{no}",              h_case_get,     ROLE_STAFF, 0, 0 },
	{ M_POST, "/cases/{no}/actions",      h_cases_action_any,
	  ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER | ROLE_CITIZEN, 0, 0 },
	{ M_POST, "/cases/{no}/track-token",  h_case_track_token, ROLE_CLERK | ROLE_MANAGER, 0, 0 },
	{ M_GET,  "/track/{token}",           h_track,        ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices",            h_notice,       ROLE_ANY, 0, 0 },
	{ M_PUT,  "/staff/me/phone",          h_staff_phone,  ROLE_STAFF, 0, 0 },

	/* tracking: routes */
	{ M_GET,  "/track/{token}/qr.svg",    h_track_qr_svg,  ROLE_ANY, 0, 0 },
	{ M_GET,  "/track/{token}/qr.png",    h_track_qr_png,  ROLE_ANY, 0, 0 },
	{ M_GET,  "/tickets/{token}/qr.svg",  h_ticket_qr_svg, ROLE_ANY, 0, 0 },
	{ M_GET,  "/tickets/{token}/qr.png",  h_ticket_qr_png, ROLE_ANY, 0, 0 },
	{ M_GET,  "/appointments/{token}/qr.svg", h_appointment_qr_svg, ROLE_ANY, 0, 0 },
	{ M_GET,  "/appointments/{token}/qr.png", h_appointment_qr_png, ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices/qr.svg",     h_notice_qr_svg, ROLE_ANY, 0, 0 },
	{ M_GET,  "/case-notices/qr.png",     h_notice_qr_png, ROLE_ANY, 0, 0 },

	/* online: routes */
	{ M_POST, "/uploads",                 h_upload_create, ROLE_CITIZEN | ROLE_CLERK,
	  12 * 1024 * 1024, RF_RAW_BODY },
	{ M_GET,  "/uploads/{id}",            h_upload_get,    ROLE_CITIZEN | ROLE_STAFF, 0, 0 },
	{ M_GET,  "/bundles",                 h_bundles,       ROLE_ANY, 0, 0 },
	{ M_GET,  "/me/cases",                h_my_cases,      ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/me/reusable-materials",   h_my_reusable,   ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/me/cases/{no}",           h_my_case,       ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/cases/{no}/uploads",      h_case_uploads,  ROLE_STAFF, 0, 0 },

	/* results: routes (issue 23) */
	{ M_GET,  "/results/public-key",      h_result_public_key, ROLE_ANY, 0, 0 },
	{ M_GET,  "/verify/{vid}",            h_result_verify, ROLE_ANY, 0, 0 },
	{ M_GET,  "/cases/{no}/results",      h_case_results,  ROLE_STAFF, 0, 0 },
	{ M_GET,  "/results/{vid}/pdf",       h_result_pdf,    ROLE_STAFF, 0, 0 },
	{ M_POST, "/results/{vid}/revoke",    h_result_revoke, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST, "/results/{vid}/replace",   h_result_replace, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,  "/me/cases/{no}/results",   h_my_case_results, ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/me/cases/{no}/results/{vid}/pdf", h_my_result_pdf, ROLE_CITIZEN, 0, 0 },
	{ M_GET,  "/case-notices/pdf",        h_notice_pdf,    ROLE_ANY, 0, 0 },
	{ M_POST, "/case-notices/refusals",   h_notice_refuse, ROLE_CLERK, 0, 0 },

	/* reviews: routes */
	{ M_POST,  "/reviews",                          h_review_post,         ROLE_ANY, 0, 0 },
	{ M_GET,   "/reviews",                          h_review_get,          ROLE_ANY, 0, 0 },
	{ M_GET,   "/halls/{hall}/stats",               h_stats,               ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,   "/halls/{hall}/rectifications",      h_rectifications_list, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_PATCH, "/halls/{hall}/rectifications/{id}", h_rectification_update, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_POST,  "/halls/{hall}/rectifications/{id}/close", h_rectification_close, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
	{ M_GET,   "/halls/{hall}/rectifications/{id}/contact", h_rectification_contact, ROLE_MANAGER | ROLE_ADMIN, 0, 0 },
};

const size_t nroutes = NELEM(routes);
