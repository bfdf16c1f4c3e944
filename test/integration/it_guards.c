/*
 * it_guards.c — the stack under hostile and careless use (issue 17, items 6, 9, 10, 11, 12),
 * against the live test stack with real concurrent clients:
 *
 *   - one client address cannot take the board's long-poll threads: the polls beyond its
 *     share are answered at once (429), a plain board read stays fast even with the long-poll
 *     pool full, another address's poll is still served, and polls whose clients went away
 *     give their threads back;
 *   - nginx's own refusals under /api/ speak the API's JSON (400, 413, 414, 431, 429, 503
 *     when the app is away, 504 when it does not answer), and HEAD works where GET does;
 *   - no token or upload id reaches any log, whatever limit a request hits; the session
 *     cookie is Secure when the site is https;
 *   - with Redis paused or MariaDB stalled, /health and the work routes answer 503 in bounded
 *     time, nothing is half-written, and everything works again afterwards;
 *   - the window's acceptance with one Idempotency-Key makes one case and one SMS however
 *     often (and however concurrently) it is sent.
 *
 * The hall clock is moved to a working day of its own (Wednesday 2026-12-16, 10:00) and put
 * back at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/stackproc.h"

#define HALL   "/api/v1/halls/demo"
#define BOARD  HALL "/board"
#define DAY    "2026-12-16"
#define JSON_H "Content-Type: application/json"

static char kiosk[128];

/* ---------------------------------------------------------------- helpers */

/* A kiosk takes a number in category A: the HTTP status. */
static long
take_number(void)
{
	struct resp r;
	long st;

	assert_int_equal(http_json(&r, "POST", HALL "/tickets", kiosk, "{\"category\":\"A\"}"), 0);
	st = r.status;
	if (st != 201 && st != 503)
		fprintf(stderr, "take_number: %ld %s\n", st, r.body ? r.body : "");
	resp_free(&r);
	return st;
}

/* The board's version now (a plain read). */
static long long
board_version(void)
{
	json_t *v = get_member(NULL, "version", BOARD);
	long long n = json_integer_value(v);

	json_decref(v);
	return n;
}

static long long
conf_int(const char *key, long long dflt)
{
	assert_int_equal(test_conf_load(), 0);
	return config_int(key, dflt, 0, 1000000);
}

/* Held polls one address may keep (ops/stack.sh YICHUANG_BOARD_POLLS). */
static int
board_polls(void)
{
	const char *e = getenv("YICHUANG_BOARD_POLLS");
	long n = e && *e ? strtol(e, NULL, 10) : 16;

	return n > 0 && n < 10000 ? (int)n : 16;
}

/* Is the waiting count of line A on the board the number of waiting A tickets of the day? */
static void
board_matches_record(void)
{
	struct resp r;
	long long shown, rows;

	assert_int_equal(http(&r, "GET", BOARD, NULL, NULL), 0);
	expect_status(&r, 200);
	shown = jint(r.json, "waiting.A");
	resp_free(&r);
	rows = db_count(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo' AND day = ?"
	    " AND category = 'A' AND status = 'waiting'", DAY);
	assert_int_equal(shown, rows);
}

/* ---------------------------------------------------------------- concurrent polls */

/* One board request driven by a curl multi handle, from a chosen source address. */
struct poll_req {
	CURL	*h;
	char	 body[1024];
	size_t	 blen;
	char	 hdr[2048];
	size_t	 hlen;
	long	 status;
	int	 done;
	int64_t	 started_ms, done_ms;
};

/* Keep what fits of add bytes in buf (size cap, *len used so far, NUL-terminated). */
static size_t
keep(char *buf, size_t cap, size_t *len, const char *p, size_t add)
{
	size_t room = cap - 1 - *len, k = add < room ? add : room;

	memcpy(buf + *len, p, k);
	*len += k;
	buf[*len] = '\0';
	return add;
}

static size_t
poll_body(char *p, size_t sz, size_t n, void *arg)
{
	struct poll_req *q = arg;

	return keep(q->body, sizeof q->body, &q->blen, p, sz * n);
}

static size_t
poll_hdr(char *p, size_t sz, size_t n, void *arg)
{
	struct poll_req *q = arg;

	return keep(q->hdr, sizeof q->hdr, &q->hlen, p, sz * n);
}

static void
poll_start(CURLM *m, struct poll_req *q, const char *path, const char *from)
{
	char url[512];

	memset(q, 0, sizeof *q);
	snprintf(url, sizeof url, "%s%s", base_url(), path);
	q->h = curl_easy_init();
	assert_non_null(q->h);
	curl_easy_setopt(q->h, CURLOPT_URL, url);
	curl_easy_setopt(q->h, CURLOPT_WRITEFUNCTION, poll_body);
	curl_easy_setopt(q->h, CURLOPT_WRITEDATA, q);
	curl_easy_setopt(q->h, CURLOPT_HEADERFUNCTION, poll_hdr);
	curl_easy_setopt(q->h, CURLOPT_HEADERDATA, q);
	curl_easy_setopt(q->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(q->h, CURLOPT_TIMEOUT, 40L);
	curl_easy_setopt(q->h, CURLOPT_PRIVATE, q);
	if (from)	/* another client address: the whole of 127/8 is this machine */
		curl_easy_setopt(q->h, CURLOPT_INTERFACE, from);
	q->started_ms = now_ms();
	assert_int_equal(curl_multi_add_handle(m, q->h), CURLM_OK);
}

/* Drive every transfer for up to ms, or until none is left running. */
static void
polls_run(CURLM *m, int ms)
{
	int64_t end = now_ms() + ms;
	int running = 0, left;
	CURLMsg *msg;

	do {
		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			struct poll_req *q = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &q->status);
			q->done = 1;
			q->done_ms = now_ms();
		}
		if (running == 0)
			break;
		curl_multi_poll(m, NULL, 0, 20, NULL);
	} while (now_ms() < end);
}

