/*
 * errors.c — the table of fcgi/errors.h, and the reply to a storage failure (db_fail,
 * db_fail_map: the DB_* codes of db.h as HTTP).  The reply layer knows the storage layer's
 * codes; the storage layer knows nothing of replies.
 */
#include "errors.h"
#include "db.h"
#include "log.h"
#include "yc.h"

#include <string.h>

static const struct err_kind kinds[E__MAX] = {
	[E_INVALID_INPUT] = { 400, "INVALID_INPUT", "输入有误，请检查标出的项目" },
	[E_UNAUTHENTICATED] = { 401, "UNAUTHENTICATED", "请先登录" },
	[E_LOGIN_CODE_INVALID] = { 401, "CODE_INVALID", "验证码不正确或已失效" },
	[E_FORBIDDEN] = { 403, "FORBIDDEN", "无权进行此操作" },
	[E_CSRF] = { 403, "CSRF", "页面已过期，请刷新后重试" },
	[E_NO_SHOW_BANNED] = { 403, "NO_SHOW_BANNED", "因多次预约未到，暂停预约资格" },
	[E_PASSWORD_CHANGE_REQUIRED] = { 403, "PASSWORD_CHANGE_REQUIRED", "请设置新密码后登录" },
	[E_WRONG_HALL] = { 403, "WRONG_HALL", "该办件的这一步不在本中心办理" },
	[E_NOT_FOUND] = { 404, "NOT_FOUND", "请求的资源不存在" },
	[E_METHOD_NOT_ALLOWED] = { 405, "METHOD_NOT_ALLOWED", "不支持该请求方法" },
	[E_CONFLICT] = { 409, "CONFLICT", "记录已存在" },
	[E_INVALID_STATE] = { 409, "INVALID_STATE", "当前状态不能进行此操作" },
	[E_INVALID_TRANSITION] = { 409, "INVALID_TRANSITION", "当前状态不能进行此操作" },
	[E_ALREADY_BOOKED] = { 409, "ALREADY_BOOKED", "您当天在本中心已有预约，每人每天限约一次" },
	[E_ALREADY_QUEUED] = { 409, "ALREADY_QUEUED", "您在本中心已有排队中的号码" },
	[E_ALREADY_REVIEWED] = { 409, "ALREADY_REVIEWED", "已经评价过了" },
	[E_CAPACITY_BELOW_BOOKED] = { 409, "CAPACITY_BELOW_BOOKED", "已预约的人数超过新的名额，不能调低" },
	[E_BOOKINGS_AFFECTED] = { 409, "BOOKINGS_AFFECTED", "有预约不在新的开放时间内：确认通知并取消这些预约后才能保存" },
	[E_IDEMPOTENCY_IN_PROGRESS] = { 409, "IDEMPOTENCY_IN_PROGRESS", "相同的请求正在处理中，请稍候" },
	[E_IDEMPOTENCY_MISMATCH] = { 409, "IDEMPOTENCY_MISMATCH", "同一请求标识已用于不同的内容" },
	[E_ID_BOUND_ELSEWHERE] = { 409, "ID_BOUND_ELSEWHERE", "该证件已绑定其他账号" },
	[E_HANDOVER_OPEN] = { 409, "HANDOVER_OPEN", "该办件已在一张未签收的交接单上" },
	[E_NOT_IN_CUSTODY] = { 409, "NOT_IN_CUSTODY", "该办件的材料不在您这里，不能移交" },
	[E_NOTICE_PENDING] = { 409, "NOTICE_PENDING", "已重发，正在发送中" },
	[E_NOT_WECHAT_SESSION] = { 409, "NOT_WECHAT_SESSION", "请先在微信小程序中登录，再授权手机号" },
	[E_NO_CURRENT_TICKET] = { 409, "NO_CURRENT_TICKET", "本窗口当前没有叫号" },
	[E_PRINCIPAL_NOT_REGISTERED] = { 409, "PRINCIPAL_NOT_REGISTERED", "该证件持有人尚未实名登记" },
	[E_PROXY_EXISTS] = { 409, "PROXY_EXISTS", "您已是该证件持有人的代办人" },
	[E_PROXY_IS_PRINCIPAL] = { 409, "PROXY_IS_PRINCIPAL", "这是您本人的证件，无需登记代办" },
	[E_PROXY_LIMIT] = { 409, "PROXY_LIMIT", "代办人数已达上限" },
	[E_PROXY_REQUIRED] = { 409, "PROXY_REQUIRED", "请先登记为代办人" },
	[E_REJOIN_USED] = { 409, "REJOIN_USED", "过号后只能重新排队一次，请重新取号" },
	[E_RESULT_NOT_VALID] = { 409, "RESULT_NOT_VALID", "该结果已失效" },
	[E_SLOT_FULL] = { 409, "SLOT_FULL", "该时段已约满，请选择其他时段" },
	[E_WINDOW_BUSY] = { 409, "WINDOW_BUSY", "本窗口已有叫号，请刷新" },
	[E_TOO_LARGE] = { 413, "TOO_LARGE", "请求内容过大" },
	[E_URI_TOO_LONG] = { 414, "TOO_LARGE", "请求地址过长" },
	[E_UNSUPPORTED_TYPE] = { 415, "UNSUPPORTED_TYPE", "请求内容类型不受支持" },
	[E_ALERT_NOT_DISMISSABLE] = { 422, "ALERT_NOT_DISMISSABLE", "该提醒不能关闭" },
	[E_APPOINTMENT_STARTED] = { 422, "APPOINTMENT_STARTED", "预约时段已开始，不能取消" },
	[E_CALENDAR_MISSING] = { 422, "CALENDAR_MISSING", "节假日安排尚未导入，暂无法计算办理时限" },
	[E_CHECK_IN_REQUIRED] = { 422, "CHECK_IN_REQUIRED", "预约取号请使用预约签到" },
	[E_CODE_INVALID] = { 422, "CODE_INVALID", "验证码不正确或已失效" },
	[E_HALL_CLOSED] = { 422, "HALL_CLOSED", "大厅不在办公时间" },
	[E_MATERIALS_INCOMPLETE] = { 422, "MATERIALS_INCOMPLETE", "材料不齐全" },
	[E_MATERIALS_OUTSTANDING] = { 422, "MATERIALS_OUTSTANDING", "还有容缺或补正材料未补交" },
	[E_NOT_RESENDABLE] = { 422, "NOT_RESENDABLE", "这条通知不能重发" },
	[E_NOT_REVIEWABLE] = { 422, "NOT_REVIEWABLE", "业务办理完成后才能评价" },
	[E_NO_PICKUP_WINDOW] = { 422, "NO_PICKUP_WINDOW", "本中心未设置出件窗口" },
	[E_OUTSIDE_CHECKIN_WINDOW] = { 422, "OUTSIDE_CHECKIN_WINDOW", "不在签到时间内" },
	[E_PERIOD_TOO_LARGE] = { 422, "PERIOD_TOO_LARGE", "统计区间过长，请缩短统计区间" },
	[E_MUST_ATTEND] = { 422, "MUST_ATTEND", "该事项须本人到政务服务中心现场办理，请预约后到场" },
	[E_PHONE_UNSUPPORTED] = { 422, "PHONE_UNSUPPORTED", "目前仅支持中国大陆手机号" },
	[E_PICKUP_CODE_WRONG] = { 422, "PICKUP_CODE_WRONG", "取件码不正确" },
	[E_PRIORITY_AT_HALL] = { 422, "PRIORITY_AT_HALL", "绿色通道请到大厅取号机或窗口取号" },
	[E_QUEUE_FULL] = { 422, "QUEUE_FULL", "今日该类别号码已取完，请明日再来或选择其他类别" },
	[E_RECTIFICATION_INCOMPLETE] = { 422, "RECTIFICATION_INCOMPLETE", "整改记录不完整，不能关闭" },
	[E_RESULT_NOT_ELECTRONIC] = { 422, "RESULT_NOT_ELECTRONIC", "该结果没有电子版" },
	[E_RESULT_NOT_REPLACEABLE] = { 422, "RESULT_NOT_REPLACEABLE", "该结果不能换发" },
	[E_SAME_SLOT] = { 422, "SAME_SLOT", "您已预约该时段" },
	[E_SLOT_PAST] = { 422, "SLOT_PAST", "该时段已结束" },
	[E_SLOT_UNAVAILABLE] = { 422, "SLOT_UNAVAILABLE", "该时段不在可预约的时间范围内" },
	[E_RATE_LIMITED] = { 429, "RATE_LIMITED", "操作过于频繁，请稍后再试" },
	[E_BOOKING_LIMIT] = { 429, "BOOKING_LIMIT", "预约次数过多，请稍后再试" },
	[E_INTERNAL] = { 500, "INTERNAL", "系统内部错误，请稍后再试" },
	[E_UNAVAILABLE] = { 503, "UNAVAILABLE", "服务暂时不可用，请稍后再试" },
};

