/*
 * it_push.c — push to screens and phones (Server-Sent Events through nginx's nchan) against
 * the live stack: a call reaches the subscribers of its hall within a second and no one
 * else; a publisher that is gone or hangs never fails or holds up the clerk's call;
 * subscriptions that need a ticket or a staff session are refused without one; one client
 * address holds only so many subscriptions.
 *
 * The subscribers are real concurrent connections (libcurl's multi interface, one handle
 * each, read as they arrive); what they receive is checked against the database rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/http.h"
#include "../lib/proc.h"
#include "../lib/race.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#define HALL  "/api/v1/halls/demo"
#define PUSH  "/api/v1/push/halls/"
#define SUB_MAX 80

/* One held subscription: what it has received so far, and when its first event came. */
struct sub {
	CURL	*h;
	char	 url[256];
	char	 auth[300];
	struct curl_slist *hdr;
	char	 buf[16384];
	size_t	 n;
	long	 status;
	int64_t	 first_data_ms;		/* 0 until a "data:" line arrived */
};

static CURLM *multi;

static size_t
sub_write(char *p, size_t sz, size_t nm, void *arg)
{
	struct sub *s = arg;
	size_t len = sz * nm, room = sizeof s->buf - 1 - s->n;

	memcpy(s->buf + s->n, p, len < room ? len : room);
	s->n += len < room ? len : room;
	s->buf[s->n] = '\0';
	if (s->first_data_ms == 0 && strstr(s->buf, "data:"))
		s->first_data_ms = now_ms();
	return len;
}

/* Open a subscription: path below the site, from the client address `from` (NULL: the
 * default), with a session token (NULL: none). */
static void
sub_open(struct sub *s, const char *path, const char *from, const char *token)
{
	memset(s, 0, sizeof *s);
	snprintf(s->url, sizeof s->url, "%s%s", base_url(), path);
	s->hdr = curl_slist_append(NULL, "Accept: text/event-stream");
	if (token) {
		snprintf(s->auth, sizeof s->auth, "Authorization: Bearer %s", token);
		s->hdr = curl_slist_append(s->hdr, s->auth);
	}
	assert_non_null(s->h = curl_easy_init());
	curl_easy_setopt(s->h, CURLOPT_URL, s->url);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdr);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, sub_write);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	if (from)
		curl_easy_setopt(s->h, CURLOPT_INTERFACE, from);
	curl_multi_add_handle(multi, s->h);
}

static void
sub_close(struct sub *s)
{
	if (s->h) {
		curl_multi_remove_handle(multi, s->h);
		curl_easy_cleanup(s->h);
	}
	curl_slist_free_all(s->hdr);
	s->h = NULL;
	s->hdr = NULL;
}

/* Drive every open subscription for ms milliseconds (or until done(arg) says so), then
 * note each one's status. */
static void
subs_run(struct sub *subs, int n, int ms, int (*done)(void *), void *arg)
{
	int64_t end = now_ms() + ms;
	int running, i;

	while (now_ms() < end) {
		curl_multi_perform(multi, &running);
		if (done && done(arg))
			break;
		curl_multi_poll(multi, NULL, 0, 20, NULL);
	}
	curl_multi_perform(multi, &running);
	for (i = 0; i < n; i++)
		if (subs[i].h)
			curl_easy_getinfo(subs[i].h, CURLINFO_RESPONSE_CODE, &subs[i].status);
}

/* Every subscription's headers are in (a status is known). */
static int
all_answered(void *arg)
{
	struct sub *s = ((struct sub **)arg)[0];
	int n = (int)(intptr_t)((void **)arg)[1], i;

	for (i = 0; i < n; i++) {
		long st = 0;

		curl_easy_getinfo(s[i].h, CURLINFO_RESPONSE_CODE, &st);
		if (st == 0)
			return 0;
	}
	return 1;
}

