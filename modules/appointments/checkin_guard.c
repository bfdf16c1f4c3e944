/*
 * checkin_guard.c — the check-in-by-code throttle (see checkin_guard.h).
 *
 * Redis:  {hall:<code>}:checkin:misses, {hall:<code>}:checkin:s:<session id>
 */
#include "checkin_guard.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/util.h"

#include <string.h>

/*
 * KEYS: the session's misses, the hall's misses.
 * ARGV: now (hall ms), member, session limit, hall limit, window ms.
 * Returns {0, 0} (a miss counted in both), or {1 session | 2 hall, ms until one leaves}.
 * Both counts are checked before anything is written.
 */
static struct kv_script s_take = { "checkin_guard_take",
	"local now, win = tonumber(ARGV[1]), tonumber(ARGV[5])\n"
	"local lim = { tonumber(ARGV[3]), tonumber(ARGV[4]) }\n"
	"for i = 1, 2 do\n"
	"  local n = redis.call('ZCOUNT', KEYS[i], now - win + 1, '+inf')\n"
	"  if n >= lim[i] then\n"
	"    local e = redis.call('ZRANGEBYSCORE', KEYS[i], now - win + 1, '+inf', 'WITHSCORES',"
	"      'LIMIT', n - lim[i], 1)\n"
	"    local ms = tonumber(e[2]) + win - now\n"
	"    if ms > win then ms = win end\n"
	"    return { i, ms }\n"
	"  end\n"
	"end\n"
	"for i = 1, 2 do\n"
	"  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - win)\n"
	"  redis.call('ZADD', KEYS[i], now, ARGV[2])\n"
	"  redis.call('PEXPIRE', KEYS[i], win)\n"
	"end\n"
	"return { 0, 0 }\n", "" };

/* KEYS: the session's misses, the hall's misses.  ARGV: member. */
static struct kv_script s_give_back = { "checkin_guard_give_back",
	"redis.call('ZREM', KEYS[1], ARGV[1])\n"
	"redis.call('ZREM', KEYS[2], ARGV[1])\n"
	"return 1\n", "" };

int
checkin_guard_begin(struct ctx *c, const char *hall, const char *session_id,
    struct checkin_try *t, int *retry_after)
{
	char now[24], smax[24], hmax[24], win[24], rnd[16];
	const char *args[7] = { t->session_key, t->hall_key, now, t->member, smax, hmax, win };
	long long wms = config_int("checkin_code_window_minutes", 10, 1, 24 * 60) * 60000;
	int64_t ms = hall_now_ms();
	long long v[2], verdict, wait;

	memset(t, 0, sizeof *t);
	*retry_after = 0;
	if (fmt(t->hall_key, sizeof t->hall_key, "{hall:%s}:checkin:misses", hall) < 0 ||
	    fmt(t->session_key, sizeof t->session_key, "{hall:%s}:checkin:s:%s", hall,
	    session_id) < 0)
		return CHECKIN_DOWN;
	token_new(rnd, sizeof rnd, 6);
	fmt(t->member, sizeof t->member, "%lld-%s", (long long)ms, rnd);
	fmt(now, sizeof now, "%lld", (long long)ms);
	fmt(smax, sizeof smax, "%lld", config_int("checkin_code_session_misses", 10, 1, 10000));
	fmt(hmax, sizeof hmax, "%lld", config_int("checkin_code_hall_misses", 30, 1, 100000));
	fmt(win, sizeof win, "%lld", wms);
	if (kv_eval_ints(c, &s_take, 2, 7, args, v, 2) != 0)
		return CHECKIN_DOWN;
	verdict = v[0];
	wait = v[1];
	if (verdict == 0) {
		t->held = 1;
		return CHECKIN_GO;
	}
	wait = (wait + 999) / 1000;
	*retry_after = wait < 1 ? 1 : (int)wait;
	return verdict == 1 ? CHECKIN_SESSION_LIMIT : CHECKIN_HALL_LIMIT;
}

int
checkin_guard_found(struct ctx *c, struct checkin_try *t)
{
	const char *args[3];
	redisReply *rep;
	int ok;

	if (!t->held)
		return 0;
	args[0] = t->session_key;
	args[1] = t->hall_key;
	args[2] = t->member;
	rep = kv_eval(c, &s_give_back, 2, 3, args, NULL);
	ok = rep != NULL && rep->type == REDIS_REPLY_INTEGER;
	if (rep)
		freeReplyObject(rep);
	if (ok)
		t->held = 0;
	return ok ? 0 : -1;
}
