/*
 * board.c — the display board's long poll.
 *
 * Routes: GET /halls/{hall}/board?since=V   public
 * Tables: none on the way (only when the lines must be rebuilt: see rebuild.c).
 * Redis:  {hall:<code>}:ver, :calls, :waiting, :ready.
 *
 * `since` missing or different from the current version: the board at once.  Equal: the
 * request waits for the version to move, up to 25 s (queue_board_hold_ms), then 304.
 *
 * Waiting without starving the API: nginx sends this route to a second socket of the app
 * (app_board_socket), served by its own, larger pool of threads (app_board_threads, see
 * programs/app.c), so screens holding a request never occupy the threads the rest of the
 * API runs on.  While it holds, the thread reads the version key every 200 ms.  Why polling
 * and not SUBSCRIBE: a board changes a few times a minute and a hall has a handful of
 * screens, so 5 GETs a second per held request cost Redis nothing; polling keeps each thread
 * on its one ordinary connection (a subscribed connection can do nothing else, and a shared
 * subscriber thread would need its own reconnect logic and a wake-up scheme), it survives a
 * Redis restart like any other request, and it bounds the delay to 200 ms — well inside the
 * one second a call may take to reach the screen.  A stopping app ends held polls at once
 * (304), so shutdown is not held up by sleeping screens.
 *
 * One client cannot take the pool: nginx lets one client address hold only so many long
 * polls at a time (YICHUANG_BOARD_POLLS, 429 beyond), and a held request whose client went
 * away (nginx closed the connection) ends at the next tick instead of holding its thread for
 * the rest of the 25 s — otherwise a client opening and dropping polls would still fill the
 * pool behind nginx's count.  A plain read (no since) never comes here through the long-poll
 * pool: nginx sends it to the API's threads.
 */
#include "handlers.h"
#include "../hall/catalog.h"
#include "queue_int.h"
#include "../../fcgi/init.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BOARD_POLL_MS 200

/* The current version, -1 when the hall's state is gone (a wipe), -2 when Redis is down. */
static long long
board_version(struct ctx *c, const char *hall)
{
	redisReply *rep = q_board_version(c, hall);
	long long v = -1;

	if (rep == NULL)
		return -2;
	if (rep->type != REDIS_REPLY_STRING || parse_ll(rep->str, 0, INT64_MAX / 2, &v) != 0)
		v = -1;
	freeReplyObject(rep);
	return v;
}

static int
cmp_calls(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t ax = json_integer_value(json_object_get(x, "at_ms"));
	json_int_t ay = json_integer_value(json_object_get(y, "at_ms"));
	json_int_t ix = json_integer_value(json_object_get(x, "id"));
	json_int_t iy = json_integer_value(json_object_get(y, "id"));

	if (ax != ay)
		return ax < ay ? 1 : -1;
	return ix < iy ? 1 : ix > iy ? -1 : 0;
}

/* The board as it is now (what GET …/board shows).  0 with *out set (owned by the caller),
 * E_UNAVAILABLE (Redis down, or the lines could not be made ready), or q_ready's kind with
 * *why.  rebuild 0: the lines are not rebuilt when they are missing (the publisher's case: a
 * push is never worth a rebuild), E_UNAVAILABLE instead. */
