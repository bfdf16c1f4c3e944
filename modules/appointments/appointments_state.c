/*
 * appointments_state.c — the appointments' hot state in Redis, and how it is rebuilt from
 * MariaDB.
 *
 * Routes: none (used by appointments.c, appointments_slots.c and appointments_jobs.c).
 * Tables: appointments, appointment_bans (read to rebuild); the slot plan (appt_day_slots).
 * Redis (every key under the hall's hash tag, so each script touches one cluster slot):
 *   {hall:<code>}:appt:ready:d:<YYYYMMDD>  marker: the day is loaded (value: its epoch)
 *   {hall:<code>}:appt:cap:<YYYYMMDD>      hash slot id → capacity
 *   {hall:<code>}:appt:free:<YYYYMMDD>     sorted set of the free places, "<slot id>|0007",
 *                                          all scored 0 so a slot's places are one lex range
 *   {hall:<code>}:appt:cday:<YYYYMMDD>     hash holder → 1: holds a live booking that day (the
 *                                          citizen id; "x:<ID number hash>" for a booking
 *                                          made through a proxy relation: appt_holder)
 *   {hall:<code>}:appt:iday:<YYYYMMDD>     hash ID-number hash → 1: the same per ID number
 *   {hall:<code>}:appt:ready:w:<Monday>    marker, and
 *   {hall:<code>}:appt:wk:<Monday>         hash ID-number hash → bookings that week
 *   {hall:<code>}:appt:ready:m:<YYYYMM>    marker, and
 *   {hall:<code>}:appt:mo:<YYYYMM>         hash ID-number hash → bookings that month
 *   {hall:<code>}:appt:ready:b             marker, and
 *   {hall:<code>}:appt:bans                hash ID-number hash → last banned day (day number)
 *   {hall:<code>}:appt:lock:<scope>        the rebuild lock of a scope (SET NX PX)
 *
 * Why places are numbered.  A booking takes the lowest free place of its slot in the booking
 * script and records that seat in MariaDB, where (hall, day, category, start, seat) is unique
 * for live bookings.  So even if Redis were wrong — wiped between a booking's script and its
 * commit, and rebuilt without it — two bookings can never both commit the same place: the
 * second one's insert fails, the day is invalidated and rebuilt, and it tries again.
 *
 * Why markers and epochs.  MariaDB is the record; Redis is rebuilt from it whenever a marker
 * is missing (a wipe, a restart without data, a new week): every script first checks the
 * markers it depends on and, when one is missing, changes nothing and answers REBUILD.  The
 * app then rebuilds that scope under its lock and sets the marker last, with a fresh random
 * epoch.  A booking that fails after taking a place gives it back only into the markers it
 * took it from (same epochs): a rebuilt state already comes from MariaDB and must not get the
 * place twice.
 *
 * Counting rules: a week is Monday–Sunday and a month the calendar month of the appointment
 * day; every booking that is not cancelled counts (no-shows too).  The caps and bans are per
 * hall: each hall's keys live in its own cluster slot, and one script can only see one.
 */
#include "appointments_int.h"
#include "../hall/calendar.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOCK_MS        10000
#define WAIT_STEP_MS   20
#define WAIT_STEPS     250		/* 5 s for someone else's rebuild */
#define EMPTY_TTL      300		/* a day without a loaded calendar: look again soon */

/* ------------------------------------------------------------------ keys */

struct akeys {
	char	 rd[96], rw[96], rm[96], rb[96];
	char	 cap[96], free[96], cday[96], iday[96], wk[96], mo[96], bans[96];
};

static void
ymd(int64_t day, char out[9])
{
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(out, 9, "%04d%02u%02u", y, m, d);
}

static void
akeys(const char *hall, int64_t day, struct akeys *k)
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
static long long
ttl_until(int64_t until_day)
{
	long long t = (long long)(appt_instant(until_day + 2, 0) - hall_now());

	return t < 60 ? 60 : t;
}

static long long
ttl_day(int64_t day)
{
	return ttl_until(day + 1);
}

static long long
ttl_week(int64_t day)
{
	return ttl_until(appt_monday(day) + 7);
}

static long long
ttl_month(int64_t day)
{
	int ym = appt_month(day), y = ym / 100, m = ym % 100;

	return ttl_until(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : (unsigned)m + 1, 1));
}

/* ------------------------------------------------------------------ scripts */

