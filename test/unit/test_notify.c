/*
 * test_notify.c — notifications without a server: the providers' signatures against their
 * published examples, the shipped templates (every one other modules queue, with exactly
 * the variables they pass), rendering refusals, segment counting, quiet hours, backoff.
 * Run from the repository root (it reads sms-templates/).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/util.h"
#include "../../modules/notify/notify.h"
#include "../../modules/notify/notify_sms.h"

/* Aliyun's example in "签名机制" for SendSms (RPC, HMAC-SHA1, AccessKeySecret testSecret). */
TEST(aliyun_signature_example)
{
	const char *k[] = { "AccessKeyId", "Action", "Format", "OutId", "PhoneNumbers", "RegionId",
	    "SignName", "SignatureMethod", "SignatureNonce", "SignatureVersion", "TemplateCode",
	    "TemplateParam", "Timestamp", "Version" };
	const char *v[] = { "testId", "SendSms", "XML", "123", "15300000001", "cn-hangzhou",
	    "阿里云短信测试专用", "HMAC-SHA1", "45e25e9b-0a6f-4070-8c85-2956eda1b466", "1.0",
	    "SMS_71390007", "{\"customer\":\"test\"}", "2017-07-12T02:42:19Z", "2017-05-25" };
	char sig[64];
	struct buf q;

	buf_init(&q, 8192);
	assert_int_equal(aliyun_sign("GET", k, v, NELEM(k), "testSecret", sig, sizeof sig, &q), 0);
	assert_string_equal(sig, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
	/* The query is sorted, RFC 3986-encoded, and ends with the encoded signature. */
	assert_non_null(strstr(q.data, "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&"));
	assert_non_null(strstr(q.data, "SignName=%E9%98%BF%E9%87%8C%E4%BA%91"));
	assert_non_null(strstr(q.data, "TemplateParam=%7B%22customer%22%3A%22test%22%7D"));
	assert_non_null(strstr(q.data, "Timestamp=2017-07-12T02%3A42%3A19Z"));
	assert_string_equal(q.data + q.len - strlen("&Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"),
	    "&Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D");
	buf_free(&q);

	/* The order the parameters come in does not matter; the method does. */
	{
		const char *k2[] = { "Version", "Timestamp", "TemplateParam", "TemplateCode",
		    "SignatureVersion", "SignatureNonce", "SignatureMethod", "SignName", "RegionId",
		    "PhoneNumbers", "OutId", "Format", "Action", "AccessKeyId" };
		const char *v2[NELEM(k2)];
		char sig2[64];
		size_t i, j;

		for (i = 0; i < NELEM(k2); i++)
			for (j = 0; j < NELEM(k); j++)
				if (strcmp(k2[i], k[j]) == 0)
					v2[i] = v[j];
		assert_int_equal(aliyun_sign("GET", k2, v2, NELEM(k2), "testSecret", sig2,
		    sizeof sig2, NULL), 0);
		assert_string_equal(sig2, sig);
		assert_int_equal(aliyun_sign("POST", k2, v2, NELEM(k2), "testSecret", sig2,
		    sizeof sig2, NULL), 0);
		assert_string_not_equal(sig2, sig);
	}
}

/* Tencent Cloud's example in "签名方法 v3" (CVM DescribeInstances, 2019-02-25). */
TEST(tencent_signature_example)
{
	const char *payload = "{\"Limit\": 1, \"Filters\": [{\"Values\": "
	    "[\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}";
	char auth[512];

	assert_int_equal(tc3_authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
	    "Gu5t9xGARNpq86cd98joQYCN3*******", "cvm", "cvm.tencentcloudapi.com",
	    "application/json; charset=utf-8", payload, strlen(payload), 1551113065, auth,
	    sizeof auth), 0);
	assert_string_equal(auth, "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******"
	    "/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
	    "Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c");
}