/* Drop a transfer (done or not: a client that gives up closes its connection). */
static void
poll_drop(CURLM *m, struct poll_req *q)
{
	if (q->h == NULL)
		return;
	curl_multi_remove_handle(m, q->h);
	curl_easy_cleanup(q->h);
	q->h = NULL;
}

static int
polls_done(const struct poll_req *q, int n)
{
	int i, d = 0;

	for (i = 0; i < n; i++)
		d += q[i].done;
	return d;
}

/*
 * Item 6.  One address holds as many long polls as it may; the next ones are answered at
 * once with 429 in the API's shape.  Meanwhile a plain board read from the same address is
 * fast, another address's poll is held (not refused), and when the board changes every held
 * poll gets the new board.
 */
TEST(board_excess_polls_of_one_address_get_429)
{
	int limit = board_polls(), n = limit + 8, i, refused = 0, held = 0;
	struct poll_req *q = calloc((size_t)n, sizeof *q), other;
	char path[128];
	long long v = board_version();
	CURLM *m = curl_multi_init();
	struct resp r;
	int64_t t0;

	assert_non_null(q);
	snprintf(path, sizeof path, BOARD "?since=%lld", v);
	for (i = 0; i < n; i++)
		poll_start(m, &q[i], path, NULL);
	polls_run(m, 1500);
	for (i = 0; i < n; i++) {
		json_t *j;

		if (!q[i].done) {
			held++;
			continue;
		}
		refused++;
		assert_int_equal(q[i].status, 429);
		assert_true(q[i].done_ms - q[i].started_ms < 1000);	/* at once, not held */
		j = json_loads(q[i].body, 0, NULL);
		assert_non_null(j);
		assert_string_equal(jstr(j, "error.code"), "RATE_LIMITED");
		assert_non_null(jstr(j, "error.message"));
		json_decref(j);
		assert_non_null(strcasestr(q[i].hdr, "\nRetry-After: "));
	}
	assert_int_equal(refused, n - limit);
	assert_int_equal(held, limit);

	/* A plain read is not a long poll: fast, from the same address, whatever it holds. */
	t0 = now_ms();
	assert_int_equal(http(&r, "GET", BOARD, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "version"), v);
	assert_true(now_ms() - t0 < 1000);
	resp_free(&r);

	/* Another address is not held to this one's share. */
	poll_start(m, &other, path, "127.0.0.2");
	polls_run(m, 800);
	assert_false(other.done);

	/* The board changes: every held poll, this address's and the other's, gets it. */
	assert_int_equal(take_number(), 201);
	polls_run(m, 5000);
	for (i = 0; i < n; i++)
		if (q[i].status != 429) {
			assert_true(q[i].done);
			assert_int_equal(q[i].status, 200);
			assert_non_null(strstr(q[i].body, "\"version\""));
		}
	assert_true(other.done);
	assert_int_equal(other.status, 200);
	{
		json_t *j = json_loads(other.body, 0, NULL);

		assert_non_null(j);
		assert_true(jint(j, "version") != v);
		json_decref(j);
	}
	for (i = 0; i < n; i++)
		poll_drop(m, &q[i]);
	poll_drop(m, &other);
	curl_multi_cleanup(m);
	free(q);
}

/* Enough addresses, each within its share, to hold more polls than the long-poll pool has
 * threads. */
static int
flood_addresses(void)
{
	long long threads = conf_int("app_processes", 2) * conf_int("app_board_threads", 64);
	int limit = board_polls();

	return (int)(threads / limit) + 2;
}

/* limit polls of the board since v from each of addrs addresses net.1, net.2, … ("127.0.1"),
 * started on m into q (addrs × limit of them). */
static void
polls_from_addresses(CURLM *m, struct poll_req *q, long long v, const char *net, int addrs,
    int limit)
{
	char path[128], from[32];
	int a, i;

	snprintf(path, sizeof path, BOARD "?since=%lld", v);
	for (a = 0; a < addrs; a++)
		for (i = 0; i < limit; i++) {
			snprintf(from, sizeof from, "%s.%d", net, a + 1);
			poll_start(m, &q[a * limit + i], path, from);
		}
}

/*
 * Item 6, the TV screen: with every long-poll thread held (and more polls waiting for one),
 * a plain board read still answers at once — it never needs a long-poll thread.
 */