int
q_board_build(struct ctx *c, const char *hall, const char *day, int rebuild, json_t **out,
    const char **why)
{
	json_t *calls, *waiting, *list[Q_MAX_WINDOWS];
	char epoch[32], now[32];
	redisReply *rep = NULL;
	long long ver = 0;
	size_t i, n = 0;
	int tries, rc;

	*out = NULL;
	for (tries = 0; tries < 3; tries++) {
		rep = q_script_board(c, hall, day);
		if (rep == NULL || rep->type != REDIS_REPLY_ARRAY || rep->elements < 4) {
			if (rep)
				freeReplyObject(rep);
			return E_UNAVAILABLE;
		}
		if (rep->element[0]->integer == 1)
			break;
		freeReplyObject(rep);
		rep = NULL;
		if (!rebuild)
			return E_UNAVAILABLE;
		if ((rc = q_ready(c, hall, day, epoch, sizeof epoch, why)) != 0)
			return rc;
	}
	if (rep == NULL)
		return E_UNAVAILABLE;
	if (rep->element[1]->str)
		parse_ll(rep->element[1]->str, 0, INT64_MAX / 2, &ver);

	for (i = 0; rep->element[2]->type == REDIS_REPLY_ARRAY && i + 1 < rep->element[2]->elements;
	    i += 2) {
		const char *w = rep->element[2]->element[i]->str;
		const char *v = rep->element[2]->element[i + 1]->str;
		char number[16], at[32];
		long long id, win, ms;
		const char *p1, *p2;

		if (w == NULL || v == NULL || n == NELEM(list) ||
		    (p1 = strchr(v, '|')) == NULL || (p2 = strchr(p1 + 1, '|')) == NULL ||
		    (size_t)(p2 - p1 - 1) >= sizeof number ||
		    parse_lln(v, (size_t)(p1 - v), 0, INT64_MAX / 2, &id) != 0 ||
		    parse_ll(w, 1, 65535, &win) != 0 || parse_ll(p2 + 1, 0, INT64_MAX / 2, &ms) != 0)
			continue;
		memcpy(number, p1 + 1, (size_t)(p2 - p1 - 1));
		number[p2 - p1 - 1] = '\0';
		time_format(ms / 1000, at, sizeof at);
		list[n++] = json_pack("{s:I,s:s,s:I,s:s,s:I}", "id", (json_int_t)id, "number", number,
		    "window", (json_int_t)win, "at", at, "at_ms", (json_int_t)ms);
	}
	qsort(list, n, sizeof list[0], cmp_calls);
	calls = json_array();
	for (i = 0; i < n; i++) {
		json_object_del(list[i], "at_ms");
		json_array_append_new(calls, list[i]);
	}
	waiting = json_object();
	for (i = 0; rep->element[3]->type == REDIS_REPLY_ARRAY && i + 1 < rep->element[3]->elements;
	    i += 2) {
		const char *k = rep->element[3]->element[i]->str;
		const char *v = rep->element[3]->element[i + 1]->str;
		long long cnt;

		if (k && v && category_code_ok(k) && parse_ll(v, 0, 1000000, &cnt) == 0)
			json_object_set_new(waiting, k, json_integer(cnt));
	}
	freeReplyObject(rep);
	/* Extension: the hall's time, so a screen whose own clock is off still shows the right one. */
	time_format(hall_now(), now, sizeof now);
	*out = json_pack("{s:I,s:o,s:o,s:s}", "version", (json_int_t)ver, "calls", calls,
	    "waiting", waiting, "now", now);
	return *out ? 0 : E_INTERNAL;
}

/* The board as it is now.  0 with the reply set, or a status. */
static int
board_snapshot(struct req *r, const char *hall, const char *day)
{
	const char *why = NULL;
	json_t *b;
	int rc;

	if ((rc = q_board_build(r->ctx, hall, day, 1, &b, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	return req_ok(r, 200, b);
}

int
h_board(struct req *r)
{
	const char *hall = r->pathv[0];
	long long since = -1, v, hold;
	char day[11], epoch[32];
	const char *why = NULL;
	int64_t deadline;
	int rc;

	q_int(r, "since", 0, 0, INT64_MAX / 2, &since);
	if (in_has_errors(r))
		return req_invalid(r);
	if (!hall_code_ok(hall))
		return req_err_msg(r, E_NOT_FOUND, Q_NO_HALL);
	q_today(hall_now_ms(), day, NULL);
	if ((rc = q_ready(r->ctx, hall, day, epoch, sizeof epoch, &why)) != 0)
		return q_fail(r, rc, why, NULL);
	hold = config_int("queue_board_hold_ms", 25000, 0, 60000);
	deadline = mono_ms() + hold;
	while (since >= 0) {
		struct timespec ts = { 0, BOARD_POLL_MS * 1000 * 1000 };

		if ((v = board_version(r->ctx, hall)) == -2)
			return req_unavailable(r);
		if (v != since)
			break;		/* changed, or gone (the snapshot rebuilds it) */
		if (mono_ms() >= deadline || app_stop_requested() || req_peer_gone(r))
			return req_ok(r, 304, NULL);
		nanosleep(&ts, NULL);
		/* Past midnight the board belongs to the new day. */
		q_today(hall_now_ms(), day, NULL);
	}
	return board_snapshot(r, hall, day);
}