TEST(encoding_helpers)
{
	struct buf b;
	char host[64], t[32];

	buf_init(&b, 256);
	http_escape(&b, "a b*~-_.+/=中");
	assert_string_equal(b.data, "a%20b%2A~-_.%2B%2F%3D%E4%B8%AD");
	buf_free(&b);
	assert_int_equal(http_url_host("http://127.0.0.1:18111/x?y", host, sizeof host), 0);
	assert_string_equal(host, "127.0.0.1:18111");
	assert_int_equal(http_url_host("https://sms.tencentcloudapi.com", host, sizeof host), 0);
	assert_string_equal(host, "sms.tencentcloudapi.com");
	assert_int_equal(http_url_host("nourl", host, sizeof host), -1);
	utc_iso8601(1499827339, t, sizeof t);
	assert_string_equal(t, "2017-07-12T02:42:19Z");
	utc_date(1551113065, t, sizeof t);
	assert_string_equal(t, "2019-02-25");
}

/* What other modules queue today: template name and the variables they pass. */
static const struct {
	const char *name;
	const char *vars[6];
} promised[] = {
	{ "login_code", { "code" } },
	{ "appointment_booked", { "hall_name", "date", "time", "category", "code" } },
	{ "appointment_reminder", { "hall_name", "date", "time", "code" } },
	{ "turn_near", { "number", "ahead", "hall_name" } },
	{ "case_accepted", { "case_no", "item", "deadline", "url" } },
	{ "materials_incomplete", { "item", "count", "list" } },
	{ "supplement_requested", { "case_no", "list" } },
	{ "result_ready", { "case_no", "hall", "window", "hours", "pickup_code" } },
	{ "result_mailed", { "case_no", "carrier", "tracking_no" } },
	{ "case_rejected", { "case_no", "reason" } },
	{ "case_overdue_staff", { "case_no", "item", "deadline" } },
	{ "waiver_due_reminder", { "case_no", "list", "due" } },
	{ "waiver_overdue_staff", { "case_no", "list", "due" } },
	{ "promise_check_overdue_staff", { "case_no", "material", "deadline" } },
	{ "xprov_dispatched", { "case_no", "via" } },
	{ "xprov_received", { "case_no", "date" } },
	{ "xprov_decided", { "case_no", "decision", "doc_no" } },
	{ "xprov_returned", { "case_no" } },
};

static const char *
sample(const char *var)
{
	static const struct { const char *v, *s; } s[] = {
		{ "code", "483920" }, { "hall_name", "示范区政务服务中心" }, { "date", "2026-11-24" },
		{ "time", "09:00-09:30" }, { "category", "无差别受理" }, { "number", "A005" },
		{ "ahead", "3" }, { "case_no", "YC2026112300012" }, { "item", "个体工商户设立登记" },
		{ "deadline", "2026-12-01" }, { "url", "http://127.0.0.1:18080/t/AbCdEfGhIjKlMnOpQrStUv" },
		{ "count", "2" }, { "list", "营业执照、身份证复印件" }, { "window", "8" },
		{ "hours", "工作日9:00-17:00" }, { "pickup_code", "7731" }, { "carrier", "中国邮政EMS" },
		{ "tracking_no", "1100234567890" }, { "reason", "申请人不符合申请条件" },
		{ "due", "2026-11-27" },
		{ "material", "经营场所使用证明" }, { "via", "邮寄" }, { "decision", "准予" },
		{ "doc_no", "粤医保转〔2026〕118号" },
	};
	size_t i;

	for (i = 0; i < NELEM(s); i++)
		if (strcmp(s[i].v, var) == 0)
			return s[i].s;
	return "x";
}

static json_t *
params_for(const char *name)
{
	json_t *p = json_object();
	size_t i, j;

	for (i = 0; i < NELEM(promised); i++)
		if (strcmp(promised[i].name, name) == 0)
			for (j = 0; j < 6 && promised[i].vars[j]; j++)
				json_object_set_new(p, promised[i].vars[j],
				    json_string(sample(promised[i].vars[j])));
	return p;
}

