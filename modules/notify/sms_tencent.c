/*
 * sms_tencent.c — Tencent Cloud (腾讯云短信) SendSms, API version 2021-01-11, signed with
 * TC3-HMAC-SHA256.
 *
 * POST sms_base_url (default https://sms.tencentcloudapi.com/) with a JSON body; the
 * outbox row id travels as SessionContext (echoed in replies and receipts).  Config:
 * tencent_secret_id, tencent_secret_key, tencent_sdk_app_id, tencent_region (ap-guangzhou),
 * sms_sign_name.
 *
 * Tencent answers 200 for almost everything: a request-level failure is
 * Response.Error.Code, and a per-number failure is SendStatusSet[i].Code other than "Ok"
 * inside an otherwise successful reply — that is a failure of this message too.
 */
#include "notify_sms.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Codes worth another try later: rate limits, the service's own trouble, and account
 * problems an operator fixes (balance, keys). */
static int
is_transient(const char *code)
{
	static const char *const prefixes[] = {
		"RequestLimitExceeded", "InternalError", "LimitExceeded.PhoneNumberThirtySecondLimit",
		"LimitExceeded.PhoneNumberOneHourLimit", "LimitExceeded.PhoneNumberDailyLimit",
		"LimitExceeded.PhoneNumberSameContentDailyLimit", "LimitExceeded.DeliveryFrequencyLimit",
		"LimitExceeded.AppDailyLimit", "LimitExceeded.AppGlobalDailyLimit",
		"LimitExceeded.AppMainlandChinaDailyLimit",
		"FailedOperation.InsufficientBalanceInSmsPackage", "AuthFailure",
		"ResourceUnavailable", "ServiceUnavailable",
	};
	size_t i;

	for (i = 0; i < NELEM(prefixes); i++)
		if (strncmp(code, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

void
sms_tencent_send(const struct sms_out *m, struct send_result *res)
{
	const char *base = config_get("sms_base_url", "");
	const char *ct = "application/json; charset=utf-8";
	char host[256], auth[512], h_auth[560], h_host[280], h_ts[64], h_region[80], phone[24];
	char sessionctx[24];
	int64_t now = (int64_t)time(NULL);	/* the provider checks it against the real clock */
	struct http_reply rep;
	json_t *req, *params, *j, *err, *st;
	char *payload;
	const char *code;
	int i;

	memset(res, 0, sizeof *res);
	if (*base == '\0')
		base = "https://sms.tencentcloudapi.com/";
	if (http_url_host(base, host, sizeof host) != 0) {
		res->outcome = SEND_RETRY;
		str_copy(res->code, sizeof res->code, "CONFIG_BASE_URL");
		return;
	}
	params = json_array();
	for (i = 0; i < m->t->ntencent; i++)
		json_array_append(params, json_object_get(m->r->values,
		    m->t->vars[m->t->tencent_order[i]].name));
	fmt(phone, sizeof phone, "+86%s", m->to);
	fmt(sessionctx, sizeof sessionctx, "%llu", (unsigned long long)m->id);
	req = json_pack("{s:[s],s:s,s:s,s:s,s:o,s:s}",
	    "PhoneNumberSet", phone,
	    "SmsSdkAppId", config_get("tencent_sdk_app_id", ""),
	    "SignName", config_get("sms_sign_name", "一窗政务"),
	    "TemplateId", m->t->tencent_id,
	    "TemplateParamSet", params,
	    "SessionContext", sessionctx);
	payload = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (payload == NULL || tc3_authorization(config_get("tencent_secret_id", ""),
	    config_get("tencent_secret_key", ""), "sms", host, ct, payload, strlen(payload), now,
	    auth, sizeof auth) != 0) {
		free(payload);
		res->outcome = SEND_FAIL;
		str_copy(res->code, sizeof res->code, "SIGN");
		return;
	}
	fmt(h_auth, sizeof h_auth, "Authorization: %s", auth);
	fmt(h_host, sizeof h_host, "Host: %s", host);
	fmt(h_ts, sizeof h_ts, "X-TC-Timestamp: %lld", (long long)now);
	fmt(h_region, sizeof h_region, "X-TC-Region: %s", config_get("tencent_region", "ap-guangzhou"));
	{
		const char *h[] = { h_auth, "Content-Type: application/json; charset=utf-8", h_host,
		    "X-TC-Action: SendSms", h_ts, "X-TC-Version: 2021-01-11", h_region, NULL };

		if (sms_http_post(base, h, payload, strlen(payload), &rep) != 0) {
			free(payload);
			buf_free(&rep.body);
			sms_no_reply("tencent", &rep, res);
			return;
		}
	}
	free(payload);
	j = rep.body.data ? json_loadb(rep.body.data, rep.body.len, 0, NULL) : NULL;
	err = json_object_get(json_object_get(j, "Response"), "Error");
	st = json_array_get(json_object_get(json_object_get(j, "Response"), "SendStatusSet"), 0);
	if (rep.status >= 500) {
		sms_busy(rep.status, res);
	} else if (err && (code = json_string_value(json_object_get(err, "Code"))) != NULL) {
		sms_refused(code, is_transient(code), res);
		if (strncmp(code, "AuthFailure", 11) == 0)
			log_err("tencent refuses our credentials (%s): check tencent_secret_*", code);
	} else if (st && (code = json_string_value(json_object_get(st, "Code"))) != NULL) {
		if (strcmp(code, "Ok") == 0)
			sms_sent(json_string_value(json_object_get(st, "SerialNo")), res);
		else
			sms_refused(code, is_transient(code), res);
	} else {
		sms_unreadable(rep.status, res);	/* a duplicate has the same SessionContext */
	}
	json_decref(j);
	buf_free(&rep.body);
}
