/*
 * state_scripts.c — the appointments' Redis vocabulary: the key names of a hall's day, how
 * long each lives, and the Lua scripts that check and change them (every check before the
 * first write; state.h lists the keys).
 *
 * Routes, tables: none.  Redis: {hall:<code>}:appt:* (state.h).
 */
#include "state.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ keys */

static void
ymd(int64_t day, char out[9])
{
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(out, 9, "%04d%02u%02u", y, m, d);
}

void
appt_keys(const char *hall, int64_t day, struct akeys *k)
{
	char d[9], w[9];
	int mo = appt_month(day);

	ymd(day, d);
	ymd(appt_monday(day), w);
	snprintf(k->rd, sizeof k->rd, "{hall:%s}:appt:ready:d:%s", hall, d);
	snprintf(k->rw, sizeof k->rw, "{hall:%s}:appt:ready:w:%s", hall, w);
	snprintf(k->rm, sizeof k->rm, "{hall:%s}:appt:ready:m:%06d", hall, mo);
	snprintf(k->rb, sizeof k->rb, "{hall:%s}:appt:ready:b", hall);
	snprintf(k->cap, sizeof k->cap, "{hall:%s}:appt:cap:%s", hall, d);
	snprintf(k->free, sizeof k->free, "{hall:%s}:appt:free:%s", hall, d);
	snprintf(k->cday, sizeof k->cday, "{hall:%s}:appt:cday:%s", hall, d);
	snprintf(k->iday, sizeof k->iday, "{hall:%s}:appt:iday:%s", hall, d);
	snprintf(k->wk, sizeof k->wk, "{hall:%s}:appt:wk:%s", hall, w);
	snprintf(k->mo, sizeof k->mo, "{hall:%s}:appt:mo:%06d", hall, mo);
	snprintf(k->bans, sizeof k->bans, "{hall:%s}:appt:bans", hall);
}

void
appt_holder(long long citizen, long long proxy_id, const char *idhash,
    char out[APPT_HOLDER_MAX])
{
	if (proxy_id > 0)
		snprintf(out, APPT_HOLDER_MAX, "x:%s", idhash);
	else
		snprintf(out, APPT_HOLDER_MAX, "%lld", citizen);
}

/* Seconds until two days after `until_day` (a day number) begins: keys outlive their day. */
long long
appt_ttl_until(int64_t until_day)
{
	long long t = (long long)(appt_instant(until_day + 2, 0) - hall_now());

	return t < 60 ? 60 : t;
}

long long
appt_ttl_day(int64_t day)
{
	return appt_ttl_until(day + 1);
}

long long
appt_ttl_week(int64_t day)
{
	return appt_ttl_until(appt_monday(day) + 7);
}

long long
appt_ttl_month(int64_t day)
{
	int ym = appt_month(day), y = ym / 100, m = ym % 100;

	return appt_ttl_until(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : (unsigned)m + 1, 1));
}

/* ------------------------------------------------------------------ scripts */

/*
 * Take a place.  Every check comes before the first write; the rules:
 * banned → already booked that day → weekly cap → monthly cap → full.
 * KEYS rd rw rm rb cap free cday iday wk mo bans
 * ARGV slot citizen idhash today per_week per_month one_per_day ttl_d ttl_w ttl_m
 *      move same_day same_week same_month peek
 * peek = '1': the same checks, nothing written, FREE where a place would be taken.
 */