TEST(shipped_templates)
{
	static const enum provider provs[] = { PROV_LOG, PROV_ALIYUN, PROV_TENCENT };
	size_t i, j, k;

	assert_true(tmpl_load_dir("sms-templates") >= (int)NELEM(promised));
	for (i = 0; i < NELEM(promised); i++) {
		const struct tmpl *t = tmpl_find(promised[i].name);
		json_t *p;
		int nv = 0;

		if (t == NULL)
			fail_msg("template %s missing", promised[i].name);
		for (j = 0; j < 6 && promised[i].vars[j]; j++, nv++) {
			int found = 0;

			for (k = 0; k < (size_t)t->nvars; k++)
				found |= strcmp(t->vars[k].name, promised[i].vars[j]) == 0;
			if (!found)
				fail_msg("%s lacks ${%s}", t->name, promised[i].vars[j]);
		}
		assert_int_equal(t->nvars, nv);
		assert_true(t->aliyun[0] != '\0');
		assert_true(t->tencent_id[0] != '\0');
		p = params_for(t->name);
		for (k = 0; k < NELEM(provs); k++) {
			struct rendered rd;

			if (tmpl_render(t, p, provs[k], "一窗政务", &rd) != 0)
				fail_msg("%s for provider %zu: %s", t->name, k, rd.err);
			assert_true(strncmp(rd.text, "【一窗政务】", strlen("【一窗政务】")) == 0);
			assert_null(strstr(rd.text, "${"));
			assert_int_equal(rd.segments, sms_segments(utf8_len(rd.text, strlen(rd.text))));
			if (provs[k] == PROV_TENCENT)
				assert_null(strstr(rd.text, "http"));
			rendered_free(&rd);
		}
		json_decref(p);
	}
	assert_true(tmpl_find("login_code")->is_code);
	assert_int_equal(tmpl_find("login_code")->quiet, QUIET_SEND);
	assert_int_equal(tmpl_find("appointment_reminder")->quiet, QUIET_HOLD);
	assert_null(tmpl_find("no_such_template"));
}

TEST(render_login_code_text)
{
	const struct tmpl *t;
	struct rendered rd;
	json_t *p = json_pack("{s:s}", "code", "123456");

	assert_true(tmpl_load_dir("sms-templates") > 0);
	t = tmpl_find("login_code");
	assert_int_equal(tmpl_render(t, p, PROV_ALIYUN, "一窗政务", &rd), 0);
	assert_string_equal(rd.text, "【一窗政务】您的登录验证码为123456，10分钟内有效。"
	    "如非本人操作，请忽略本短信。");
	assert_int_equal(rd.chars, 43);	/* every character counts 1, 【】 included */
	assert_int_equal(rd.segments, 1);
	assert_string_equal(json_string_value(json_object_get(rd.values, "code")), "123456");
	rendered_free(&rd);
	json_decref(p);
}

static int
render_err(const struct tmpl *t, json_t *p, enum provider pv, char *err, size_t esz)
{
	struct rendered rd;
	int rc = tmpl_render(t, p, pv, "一窗政务", &rd);

	str_copy(err, esz, rd.err);
	rendered_free(&rd);
	json_decref(p);
	return rc;
}