static void
subs_wait_answered(struct sub *s, int n, int ms)
{
	void *arg[2] = { s, (void *)(intptr_t)n };

	subs_run(s, n, ms, all_answered, arg);
}

static int
got_data(void *arg)
{
	return ((struct sub *)arg)->first_data_ms != 0;
}

/* The JSON of the message whose text starts at d (after "data: ", up to the line's end;
 * owned by the caller), or NULL. */
static json_t *
event_at(const char *d)
{
	const char *end;
	char line[16384];

	if (d == NULL || (end = strchr(d, '\n')) == NULL || (size_t)(end - d) >= sizeof line)
		return NULL;
	memcpy(line, d, (size_t)(end - d));
	line[end - d] = '\0';
	return json_loads(line, 0, NULL);
}

/* The JSON of the first "data:" line of s (owned by the caller), or NULL. */
static json_t *
sub_event(const struct sub *s)
{
	const char *d = strstr(s->buf, "data: ");

	return event_at(d ? d + 6 : NULL);
}

/* Finish what the window holds and call away what its categories still hold. */
static void
drain(const char *tok, int w)
{
	struct resp r;
	char path[64];

	snprintf(path, sizeof path, "/api/v1/windows/%d", w);
	assert_int_equal(http_json(&r, "GET", path, tok, NULL), 0);
	expect_status(&r, 200);
	if (json_is_object(jget(r.json, "current"))) {
		struct resp f;

		window_post(&f, tok, w, "finish",
		    strcmp(jstr(r.json, "current.status"), "serving") == 0 ?
		    "{\"outcome\":\"done\"}" : "{\"outcome\":\"no_show\"}");
		expect_status(&f, 200);
		resp_free(&f);
	}
	resp_free(&r);
	for (;;) {
		struct resp c, f;

		window_post(&c, tok, w, "call-next", NULL);
		if (c.status == 204) {
			resp_free(&c);
			break;
		}
		expect_status(&c, 200);
		resp_free(&c);
		window_post(&f, tok, w, "finish", "{\"outcome\":\"no_show\"}");
		expect_status(&f, 200);
		resp_free(&f);
	}
}

