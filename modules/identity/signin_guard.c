/*
 * signin_guard.c — the staff sign-in throttle (see signin_guard.h for the rules).
 *
 * Redis:  {signin:<hall>}:u:<h>, {signin:<hall>}:i:<h> (signin_guard.h).
 *
 * Why places are taken before the password is checked: an argon2id check takes a quarter of
 * a second, so eighteen requests sent at once all passed a "fewer than five failures?" test
 * made before any of them had failed, and all eighteen passwords were checked.  Here the
 * test and the taking of a place are one script, and a place is held until its attempt is
 * settled (or its lease of SIGNIN_LEASE_MS runs out, should the process die meanwhile).
 */
#include "signin_guard.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIGNIN_LEASE_MS 10000

/* "f,u,l" → three numbers (0 when absent or malformed). */
#define LUA_THREE \
	"local function three(v)\n" \
	"  if not v then return 0, 0, 0 end\n" \
	"  local a, b, c = string.match(v, '^(%d+),(%d+),(%d+)$')\n" \
	"  if not a then return 0, 0, 0 end\n" \
	"  return tonumber(a), tonumber(b), tonumber(c)\n" \
	"end\n"

/*
 * Take a place for one attempt, or say why not.
 * KEYS: state hash, in-flight zset.
 * ARGV: now (hall ms), address, random, max, lock ms, account max, account ms, known ms,
 *       lease ms.
 * Returns {0, holds an account place 0|1}, {1, ms left} address locked, {2, ms left}
 * account locked, {3, 0} every place is held by an attempt in flight (ask again shortly).
 * Every check comes before the first write.
 */
static struct kv_script s_begin = { "signin_begin", LUA_THREE
	"local now, addr = tonumber(ARGV[1]), ARGV[2]\n"
	"local max, lock = tonumber(ARGV[4]), tonumber(ARGV[5])\n"
	"local amax, ams = tonumber(ARGV[6]), tonumber(ARGV[7])\n"
	"local known, lease = tonumber(ARGV[8]), tonumber(ARGV[9])\n"
	"local t = redis.call('TIME')\n"
	"local real = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
	"local pre = addr .. '|'\n"
	"local fa, facct = 0, 0\n"
	"for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], real, '+inf')) do\n"
	"  if string.sub(m, 3, 2 + #pre) == pre then fa = fa + 1 end\n"
	"  if string.sub(m, 1, 1) == '1' then facct = facct + 1 end\n"
	"end\n"
	"local f, u, l = three(redis.call('HGET', KEYS[1], 'a:' .. addr))\n"
	"if u > now then return {1, u - now} end\n"
	"if u > 0 or l + lock <= now then f = 0 end\n"
	"local slot = 0\n"
	"local k = tonumber(redis.call('HGET', KEYS[1], 'k:' .. addr) or '0')\n"
	"if not (k > 0 and k + known > now) then\n"
	"  local af, a0, au = three(redis.call('HGET', KEYS[1], 'acct'))\n"
	"  if au > now then return {2, au - now} end\n"
	"  if au > 0 or a0 + ams <= now then af = 0 end\n"
	"  if af + facct >= amax then return {3, 0} end\n"
	"  slot = 1\n"
	"end\n"
	"if f + fa >= max then return {3, 0} end\n"
	"redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. string.format('%d', real))\n"
	"redis.call('ZADD', KEYS[2], string.format('%d', real + lease),"
	"  slot .. '|' .. addr .. '|' .. ARGV[3])\n"
	"redis.call('PEXPIRE', KEYS[2], lease * 2)\n"
	"return {0, slot}\n", "" };

/*
 * Settle an attempt.
 * KEYS: state hash, in-flight zset.
 * ARGV: now, address, member, ok|fail|cancel, max, lock ms, account max, account ms,
 *       known ms.
 * Returns {1 if the place was still held, locks engaged: 1 address + 2 account}.
 */