/*
 * Take a place.  Every check comes before the first write; the rules:
 * banned → already booked that day → weekly cap → monthly cap → full.
 * KEYS rd rw rm rb cap free cday iday wk mo bans
 * ARGV slot citizen idhash today per_week per_month one_per_day ttl_d ttl_w ttl_m
 *      move same_day same_week same_month
 */
static struct kv_script s_take = { "appt_take",
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
static struct kv_script s_release = { "appt_release",
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
static struct kv_script s_load_day = { "appt_load_day",
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
static struct kv_script s_load_hash = { "appt_load_hash",
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
static struct kv_script s_list = { "appt_list",
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
static struct kv_script s_set_cap = { "appt_set_cap",
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
static struct kv_script s_ban = { "appt_ban",
	"if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
	"local u = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')\n"
	"if u < tonumber(ARGV[2]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end\n"
	"return 1\n", "" };

static struct kv_script s_unlock = { "appt_unlock",
	"if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end\n"
	"return 0\n", "" };

static pthread_once_t scripts_once = PTHREAD_ONCE_INIT;

static void
scripts_init(void)
{
	kv_script_init(&s_take);
	kv_script_init(&s_release);
	kv_script_init(&s_load_day);
	kv_script_init(&s_load_hash);
	kv_script_init(&s_list);
	kv_script_init(&s_set_cap);
	kv_script_init(&s_ban);
	kv_script_init(&s_unlock);
}

/* Run a script; args are NUL-terminated strings. */
static redisReply *
run(struct ctx *c, struct kv_script *s, int nkeys, int nargs, const char **args)
{
	pthread_once(&scripts_once, scripts_init);
	return kv_eval(c, s, nkeys, nargs, args, NULL);
}

static int
is_str(const redisReply *rep, size_t i, const char *s)
{
	return rep && rep->type == REDIS_REPLY_ARRAY && rep->elements > i &&
	    rep->element[i]->type == REDIS_REPLY_STRING && strcmp(rep->element[i]->str, s) == 0;
}

static const char *
elem(const redisReply *rep, size_t i)
{
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements <= i ||
	    rep->element[i]->type != REDIS_REPLY_STRING)
		return "";
	return rep->element[i]->str;
}

static void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------ rebuild */

struct day_rows {
	json_t	*slots;		/* object: slot id → array of taken seats */
	json_t	*cit, *ids;
	int64_t	 day;
};

static int
day_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct day_rows *dr = arg;
	long long start, seat;
	char id[APPT_SLOT_ID_LEN + 1];
	json_t *a;