TEST(render_refusals)
{
	const struct tmpl *t;
	char err[96];
	char long_name[256];

	assert_true(tmpl_load_dir("sms-templates") > 0);
	t = tmpl_find("appointment_booked");

	/* Missing and unknown variables. */
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s}", "hall_name", "大厅",
	    "date", "2026-11-24", "time", "09:00", "category", "A"), PROV_LOG, err, sizeof err), -1);
	assert_string_equal(err, "VAR_MISSING:code");
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "hall_name", "大厅",
	    "date", "2026-11-24", "time", "09:00", "category", "A", "code", "1234", "extra", "x"),
	    PROV_LOG, err, sizeof err), -1);
	assert_string_equal(err, "VAR_UNKNOWN:extra");
	/* Not a string. */
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:b}", "hall_name", "大厅",
	    "date", "2026-11-24", "time", "09:00", "category", "A", "code", 1), PROV_LOG, err,
	    sizeof err), -1);
	assert_string_equal(err, "VAR_TYPE:code");
	/* Empty. */
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", "",
	    "date", "2026-11-24", "time", "09:00", "category", "A", "code", "1234"), PROV_LOG, err,
	    sizeof err), -1);
	assert_string_equal(err, "VAR_EMPTY:hall_name");

	/* Longer than the provider allows: 30 characters pass Aliyun (35), not Tencent (26). */
	str_copy(long_name, sizeof long_name, "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十");
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", long_name,
	    "date", "2026-11-24", "time", "09:00", "category", "A", "code", "1234"), PROV_ALIYUN,
	    err, sizeof err), 0);
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", long_name,
	    "date", "2026-11-24", "time", "09:00", "category", "A", "code", "1234"), PROV_TENCENT,
	    err, sizeof err), -1);
	assert_string_equal(err, "VAR_TOO_LONG:hall_name");
	/* The log provider checks the stricter rule so development catches it. */
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name", long_name,
	    "date", "2026-11-24", "time", "09:00", "category", "A", "code", "1234"), PROV_LOG,
	    err, sizeof err), -1);

	/* A URL in a text variable: refused by every provider. */
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s,s:s,s:s}", "hall_name",
	    "见 https://evil.example", "date", "2026-11-24", "time", "09:00", "category", "A",
	    "code", "1234"), PROV_ALIYUN, err, sizeof err), -1);
	assert_string_equal(err, "URL_FORBIDDEN:hall_name");

	/* Verification codes: 4–6 letters or digits; digits only at Tencent. */
	t = tmpl_find("login_code");
	assert_int_equal(render_err(t, json_pack("{s:s}", "code", "1234567"), PROV_ALIYUN, err,
	    sizeof err), -1);
	assert_string_equal(err, "VAR_TOO_LONG:code");
	assert_int_equal(render_err(t, json_pack("{s:s}", "code", "12a4"), PROV_ALIYUN, err,
	    sizeof err), 0);
	assert_int_equal(render_err(t, json_pack("{s:s}", "code", "12a4"), PROV_TENCENT, err,
	    sizeof err), -1);
	/* Integers are taken as their decimal text. */
	assert_int_equal(render_err(t, json_pack("{s:i}", "code", 483920), PROV_TENCENT, err,
	    sizeof err), 0);

	/* A number variable with letters. */
	t = tmpl_find("turn_near");
	assert_int_equal(render_err(t, json_pack("{s:s,s:s,s:s}", "number", "A005", "ahead", "三",
	    "hall_name", "大厅"), PROV_LOG, err, sizeof err), -1);
	assert_string_equal(err, "VAR_NUMBER:ahead");

	/* The tracking link: a link variable for Aliyun, left out for Tencent (fixed text). */
	t = tmpl_find("case_accepted");
	{
		struct rendered rd;
		json_t *p = params_for("case_accepted");

		assert_int_equal(tmpl_render(t, p, PROV_TENCENT, "一窗政务", &rd), 0);
		assert_null(json_object_get(rd.values, "url"));
		assert_null(strstr(rd.text, "http"));
		rendered_free(&rd);
		assert_int_equal(tmpl_render(t, p, PROV_ALIYUN, "一窗政务", &rd), 0);
		assert_non_null(strstr(rd.text, "http://127.0.0.1:18080/t/"));
		rendered_free(&rd);
		json_object_set_new(p, "url", json_string("javascript:alert(1)"));
		assert_int_equal(tmpl_render(t, p, PROV_ALIYUN, "一窗政务", &rd), -1);
		assert_string_equal(rd.err, "VAR_URL:url");
		rendered_free(&rd);
		json_decref(p);
	}
}

