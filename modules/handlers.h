/*
 * handlers.h — every route handler, by module.  The route table (fcgi/routes.c) is the one
 * place that says which path, method and role reach each of them.
 */
#ifndef YC_HANDLERS_H
#define YC_HANDLERS_H

#include "../fcgi/yc.h"

/* health.c */
int	h_health(struct req *);

/* catalog.c */
int	h_halls(struct req *);
int	h_categories(struct req *);
int	h_items(struct req *);
int	h_item(struct req *);

/* auth.c */
int	h_staff_login(struct req *);
int	h_logout(struct req *);
int	h_me(struct req *);

/* staff_api.c */
int	h_staff_list(struct req *);
int	h_staff_unlock(struct req *);

/* calendar_api.c */
int	h_deadline(struct req *);

/* identity: handlers */
/* identity_sms.c, identity_wx.c */
int	h_sms_code(struct req *);
int	h_sms_login(struct req *);
int	h_wx_login(struct req *);
int	h_wx_phone(struct req *);

/* realname.c (实名，一证一号; 亲友代办) */
int	h_me_identity(struct req *);
int	h_principal_code(struct req *);
int	h_principal_add(struct req *);
int	h_principal_drop(struct req *);
int	h_proxy_drop(struct req *);
int	h_identity_rebind(struct req *);
int	h_identity_proxy_register(struct req *);

/* notify: handlers */
int	h_notices(struct req *);
int	h_notice_resend(struct req *);
int	h_sms_receipt_aliyun(struct req *);
int	h_sms_receipt_tencent(struct req *);
int	h_sms_receipt_nosecret(struct req *);
int	h_alert_dismiss(struct req *);

/* queue: handlers */
int	h_ticket_take(struct req *);
int	h_board(struct req *);
int	h_ticket_get(struct req *);
int	h_ticket_cancel(struct req *);
int	h_ticket_rejoin(struct req *);
int	h_my_tickets(struct req *);
int	h_window_get(struct req *);
int	h_window_call_next(struct req *);
int	h_window_recall(struct req *);
int	h_window_skip(struct req *);
int	h_window_start(struct req *);
int	h_window_transfer(struct req *);
int	h_window_finish(struct req *);

/* appointments: handlers */
/* appointments.c, appointments_slots.c */
int	h_slots(struct req *);
int	h_slot_capacity(struct req *);
int	h_appointment_book(struct req *);
int	h_my_appointments(struct req *);
int	h_appointment_get(struct req *);
int	h_appointment_cancel(struct req *);
int	h_appointment_reschedule(struct req *);
int	h_appointment_checkin(struct req *);
int	h_appointment_checkin_code(struct req *);

/* cases: handlers */
/* cases_accept.c, cases_actions.c, cases_view.c */
int	h_case_create(struct req *);
int	h_cases_list(struct req *);
int	h_case_get(struct req *);
int	h_case_action(struct req *);
int	h_case_track_token(struct req *);
int	h_track(struct req *);
int	h_notice(struct req *);
int	h_staff_phone(struct req *);

/* tracking: handlers */
int	h_track_qr_svg(struct req *);
int	h_track_qr_png(struct req *);
int	h_ticket_qr_svg(struct req *);
int	h_ticket_qr_png(struct req *);
int	h_appointment_qr_svg(struct req *);
int	h_appointment_qr_png(struct req *);
int	h_notice_qr_svg(struct req *);
int	h_notice_qr_png(struct req *);

/* online: handlers */
/* online.c, uploads.c, bundles.c; POST /cases and /cases/{no}/actions come here first */
int	h_cases_post(struct req *);
int	h_cases_action_any(struct req *);
int	h_upload_create(struct req *);
int	h_upload_get(struct req *);
int	h_bundles(struct req *);
int	h_my_cases(struct req *);
int	h_my_reusable(struct req *);
int	h_my_case(struct req *);
int	h_case_uploads(struct req *);

/* results: handlers */
/* results.c (issue 23: results you can trust) */
int	h_result_public_key(struct req *);
int	h_result_verify(struct req *);
int	h_case_results(struct req *);
int	h_result_pdf(struct req *);
int	h_result_revoke(struct req *);
int	h_result_replace(struct req *);
int	h_my_case_results(struct req *);
int	h_my_result_pdf(struct req *);
int	h_notice_pdf(struct req *);
int	h_notice_refuse(struct req *);

/* reviews: handlers */
/* reviews.c, stats.c */
int	h_review_post(struct req *);
int	h_review_get(struct req *);
int	h_rectifications_list(struct req *);
int	h_rectification_contact(struct req *);
int	h_rectification_update(struct req *);
int	h_rectification_close(struct req *);
int	h_stats(struct req *);

#endif
