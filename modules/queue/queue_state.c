/*
 * queue_state.c — the queue's hot state in Redis, and how it is rebuilt from MariaDB.
 *
 * Routes: none (used by queue.c and queue_board.c).
 * Tables: queue_tickets (read to rebuild), halls, categories, windows, window_categories,
 *         hall_hours (the cached hall configuration).
 * Redis:  {hall:<code>}:ready, :lock, :seq, :ord, :L:<c>:p, :L:<c>:n, :waiting,
 *         :win:<n>, :open, :calls, :callseq, :ver, :notify, :svc (see queue_int.h).
 *
 * Why a marker and a rebuild.  MariaDB is the record of every ticket; Redis holds the lines
 * because taking and calling must be one atomic script each.  Every script starts by checking
 * the marker: {hall:<code>}:ready holds "<day>:<epoch>", and when it is missing (Redis was
 * wiped or came back empty) or names another day (the day changed), the script changes
 * nothing and says NOTREADY.  The app then rebuilds the lines from MariaDB under a lock
 * (SET NX) and sets the marker last, so no script writes while a rebuild is half done.
 * The epoch is new at every load: a request whose script ran before a wipe sees, after its
 * commit, that the epoch changed, and re-applies its own ticket to the new lines (queue.c,
 * after each commit).  A ticket still left out is put back by the next read of it or by the
 * reconcile job (queue_jobs.c).  The numbers continue from MAX(seq) of the day, and the
 * unique key on (hall, day, letter, number) refuses a number twice whatever Redis says —
 * a take that collides simply takes the next number.
 *
 * Order: a line is a sorted set scored by an order score that only grows within the hall
 * (ms since midnight × 1000, or the last score + 1), so scores compare across categories:
 * a transferred ticket keeps its score and waits ahead of everything taken after it.
 */
#include "queue_int.h"
#include "../hall/catalog.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ time and config */

void
q_today(int64_t now_ms, char day[11], int64_t *day_ms)
{
	int64_t t = now_ms / 1000, d = hall_day(t);

	date_format_days(d, day, 11);
	if (day_ms)
		*day_ms = now_ms - hall_day_start(d) * 1000;
}

void
q_dt(int64_t ms, char out[24])
{
	sql_datetime(ms, out, 24);
}

void
q_rfc3339(const char *dt, char *out, size_t osz)
{
	char b[20];

	if (dt == NULL || strlen(dt) < 19) {
		str_copy(out, osz, "");
		return;
	}
	memcpy(b, dt, 19);
	b[19] = '\0';
	b[10] = 'T';
	snprintf(out, osz, "%s+08:00", b);
}

int
q_fair_ratio(void)
{
	/* After this many priority-class calls in a row, a window calls an ordinary ticket. */
	return (int)config_int("queue_fair_ratio", 3, 1, 100);
}

int
q_key(char *out, size_t osz, const char *hall, const char *suffix)
{
	return fmt(out, osz, "{hall:%s}:%s", hall, suffix) < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ hall configuration */

#define Q_CACHE_HALLS 16
#define Q_CACHE_MS    (60 * 1000)

static pthread_mutex_t cfg_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct q_hall	 h;
	int64_t		 at;
} cfg_cache[Q_CACHE_HALLS];

static int
cfg_hall_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;

	(void)ncol;
	(void)lens;
	str_copy(h->name, sizeof h->name, v[0]);
	return 1;
}

static int
cfg_cat_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	struct q_cat *c;
	long long n = 10;

	(void)ncol;
	(void)lens;
	if (h->ncat == Q_MAX_CATS || v[0][0] < 'A' || v[0][0] > 'Z')
		return 0;
	c = &h->cats[h->ncat++];
	c->code = v[0][0];
	str_copy(c->name, sizeof c->name, v[1]);
	parse_ll(v[2], 1, 1000, &n);
	c->avg_min = (int)n;
	c->nwin = 0;
	return 0;
}

static int
cfg_win_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	long long n;

	(void)ncol;
	(void)lens;
	if (h->nwin == Q_MAX_WINDOWS || parse_ll(v[0], 1, 65535, &n) != 0)
		return 0;
	h->wins[h->nwin].number = (int)n;
	str_copy(h->wins[h->nwin].name, sizeof h->wins[h->nwin].name, v[1]);
	h->wins[h->nwin].mask = 0;
	h->nwin++;
	return 0;
}

static int
cfg_wc_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	long long n;
	int i;

	(void)ncol;
	(void)lens;
	if (parse_ll(v[0], 1, 65535, &n) != 0 || v[1][0] < 'A' || v[1][0] > 'Z')
		return 0;
	for (i = 0; i < h->nwin; i++)
		if (h->wins[i].number == n)
			h->wins[i].mask |= 1u << (v[1][0] - 'A');
	for (i = 0; i < h->ncat; i++)
		if (h->cats[i].code == v[1][0])
			h->cats[i].nwin++;
	return 0;
}

static int
hms(const char *s)
{
	long long hh, mm, ss;

	if (strlen(s) < 8 || parse_lln(s, 2, 0, 23, &hh) || parse_lln(s + 3, 2, 0, 59, &mm) ||
	    parse_lln(s + 6, 2, 0, 59, &ss))
		return -1;
	return (int)(hh * 3600 + mm * 60 + ss);
}

static int
cfg_hours_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_hall *h = arg;
	int o = hms(v[0]), c = hms(v[1]);

	(void)ncol;
	(void)lens;
	if (h->nhours == Q_MAX_HOURS || o < 0 || c < 0)
		return 0;
	h->open_s[h->nhours] = o;
	h->close_s[h->nhours] = c;
	h->nhours++;
	return 0;
}

