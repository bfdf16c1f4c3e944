/*
 * test_errors.c — the API's error vocabulary, fcgi/errors.c: every kind has a status, a
 * code and a message; the table keeps its order (by status); each (status, code) is one
 * that docs/API.md states (the page is read here, from the repository's root, where the
 * tests run); and the same code never stands at a status the page does not give it.
 * Also what a reply built from a kind looks like, and db_fail's mapping of the storage
 * codes (moved from db.c to the reply layer, unchanged).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/yc.h"

static char *api;	/* docs/API.md */

FIXTURE(setup)
{
	FILE *f = fopen("docs/API.md", "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (api = malloc((size_t)n + 1)) == NULL ||
	    fread(api, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read docs/API.md (run from the repository's root)\n");
		if (f)
			fclose(f);
		return -1;
	}
	api[n] = '\0';
	fclose(f);
	return 0;
}

FIXTURE(teardown)
{
	free(api);
	return 0;
}

TEST(every_kind_complete)
{
	int k, prev = 0;
	const char *p;

	for (k = E_OK + 1; k < E__MAX; k++) {
		const struct err_kind *e = err_kind(k);

		/* A kind missing from the table falls back to E_INTERNAL's row. */
		if (k != E_INTERNAL)
			assert_ptr_not_equal(e, err_kind(E_INTERNAL));
		assert_true(e->status >= 400 && e->status <= 599);
		assert_non_null(e->code);
		assert_true(strlen(e->code) >= 3);
		for (p = e->code; *p; p++)
			assert_true(isupper((unsigned char)*p) || *p == '_');
		assert_non_null(e->message);
		assert_true(strlen(e->message) > 0);
		assert_true(e->status >= prev);		/* the table's order: by status */
		prev = e->status;
	}
	assert_ptr_equal(err_kind(0), err_kind(E_INTERNAL));
	assert_ptr_equal(err_kind(E__MAX), err_kind(E_INTERNAL));
	assert_ptr_equal(err_kind(-3), err_kind(E_INTERNAL));
}

/* The status written nearest before the code at s (within 40 bytes), or 0. */
static int
status_before(const char *s)
{
	const char *p = s - 3, *lo = s - 40 > api ? s - 40 : api;

	for (; p >= lo; p--)
		if ((p[0] == '4' || p[0] == '5') && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) && (p == api || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[3]))
			return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	return 0;
}

TEST(documented)
{
	char quoted[64];
	int k, found;
	const char *s;

	for (k = E_OK + 1; k < E__MAX; k++) {
		const struct err_kind *e = err_kind(k);

		snprintf(quoted, sizeof quoted, "`%s`", e->code);
		found = 0;
		for (s = strstr(api, quoted); s && !found; s = strstr(s + 1, quoted))
			found = status_before(s) == e->status;
		if (!found)
			fail_msg("%d %s is not in docs/API.md", e->status, e->code);
	}
}

/* Wherever the page writes "NNN `CODE`" for a code of the table, NNN is one of its rows. */
TEST(no_other_status)
{
	const char *s, *end;
	char code[64];
	int status, k, ok;

	for (s = strchr(api, '`'); s; s = strchr(end + 1, '`')) {
		if ((end = strchr(s + 1, '`')) == NULL)
			break;
		if ((size_t)(end - s - 1) >= sizeof code)
			continue;
		memcpy(code, s + 1, (size_t)(end - s - 1));
		code[end - s - 1] = '\0';
		if (s - api < 5 || s[-1] != ' ' || !isdigit((unsigned char)s[-2]) ||
		    !isdigit((unsigned char)s[-3]) || !isdigit((unsigned char)s[-4]) ||
		    isalnum((unsigned char)s[-5]))
			continue;
		status = (s[-4] - '0') * 100 + (s[-3] - '0') * 10 + (s[-2] - '0');
		ok = -1;
		for (k = E_OK + 1; k < E__MAX; k++)
			if (strcmp(err_kind(k)->code, code) == 0)
				ok = ok == 1 ? 1 : err_kind(k)->status == status;
		if (ok == 0)
			fail_msg("docs/API.md: %d `%s`, a status errors.c does not give it",
			    status, code);
	}
}

TEST(reply_from_kind)
{
	struct req r;

	req_init(&r, NULL);
	assert_int_equal(req_err(&r, E_SLOT_FULL), 409);
	assert_int_equal(r.status, 409);
	assert_string_equal(r.err_code, "SLOT_FULL");
	assert_string_equal(r.err_msg, err_kind(E_SLOT_FULL)->message);
	req_free(&r);
	req_init(&r, NULL);
	assert_int_equal(req_err_msg(&r, E_URI_TOO_LONG, "查询过长"), 414);
	assert_string_equal(r.err_code, "TOO_LARGE");
	assert_string_equal(r.err_msg, "查询过长");
	req_free(&r);
	req_init(&r, NULL);
	assert_int_equal(req_err(&r, 9999), 500);	/* not a kind: a bug, never a 200 */
	assert_string_equal(r.err_code, "INTERNAL");
	req_free(&r);
}

TEST(storage_codes_as_replies)
{
	static const struct db_field map[] = {
		{ DBR_CHECK, NULL, "phone", "手机号不正确" },
	};
	static const struct {
		int		 rc;
		int		 status;
		const char	*code;
	} codes[] = {
		{ DB_DOWN, 503, "UNAVAILABLE" },
		{ DB_DUP, 409, "CONFLICT" },
		{ DB_FAIL, 500, NULL },
	};
	struct req r;
	size_t i;

	for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		req_init(&r, NULL);
		assert_int_equal(db_fail(&r, codes[i].rc), codes[i].status);
		if (codes[i].code)
			assert_string_equal(r.err_code, codes[i].code);
		req_free(&r);
	}
	req_init(&r, NULL);
	assert_int_equal(db_fail(&r, DB_RETRY), 503);
	assert_non_null(r.headers.data);
	assert_non_null(strstr(r.headers.data, "Retry-After: 1"));
	req_free(&r);
	req_init(&r, NULL);
	assert_int_equal(db_fail_map(&r, DB_REFUSED, DB_FIELDS(map)), 400);
	assert_string_equal(r.err_code, "INVALID_INPUT");
	assert_string_equal(json_string_value(json_object_get(r.err_fields, "phone")),
	    "手机号不正确");
	req_free(&r);
	req_init(&r, NULL);
	assert_int_equal(db_fail(&r, DB_REFUSED), 400);	/* no map: still the client's */
	assert_non_null(json_object_get(r.err_fields, "input"));
	req_free(&r);
}

/* A lookup's answer as a handler's reply: found is no reply, none a 404 with the message,
 * a storage code db_fail's reply. */
TEST(lookup_answers)
{
	struct req r;

	req_init(&r, NULL);
	assert_int_equal(db_found(&r, 1, "没有这个窗口"), 0);
	assert_null(r.err_code);
	assert_int_equal(db_found(&r, 0, "没有这个窗口"), 404);
	assert_string_equal(r.err_code, "NOT_FOUND");
	assert_string_equal(r.err_msg, "没有这个窗口");
	req_free(&r);
	req_init(&r, NULL);
	assert_int_equal(db_found(&r, DB_DOWN, "没有这个窗口"), 503);
	assert_string_equal(r.err_code, "UNAVAILABLE");
	req_free(&r);
}

UNIT_MAIN("errors", setup, teardown)
