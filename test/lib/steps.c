/*
 * steps.c — steps several integration suites take on the way to what they test (see
 * steps.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "records.h"
#include "suite.h"
#include "steps.h"

/* POST path with body as the bearer of token, which must answer 201: the members m1 and
 * m2 of the reply into o1 and o2 (each when not NULL); the test fails without them. */
static void
post_created(const char *path, const char *token, const char *body, const char *m1,
    char *o1, size_t s1, const char *m2, char *o2, size_t s2)
{
	const char *member[2] = { m1, m2 };
	char *out[2] = { o1, o2 };
	size_t osz[2] = { s1, s2 };
	struct resp r;
	const char *v;
	int i;

	assert_int_equal(http_json(&r, "POST", path, token, body), 0);
	expect_status(&r, 201);
	for (i = 0; i < 2; i++) {
		if (out[i] == NULL)
			continue;
		if ((v = jstr(r.json, member[i])) == NULL)
			fail_msg("POST %s: %s missing from %.400s", path, member[i], r.body);
		snprintf(out[i], osz[i], "%s", v);
	}
	resp_free(&r);
}

void
case_post_ok(const char *token, const char *body, char *no, size_t nsz, char *track,
    size_t tsz)
{
	post_created("/api/v1/cases", token, body, "case.no", no, nsz, "case.track_token", track,
	    tsz);
}

void
ticket_take(const char *token, const char *body, char *number, size_t nsz, char *tok,
    size_t tsz)
{
	post_created("/api/v1/halls/demo/tickets", token, body, "ticket.number", number, nsz,
	    "ticket.token", tok, tsz);
}

void
appointment_book(const char *token, const char *body, char *appt, size_t asz, char *code,
    size_t csz)
{
	post_created("/api/v1/appointments", token, body, "appointment.token", appt, asz,
	    "appointment.code", code, csz);
}

/* http_json to the path made of fmt and ap; the test fails when no reply came back. */
static void
vrequest(struct resp *r, const char *method, const char *token, const char *body,
    const char *fmt, va_list ap)
{
	char path[1024];

	vsnprintf(path, sizeof path, fmt, ap);
	if (http_json(r, method, path, token, body) != 0)
		fail_msg("%s %s: no reply", method, path);
}

void
http_at(struct resp *r, const char *method, const char *token, const char *body,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrequest(r, method, token, body, fmt, ap);
	va_end(ap);
}

void
assert_fields(struct resp *r, const char *fields)
{
	char name[64];
	const char *p = fields;
	size_t n;

	assert_error(r, 400, "INVALID_INPUT");
	while (*p) {
		n = strcspn(p, " ");
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		if (n > 0 && json_object_get(jget(r->json, "error.fields"), name) == NULL)
			fail_msg("error.fields names no %s: %.400s", name, r->body);
		p += n;
		p += strspn(p, " ");
	}
}

void
expect_fields(const char *method, const char *path, const char *token, const char *body,
    const char *fields)
{
	struct resp r;

	if (http_json(&r, method, path, token, body) != 0)
		fail_msg("%s %s: no reply", method, path);
	assert_fields(&r, fields);
	resp_free(&r);
}

void
expect_at(const char *method, const char *token, const char *body, long status,
    const char *code, const char *fmt, ...)
{
	struct resp r;
	va_list ap;

	va_start(ap, fmt);
	vrequest(&r, method, token, body, fmt, ap);
	va_end(ap);
	if (code)
		assert_error(&r, status, code);
	else
		expect_status(&r, status);
	resp_free(&r);
}

void
expect_str_at(const char *method, const char *token, const char *body, long status,
    const char *member, const char *want, const char *fmt, ...)
{
	struct resp r;
	va_list ap;

	va_start(ap, fmt);
	vrequest(&r, method, token, body, fmt, ap);
	va_end(ap);
	expect_status(&r, status);
	assert_non_null(jstr(r.json, member));
	assert_string_equal(jstr(r.json, member), want);
	resp_free(&r);
}

void
notice_resend_ok(const char *token, const char *nid, const char *masked, const char *old)
{
	struct resp r;

	http_at(&r, "POST", token, NULL, "/api/v1/notices/%s/resend", nid);
	expect_status(&r, 201);
	assert_non_null(strstr(jstr(r.json, "notice.text"), masked));
	assert_null(strstr(r.body, old));
	resp_free(&r);
}

long long
get_int(const char *token, const char *member, const char *fmt, ...)
{
	struct resp r;
	json_t *m;
	long long v;
	va_list ap;

	va_start(ap, fmt);
	vrequest(&r, "GET", token, NULL, fmt, ap);
	va_end(ap);
	expect_status(&r, 200);
	if (!json_is_integer(m = jget(r.json, member)))
		fail_msg("%s is not a number in %.400s", member, r.body);
	v = json_integer_value(m);
	resp_free(&r);
	return v;
}

/*
 * db.c prepares a statement once per connection and finds it again by the address of its
 * SQL text, so a text made at run time must keep one address: each one case_rows makes is
 * kept here once (for the life of the test process) and found again by its words.
 */
static const char *
sql_kept(const char *sql)
{
	static char *kept[128];
	static size_t n;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(kept[i], sql) == 0)
			return kept[i];
	if (n == sizeof kept / sizeof kept[0])
		fail_msg("case_rows: more than %zu different queries", n);
	if ((kept[n] = strdup(sql)) == NULL)
		fail_msg("case_rows: out of memory");
	return kept[n++];
}

long long
case_rows(const char *from, const char *no, const char *where)
{
	char sql[1024];
	const char *alias = strrchr(from, ' ');

	if (alias == NULL)
		fail_msg("case_rows: \"%s\" names no alias", from);
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s JOIN cases c ON c.id = %s.case_id"
	    " WHERE c.no = ?%s%s", from, alias + 1, where ? " AND " : "", where ? where : "");
	return db_count(&test_db, sql_kept(sql), no);
}

/* The suite's own YICHUANG_CONF_EXTRA, remembered at the first restart. */
static char	 own_extra[4096];
static int	 own_known, own_set;

int
app_restart_with(const char *extra)
{
	char all[8192];
	const char *v;

	if (!own_known) {
		if ((v = getenv("YICHUANG_CONF_EXTRA")) != NULL) {
			own_set = 1;
			snprintf(own_extra, sizeof own_extra, "%s", v);
		}
		own_known = 1;
	}
	if (extra) {
		snprintf(all, sizeof all, "%s%s%s", own_set ? own_extra : "",
		    own_set ? "\n" : "", extra);
		setenv("YICHUANG_CONF_EXTRA", all, 1);
	} else if (own_set)
		setenv("YICHUANG_CONF_EXTRA", own_extra, 1);
	else
		unsetenv("YICHUANG_CONF_EXTRA");
	return stack("restart-app");
}