TEST(board_plain_read_fast_while_poll_pool_full)
{
	int limit = board_polls(), addrs = flood_addresses(), n = addrs * limit, i;
	struct poll_req *q = calloc((size_t)n, sizeof *q);
	long long v = board_version();
	CURLM *m = curl_multi_init();
	int64_t worst = 0;

	assert_non_null(q);
	polls_from_addresses(m, q, v, "127.0.1", addrs, limit);
	polls_run(m, 2000);
	assert_int_equal(polls_done(q, n), 0);	/* all held or waiting: none refused */
	for (i = 0; i < 10; i++) {
		struct resp r;
		int64_t t0 = now_ms();

		assert_int_equal(http(&r, "GET", BOARD, NULL, NULL), 0);
		expect_status(&r, 200);
		assert_int_equal(jint(r.json, "version"), v);
		resp_free(&r);
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
		polls_run(m, 20);
	}
	print_message("%d polls held from %d addresses; slowest plain read %lld ms\n", n, addrs,
	    (long long)worst);
	assert_true(worst < 1000);
	/* And they are all answered once the board changes. */
	assert_int_equal(take_number(), 201);
	polls_run(m, 15000);
	assert_int_equal(polls_done(q, n), n);
	for (i = 0; i < n; i++)
		assert_int_equal(q[i].status, 200);
	for (i = 0; i < n; i++)
		poll_drop(m, &q[i]);
	curl_multi_cleanup(m);
	free(q);
}

/*
 * Item 6, the other half of the guard: clients that open polls and drop them (nginx then
 * closes its connection to the app) must not keep the long-poll threads for the rest of
 * their 25 s.  After more dropped polls than the pool has threads, a poll whose board is
 * out of date is still answered at once.
 */
TEST(board_dropped_polls_give_their_threads_back)
{
	int limit = board_polls(), addrs = flood_addresses(), n = addrs * limit, i;
	struct poll_req *q = calloc((size_t)n, sizeof *q), late;
	long long v = board_version();
	char stale[128];
	CURLM *m = curl_multi_init();

	assert_non_null(q);
	polls_from_addresses(m, q, v, "127.0.2", addrs, limit);
	polls_run(m, 1000);
	assert_int_equal(polls_done(q, n), 0);
	for (i = 0; i < n; i++)
		poll_drop(m, &q[i]);		/* every client gives up */
	usleep(600 * 1000);
	/* An out-of-date screen: answered at once by a free long-poll thread. */
	snprintf(stale, sizeof stale, BOARD "?since=%lld", v - 1);
	poll_start(m, &late, stale, "127.0.0.3");
	polls_run(m, 3000);
	assert_true(late.done);
	assert_int_equal(late.status, 200);
	print_message("a stale poll after %d dropped ones: %lld ms\n", n,
	    (long long)(late.done_ms - late.started_ms));
	assert_true(late.done_ms - late.started_ms < 1500);
	poll_drop(m, &late);
	curl_multi_cleanup(m);
	free(q);
}

/* ---------------------------------------------------------------- nginx's refusals */

static void
expect_json_error(struct resp *r, long status, const char *code, int retry_after)
{
	char v[64];

	assert_error(r, status, code);
	assert_non_null(resp_header(r, "Content-Type", v, sizeof v));
	assert_non_null(strstr(v, "application/json"));
	if (retry_after)
		assert_non_null(resp_header(r, "Retry-After", v, sizeof v));
}

static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Item 11: what nginx refuses before the app sees it, in the API's JSON. */
TEST(nginx_refusals_speak_json)
{
	const char *json[] = { JSON_H, NULL };
	const char *big_h[2];
	char *big, *path, *hdr, track[128];
	struct resp r;
	int i, limited = 0;

	/* 400: a bad escape, a NUL, a path above the root. */
	assert_int_equal(http(&r, "GET", "/api/v1/halls/%zz/board", NULL, NULL), 0);
	expect_json_error(&r, 400, "INVALID_INPUT", 0);
	resp_free(&r);
	assert_int_equal(http(&r, "GET", "/api/v1/x%00y", NULL, NULL), 0);
	expect_json_error(&r, 400, "INVALID_INPUT", 0);
	resp_free(&r);
	/* The site's own pages keep nginx's page: the JSON shape is the API's. */
	assert_int_equal(http(&r, "GET", "/%zz", NULL, NULL), 0);
	assert_int_equal(r.status, 400);
	assert_null(r.json);
	resp_free(&r);

	/* 413: a body over 64 KiB. */
	big = repeat(' ', 100 * 1024);
	big[0] = '{';
	big[100 * 1024 - 1] = '}';
	assert_int_equal(http(&r, "POST", HALL "/tickets", big, json), 0);
	expect_json_error(&r, 413, "TOO_LARGE", 0);
	resp_free(&r);
	free(big);

	/* 414: a request line over nginx's 8 KiB. */
	big = repeat('a', 9000);
	path = malloc(9100);
	snprintf(path, 9100, "/api/v1/health?x=%s", big);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_json_error(&r, 414, "TOO_LARGE", 0);
	resp_free(&r);
	free(path);

	/* 431: a header over nginx's 8 KiB. */
	hdr = malloc(9100);
	snprintf(hdr, 9100, "X-Padding: %s", big);
	big_h[0] = hdr;
	big_h[1] = NULL;
	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, big_h), 0);
	expect_json_error(&r, 431, "TOO_LARGE", 0);
	resp_free(&r);
	free(hdr);
	free(big);

	/* 429 from limit_req (the tracking lookups' budget), with Retry-After — from an
	 * address of its own, so the budget of the usual one is left to the other tests. */
	snprintf(track, sizeof track, "/api/v1/track/refusal-probe-%ld", (long)getpid());
	http_source("127.0.0.31");
	for (i = 0; i < 400 && !limited; i++) {
		assert_int_equal(http(&r, "GET", track, NULL, NULL), 0);
		if (r.status == 429) {
			expect_json_error(&r, 429, "RATE_LIMITED", 1);
			limited = 1;
		} else
			expect_json_error(&r, 404, "NOT_FOUND", 0);
		resp_free(&r);
	}
	http_source(NULL);
	assert_true(limited);

	/* And the app itself never saw any of it: it keeps serving. */
	expect_reply("GET", "/api/v1/health", NULL, NULL, 200);
}