	(void)ncol;
	(void)lens;
	if (parse_ll(v[1], 0, 24 * 60 - 1, &start) != 0 || v[0][0] < 'A' || v[0][0] > 'Z')
		return 0;
	appt_slot_id(v[0][0], dr->day, (int)start, id);
	if (v[2] && parse_ll(v[2], 1, 1000, &seat) == 0) {
		if ((a = json_object_get(dr->slots, id)) == NULL) {
			a = json_array();
			json_object_set_new(dr->slots, id, a);
		}
		json_array_append_new(a, json_integer(seat));
	}
	if (strcmp(v[5], "booked") == 0 || strcmp(v[5], "checked_in") == 0) {
		json_array_append_new(dr->cit, json_string(v[3]));
		json_array_append_new(dr->ids, json_string(v[4]));
	}
	return 0;
}

static int
rebuild_day(struct ctx *c, const char *hall, int64_t day, const struct akeys *k,
    const char *epoch)
{
	struct appt_slot *sl;
	struct day_rows dr;
	char date[11], ttl[24], *js;
	const char *args[8];
	json_t *list, *empty, *all;
	redisReply *rep;
	int n, i, rc;
	long long t = ttl_day(day);

	if ((sl = calloc(APPT_MAX_SLOTS, sizeof *sl)) == NULL)
		return -1;
	n = appt_day_slots(c, hall, day, 0, sl, APPT_MAX_SLOTS);
	if (n == CAL_MISSING) {
		n = 0;		/* no slots while the year is not loaded; look again soon */
		t = EMPTY_TTL;
	}
	if (n < 0) {
		free(sl);
		return -1;
	}
	dr.slots = json_object();
	dr.cit = json_array();
	dr.ids = json_array();
	dr.day = day;
	date_format_days(day, date, sizeof date);
	/* The day's holder as appt_holder writes it: a proxy booking under its ID number. */
	rc = db_query(c, "SELECT category, HOUR(start_time) * 60 + MINUTE(start_time), seat,"
	    " IF(proxy_id IS NULL, CAST(citizen_id AS CHAR), CONCAT('x:', idnum_hash)),"
	    " idnum_hash, status FROM appointments"
	    " WHERE hall = ? AND day = ? AND status <> 'cancelled'",
	    DBARGS(DBS(hall), DBS(date)), day_row, &dr);
	if (rc < 0) {
		free(sl);
		json_decref(dr.slots);
		json_decref(dr.cit);
		json_decref(dr.ids);
		return -1;
	}
	list = json_array();
	empty = json_array();
	for (i = 0; i < n; i++) {
		json_t *taken = json_object_get(dr.slots, sl[i].id);

		json_array_append_new(list, json_pack("[s,i,O]", sl[i].id, sl[i].capacity,
		    taken ? taken : empty));
	}
	free(sl);
	json_decref(empty);
	json_decref(dr.slots);
	all = json_pack("{s:o,s:o,s:o}", "s", list, "c", dr.cit, "i", dr.ids);
	js = all ? json_dumps(all, JSON_COMPACT) : NULL;
	json_decref(all);
	if (js == NULL)
		return -1;
	snprintf(ttl, sizeof ttl, "%lld", t);
	args[0] = k->rd;
	args[1] = k->cap;
	args[2] = k->free;
	args[3] = k->cday;
	args[4] = k->iday;
	args[5] = epoch;
	args[6] = ttl;
	args[7] = js;
	rep = run(c, &s_load_day, 5, 8, args);
	free(js);
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		if (rep)
			freeReplyObject(rep);
		return -1;
	}
	freeReplyObject(rep);
	return 0;
}

static int
count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	(void)ncol;
	(void)lens;
	json_object_set_new(arg, v[0], json_string(v[1]));
	return 0;
}

static int
load_hash(struct ctx *c, const char *marker, const char *hash, const char *epoch, long long ttl,
    json_t *obj)
{
	char t[24], *js = json_dumps(obj, JSON_COMPACT);
	const char *args[5];
	redisReply *rep;

	json_decref(obj);
	if (js == NULL)
		return -1;
	snprintf(t, sizeof t, "%lld", ttl);
	args[0] = marker;
	args[1] = hash;
	args[2] = epoch;
	args[3] = t;
	args[4] = js;
	rep = run(c, &s_load_hash, 2, 5, args);
	free(js);
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		if (rep)
			freeReplyObject(rep);
		return -1;
	}
	freeReplyObject(rep);
	return 0;
}

static int
rebuild_range(struct ctx *c, const char *hall, int64_t from, int64_t to, const char *marker,
    const char *hash, const char *epoch, long long ttl)
{
	char a[11], b[11];
	json_t *o = json_object();
	int rc;

	date_format_days(from, a, sizeof a);
	date_format_days(to, b, sizeof b);
	rc = db_query(c, "SELECT idnum_hash, COUNT(*) FROM appointments"
	    " WHERE hall = ? AND day BETWEEN ? AND ? AND status <> 'cancelled'"
	    " GROUP BY idnum_hash", DBARGS(DBS(hall), DBS(a), DBS(b)), count_row, o);
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	return load_hash(c, marker, hash, epoch, ttl, o);
}

static int
ban_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	int64_t d;
	char s[24];

	(void)ncol;
	(void)lens;
	if (date_parse(v[1], &d) == 0) {
		snprintf(s, sizeof s, "%lld", (long long)d);
		json_object_set_new(arg, v[0], json_string(s));
	}
	return 0;
}

static int
rebuild_bans(struct ctx *c, const char *hall, const struct akeys *k, const char *epoch)
{
	char today[11];
	json_t *o = json_object();
	int rc;

	date_format_days(hall_day(hall_now()), today, sizeof today);
	rc = db_query(c, "SELECT idnum_hash, DATE_FORMAT(until, '%Y-%m-%d') FROM appointment_bans"
	    " WHERE hall = ? AND until >= ?", DBARGS(DBS(hall), DBS(today)), ban_row, o);
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	return load_hash(c, k->rb, k->bans, epoch, 0, o);
}

/* Rebuild one scope ('d', 'w', 'm', 'b') of a hall's day under its lock.
 * 0 done (or nothing to do), 1 someone else holds the lock, -1 down. */
