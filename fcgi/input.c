/*
 * input.c — validating JSON members and query parameters into typed values.
 *
 * Each helper checks one input, records a field error in the request when it is bad
 * (so one 400 names every bad field at once) and returns -1; 0 when good or absent and
 * optional.  Strings must be valid UTF-8 without control characters and are measured in
 * characters, not bytes.
 */
#include "yc.h"
#include "clock.h"

#include <string.h>

static int
str_check(struct req *r, const char *name, const char *s, size_t len, size_t minc, size_t maxc)
{
	size_t n;

	if (!utf8_ok(s, len))
		return req_fail_field(r, name, "含有无效字符");
	n = utf8_len(s, len);
	if (n < minc)
		return req_fail_field(r, name, minc <= 1 ? "不能为空" : "内容过短");
	if (n > maxc)
		return req_fail_field(r, name, "内容过长");
	return 0;
}

int
in_str(struct req *r, json_t *obj, const char *name, int required, size_t minc, size_t maxc,
    const char **out)
{
	return in_sub_str(r, obj, name, name, required, minc, maxc, out);
}

int
in_int(struct req *r, json_t *obj, const char *name, int required, long long min, long long max,
    long long *out)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;

	if (v == NULL || json_is_null(v))
		return required ? req_fail_field(r, name, "必填") : 0;
	if (!json_is_integer(v))
		return req_fail_field(r, name, "须为整数");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return req_fail_field(r, name, "超出允许范围");
	*out = json_integer_value(v);
	return 0;
}

int
in_bool(struct req *r, json_t *obj, const char *name, int required, int *out)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;

	if (v == NULL || json_is_null(v))
		return required ? req_fail_field(r, name, "必填") : 0;
	if (!json_is_boolean(v))
		return req_fail_field(r, name, "须为 true 或 false");
	*out = json_is_true(v);
	return 0;
}

int
in_enum(struct req *r, json_t *obj, const char *name, int required, const char *const *choices,
    int *out)
{
	const char *s;
	int i;

	if (in_str(r, obj, name, required, 1, 64, &s) || s == NULL)
		return s == NULL && !required ? 0 : -1;
	for (i = 0; choices[i]; i++)
		if (strcmp(choices[i], s) == 0) {
			*out = i;
			return 0;
		}
	return req_fail_field(r, name, "不是允许的取值");
}

int
q_str(struct req *r, const char *name, int required, size_t maxc, const char **out)
{
	const char *v = req_query(r, name);

	*out = NULL;
	if (v == NULL || *v == '\0')
		return required ? req_fail_field(r, name, "必填") : 0;
	if (str_check(r, name, v, strlen(v), 1, maxc))
		return -1;
	*out = v;
	return 0;
}

int
q_enum(struct req *r, const char *name, const char *const *choices, const char *msg, int *out)
{
	const char *v = req_query(r, name);
	int k;

	if (v == NULL || *v == '\0')
		return 0;
	for (k = 0; choices[k]; k++)
		if (strcmp(choices[k], v) == 0) {
			*out = k;
			return 0;
		}
	return req_fail_field(r, name, msg);
}

int
q_days(struct req *r, int64_t today, int64_t max_days, int64_t *df, int64_t *dt)
{
	const char *from = NULL, *to = NULL;
	char msg[48];

	q_str(r, "from", 0, 10, &from);
	q_str(r, "to", 0, 10, &to);
	if (from && date_parse(from, df) != 0)
		req_fail_field(r, "from", "须为日期 YYYY-MM-DD");
	if (to && date_parse(to, dt) != 0)
		req_fail_field(r, "to", "须为日期 YYYY-MM-DD");
	if (in_has_errors(r))
		return -1;
	if (!from)
		*df = to ? *dt : today;
	if (!to)
		*dt = from ? *df : today;
	if (*dt < *df)
		req_fail_field(r, "to", "不能早于 from");
	else if (*dt - *df >= max_days) {
		fmt(msg, sizeof msg, "统计区间最长 %lld 天", (long long)max_days);
		req_fail_field(r, "to", msg);
	}
	return in_has_errors(r) ? -1 : 0;
}

int
q_int(struct req *r, const char *name, int required, long long min, long long max, long long *out)
{
	const char *v = req_query(r, name);

	if (v == NULL || *v == '\0')
		return required ? req_fail_field(r, name, "必填") : 0;
	if (parse_ll(v, min, max, out) != 0)
		return req_fail_field(r, name, "须为允许范围内的整数");
	return 0;
}

/* in_str of obj[key] (obj NULL: absent) with its errors named field — a member of a nested
 * object named as the API names it ("applicant.phone").  *out points into obj. */
int
in_sub_str(struct req *r, json_t *obj, const char *key, const char *field, int required,
    size_t minc, size_t maxc, const char **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return required ? req_fail_field(r, field, "必填") : 0;
	if (!json_is_string(v))
		return req_fail_field(r, field, "须为文本");
	if (str_check(r, field, json_string_value(v), json_string_length(v), minc, maxc))
		return -1;
	*out = json_string_value(v);
	return 0;
}