const struct err_kind *
err_kind(int kind)
{
	if (kind <= E_OK || kind >= E__MAX || kinds[kind].code == NULL)
		return &kinds[E_INTERNAL];
	return &kinds[kind];
}

int
req_err_msg(struct req *r, int kind, const char *msg)
{
	const struct err_kind *k = err_kind(kind);

	return req_fail(r, k->status, k->code, msg ? msg : k->message);
}

int
req_err(struct req *r, int kind)
{
	return req_err_msg(r, kind, NULL);
}

static const char *const refusal_msgs[DBR__MAX] = {
	"输入有误", "记录已存在", "不符合填写要求", "内容过长", "含有无法保存的内容",
	"引用的记录不存在", "必填"
};

int
db_fail_map(struct req *r, int rc, const struct db_field *map, size_t n)
{
	const char *name = "";
	enum db_refusal k;
	size_t i;

	switch (rc) {
	case DB_DOWN:
		return req_unavailable(r);
	case DB_RETRY:
		req_header(r, "Retry-After", "1");
		return req_fail(r, 503, "UNAVAILABLE", "系统繁忙，请稍后重试");
	case DB_DUP:
	case DB_REFUSED:
		break;
	default:
		return req_bug(r, "database error");
	}
	k = r->ctx ? db_refusal(r->ctx, &name) : DBR_NONE;
	if (k <= DBR_NONE || k >= DBR__MAX)
		k = rc == DB_DUP ? DBR_DUP : DBR_CHECK;
	for (i = 0; map && i < n; i++)
		if (map[i].kind == k && (map[i].name == NULL || strcmp(map[i].name, name) == 0)) {
			req_fail_field(r, map[i].field, map[i].msg ? map[i].msg : refusal_msgs[k]);
			if (k == DBR_DUP)
				return req_fail(r, 409, "CONFLICT", "记录已存在");
			return req_invalid(r);
		}
	if (k == DBR_DUP)
		return req_fail(r, 409, "CONFLICT", "记录已存在");
	/* Input the handler should have refused itself: still the client's, never a 500. */
	log_warn("%s %s: the database refused %s (kind %d) and no rule names the field",
	    r->method_str, r->route ? r->route->pattern : r->path, name[0] ? name : "a value",
	    (int)k);
	req_fail_field(r, name[0] ? name : "input", refusal_msgs[k]);
	return req_invalid(r);
}

int
db_fail(struct req *r, int rc)
{
	return db_fail_map(r, rc, NULL, 0);
}

int
db_found(struct req *r, int rc, const char *msg)
{
	if (rc < 0)
		return db_fail(r, rc);
	return rc == 0 ? req_err_msg(r, E_NOT_FOUND, msg) : 0;
}