static int
rebuild(struct ctx *c, const char *hall, int64_t day, char scope)
{
	struct akeys k;
	char lock[128], me[32], epoch[APPT_EPOCH_LEN + 1];
	const char *marker, *args[2];
	redisReply *rep;
	int rc, y;
	unsigned m, d;

	akeys(hall, day, &k);
	marker = scope == 'd' ? k.rd : scope == 'w' ? k.rw : scope == 'm' ? k.rm : k.rb;
	snprintf(lock, sizeof lock, "%s:lock", marker);
	if (token_new(me, sizeof me, 12) != 0 || token_new(epoch, sizeof epoch, 12) != 0)
		return -1;
	rep = kv_cmd(c, "SET %s %s NX PX %d", lock, me, LOCK_MS);
	if (rep == NULL)
		return -1;
	rc = rep->type == REDIS_REPLY_STATUS ? 0 : 1;
	freeReplyObject(rep);
	if (rc == 1)
		return 1;
	switch (scope) {
	case 'd':
		rc = rebuild_day(c, hall, day, &k, epoch);
		break;
	case 'w':
		rc = rebuild_range(c, hall, appt_monday(day), appt_monday(day) + 6, k.rw, k.wk,
		    epoch, ttl_week(day));
		break;
	case 'm':
		civil_from_days(day, &y, &m, &d);
		rc = rebuild_range(c, hall, days_from_civil(y, m, 1),
		    (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) - 1,
		    k.rm, k.mo, epoch, ttl_month(day));
		break;
	default:
		rc = rebuild_bans(c, hall, &k, epoch);
		break;
	}
	args[0] = lock;
	args[1] = me;
	if ((rep = run(c, &s_unlock, 1, 2, args)) != NULL)
		freeReplyObject(rep);
	if (rc == 0) {
		char date[11];

		date_format_days(day, date, sizeof date);
		log_info("hall %s: appointment state '%c' of %s rebuilt from MariaDB", hall, scope,
		    date);
	}
	return rc;
}

/* Rebuild every scope named in `scopes`.  0, 1 (wait: a lock was busy) or -1. */
static int
rebuild_all(struct ctx *c, const char *hall, int64_t day, const char *scopes)
{
	int busy = 0, rc;

	for (; *scopes; scopes++) {
		if ((rc = rebuild(c, hall, day, *scopes)) < 0)
			return -1;
		busy |= rc;
	}
	return busy;
}

/* ------------------------------------------------------------------ the operations */

enum appt_take_rc
appt_take(struct ctx *c, struct appt_take *t)
{
	struct appt_rules ru;
	struct akeys k;
	char today[24], pw[16], pm[16], one[4], td[24], tw[24], tm[24];
	const char *args[25];
	int i;

	appt_rules(&ru);
	akeys(t->hall, t->slot->day, &k);
	snprintf(today, sizeof today, "%lld", (long long)hall_day(hall_now()));
	snprintf(pw, sizeof pw, "%d", ru.per_week);
	snprintf(pm, sizeof pm, "%d", ru.per_month);
	snprintf(one, sizeof one, "%d", ru.one_per_day);
	snprintf(td, sizeof td, "%lld", ttl_day(t->slot->day));
	snprintf(tw, sizeof tw, "%lld", ttl_week(t->slot->day));
	snprintf(tm, sizeof tm, "%lld", ttl_month(t->slot->day));
	args[0] = k.rd;
	args[1] = k.rw;
	args[2] = k.rm;
	args[3] = k.rb;
	args[4] = k.cap;
	args[5] = k.free;
	args[6] = k.cday;
	args[7] = k.iday;
	args[8] = k.wk;
	args[9] = k.mo;
	args[10] = k.bans;
	args[11] = t->slot->id;
	args[12] = t->citizen;
	args[13] = t->idhash;
	args[14] = today;
	args[15] = pw;
	args[16] = pm;
	args[17] = one;
	args[18] = td;
	args[19] = tw;
	args[20] = tm;
	args[21] = t->move ? "1" : "0";
	args[22] = t->same_day ? "1" : "0";
	args[23] = t->same_week ? "1" : "0";
	args[24] = t->same_month ? "1" : "0";
	for (i = 0; i < WAIT_STEPS; i++) {
		redisReply *rep = run(c, &s_take, 11, 25, args);
		enum appt_take_rc rc;
		long long n;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1) {
			if (rep)
				freeReplyObject(rep);
			return APPT_TAKE_DOWN;
		}
		if (is_str(rep, 0, "REBUILD")) {
			int b = rebuild_all(c, t->hall, t->slot->day, elem(rep, 1));

			freeReplyObject(rep);
			if (b < 0)
				return APPT_TAKE_DOWN;
			if (b > 0)
				pause_ms(WAIT_STEP_MS);
			continue;
		}
		if (is_str(rep, 0, "OK")) {
			if (parse_ll(elem(rep, 1), 1, 1000, &n) != 0) {
				freeReplyObject(rep);
				return APPT_TAKE_DOWN;
			}
			t->seat = (int)n;
			str_copy(t->ep.d, sizeof t->ep.d, elem(rep, 2));
			str_copy(t->ep.w, sizeof t->ep.w, elem(rep, 3));
			str_copy(t->ep.m, sizeof t->ep.m, elem(rep, 4));
			rc = APPT_TAKE_OK;
		} else if (is_str(rep, 0, "FULL"))
			rc = APPT_TAKE_FULL;
		else if (is_str(rep, 0, "ALREADY"))
			rc = APPT_TAKE_ALREADY;
		else if (is_str(rep, 0, "LIMIT"))
			rc = is_str(rep, 1, "week") ? APPT_TAKE_LIMIT_WEEK : APPT_TAKE_LIMIT_MONTH;
		else if (is_str(rep, 0, "BANNED")) {
			t->banned_until = parse_ll(elem(rep, 1), 0, 1000000, &n) == 0 ? n : 0;
			rc = APPT_TAKE_BANNED;
		} else if (is_str(rep, 0, "NO_SLOT"))
			rc = APPT_TAKE_NO_SLOT;
		else {
			log_err("appt_take: unexpected reply");
			rc = APPT_TAKE_DOWN;
		}
		freeReplyObject(rep);
		return rc;
	}
	return APPT_TAKE_BUSY;
}