/* A stand-in for the app on its socket: takes connections and either closes each at once
 * (an app that dies on every request) or never answers (one that hangs). */
struct fake_app {
	int		 fd;
	int		 hang;
	pthread_t	 t;
	int		 conns[64];
	int		 nconns;
};

static void *
fake_app_main(void *arg)
{
	struct fake_app *f = arg;
	int c;

	while ((c = accept(f->fd, NULL, NULL)) >= 0) {
		if (f->hang && f->nconns < 64)
			f->conns[f->nconns++] = c;
		else
			close(c);
	}
	return NULL;
}

static void
fake_app_start(struct fake_app *f, int hang)
{
	struct sockaddr_un sa;
	char path[256];

	memset(f, 0, sizeof *f);
	f->hang = hang;
	assert_int_equal(test_conf_load(), 0);
	snprintf(path, sizeof path, "%s", config_get("app_socket", ""));
	assert_true(path[0] == '/');
	unlink(path);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	f->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	chmod(path, 0666);
	assert_int_equal(listen(f->fd, 64), 0);
	assert_int_equal(pthread_create(&f->t, NULL, fake_app_main, f), 0);
}

static void
fake_app_stop(struct fake_app *f)
{
	int i;

	shutdown(f->fd, SHUT_RDWR);
	pthread_join(f->t, NULL);
	close(f->fd);
	for (i = 0; i < f->nconns; i++)
		close(f->conns[i]);
	unlink(config_get("app_socket", ""));
}

/* nginx's settings for this test instance, with extra variables for ops/stack.sh up. */
static void
stack_up_with(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
	assert_int_equal(stack("up"), 0);
}

/* Item 11: HEAD wherever GET works, with the GET's head and no body. */
TEST(head_works_where_get_does)
{
	static const char *paths[] = { "/api/v1/health", "/api/v1/halls", HALL "/categories",
	    BOARD, "/api/v1/items?hall=demo&category=D" };
	struct resp g, h;
	char lg[32], lh[32], tg[64], th[64];
	size_t i;
	long before = app_log_count("no FastCGI request");

	for (i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		assert_int_equal(http(&g, "GET", paths[i], NULL, NULL), 0);
		expect_status(&g, 200);
		assert_int_equal(http(&h, "HEAD", paths[i], NULL, NULL), 0);
		expect_status(&h, 200);
		assert_int_equal(h.len, 0);
		assert_non_null(resp_header(&h, "Content-Type", th, sizeof th));
		assert_non_null(resp_header(&g, "Content-Type", tg, sizeof tg));
		assert_string_equal(th, tg);
		/* The length of the body a GET gets (when nginx passes it on: it may
		 * compress or chunk the GET). */
		if (resp_header(&h, "Content-Length", lh, sizeof lh) &&
		    resp_header(&g, "Content-Length", lg, sizeof lg))
			assert_string_equal(lh, lg);
		resp_free(&g);
		resp_free(&h);
		/* A POST right after on the kept connections: they are left clean. */
		expect_refusal("POST", HALL "/tickets", NULL, "{}", 401, "UNAUTHENTICATED");
	}
	/* Refusals keep their status. */
	assert_int_equal(http(&h, "HEAD", "/api/v1/no/such/route", NULL, NULL), 0);
	assert_int_equal(h.status, 404);
	assert_int_equal(h.len, 0);
	resp_free(&h);
	assert_int_equal(http(&h, "HEAD", "/api/v1/auth/logout", NULL, NULL), 0);
	assert_int_equal(h.status, 405);
	assert_non_null(resp_header(&h, "Allow", lh, sizeof lh));
	assert_string_equal(lh, "POST");
	resp_free(&h);
	/* Where GET is allowed, Allow says HEAD too. */
	assert_int_equal(http(&h, "DELETE", "/api/v1/halls", NULL, NULL), 0);
	assert_error(&h, 405, "METHOD_NOT_ALLOWED");
	assert_non_null(resp_header(&h, "Allow", lh, sizeof lh));
	assert_string_equal(lh, "GET, HEAD");
	resp_free(&h);
	assert_int_equal(app_log_count("no FastCGI request"), before);
}

