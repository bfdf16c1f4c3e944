/*
 * sms_aliyun.c — Aliyun (阿里云短信) SendSms, API version 2017-05-25, RPC style.
 *
 * POST sms_base_url (default https://dysmsapi.aliyuncs.com/) with the form-encoded,
 * HMAC-SHA1-signed parameters; OutId carries the outbox row id so a message sent twice
 * (the worker died between the reply and recording it) is recognisably the same message.
 * Config: sms_access_key_id, sms_access_key_secret, sms_sign_name, sms_aliyun_region
 * (cn-hangzhou).
 *
 * Reply: {"Code":"OK","BizId":…} is success.  Throttling (isv.BUSINESS_LIMIT_CONTROL, the
 * per-number minute/hour/day limits), system errors, and account problems an operator can
 * fix (balance, keys, signature) are retried; anything else (a bad number, a template
 * mismatch) is permanent for that message.
 */
#include "notify_sms.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const transient[] = {
	"isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL", "isv.OUT_OF_SERVICE",
	"isv.AMOUNT_NOT_ENOUGH", "isp.SYSTEM_ERROR", "isp.RAM_PERMISSION_DENY",
	"isv.ACCOUNT_ABNORMAL", "InvalidAccessKeyId.NotFound", "SignatureDoesNotMatch",
	"InvalidTimeStamp.Expired", "SignatureNonceUsed", "ServiceUnavailable", "InternalError",
	"Throttling", "Throttling.User", "Throttling.Api", "Throttling.Tenant",
};

static int
is_transient(const char *code)
{
	size_t i;

	for (i = 0; i < NELEM(transient); i++)
		if (strcmp(code, transient[i]) == 0)
			return 1;
	return 0;
}

void
sms_aliyun_send(const struct sms_out *m, struct send_result *res)
{
	const char *base = config_get("sms_base_url", "");
	char outid[24], nonce[40], ts[32], sig[64];
	char *tparam;
	struct buf body;
	struct http_reply rep;
	const char *keys[15], *vals[15];
	size_t n = 0;
	json_t *j;
	const char *code;

	memset(res, 0, sizeof *res);
	if (*base == '\0')
		base = "https://dysmsapi.aliyuncs.com/";
	fmt(outid, sizeof outid, "%llu", (unsigned long long)m->id);
	token_new(nonce, sizeof nonce, 16);
	utc_iso8601((int64_t)time(NULL), ts, sizeof ts);
	if ((tparam = json_dumps(m->r->values, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		res->outcome = SEND_FAIL;
		str_copy(res->code, sizeof res->code, "PARAMS_ENCODE");
		return;
	}
#define P(k, v) do { keys[n] = (k); vals[n] = (v); n++; } while (0)
	P("AccessKeyId", config_get("sms_access_key_id", ""));
	P("Action", "SendSms");
	P("Format", "JSON");
	P("OutId", outid);
	P("PhoneNumbers", m->to);
	P("RegionId", config_get("sms_aliyun_region", "cn-hangzhou"));
	P("SignName", config_get("sms_sign_name", "一窗政务"));
	P("SignatureMethod", "HMAC-SHA1");
	P("SignatureNonce", nonce);
	P("SignatureVersion", "1.0");
	P("TemplateCode", m->t->aliyun);
	P("TemplateParam", tparam);
	P("Timestamp", ts);
	P("Version", "2017-05-25");
#undef P
	buf_init(&body, 64 * 1024);
	if (aliyun_sign("POST", keys, vals, n, config_get("sms_access_key_secret", ""), sig,
	    sizeof sig, &body) != 0) {
		free(tparam);
		buf_free(&body);
		res->outcome = SEND_FAIL;
		str_copy(res->code, sizeof res->code, "SIGN");
		return;
	}
	free(tparam);
	{
		const char *h[] = { "Content-Type: application/x-www-form-urlencoded",
		    "Accept: application/json", NULL };

		if (sms_http_post(base, h, body.data, body.len, &rep) != 0) {
			buf_free(&body);
			buf_free(&rep.body);
			sms_no_reply("aliyun", &rep, res);
			return;
		}
	}
	buf_free(&body);
	j = rep.body.data ? json_loadb(rep.body.data, rep.body.len, 0, NULL) : NULL;
	code = json_string_value(json_object_get(j, "Code"));
	if (rep.status >= 500 || (code == NULL && rep.status == 429)) {
		sms_busy(rep.status, res);
	} else if (code == NULL) {
		sms_unreadable(rep.status, res);	/* a duplicate has the same OutId */
	} else if (strcmp(code, "OK") == 0) {
		sms_sent(json_string_value(json_object_get(j, "BizId")), res);
	} else {
		sms_refused(code, is_transient(code), res);
		if (strncmp(code, "Signature", 9) == 0 || strncmp(code, "InvalidAccessKey", 16) == 0)
			log_err("aliyun refuses our credentials (%s): check sms_access_key_*", code);
	}
	json_decref(j);
	buf_free(&rep.body);
}