int
appt_release(struct ctx *c, const char *hall, const char *slot_id, int seat, const char *citizen,
    const char *idhash, const struct appt_epochs *ep, int parts)
{
	struct akeys k;
	char cat, st[8], p[8];
	int64_t day;
	int start, n = 0;
	const char *args[17];
	redisReply *rep;

	if (appt_slot_parse(slot_id, &cat, &day, &start) != 0)
		return -1;
	akeys(hall, day, &k);
	snprintf(st, sizeof st, "%04d", seat);
	if (parts & APPT_REL_SEAT)
		p[n++] = 's';
	if (parts & APPT_REL_DAY)
		p[n++] = 'd';
	if (parts & APPT_REL_WEEK)
		p[n++] = 'w';
	if (parts & APPT_REL_MONTH)
		p[n++] = 'm';
	p[n] = '\0';
	args[0] = k.rd;
	args[1] = k.rw;
	args[2] = k.rm;
	args[3] = k.free;
	args[4] = k.cday;
	args[5] = k.iday;
	args[6] = k.wk;
	args[7] = k.mo;
	args[8] = k.cap;
	args[9] = slot_id;
	args[10] = st;
	args[11] = citizen;
	args[12] = idhash;
	args[13] = ep->d;
	args[14] = ep->w;
	args[15] = ep->m;
	args[16] = p;
	if ((rep = run(c, &s_release, 9, 17, args)) == NULL)
		return -1;
	n = rep->type == REDIS_REPLY_ERROR ? -1 : 0;
	freeReplyObject(rep);
	return n;
}

int
appt_ready(struct ctx *c, const char *hall, int64_t day)
{
	struct akeys k;
	int step;

	akeys(hall, day, &k);
	for (step = 0; step < WAIT_STEPS; step++) {
		redisReply *rep = kv_cmd(c, "MGET %s %s %s", k.rd, k.rw, k.rm);
		char miss[4];
		int n = 0, b;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		if (rep->element[0]->type == REDIS_REPLY_NIL)
			miss[n++] = 'd';
		if (rep->element[1]->type == REDIS_REPLY_NIL)
			miss[n++] = 'w';
		if (rep->element[2]->type == REDIS_REPLY_NIL)
			miss[n++] = 'm';
		miss[n] = '\0';
		freeReplyObject(rep);
		if (n == 0)
			return 0;
		if ((b = rebuild_all(c, hall, day, miss)) < 0)
			return -1;
		if (b > 0)
			pause_ms(WAIT_STEP_MS);
	}
	return -1;
}

