/*
 * lines.c — the queue's hot state in Redis: the key names and the Lua scripts that check and
 * change it, each in one step.
 *
 * Routes: none (the room's domain files call these).
 * Tables: none.
 * Redis:  {hall:<code>}:ready, :lock, :seq, :ord, :L:<c>:p, :L:<c>:n, :waiting,
 *         :win:<n>, :open, :calls, :callseq, :ver, :notify, :svc (see queue_int.h).
 *
 * Every script that writes starts by checking the marker ({hall:<code>}:ready holds
 * "<day>:<epoch>", rebuild.c): when it is missing or names another day, the script changes
 * nothing and says NOTREADY, and the caller has the lines rebuilt (q_ready) and tries again.
 *
 * Order: a line is a sorted set scored by an order score that only grows within the hall
 * (ms since midnight × 1000, or the last score + 1), so scores compare across categories:
 * a transferred ticket keeps its score and waits ahead of everything taken after it.  Who is
 * called next (the pop script) is summed up in order.c.
 */
#include "queue_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
q_key(char *out, size_t osz, const char *hall, const char *suffix)
{
	return fmt(out, osz, "{hall:%s}:%s", hall, suffix) < 0 ? -1 : 0;
}

/*
 * Shared Lua.  ahead_of: the estimated number of tickets called before a member — its rank
 * in a priority line, or for an ordinary ticket its rank plus the priority tickets that the
 * fairness ratio lets in before it.  near: after a change, the tokens owed a turn-near SMS
 * that are now n (queue_turn_near_ahead) or fewer from the front (each is taken out of the
 * set: owed once).
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
	"local function near(lp, ln, ratio, nk, out, n)\n" \
	"  local ps = redis.call('ZRANGE', lp, 0, n)\n" \
	"  for i = 1, #ps do\n" \
	"    if redis.call('SREM', nk, tok(ps[i])) == 1 then\n" \
	"      table.insert(out, tok(ps[i]) .. ' ' .. (i - 1)) end\n" \
	"  end\n" \
	"  local p = redis.call('ZCARD', lp)\n" \
	"  local ns = redis.call('ZRANGE', ln, 0, n)\n" \
	"  for b = 0, #ns - 1 do\n" \
	"    local a = b + math.min(p, ratio * (b + 1))\n" \
	"    if a <= n and redis.call('SREM', nk, tok(ns[b + 1])) == 1 then\n" \
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
 * A ticket with a phone joins the notify set wherever it stands, even already near the front:
 * the caller runs the nearscan script once its row is committed, so the SMS of a ticket taken
 * within reach of its turn goes out at once (the row must exist before near_tx marks it).
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
	"if ARGV[6] == '1' then redis.call('SADD', KEYS[8], ARGV[2]) end\n"
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
	"if ARGV[6] == '1' then redis.call('SADD', KEYS[7], tok(m)) end\n"
	"return {'OK', epoch, s, a}\n",
	"" };

/*
 * remove — KEYS: ready Lp Ln waiting ver notify;  ARGV: member category ratio near
 * → {'OK', epoch, removed, near tokens…} | {'NOTREADY'}
 */
static struct kv_script s_remove = { "queue.remove", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local n = redis.call('ZREM', KEYS[2], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])\n"
	"redis.call('SREM', KEYS[6], tok(ARGV[1]))\n"
	"if n > 0 then count(KEYS[4], ARGV[2], KEYS[2], KEYS[3]) redis.call('INCR', KEYS[5]) end\n"
	"local out = {'OK', epoch, n}\n"
	"near(KEYS[2], KEYS[3], tonumber(ARGV[3]), KEYS[6], out, tonumber(ARGV[4]))\n"
	"return out\n",
	"" };

/*
 * announce — KEYS: ready calls callseq ver notify open, then Lp Ln of each category
 * ARGV: window number at_ms ratio letters now_ms near
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
	"for i = 1, #cats do near(KEYS[5 + 2 * i], KEYS[6 + 2 * i], ratio, KEYS[5], out,\n"
	"  tonumber(ARGV[7])) end\n"
	"return out\n",
	"" };

/*
 * nearscan — KEYS: ready Lp Ln notify;  ARGV: ratio near
 * Who of one category is owed the turn-near SMS now (after a take, a transfer, a rejoin).
 * → {'OK', epoch, near tokens…} | {'NOTREADY'}
 */
static struct kv_script s_nearscan = { "queue.nearscan", LUA_LIB
	"local epoch = ready(KEYS[1], ARGV[#ARGV])\n"
	"if not epoch then return {'NOTREADY'} end\n"
	"local out = {'OK', epoch}\n"
	"near(KEYS[2], KEYS[3], tonumber(ARGV[1]), KEYS[4], out, tonumber(ARGV[2]))\n"
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
	qa_int(&a, q_near_ahead());
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
	qa_int(&a, q_near_ahead());
	return qa_eval(c, &s_announce, &a, 6 + 2 * (int)strlen(cats));
}

redisReply *
q_script_nearscan(struct ctx *c, const char *hall, const char *day, char cat)
{
	struct q_args a;

	qa_init(&a);
	qa_ready(&a, hall, day);
	qa_lines(&a, hall, cat);
	qa_key(&a, hall, "notify");
	qa_int(&a, q_fair_ratio());
	qa_int(&a, q_near_ahead());
	return qa_eval(c, &s_nearscan, &a, 4);
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

void
q_requeue(struct ctx *c, const char *hall, const char *day, char cat, char line,
    const char *member, const char *score, int64_t day_ms, int notify, char num_cat, int seq)
{
	redisReply *rep = q_script_requeue(c, hall, day, cat, line, member, score, day_ms,
	    notify, num_cat, seq);

	if (rep)
		freeReplyObject(rep);
}

void
q_unlock(struct ctx *c, const char *lock, const char *me)
{
	struct q_args a;
	redisReply *rep;

	qa_init(&a);
	qa_str(&a, lock);
	qa_str(&a, me);
	if ((rep = qa_eval(c, &s_unlock, &a, 1)) != NULL)
		freeReplyObject(rep);
}

int
q_reply_ok(const redisReply *rep, size_t min_elements)
{
	return rep != NULL && rep->type == REDIS_REPLY_ARRAY && rep->elements >= min_elements &&
	    rep->elements >= 1 && rep->element[0]->type == REDIS_REPLY_STRING;
}