static struct kv_script s_settle = { "signin_settle", LUA_THREE
	"local now, addr, o = tonumber(ARGV[1]), ARGV[2], ARGV[4]\n"
	"local max, lock = tonumber(ARGV[5]), tonumber(ARGV[6])\n"
	"local amax, ams, known = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])\n"
	"local held = redis.call('ZREM', KEYS[2], ARGV[3])\n"
	"if o == 'cancel' then return {held, 0} end\n"
	"local engaged = 0\n"
	"if o == 'ok' then\n"
	"  redis.call('HDEL', KEYS[1], 'a:' .. addr)\n"
	"  redis.call('HSET', KEYS[1], 'k:' .. addr, ARGV[1], 'K', ARGV[1])\n"
	"else\n"
	"  local f, u, l = three(redis.call('HGET', KEYS[1], 'a:' .. addr))\n"
	"  if u <= now then\n"
	"    if u > 0 or l + lock <= now then f = 0 end\n"
	"    f, u = f + 1, 0\n"
	"    if f >= max then u = now + lock; engaged = 1 end\n"
	"    redis.call('HSET', KEYS[1], 'a:' .. addr, string.format('%d,%d,%d', f, u, now))\n"
	"  end\n"
	"  if string.sub(ARGV[3], 1, 1) == '1' then\n"
	"    local af, a0, au = three(redis.call('HGET', KEYS[1], 'acct'))\n"
	"    if au <= now then\n"
	"      if au > 0 or a0 + ams <= now then af, a0 = 0, now end\n"
	"      af, au = af + 1, 0\n"
	"      if af >= amax then au = now + ams; engaged = engaged + 2 end\n"
	"      redis.call('HSET', KEYS[1], 'acct', string.format('%d,%d,%d', af, a0, au))\n"
	"    end\n"
	"  end\n"
	"end\n"
	/* Expiry only collects garbage: the hall clock decides what is still counted. */
	"local want = math.max(lock, ams) * 2\n"
	"local K = tonumber(redis.call('HGET', KEYS[1], 'K') or '0')\n"
	"if K > 0 and K + known > now then want = math.max(want, K + known - now) end\n"
	"if redis.call('PTTL', KEYS[1]) < want then redis.call('PEXPIRE', KEYS[1], want) end\n"
	/* Forget addresses whose failures no longer count, and addresses known long ago. */
	"if redis.call('HLEN', KEYS[1]) > 64 then\n"
	"  local all = redis.call('HGETALL', KEYS[1])\n"
	"  for i = 1, #all, 2 do\n"
	"    local p = string.sub(all[i], 1, 2)\n"
	"    if p == 'a:' then\n"
	"      local _, u2, l2 = three(all[i + 1])\n"
	"      if u2 <= now and l2 + lock <= now then redis.call('HDEL', KEYS[1], all[i]) end\n"
	"    elseif p == 'k:' and (tonumber(all[i + 1]) or 0) + known <= now then\n"
	"      redis.call('HDEL', KEYS[1], all[i])\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return {held, engaged}\n", "" };

/*
 * Forget every failure and lock.  KEYS: state hash.  ARGV: now.
 * Returns {addresses that were locked, 1 if the account was}.
 */
static struct kv_script s_clear = { "signin_clear", LUA_THREE
	"local now = tonumber(ARGV[1])\n"
	"local n, acct = 0, 0\n"
	"local all = redis.call('HGETALL', KEYS[1])\n"
	"for i = 1, #all, 2 do\n"
	"  if string.sub(all[i], 1, 2) == 'a:' then\n"
	"    local _, u = three(all[i + 1])\n"
	"    if u > now then n = n + 1 end\n"
	"    redis.call('HDEL', KEYS[1], all[i])\n"
	"  elseif all[i] == 'acct' then\n"
	"    local _, _, au = three(all[i + 1])\n"
	"    if au > now then acct = 1 end\n"
	"    redis.call('HDEL', KEYS[1], all[i])\n"
	"  end\n"
	"end\n"
	"return {n, acct}\n", "" };

struct rules {
	long long	 max, lock_ms, amax, ams, known_ms;
};

static void
rules_get(struct rules *ru)
{
	ru->max = config_int("staff_signin_failures", 5, 1, 100);
	ru->lock_ms = config_int("staff_signin_lock_minutes", 15, 1, 24 * 60) * 60000;
	ru->amax = config_int("staff_signin_account_failures", 20, 1, 10000);
	ru->ams = config_int("staff_signin_account_minutes", 60, 1, 24 * 60) * 60000;
	ru->known_ms = config_int("staff_signin_known_days", 30, 0, 365) * 86400000LL;
}

void
signin_addr_norm(const char *addr, char *out, size_t osz)
{
	unsigned char b[16];
	char text[INET6_ADDRSTRLEN];
	size_t i, n = 0;

	if (osz == 0)
		return;
	if (addr == NULL || *addr == '\0') {
		str_copy(out, osz, "-");
		return;
	}
	if (inet_pton(AF_INET, addr, b) == 1 &&
	    inet_ntop(AF_INET, b, text, sizeof text) != NULL) {
		str_copy(out, osz, text);
		return;
	}
	if (inet_pton(AF_INET6, addr, b) == 1) {
		static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

		if (memcmp(b, mapped, sizeof mapped) == 0) {
			if (inet_ntop(AF_INET, b + 12, text, sizeof text) != NULL) {
				str_copy(out, osz, text);
				return;
			}
		} else {
			memset(b + 8, 0, 8);
			if (inet_ntop(AF_INET6, b, text, sizeof text) != NULL &&
			    fmt(out, osz, "%s/64", text) >= 0)
				return;
		}
	}
	/* Not an address (a unix socket peer, a test): kept, in characters a key can hold. */
	for (i = 0; addr[i] && n + 1 < osz && n < SIGNIN_ADDR_MAX - 1; i++) {
		char ch = addr[i];

		out[n++] = ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || ch == '.' || ch == ':' || ch == '-') ? ch : '_';
	}
	out[n] = '\0';
}

