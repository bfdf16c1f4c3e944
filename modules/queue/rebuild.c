/*
 * rebuild.c — the marker that says today's lines are in Redis, and their rebuild from
 * MariaDB when it is missing.
 *
 * Routes: none.
 * Tables: queue_tickets (read: numbers, waiting rows, last calls, service times).
 * Redis:  {hall:<code>}:ready, :lock, and everything lines.c keeps (written from scratch).
 *
 * Why a marker and a rebuild.  MariaDB is the record of every ticket; Redis holds the lines
 * because taking and calling must be one atomic script each.  Every script starts by checking
 * the marker: {hall:<code>}:ready holds "<day>:<epoch>", and when it is missing (Redis was
 * wiped or came back empty) or names another day (the day changed), the script changes
 * nothing and says NOTREADY.  The app then rebuilds the lines from MariaDB under a lock
 * (SET NX) and sets the marker last, so no script writes while a rebuild is half done.
 * The epoch is new at every load: a request whose script ran before a wipe sees, after its
 * commit, that the epoch changed (q_rebuilt_since), and re-applies its own ticket to the new
 * lines.  A ticket still left out is put back by the next read of it or by the reconcile job
 * (queue_jobs.c).  The numbers continue from MAX(seq) of the day, and the unique key on
 * (hall, day, letter, number) refuses a number twice whatever Redis says — a take that
 * collides simply takes the next number.
 */
#include "queue_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

struct rb {
	struct ctx	*c;
	const char	*hall;
	int		 seq[Q_MAX_CATS];
	struct q_waits	 w;		/* the waiting rows */
	long long	 ord;
	struct {
		int		 window;
		char		 number[8];
		long long	 at;
	}		 calls[Q_MAX_WINDOWS];
	int		 ncalls;
	double		 svc_sum[Q_MAX_CATS];
	int		 svc_n[Q_MAX_CATS];
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

int
q_wait_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct q_waits *w = arg;
	struct q_wait *l;
	long long seq = 0;

	(void)lens;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 256;
		struct q_wait *nl;

		if (ncap > 100000 || (nl = realloc(w->r, ncap * sizeof *nl)) == NULL) {
			w->oom = 1;
			return 1;
		}
		w->r = nl;
		w->cap = ncap;
	}
	l = &w->r[w->n];
	memset(l, 0, sizeof *l);
	str_copy(l->token, sizeof l->token, v[0]);
	if (fmt(l->member, sizeof l->member, "%s %s", v[1], v[0]) < 0)
		return 0;
	l->cat = v[2][0];
	l->line = v[3][0];
	str_copy(l->score, sizeof l->score, v[4]);
	l->notify = v[5] && v[5][0] == '1';
	if (ncol >= 9) {
		l->num_cat = v[6][0];
		parse_ll(v[7], 0, 9999, &seq);
		l->seq = (int)seq;
		l->settled = v[8][0] == '1';
	}
	if (l->cat < 'A' || l->cat > 'Z')
		return 0;
	w->n++;
	return 0;
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
	char ord[24];
	int rc;

	if ((rc = db_query(c, "SELECT num_cat, MAX(seq) FROM queue_tickets WHERE hall = ? AND day = ?"
	    " GROUP BY num_cat", DBARGS(DBS(b->hall), DBS(day)), rb_seq_row, b)) < 0)
		return rc;
	if ((rc = db_query(c, "SELECT token, number, category, line, rank_score,"
	    " phone_enc IS NOT NULL AND near_notified = 0"
	    " FROM queue_tickets WHERE hall = ? AND day = ? AND status = 'waiting'",
	    DBARGS(DBS(b->hall), DBS(day)), q_wait_row, &b->w)) < 0)
		return rc;
	if (b->w.oom)
		return DB_FAIL;
	if ((rc = db_scalar(c, "SELECT MAX(rank_score) FROM queue_tickets WHERE hall = ? AND day = ?",
	    DBARGS(DBS(b->hall), DBS(day)), ord, sizeof ord)) < 0)
		return rc;
	if (ord[0])		/* NULL (no ticket today): "" */
		parse_ll(ord, 0, INT64_MAX / 2, &b->ord);
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

