/*
 * checkin_guard.h — checking in by the 6-digit booking code is throttled, so the codes of a
 * hall's bookings cannot be found by trying them at a kiosk or a clerk's desk.
 *
 * A code that matches no booking of the hall today is a miss.  Misses are counted per kiosk
 * or clerk session and per hall over a sliding window of the hall clock; once either count
 * is at its limit, check-in by code answers 429 RATE_LIMITED with Retry-After (the seconds
 * until the oldest counted miss leaves the window) and no code is looked up.  Each try takes
 * its place in both counts before the code is looked up (one Lua script: check, then count)
 * and gives it back when the code is found, so concurrent tries cannot overshoot.
 * Configuration (defaults in brackets): checkin_code_session_misses [10],
 * checkin_code_hall_misses [30], checkin_code_window_minutes [10].
 *
 * Redis:  {hall:<code>}:checkin:misses     zset of the hall's misses (score: hall ms)
 *         {hall:<code>}:checkin:s:<session> zset of one session's misses
 */
#ifndef YC_CHECKIN_GUARD_H
#define YC_CHECKIN_GUARD_H

#include <stddef.h>

#include "../../fcgi/ctx.h"

struct checkin_try {
	char	 hall_key[80];
	char	 session_key[160];
	char	 member[48];
	int	 held;
};

enum { CHECKIN_GO = 0, CHECKIN_SESSION_LIMIT = 1, CHECKIN_HALL_LIMIT = 2, CHECKIN_DOWN = -1 };

/* Before looking a code up for session_id at hall: CHECKIN_GO (a miss is counted unless
 * checkin_guard_found() gives it back), a limit with *retry_after seconds, or CHECKIN_DOWN. */
int	checkin_guard_begin(struct ctx *c, const char *hall, const char *session_id,
	    struct checkin_try *t, int *retry_after);
/* The code matched a booking (or was never looked up): not a miss.  0 or -1. */
int	checkin_guard_found(struct ctx *c, struct checkin_try *t);

#endif