static int
cfg_load(struct ctx *c, const char *code, struct q_hall *h)
{
	int rc;

	memset(h, 0, sizeof *h);
	str_copy(h->code, sizeof h->code, code);
	rc = db_query(c, "SELECT name FROM halls WHERE code = ?", DBARGS(DBS(code)), cfg_hall_row, h);
	if (rc <= 0)
		return rc;
	if ((rc = db_query(c, "SELECT code, name, avg_service_minutes FROM categories"
	    " WHERE hall = ? ORDER BY sort, code", DBARGS(DBS(code)), cfg_cat_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT number, name FROM windows WHERE hall = ? ORDER BY number",
	    DBARGS(DBS(code)), cfg_win_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT window_no, category FROM window_categories WHERE hall = ?",
	    DBARGS(DBS(code)), cfg_wc_row, h)) < 0 ||
	    (rc = db_query(c, "SELECT TIME_FORMAT(open_at, '%H:%i:%s'),"
	    " TIME_FORMAT(close_at, '%H:%i:%s') FROM hall_hours WHERE hall = ? ORDER BY seq",
	    DBARGS(DBS(code)), cfg_hours_row, h)) < 0)
		return rc;
	return 1;
}

int
q_hall_get(struct ctx *c, const char *code, struct q_hall *h)
{
	int64_t now = hall_now_ms();
	int i, rc, slot = -1, oldest = 0;

	if (!hall_code_ok(code))
		return 0;
	pthread_mutex_lock(&cfg_mtx);
	for (i = 0; i < Q_CACHE_HALLS; i++) {
		if (cfg_cache[i].at && strcmp(cfg_cache[i].h.code, code) == 0 &&
		    now - cfg_cache[i].at < Q_CACHE_MS && now >= cfg_cache[i].at) {
			*h = cfg_cache[i].h;
			pthread_mutex_unlock(&cfg_mtx);
			return 1;
		}
	}
	pthread_mutex_unlock(&cfg_mtx);

	if ((rc = cfg_load(c, code, h)) != 1)
		return rc;

	pthread_mutex_lock(&cfg_mtx);
	for (i = 0; i < Q_CACHE_HALLS; i++) {
		if (cfg_cache[i].at == 0 || strcmp(cfg_cache[i].h.code, code) == 0) {
			slot = i;
			break;
		}
		if (cfg_cache[i].at < cfg_cache[oldest].at)
			oldest = i;
	}
	if (slot < 0)
		slot = oldest;
	cfg_cache[slot].h = *h;
	cfg_cache[slot].at = now;
	pthread_mutex_unlock(&cfg_mtx);
	return 1;
}

const struct q_cat *
q_hall_cat(const struct q_hall *h, char code)
{
	int i;

	for (i = 0; i < h->ncat; i++)
		if (h->cats[i].code == code)
			return &h->cats[i];
	return NULL;
}

const struct q_win *
q_hall_win(const struct q_hall *h, int number)
{
	int i;

	for (i = 0; i < h->nwin; i++)
		if (h->wins[i].number == number)
			return &h->wins[i];
	return NULL;
}

/* ------------------------------------------------------------------ the scripts */

/*
 * Shared Lua.  ahead_of: the estimated number of tickets called before a member — its rank
 * in a priority line, or for an ordinary ticket its rank plus the priority tickets that the
 * fairness ratio lets in before it.  near: after a change, the tokens owed a turn-near SMS
 * that are now Q_NEAR or fewer from the front (each is taken out of the set: owed once).
 */
#define LUA_LIB \
	"local function tok(m) local i = string.find(m, ' ', 1, true)\n" \
	"  if i then return string.sub(m, i + 1) end return m end\n" \
	"local function ahead_of(lp, ln, line, m, ratio)\n" \
	"  if line == 'p' then return redis.call('ZRANK', lp, m) or -1 end\n" \
	"  local r = redis.call('ZRANK', ln, m)\n" \
	"  if not r then return -1 end\n" \
	"  return r + math.min(redis.call('ZCARD', lp), ratio * (r + 1))\n" \
	"end\n" \
	"local function near(lp, ln, ratio, nk, out)\n" \
	"  local ps = redis.call('ZRANGE', lp, 0, 3)\n" \
	"  for i = 1, #ps do\n" \
	"    if redis.call('SREM', nk, tok(ps[i])) == 1 then\n" \
	"      table.insert(out, tok(ps[i]) .. ' ' .. (i - 1)) end\n" \
	"  end\n" \
	"  local p = redis.call('ZCARD', lp)\n" \
	"  local ns = redis.call('ZRANGE', ln, 0, 3)\n" \
	"  for b = 0, #ns - 1 do\n" \
	"    local a = b + math.min(p, ratio * (b + 1))\n" \
	"    if a <= 3 and redis.call('SREM', nk, tok(ns[b + 1])) == 1 then\n" \
	"      table.insert(out, tok(ns[b + 1]) .. ' ' .. a) end\n" \
	"  end\n" \
	"end\n" \
	"local function count(wk, c, lp, ln)\n" \
	"  redis.call('HSET', wk, c, redis.call('ZCARD', lp) + redis.call('ZCARD', ln))\n" \
	"end\n" \
	"local function ready(k, day)\n" \
	"  local v = redis.call('GET', k)\n" \
	"  if v and string.sub(v, 1, #day + 1) == day .. ':' then return v end\n" \
	"  return nil\n" \
	"end\n" \
	"local function newscore(ok, day_ms)\n" \
	"  local s = tonumber(day_ms) * 1000\n" \
	"  local last = tonumber(redis.call('GET', ok) or '0')\n" \
	"  if s <= last then s = last + 1 end\n" \
	"  local ss = string.format('%.0f', s)\n" \
	"  redis.call('SET', ok, ss)\n" \
	"  return ss\n" \
	"end\n"