/* Delete everything the lines are made of, to write them from scratch.  0 or -1. */
static int
rb_clear(struct rb *b, const struct q_hall *h)
{
	static const char *const fixed[] = { "seq", "ord", "waiting", "calls", "notify", "svc" };
	struct ctx *c = b->c;
	char k[96], k2[96], v[128];
	int i;

	for (i = 0; i < (int)NELEM(fixed); i++) {
		q_key(k, sizeof k, b->hall, fixed[i]);
		if (kv_ok(kv_cmd(c, "DEL %s", k)))
			return -1;
	}
	for (i = 0; i < h->ncat; i++) {
		fmt(v, sizeof v, "L:%c:p", h->cats[i].code);
		q_key(k, sizeof k, b->hall, v);
		fmt(v, sizeof v, "L:%c:n", h->cats[i].code);
		q_key(k2, sizeof k2, b->hall, v);
		if (kv_ok(kv_cmd(c, "DEL %s %s", k, k2)))
			return -1;
	}
	for (i = 0; i < h->nwin; i++) {
		fmt(v, sizeof v, "win:%d", h->wins[i].number);
		q_key(k, sizeof k, b->hall, v);
		if (kv_ok(kv_cmd(c, "DEL %s", k)))
			return -1;
	}
	return 0;
}

/* One line (cat, 'p' or 'n'), in batches of up to 200 members per ZADD.  0 or -1. */
static int
rb_write_line(struct rb *b, char cat, char line)
{
	const char *argv[2 + 2 * 200];
	size_t argl[2 + 2 * 200], j;
	char k[96], v[16];
	int n = 0;

	fmt(v, sizeof v, "L:%c:%c", cat, line);
	q_key(k, sizeof k, b->hall, v);
	for (j = 0; j <= b->w.n; j++) {
		if (j < b->w.n && (b->w.r[j].cat != cat || b->w.r[j].line != line))
			continue;
		if (j < b->w.n) {
			argv[2 + 2 * n] = b->w.r[j].score;
			argl[2 + 2 * n] = strlen(b->w.r[j].score);
			argv[3 + 2 * n] = b->w.r[j].member;
			argl[3 + 2 * n] = strlen(b->w.r[j].member);
			n++;
		}
		if (n > 0 && (n == 200 || j == b->w.n)) {
			argv[0] = "ZADD";
			argl[0] = 4;
			argv[1] = k;
			argl[1] = strlen(k);
			if (kv_ok(kv_cmdargv(b->c, 2 + 2 * n, argv, argl)))
				return -1;
			n = 0;
		}
	}
	return 0;
}

/* INCR key, then make sure it is at least the hall's ms now (ids and versions must not
 * repeat after a wipe).  The value into *out; 0 or -1. */
static int
rb_bump(struct ctx *c, const char *k, long long *out)
{
	redisReply *rep = kv_cmd(c, "INCR %s", k);
	long long v;

	if (rep == NULL || rep->type != REDIS_REPLY_INTEGER) {
		kv_ok(rep);
		return -1;
	}
	v = rep->integer;
	freeReplyObject(rep);
	if (v < hall_now_ms()) {
		v = hall_now_ms();
		if (kv_ok(kv_cmd(c, "SET %s %lld", k, v)))
			return -1;
	}
	*out = v;
	return 0;
}

/* The board's calls: each window's latest, with call ids the board has not seen. */
static int
rb_write_calls(struct rb *b)
{
	char k[96], k2[96], v[128];
	long long last;
	int i;

	q_key(k, sizeof k, b->hall, "calls");
	q_key(k2, sizeof k2, b->hall, "callseq");
	if (rb_bump(b->c, k2, &last) != 0)
		return -1;
	for (i = 0; i < b->ncalls; i++) {
		fmt(v, sizeof v, "%lld|%s|%lld", last - b->ncalls + i, b->calls[i].number,
		    b->calls[i].at);
		if (kv_ok(kv_cmd(b->c, "HSET %s %d %s", k, b->calls[i].window, v)))
			return -1;
	}
	return 0;
}

/* Numbers, order, waiting counts (0 included), notices still owed, service times. */
static int
rb_write_counters(struct rb *b, const struct q_hall *h)
{
	struct ctx *c = b->c;
	char k[96];
	size_t j;
	int i;

	q_key(k, sizeof k, b->hall, "seq");
	for (i = 0; i < Q_MAX_CATS; i++) {
		char letter[2] = { (char)('A' + i), 0 };

		if (b->seq[i] > 0 && kv_ok(kv_cmd(c, "HSET %s %s %d", k, letter, b->seq[i])))
			return -1;
	}
	q_key(k, sizeof k, b->hall, "ord");
	if (kv_ok(kv_cmd(c, "SET %s %lld", k, b->ord)))
		return -1;
	q_key(k, sizeof k, b->hall, "waiting");
	for (i = 0; i < h->ncat; i++) {
		char letter[2] = { h->cats[i].code, 0 };
		int n = 0;

		for (j = 0; j < b->w.n; j++)
			n += b->w.r[j].cat == h->cats[i].code;
		if (kv_ok(kv_cmd(c, "HSET %s %s %d", k, letter, n)))
			return -1;
	}
	q_key(k, sizeof k, b->hall, "notify");
	for (j = 0; j < b->w.n; j++)
		if (b->w.r[j].notify && kv_ok(kv_cmd(c, "SADD %s %s", k, b->w.r[j].token)))
			return -1;
	q_key(k, sizeof k, b->hall, "svc");
	for (i = 0; i < Q_MAX_CATS; i++) {
		char letter[2] = { (char)('A' + i), 0 };

		if (b->svc_n[i] > 0 && kv_ok(kv_cmd(c, "HSET %s %s %.1f", k, letter,
		    b->svc_sum[i] / b->svc_n[i])))
			return -1;
	}
	return 0;
}

