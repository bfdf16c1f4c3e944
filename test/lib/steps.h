/*
 * steps.h — steps that several integration suites take on their way to what they test, each
 * asserting its own replies (so a test fails at the step that broke, its reply printed): a
 * case accepted, a ticket taken, a booking made, a request to a path made of a format, a
 * refusal naming its fields, a count of a case's rows in the record, and the app and worker
 * restarted with a configuration line or two of the suite's own.
 */
#ifndef YC_TEST_STEPS_H
#define YC_TEST_STEPS_H

#include <stddef.h>
#include <jansson.h>

#include "http.h"

/* POST /api/v1/cases with body as the bearer of token, which must answer 201: the case's
 * number into no and its tracking token into track (either may be NULL; nsz / tsz bytes). */
void	 case_post_ok(const char *token, const char *body, char *no, size_t nsz, char *track,
	     size_t tsz);
/* POST /api/v1/halls/demo/tickets with body as the bearer of token, which must answer 201:
 * the ticket's number into number and its token into tok (either may be NULL). */
void	 ticket_take(const char *token, const char *body, char *number, size_t nsz, char *tok,
	     size_t tsz);
/* POST /api/v1/appointments with body as the bearer of token, which must answer 201: the
 * booking's token into appt and its 6-digit code into code (either may be NULL). */
void	 appointment_book(const char *token, const char *body, char *appt, size_t asz, char *code,
	     size_t csz);

/* http_json to the path made of fmt (token and body may be NULL): the reply into r; the test
 * fails when none came back. */
void	 http_at(struct resp *r, const char *method, const char *token, const char *body,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* One request to the path made of fmt (http_json: token and body may be NULL), which must
 * be the error status and code (assert_error), or when code is NULL have that status; the
 * reply is freed. */
void	 expect_at(const char *method, const char *token, const char *body, long status,
	     const char *code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* One request to the path made of fmt (http_json: token and body may be NULL), which must
 * have that status and the string want at member ("case.status"); the reply is freed. */
void	 expect_str_at(const char *method, const char *token, const char *body, long status,
	     const char *member, const char *want, const char *fmt, ...)
	     __attribute__((format(printf, 7, 8)));
/* POST /api/v1/notices/<nid>/resend as the bearer of token: 201, the notice's text shows
 * masked ("取件码******"), and the reply never carries old (the secret sent before). */
void	 notice_resend_ok(const char *token, const char *nid, const char *masked,
	     const char *old);
/* GET the path made of fmt as the bearer of token (NULL: none), expect 200: the number at
 * member ("version", "cases.accepted"); the test fails when it is not a number. */
long long get_int(const char *token, const char *member, const char *fmt, ...)
	     __attribute__((format(printf, 3, 4)));

/* The reply is a 400 INVALID_INPUT (assert_error) naming each of the space-separated fields
 * ("hall slot agent.name": the keys of error.fields); the failure names the one missing. */
void	 assert_fields(struct resp *r, const char *fields);
/* One request (http_json: token and body may be NULL) that must be refused as assert_fields
 * says, naming each of fields; the reply is freed. */
void	 expect_fields(const char *method, const char *path, const char *token, const char *body,
	     const char *fields);

/* The rows of a case's table that meet where, in the record (test_db, suite.h): from is the
 * table and its alias ("promise_checks pc"), where a condition on its columns ("pc.status =
 * 'open'"; NULL: every row of the case).  The count; the query failing fails the test. */
long long case_rows(const char *from, const char *no, const char *where);

/*
 * Restart the test stack's app and worker (ops/stack.sh restart-app) with the configuration
 * the suite started with (YICHUANG_CONF_EXTRA as ops/test.sh set it) plus the lines of extra;
 * NULL: with the suite's own configuration again.  The first call remembers the suite's
 * own.  stack()'s exit status: 0 once both are back.
 */
int	 app_restart_with(const char *extra);

#endif