/* The two keys of hall/username; the name is hashed (any text may be typed). */
static void
keys_of(const char *hall, const char *username, char *key, size_t ksz, char *flight,
    size_t fsz)
{
	unsigned char h[16];
	char hex[33];

	crypto_generichash(h, sizeof h, (const unsigned char *)username, strlen(username),
	    NULL, 0);
	hex_encode(hex, h, sizeof h);
	if (fmt(key, ksz, "{signin:%s}:u:%s", hall, hex) < 0)
		key[0] = '\0';
	if (flight && fmt(flight, fsz, "{signin:%s}:i:%s", hall, hex) < 0)
		flight[0] = '\0';
}

static int
ms_to_seconds(long long ms)
{
	long long s = (ms + 999) / 1000;

	return s < 1 ? 1 : s > 86400 ? 86400 : (int)s;
}

int
signin_verdict_of(long long verdict, long long value, int *retry_after)
{
	*retry_after = 0;
	if (verdict == 0)
		return SIGNIN_GO;
	if (verdict == 1 || verdict == 2) {
		*retry_after = ms_to_seconds(value);
		return verdict == 1 ? SIGNIN_LOCKED : SIGNIN_ACCOUNT_LOCKED;
	}
	return SIGNIN_BUSY;
}

int
signin_address_shown(const long long v[3], long long now, long long lock_ms, int *locked)
{
	if (v[1] > now) {
		*locked = 1;
		return 1;
	}
	return !(v[1] > 0 || v[2] + lock_ms <= now || v[0] == 0);
}

void
signin_account_view(const long long v[3], long long now, long long window_ms,
    long long *failures, long long *until, int *locked)
{
	if (v[2] > now) {
		*until = v[2];
		*failures = v[0];
		*locked = 1;
	} else if (v[2] == 0 && v[1] + window_ms > now)
		*failures = v[0];
}

int
signin_begin(struct ctx *c, const char *hall, const char *username, const char *remote_addr,
    struct signin_attempt *a, int *retry_after)
{
	struct rules ru;
	char now[24], rnd[16], max[24], lock[24], amax[24], ams[24], known[24], lease[24];
	/* KEYS: the account's counter and its flight; ARGV: now (each try), the address, a
	 * random lease id and the rules. */
	const char *args[11] = { a->key, a->flight, now, a->addr, rnd, max, lock, amax, ams,
		known, lease };
	int64_t give_up = mono_ms() + SIGNIN_WAIT_MS;
	long long v[2], verdict, value;

