/*
 * case_reply.c — the replies the case handlers share (case_reply.h).
 *
 * Tables: none (the map below names the columns and constraints of 050_cases.sql and
 *         080_online.sql).  Redis: none.
 */
#include "case_reply.h"
#include "cases.h"
#include "case_json.h"
#include "case_route.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdio.h>

/*
 * What the cases tables (050_cases.sql, 080_online.sql) can refuse of a client's input, by
 * the field the client sent.  The handlers check all of it first; this is the net under them.
 */
static const struct db_field case_fields[] = {
	{ DBR_CHECK, "chk_cases_mail", "address", "邮寄送达须填写收件地址" },
	{ DBR_CHECK, "chk_cases_what", "item", "须选择一个事项或一件事" },
	{ DBR_NO_PARENT, "fk_cases_item", "item", "本中心没有这个事项" },
	{ DBR_NO_PARENT, "fk_case_parts_item", "item", "本中心没有这个事项" },
	{ DBR_TOO_LONG, "address_enc", "address", "地址过长" },
	{ DBR_TOO_LONG, "address_mask", "address", "地址过长" },
	{ DBR_BAD_VALUE, "address_mask", "address", "地址含有无法保存的字符" },
	{ DBR_TOO_LONG, "applicant_name_enc", "applicant.name", "姓名过长" },
	{ DBR_TOO_LONG, "applicant_name_mask", "applicant.name", "姓名过长" },
	{ DBR_BAD_VALUE, "applicant_name_mask", "applicant.name", "姓名含有无法保存的字符" },
	{ DBR_TOO_LONG, "applicant_mask", "applicant.name", "姓名过长" },
	{ DBR_BAD_VALUE, "applicant_mask", "applicant.name", "姓名含有无法保存的字符" },
	{ DBR_TOO_LONG, "agent_name_enc", "agent.name", "姓名过长" },
	{ DBR_TOO_LONG, "agent_name_mask", "agent.name", "姓名过长" },
	{ DBR_BAD_VALUE, "agent_name_mask", "agent.name", "姓名含有无法保存的字符" },
	{ DBR_TOO_LONG, "processing_office", "processing_office", "办理地过长" },
	{ DBR_BAD_VALUE, "processing_office", "processing_office", "办理地含有无法保存的字符" },
	{ DBR_TOO_LONG, "ticket", "ticket", "排队号凭证过长" },
	{ DBR_TOO_LONG, "decision_note", "reason", "理由过长" },
	{ DBR_BAD_VALUE, "decision_note", "reason", "理由含有无法保存的字符" },
	{ DBR_TOO_LONG, "mail_carrier", "carrier", "寄递企业名称过长" },
	{ DBR_BAD_VALUE, "mail_carrier", "carrier", "寄递企业名称含有无法保存的字符" },
	{ DBR_TOO_LONG, "mail_tracking_no", "tracking_no", "运单号过长" },
	{ DBR_TOO_LONG, "reason", "problems", "原因过长" },
	{ DBR_BAD_VALUE, "reason", "problems", "原因含有无法保存的字符" },
	{ DBR_TOO_LONG, "note", "note", "备注过长" },
	{ DBR_BAD_VALUE, "note", "note", "备注含有无法保存的字符" },
	{ DBR_TOO_LONG, "public_note", "note", "备注过长" },
	{ DBR_BAD_VALUE, "public_note", "note", "备注含有无法保存的字符" },
};

int
case_db_fail(struct req *r, int rc)
{
	return db_fail_map(r, rc, DB_FIELDS(case_fields));
}

int
case_reply_calendar(struct req *r, int year)
{
	char msg[200];

	fmt(msg, sizeof msg, "%d 年节假日安排尚未导入，暂无法计算办结期限，已通知中心管理人员",
	    year);
	req_err_msg(r, E_CALENDAR_MISSING, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:i}", "year", year);
	return r->status;
}

int
case_reply_transition(struct req *r, const char *status, const char *action)
{
	char msg[200];

	fmt(msg, sizeof msg, "办件当前状态为“%s”，不能进行该操作", case_status_label(status));
	req_err_msg(r, E_INVALID_TRANSITION, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:s,s:s}", "status", status, "action", action);
	return r->status;
}

int
case_reply_missing(struct req *r, int kind, const char *msg, json_t *list)
{
	req_err_msg(r, kind, msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:o}", "missing", list);
	return r->status;
}

int
case_reply_missing_n(struct req *r, int kind, const char *msg_fmt, json_t *list)
{
	char msg[200];

	if (json_array_size(list) == 0) {
		json_decref(list);
		return 0;
	}
	fmt(msg, sizeof msg, msg_fmt, json_array_size(list));
	return case_reply_missing(r, kind, msg, list);
}

int
case_reply_case(struct req *r, const char *no)
{
	struct case_row cr;
	json_t *o;
	int rc;

	rc = case_load(r->ctx, r->sess.hall, no, &cr);
	if (rc > 0)
		rc = case_json(r->ctx, &r->sess, &cr, 0, &o);
	sodium_memzero(&cr, sizeof cr);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_bug(r, "case vanished");
	return req_ok(r, 200, json_pack("{s:o}", "case", o));
}

int
case_reply_conflict(struct req *r, const struct case_row *cr, const char *action)
{
	struct case_row now;
	int rc;

	if (case_load(r->ctx, cr->hall, cr->no, &now) > 0)
		rc = case_reply_transition(r, now.status, action);
	else
		rc = case_reply_transition(r, cr->status, action);
	sodium_memzero(&now, sizeof now);
	return rc;
}

int
case_reply_wrong_hall(struct req *r, const struct case_row *cr, int act)
{
	const char *hall = case_act_hall((enum case_act)act, cr);
	char name[404] = "", msg[512];

	if (db_scalar(r->ctx, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(hall)), name,
	    sizeof name) < 0 || name[0] == '\0')
		str_copy(name, sizeof name, hall);
	fmt(msg, sizeof msg, "该办件的这一步由%s办理，不在本中心", name);
	return req_err_msg(r, E_WRONG_HALL, msg);
}

int
case_reply_pickup(struct req *r)
{
	req_fail_field(r, "pickup_hall", "不是本市可以领取办理结果的服务大厅");
	return req_invalid(r);
}

int
case_pickup_check(struct req *r, const char *hall, const char *pickup)
{
	int rc;

	if (pickup == NULL)
		return 0;
	if ((rc = case_pickup_ok(r->ctx, hall, pickup)) < 0)
		return db_fail(r, rc);
	return rc == 0 ? case_reply_pickup(r) : 0;
}
