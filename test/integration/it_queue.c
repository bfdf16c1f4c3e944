/*
 * it_queue.c — the queue against the live stack, with real concurrent clients (pthreads,
 * each request its own libcurl handle): taking numbers, the order of calls, the windows'
 * actions, the board's long poll, the turn-near SMS, and what happens when Redis is wiped or
 * stopped in the middle of a day.
 *
 * Every test moves the hall clock to a working day of its own (December 2026) so the lines
 * it builds are its own, and puts the clock back at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/steps.h"

#define HALL "/api/v1/halls/demo"

/* POST a ticket; fills number and token on 201.  Returns the HTTP status. */
static long
take(const char *tok, const char *body, char *number, char *token)
{
	struct resp r;
	long st;

	if (http_json(&r, "POST", HALL "/tickets", tok, body) != 0)
		return -1;
	st = r.status;
	if (st == 201) {
		if (number)
			snprintf(number, 8, "%s", jstr(r.json, "ticket.number"));
		if (token)
			snprintf(token, 40, "%s", jstr(r.json, "ticket.token"));
	} else
		fprintf(stderr, "take %s → %ld %s\n", body, st, r.body ? r.body : "");
	resp_free(&r);
	return st;
}

static void
take_ok(const char *tok, const char *body, char *number, char *token)
{
	assert_int_equal(take(tok, body, number, token), 201);
}

/* call-next and return the number called ("" when nobody waits). */
static void
call_next(const char *tok, int w, char *number)
{
	struct resp r;

	window_post(&r, tok, w, "call-next", NULL);
	if (r.status == 204)
		number[0] = '\0';
	else {
		expect_status(&r, 200);
		assert_string_equal(jstr(r.json, "ticket.status"), "called");
		assert_int_equal(jint(r.json, "ticket.window"), w);
		snprintf(number, 8, "%s", jstr(r.json, "ticket.number"));
	}
	resp_free(&r);
}

/* call-next, which must call want ("": nobody waits, 204). */
static void
called(const char *tok, int w, const char *want)
{
	char got[8];

	call_next(tok, w, got);
	if (strcmp(got, want) != 0)
		fail_msg("window %d called %s, not %s", w, got[0] ? got : "nobody",
		    want[0] ? want : "nobody");
}

static void
finish(const char *tok, int w, const char *outcome)
{
	char body[64];

	snprintf(body, sizeof body, "{\"outcome\":\"%s\"}", outcome);
	window_ok(tok, w, "finish", body, "ticket.status", "done");
}

/* Finish the window's current ticket and call away whatever its categories still hold
 * (what an earlier, interrupted run of this test may have left on its day). */
static void
drain(const char *tok, int w)
{
	char path[64], got[8];
	struct resp r;

	snprintf(path, sizeof path, "/api/v1/windows/%d", w);
	assert_int_equal(http_json(&r, "GET", path, tok, NULL), 0);
	expect_status(&r, 200);
	if (json_is_object(jget(r.json, "current")))
		finish(tok, w, strcmp(jstr(r.json, "current.status"), "serving") == 0 ? "done" :
		    "no_show");
	resp_free(&r);
	for (;;) {
		call_next(tok, w, got);
		if (got[0] == '\0')
			break;
		finish(tok, w, "no_show");
	}
}

/* A test's day begins: the hall clock at when, the kiosk signed in (k) and clerk at window
 * w (c), the window's categories drained. */
static void
window_ready(const char *when, char k[128], const char *clerk, int w, char c[128])
{
	assert_int_equal(set_clock(when), 0);
	staff_in("kiosk1", 0, k, 128);
	staff_in(clerk, w, c, 128);
	drain(c, w);
}

static json_t *
get_ticket(const char *token)
{
	return get_member(NULL, "ticket", "/api/v1/tickets/%s", token);
}

static int
seq_of(const char *number)
{
	return (int)strtol(number + 1, NULL, 10);
}

/* The test stack's own Redis and MariaDB, for what the API does not show. */

/* The day's tickets of a letter in the record. */
static long long
day_rows(const char *day, const char *letter)
{
	char out[32];

	assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo'"
	    " AND day = ? AND num_cat = ?", DBARGS(DBS(day), DBS(letter)), out, sizeof out), 1);
	return strtoll(out, NULL, 10);
}

/* Numbers of the day (of a letter) that are in the record more than once: none may be. */
static long long
day_numbers_twice(const char *day, const char *letter)
{
	char out[32];

	assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM (SELECT number FROM queue_tickets"
	    " WHERE hall = 'demo' AND day = ? AND num_cat = ? GROUP BY number"
	    " HAVING COUNT(*) > 1) x", DBARGS(DBS(day), DBS(letter)), out, sizeof out), 1);
	return strtoll(out, NULL, 10);
}

/* What the record holds for a ticket a client was told about. */
struct rec {
	int	 found;
	char	 number[8];
	char	 day[11];
	char	 status[12];
	char	 outcome[12];
	long long window, calls, history_calls;
};

static int
rec_fill(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct rec *x = arg;

	(void)ncol;
	(void)lens;
	x->found++;
	snprintf(x->number, sizeof x->number, "%s", v[0] ? v[0] : "");
	snprintf(x->day, sizeof x->day, "%s", v[1] ? v[1] : "");
	snprintf(x->status, sizeof x->status, "%s", v[2] ? v[2] : "");
	snprintf(x->outcome, sizeof x->outcome, "%s", v[3] ? v[3] : "");
	x->window = v[4] ? strtoll(v[4], NULL, 10) : 0;
	x->calls = v[5] ? strtoll(v[5], NULL, 10) : 0;
	x->history_calls = v[6] ? strtoll(v[6], NULL, 10) : 0;
	return 0;
}