/* A number of category E at the kiosk; its number and token. */
static void
take_e(const char *kiosk, char number[8], char token[40])
{
	struct resp r;

	assert_int_equal(http_json(&r, "POST", HALL "/tickets", kiosk, "{\"category\":\"E\"}"), 0);
	expect_status(&r, 201);
	snprintf(number, 8, "%s", jstr(r.json, "ticket.number"));
	snprintf(token, 40, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
}

/* The ticket's row: status and window as MariaDB has them. */
static void
ticket_row(const char *token, char *status, size_t ssz, long long *window)
{
	char out[256];

	assert_int_equal(dba_sql(stack_conf("mysql_db"), out, sizeof out,
	    "SELECT status, IFNULL(window_no, 0) FROM queue_tickets WHERE token = '%s'", token), 0);
	assert_int_equal(sscanf(out, "%15s %lld", status, window), 2);
	(void)ssz;
}

/*
 * A call reaches the hall's subscribers within a second, with what the board shows (the
 * number at the window) and nothing private (no ticket token); another hall's channel
 * hears nothing; the ticket page's own subscription hears it too.
 */
TEST(call_reaches_its_hall)
{
	char k[128], c1[128], num[8], tok[40], status[16], path[160];
	struct sub s[4];
	long long wno = 0;
	int64_t t0, i;
	json_t *ev;

	assert_int_equal(set_clock("2026-12-21T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk1", 1, c1, sizeof c1);
	drain(c1, 1);
	take_e(k, num, tok);

	sub_open(&s[0], PUSH "demo/board", NULL, NULL);
	sub_open(&s[1], PUSH "demo/board", "127.0.0.41", NULL);
	sub_open(&s[2], PUSH "yc-other-hall/board", NULL, NULL);
	snprintf(path, sizeof path, PUSH "demo/tickets/%s", tok);
	sub_open(&s[3], path, NULL, NULL);
	subs_wait_answered(s, 4, 3000);
	for (i = 0; i < 4; i++)
		assert_int_equal(s[i].status, 200);
	/* Held, and silent until something happens. */
	subs_run(s, 4, 300, NULL, NULL);
	for (i = 0; i < 4; i++)
		assert_int_equal(s[i].first_data_ms, 0);

	t0 = now_ms();
	window_ok(c1, 1, "call-next", NULL, "ticket.number", num);
	subs_run(&s[0], 1, 1500, got_data, &s[0]);
	subs_run(&s[1], 1, 1500, got_data, &s[1]);
	subs_run(&s[3], 1, 1500, got_data, &s[3]);
	subs_run(s, 4, 300, NULL, NULL);
	for (i = 0; i < 4; i++) {
		if (i == 2)
			continue;
		assert_true(s[i].first_data_ms != 0);
		assert_true(s[i].first_data_ms - t0 < 1000);
		assert_null(strstr(s[i].buf, tok));
		assert_non_null(ev = sub_event(&s[i]));
		assert_string_equal(jstr(ev, "event.kind"), "call");
		assert_string_equal(jstr(ev, "event.number"), num);
		assert_int_equal(jint(ev, "event.window"), 1);
		assert_string_equal(jstr(ev, "calls.0.number"), num);
		assert_int_equal(jint(ev, "calls.0.window"), 1);
		json_decref(ev);
	}
	/* Another hall's channel heard nothing. */
	assert_int_equal(s[2].first_data_ms, 0);
	assert_null(strstr(s[2].buf, "data:"));
	/* What was pushed is what the record says. */
	ticket_row(tok, status, sizeof status, &wno);
	assert_string_equal(status, "called");
	assert_int_equal(wno, 1);
	for (i = 0; i < 4; i++)
		sub_close(&s[i]);
	drain(c1, 1);
	set_clock(NULL);
}

/* The JSON of the last "data:" line of s (owned by the caller), or NULL; *count: how many
 * messages s has received. */
static json_t *
sub_last_event(const struct sub *s, int *count)
{
	const char *d = s->buf, *last = NULL;

	*count = 0;
	while ((d = strstr(d, "data: ")) != NULL) {
		last = d + 6;
		(*count)++;
		d += 6;
	}
	return event_at(last);
}

/*
 * Numbers taken in a burst are pushed together (push_coalesce_ms): the screens get far fewer
 * messages than numbers, and nothing is lost — the last message's waiting count for the
 * category is what the record holds once the burst is over.
 */
TEST(take_burst_coalesced)
{
	enum { N = 20 };
	struct shot b[N];
	char k[128], c1[128], out[64];
	struct sub s;
	json_t *ev;
	int i, msgs;
	long long waiting;

	assert_int_equal(set_clock("2026-12-21T10:30:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk1", 1, c1, sizeof c1);
	drain(c1, 1);
	sub_open(&s, PUSH "demo/board", NULL, NULL);
	subs_wait_answered(&s, 1, 3000);
	assert_int_equal(s.status, 200);
	for (i = 0; i < N; i++)
		b[i] = (struct shot){ .path = HALL "/tickets", .token = k,
		    .body = "{\"category\":\"E\"}" };
	race_http(b, N);
	assert_int_equal(shots_with(b, N, 201), N);
	subs_run(&s, 1, 1500, NULL, NULL);
	assert_non_null(ev = sub_last_event(&s, &msgs));
	if (msgs < 1 || msgs > N / 2)
		fail_msg("%d numbers taken at once: %d messages (coalesced: 1 to %d)", N, msgs,
		    N / 2);
	assert_string_equal(jstr(ev, "event.kind"), "take");
	assert_int_equal(dba_sql(stack_conf("mysql_db"), out, sizeof out,
	    "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo' AND day = '2026-12-21'"
	    " AND category = 'E' AND status = 'waiting'"), 0);
	assert_int_equal(sscanf(out, "%lld", &waiting), 1);
	assert_true(waiting >= N);
	assert_int_equal(jint(ev, "waiting.E"), waiting);
	json_decref(ev);
	sub_close(&s);
	drain(c1, 1);
	set_clock(NULL);
}

/* A unix socket that accepts and never answers, at path.  The listening fd. */
static int
silent_listener(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof sa.sun_path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	chmod(path, 0777);
	assert_int_equal(listen(fd, 16), 0);
	return fd;
}

/* call-next with the publisher away, then hanging: 200 at once, the row called. */
TEST(publish_failure_keeps_the_call)
{
	char k[128], c1[128], num[8], tok[40], status[16], sock[512], aside[530];
	long long wno = 0;
	struct resp r;
	int64_t t0;
	int round, lfd = -1;

	snprintf(sock, sizeof sock, "%s", stack_conf("push_publisher"));
	assert_true(sock[0] == '/');
	snprintf(aside, sizeof aside, "%s.aside", sock);
	assert_int_equal(set_clock("2026-12-22T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk1", 1, c1, sizeof c1);
	drain(c1, 1);
	for (round = 0; round < 2; round++) {
		long warned = app_log_count("not published");

		take_e(k, num, tok);
		/* Round 0: nginx's publisher is gone (its socket moved away).  Round 1: something
		 * takes the connection and never answers. */
		assert_int_equal(rename(sock, aside), 0);
		if (round == 1)
			lfd = silent_listener(sock);
		t0 = now_ms();
		window_ok(c1, 1, "call-next", NULL, "ticket.number", num);
		assert_true(now_ms() - t0 < 1000);
		if (lfd >= 0) {
			close(lfd);
			unlink(sock);
			lfd = -1;
		}
		assert_int_equal(rename(aside, sock), 0);
		ticket_row(tok, status, sizeof status, &wno);
		assert_string_equal(status, "called");
		assert_int_equal(wno, 1);
		/* The failure is in the app's log (written as it happens; read until it shows),
		 * and the next call publishes again. */
		for (t0 = now_ms(); app_log_count("not published") <= warned &&
		    now_ms() - t0 < 3000; )
			usleep(50 * 1000);
		assert_true(app_log_count("not published") > warned);
		window_post(&r, c1, 1, "finish", "{\"outcome\":\"no_show\"}");
		expect_status(&r, 200);
		resp_free(&r);
	}
	{
		struct sub s;

		take_e(k, num, tok);
		sub_open(&s, PUSH "demo/board", NULL, NULL);
		subs_wait_answered(&s, 1, 3000);
		assert_int_equal(s.status, 200);
		window_post(&r, c1, 1, "call-next", NULL);
		expect_status(&r, 200);
		resp_free(&r);
		subs_run(&s, 1, 1500, got_data, &s);
		assert_true(s.first_data_ms != 0);
		sub_close(&s);
	}
	drain(c1, 1);
	set_clock(NULL);
}

/* The ticket and staff subscriptions are asked of the app: refused without their key. */
TEST(subscriptions_authorised)
{
	char k[128], c1[128], m[128], num[8], tok[40], path[160];
	struct sub s[7];
	int i;

	assert_int_equal(set_clock("2026-12-23T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk1", 1, c1, sizeof c1);
	staff_in("manager1", 0, m, sizeof m);
	take_e(k, num, tok);

	sub_open(&s[0], PUSH "demo/staff", NULL, NULL);			/* no session */
	sub_open(&s[1], PUSH "demo/staff", NULL, "not-a-session-token");	/* a bad one */
	sub_open(&s[2], PUSH "demo/staff", NULL, k);			/* the kiosk: not staff */
	sub_open(&s[3], PUSH "demo/staff", NULL, c1);			/* a clerk of the hall */
	sub_open(&s[4], PUSH "yc-other-hall/staff", NULL, m);		/* another hall's */
	snprintf(path, sizeof path, PUSH "demo/tickets/%sX", tok);
	sub_open(&s[5], path, NULL, NULL);				/* no such ticket */
	snprintf(path, sizeof path, PUSH "yc-other-hall/tickets/%s", tok);
	sub_open(&s[6], path, NULL, NULL);				/* not of that hall */
	subs_wait_answered(s, 7, 3000);
	assert_int_equal(s[0].status, 401);
	assert_int_equal(s[1].status, 401);
	assert_int_equal(s[2].status, 403);
	assert_int_equal(s[3].status, 200);
	assert_int_equal(s[4].status, 403);
	assert_int_equal(s[5].status, 404);
	assert_int_equal(s[6].status, 404);
	assert_non_null(strstr(s[0].buf, "\"UNAUTHENTICATED\""));
	assert_non_null(strstr(s[2].buf, "\"FORBIDDEN\""));
	assert_non_null(strstr(s[5].buf, "\"NOT_FOUND\""));
	for (i = 0; i < 7; i++)
		sub_close(&s[i]);
	/* The app's own answers, asked directly: the same, and no more. */
	expect_reply("GET", "/api/v1/push/auth/halls/demo/staff", c1, NULL, 204);
	expect_refusal("GET", "/api/v1/push/auth/halls/demo/staff", NULL, NULL, 401,
	    "UNAUTHENTICATED");
	snprintf(path, sizeof path, "/api/v1/push/auth/halls/demo/tickets/%s", tok);
	expect_reply("GET", path, NULL, NULL, 204);
	/* Anything else under /api/v1/push/ is no channel. */
	expect_refusal("GET", "/api/v1/push/halls/demo/everything", NULL, NULL, 404, "NOT_FOUND");
	set_clock(NULL);
}

/* One address holds push_subscribers_per_address at most; another address is not hurt. */
TEST(per_address_limit)
{
	struct sub *s = calloc(SUB_MAX + 2, sizeof *s);
	long long limit = 0;
	int i, n;

	assert_non_null(s);
	assert_int_equal(parse_ll(stack_conf("push_subscribers_per_address"), 1, 1000000, &limit),
	    0);
	if (limit > SUB_MAX)
		fail_msg("push_subscribers_per_address %lld: this test holds %d at most", limit,
		    SUB_MAX);
	n = (int)limit;
	for (i = 0; i < n; i++)
		sub_open(&s[i], PUSH "demo/board", "127.0.0.51", NULL);
	subs_wait_answered(s, n, 5000);
	for (i = 0; i < n; i++)
		assert_int_equal(s[i].status, 200);
	sub_open(&s[n], PUSH "demo/board", "127.0.0.51", NULL);
	sub_open(&s[n + 1], PUSH "demo/board", "127.0.0.52", NULL);
	subs_wait_answered(&s[n], 2, 3000);
	assert_int_equal(s[n].status, 429);
	assert_non_null(strstr(s[n].buf, "\"RATE_LIMITED\""));
	assert_int_equal(s[n + 1].status, 200);
	/* One let go: that address may hold one again. */
	sub_close(&s[0]);
	sub_close(&s[n]);
	subs_run(s, 0, 300, NULL, NULL);
	sub_open(&s[n], PUSH "demo/board", "127.0.0.51", NULL);
	subs_wait_answered(&s[n], 1, 3000);
	assert_int_equal(s[n].status, 200);
	for (i = 0; i < n + 2; i++)
		sub_close(&s[i]);
	free(s);
}

FIXTURE(push_setup)
{
	multi = curl_multi_init();
	return multi ? suite_setup(st) : -1;
}

FIXTURE(push_teardown)
{
	curl_multi_cleanup(multi);
	return suite_teardown(st);
}

SUITE_MAIN("push", push_setup, push_teardown)