/* Codes and links are secret: masked for staff and in the outbox's readable column. */
TEST(secrets_masked)
{
	static const struct {
		const char *tmpl, *var;
	} secret[] = {
		{ "login_code", "code" }, { "appointment_booked", "code" },
		{ "appointment_reminder", "code" }, { "result_ready", "pickup_code" },
		{ "case_accepted", "url" },
	};
	struct rendered rd;
	const struct tmpl *t;
	json_t *p, *m;
	size_t i;

	assert_true(tmpl_load_dir("sms-templates") > 0);
	for (i = 0; i < NELEM(secret); i++) {
		const char *v;

		t = tmpl_find(secret[i].tmpl);
		assert_non_null(t);
		assert_true(tmpl_has_secret(t));
		p = params_for(secret[i].tmpl);
		v = json_string_value(json_object_get(p, secret[i].var));
		assert_non_null(v);
		m = tmpl_params_masked(t, p);
		assert_string_equal(json_string_value(json_object_get(m, secret[i].var)), TMPL_MASK);
		/* The text staff see: the mask where the value was, never the value. */
		assert_int_equal(tmpl_render_masked(t, m, "一窗政务", &rd), 0);
		assert_non_null(strstr(rd.text, TMPL_MASK));
		assert_null(strstr(rd.text, v));
		rendered_free(&rd);
		/* The same from the variables as queued. */
		assert_int_equal(tmpl_render_masked(t, p, "一窗政务", &rd), 0);
		assert_null(strstr(rd.text, v));
		rendered_free(&rd);
		json_decref(m);
		json_decref(p);
	}
	/* Other variables stay readable; undeclared ones, and all of an unknown template, not. */
	t = tmpl_find("result_ready");
	p = params_for("result_ready");
	json_object_set_new(p, "extra", json_string("683021"));
	m = tmpl_params_masked(t, p);
	assert_string_equal(json_string_value(json_object_get(m, "case_no")),
	    json_string_value(json_object_get(p, "case_no")));
	assert_string_equal(json_string_value(json_object_get(m, "extra")), TMPL_MASK);
	json_decref(m);
	m = tmpl_params_masked(NULL, p);
	assert_string_equal(json_string_value(json_object_get(m, "case_no")), TMPL_MASK);
	json_decref(m);
	json_decref(p);
	assert_false(tmpl_has_secret(tmpl_find("case_approved")));
}

TEST(url_where_tencent_forbids)
{
	static const char src[] = "name = t\nvar = link url\ntencent = 1 link\n"
	    "text = 查看${link}\n";
	static const char src2[] = "name = t\nvar = link url\naliyun = SMS_1\ntext = 查看${link}\n";
	struct tmpl t;
	struct rendered rd;
	char err[160];
	json_t *p = json_pack("{s:s}", "link", "https://yc.example.gov.cn/t/abc");

	/* A template file that gives Tencent a link parameter is refused at load … */
	assert_int_equal(tmpl_parse(src, strlen(src), &t, err, sizeof err), -1);
	assert_non_null(strstr(err, "tencent"));
	/* … and rendering a link variable for Tencent is refused too. */
	assert_int_equal(tmpl_parse(src2, strlen(src2), &t, err, sizeof err), 0);
	str_copy(t.tencent_id, sizeof t.tencent_id, "1");
	t.tencent_order[0] = 0;
	t.ntencent = 1;
	assert_int_equal(tmpl_render(&t, p, PROV_TENCENT, "一窗", &rd), -1);
	assert_string_equal(rd.err, "URL_FORBIDDEN:link");
	rendered_free(&rd);
	assert_int_equal(tmpl_render(&t, p, PROV_ALIYUN, "一窗", &rd), 0);
	rendered_free(&rd);
	json_decref(p);
}

TEST(template_file_errors)
{
	static const char *const bad[] = {
		"name = t\ntext = 你好${who}\n",			/* undeclared */
		"name = t\nvar = who text\ntext = 你好\n",		/* declared, unused */
		"name = t\nvar = who text\ntext = ${who}${who}\n",	/* twice */
		"name = t\nvar = who text\ntext = 【签名】${who}\n",	/* brackets */
		"name = t\nvar = a text\nvar = b text\ntencent = 1 a\ntext = ${a}${b}\n",
		"name = t\nvar = a weird\ntext = ${a}\n",
		"name = T!\ntext = x\n",
		"name = t\nbogus = 1\ntext = x\n",
		"var = a text\ntext = ${a}\n",				/* no name */
	};
	struct tmpl t;
	char err[160];
	size_t i;

	for (i = 0; i < NELEM(bad); i++)
		if (tmpl_parse(bad[i], strlen(bad[i]), &t, err, sizeof err) == 0)
			fail_msg("accepted: %s", bad[i]);
}

