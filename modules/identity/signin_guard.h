/*
 * signin_guard.h — staff sign-in throttle: failures counted per account and client address
 * together, with a wider per-account guard, in Redis (one Lua script per check-then-change).
 *
 * The rules (configuration keys, defaults in brackets):
 *  - staff_signin_failures [5] failed sign-ins in a row from one address to one account,
 *    each within staff_signin_lock_minutes [15] of the one before, lock that address out of
 *    that account for staff_signin_lock_minutes.  Other addresses are not affected.  A
 *    successful sign-in from the address starts its count afresh; so does the end of a lock.
 *  - staff_signin_account_failures [20] failures from all addresses together within
 *    staff_signin_account_minutes [60] lock the account for staff_signin_account_minutes to
 *    every address that has not signed in to it successfully within
 *    staff_signin_known_days [30] (distributed guessing; the clerk's own desk keeps working).
 *  - Each attempt takes its place in both counts BEFORE its password is checked: failures
 *    plus attempts in flight never exceed the limit, so however many requests arrive at once
 *    no more passwords are checked than the limit allows.  A request that finds every place
 *    taken by attempts still in flight waits for them (up to SIGNIN_WAIT_MS), so several
 *    correct sign-ins at once are never refused for it.
 *  - The state is kept per hall and user name, whether or not the account exists, so an
 *    unknown name behaves exactly like a real one (no way to find accounts).
 *  - Times are the hall clock's (a test moves it); Redis expiries only collect garbage.
 *
 * Redis:  {signin:<hall>}:u:<h>  hash: a:<address> "failures,locked_until,last_failure"
 *                                (hall ms), acct "failures,window_start,locked_until",
 *                                k:<address> last successful sign-in (hall ms), K the latest
 *         {signin:<hall>}:i:<h>  zset of attempts in flight ("<1|0>|<address>|<random>",
 *                                score: lease end in Redis server time)
 *         where <h> is a hash of the user name.
 */
#ifndef YC_SIGNIN_GUARD_H
#define YC_SIGNIN_GUARD_H

#include <stddef.h>

#include <jansson.h>

#include "../../fcgi/ctx.h"

#define SIGNIN_ADDR_MAX 48
#define SIGNIN_WAIT_MS  5000

enum signin_verdict {
	SIGNIN_GO = 0,		/* check the password, then signin_settle() */
	SIGNIN_LOCKED = 1,	/* this address is locked out of the account */
	SIGNIN_ACCOUNT_LOCKED = 2,	/* the account is locked to addresses it does not know */
	SIGNIN_DOWN = -1,	/* Redis is unreachable */
	SIGNIN_BUSY = 3		/* (inside signin_begin) every place is held in flight: wait */
};

struct signin_attempt {
	char	 key[96];
	char	 flight[96];
	char	 addr[SIGNIN_ADDR_MAX];
	char	 member[SIGNIN_ADDR_MAX + 32];
	int	 held;		/* a place is held in flight */
};

enum signin_outcome { SIGNIN_OK, SIGNIN_FAILED, SIGNIN_CANCEL };

/*
 * Ask to check a password of hall/username from remote_addr.  SIGNIN_GO holds a place
 * (settle it in every case); SIGNIN_LOCKED / SIGNIN_ACCOUNT_LOCKED give *retry_after, the
 * seconds until the lock ends.
 */
int	signin_begin(struct ctx *c, const char *hall, const char *username,
	    const char *remote_addr, struct signin_attempt *a, int *retry_after);
/*
 * Record what the checked attempt came to: SIGNIN_OK (the address starts afresh and becomes
 * known to the account), SIGNIN_FAILED (counted; *locked set when this failure engaged a
 * lock, may be NULL) or SIGNIN_CANCEL (nothing was checked: the place is given back).
 * 0, or -1 when Redis is down.
 */
int	signin_settle(struct ctx *c, struct signin_attempt *a, enum signin_outcome o,
	    int *locked);
/*
 * The sign-in state of hall/username as JSON: {"locked","account":{"failures",
 * "locked_until"},"addresses":[{"address","failures","locked_until","last_failure_at"}]}
 * (times RFC 3339 or null).  NULL when Redis is down.
 */
json_t	*signin_state(struct ctx *c, const char *hall, const char *username);
/* Forget every failure and lock of hall/username (known addresses are kept).  *addresses
 * gets how many addresses were locked, *account whether the account was.  0 or -1. */
int	signin_clear(struct ctx *c, const char *hall, const char *username, int *addresses,
	    int *account);
/*
 * The address the counts are kept under: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as IPv4), an IPv6 address as its /64 network ("2001:db8:1:2::/64": one host
 * commonly holds a whole /64), anything else (or nothing) as given, or "-".
 */
void	signin_addr_norm(const char *addr, char *out, size_t osz);

/*
 * The decisions around the scripts, pure (test/unit/test_signin.c):
 *  - signin_verdict_of: the begin script's {verdict, value} → SIGNIN_GO, SIGNIN_LOCKED /
 *    SIGNIN_ACCOUNT_LOCKED with *retry_after the lock's rest in whole seconds (rounded up,
 *    1 s to a day), or SIGNIN_BUSY;
 *  - signin_address_shown: whether an address's "failures,locked_until,last_failure" (v,
 *    hall ms) still counts at now — locked (sets *locked), or failures whose latest is
 *    within lock_ms — so the staff list shows it (signin_state);
 *  - signin_account_view: the account's "failures,window_start,locked_until" at now: a
 *    lock (*until, *failures, *locked) or failures within window_ms (*failures); else
 *    nothing is changed.
 */
int	signin_verdict_of(long long verdict, long long value, int *retry_after);
int	signin_address_shown(const long long v[3], long long now, long long lock_ms,
	    int *locked);
void	signin_account_view(const long long v[3], long long now, long long window_ms,
	    long long *failures, long long *until, int *locked);

#endif