struct kv_script appt_s_take = { "appt_take",
	"local miss = ''\n"
	"if redis.call('EXISTS', KEYS[1]) == 0 then miss = miss .. 'd' end\n"
	"if redis.call('EXISTS', KEYS[2]) == 0 then miss = miss .. 'w' end\n"
	"if redis.call('EXISTS', KEYS[3]) == 0 then miss = miss .. 'm' end\n"
	"if redis.call('EXISTS', KEYS[4]) == 0 then miss = miss .. 'b' end\n"
	"if miss ~= '' then return {'REBUILD', miss} end\n"
	"if not redis.call('HGET', KEYS[5], ARGV[1]) then return {'NO_SLOT'} end\n"
	"if ARGV[11] ~= '1' then\n"
	"  local u = redis.call('HGET', KEYS[11], ARGV[3])\n"
	"  if u and tonumber(u) >= tonumber(ARGV[4]) then return {'BANNED', u} end\n"
	"end\n"
	"if ARGV[7] == '1' and ARGV[12] ~= '1' and\n"
	"   (redis.call('HEXISTS', KEYS[7], ARGV[2]) == 1 or\n"
	"    redis.call('HEXISTS', KEYS[8], ARGV[3]) == 1) then return {'ALREADY'} end\n"
	"if ARGV[13] ~= '1' and\n"
	"   tonumber(redis.call('HGET', KEYS[9], ARGV[3]) or '0') >= tonumber(ARGV[5]) then\n"
	"  return {'LIMIT', 'week'} end\n"
	"if ARGV[14] ~= '1' and\n"
	"   tonumber(redis.call('HGET', KEYS[10], ARGV[3]) or '0') >= tonumber(ARGV[6]) then\n"
	"  return {'LIMIT', 'month'} end\n"
	"local m = redis.call('ZRANGEBYLEX', KEYS[6], '[' .. ARGV[1] .. '|',\n"
	"  '[' .. ARGV[1] .. '|~', 'LIMIT', 0, 1)\n"
	"if #m == 0 then return {'FULL'} end\n"
	"if ARGV[15] == '1' then return {'FREE'} end\n"
	"redis.call('ZREM', KEYS[6], m[1])\n"
	"if ARGV[12] ~= '1' then\n"
	"  redis.call('HSET', KEYS[7], ARGV[2], 1)\n"
	"  redis.call('HSET', KEYS[8], ARGV[3], 1)\n"
	"  redis.call('EXPIRE', KEYS[7], ARGV[8])\n"
	"  redis.call('EXPIRE', KEYS[8], ARGV[8])\n"
	"end\n"
	"if ARGV[13] ~= '1' then\n"
	"  redis.call('HINCRBY', KEYS[9], ARGV[3], 1)\n"
	"  redis.call('EXPIRE', KEYS[9], ARGV[9])\n"
	"end\n"
	"if ARGV[14] ~= '1' then\n"
	"  redis.call('HINCRBY', KEYS[10], ARGV[3], 1)\n"
	"  redis.call('EXPIRE', KEYS[10], ARGV[10])\n"
	"end\n"
	"return {'OK', string.sub(m[1], #ARGV[1] + 2), redis.call('GET', KEYS[1]),\n"
	"  redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3])}\n", "" };

/*
 * Give a place back, only into the markers it was taken from (epochs).
 * KEYS rd rw rm free cday iday wk mo cap
 * ARGV slot seat(0007) citizen idhash ep_d ep_w ep_m parts(s d w m)
 */
struct kv_script appt_s_release = { "appt_release",
	"local function has(p) return string.find(ARGV[8], p, 1, true) ~= nil end\n"
	"if ARGV[5] ~= '' and redis.call('GET', KEYS[1]) == ARGV[5] then\n"
	"  if has('s') then\n"
	"    local cap = tonumber(redis.call('HGET', KEYS[9], ARGV[1]) or '0')\n"
	"    if tonumber(ARGV[2]) <= cap then\n"
	"      redis.call('ZADD', KEYS[4], 0, ARGV[1] .. '|' .. ARGV[2])\n"
	"    end\n"
	"  end\n"
	"  if has('d') then\n"
	"    redis.call('HDEL', KEYS[5], ARGV[3])\n"
	"    redis.call('HDEL', KEYS[6], ARGV[4])\n"
	"  end\n"
	"end\n"
	"if has('w') and ARGV[6] ~= '' and redis.call('GET', KEYS[2]) == ARGV[6] then\n"
	"  if redis.call('HINCRBY', KEYS[7], ARGV[4], -1) <= 0 then\n"
	"    redis.call('HDEL', KEYS[7], ARGV[4]) end\n"
	"end\n"
	"if has('m') and ARGV[7] ~= '' and redis.call('GET', KEYS[3]) == ARGV[7] then\n"
	"  if redis.call('HINCRBY', KEYS[8], ARGV[4], -1) <= 0 then\n"
	"    redis.call('HDEL', KEYS[8], ARGV[4]) end\n"
	"end\n"
	"return 1\n", "" };

/*
 * Load a day from MariaDB's rows; the marker last.  Does nothing when the marker is back.
 * KEYS rd cap free cday iday   ARGV epoch ttl json {s:[[id,cap,[seats taken]]], c:[], i:[]}
 */
struct kv_script appt_s_load_day = { "appt_load_day",
	"if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
	"redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])\n"
	"local t = cjson.decode(ARGV[3])\n"
	"for _, s in ipairs(t.s) do\n"
	"  local id, cap, taken, batch = s[1], tonumber(s[2]), {}, {}\n"
	"  for _, x in ipairs(s[3]) do taken[tonumber(x)] = true end\n"
	"  redis.call('HSET', KEYS[2], id, cap)\n"
	"  for i = 1, cap do\n"
	"    if not taken[i] then\n"
	"      batch[#batch + 1] = 0\n"
	"      batch[#batch + 1] = string.format('%s|%04d', id, i)\n"
	"      if #batch >= 400 then redis.call('ZADD', KEYS[3], unpack(batch)); batch = {} end\n"
	"    end\n"
	"  end\n"
	"  if #batch > 0 then redis.call('ZADD', KEYS[3], unpack(batch)) end\n"
	"end\n"
	"for _, x in ipairs(t.c) do redis.call('HSET', KEYS[4], x, 1) end\n"
	"for _, x in ipairs(t.i) do redis.call('HSET', KEYS[5], x, 1) end\n"
	"for i = 2, 5 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end\n"
	"redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"
	"return 1\n", "" };