/* By token (what the client holds) or, with token NULL, by day and number. */
static void
rec_get(const char *token, const char *day, const char *number, struct rec *x)
{
	memset(x, 0, sizeof *x);
	if (token)
		assert_true(db_query(&test_db, "SELECT t.number, DATE_FORMAT(t.day, '%Y-%m-%d'),"
		    " t.status, t.outcome, t.window_no, t.calls, (SELECT COUNT(*) FROM"
		    " queue_ticket_history h WHERE h.ticket_id = t.id AND h.action = 'call')"
		    " FROM queue_tickets t WHERE t.token = ?", DBARGS(DBS(token)), rec_fill, x) >= 0);
	else
		assert_true(db_query(&test_db, "SELECT t.number, DATE_FORMAT(t.day, '%Y-%m-%d'),"
		    " t.status, t.outcome, t.window_no, t.calls, (SELECT COUNT(*) FROM"
		    " queue_ticket_history h WHERE h.ticket_id = t.id AND h.action = 'call')"
		    " FROM queue_tickets t WHERE t.hall = 'demo' AND t.day = ? AND t.number = ?",
		    DBARGS(DBS(day), DBS(number)), rec_fill, x) >= 0);
}

static void
redis_flushall(void)
{
	char cmd[128];

	assert_int_equal(test_conf_load(), 0);
	snprintf(cmd, sizeof cmd, "redis-cli -p %s FLUSHALL >/dev/null",
	    config_get("redis_port", "16380"));
	assert_int_equal(system(cmd), 0);
}

/* ------------------------------------------------------------------ parallel clients */

static void
run_threads(int n, void *(*fn)(void *), void *args, size_t argsz)
{
	pthread_t *t = calloc((size_t)n, sizeof *t);
	int i;

	assert_non_null(t);
	for (i = 0; i < n; i++) {
		pthread_attr_t a;

		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 256 * 1024);
		assert_int_equal(pthread_create(&t[i], &a, fn, (char *)args + (size_t)i * argsz), 0);
		pthread_attr_destroy(&a);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	free(t);
}

/* ------------------------------------------------------------------ tests */