	memset(a, 0, sizeof *a);
	*retry_after = 0;
	rules_get(&ru);
	keys_of(hall, username, a->key, sizeof a->key, a->flight, sizeof a->flight);
	signin_addr_norm(remote_addr, a->addr, sizeof a->addr);
	token_new(rnd, sizeof rnd, 9);
	fmt(max, sizeof max, "%lld", ru.max);
	fmt(lock, sizeof lock, "%lld", ru.lock_ms);
	fmt(amax, sizeof amax, "%lld", ru.amax);
	fmt(ams, sizeof ams, "%lld", ru.ams);
	fmt(known, sizeof known, "%lld", ru.known_ms);
	fmt(lease, sizeof lease, "%d", SIGNIN_LEASE_MS);
	for (;;) {
		fmt(now, sizeof now, "%lld", (long long)hall_now_ms());
		if (kv_eval_ints(c, &s_begin, 2, 11, args, v, 2) != 0)
			return SIGNIN_DOWN;
		verdict = signin_verdict_of(v[0], v[1], retry_after);
		value = v[1];
		if (verdict == SIGNIN_GO) {
			if (fmt(a->member, sizeof a->member, "%lld|%s|%s", value, a->addr, rnd) < 0)
				a->member[0] = '\0';
			a->held = 1;
			return SIGNIN_GO;
		}
		if (verdict != SIGNIN_BUSY)
			return (int)verdict;
		/* Every place is held by an attempt in flight: its outcome decides. */
		if (mono_ms() >= give_up) {
			*retry_after = 1;
			return SIGNIN_LOCKED;
		}
		{
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
}

int
signin_settle(struct ctx *c, struct signin_attempt *a, enum signin_outcome o, int *locked)
{
	struct rules ru;
	char now[24], max[24], lock[24], amax[24], ams[24], known[24];
	const char *args[11];
	redisReply *rep;
	int rc = -1;

	if (locked)
		*locked = 0;
	if (!a->held)
		return 0;
	rules_get(&ru);
	fmt(now, sizeof now, "%lld", (long long)hall_now_ms());
	fmt(max, sizeof max, "%lld", ru.max);
	fmt(lock, sizeof lock, "%lld", ru.lock_ms);
	fmt(amax, sizeof amax, "%lld", ru.amax);
	fmt(ams, sizeof ams, "%lld", ru.ams);
	fmt(known, sizeof known, "%lld", ru.known_ms);
	args[0] = a->key;
	args[1] = a->flight;
	args[2] = now;
	args[3] = a->addr;
	args[4] = a->member;
	args[5] = o == SIGNIN_OK ? "ok" : o == SIGNIN_FAILED ? "fail" : "cancel";
	args[6] = max;
	args[7] = lock;
	args[8] = amax;
	args[9] = ams;
	args[10] = known;
	rep = kv_eval(c, &s_settle, 2, 11, args, NULL);
	if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[1]->type == REDIS_REPLY_INTEGER) {
		if (locked)
			*locked = (int)rep->element[1]->integer;
		a->held = 0;
		rc = 0;
	}
	if (rep)
		freeReplyObject(rep);
	return rc;
}

static json_t *
iso_or_null(long long ms)
{
	char t[32];

	if (ms <= 0)
		return json_null();
	time_format((int64_t)(ms / 1000), t, sizeof t);
	return json_string(t);
}

static int
three(const char *v, long long out[3])
{
	char *end;
	int i;

	for (i = 0; i < 3; i++) {
		out[i] = strtoll(v, &end, 10);
		if (end == v || out[i] < 0 || (i < 2 && *end != ',') || (i == 2 && *end != '\0'))
			return -1;
		v = end + 1;
	}
	return 0;
}

json_t *
signin_state(struct ctx *c, const char *hall, const char *username)
{
	struct rules ru;
	char key[96];
	long long now = (long long)hall_now_ms(), v[3];
	long long af = 0, au = 0;
	redisReply *rep;
	json_t *addrs, *o;
	size_t i;
	int locked = 0;

	rules_get(&ru);
	keys_of(hall, username, key, sizeof key, NULL, 0);
	rep = kv_cmd(c, "HGETALL %s", key);
	if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
		if (rep)
			freeReplyObject(rep);
		return NULL;
	}
	addrs = json_array();
	for (i = 0; i + 1 < rep->elements; i += 2) {
		const char *f = rep->element[i]->str, *val = rep->element[i + 1]->str;

		if (f == NULL || val == NULL || three(val, v) != 0) {
			continue;
		}
		if (strncmp(f, "a:", 2) == 0) {
			/* failures, locked until, last failure — as the scripts read them */
			if (!signin_address_shown(v, now, ru.lock_ms, &locked))
				continue;
			json_array_append_new(addrs, json_pack("{s:s,s:I,s:o,s:o}", "address", f + 2,
			    "failures", (json_int_t)v[0], "locked_until",
			    iso_or_null(v[1] > now ? v[1] : 0), "last_failure_at", iso_or_null(v[2])));
		} else if (strcmp(f, "acct") == 0)
			signin_account_view(v, now, ru.ams, &af, &au, &locked);
	}
	freeReplyObject(rep);
	o = json_pack("{s:b,s:{s:I,s:o},s:o}", "locked", locked, "account", "failures",
	    (json_int_t)af, "locked_until", iso_or_null(au), "addresses", addrs);
	return o;
}

int
signin_clear(struct ctx *c, const char *hall, const char *username, int *addresses,
    int *account)
{
	char key[96], now[24];
	const char *args[2];
	redisReply *rep;
	int rc = -1;

	*addresses = 0;
	*account = 0;
	keys_of(hall, username, key, sizeof key, NULL, 0);
	fmt(now, sizeof now, "%lld", (long long)hall_now_ms());
	args[0] = key;
	args[1] = now;
	rep = kv_eval(c, &s_clear, 1, 2, args, NULL);
	if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
	    rep->element[0]->type == REDIS_REPLY_INTEGER &&
	    rep->element[1]->type == REDIS_REPLY_INTEGER) {
		*addresses = (int)rep->element[0]->integer;
		*account = (int)rep->element[1]->integer;
		rc = 0;
	}
	if (rep)
		freeReplyObject(rep);
	return rc;
}