int
appt_epochs_get(struct ctx *c, const char *hall, int64_t day, struct appt_epochs *ep)
{
	struct akeys k;
	redisReply *rep;

	memset(ep, 0, sizeof *ep);
	akeys(hall, day, &k);
	if ((rep = kv_cmd(c, "MGET %s %s %s", k.rd, k.rw, k.rm)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
		str_copy(ep->d, sizeof ep->d, elem(rep, 0));
		str_copy(ep->w, sizeof ep->w, elem(rep, 1));
		str_copy(ep->m, sizeof ep->m, elem(rep, 2));
	}
	freeReplyObject(rep);
	return 0;
}

void
appt_invalidate(struct ctx *c, const char *hall, int64_t day)
{
	struct akeys k;
	redisReply *rep;

	akeys(hall, day, &k);
	if ((rep = kv_cmd(c, "DEL %s %s %s", k.rd, k.rw, k.rm)) != NULL)
		freeReplyObject(rep);
	else
		log_warn("hall %s: markers of day %lld not dropped (Redis down)", hall,
		    (long long)day);
}

static int
remaining(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots, int n,
    int *rem, int *cap, int load)
{
	struct akeys k;
	const char *args[3];
	int i, step;
	size_t e;

	for (i = 0; i < n; i++)
		rem[i] = cap[i] = -1;
	akeys(hall, day, &k);
	args[0] = k.rd;
	args[1] = k.cap;
	args[2] = k.free;
	for (step = 0; step < WAIT_STEPS; step++) {
		redisReply *rep = run(c, &s_list, 3, 3, args);

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		if (is_str(rep, 0, "REBUILD")) {
			int b;

			freeReplyObject(rep);
			if (!load)
				return 1;
			if ((b = rebuild(c, hall, day, 'd')) < 0)
				return -1;
			if (b > 0)
				pause_ms(WAIT_STEP_MS);
			continue;
		}
		for (e = 1; e + 2 < rep->elements; e += 3) {
			const char *id = elem(rep, e);
			long long cv, fv;

			if (parse_ll(elem(rep, e + 1), 0, 1000, &cv) != 0 ||
			    parse_ll(elem(rep, e + 2), 0, 1000, &fv) != 0)
				continue;
			for (i = 0; i < n; i++)
				if (strcmp(slots[i].id, id) == 0) {
					cap[i] = (int)cv;
					rem[i] = (int)fv;
				}
		}
		freeReplyObject(rep);
		return 0;
	}
	return -1;
}

int
appt_remaining(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots,
    int n, int *rem, int *cap)
{
	return remaining(c, hall, day, slots, n, rem, cap, 1);
}

int
appt_peek(struct ctx *c, const char *hall, int64_t day, const struct appt_slot *slots, int n,
    int *rem, int *cap)
{
	return remaining(c, hall, day, slots, n, rem, cap, 0);
}

int
appt_set_capacity(struct ctx *c, const char *hall, const struct appt_slot *s, int cap, int *old)
{
	struct akeys k;
	char cs[16];
	const char *args[5];
	int step;
	long long o;

	akeys(hall, s->day, &k);
	snprintf(cs, sizeof cs, "%d", cap);
	args[0] = k.rd;
	args[1] = k.cap;
	args[2] = k.free;
	args[3] = s->id;
	args[4] = cs;
	for (step = 0; step < WAIT_STEPS; step++) {
		redisReply *rep = run(c, &s_set_cap, 3, 5, args);
		int rc;

		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		if (is_str(rep, 0, "REBUILD")) {
			int b = rebuild(c, hall, s->day, 'd');

			freeReplyObject(rep);
			if (b < 0)
				return -1;
			if (b > 0)
				pause_ms(WAIT_STEP_MS);
			continue;
		}
		if (is_str(rep, 0, "OK") || is_str(rep, 0, "BELOW")) {
			*old = parse_ll(elem(rep, 1), 0, 1000, &o) == 0 ? (int)o : 0;
			rc = is_str(rep, 0, "OK") ? 0 : 1;
		} else
			rc = 2;
		freeReplyObject(rep);
		return rc;
	}
	return -1;
}

int
appt_ban_push(struct ctx *c, const char *hall, const char *idhash, int64_t until)
{
	struct akeys k;
	char u[24];
	const char *args[4];
	redisReply *rep;

	akeys(hall, hall_day(hall_now()), &k);
	snprintf(u, sizeof u, "%lld", (long long)until);
	args[0] = k.rb;
	args[1] = k.bans;
	args[2] = idhash;
	args[3] = u;
	if ((rep = run(c, &s_ban, 2, 4, args)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}