/* Item 11: the app away (502 → 503 UNAVAILABLE) or not answering (504 TIMEOUT). */
TEST(app_away_answers_json)
{
	struct fake_app f;
	struct resp r;
	int64_t t0;

	/* nginx waits 2 s for the app instead of 35, for this test only. */
	stack_up_with("YICHUANG_APP_TIMEOUT", "2");
	assert_int_equal(stack("app-stop"), 0);

	/* Nothing listens: 503 UNAVAILABLE, at once. */
	assert_int_equal(http(&r, "GET", "/api/v1/halls", NULL, NULL), 0);
	expect_json_error(&r, 503, "UNAVAILABLE", 1);
	resp_free(&r);

	/* It dies on every request (closes without an answer): 503 as well. */
	fake_app_start(&f, 0);
	assert_int_equal(http(&r, "GET", "/api/v1/halls", NULL, NULL), 0);
	expect_json_error(&r, 503, "UNAVAILABLE", 1);
	resp_free(&r);
	fake_app_stop(&f);

	/* It hangs: 504 TIMEOUT once nginx has waited its read timeout. */
	fake_app_start(&f, 1);
	t0 = now_ms();
	assert_int_equal(http(&r, "GET", "/api/v1/halls", NULL, NULL), 0);
	expect_json_error(&r, 504, "TIMEOUT", 1);
	assert_true(now_ms() - t0 < 5000);
	resp_free(&r);
	fake_app_stop(&f);

	/* Back to normal: the usual timeout and the real app (up starts it again). */
	stack_up_with("YICHUANG_APP_TIMEOUT", NULL);
	expect_reply("GET", "/api/v1/health", NULL, NULL, 200);
}

/* ---------------------------------------------------------------- logs and cookies */

/* Does any file under dir contain text?  The first such file into hit. */
static int
tree_contains(const char *dir, const char *text, char *hit, size_t hsz)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		char p[1024], *line = NULL;
		size_t cap = 0;
		struct stat sb;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (stat(p, &sb) != 0)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			found = tree_contains(p, text, hit, hsz);
			continue;
		}
		if ((f = fopen(p, "r")) == NULL)
			continue;
		while (getline(&line, &cap, f) > 0)
			if (strstr(line, text)) {
				snprintf(hit, hsz, "%.200s: %.300s", p, line);
				found = 1;
				break;
			}
		free(line);
		fclose(f);
	}
	closedir(d);
	return found;
}

/* Lines of a log file containing both texts. */
static long
log_lines_with(const char *file, const char *a, const char *b)
{
	char path[256], *line = NULL;
	size_t cap = 0;
	long n = 0;
	FILE *f;

	snprintf(path, sizeof path, "var/%s/log/%s", test_instance(), file);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (getline(&line, &cap, f) > 0)
		if (strstr(line, a) && strstr(line, b))
			n++;
	free(line);
	fclose(f);
	return n;
}

/*
 * Item 9: tokens (tracking, tickets, bookings, notices) and upload ids never reach a log —
 * not the access log, not the error log, not the app's — also when a request hits the rate
 * limit, is refused by nginx, or finds the app away.
 */
TEST(logs_carry_no_token)
{
	const char *json[] = { JSON_H, NULL };
	unsigned char rnd[12];
	char tok[40], p[9300], dir[128], hit[512], cit[128], auth[200];
	const char *h[3];
	struct resp r;
	char *pad;
	long before429 = log_lines_with("nginx-access.log", "/api/v1/track/*", "\"status\":429,");
	int i, limited = 0;

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(tok, sizeof tok, rnd, sizeof rnd);	/* 24 hex: unlike anything else */
	assert_int_equal(citizen_login("13912340917", cit, sizeof cit), 0);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", cit);

	/* The pages a QR code opens, the API's token routes, an upload id. */
	static const char *fmts[] = { "/t/%s", "/q/%s", "/a/%s", "/api/v1/tickets/%s",
	    "/api/v1/tickets/%s/qr.png", "/api/v1/appointments/%s", "/api/v1/track/%s/qr.svg",
	    "/api/v1/case-notices?n=%s", "/api/v1/case-notices/qr.png?n=%s",
	    "/staff/notice.html?n=%s", "/review.html?case=%s" };
	for (i = 0; i < (int)(sizeof fmts / sizeof fmts[0]); i++) {
		snprintf(p, sizeof p, fmts[i], tok);
		assert_int_equal(http(&r, "GET", p, NULL, NULL), 0);
		resp_free(&r);
	}
	h[0] = auth;
	h[1] = NULL;
	snprintf(p, sizeof p, "/api/v1/uploads/%s", tok);
	assert_int_equal(http(&r, "GET", p, NULL, h), 0);
	assert_error(&r, 404, "NOT_FOUND");
	resp_free(&r);
	assert_int_equal(http(&r, "HEAD", p, NULL, h), 0);
	resp_free(&r);
	/* The tracking lookup until its rate limit refuses it (from an address of its own). */
	snprintf(p, sizeof p, "/api/v1/track/%s", tok);
	http_source("127.0.0.32");
	for (i = 0; i < 400 && !limited; i++) {
		assert_int_equal(http(&r, "GET", p, NULL, NULL), 0);
		limited = r.status == 429;
		resp_free(&r);
	}
	http_source(NULL);
	assert_true(limited);
	/* nginx's refusals: a bad escape, a line too long, a body too large. */
	snprintf(p, sizeof p, "/api/v1/track/%s/%%zz", tok);
	expect_reply("GET", p, NULL, NULL, 400);
	pad = repeat('b', 9000);
	snprintf(p, sizeof p, "/api/v1/track/%s?%s", tok, pad);
	free(pad);
	expect_reply("GET", p, NULL, NULL, 414);
	pad = repeat(' ', 70 * 1024);
	pad[0] = '{';
	pad[70 * 1024 - 1] = '}';
	snprintf(p, sizeof p, "/api/v1/appointments/%s/check-in", tok);
	assert_int_equal(http(&r, "POST", p, pad, json), 0);
	assert_int_equal(r.status, 413);
	resp_free(&r);
	free(pad);
	/* The app away: nginx cannot reach it. */
	assert_int_equal(stack("app-stop"), 0);
	snprintf(p, sizeof p, "/api/v1/track/%s/qr.png", tok);
	expect_reply("GET", p, NULL, NULL, 503);
	snprintf(p, sizeof p, "/api/v1/uploads/%s", tok);
	assert_int_equal(http(&r, "GET", p, NULL, h), 0);
	assert_int_equal(r.status, 503);
	resp_free(&r);
	assert_int_equal(stack("app-start"), 0);

	/* The limits were hit and logged, by route and status … */
	assert_true(log_lines_with("nginx-access.log", "/api/v1/track/*", "\"status\":429,") > before429);
	assert_true(log_lines_with("nginx-access.log", "/api/v1/uploads/*", "\"status\":404,") > 0);
	/* … and the token is nowhere. */
	snprintf(dir, sizeof dir, "var/%s/log", test_instance());
	hit[0] = '\0';
	if (tree_contains(dir, tok, hit, sizeof hit))
		fail_msg("a token reached a log: %s", hit);
}

