/*
 * notify_text.c — the text an SMS variable can carry: the characters and links the
 * providers refuse (sms_text_check), the refusal of a typed field (sms_text_field), the
 * catalogue's text made safe before it is queued (sms_text_clean, sms_params_clean), and
 * how many characters a variable may hold per provider (sms_var_max).
 */
#include "notify.h"
#include "../../fcgi/config.h"
#include "../../fcgi/util.h"
#include "../../fcgi/yc.h"

#include <string.h>
#include <strings.h>

/* Bytes of the character at s that an SMS variable cannot carry (0: none here):
 * control characters (CR, LF, TAB …, C1 controls), the line and paragraph separators
 * U+2028/U+2029, the signature brackets 【 】 and the placeholder opener ${. */
static size_t
sms_bad_char(const unsigned char *s, size_t left)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 1;
	if (left >= 2 && s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2;
	if (left >= 3 && s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9))
		return 3;
	if (left >= 3 && s[0] == 0xe3 && s[1] == 0x80 && (s[2] == 0x90 || s[2] == 0x91))
		return 3;	/* 【 U+3010, 】 U+3011 */
	if (left >= 2 && s[0] == '$' && s[1] == '{')
		return 2;
	return 0;
}

static int
has_link(const char *s, size_t n)
{
	static const char *const marks[] = { "http://", "https://", "www." };
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < NELEM(marks); j++) {
			size_t k = strlen(marks[j]);

			if (i + k <= n && strncasecmp(s + i, marks[j], k) == 0)
				return 1;
		}
	return 0;
}

int
sms_text_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int bad = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (sms_bad_char(p + i, n - i)) {
			bad |= SMS_TEXT_CHARS;
			break;
		}
	if (has_link(s, n))
		bad |= SMS_TEXT_LINK;
	return bad;
}

static enum provider
provider_configured(void)
{
	const char *p = config_get("sms_provider", "log");

	return strcmp(p, "aliyun") == 0 ? PROV_ALIYUN : strcmp(p, "tencent") == 0 ?
	    PROV_TENCENT : PROV_LOG;
}

int
sms_var_max(void)
{
	return sms_provider_var_max(provider_configured());
}

int
sms_text_field(struct req *r, const char *field, const char *s, int fit)
{
	int bad = sms_text_check(s, strlen(s));
	char msg[160];

	if (bad & SMS_TEXT_CHARS)
		return req_fail_field(r, field,
		    "短信无法发送这段文字：不能包含换行、制表符等控制字符、【】或 ${");
	if (bad & SMS_TEXT_LINK)
		return req_fail_field(r, field, "短信无法发送这段文字：不能包含网址（http://、https://、www.）");
	if (!fit && utf8_len(s, strlen(s)) > (size_t)sms_var_max()) {
		fmt(msg, sizeof msg, "这段文字会写进短信，最多 %d 个字", sms_var_max());
		return req_fail_field(r, field, msg);
	}
	return 0;
}

/* Replacement for a character sms_bad_char refuses (catalogue text made safe). */
static const char *
sms_safe_char(const unsigned char *s, size_t k)
{
	if (k == 3 && s[0] == 0xe3 && s[2] == 0x90)
		return "［";
	if (k == 3 && s[0] == 0xe3 && s[2] == 0x91)
		return "］";
	if (k == 2 && s[0] == '$')
		return "$｛";
	return " ";
}

int
sms_text_clean(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	int changed = 0;

	while (i < n) {
		if ((k = sms_bad_char(p + i, n - i)) != 0) {
			buf_adds(out, sms_safe_char(p + i, k));
			changed = 1;
			i += k;
			continue;
		}
		buf_add(out, p + i, 1);
		i++;
	}
	if (out->len == 0)
		buf_add(out, "", 0);
	return changed;
}

void
sms_params_clean(json_t *params)
{
	const char *k;
	json_t *v;

	json_object_foreach(params, k, v) {
		struct buf b;

		if (!json_is_string(v) ||
		    sms_text_check(json_string_value(v), json_string_length(v)) == 0)
			continue;
		buf_init(&b, 4 * json_string_length(v) + 16);
		if (sms_text_clean(json_string_value(v), &b) && !b.overflow)
			json_string_setn(v, b.data, b.len);
		buf_free(&b);
	}
}

int
sms_provider_var_max(enum provider p)
{
	long long a = config_int("sms_var_max_aliyun", 35, 1, 500);
	long long t = config_int("sms_var_max_tencent", 26, 1, 500);

	switch (p) {
	case PROV_ALIYUN:
		return (int)a;
	case PROV_TENCENT:
		return (int)t;
	default:
		return (int)(a < t ? a : t);	/* the log provider checks the stricter rule */
	}
}