TEST(take_and_follow)
{
	char k[128], num[8], tok[40], num2[8], tok2[40], path[96];
	char auth[200];
	struct resp r;
	json_t *t;
	long long ahead2;

	assert_int_equal(set_clock("2026-12-01T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);

	take_ok(k, "{\"category\":\"E\"}", num, tok);
	take_ok(k, "{\"category\":\"E\",\"priority\":\"normal\"}", num2, tok2);
	assert_int_equal(num[0], 'E');
	assert_int_equal(strlen(num), 4);
	assert_int_equal(seq_of(num2), seq_of(num) + 1);

	/* Following it: place, wait, the phone page link. */
	t = get_ticket(tok2);
	assert_string_equal(jstr(t, "status"), "waiting");
	assert_string_equal(jstr(t, "number"), num2);
	assert_string_equal(jstr(t, "category"), "E");
	ahead2 = jint(t, "ahead");
	assert_true(ahead2 >= 1);		/* at least num, taken just before it */
	assert_true(jint(t, "eta_minutes") >= 1);
	snprintf(path, sizeof path, "/q/%s", tok2);
	assert_string_equal(jstr(t, "track_url"), path);
	json_decref(t);

	/* Bad input names every bad field. */
	expect_fields("POST", HALL "/tickets", k,
	    "{\"priority\":\"vip\",\"phone\":\"12345\"}", "category priority phone");
	/* A letter the hall has no category for (Z is the demo hall's 咨询导办). */
	expect_fields("POST", HALL "/tickets", k, "{\"category\":\"Y\"}", "category");
	/* Appointments come through check-in; a kiosk serves its own hall only; sign-in needed. */
	expect_refusal("POST", HALL "/tickets", k,
	    "{\"category\":\"A\",\"priority\":\"appointment\"}", 422, "CHECK_IN_REQUIRED");
	expect_refusal("POST", "/api/v1/halls/elsewhere/tickets", k,
	    "{\"category\":\"A\"}", 403, "FORBIDDEN");
	expect_refusal("POST", HALL "/tickets", NULL, "{\"category\":\"A\"}", 401, "UNAUTHENTICATED");
	expect_refusal("GET", "/api/v1/tickets/no-such-ticket-token-xx", NULL, NULL, 404, "NOT_FOUND");

	/* Idempotency-Key: the same request again is the same ticket; another body is 409. */
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", k);
	{
		char key[80], first[40];
		const char *h[] = { auth, "Content-Type: application/json", key, NULL };

		snprintf(key, sizeof key, "Idempotency-Key: it-queue-%ld", (long)time(NULL));
		assert_int_equal(http(&r, "POST", HALL "/tickets", "{\"category\":\"E\"}", h), 0);
		expect_status(&r, 201);
		snprintf(first, sizeof first, "%s", jstr(r.json, "ticket.token"));
		resp_free(&r);
		assert_int_equal(http(&r, "POST", HALL "/tickets", "{\"category\":\"E\"}", h), 0);
		expect_status(&r, 201);
		assert_string_equal(jstr(r.json, "ticket.token"), first);
		resp_free(&r);
		assert_int_equal(http(&r, "POST", HALL "/tickets", "{\"category\":\"B\"}", h), 0);
		assert_error(&r, 409, "IDEMPOTENCY_MISMATCH");
		resp_free(&r);
	}

	/* Leaving the queue: once, and only while waiting. */
	snprintf(path, sizeof path, "/api/v1/tickets/%s", tok);
	expect_reply("DELETE", path, NULL, NULL, 204);
	t = get_ticket(tok);
	assert_string_equal(jstr(t, "status"), "cancelled");
	json_decref(t);
	expect_refusal("DELETE", path, NULL, NULL, 409, "INVALID_TRANSITION");
	/* The one behind it moved up: one fewer ahead of it (the tickets taken meanwhile are
	 * all behind it, and nobody was called). */
	t = get_ticket(tok2);
	assert_string_equal(jstr(t, "status"), "waiting");
	assert_int_equal(jint(t, "ahead"), ahead2 - 1);
	json_decref(t);

	/* A clerk acts at the window signed in at, nowhere else. */
	{
		char c2[128];

		staff_in("clerk2", 2, c2, sizeof c2);
		window_refused(c2, 3, "call-next", NULL, 403, "FORBIDDEN");
		window_refused(c2, 2, "start", NULL, 409, "NO_CURRENT_TICKET");
	}
	set_clock(NULL);
}

TEST(opening_hours)
{
	char k[128];
	struct resp r;
	static const char *const closed[] = {
		"2026-12-01T12:30:00+08:00",	/* lunch break */
		"2026-12-01T08:29:00+08:00",	/* before opening */
		"2026-12-01T17:30:00+08:00",	/* closing time */
		"2026-12-05T10:00:00+08:00",	/* Saturday */
		"2026-10-02T10:00:00+08:00",	/* National Day holiday */
		"2027-01-01T10:00:00+08:00",	/* 元旦 2027, on the provisional calendar */
	};
	size_t i;

	staff_in("kiosk1", 0, k, sizeof k);
	for (i = 0; i < sizeof closed / sizeof closed[0]; i++) {
		assert_int_equal(set_clock(closed[i]), 0);
		assert_int_equal(http_json(&r, "POST", HALL "/tickets", k, "{\"category\":\"A\"}"), 0);
		assert_error(&r, 422, "HALL_CLOSED");
		assert_int_equal(json_array_size(jget(r.json, "error.hours")), 2);
		resp_free(&r);
	}
	/* Sat 2026-10-10 is a make-up working day (调休). */
	assert_int_equal(set_clock("2026-10-10T08:30:00+08:00"), 0);
	take_ok(k, "{\"category\":\"A\"}", NULL, NULL);
	/* 2027's holidays are not published: since issue 19 its working days run on the
	 * provisional calendar (it used to be HALL_CLOSED until the notice was loaded). */
	assert_int_equal(set_clock("2027-01-04T10:00:00+08:00"), 0);
	take_ok(k, "{\"category\":\"A\"}", NULL, NULL);
	set_clock(NULL);
}

/* A number a client was told is in the record as told, waiting on day, with its own 'take'
 * history row and its own audit row. */
static void
told_is_recorded(const char *token, const char *number, const char *day)
{
	char target[64];
	struct rec x;

	rec_get(token, NULL, NULL, &x);
	if (x.found != 1 || strcmp(x.number, number) != 0)
		fail_msg("ticket told %s: %d rows, recorded as %s", number, x.found, x.number);
	assert_string_equal(x.day, day);
	assert_string_equal(x.status, "waiting");
	snprintf(target, sizeof target, "demo/%s/%s", day, number);
	if (db_count(&test_db, "SELECT COUNT(*) FROM queue_ticket_history h JOIN queue_tickets"
	    " q ON q.id = h.ticket_id WHERE h.action = 'take' AND q.token = ?", token) != 1 ||
	    db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action = 'queue.take'"
	    " AND target = ?", target) != 1)
		fail_msg("ticket %s: not exactly one history row and one audit row", number);
}

/* 200 clients take a number in one category at the same moment. */
struct taker {
	pthread_barrier_t *go;
	const char	*tok;
	long		 status;
	char		 number[8];
	char		 token[40];
};

static void *
taker_main(void *arg)
{
	struct taker *t = arg;

	pthread_barrier_wait(t->go);
	t->status = take(t->tok, "{\"category\":\"B\"}", t->number, t->token);
	return NULL;
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

TEST(concurrent_takes)
{
	enum { N = 200 };
	struct taker *t = calloc(N, sizeof *t);
	pthread_barrier_t go;
	char k[128];
	int seqs[N], i;
	long long before;

	assert_int_equal(set_clock("2026-12-02T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	before = day_rows("2026-12-02", "B");
	pthread_barrier_init(&go, NULL, N);
	for (i = 0; i < N; i++) {
		t[i].go = &go;
		t[i].tok = k;
	}
	run_threads(N, taker_main, t, sizeof *t);
	pthread_barrier_destroy(&go);
	for (i = 0; i < N; i++) {
		assert_int_equal(t[i].status, 201);
		assert_int_equal(t[i].number[0], 'B');
		seqs[i] = seq_of(t[i].number);
	}
	qsort(seqs, N, sizeof seqs[0], cmp_int);
	for (i = 1; i < N; i++)
		assert_int_equal(seqs[i], seqs[i - 1] + 1);	/* distinct and consecutive */
	/* The record agrees with what the 200 clients were told: each one's ticket is in it
	 * with the number it was told, one row each with its history and audit rows, and no
	 * number twice. */
	for (i = 0; i < N; i++)
		told_is_recorded(t[i].token, t[i].number, "2026-12-02");
	assert_int_equal(day_rows("2026-12-02", "B"), before + N);
	assert_int_equal(day_numbers_twice("2026-12-02", "B"), 0);
	free(t);
	set_clock(NULL);
}

/*
 * Takes that reach MariaDB together are written together (group commit): a batch that holds
 * a refused take — a citizen's second number — must still answer every take as it would
 * alone.  40 citizens each send two takes at the same moment, beside 40 kiosk takes: each
 * citizen gets one 201 and one 409 ALREADY_QUEUED, every kiosk take 201, and the record
 * holds exactly the numbers told, each with its history row and audit row.
 */
struct gc_taker {
	pthread_barrier_t *go;
	const char	*tok;
	const char	*body;
	long		 status;
	char		 code[32];
	char		 number[8];
	char		 token[40];
};

static void *
gc_taker_main(void *arg)
{
	struct gc_taker *t = arg;
	struct resp r;

	pthread_barrier_wait(t->go);
	if (http_json(&r, "POST", HALL "/tickets", t->tok, t->body) != 0) {
		t->status = -1;
		return NULL;
	}
	t->status = r.status;
	if (r.status == 201) {
		snprintf(t->number, sizeof t->number, "%s", jstr(r.json, "ticket.number"));
		snprintf(t->token, sizeof t->token, "%s", jstr(r.json, "ticket.token"));
	} else if (jstr(r.json, "error.code"))
		snprintf(t->code, sizeof t->code, "%s", jstr(r.json, "error.code"));
	resp_free(&r);
	return NULL;
}

TEST(group_commit_refusals)
{
	enum { NC = 40, N = 3 * NC };
	struct gc_taker *t = calloc(N, sizeof *t);
	char (*ctok)[128] = calloc(NC, sizeof *ctok), k[128];
	pthread_barrier_t go;
	long long before;
	int i, told = 0;

	assert_non_null(t);
	assert_non_null(ctok);
	assert_int_equal(set_clock("2026-12-03T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	for (i = 0; i < NC; i++)
		assert_true(citizen_session(ctok[i], sizeof ctok[i]) > 0);
	before = day_rows("2026-12-03", "C");
	pthread_barrier_init(&go, NULL, N);
	for (i = 0; i < N; i++) {
		t[i].go = &go;
		t[i].body = "{\"category\":\"C\"}";
		t[i].tok = i < 2 * NC ? ctok[i / 2] : k;
	}
	run_threads(N, gc_taker_main, t, sizeof *t);
	pthread_barrier_destroy(&go);
	for (i = 0; i < NC; i++) {
		struct gc_taker *a = &t[2 * i], *b = &t[2 * i + 1];

		if (!((a->status == 201 && b->status == 409 && strcmp(b->code, "ALREADY_QUEUED") == 0) ||
		    (b->status == 201 && a->status == 409 && strcmp(a->code, "ALREADY_QUEUED") == 0)))
			fail_msg("citizen %d: %ld %s and %ld %s (one 201, one 409 ALREADY_QUEUED)",
			    i, a->status, a->code, b->status, b->code);
	}
	for (i = 2 * NC; i < N; i++)
		if (t[i].status != 201)
			fail_msg("kiosk take %d: %ld %s", i, t[i].status, t[i].code);
	for (i = 0; i < N; i++)
		if (t[i].status == 201) {
			told++;
			told_is_recorded(t[i].token, t[i].number, "2026-12-03");
		}
	assert_int_equal(told, 2 * NC);
	assert_int_equal(day_rows("2026-12-03", "C"), before + told);
	assert_int_equal(day_numbers_twice("2026-12-03", "C"), 0);
	/* Each citizen's ticket carries the account's sealed phone, copied in the batch. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM queue_tickets q JOIN citizens c"
	    " ON c.id = q.citizen WHERE q.day = ? AND q.category = 'C' AND q.source = 'citizen'"
	    " AND q.phone_enc <=> c.phone_enc", "2026-12-03"), NC);
	free(ctok);
	free(t);
	set_clock(NULL);
}

/* Three windows call over 300 waiting tickets at once: each is called exactly once. */
struct caller {
	char	 tok[128];
	int	 window;
	char	 (*called)[8];
	int	 n;
	int	 errors;
};

static void *
caller_main(void *arg)
{
	struct caller *c = arg;
	char path[96], body[] = "{\"outcome\":\"no_show\"}";

	for (;;) {
		struct resp r;

		snprintf(path, sizeof path, "/api/v1/windows/%d/call-next", c->window);
		if (http_json(&r, "POST", path, c->tok, NULL) != 0) {
			c->errors++;
			break;
		}
		if (r.status == 204) {
			resp_free(&r);
			break;
		}
		if (r.status != 200 || jstr(r.json, "ticket.number") == NULL) {
			fprintf(stderr, "window %d: %ld %s\n", c->window, r.status, r.body);
			c->errors++;
			resp_free(&r);
			break;
		}
		snprintf(c->called[c->n++], 8, "%s", jstr(r.json, "ticket.number"));
		resp_free(&r);
		snprintf(path, sizeof path, "/api/v1/windows/%d/finish", c->window);
		if (http_json(&r, "POST", path, c->tok, body) != 0 || r.status != 200) {
			fprintf(stderr, "window %d finish: %ld %s\n", c->window, r.status, r.body);
			c->errors++;
			resp_free(&r);
			break;
		}
		resp_free(&r);
	}
	return NULL;
}

struct filler {
	const char	*tok;
	int		 n;
	int		 ok;
};

static void *
filler_main(void *arg)
{
	struct filler *f = arg;
	int i;

	for (i = 0; i < f->n; i++)
		f->ok += take(f->tok, "{\"category\":\"A\"}", NULL, NULL) == 201;
	return NULL;
}

TEST(three_windows)
{
	enum { N = 300, W = 3 };
	struct caller c[W];
	struct filler f[10];
	char k[128], (*all)[8], user[16];
	int i, j, total = 0, ok = 0;
	long long before;
	struct rec x;

	assert_int_equal(set_clock("2026-12-03T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	all = calloc(N * 2, sizeof *all);
	for (i = 0; i < W; i++) {
		memset(&c[i], 0, sizeof c[i]);
		c[i].window = i + 1;	/* windows 1–3 all serve A */
		snprintf(user, sizeof user, "clerk%d", i + 1);
		staff_in(user, i + 1, c[i].tok, sizeof c[i].tok);
		drain(c[i].tok, i + 1);
		c[i].called = calloc(N * 2, 8);
	}
	before = day_rows("2026-12-03", "A");
	for (i = 0; i < 10; i++) {
		f[i].tok = k;
		f[i].n = N / 10;
		f[i].ok = 0;
	}
	run_threads(10, filler_main, f, sizeof f[0]);
	for (i = 0; i < 10; i++)
		ok += f[i].ok;
	assert_int_equal(ok, N);

	assert_int_equal(day_rows("2026-12-03", "A"), before + N);

	run_threads(W, caller_main, c, sizeof c[0]);
	for (i = 0; i < W; i++) {
		assert_int_equal(c[i].errors, 0);
		assert_true(c[i].n > 0);	/* every window took part */
		for (j = 0; j < c[i].n; j++) {
			/* The record: called once, by the window that was told so, and finished
			 * there; one call in its history. */
			rec_get(NULL, "2026-12-03", c[i].called[j], &x);
			if (x.found != 1 || x.window != c[i].window || x.calls != 1 ||
			    x.history_calls != 1 || strcmp(x.status, "done") != 0 ||
			    strcmp(x.outcome, "no_show") != 0)
				fail_msg("%s, called by window %d: %d rows, window %lld, %lld calls"
				    " (%lld in its history), %s/%s", c[i].called[j], c[i].window,
				    x.found, x.window, x.calls, x.history_calls, x.status, x.outcome);
			memcpy(all[total++], c[i].called[j], 8);
		}
		free(c[i].called);
	}
	assert_int_equal(total, N);
	qsort(all, (size_t)total, 8, (int (*)(const void *, const void *))strcmp);
	for (i = 1; i < total; i++)
		assert_string_not_equal(all[i], all[i - 1]);	/* nobody called twice */
	free(all);
	/* Nobody left waiting, no number twice, nothing more in the record than was taken. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo' AND"
	    " day = ? AND category = 'A' AND status IN ('waiting', 'called', 'serving')",
	    "2026-12-03"), 0);
	assert_int_equal(day_numbers_twice("2026-12-03", "A"), 0);
	assert_int_equal(day_rows("2026-12-03", "A"), before + N);
	set_clock(NULL);
}

/* Priority classes before ordinary tickets, with the fairness ratio; a transfer keeps its
 * place ahead of those taken after it. */
TEST(order_and_transfer)
{
	char k[128], c5[128], c6[128], n[10][8], e[5][8], d1[8], x[8], d2[8];
	static const int want[10] = { 5, 6, 7, 0, 8, 9, 1, 2, 3, 4 };	/* E E E N E E N N N N */
	struct resp r;
	int i;

	assert_int_equal(set_clock("2026-12-04T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk5", 5, c5, sizeof c5);	/* window 5: C only */
	staff_in("clerk6", 6, c6, sizeof c6);	/* window 6: D only */
	drain(c5, 5);
	drain(c6, 6);
	for (i = 0; i < 5; i++)
		take_ok(k, "{\"category\":\"C\"}", n[i], NULL);
	for (i = 0; i < 5; i++)
		take_ok(k, i % 2 ? "{\"category\":\"C\",\"priority\":\"disabled\"}" :
		    "{\"category\":\"C\",\"priority\":\"elderly\"}", e[i], NULL);
	memcpy(n[5], e[0], 8);
	memcpy(n[6], e[1], 8);
	memcpy(n[7], e[2], 8);
	memcpy(n[8], e[3], 8);
	memcpy(n[9], e[4], 8);
	/* Default queue_fair_ratio = 3: three priority calls, then one ordinary. */
	for (i = 0; i < 10; i++) {
		called(c5, 5, n[want[i]]);
		finish(c5, 5, "no_show");
	}
	called(c5, 5, "");

	/* D1 before X, X (in C) transferred to D, D2 after X: D1, X, D2. */
	take_ok(k, "{\"category\":\"D\"}", d1, NULL);
	take_ok(k, "{\"category\":\"C\"}", x, NULL);
	take_ok(k, "{\"category\":\"D\"}", d2, NULL);
	called(c5, 5, x);
	window_ok(c5, 5, "start", NULL, "ticket.status", "serving");
	window_post(&r, c5, 5, "transfer", "{\"category\":\"D\"}");
	expect_strs(&r, 200, "ticket.status", "waiting", "ticket.category", "D", NULL);
	assert_string_equal(jstr(r.json, "ticket.number"), x);	/* keeps its number */
	assert_int_equal(jint(r.json, "ticket.ahead"), 1);
	resp_free(&r);
	window_refused(c5, 5, "transfer", "{\"category\":\"D\"}", 409, "NO_CURRENT_TICKET");
	called(c6, 6, d1);
	finish(c6, 6, "no_show");
	called(c6, 6, x);
	/* Recall: the same ticket, called again. */
	window_ok(c6, 6, "recall", NULL, "ticket.number", x);
	window_refused(c6, 6, "call-next", NULL, 409, "WINDOW_BUSY");
	window_post(&r, c6, 6, "start", NULL);
	resp_free(&r);
	window_post(&r, c6, 6, "finish", "{\"outcome\":\"done\",\"case\":\"YC-2026-000001\"}");
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "ticket.outcome"), "done");
	assert_non_null(jstr(r.json, "ticket.started_at"));
	assert_non_null(jstr(r.json, "ticket.finished_at"));
	resp_free(&r);
	called(c6, 6, d2);
	finish(c6, 6, "no_show");
	set_clock(NULL);
}

/* 过号: skipped, may rejoin once, behind those already waiting. */
TEST(skip_and_rejoin)
{
	char k[128], c3[128], f1[8], f2[8], f3[8], t1[40], path[96];
	struct resp r;
	json_t *t;

	window_ready("2026-12-04T14:00:00+08:00", k, "clerk3", 3, c3);	/* window 3: A and F */
	take_ok(k, "{\"category\":\"F\"}", f1, t1);
	take_ok(k, "{\"category\":\"F\"}", f2, NULL);
	take_ok(k, "{\"category\":\"F\"}", f3, NULL);
	called(c3, 3, f1);
	window_post(&r, c3, 3, "skip", NULL);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "ticket.status"), "skipped");
	assert_true(json_is_true(jget(r.json, "ticket.rejoin_allowed")));
	resp_free(&r);
	called(c3, 3, f2);
	/* F1 comes back while F2 is served and F3 waits: it goes behind F3. */
	snprintf(path, sizeof path, "/api/v1/tickets/%s/rejoin", t1);
	assert_int_equal(http_json(&r, "POST", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "ticket.status"), "waiting");
	assert_int_equal(jint(r.json, "ticket.ahead"), 1);
	resp_free(&r);
	finish(c3, 3, "done");
	called(c3, 3, f3);
	finish(c3, 3, "done");
	called(c3, 3, f1);
	window_post(&r, c3, 3, "skip", NULL);
	expect_status(&r, 200);
	assert_false(json_is_true(jget(r.json, "ticket.rejoin_allowed")));
	resp_free(&r);
	expect_refusal("POST", path, NULL, NULL, 409, "REJOIN_USED");
	t = get_ticket(t1);
	assert_string_equal(jstr(t, "status"), "skipped");
	json_decref(t);
	set_clock(NULL);
}

/* Redis wiped mid-day: numbering continues, every waiting ticket still waits, in order. */
TEST(flushall_midday)
{
	char k[128], c6[128], d[6][8], next[8];
	struct resp r;
	int i;

	window_ready("2026-12-07T10:00:00+08:00", k, "clerk6", 6, c6);
	for (i = 0; i < 6; i++)
		take_ok(k, i == 4 ? "{\"category\":\"D\",\"priority\":\"elderly\"}" :
		    "{\"category\":\"D\"}", d[i], NULL);
	called(c6, 6, d[4]);		/* the elderly ticket first */

	redis_flushall();

	/* Sessions lived in Redis too: sign in again, as a kiosk and a clerk would. */
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk6", 6, c6, sizeof c6);
	take_ok(k, "{\"category\":\"D\"}", next, NULL);
	assert_int_equal(seq_of(next), seq_of(d[5]) + 1);
	/* The waiting count came back with the lines. */
	assert_int_equal(http(&r, "GET", HALL "/categories", NULL, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "categories.3.waiting"), 6);
	resp_free(&r);
	/* The call before the wipe is still the window's current ticket. */
	window_refused(c6, 6, "call-next", NULL, 409, "WINDOW_BUSY");
	finish(c6, 6, "done");
	for (i = 0; i < 6; i++) {
		called(c6, 6, i < 4 ? d[i] : i == 4 ? d[5] : next);
		finish(c6, 6, "no_show");
	}
	called(c6, 6, "");
	/* The board came back too, with the calls of the day. */
	assert_int_equal(http(&r, "GET", HALL "/board", NULL, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "calls.0.window"), 6);
	assert_string_equal(jstr(r.json, "calls.0.number"), next);
	resp_free(&r);
	set_clock(NULL);
}

/* One SMS when a ticket with a phone is 3 places from the front. */
TEST(turn_near_sms)
{
	char k[128], c4[128], got[8], mine[8], tok[40], body[96], phone[16];
	long before;
	json_t *line = NULL;
	int i;

	assert_int_equal(set_clock("2026-12-08T10:00:00+08:00"), 0);
	assert_int_equal(test_conf_load(), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk4", 4, c4, sizeof c4);	/* window 4: B only */
	drain(c4, 4);
	snprintf(phone, sizeof phone, "139%08ld", (long)(time(NULL) % 100000000));
	for (i = 0; i < 6; i++)
		take_ok(k, "{\"category\":\"B\"}", NULL, NULL);
	snprintf(body, sizeof body, "{\"category\":\"B\",\"phone\":\"%s\"}", phone);
	take_ok(k, body, mine, tok);
	before = sms_log_size();
	for (i = 0; i < 3; i++) {
		call_next(c4, 4, got);
		finish(c4, 4, "no_show");
	}
	/* Three ahead now: the notice is in the outbox, and the worker delivers it. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox o JOIN queue_tickets t"
	    " ON o.ref_kind = 'ticket' AND o.ref_id = t.id WHERE o.template = 'turn_near'"
	    " AND t.token = ?", tok), 1);
	assert_int_equal(sms_log_find_since(before, phone, "turn_near", &line, 15000), 0);
	assert_string_equal(jstr(line, "params.number"), mine);
	json_decref(line);
	for (i = 0; i < 3; i++) {
		call_next(c4, 4, got);
		finish(c4, 4, "no_show");
	}
	called(c4, 4, mine);
	finish(c4, 4, "done");
	/* Once only. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox o JOIN queue_tickets t"
	    " ON o.ref_kind = 'ticket' AND o.ref_id = t.id WHERE o.template = 'turn_near'"
	    " AND t.token = ?", tok), 1);
	/* The phone is sealed at rest. */
	{
		char out[8];

		assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE token = ?"
		    " AND phone_enc IS NOT NULL AND INSTR(phone_enc, ?) = 0",
		    DBARGS(DBS(tok), DBS(phone)), out, sizeof out), 1);
		assert_string_equal(out, "1");
	}
	set_clock(NULL);
}

/* Turn-near SMS rows of a ticket in the outbox. */
static long long
near_rows(const char *tok)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM outbox o JOIN queue_tickets t"
	    " ON o.ref_kind = 'ticket' AND o.ref_id = t.id WHERE o.template = 'turn_near'"
	    " AND t.token = ?", tok);
}

/* Issue 19 item 5: with queue_turn_near_ahead = 2, real calls at a window: a kiosk ticket
 * and a citizen's ticket each get one SMS when 2 are ahead (not at 3), and a kiosk ticket
 * taken with only 1 ahead gets its SMS at once instead of never. */
TEST(turn_near_configured)
{
	char k[128], c4[128], cz[128], got[8], mine[8], tok[40], ctok[40], cnum[8], body[96];
	char phone[16], cphone[16], late[16], ltok[40], lnum[8];
	long before;
	json_t *line = NULL;
	int i;

	assert_int_equal(app_restart_with("queue_turn_near_ahead = 2"), 0);
	window_ready("2026-12-14T10:00:00+08:00", k, "clerk4", 4, c4);	/* window 4: B only */
	snprintf(phone, sizeof phone, "136%08ld", (long)(time(NULL) % 100000000));
	snprintf(cphone, sizeof cphone, "135%08ld", (long)(time(NULL) % 100000000));
	snprintf(late, sizeof late, "134%08ld", (long)(time(NULL) % 100000000));
	citizen_in(cphone, cz, sizeof cz);
	for (i = 0; i < 4; i++)
		take_ok(k, "{\"category\":\"B\"}", NULL, NULL);
	snprintf(body, sizeof body, "{\"category\":\"B\",\"phone\":\"%s\"}", phone);
	take_ok(k, body, mine, tok);			/* 4 ahead */
	take_ok(cz, "{\"category\":\"B\"}", cnum, ctok);	/* 5 ahead, the account's phone */
	before = sms_log_size();
	call_next(c4, 4, got);
	finish(c4, 4, "no_show");
	/* 3 ahead: the default would send now; 2 is configured, so nothing yet. */
	line = get_ticket(tok);
	assert_int_equal(jint(line, "ahead"), 3);
	json_decref(line);
	line = NULL;
	assert_int_equal(near_rows(tok), 0);
	call_next(c4, 4, got);
	finish(c4, 4, "no_show");
	/* 2 ahead: the kiosk ticket's SMS, delivered by the worker through the provider. */
	assert_int_equal(near_rows(tok), 1);
	assert_int_equal(near_rows(ctok), 0);
	assert_int_equal(sms_log_find_since(before, phone, "turn_near", &line, 15000), 0);
	assert_string_equal(jstr(line, "params.number"), mine);
	assert_int_equal(jint(line, "params.ahead"), 2);
	json_decref(line);
	line = NULL;
	call_next(c4, 4, got);
	finish(c4, 4, "no_show");
	/* The citizen's ticket is 2 from the front now: its SMS goes to the account's phone. */
	assert_int_equal(near_rows(ctok), 1);
	assert_int_equal(sms_log_find_since(before, cphone, "turn_near", &line, 15000), 0);
	assert_string_equal(jstr(line, "params.number"), cnum);
	json_decref(line);
	line = NULL;
	/* Called in turn; never a second SMS. */
	for (i = 0; i < 3; i++) {
		call_next(c4, 4, got);
		if (i == 1)
			assert_string_equal(got, mine);
		if (i == 2)
			assert_string_equal(got, cnum);
		finish(c4, 4, "done");
	}
	assert_int_equal(near_rows(tok), 1);
	assert_int_equal(near_rows(ctok), 1);
	/* Taken already within reach (1 ahead): the SMS goes at once, once. */
	take_ok(k, "{\"category\":\"B\"}", NULL, NULL);
	snprintf(body, sizeof body, "{\"category\":\"B\",\"phone\":\"%s\"}", late);
	before = sms_log_size();
	take_ok(k, body, lnum, ltok);
	assert_int_equal(near_rows(ltok), 1);
	assert_int_equal(sms_log_find_since(before, late, "turn_near", &line, 15000), 0);
	assert_string_equal(jstr(line, "params.number"), lnum);
	assert_int_equal(jint(line, "params.ahead"), 1);
	json_decref(line);
	call_next(c4, 4, got);
	finish(c4, 4, "done");
	called(c4, 4, lnum);
	finish(c4, 4, "done");
	assert_int_equal(near_rows(ltok), 1);
	set_clock(NULL);
	assert_int_equal(app_restart_with(NULL), 0);
}

/* Book a slot for a citizen (real name); its token and 6-digit code. */
static void
book_slot(const char *tok, const char *slot, const char *id, char *appt, char *code)
{
	char body[256];

	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"%c\",\"slot\":\"%s\","
	    "\"name\":\"王五\",\"id_number\":\"%s\"}", slot[0], slot, id);
	appointment_book(tok, body, appt, 64, code, 8);
}

/* Issue 19 item 4: an 08:30 booking checks in by its code at the kiosk at 08:05, before the
 * hall opens the queue (08:30); its ticket waits and is the first called once windows call,
 * ahead of 绿色通道 tickets taken after opening.  Too early, and another day's code, are told
 * the check-in window. */
TEST(checkin_before_opening)
{
	char k[128], c1[128], ca[128], cb[128], ida[19], idb[19], pa[16], pb[16];
	char ta[64], code_a[8], tb[64], code_b[8], body[64], num[8], tok[40], eld[8];
	struct resp r;

	window_ready("2026-12-15T07:30:00+08:00", k, "clerk1", 1, c1);	/* window 1: A and E */
	snprintf(pa, sizeof pa, "133%08ld", (long)(time(NULL) % 100000000));
	snprintf(pb, sizeof pb, "132%08ld", (long)(time(NULL) % 100000000));
	citizen_in(pa, ca, sizeof ca);
	citizen_in(pb, cb, sizeof cb);
	make_id(ida, "19800101", 71);
	make_id(idb, "19800101", 72);
	book_slot(ca, "A-20261215-0830", ida, ta, code_a);
	book_slot(cb, "A-20261216-0900", idb, tb, code_b);

	/* 07:55: the 08:30 booking's window opens at 08:00. */
	assert_int_equal(set_clock("2026-12-15T07:55:00+08:00"), 0);
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code_a);
	assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/appointments/check-in", k,
	    body), 0);
	assert_error(&r, 422, "OUTSIDE_CHECKIN_WINDOW");
	assert_string_equal(jstr(r.json, "error.checkin_from"), "2026-12-15T08:00:00+08:00");
	resp_free(&r);

	/* 08:05: the queue is not open for numbers, but the booking checks in. */
	assert_int_equal(set_clock("2026-12-15T08:05:00+08:00"), 0);
	expect_refusal("POST", HALL "/tickets", k, "{\"category\":\"A\"}", 422, "HALL_CLOSED");
	assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/appointments/check-in", k,
	    body), 0);
	expect_strs(&r, 201, "ticket.priority", "appointment", "ticket.status", "waiting",
	    "appointment.status", "checked_in", NULL);
	snprintf(num, sizeof num, "%s", jstr(r.json, "ticket.number"));
	snprintf(tok, sizeof tok, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
	/* The record: the booking holds that ticket. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM appointments a JOIN queue_tickets t"
	    " ON t.id = a.ticket_id WHERE a.status = 'checked_in' AND t.token = ?", tok), 1);

	/* Tomorrow's code today: told its day and hours, not "wrong code". */
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code_b);
	assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/appointments/check-in", k,
	    body), 0);
	if (strcmp(code_a, code_b) != 0) {
		assert_error(&r, 422, "OUTSIDE_CHECKIN_WINDOW");
		assert_string_equal(jstr(r.json, "error.checkin_from"), "2026-12-16T08:30:00+08:00");
		assert_non_null(strstr(jstr(r.json, "error.message"), "12月16日"));
	}
	resp_free(&r);

	/* 08:31: open.  A 绿色通道 ticket taken now waits behind the check-in. */
	assert_int_equal(set_clock("2026-12-15T08:31:00+08:00"), 0);
	take_ok(k, "{\"category\":\"A\",\"priority\":\"elderly\"}", eld, NULL);
	called(c1, 1, num);
	finish(c1, 1, "done");
	called(c1, 1, eld);
	finish(c1, 1, "done");
	set_clock(NULL);
}