/* The Set-Cookie header of a staff sign-in (cookie attributes only, without the token). */
static void
sign_in_cookie(char *out, size_t osz)
{
	const char *json[] = { JSON_H, NULL };
	struct resp r;
	const char *c;
	int i;

	for (i = 0; i < 20; i++) {
		assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\","
		    "\"username\":\"manager1\",\"password\":\"yichuang-demo\"}", json), 0);
		if (r.status == 200)
			break;
		resp_free(&r);
		usleep(200 * 1000);
	}
	expect_status(&r, 200);
	assert_non_null(resp_header(&r, "Set-Cookie", out, osz));
	c = strchr(out, ';');
	assert_non_null(c);
	memmove(out, c, strlen(c) + 1);
	resp_free(&r);
}

/* Item 9: the session cookie is Secure exactly when the site is https. */
TEST(session_cookie_secure_with_https)
{
	char attrs[256], extra[512];
	const char *old = getenv("YICHUANG_CONF_EXTRA");

	/* This instance is http://127.0.0.1:<port>: a Secure cookie would never come back. */
	sign_in_cookie(attrs, sizeof attrs);
	assert_non_null(strstr(attrs, "HttpOnly"));
	assert_null(strstr(attrs, "Secure"));

	snprintf(extra, sizeof extra, "%s%spublic_base_url = https://hall.example.cn",
	    old ? old : "", old && *old ? "\n" : "");
	setenv("YICHUANG_CONF_EXTRA", extra, 1);
	assert_int_equal(stack("restart-app"), 0);
	sign_in_cookie(attrs, sizeof attrs);
	if (old)
		setenv("YICHUANG_CONF_EXTRA", old, 1);
	else
		unsetenv("YICHUANG_CONF_EXTRA");
	assert_int_equal(stack("restart-app"), 0);
	assert_non_null(strstr(attrs, "; Secure"));
	assert_non_null(strstr(attrs, "HttpOnly"));
	assert_non_null(strstr(attrs, "SameSite=Strict"));
}

/* ---------------------------------------------------------------- bounded waits */

static long long
tickets_today(void)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo' AND day = ?", DAY);
}

/* After an outage, many requests of every kind get their own, right answers (a connection
 * that ran out of time and were still used would hand one request another's answer). */
static void
answers_are_right(void)
{
	struct resp r;
	int i;

	for (i = 0; i < 40; i++) {
		switch (i % 4) {
		case 0:
			assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
			expect_status(&r, 200);
			assert_string_equal(jstr(r.json, "status"), "ok");
			break;
		case 1:
			assert_int_equal(http(&r, "GET", HALL "/categories", NULL, NULL), 0);
			expect_status(&r, 200);
			assert_string_equal(jstr(r.json, "categories.0.code"), "A");
			break;
		case 2:
			assert_int_equal(http(&r, "GET", BOARD, NULL, NULL), 0);
			expect_status(&r, 200);
			assert_true(json_is_object(jget(r.json, "waiting")));
			break;
		default:
			assert_int_equal(http_json(&r, "GET", "/api/v1/me", kiosk, NULL), 0);
			expect_status(&r, 200);
			assert_string_equal(jstr(r.json, "role"), "kiosk");
			break;
		}
		resp_free(&r);
	}
}

/* GET /api/v1/health while the service down stalls ("redis", "mysql"): 503, "degraded", down
 * "down" and up "ok", within 1.8 s.  what says when, in the printed line. */
