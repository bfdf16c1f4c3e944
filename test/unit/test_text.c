/*
 * test_text.c — text that must never break: cutting and masking by characters (fcgi/util.c,
 * modules/shared/pii.c), the one rule for what an SMS variable can carry (modules/notify/notify_tmpl.c) as
 * the door, the worker and the outbox apply it, receipts with Chinese provider messages, and
 * the names the database gives for what it refuses (fcgi/db.c).
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
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"
#include "../../fcgi/yc.h"
#include "../../modules/notify/notify.h"
#include "../../modules/shared/pii.h"

/* Valid UTF-8 (control characters allowed: only the encoding is checked here). */
static int
valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		size_t k = p[i] < 0x80 ? 1 : p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 :
		    p[i] >= 0xc2 ? 2 : 0;
		size_t j;

		if (k == 0 || i + k > n)
			return 0;
		for (j = 1; j < k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k;
	}
	return 1;
}

TEST(cut_counts_characters_not_bytes)
{
	const char *s = "1号楼𠮷😀a";	/* 1 + 3 + 3 + 4 + 4 + 1 bytes, 6 characters */

	assert_int_equal(utf8_cut(s, strlen(s), 0, SIZE_MAX), 0);
	assert_int_equal(utf8_cut(s, strlen(s), 2, SIZE_MAX), 4);		/* "1号" */
	assert_int_equal(utf8_cut(s, strlen(s), 4, SIZE_MAX), 11);	/* …𠮷 whole */
	assert_int_equal(utf8_cut(s, strlen(s), 99, SIZE_MAX), strlen(s));
	/* A byte budget never ends inside a character. */
	assert_int_equal(utf8_cut(s, strlen(s), SIZE_MAX, 3), 1);
	assert_int_equal(utf8_cut(s, strlen(s), SIZE_MAX, 10), 7);
	assert_int_equal(utf8_cut(s, strlen(s), SIZE_MAX, 11), 11);
	assert_int_equal(utf8_cut(s, strlen(s), 5, 14), 11);
	/* Not UTF-8: each stray byte is one character, a lead byte without its tail too. */
	assert_int_equal(utf8_cut("\xff\xfe" "a", 3, 2, SIZE_MAX), 2);
	assert_int_equal(utf8_cut("\xe5\xb9" "a", 3, 1, SIZE_MAX), 1);
	assert_int_equal(utf8_cut("a\xe5\xb9", 3, 5, SIZE_MAX), 1);	/* cut short: left out */
}

TEST(copy_and_format_keep_characters_whole)
{
	/* The address of issue 17: 18 bytes end inside 室. */
	const char *addr = "1号楼2单元301室幸福路88号";
	char small[19], out[8];
	size_t i;

	assert_true(str_copy(small, sizeof small, addr) >= sizeof small);
	assert_string_equal(small, "1号楼2单元301");
	assert_true(valid(small));
	/* Every size: never half a character, always the longest whole prefix. */
	for (i = 1; i <= strlen(addr) + 1; i++) {
		char b[64];

		str_copy(b, i, addr);
		assert_true(valid(b));
		assert_int_equal(strlen(b), utf8_cut(addr, strlen(addr), SIZE_MAX, i - 1));
		assert_int_equal(fmt(b, i, "%s", addr), i > strlen(addr) ? (int)strlen(addr) : -1);
		assert_true(valid(b));
		assert_int_equal(strlen(b), utf8_cut(addr, strlen(addr), SIZE_MAX, i - 1));
	}
	assert_int_equal(fmt(out, sizeof out, "%s", "😀😀"), -1);
	assert_string_equal(out, "😀");
}

TEST(trunc_appends_more_within_the_limit)
{
	char s[64];

	str_copy(s, sizeof s, "需补正：营业执照𠮷、章程");
	assert_int_equal(utf8_trunc(s, sizeof s, 20, "…"), 0);
	assert_string_equal(s, "需补正：营业执照𠮷、章程");
	assert_int_equal(utf8_trunc(s, sizeof s, 10, "…"), 1);
	assert_string_equal(s, "需补正：营业执照𠮷…");
	assert_int_equal(utf8_len(s, strlen(s)), 10);
	/* The buffer bounds it too: whole characters only. */
	str_copy(s, sizeof s, "abcdefghij");
	assert_int_equal(utf8_trunc(s, 8, 100, "…"), 1);
	assert_string_equal(s, "abcd…");
}

