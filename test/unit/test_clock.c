/*
 * test_clock.c — hall time and date arithmetic, and the small string helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/util.h"

TEST(rfc3339)
{
	int64_t t, u;
	char buf[40];

	assert_int_equal(time_parse("2026-11-23T09:00:00+08:00", &t), 0);
	assert_int_equal(time_parse("2026-11-23T01:00:00Z", &u), 0);
	assert_true(t == u);
	time_format(t, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-23T09:00:00+08:00");
	assert_int_equal(time_parse("2026-11-23T01:00:00.123Z", &u), 0);
	assert_int_equal(time_parse("2026-02-30T01:00:00Z", &u), -1);
	assert_int_equal(time_parse("2026-11-23 25:00:00Z", &u), -1);
	assert_int_equal(time_parse("2026-11-23T01:00:00", &u), -1);
	/* The logs' stamp: the same instant to the millisecond, in the hall's zone. */
	time_format_ms(t * 1000 + 7, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-23T09:00:00.007+08:00");
	time_format_ms(-1, buf, sizeof buf);	/* before the epoch: the second before */
	assert_string_equal(buf, "1970-01-01T07:59:59.999+08:00");
	/* 23:30 UTC is the next day in the hall. */
	assert_int_equal(time_parse("2026-11-22T23:30:00Z", &u), 0);
	date_format_t(u, buf, sizeof buf);
	assert_string_equal(buf, "2026-11-23");
}

TEST(dates)
{
	int64_t d;
	int y;
	unsigned m, dd;
	char buf[16];

	assert_int_equal(date_parse("2026-10-10", &d), 0);
	assert_int_equal(weekday_of_days(d), 6);	/* a Saturday (调休 working day) */
	civil_from_days(d + 83, &y, &m, &dd);
	assert_int_equal(y, 2027);
	assert_int_equal(m, 1);
	assert_int_equal(dd, 1);
	assert_int_equal(date_parse("2028-02-29", &d), 0);
	assert_int_equal(date_parse("2026-02-29", &d), -1);
	assert_int_equal(date_parse("2026-1-01", &d), -1);
	date_format_days(days_from_civil(1970, 1, 1), buf, sizeof buf);
	assert_string_equal(buf, "1970-01-01");
	assert_int_equal(weekday_of_days(0), 4);	/* 1970-01-01 was a Thursday */
}

TEST(clock_starts_at_given_instant)
{
	int64_t now;

	config_set("clock_base", "1795395600");	/* 2026-11-23T09:00:00+08:00 */
	config_set("clock_real", "1000");
	clock_init();
	now = hall_now();
	/* Real time has run on since "1000", so the hall clock is far past its start. */
	assert_true(now > 1795395600);
	config_set("clock_real", "0");
	config_set("clock_base", "0");
	clock_init();
}

TEST(strings)
{
	long long n;
	char small[4], sum[65];
	struct buf b;

	hex_sha256("abc", 3, sum);	/* FIPS 180-2's example */
	assert_string_equal(sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(parse_ll("42", 0, 100, &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(parse_ll("4x", 0, 100, &n), -1);
	assert_int_equal(parse_ll("", 0, 100, &n), -1);
	assert_int_equal(parse_ll("101", 0, 100, &n), -1);
	assert_int_equal(parse_ll("99999999999999999999", 0, 100, &n), -1);
	assert_int_equal(str_copy(small, sizeof small, "abcdef"), 6);
	assert_string_equal(small, "abc");
	assert_true(utf8_ok("中文", strlen("中文")));
	assert_false(utf8_ok("\xc0\xaf", 2));		/* overlong */
	assert_false(utf8_ok("\xed\xa0\x80", 3));	/* surrogate */
	assert_false(utf8_ok("\xe4\xb8", 2));		/* truncated */
	assert_int_equal(utf8_len("张三a", strlen("张三a")), 3);
	buf_init(&b, 8);
	assert_int_equal(buf_adds(&b, "1234567"), 0);
	assert_int_equal(buf_adds(&b, "8"), -1);
	assert_true(b.overflow);
	buf_free(&b);
	assert_true(token_ok("abc-_D9", 64));
	assert_false(token_ok("abc/", 64));
	assert_false(token_ok("", 64));
}

UNIT_MAIN("clock", NULL, NULL)