static void
health_degraded(const char *what, const char *down, const char *up)
{
	struct resp r;
	int64_t t0 = now_ms(), took;

	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	took = now_ms() - t0;
	print_message("health with %s: %ld in %lld ms\n", what, r.status, (long long)took);
	assert_int_equal(r.status, 503);
	assert_string_equal(jstr(r.json, "status"), "degraded");
	assert_string_equal(jstr(r.json, down), "down");
	assert_string_equal(jstr(r.json, up), "ok");
	assert_true(took < 1800);
	resp_free(&r);
}

/* A request (http_json) while a service stalls: 503 UNAVAILABLE within ms milliseconds.
 * what names the request and the stall in the printed line. */
static void
unavailable_within(const char *what, const char *method, const char *path, const char *token,
    const char *body, int64_t ms)
{
	struct resp r;
	int64_t t0 = now_ms(), took;

	assert_int_equal(http_json(&r, method, path, token, body), 0);
	took = now_ms() - t0;
	print_message("%s: %ld in %lld ms\n", what, r.status, (long long)took);
	assert_error(&r, 503, "UNAVAILABLE");
	assert_true(took < ms);
	resp_free(&r);
}

/*
 * Item 10, Redis paused (CLIENT PAUSE … ALL: it holds every command): /health says degraded
 * within about a second, a request that needs Redis answers 503 within redis_timeout_ms,
 * nothing is written, and everything works once Redis answers again.
 */
TEST(redis_paused_answers_in_bounded_time)
{
	redisReply *rep;
	long long before;

	before = tickets_today();
	rep = kv_cmd(&test_db, "CLIENT PAUSE 6000 ALL");
	assert_non_null(rep);
	freeReplyObject(rep);
	kv_drop(&test_db);		/* this connection is paused too */

	health_degraded("Redis paused", "redis", "mysql");
	unavailable_within("take a number with Redis paused", "POST", HALL "/tickets", kiosk,
	    "{\"category\":\"A\"}", 3500);

	wait_health(200, 8000);
	assert_int_equal(tickets_today(), before);	/* nothing was issued */
	answers_are_right();
	assert_int_equal(take_number(), 201);
	assert_int_equal(tickets_today(), before + 1);
	board_matches_record();
}

static pid_t mariadb_pid;

FIXTURE(mariadb_resume)
{
	if (mariadb_pid > 0)
		kill(mariadb_pid, SIGCONT);
	mariadb_pid = 0;
	return 0;
}

/* Sessions of the lock holder (seen as the server's superuser: the app's account sees only
 * its own sessions). */
static int
sleeping_lock_holders(void)
{
	char cmd[512], out[32] = "";
	FILE *p;

	snprintf(cmd, sizeof cmd, "mariadb --socket=var/%s/run/mysql.sock -uroot -N -B -e "
	    "\"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE "
	    "'SELECT SLEEP(6)%%'\" 2>/dev/null", test_instance());
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(out, sizeof out, p) == NULL)
		out[0] = '\0';
	pclose(p);
	return (int)strtol(out, NULL, 10);
}

/*
 * Item 10, MariaDB stalled.  (a) FLUSH TABLES WITH READ LOCK from another session: reads go
 * on, a write waits for the lock at most mysql_lock_wait_timeout and answers 503, the server
 * rolls it back (nothing issued, the line in Redis matches the record), and it works once
 * the lock is gone.  (b) mariadbd stopped (SIGSTOP): /health says degraded within about a
 * second, a read answers 503 within mysql_rw_timeout, and both work once it runs again.
 */
TEST_WITH(mysql_stalled_answers_in_bounded_time, NULL, mariadb_resume)
{
	char cmd[512], pidbuf[32] = "";
	struct resp r;
	long long before;
	FILE *lock, *pf;
	int i;

	/* (a) */
	before = tickets_today();
	snprintf(cmd, sizeof cmd, "mariadb --socket=var/%s/run/mysql.sock -uroot -e "
	    "'FLUSH TABLES WITH READ LOCK; SELECT SLEEP(6)' >/dev/null 2>&1", test_instance());
	lock = popen(cmd, "r");
	assert_non_null(lock);
	for (i = 0; i < 50 && sleeping_lock_holders() == 0; i++)
		usleep(100 * 1000);
	assert_int_equal(sleeping_lock_holders(), 1);

	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	expect_status(&r, 200);		/* the server answers: it is not down */
	resp_free(&r);
	unavailable_within("take a number under FLUSH TABLES WITH READ LOCK", "POST",
	    HALL "/tickets", kiosk, "{\"category\":\"A\"}", 5000);
	pclose(lock);			/* the lock is released when its session ends */

	assert_int_equal(tickets_today(), before);
	board_matches_record();
	assert_int_equal(take_number(), 201);
	assert_int_equal(tickets_today(), before + 1);
	board_matches_record();

	/* (b) */
	snprintf(cmd, sizeof cmd, "var/%s/run/mariadb.pid", test_instance());
	pf = fopen(cmd, "r");
	assert_non_null(pf);
	assert_non_null(fgets(pidbuf, sizeof pidbuf, pf));
	fclose(pf);
	mariadb_pid = (pid_t)strtol(pidbuf, NULL, 10);
	assert_true(mariadb_pid > 1);
	assert_int_equal(kill(mariadb_pid, SIGSTOP), 0);

	health_degraded("mariadbd stopped", "mysql", "redis");
	snprintf(cmd, sizeof cmd, "/api/v1/items?hall=demo&q=stall-%ld", (long)getpid());
	unavailable_within("a read with mariadbd stopped", "GET", cmd, NULL, NULL, 7500);

	mariadb_resume(NULL);
	db_drop(&test_db);
	wait_health(200, 8000);
	expect_reply("GET", cmd, NULL, NULL, 200);
	answers_are_right();
	assert_int_equal(take_number(), 201);
	board_matches_record();
}