/* Load a hash (week, month, bans) and set its marker.  KEYS marker hash
 * ARGV epoch ttl('0': none) json {field: "value"} */
struct kv_script appt_s_load_hash = { "appt_load_hash",
	"if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end\n"
	"redis.call('DEL', KEYS[2])\n"
	"for k, v in pairs(cjson.decode(ARGV[3])) do redis.call('HSET', KEYS[2], k, v) end\n"
	"if ARGV[2] ~= '0' then\n"
	"  redis.call('EXPIRE', KEYS[2], ARGV[2])\n"
	"  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])\n"
	"else\n"
	"  redis.call('SET', KEYS[1], ARGV[1])\n"
	"end\n"
	"return 1\n", "" };

/* Capacity and free places of each slot of a day.  KEYS rd cap free
 * → {'REBUILD'} or {'OK', id, cap, free, id, cap, free, …} */
struct kv_script appt_s_list = { "appt_list",
	"if redis.call('EXISTS', KEYS[1]) == 0 then return {'REBUILD'} end\n"
	"local caps = redis.call('HGETALL', KEYS[2])\n"
	"local out = {'OK'}\n"
	"for i = 1, #caps, 2 do\n"
	"  local id = caps[i]\n"
	"  out[#out + 1] = id\n"
	"  out[#out + 1] = caps[i + 1]\n"
	"  out[#out + 1] = tostring(redis.call('ZLEXCOUNT', KEYS[3], '[' .. id .. '|',\n"
	"    '[' .. id .. '|~'))\n"
	"end\n"
	"return out\n", "" };

/* A new capacity: refused when a place above it is taken.  KEYS rd cap free
 * ARGV slot capacity */
struct kv_script appt_s_set_cap = { "appt_set_cap",
	"if redis.call('EXISTS', KEYS[1]) == 0 then return {'REBUILD'} end\n"
	"local old = redis.call('HGET', KEYS[2], ARGV[1])\n"
	"if not old then return {'NO_SLOT'} end\n"
	"old = tonumber(old)\n"
	"local n = tonumber(ARGV[2])\n"
	"for i = n + 1, old do\n"
	"  if not redis.call('ZSCORE', KEYS[3], string.format('%s|%04d', ARGV[1], i)) then\n"
	"    return {'BELOW', tostring(old)} end\n"
	"end\n"
	"for i = n + 1, old do\n"
	"  redis.call('ZREM', KEYS[3], string.format('%s|%04d', ARGV[1], i)) end\n"
	"for i = old + 1, n do\n"
	"  redis.call('ZADD', KEYS[3], 0, string.format('%s|%04d', ARGV[1], i)) end\n"
	"redis.call('HSET', KEYS[2], ARGV[1], n)\n"
	"return {'OK', tostring(old)}\n", "" };

/* KEYS rb bans  ARGV idhash until: a ban (kept when a later one is there). */
struct kv_script appt_s_ban = { "appt_ban",
	"if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
	"local u = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')\n"
	"if u < tonumber(ARGV[2]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end\n"
	"return 1\n", "" };

struct kv_script appt_s_unlock = { "appt_unlock",
	"if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end\n"
	"return 0\n", "" };

static pthread_once_t scripts_once = PTHREAD_ONCE_INIT;

static void
scripts_init(void)
{
	kv_script_init(&appt_s_take);
	kv_script_init(&appt_s_release);
	kv_script_init(&appt_s_load_day);
	kv_script_init(&appt_s_load_hash);
	kv_script_init(&appt_s_list);
	kv_script_init(&appt_s_set_cap);
	kv_script_init(&appt_s_ban);
	kv_script_init(&appt_s_unlock);
}

/* Run a script; args are NUL-terminated strings. */
redisReply *
appt_run(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args)
{
	pthread_once(&scripts_once, scripts_init);
	return kv_eval(c, s, nkeys, nargs, args, NULL);
}

int
appt_run_ok(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args)
{
	redisReply *rep = appt_run(c, s, nkeys, nargs, args);
	int rc;

	if (rep == NULL)
		return -1;
	rc = rep->type == REDIS_REPLY_ERROR ? -1 : 0;
	freeReplyObject(rep);
	return rc;
}

int
appt_is_str(const redisReply *rep, size_t i, const char *s)
{
	return rep && rep->type == REDIS_REPLY_ARRAY && rep->elements > i &&
	    rep->element[i]->type == REDIS_REPLY_STRING && strcmp(rep->element[i]->str, s) == 0;
}

const char *
appt_elem(const redisReply *rep, size_t i)
{
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements <= i ||
	    rep->element[i]->type != REDIS_REPLY_STRING)
		return "";
	return rep->element[i]->str;
}

void
appt_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
