/*
 * test_signin.c — the staff sign-in guard's decisions that need no Redis (signin_guard.h):
 * the client address the throttle counts under (one key per IPv4 host, per IPv6 /64 — a host
 * commonly holds a whole /64, so counting per IPv6 address would give a guesser endless fresh
 * addresses — IPv4-mapped IPv6 as IPv4); what a lock tells the clerk (Retry-After); and
 * which failures and locks the hall manager sees in the staff list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../lib/tests.h"
#include "../../modules/identity/signin_guard.h"

static void
addr_is(const char *in, const char *want)
{
	char out[SIGNIN_ADDR_MAX];

	signin_addr_norm(in, out, sizeof out);
	assert_string_equal(out, want);
}

TEST(addresses)
{
	char small[8];

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

TEST(verdicts)
{
	int ra = -1;

	assert_int_equal(signin_verdict_of(0, 12345, &ra), SIGNIN_GO);
	assert_int_equal(ra, 0);
	/* The lock's rest in whole seconds, rounded up: never "retry in 0 s". */
	assert_int_equal(signin_verdict_of(1, 1, &ra), SIGNIN_LOCKED);
	assert_int_equal(ra, 1);
	assert_int_equal(signin_verdict_of(1, 1001, &ra), SIGNIN_LOCKED);
	assert_int_equal(ra, 2);
	assert_int_equal(signin_verdict_of(1, 0, &ra), SIGNIN_LOCKED);
	assert_int_equal(ra, 1);
	assert_int_equal(signin_verdict_of(2, 15 * 60000, &ra), SIGNIN_ACCOUNT_LOCKED);
	assert_int_equal(ra, 900);
	/* A day at most, whatever the count says. */
	assert_int_equal(signin_verdict_of(2, 7LL * 86400000, &ra), SIGNIN_ACCOUNT_LOCKED);
	assert_int_equal(ra, 86400);
	/* Every place held by attempts in flight: wait, do not refuse. */
	assert_int_equal(signin_verdict_of(3, 0, &ra), SIGNIN_BUSY);
	assert_int_equal(ra, 0);
}

#define NOW	1795449570000LL
#define LOCK	(15 * 60000LL)
#define WINDOW	(60 * 60000LL)

TEST(address_state)
{
	const long long locked[3] = { 5, NOW + 1000, NOW - 10 };
	const long long lock_over[3] = { 5, NOW - 1, NOW - 100 };
	const long long recent[3] = { 2, 0, NOW - LOCK + 1 };
	const long long stale[3] = { 2, 0, NOW - LOCK };
	const long long none[3] = { 0, 0, NOW };
	int l = 0;

	assert_int_equal(signin_address_shown(locked, NOW, LOCK, &l), 1);
	assert_int_equal(l, 1);
	l = 0;
	/* A lock that has ended starts the address afresh: not shown, not locked. */
	assert_int_equal(signin_address_shown(lock_over, NOW, LOCK, &l), 0);
	/* Failures count while the latest is within the lock time of now. */
	assert_int_equal(signin_address_shown(recent, NOW, LOCK, &l), 1);
	assert_int_equal(signin_address_shown(stale, NOW, LOCK, &l), 0);
	assert_int_equal(signin_address_shown(none, NOW, LOCK, &l), 0);
	assert_int_equal(l, 0);
}

TEST(account_state)
{
	const long long locked[3] = { 20, NOW - WINDOW, NOW + 5000 };
	const long long counting[3] = { 3, NOW - WINDOW + 1, 0 };
	const long long window_over[3] = { 3, NOW - WINDOW, 0 };
	/* A lock that has ended, its window still open: the account starts afresh. */
	const long long lock_over[3] = { 20, NOW - 1000, NOW - 1 };
	long long f = 0, until = 0;
	int l = 0;

	signin_account_view(locked, NOW, WINDOW, &f, &until, &l);
	assert_int_equal(f, 20);
	assert_int_equal(until, NOW + 5000);
	assert_int_equal(l, 1);
	f = until = 0;
	l = 0;
	signin_account_view(counting, NOW, WINDOW, &f, &until, &l);
	assert_int_equal(f, 3);
	assert_int_equal(until, 0);
	assert_int_equal(l, 0);
	f = 0;
	signin_account_view(window_over, NOW, WINDOW, &f, &until, &l);
	assert_int_equal(f, 0);
	signin_account_view(lock_over, NOW, WINDOW, &f, &until, &l);
	assert_int_equal(f, 0);
	assert_int_equal(until, 0);
	assert_int_equal(l, 0);
}

UNIT_MAIN("signin", NULL, NULL)
