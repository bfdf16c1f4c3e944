/*
 * expect.c — assertions on replies shared by the integration tests (see expect.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "../../fcgi/clock.h"

void
expect_status(struct resp *r, long status)
{
	if (r->status != status)
		fprintf(stderr, "expected %ld, got %ld: %.800s\n", status, r->status,
		    r->body ? r->body : "(no body)");
	assert_int_equal(r->status, status);
}

void
expect_strs(struct resp *r, long status, ...)
{
	const char *member, *want, *got;
	va_list ap;

	expect_status(r, status);
	va_start(ap, status);
	while ((member = va_arg(ap, const char *)) != NULL) {
		want = va_arg(ap, const char *);
		got = jstr(r->json, member);
		if (got == NULL || strcmp(got, want) != 0)
			fprintf(stderr, "%s: expected \"%s\": %.600s\n", member, want,
			    r->body ? r->body : "(no body)");
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	va_end(ap);
}

void
assert_error(struct resp *r, long status, const char *code)
{
	if (r->status != status || r->json == NULL || jstr(r->json, "error.code") == NULL ||
	    strcmp(jstr(r->json, "error.code"), code) != 0)
		fprintf(stderr, "expected %ld %s, got %ld: %.600s\n", status, code, r->status,
		    r->body ? r->body : "(no body)");
	assert_int_equal(r->status, status);
	assert_non_null(r->json);
	assert_string_equal(jstr(r->json, "error.code"), code);
	/* Every error carries a Chinese message fit for a citizen. */
	assert_non_null(jstr(r->json, "error.message"));
	assert_true(strlen(jstr(r->json, "error.message")) > 0);
}

void
wait_health(long want, int ms)
{
	int64_t end = now_ms() + ms;
	struct resp r;
	long st = 0;

	do {
		if (http(&r, "GET", "/api/v1/health", NULL, NULL) == 0)
			st = r.status;
		resp_free(&r);
		if (st == want)
			return;
		usleep(100 * 1000);
	} while (now_ms() < end);
	fail_msg("health still %ld after %d ms (want %ld)", st, ms, want);
}

void
expect_reply(const char *method, const char *path, const char *token, const char *body,
    long status)
{
	struct resp r;

	assert_int_equal(http_json(&r, method, path, token, body), 0);
	expect_status(&r, status);
	resp_free(&r);
}

void
expect_refusal(const char *method, const char *path, const char *token, const char *body,
    long status, const char *code)
{
	struct resp r;

	assert_int_equal(http_json(&r, method, path, token, body), 0);
	assert_error(&r, status, code);
	resp_free(&r);
}

void
assert_invalid(struct resp *r, const char *fields)
{
	char name[128];
	const char *p, *e;
	size_t n;

	assert_error(r, 400, "INVALID_INPUT");
	for (p = fields; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		if ((n = (size_t)(e - p)) == 0)
			continue;
		assert_true(n < sizeof name);
		memcpy(name, p, n);
		name[n] = '\0';
		if (json_object_get(jget(r->json, "error.fields"), name) == NULL)
			fail_msg("field %s not named: %.600s", name, r->body ? r->body : "");
	}
}

void
expect_invalid(const char *method, const char *path, const char *token, const char *body,
    const char *fields)
{
	struct resp r;

	assert_int_equal(http_json(&r, method, path, token, body), 0);
	assert_invalid(&r, fields);
	resp_free(&r);
}

static json_t *
vget_member(const char *token, const char *member, const char *fmt, va_list ap)
{
	char path[1024];
	struct resp r;
	json_t *m;

	vsnprintf(path, sizeof path, fmt, ap);
	assert_int_equal(http_json(&r, "GET", path, token, NULL), 0);
	expect_status(&r, 200);
	m = json_incref(jget(r.json, member));
	resp_free(&r);
	return m;
}

json_t *
get_member(const char *token, const char *member, const char *fmt, ...)
{
	json_t *m;
	va_list ap;

	va_start(ap, fmt);
	m = vget_member(token, member, fmt, ap);
	va_end(ap);
	return m;
}

json_t *
get_entry(const char *token, const char *member, const char *key, const char *val,
    const char *fmt, ...)
{
	json_t *list, *e;
	va_list ap;

	va_start(ap, fmt);
	list = vget_member(token, member, fmt, ap);
	va_end(ap);
	e = json_incref(jfind(list, key, val));
	json_decref(list);
	return e;
}

void
pdf_saved(const void *p, size_t n, const char *tag, char *path, size_t psz)
{
	FILE *f;

	assert_true(n > 1000 && memcmp(p, "%PDF-", 5) == 0);
	snprintf(path, psz, "/tmp/%s_%d.pdf", tag, (int)getpid());
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

void
clock_at(const char *when)
{
	assert_int_equal(set_clock(when), 0);
	usleep(300 * 1000);	/* the app and the worker read the clock file when it changes */
}

int64_t
day_of(const char *iso)
{
	int64_t d = 0;

	assert_int_equal(date_parse(iso, &d), 0);
	return d;
}