/* One case of a function that writes a text for another: fn(in) must write want. */
struct text_case {
	const char	*fn_name;
	void		(*fn)(const char *, char *, size_t);
	const char	*in;
	const char	*want;
};
#define TEXT_CASE(fn, in, want)	{ #fn, (fn), (in), (want) }

/* Every case of the table; a failure names the function, its input and both answers. */
static void
text_cases(const struct text_case *c, size_t n)
{
	char out[128];
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].fn(c[i].in, out, sizeof out);
		if (strcmp(out, c[i].want) != 0)
			fail_msg("%s(\"%s\") = \"%s\", expected \"%s\"", c[i].fn_name, c[i].in, out,
			    c[i].want);
	}
}

TEST(masks_by_characters)
{
	static const struct text_case masks[] = {
		/* Names: one character, two of a long one, a star for each hidden one. */
		TEXT_CASE(mask_name, "张三", "张*"),
		TEXT_CASE(mask_name, "𠮷野家", "𠮷**"),
		TEXT_CASE(mask_name, "阿依古丽·买买提", "阿依******"),
		TEXT_CASE(mask_name, "Jean·Dupont", "Je*********"),
		/* Addresses: the first 6 characters (never more than half), then ****. */
		TEXT_CASE(mask_address, "1号楼2单元301室幸福路88号", "1号楼2单元****"),
		TEXT_CASE(mask_address, "𠮷祥路😀号１２３室幸福里", "𠮷祥路😀号１****"),
		TEXT_CASE(mask_address, "北京市东城", "北京****"),
		/* Phones and ID numbers: their ends, by characters too. */
		TEXT_CASE(mask_phone, "13800138000", "138****8000"),
		TEXT_CASE(mask_phone, "１３８００１３８０００", "１３８****８０００"),
		TEXT_CASE(mask_phone, "123", "****"),
		TEXT_CASE(mask_id, "11010519491231002X", "110105********002X"),
		TEXT_CASE(mask_id, "1101051949", "******"),
	};
	char out[64];

	text_cases(masks, sizeof masks / sizeof masks[0]);
	/* Too small a buffer: a whole-character answer, never half of one. */
	assert_int_equal(utf8_mask(out, 5, "𠮷野家", 2, NULL), -1);
	assert_true(valid(out));
	assert_int_equal(utf8_mask(out, sizeof out, "ab", 5, "****"), 0);
	assert_string_equal(out, "ab****");
}

/* A question, an answer or an office that is only spaces — ASCII or the full-width space a
 * Chinese input method types — counts as not filled in. */
TEST(blank_counts_full_width_spaces)
{
	assert_int_equal(utf8_blank(""), 1);
	assert_int_equal(utf8_blank(" \t\r\n"), 1);
	assert_int_equal(utf8_blank("\u3000\u3000"), 1);
	assert_int_equal(utf8_blank(" \u3000 "), 1);
	assert_int_equal(utf8_blank("\u3000办\u3000"), 0);
	assert_int_equal(utf8_blank("  a"), 0);
	assert_int_equal(utf8_blank("\u3001"), 0);	/* 、 shares the first two bytes */
}

TEST(sms_rule_refuses_what_an_sms_cannot_carry)
{
	static const char *const refused[] = {
		"材料不全\r\n请补交", "原因\t说明", "【重要】材料过期", "见${code}", "请登录www.gov.cn查看",
		"详见 HTTPS://x.cn", "第一行\xe2\x80\xa8第二行", "控制\xc2\x85字符",
	};
	static const char *const allowed[] = {
		"营业执照已过期，请携带原件😀", "申请人𠮷田·阿依古丽", "１２３号（全角）", "mixed 中文 and English",
		"金额$100{备注}", "[括号]〔方括号〕", "http：//不是链接",
	};
	size_t i;

	for (i = 0; i < NELEM(refused); i++)
		assert_int_not_equal(sms_text_check(refused[i], strlen(refused[i])), 0);
	assert_int_equal(sms_text_check(refused[0], strlen(refused[0])), SMS_TEXT_CHARS);
	assert_int_equal(sms_text_check(refused[4], strlen(refused[4])), SMS_TEXT_LINK);
	for (i = 0; i < NELEM(allowed); i++)
		assert_int_equal(sms_text_check(allowed[i], strlen(allowed[i])), 0);
}