TEST(segments)
{
	/* 70 characters fit one SMS; a longer text goes in parts of 67. */
	static const int parts[][2] = {
		{ 1, 1 }, { 70, 1 }, { 71, 2 }, { 134, 2 }, { 135, 3 }, { 201, 3 }, { 202, 4 },
	};
	size_t i;

	for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
		assert_int_equal(sms_segments(parts[i][0]), parts[i][1]);
}

TEST(fit_cuts_lists)
{
	const struct tmpl *t;
	struct rendered rd;
	const char *v;
	json_t *p;

	assert_true(tmpl_load_dir("sms-templates") > 0);
	t = tmpl_find("materials_incomplete");
	p = json_pack("{s:s,s:s,s:s}", "item", "不动产转移登记（存量房买卖）", "count", "6",
	    "list", "不动产权证书、买卖合同、完税凭证、身份证明、婚姻状况证明、户口簿");
	assert_int_equal(tmpl_render(t, p, PROV_TENCENT, "一窗政务", &rd), 0);
	v = json_string_value(json_object_get(rd.values, "list"));
	assert_true(utf8_len(v, strlen(v)) <= 26);
	assert_string_equal(v, "不动产权证书、买卖合同、完税凭证、身份证明等");
	assert_non_null(strstr(rd.text, v));
	rendered_free(&rd);
	/* Within the limit nothing changes. */
	json_object_set_new(p, "list", json_string("身份证、户口簿"));
	assert_int_equal(tmpl_render(t, p, PROV_TENCENT, "一窗政务", &rd), 0);
	assert_string_equal(json_string_value(json_object_get(rd.values, "list")), "身份证、户口簿");
	rendered_free(&rd);
	json_decref(p);
}

TEST(wechat_fields)
{
	const struct tmpl *t;
	json_t *p, *d;
	char err[96];

	assert_true(tmpl_load_dir("sms-templates") > 0);
	t = tmpl_find("appointment_booked");
	p = params_for("appointment_booked");
	json_object_set_new(p, "hall_name", json_string("一二三四五六七八九十一二三四五六七八九十一二三"));
	d = tmpl_wechat_data(t, p, err, sizeof err);
	assert_non_null(d);
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "time2"), "value")),
	    "2026-11-24 09:00-09:30");
	/* thing values are cut to WeChat's 20 characters. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(d, "thing1"),
	    "value")), "一二三四五六七八九十一二三四五六七八九十");
	json_decref(d);
	json_decref(p);
	/* No WeChat mapping: refused. */
	t = tmpl_find("login_code");
	p = json_pack("{s:s}", "code", "123456");
	assert_null(tmpl_wechat_data(t, p, err, sizeof err));
	assert_string_equal(err, "NO_WECHAT_TEMPLATE");
	json_decref(p);
}

TEST(quiet_hours)
{
	int64_t t;

	assert_int_equal(time_parse("2026-11-23T21:00:00+08:00", &t), 0);
	assert_int_equal(quiet_until(t), t + 11 * 3600);
	assert_int_equal(time_parse("2026-11-23T23:59:59+08:00", &t), 0);
	assert_int_equal(quiet_until(t), t + 8 * 3600 + 1);
	assert_int_equal(time_parse("2026-11-24T07:59:00+08:00", &t), 0);
	assert_int_equal(quiet_until(t), t + 60);
	assert_int_equal(time_parse("2026-11-24T08:00:00+08:00", &t), 0);
	assert_int_equal(quiet_until(t), 0);
	assert_int_equal(time_parse("2026-11-24T20:59:59+08:00", &t), 0);
	assert_int_equal(quiet_until(t), 0);
}

TEST(backoff)
{
	int i;

	for (i = 0; i < 50; i++) {
		int64_t d1 = retry_delay_ms(1, 5000, 600000);
		int64_t d3 = retry_delay_ms(3, 5000, 600000);
		int64_t d20 = retry_delay_ms(20, 5000, 600000);

		assert_true(d1 >= 4000 && d1 <= 6000);
		assert_true(d3 >= 16000 && d3 <= 24000);
		assert_true(d20 >= 480000 && d20 <= 720000);
	}
}

FIXTURE(clock_up)
{
	clock_init();
	return 0;
}

UNIT_MAIN("notify", clock_up, NULL)