/*
 * take — KEYS: ready seq Lp Ln waiting ord ver notify svc open
 * ARGV: letter token line day_ms min_seq notify ratio max_seq old_member
 * → {'OK', epoch, n, score, ahead, svc, {open…}} | {'NOTREADY'} | {'FULL'}
 */
static struct kv_script s_take = { "queue.take", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local c, line = ARGV[1], ARGV[3]\n"
	"local n = tonumber(redis.call('HGET', KEYS[2], c) or '0')\n"
	"if tonumber(ARGV[5]) > n then n = tonumber(ARGV[5]) end\n"
	"n = n + 1\n"
	"if n > tonumber(ARGV[8]) then return {'FULL'} end\n"
	"if ARGV[9] ~= '' then\n"
	"  redis.call('ZREM', KEYS[3], ARGV[9]) redis.call('ZREM', KEYS[4], ARGV[9]) end\n"
	"redis.call('HSET', KEYS[2], c, n)\n"
	"local s = newscore(KEYS[6], ARGV[4])\n"
	"local m = string.format('%s%03d %s', c, n, ARGV[2])\n"
	"local lk = KEYS[4] if line == 'p' then lk = KEYS[3] end\n"
	"redis.call('ZADD', lk, s, m)\n"
	"count(KEYS[5], c, KEYS[3], KEYS[4])\n"
	"redis.call('INCR', KEYS[7])\n"
	"local a = ahead_of(KEYS[3], KEYS[4], line, m, tonumber(ARGV[7]))\n"
	"if ARGV[6] == '1' and a > 3 then redis.call('SADD', KEYS[8], ARGV[2]) end\n"
	"return {'OK', epoch, n, s, a, redis.call('HGET', KEYS[9], c) or '',\n"
	"  redis.call('HGETALL', KEYS[10])}\n",
	"" };

/*
 * pop — KEYS: ready waiting ver win, then Lp Ln of each category;  ARGV: ratio letters
 * The oldest priority-class ticket across the window's categories, unless the window has
 * called `ratio` of those in a row and an ordinary ticket waits: then the oldest ordinary.
 * → {'OK', epoch, member, score, line, category} | {'EMPTY', epoch} | {'NOTREADY'}
 */
static struct kv_script s_pop = { "queue.pop", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local cats, ratio = ARGV[2], tonumber(ARGV[1])\n"
	"local bp, bps, bpi, bn, bns, bni\n"
	"for i = 1, #cats do\n"
	"  local p = redis.call('ZRANGE', KEYS[3 + 2 * i], 0, 0, 'WITHSCORES')\n"
	"  if p[1] and (not bps or tonumber(p[2]) < bps) then bp, bps, bpi = p[1], tonumber(p[2]), i end\n"
	"  local q = redis.call('ZRANGE', KEYS[4 + 2 * i], 0, 0, 'WITHSCORES')\n"
	"  if q[1] and (not bns or tonumber(q[2]) < bns) then bn, bns, bni = q[1], tonumber(q[2]), i end\n"
	"end\n"
	"local streak = tonumber(redis.call('HGET', KEYS[4], 'streak') or '0')\n"
	"local m, s, i, line\n"
	"if bp and (streak < ratio or not bn) then m, s, i, line = bp, bps, bpi, 'p' streak = streak + 1\n"
	"elseif bn then m, s, i, line = bn, bns, bni, 'n' streak = 0\n"
	"else return {'EMPTY', epoch} end\n"
	"if line == 'p' then redis.call('ZREM', KEYS[3 + 2 * i], m)\n"
	"else redis.call('ZREM', KEYS[4 + 2 * i], m) end\n"
	"redis.call('HSET', KEYS[4], 'streak', streak)\n"
	"local c = string.sub(cats, i, i)\n"
	"count(KEYS[2], c, KEYS[3 + 2 * i], KEYS[4 + 2 * i])\n"
	"redis.call('INCR', KEYS[3])\n"
	"return {'OK', epoch, m, string.format('%.0f', s), line, c}\n",
	"" };

/*
 * requeue — KEYS: ready Lp Ln waiting ver ord notify seq
 * ARGV: member score('' = new, at the back) day_ms category line notify letter n ratio
 * → {'OK', epoch, score, ahead} | {'NOTREADY'}
 */
static struct kv_script s_requeue = { "queue.requeue", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local m, s, c, line = ARGV[1], ARGV[2], ARGV[4], ARGV[5]\n"
	"if s == '' then s = newscore(KEYS[6], ARGV[3])\n"
	"elseif tonumber(s) > tonumber(redis.call('GET', KEYS[6]) or '0') then\n"
	"  redis.call('SET', KEYS[6], s) end\n"
	"local lk, other = KEYS[3], KEYS[2] if line == 'p' then lk, other = KEYS[2], KEYS[3] end\n"
	"redis.call('ZREM', other, m)\n"
	"redis.call('ZADD', lk, s, m)\n"
	"count(KEYS[4], c, KEYS[2], KEYS[3])\n"
	"redis.call('INCR', KEYS[5])\n"
	"if ARGV[8] ~= '0' and\n"
	"   tonumber(redis.call('HGET', KEYS[8], ARGV[7]) or '0') < tonumber(ARGV[8]) then\n"
	"  redis.call('HSET', KEYS[8], ARGV[7], ARGV[8]) end\n"
	"local a = ahead_of(KEYS[2], KEYS[3], line, m, tonumber(ARGV[9]))\n"
	"if ARGV[6] == '1' and a > 3 then redis.call('SADD', KEYS[7], tok(m)) end\n"
	"return {'OK', epoch, s, a}\n",
	"" };

/*
 * remove — KEYS: ready Lp Ln waiting ver notify;  ARGV: member category ratio
 * → {'OK', epoch, removed, near tokens…} | {'NOTREADY'}
 */