/* The door and the worker apply the same rule: what the door lets through renders, what it
 * refuses would have failed for good (VAR_CHARS, URL_FORBIDDEN). */
TEST(door_and_worker_agree)
{
	static const char *const samples[] = {
		"营业执照已过期😀", "申请人𠮷田·阿依古丽", "１２３号", "材料不全\r\n请补交", "【重要】",
		"见${code}", "请登录www.gov.cn", "金额$100{备注}", "第一行\xe2\x80\xa8第二行",
	};
	const struct tmpl *t;
	size_t i;

	assert_true(tmpl_load_dir("sms-templates") > 0);
	t = tmpl_find("case_rejected");
	assert_non_null(t);
	for (i = 0; i < NELEM(samples); i++) {
		struct req r;
		struct rendered rd;
		json_t *p = json_pack("{s:s,s:s}", "case_no", "DEMO-20261123-0001", "reason",
		    samples[i]);
		int door, worker;

		req_init(&r, NULL);
		door = sms_text_field(&r, "reason", samples[i], 1);
		worker = tmpl_render(t, p, PROV_LOG, "一窗政务", &rd);
		assert_int_equal(door, worker);
		if (door != 0) {
			assert_non_null(json_object_get(r.err_fields, "reason"));
			assert_true(strncmp(rd.err, "VAR_CHARS:reason", 16) == 0 ||
			    strncmp(rd.err, "URL_FORBIDDEN:reason", 20) == 0);
		} else
			assert_non_null(strstr(rd.text, samples[i]));
		rendered_free(&rd);
		json_decref(p);
		req_free(&r);
	}
}

TEST(door_bounds_a_variable_that_is_not_fitted)
{
	struct req r;
	char carrier[160];

	/* sms_var_max: the log provider takes the stricter of 35 and 26. */
	assert_int_equal(sms_var_max(), 26);
	str_copy(carrier, sizeof carrier, "𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷𠮷");
	req_init(&r, NULL);
	assert_int_equal(sms_text_field(&r, "carrier", carrier, 0), 0);	/* 26: fits */
	assert_int_equal(sms_text_field(&r, "reason", "原因很长很长很长很长很长很长很长很长很长很长很长很长很长很长", 1),
	    0);	/* fitted by the template */
	assert_null(r.err_fields);
	str_copy(carrier + strlen(carrier), sizeof carrier - strlen(carrier), "递");
	assert_int_equal(sms_text_field(&r, "carrier", carrier, 0), -1);	/* 27 */
	assert_non_null(json_object_get(r.err_fields, "carrier"));
	req_free(&r);
}

TEST(catalogue_text_is_made_safe_before_queueing)
{
	json_t *p = json_pack("{s:s,s:s,s:s,s:i}", "item", "【加急】营业执照\r\n变更",
	    "list", "A${x}、B", "url", "https://example.cn/t/abc", "count", 3);
	struct buf b;
	const struct tmpl *t;
	struct rendered rd;

	buf_init(&b, 256);
	assert_int_equal(sms_text_clean("a\tb【c】${d}", &b), 1);
	assert_string_equal(b.data, "a b［c］$｛d}");
	buf_free(&b);
	sms_params_clean(p);
	assert_string_equal(json_string_value(json_object_get(p, "item")), "［加急］营业执照  变更");
	assert_string_equal(json_string_value(json_object_get(p, "list")), "A$｛x}、B");
	assert_string_equal(json_string_value(json_object_get(p, "url")),
	    "https://example.cn/t/abc");
	assert_int_equal(json_integer_value(json_object_get(p, "count")), 3);
	/* And what was made safe renders. */
	assert_true(tmpl_load_dir("sms-templates") > 0);
	t = tmpl_find("materials_incomplete");
	json_object_del(p, "url");
	assert_int_equal(tmpl_render(t, p, PROV_TENCENT, "一窗政务", &rd), 0);
	rendered_free(&rd);
	json_decref(p);
}

static int
keep_status(const struct sms_receipt *rc, void *arg)
{
	str_copy(arg, 512, rc->status);
	return 0;
}