/* The board: at once for an old version, held until a change (≤ 1 s after a call), 304 after
 * the hold; many held screens never starve the API; a stopping app lets them go. */
struct poller {
	long long	 since;
	const char	*from;		/* the client's address (NULL: the default) */
	long		 status;
	long		 ms;
	char		 number[8];
};

static void *
poller_main(void *arg)
{
	struct poller *p = arg;
	char path[96];
	struct resp r;
	int64_t t0 = now_ms();

	snprintf(path, sizeof path, HALL "/board?since=%lld", p->since);
	http_source(p->from);
	if (http(&r, "GET", path, NULL, NULL) == 0) {
		p->status = r.status;
		if (r.status == 200 && jstr(r.json, "calls.0.number"))
			snprintf(p->number, sizeof p->number, "%s", jstr(r.json, "calls.0.number"));
		resp_free(&r);
	} else
		p->status = -1;
	p->ms = (long)(now_ms() - t0);
	return NULL;
}

static long long
board_version(void)
{
	struct resp r;
	long long v;

	assert_int_equal(http(&r, "GET", HALL "/board", NULL, NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_object(jget(r.json, "waiting")));
	assert_true(json_is_array(jget(r.json, "calls")));
	v = jint(r.json, "version");
	resp_free(&r);
	return v;
}

struct holders {
	struct poller	 p[40];
};

static void *
holders_main(void *arg)
{
	struct holders *h = arg;

	run_threads(40, poller_main, h->p, sizeof h->p[0]);
	return NULL;
}

/* A citizen signed in on the phone: one active ticket per hall. */
TEST(remote_citizen)
{
	char c[128], num[8], tok[40], path[96], phone[16];
	struct resp r;

	assert_int_equal(set_clock("2026-12-10T10:00:00+08:00"), 0);
	snprintf(phone, sizeof phone, "137%08ld", (long)(time(NULL) % 100000000));
	if (citizen_login(phone, c, sizeof c) != 0) {
		set_clock(NULL);
		fail_msg("citizen sign-in (identity) is not available");
	}
	take_ok(c, "{\"category\":\"A\"}", num, tok);
	expect_refusal("POST", HALL "/tickets", c, "{\"category\":\"B\"}", 409, "ALREADY_QUEUED");
	expect_refusal("POST", HALL "/tickets", c,
	    "{\"category\":\"A\",\"priority\":\"elderly\"}", 422, "PRIORITY_AT_HALL");
	assert_int_equal(http_json(&r, "GET", "/api/v1/me/tickets", c, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "tickets.0.token"), tok);
	assert_true(json_is_true(jget(r.json, "tickets.0.sms")));	/* the account's phone */
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/tickets/%s", tok);
	expect_reply("DELETE", path, c, NULL, 204);
	take_ok(c, "{\"category\":\"B\"}", NULL, NULL);
	set_clock(NULL);
}

/* Redis down: 503 and nothing half-written; back up: numbering goes on. */
TEST(redis_down)
{
	char k[128], a[8], b[8];
	long long rows;

	assert_int_equal(set_clock("2026-12-11T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	take_ok(k, "{\"category\":\"C\"}", a, NULL);
	rows = db_count(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo' AND day = ?",
	    "2026-12-11");
	assert_int_equal(stack("redis-stop"), 0);
	expect_refusal("POST", HALL "/tickets", k, "{\"category\":\"C\"}", 503, "UNAVAILABLE");
	expect_refusal("GET", HALL "/board", NULL, NULL, 503, "UNAVAILABLE");
	assert_int_equal(stack("redis-start"), 0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo'"
	    " AND day = ?", "2026-12-11"), rows);
	staff_in("kiosk1", 0, k, sizeof k);
	take_ok(k, "{\"category\":\"C\"}", b, NULL);
	assert_int_equal(seq_of(b), seq_of(a) + 1);
	set_clock(NULL);
}

TEST(board_long_poll)
{
	char k[128], c1[128], num[8];
	struct poller one;
	struct holders *hold = calloc(1, sizeof *hold);
	pthread_t tid;
	int64_t t0;
	long long v;
	struct resp r;
	int i;

	window_ready("2026-12-09T10:00:00+08:00", k, "clerk1", 1, c1);
	take_ok(k, "{\"category\":\"E\"}", num, NULL);
	v = board_version();

	/* An old version answers at once. */
	memset(&one, 0, sizeof one);
	one.since = v - 1;
	poller_main(&one);
	assert_int_equal(one.status, 200);
	assert_true(one.ms < 1000);

	/* Held, then released by a call within a second. */
	memset(&one, 0, sizeof one);
	one.since = v;
	assert_int_equal(pthread_create(&tid, NULL, poller_main, &one), 0);
	usleep(500 * 1000);
	t0 = now_ms();
	called(c1, 1, num);
	pthread_join(tid, NULL);
	assert_int_equal(one.status, 200);
	assert_string_equal(one.number, num);
	assert_true(now_ms() - t0 < 1000);
	assert_true(one.ms >= 400);

	/* 40 screens hold (more than the API's 2 × 8 threads) while the API answers at once.
	 * They are in three places (addresses): one address may hold 16 (it_guards). */
	v = board_version();
	for (i = 0; i < 40; i++) {
		static const char *const places[] = { "127.0.0.21", "127.0.0.22", "127.0.0.23" };

		hold->p[i].since = v;
		hold->p[i].from = places[i % 3];
	}
	assert_int_equal(pthread_create(&tid, NULL, holders_main, hold), 0);
	usleep(1000 * 1000);
	for (i = 0; i < 20; i++) {
		t0 = now_ms();
		expect_reply("GET", "/api/v1/health", NULL, NULL, 200);
		assert_true(now_ms() - t0 < 1000);
	}
	window_post(&r, c1, 1, "finish", "{\"outcome\":\"no_show\"}");
	expect_status(&r, 200);
	resp_free(&r);
	/* finish changes nothing on the board: the screens go on holding, then 304 at 25 s. */
	pthread_join(tid, NULL);
	for (i = 0; i < 40; i++) {
		assert_int_equal(hold->p[i].status, 304);
		assert_true(hold->p[i].ms >= 20000 && hold->p[i].ms < 30000);
	}

	/* Stopping the app does not wait for held screens. */
	memset(hold, 0, sizeof *hold);
	v = board_version();
	for (i = 0; i < 5; i++)
		hold->p[i].since = v;
	{
		pthread_t ts[5];

		for (i = 0; i < 5; i++)
			assert_int_equal(pthread_create(&ts[i], NULL, poller_main, &hold->p[i]), 0);
		usleep(500 * 1000);
		t0 = now_ms();
		assert_int_equal(stack("app-stop"), 0);
		assert_true(now_ms() - t0 < 5000);
		for (i = 0; i < 5; i++)
			pthread_join(ts[i], NULL);
		for (i = 0; i < 5; i++)
			assert_true(hold->p[i].ms < 8000);
		assert_int_equal(stack("app-start"), 0);
	}
	free(hold);
	set_clock(NULL);
}

SUITE_MAIN("queue", suite_setup, suite_teardown)