static struct kv_script s_remove = { "queue.remove", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local n = redis.call('ZREM', KEYS[2], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])\n"
	"redis.call('SREM', KEYS[6], tok(ARGV[1]))\n"
	"if n > 0 then count(KEYS[4], ARGV[2], KEYS[2], KEYS[3]) redis.call('INCR', KEYS[5]) end\n"
	"local out = {'OK', epoch, n}\n"
	"near(KEYS[2], KEYS[3], tonumber(ARGV[3]), KEYS[6], out)\n"
	"return out\n",
	"" };

/*
 * announce — KEYS: ready calls callseq ver notify open, then Lp Ln of each category
 * ARGV: window number at_ms ratio letters now_ms
 * → {'OK', epoch, call id, near tokens…} | {'NOTREADY'}
 */
static struct kv_script s_announce = { "queue.announce", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local id = redis.call('INCR', KEYS[3])\n"
	"redis.call('HSET', KEYS[2], ARGV[1], id .. '|' .. ARGV[2] .. '|' .. ARGV[3])\n"
	"redis.call('INCR', KEYS[4])\n"
	"redis.call('HSET', KEYS[6], ARGV[1], ARGV[6])\n"
	"local out = {'OK', epoch, id}\n"
	"local cats, ratio = ARGV[5], tonumber(ARGV[4])\n"
	"for i = 1, #cats do near(KEYS[5 + 2 * i], KEYS[6 + 2 * i], ratio, KEYS[5], out) end\n"
	"return out\n",
	"" };

/* place (read only) — KEYS: Lp Ln svc open;  ARGV: member line ratio category
 * → {ahead (-1: not in its line), svc, {open…}} */
static struct kv_script s_place = { "queue.place", LUA_LIB
	"return {ahead_of(KEYS[1], KEYS[2], ARGV[2], ARGV[1], tonumber(ARGV[3])),\n"
	"  redis.call('HGET', KEYS[3], ARGV[4]) or '', redis.call('HGETALL', KEYS[4])}\n",
	"" };

/* board (read only) — KEYS: ready ver calls waiting → {ready 0/1, ver, {calls…}, {waiting…}} */
static struct kv_script s_board = { "queue.board", LUA_LIB
	"local r = 0 if ready(KEYS[1], ARGV[1]) then r = 1 end\n"
	"return {r, redis.call('GET', KEYS[2]) or '', redis.call('HGETALL', KEYS[3]),"
	" redis.call('HGETALL', KEYS[4])}\n",
	"" };

/* svc — KEYS: svc;  ARGV: category seconds.  Moving average, recent services weigh most. */
static struct kv_script s_svc = { "queue.svc",
	"local o = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '')\n"
	"local v = tonumber(ARGV[2])\n"
	"if o then v = o * 0.8 + v * 0.2 end\n"
	"redis.call('HSET', KEYS[1], ARGV[1], string.format('%.1f', v))\n"
	"return 1\n",
	"" };

/*
 * stale — KEYS: ready waiting;  ARGV: day.  When the loaded lines are not today's, the
 * waiting counts (which GET /halls/{hall}/categories shows) are yesterday's: drop them until
 * the first request of the day rebuilds everything.
 */
static struct kv_script s_stale = { "queue.stale", LUA_LIB
	"if ready(KEYS[1], ARGV[1]) then return 0 end\n"
	"return redis.call('DEL', KEYS[2])\n",
	"" };

/* unlock — KEYS: lock;  ARGV: holder.  Only the holder releases the lock. */
static struct kv_script s_unlock = { "queue.unlock",
	"if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end\n"
	"return 0\n",
	"" };

/* Run a script with keys and args given as NULL-terminated lists of strings. */
#define Q_MAX_ARGS 60

struct q_args {
	const char	*v[Q_MAX_ARGS];
	char		 store[Q_MAX_ARGS][96];
	int		 n;
	int		 bad;
	const char	*day;		/* the marker's day: the last argument of the script */
};

static void
qa_init(struct q_args *a)
{
	a->n = 0;
	a->bad = 0;
	a->day = NULL;
}

static void
qa_key(struct q_args *a, const char *hall, const char *suffix)
{
	if (a->n == Q_MAX_ARGS || q_key(a->store[a->n], sizeof a->store[a->n], hall, suffix)) {
		a->bad = 1;
		return;
	}
	a->v[a->n] = a->store[a->n];
	a->n++;
}

