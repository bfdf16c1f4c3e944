/*
 * test_signin.c — the client address the sign-in throttle counts under (signin_guard.h):
 * one key per IPv4 host, per IPv6 /64 (a host commonly holds a whole /64, so counting per
 * IPv6 address would give a guesser endless fresh addresses), IPv4-mapped IPv6 as IPv4.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../modules/identity/signin_guard.h"

static void
addr_is(const char *in, const char *want)
{
	char out[SIGNIN_ADDR_MAX];

	signin_addr_norm(in, out, sizeof out);
	assert_string_equal(out, want);
}

static void
addresses(void **st)
{
	char small[8];

	(void)st;
	addr_is("203.0.113.7", "203.0.113.7");
	addr_is("::ffff:203.0.113.7", "203.0.113.7");
	addr_is("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64");
	addr_is("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64");
	addr_is("2001:db8:1:3::1", "2001:db8:1:3::/64");
	addr_is("::1", "::/64");
	addr_is("", "-");
	addr_is(NULL, "-");
	/* Not an address: kept in characters a key and a member can hold ('|' never). */
	addr_is("unix:/run/x|y", "unix:_run_x_y");
	signin_addr_norm("unix:/a/very/long/path/of/a/socket/that/goes/on/and/on/and/on", small,
	    sizeof small);
	assert_int_equal(strlen(small), sizeof small - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addresses),
	};

	return cmocka_run_group_tests_name("signin", tests, NULL, NULL);
}