/* Tencent's errmsg may be Chinese: the status keeps whole characters, at most 60 of them. */
TEST(receipt_status_cut_by_characters)
{
	char status[512] = "", body[1024];
	/* 66 characters: more than the 60 kept. */
	const char *msg = "a用户手机号码处于关机状态或者欠费停机状态无法接收短信请稍后再试或联系运营商处理谢谢"
	    "号码状态异常请核实后重新发送谢谢合作再见";

	snprintf(body, sizeof body, "[{\"sid\":\"s1\",\"report_status\":\"FAIL\",\"errmsg\":\"%s\","
	    "\"user_receive_time\":\"2026-11-23 09:30:00\",\"mobile\":\"13800138000\"}]", msg);
	assert_int_equal(sms_receipts_each(PROV_TENCENT, body, strlen(body), keep_status, status),
	    0);
	assert_true(valid(status));
	assert_true(strncmp(status, "FAILED:a用户手机号码", strlen("FAILED:a用户手机号码")) == 0);
	assert_int_equal(utf8_len(status, strlen(status)), 7 + 60);
}

TEST(refusal_names_from_server_messages)
{
	static const struct text_case names[] = {
		TEXT_CASE(db_refused_name,
		    "CONSTRAINT `chk_cases_mail` failed for `yichuang`.`cases`", "chk_cases_mail"),
		TEXT_CASE(db_refused_name, "Duplicate entry 'DEMO-1' for key 'uk_cases_no'",
		    "uk_cases_no"),
		TEXT_CASE(db_refused_name, "Duplicate entry 'x' for key 'cases.uk_cases_no'",
		    "uk_cases_no"),
		TEXT_CASE(db_refused_name, "Data too long for column 'address_mask' at row 1",
		    "address_mask"),
		TEXT_CASE(db_refused_name, "Incorrect string value: '\\xE5\\xAE' for column"
		    " `yichuang`.`cases`.`address_mask` at row 1", "address_mask"),
		TEXT_CASE(db_refused_name, "Column 'note' cannot be null", "note"),
		TEXT_CASE(db_refused_name, "Cannot add or update a child row: a foreign key"
		    " constraint fails (`yichuang`.`cases`, CONSTRAINT `fk_cases_item` FOREIGN KEY"
		    " (`item`) REFERENCES `items` (`id`))", "fk_cases_item"),
		TEXT_CASE(db_refused_name, "Deadlock found", ""),
	};

	text_cases(names, sizeof names / sizeof names[0]);
}

/* A refusal mapped by a module names the field its client sent; one no map names is still
 * a 4xx (400 naming the column), a duplicate 409 — never a 500. */
TEST(refusals_map_to_the_api_fields)
{
	static const struct db_field map[] = {
		{ DBR_CHECK, "chk_cases_mail", "address", "邮寄送达须填写收件地址" },
		{ DBR_TOO_LONG, NULL, "note", NULL },
	};
	struct ctx c;
	struct req r;

	memset(&c, 0, sizeof c);
	req_init(&r, &c);
	c.db_refusal = DBR_CHECK;
	str_copy(c.db_refused, sizeof c.db_refused, "chk_cases_mail");
	assert_int_equal(db_fail_map(&r, DB_REFUSED, DB_FIELDS(map)), 400);
	assert_string_equal(r.err_code, "INVALID_INPUT");
	assert_string_equal(json_string_value(json_object_get(r.err_fields, "address")),
	    "邮寄送达须填写收件地址");
	req_free(&r);

	req_init(&r, &c);
	c.db_refusal = DBR_TOO_LONG;
	str_copy(c.db_refused, sizeof c.db_refused, "anything");
	assert_int_equal(db_fail_map(&r, DB_REFUSED, DB_FIELDS(map)), 400);
	assert_non_null(json_object_get(r.err_fields, "note"));
	req_free(&r);

	req_init(&r, &c);
	c.db_refusal = DBR_BAD_VALUE;
	str_copy(c.db_refused, sizeof c.db_refused, "address_mask");
	assert_int_equal(db_fail(&r, DB_REFUSED), 400);
	assert_non_null(json_object_get(r.err_fields, "address_mask"));
	req_free(&r);

	req_init(&r, &c);
	c.db_refusal = DBR_DUP;
	assert_int_equal(db_fail(&r, DB_DUP), 409);
	req_free(&r);

	req_init(&r, &c);
	assert_int_equal(db_fail(&r, DB_FAIL), 500);
	req_free(&r);
}

UNIT_MAIN("text", NULL, NULL)