static void
qa_keyf(struct q_args *a, const char *hall, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void
qa_keyf(struct q_args *a, const char *hall, const char *f, ...)
{
	char suffix[64];
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(suffix, sizeof suffix, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof suffix) {
		a->bad = 1;
		return;
	}
	qa_key(a, hall, suffix);
}

/* An argument that lives as long as the call (borrowed). */
static void
qa_str(struct q_args *a, const char *s)
{
	if (a->n == Q_MAX_ARGS) {
		a->bad = 1;
		return;
	}
	a->v[a->n++] = s;
}

static void
qa_int(struct q_args *a, long long v)
{
	if (a->n == Q_MAX_ARGS) {
		a->bad = 1;
		return;
	}
	snprintf(a->store[a->n], sizeof a->store[a->n], "%lld", v);
	a->v[a->n] = a->store[a->n];
	a->n++;
}

static redisReply *
qa_eval(struct ctx *c, struct kv_script *s, struct q_args *a, int nkeys)
{
	if (a->day)
		qa_str(a, a->day);
	if (a->bad) {
		log_err("%s: arguments do not fit", s->name);
		return NULL;
	}
	return kv_eval(c, s, nkeys, a->n, a->v, NULL);
}

/* The marker {hall:<code>}:ready = "<day>:<epoch>"; scripts get the day as their last arg. */
static void
qa_ready(struct q_args *a, const char *hall, const char *day)
{
	qa_key(a, hall, "ready");
	a->day = day;
}

static void
qa_lines(struct q_args *a, const char *hall, char cat)
{
	qa_keyf(a, hall, "L:%c:p", cat);
	qa_keyf(a, hall, "L:%c:n", cat);
}

redisReply *
q_script_take(struct ctx *c, const struct q_take_in *in)
{
	struct q_args a;
	char letter[2] = { in->cat, 0 }, line[2] = { in->line, 0 };

	qa_init(&a);
	qa_ready(&a, in->hall, in->day);
	qa_key(&a, in->hall, "seq");
	qa_lines(&a, in->hall, in->cat);
	qa_key(&a, in->hall, "waiting");
	qa_key(&a, in->hall, "ord");
	qa_key(&a, in->hall, "ver");
	qa_key(&a, in->hall, "notify");
	qa_key(&a, in->hall, "svc");
	qa_key(&a, in->hall, "open");
	qa_str(&a, letter);
	qa_str(&a, in->token);
	qa_str(&a, line);
	qa_int(&a, in->day_ms);
	qa_int(&a, in->min_seq);
	qa_str(&a, in->notify ? "1" : "0");
	qa_int(&a, q_fair_ratio());
	qa_int(&a, Q_MAX_SEQ);
	qa_str(&a, in->old_member ? in->old_member : "");
	return qa_eval(c, &s_take, &a, 10);
}

redisReply *
q_script_pop(struct ctx *c, const char *hall, const char *day, int window, const char *cats)
{
	struct q_args a;
	size_t i;

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_key(&a, hall, "waiting");
	qa_key(&a, hall, "ver");
	qa_keyf(&a, hall, "win:%d", window);
	for (i = 0; cats[i]; i++)
		qa_lines(&a, hall, cats[i]);
	qa_int(&a, q_fair_ratio());
	qa_str(&a, cats);
	return qa_eval(c, &s_pop, &a, 4 + 2 * (int)strlen(cats));
}

redisReply *
q_script_requeue(struct ctx *c, const char *hall, const char *day, char cat, char line,
    const char *member, const char *score, int64_t day_ms, int notify, char num_cat, int seq)
{
	struct q_args a;
	char letter[2] = { cat, 0 }, ln[2] = { line, 0 }, nl[2] = { num_cat, 0 };

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_lines(&a, hall, cat);
	qa_key(&a, hall, "waiting");
	qa_key(&a, hall, "ver");
	qa_key(&a, hall, "ord");
	qa_key(&a, hall, "notify");
	qa_key(&a, hall, "seq");
	qa_str(&a, member);
	qa_str(&a, score ? score : "");
	qa_int(&a, day_ms);
	qa_str(&a, letter);
	qa_str(&a, ln);
	qa_str(&a, notify ? "1" : "0");
	qa_str(&a, nl);
	qa_int(&a, seq);
	qa_int(&a, q_fair_ratio());
	return qa_eval(c, &s_requeue, &a, 8);
}

redisReply *
q_script_remove(struct ctx *c, const char *hall, const char *day, char cat, const char *member)
{
	struct q_args a;
	char letter[2] = { cat, 0 };

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_lines(&a, hall, cat);
	qa_key(&a, hall, "waiting");
	qa_key(&a, hall, "ver");
	qa_key(&a, hall, "notify");
	qa_str(&a, member);
	qa_str(&a, letter);
	qa_int(&a, q_fair_ratio());
	return qa_eval(c, &s_remove, &a, 6);
}

redisReply *
q_script_announce(struct ctx *c, const char *hall, const char *day, int window,
    const char *number, int64_t at_ms, const char *cats)
{
	struct q_args a;
	size_t i;

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_key(&a, hall, "calls");
	qa_key(&a, hall, "callseq");
	qa_key(&a, hall, "ver");
	qa_key(&a, hall, "notify");
	qa_key(&a, hall, "open");
	for (i = 0; cats[i]; i++)
		qa_lines(&a, hall, cats[i]);
	qa_int(&a, window);
	qa_str(&a, number);
	qa_int(&a, at_ms);
	qa_int(&a, q_fair_ratio());
	qa_str(&a, cats);
	qa_int(&a, hall_now_ms());
	return qa_eval(c, &s_announce, &a, 6 + 2 * (int)strlen(cats));
}

redisReply *
q_script_place(struct ctx *c, const char *hall, char cat, char line, const char *member)
{
	struct q_args a;
	char letter[2] = { cat, 0 }, ln[2] = { line, 0 };

	qa_init(&a);
	qa_lines(&a, hall, cat);
	qa_key(&a, hall, "svc");
	qa_key(&a, hall, "open");
	qa_str(&a, member);
	qa_str(&a, ln);
	qa_int(&a, q_fair_ratio());
	qa_str(&a, letter);
	return qa_eval(c, &s_place, &a, 4);
}

redisReply *
q_script_board(struct ctx *c, const char *hall, const char *day)
{
	struct q_args a;

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_key(&a, hall, "ver");
	qa_key(&a, hall, "calls");
	qa_key(&a, hall, "waiting");
	return qa_eval(c, &s_board, &a, 4);
}

long long
q_last_score(struct ctx *c, const char *hall)
{
	char k[96];
	redisReply *rep;
	long long v = 0;

	if (q_key(k, sizeof k, hall, "ord") || (rep = kv_cmd(c, "GET %s", k)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STRING)
		parse_ll(rep->str, 0, INT64_MAX / 2, &v);
	freeReplyObject(rep);
	return v;
}

redisReply *
q_board_version(struct ctx *c, const char *hall)
{
	char k[96];

	if (q_key(k, sizeof k, hall, "ver"))
		return NULL;
	return kv_cmd(c, "GET %s", k);
}

int
q_clear_stale(struct ctx *c, const char *hall, const char *day)
{
	struct q_args a;
	redisReply *rep;

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_key(&a, hall, "waiting");
	if ((rep = qa_eval(c, &s_stale, &a, 2)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

void
q_svc_add(struct ctx *c, const char *hall, char cat, long long seconds)
{
	struct q_args a;
	char letter[2] = { cat, 0 };
	redisReply *rep;

	qa_init(&a);
	qa_key(&a, hall, "svc");
	qa_str(&a, letter);
	qa_int(&a, seconds);
	if ((rep = qa_eval(c, &s_svc, &a, 1)) != NULL)
		freeReplyObject(rep);
}

void
q_window_open(struct ctx *c, const char *hall, int window, int64_t now_ms)
{
	char k[96];
	redisReply *rep;

	if (q_key(k, sizeof k, hall, "open"))
		return;
	if ((rep = kv_cmd(c, "HSET %s %d %lld", k, window, (long long)now_ms)) != NULL)
		freeReplyObject(rep);
}

/* ------------------------------------------------------------------ estimates */

#define Q_OPEN_MS (30 * 60 * 1000)	/* a window with no clerk action for 30 min is closed */

int
q_eta(const struct q_hall *h, char cat, long long ahead, const redisReply *svc,
    const redisReply *const *open, size_t nopen, int64_t now_ms)
{
	const struct q_cat *qc = q_hall_cat(h, cat);
	double avg_s, m;
	int windows = 0, i;
	size_t k;

	if (qc == NULL || ahead <= 0)
		return 0;
	avg_s = qc->avg_min * 60.0;
	if (svc && svc->type == REDIS_REPLY_STRING && svc->len > 0) {
		double v = strtod(svc->str, NULL);

		if (v > 0 && v < 86400)
			avg_s = v;
	}
	for (i = 0; i < h->nwin; i++) {
		if (!(h->wins[i].mask & (1u << (cat - 'A'))))
			continue;
		for (k = 0; k + 1 < nopen; k += 2) {
			long long w, at;

			if (open[k]->str && open[k + 1]->str &&
			    parse_ll(open[k]->str, 1, 65535, &w) == 0 && w == h->wins[i].number &&
			    parse_ll(open[k + 1]->str, 0, INT64_MAX / 2, &at) == 0 &&
			    now_ms - at < Q_OPEN_MS && at - now_ms < Q_OPEN_MS)
				windows++;
		}
	}
	if (windows == 0)
		windows = qc->nwin > 0 ? qc->nwin : 1;
	m = ceil((double)ahead * avg_s / windows / 60.0);
	return m > 24 * 60 ? 24 * 60 : (int)m;
}

/* ------------------------------------------------------------------ marker and rebuild */

int
q_epoch(struct ctx *c, const char *hall, const char *day, char *epoch, size_t esz)
{
	char k[96];
	size_t dl = strlen(day);
	redisReply *rep;

	if (q_key(k, sizeof k, hall, "ready"))
		return -1;
	if ((rep = kv_cmd(c, "GET %s", k)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STRING && rep->len > dl && strncmp(rep->str, day, dl) == 0 &&
	    rep->str[dl] == ':')
		str_copy(epoch, esz, rep->str);
	else
		str_copy(epoch, esz, "");
	freeReplyObject(rep);
	return 0;
}

/* Run one command; 0 when Redis answered without an error. */
static int
kv_ok(redisReply *rep)
{
	int ok = rep != NULL && rep->type != REDIS_REPLY_ERROR;

	if (rep)
		freeReplyObject(rep);
	return ok ? 0 : -1;
}

struct rb_line {
	char	 token[40];
	char	 member[48];
	char	 cat;
	char	 line;
	char	 score[24];
	int	 notify;
};

struct rb {
	struct ctx	*c;
	const char	*hall;
	int		 seq[Q_MAX_CATS];
	struct rb_line	*lines;
	size_t		 nlines, cap;
	long long	 ord;
	struct {
		int		 window;
		char		 number[8];
		long long	 at;
	}		 calls[Q_MAX_WINDOWS];
	int		 ncalls;
	double		 svc_sum[Q_MAX_CATS];
	int		 svc_n[Q_MAX_CATS];
	int		 oom;
};

static int
rb_seq_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rb *b = arg;
	long long n;

	(void)ncol;
	(void)lens;
	if (v[0][0] >= 'A' && v[0][0] <= 'Z' && parse_ll(v[1], 0, Q_MAX_SEQ, &n) == 0)
		b->seq[v[0][0] - 'A'] = (int)n;
	return 0;
}

static int
rb_line_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rb *b = arg;
	struct rb_line *l;

	(void)ncol;
	(void)lens;
	if (b->nlines == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 256;
		struct rb_line *nl;

		if (ncap > 100000 || (nl = realloc(b->lines, ncap * sizeof *nl)) == NULL) {
			b->oom = 1;
			return 1;
		}
		b->lines = nl;
		b->cap = ncap;
	}
	l = &b->lines[b->nlines];
	str_copy(l->token, sizeof l->token, v[0]);
	if (fmt(l->member, sizeof l->member, "%s %s", v[1], v[0]) < 0)
		return 0;
	l->cat = v[2][0];
	l->line = v[3][0];
	str_copy(l->score, sizeof l->score, v[4]);
	l->notify = v[5] && v[5][0] == '1';
	if (l->cat < 'A' || l->cat > 'Z')
		return 0;
	b->nlines++;
	return 0;
}

static int
rb_ord_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rb *b = arg;

	(void)ncol;
	(void)lens;
	if (v[0])
		parse_ll(v[0], 0, INT64_MAX / 2, &b->ord);
	return 1;
}

static int
rb_call_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rb *b = arg;
	long long w, at;
	int i;

	(void)ncol;
	(void)lens;
	if (parse_ll(v[0], 1, 65535, &w) != 0 || parse_ll(v[2], 0, INT64_MAX / 2, &at) != 0)
		return 0;
	for (i = 0; i < b->ncalls; i++)
		if (b->calls[i].window == w)
			break;
	if (i == b->ncalls) {
		if (b->ncalls == Q_MAX_WINDOWS)
			return 0;
		b->ncalls++;
	}
	/* Rows come oldest first: the last one of a window wins. */
	b->calls[i].window = (int)w;
	str_copy(b->calls[i].number, sizeof b->calls[i].number, v[1]);
	b->calls[i].at = at;
	return 0;
}

static int
rb_svc_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rb *b = arg;
	long long s;
	int k;

	(void)ncol;
	(void)lens;
	if (v[0][0] < 'A' || v[0][0] > 'Z' || parse_ll(v[1], 0, 86400, &s) != 0)
		return 0;
	k = v[0][0] - 'A';
	/* Newest first: the last 20 services of each category make the average. */
	if (b->svc_n[k] < 20) {
		b->svc_sum[k] += (double)s;
		b->svc_n[k]++;
	}
	return 0;
}

/* Read the day's state from MariaDB.  0 or a DB_* code. */
static int
rb_read(struct rb *b, const char *day)
{
	struct ctx *c = b->c;
	int rc;

	if ((rc = db_query(c, "SELECT num_cat, MAX(seq) FROM queue_tickets WHERE hall = ? AND day = ?"
	    " GROUP BY num_cat", DBARGS(DBS(b->hall), DBS(day)), rb_seq_row, b)) < 0)
		return rc;
	if ((rc = db_query(c, "SELECT token, number, category, line, rank_score,"
	    " phone_enc IS NOT NULL AND near_notified = 0"
	    " FROM queue_tickets WHERE hall = ? AND day = ? AND status = 'waiting'",
	    DBARGS(DBS(b->hall), DBS(day)), rb_line_row, b)) < 0)
		return rc;
	if (b->oom)
		return DB_FAIL;
	if ((rc = db_query(c, "SELECT MAX(rank_score) FROM queue_tickets WHERE hall = ? AND day = ?",
	    DBARGS(DBS(b->hall), DBS(day)), rb_ord_row, b)) < 0)
		return rc;
	if ((rc = db_query(c, "SELECT window_no, number,"
	    " CAST(ROUND(UNIX_TIMESTAMP(last_called_at) * 1000) AS SIGNED)"
	    " FROM queue_tickets WHERE hall = ? AND day = ? AND last_called_at IS NOT NULL"
	    " AND window_no IS NOT NULL ORDER BY last_called_at, id",
	    DBARGS(DBS(b->hall), DBS(day)), rb_call_row, b)) < 0)
		return rc;
	if ((rc = db_query(c, "SELECT category, TIMESTAMPDIFF(SECOND, started_at, finished_at)"
	    " FROM queue_tickets WHERE hall = ? AND day = ? AND outcome = 'done'"
	    " AND started_at IS NOT NULL ORDER BY finished_at DESC LIMIT 500",
	    DBARGS(DBS(b->hall), DBS(day)), rb_svc_row, b)) < 0)
		return rc;
	return 0;
}

/* Write the state read by rb_read; the marker goes last.  0 or -1 (Redis). */
static int
rb_write(struct rb *b, const struct q_hall *h, const char *epoch)
{
	struct ctx *c = b->c;
	const char *hall = b->hall;
	char k[96], k2[96], v[128];
	const char *argv[2 + 2 * 200];
	size_t argl[2 + 2 * 200];
	redisReply *rep;
	long long old;
	int i;
	size_t j;

	/* Everything the lines are made of, from scratch. */
	static const char *const fixed[] = { "seq", "ord", "waiting", "calls", "notify", "svc" };
	for (i = 0; i < (int)NELEM(fixed); i++) {
		q_key(k, sizeof k, hall, fixed[i]);
		if (kv_ok(kv_cmd(c, "DEL %s", k)))
			return -1;
	}
	for (i = 0; i < h->ncat; i++) {
		fmt(v, sizeof v, "L:%c:p", h->cats[i].code);
		q_key(k, sizeof k, hall, v);
		fmt(v, sizeof v, "L:%c:n", h->cats[i].code);
		q_key(k2, sizeof k2, hall, v);
		if (kv_ok(kv_cmd(c, "DEL %s %s", k, k2)))
			return -1;
	}
	for (i = 0; i < h->nwin; i++) {
		fmt(v, sizeof v, "win:%d", h->wins[i].number);
		q_key(k, sizeof k, hall, v);
		if (kv_ok(kv_cmd(c, "DEL %s", k)))
			return -1;
	}

	q_key(k, sizeof k, hall, "seq");
	for (i = 0; i < Q_MAX_CATS; i++) {
		char letter[2] = { (char)('A' + i), 0 };

		if (b->seq[i] > 0 && kv_ok(kv_cmd(c, "HSET %s %s %d", k, letter, b->seq[i])))
			return -1;
	}
	q_key(k, sizeof k, hall, "ord");
	if (kv_ok(kv_cmd(c, "SET %s %lld", k, b->ord)))
		return -1;

	/* The lines, in batches of up to 200 members per ZADD. */
	for (i = 0; i < h->ncat; i++) {
		static const char lines[] = "pn";
		int li;

		for (li = 0; li < 2; li++) {
			int n = 0;

			fmt(v, sizeof v, "L:%c:%c", h->cats[i].code, lines[li]);
			q_key(k, sizeof k, hall, v);
			for (j = 0; j <= b->nlines; j++) {
				if (j < b->nlines && (b->lines[j].cat != h->cats[i].code ||
				    b->lines[j].line != lines[li]))
					continue;
				if (j < b->nlines) {
					argv[2 + 2 * n] = b->lines[j].score;
					argl[2 + 2 * n] = strlen(b->lines[j].score);
					argv[3 + 2 * n] = b->lines[j].member;
					argl[3 + 2 * n] = strlen(b->lines[j].member);
					n++;
				}
				if (n > 0 && (n == 200 || j == b->nlines)) {
					argv[0] = "ZADD";
					argl[0] = 4;
					argv[1] = k;
					argl[1] = strlen(k);
					if (kv_ok(kv_cmdargv(c, 2 + 2 * n, argv, argl)))
						return -1;
					n = 0;
				}
			}
		}
	}

	/* Waiting counts for every category (0 included), the board's calls, the notices
	 * still owed and the recent service times. */
	q_key(k, sizeof k, hall, "waiting");
	for (i = 0; i < h->ncat; i++) {
		char letter[2] = { h->cats[i].code, 0 };
		int n = 0;

		for (j = 0; j < b->nlines; j++)
			n += b->lines[j].cat == h->cats[i].code;
		if (kv_ok(kv_cmd(c, "HSET %s %s %d", k, letter, n)))
			return -1;
	}
	q_key(k, sizeof k, hall, "calls");
	q_key(k2, sizeof k2, hall, "callseq");
	rep = kv_cmd(c, "INCR %s", k2);
	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		kv_ok(rep);
		return -1;
	}
	old = rep->integer;
	freeReplyObject(rep);
	if (old < hall_now_ms()) {
		/* Call ids must not repeat after a wipe: the board speaks ids it has not seen. */
		old = hall_now_ms();
		if (kv_ok(kv_cmd(c, "SET %s %lld", k2, old)))
			return -1;
	}
	for (i = 0; i < b->ncalls; i++) {
		fmt(v, sizeof v, "%lld|%s|%lld", old - b->ncalls + i, b->calls[i].number,
		    b->calls[i].at);
		if (kv_ok(kv_cmd(c, "HSET %s %d %s", k, b->calls[i].window, v)))
			return -1;
	}
	q_key(k, sizeof k, hall, "notify");
	for (j = 0; j < b->nlines; j++)
		if (b->lines[j].notify && kv_ok(kv_cmd(c, "SADD %s %s", k, b->lines[j].token)))
			return -1;
	q_key(k, sizeof k, hall, "svc");
	for (i = 0; i < Q_MAX_CATS; i++) {
		char letter[2] = { (char)('A' + i), 0 };

		if (b->svc_n[i] > 0 && kv_ok(kv_cmd(c, "HSET %s %s %.1f", k, letter,
		    b->svc_sum[i] / b->svc_n[i])))
			return -1;
	}

	/* A new board version that no screen can hold: screens reload at once. */
	q_key(k, sizeof k, hall, "ver");
	rep = kv_cmd(c, "INCR %s", k);
	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		kv_ok(rep);
		return -1;
	}
	old = rep->integer;
	freeReplyObject(rep);
	if (old < hall_now_ms() && kv_ok(kv_cmd(c, "SET %s %lld", k, (long long)hall_now_ms())))
		return -1;

	q_key(k, sizeof k, hall, "ready");
	return kv_ok(kv_cmd(c, "SET %s %s EX 172800", k, epoch));
}