/* Write the state read by rb_read; the marker goes last.  0 or -1 (Redis). */
static int
rb_write(struct rb *b, const struct q_hall *h, const char *epoch)
{
	char k[96];
	long long ver;
	int i;

	if (rb_clear(b, h) != 0 || rb_write_counters(b, h) != 0)
		return -1;
	for (i = 0; i < h->ncat; i++)
		if (rb_write_line(b, h->cats[i].code, 'p') != 0 ||
		    rb_write_line(b, h->cats[i].code, 'n') != 0)
			return -1;
	if (rb_write_calls(b) != 0)
		return -1;
	/* A new board version that no screen can hold: screens reload at once. */
	q_key(k, sizeof k, b->hall, "ver");
	if (rb_bump(b->c, k, &ver) != 0)
		return -1;
	q_key(k, sizeof k, b->hall, "ready");
	return kv_ok(kv_cmd(b->c, "SET %s %s EX 172800", k, epoch));
}

/* Read the day from MariaDB and write it into Redis.  0, E_UNAVAILABLE or a DB_* code. */
static int
rebuild(struct ctx *c, const struct q_hall *h, const char *day, char *epoch, size_t esz)
{
	struct rb b;
	char rnd[16];
	int rc;

	memset(&b, 0, sizeof b);
	b.c = c;
	b.hall = h->code;
	if ((rc = rb_read(&b, day)) != 0) {
		free(b.w.r);
		return rc;
	}
	if (token_new(rnd, sizeof rnd, 9) != 0 || fmt(epoch, esz, "%s:%s", day, rnd) < 0 ||
	    rb_write(&b, h, epoch) != 0) {
		free(b.w.r);
		return E_UNAVAILABLE;
	}
	log_info("hall %s: lines of %s rebuilt from the record (%zu waiting)", h->code, day,
	    b.w.n);
	free(b.w.r);
	return 0;
}

/* The rebuild itself, under the lock (taken by q_ready). */
static int
rebuild_locked(struct ctx *c, const struct q_hall *h, const char *lock, const char *me,
    const char *day, char *epoch, size_t esz)
{
	int rc;

	/* Someone may have finished a rebuild between our GET and our SET. */
	if (q_epoch(c, h->code, day, epoch, esz) != 0)
		rc = E_UNAVAILABLE;
	else
		rc = epoch[0] ? 0 : rebuild(c, h, day, epoch, esz);
	q_unlock(c, lock, me);
	return rc;
}

int
q_ready(struct ctx *c, const char *hall, const char *day, char *epoch, size_t esz,
    const char **why)
{
	struct q_hall h;
	char lock[96], me[24];
	redisReply *rep;
	int i, rc;

	for (i = 0; i < 100; i++) {
		if (q_epoch(c, hall, day, epoch, esz) != 0)
			return E_UNAVAILABLE;
		if (epoch[0])
			return 0;
		if (i == 0) {
			if ((rc = q_hall_get(c, hall, &h)) < 0)
				return rc;
			if (rc == 0) {
				*why = Q_NO_HALL;
				return E_NOT_FOUND;
			}
			if (q_key(lock, sizeof lock, hall, "lock") || token_new(me, sizeof me, 12))
				return E_UNAVAILABLE;
		}
		rep = kv_cmd(c, "SET %s %s NX PX 30000", lock, me);
		if (rep == NULL)
			return E_UNAVAILABLE;
		if (rep->type == REDIS_REPLY_STATUS) {
			freeReplyObject(rep);
			return rebuild_locked(c, &h, lock, me, day, epoch, esz);
		}
		freeReplyObject(rep);
		{
			struct timespec ts = { 0, 50 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	log_warn("hall %s: gave up waiting for a rebuild of %s", hall, day);
	return E_UNAVAILABLE;
}

int
q_rebuilt_since(struct ctx *c, const char *hall, const char *day, const char *epoch)
{
	char e2[32];
	const char *why = NULL;

	if (q_epoch(c, hall, day, e2, sizeof e2) == 0 && strcmp(e2, epoch) == 0)
		return 0;
	return q_ready(c, hall, day, e2, sizeof e2, &why) == 0;
}
