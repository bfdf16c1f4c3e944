/*
 * expect.h — assertions on replies shared by the integration tests.
 */
#ifndef YC_TEST_EXPECT_H
#define YC_TEST_EXPECT_H

#include "http.h"

/* The reply is the API's error shape with this status and code, and a message for people.
 * On a mismatch the reply is printed before the assertion fails. */
void	assert_error(struct resp *r, long status, const char *code);

/* The reply has this status; on a mismatch the reply is printed before the assertion fails. */
void	expect_status(struct resp *r, long status);
/* expect_status, then each pair that follows (member, value; NULL ends them) is a string of
 * the reply: expect_strs(&r, 200, "case.status", "closed", "case.no", no, NULL). */
void	expect_strs(struct resp *r, long status, ...) __attribute__((sentinel));

/* One request (http_json: token and body may be NULL) whose reply must have this status /
 * be this error; the reply is freed.  For the steps of a test whose reply says no more. */
void	expect_reply(const char *method, const char *path, const char *token, const char *body,
	    long status);
void	expect_refusal(const char *method, const char *path, const char *token, const char *body,
	    long status, const char *code);
/* The reply is 400 INVALID_INPUT and its error.fields names every field of fields, a list
 * separated by spaces ("name periods[0].close"); a missing one is named in the failure.
 * expect_invalid sends the request (http_json) first and frees the reply. */
void	assert_invalid(struct resp *r, const char *fields);
void	expect_invalid(const char *method, const char *path, const char *token, const char *body,
	    const char *fields);

/* GET the path made of fmt as the bearer of token (NULL: none), expect 200: the member
 * ("case.results") of the reply, a new reference (NULL when absent). */
json_t	*get_member(const char *token, const char *member, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* The same, for a member that is an array of objects: the one whose key is the string val
 * (a new reference), or NULL when none is. */
json_t	*get_entry(const char *token, const char *member, const char *key, const char *val,
	    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The n bytes at p are a PDF (over 1000 bytes, "%PDF-") and are written to
 * /tmp/<tag>_<pid>.pdf for a tool to read (pdftotext, pdftoppm); its name into path. */
void	pdf_saved(const void *p, size_t n, const char *tag, char *path, size_t psz);
/* The day number (days since 1970-01-01) of a date "YYYY-MM-DD"; the test fails on a bad one. */
int64_t	day_of(const char *iso);
/* Move the hall clock (set_clock) and give the app and the worker time to see it. */
void	clock_at(const char *when);

/* GET /api/v1/health until it answers want (200 once a service is back, 503 while one is
 * away), for up to ms; the test fails when it does not. */
void	wait_health(long want, int ms);

#endif