static int
rebuild(struct req *r, const struct q_hall *h, const char *day, char *epoch, size_t esz)
{
	struct rb b;
	char rnd[16];
	int rc;

	memset(&b, 0, sizeof b);
	b.c = r->ctx;
	b.hall = h->code;
	if ((rc = rb_read(&b, day)) != 0) {
		free(b.lines);
		return db_fail(r, rc);
	}
	if (token_new(rnd, sizeof rnd, 9) != 0 || fmt(epoch, esz, "%s:%s", day, rnd) < 0 ||
	    rb_write(&b, h, epoch) != 0) {
		free(b.lines);
		return req_unavailable(r);
	}
	log_info("hall %s: lines of %s rebuilt from the record (%zu waiting)", h->code, day,
	    b.nlines);
	free(b.lines);
	return 0;
}

int
q_ready(struct req *r, const char *hall, const char *day, char *epoch, size_t esz)
{
	struct q_hall h;
	char lock[96], me[24];
	redisReply *rep;
	int i, rc;

	for (i = 0; i < 100; i++) {
		if (q_epoch(r->ctx, hall, day, epoch, esz) != 0)
			return req_unavailable(r);
		if (epoch[0])
			return 0;
		if (i == 0) {
			if ((rc = q_hall_get(r->ctx, hall, &h)) < 0)
				return db_fail(r, rc);
			if (rc == 0)
				return req_fail(r, 404, "NOT_FOUND", "没有这个政务服务中心");
			if (q_key(lock, sizeof lock, hall, "lock") || token_new(me, sizeof me, 12))
				return req_unavailable(r);
		}
		rep = kv_cmd(r->ctx, "SET %s %s NX PX 30000", lock, me);
		if (rep == NULL)
			return req_unavailable(r);
		if (rep->type == REDIS_REPLY_STATUS) {
			struct q_args a;

			freeReplyObject(rep);
			/* Someone may have finished a rebuild between our GET and our SET. */
			if (q_epoch(r->ctx, hall, day, epoch, esz) != 0)
				return req_unavailable(r);
			rc = epoch[0] ? 0 : rebuild(r, &h, day, epoch, esz);
			qa_init(&a);
			qa_str(&a, lock);
			qa_str(&a, me);
			kv_ok(qa_eval(r->ctx, &s_unlock, &a, 1));
			return rc;
		}
		freeReplyObject(rep);
		{
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	log_warn("hall %s: gave up waiting for a rebuild of %s", hall, day);
	return req_unavailable(r);
}