/* ---------------------------------------------------------------- item 12 */

#define APPLICANT "\"applicant\":{\"name\":\"欧阳·娜娜\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13912340912\"}"

struct twin {
	const char	*body;
	const char	*const *headers;
	struct resp	 r;
};

static void *
twin_main(void *arg)
{
	struct twin *t = arg;

	if (http(&t->r, "POST", "/api/v1/cases", t->body, t->headers) != 0)
		t->r.status = -1;
	return NULL;
}

/* SMS lines since offset for phone and template. */
static int
sms_lines(long since, const char *phone, const char *template, const char *case_no)
{
	char path[256], *line = NULL;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof path, "var/%s/sms.log", test_instance());
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fseek(f, since, SEEK_SET) != 0) {
		fclose(f);
		return 0;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *j = json_loads(line, 0, NULL);

		if (j && jstr(j, "phone") && strcmp(jstr(j, "phone"), phone) == 0 &&
		    jstr(j, "template") && strcmp(jstr(j, "template"), template) == 0 &&
		    jstr(j, "params.case_no") && strcmp(jstr(j, "params.case_no"), case_no) == 0)
			n++;
		json_decref(j);
	}
	free(line);
	fclose(f);
	return n;
}

FIXTURE(setup)
{
	if (suite_setup(st) != 0 || sodium_init() < 0)
		return -1;
	if (set_clock(DAY "T10:00:00+08:00") != 0)
		return -1;
	staff_in("kiosk1", 0, kiosk, sizeof kiosk);
	return 0;
}

FIXTURE(teardown)
{
	mariadb_resume(NULL);
	return suite_teardown(st);
}

/*
 * Item 12: the window's acceptance sent again with the same Idempotency-Key — three times,
 * two of them at the same moment — makes one case and one SMS, and every answer is the
 * first one.
 */
TEST(window_acceptance_once_per_key)
{
	char clerk[128], mats[256], body[1024], key[96], auth[200], no[64];
	const char *h[4];
	struct twin t[3];
	long long cases_before;
	long since = sms_log_size();
	unsigned char rnd[8];
	char hex[17];
	int i, fresh = 0, k;
	char v[16];

	staff_in("clerk1", 1, clerk, sizeof clerk);
	material_codes_text("IT-B-004", 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-004\",\"materials\":%s," APPLICANT "}", mats);
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(key, sizeof key, "Idempotency-Key: window-form-%s", hex);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", clerk);
	h[0] = auth;
	h[1] = JSON_H;
	h[2] = key;
	h[3] = NULL;
	cases_before = db_count(&test_db, "SELECT COUNT(*) FROM cases", NULL);

	/* 受理 pressed twice at once … */
	for (i = 0; i < 2; i++) {
		t[i].body = body;
		t[i].headers = h;
	}
	{
		pthread_t th[2];

		for (i = 0; i < 2; i++)
			assert_int_equal(pthread_create(&th[i], NULL, twin_main, &t[i]), 0);
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
	}
	/* … and once more after the answer. */
	t[2].body = body;
	t[2].headers = h;
	twin_main(&t[2]);

	for (i = 0; i < 3; i++) {
		expect_status(&t[i].r, 201);
		if (resp_header(&t[i].r, "Idempotent-Replayed", v, sizeof v) == NULL)
			fresh++;
		else
			assert_string_equal(v, "true");
	}
	assert_int_equal(fresh, 1);
	snprintf(no, sizeof no, "%s", jstr(t[0].r.json, "case.no"));
	for (i = 1; i < 3; i++) {
		assert_string_equal(jstr(t[i].r.json, "case.no"), no);
		assert_string_equal(jstr(t[i].r.json, "case.track_token"),
		    jstr(t[0].r.json, "case.track_token"));
	}
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases", NULL), cases_before + 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE no = ?", no), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = 'case_accepted'"
	    " AND ref_id = ?", no), 1);
	/* One SMS reaches the applicant: wait for it, then make sure no second one follows. */
	for (k = 0; k < 100 && sms_lines(since, "13912340912", "case_accepted", no) == 0; k++)
		usleep(100 * 1000);
	assert_int_equal(sms_lines(since, "13912340912", "case_accepted", no), 1);
	usleep(1500 * 1000);
	assert_int_equal(sms_lines(since, "13912340912", "case_accepted", no), 1);
	for (i = 0; i < 3; i++)
		resp_free(&t[i].r);
}

/* ---------------------------------------------------------------- main */

SUITE_MAIN("guards", setup, teardown)
