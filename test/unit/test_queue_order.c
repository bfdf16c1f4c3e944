/*
 * test_queue_order.c — who is called next: the queue's ordering and fairness, as the
 * production code decides it, without the live stack.
 *
 * The choice of the next ticket happens inside the pop script (modules/queue/lines.c), in
 * one step with taking it out of its line; it must stay in Lua to stay atomic.  So this test
 * starts its own throwaway redis-server (no persistence, listening only on a unix socket in
 * a fresh temporary folder, so it can collide with no port and no other stack) and runs the
 * room's own q_script_* functions against it: the very scripts the app runs.  The rules the
 * C side decides (which line a priority waits in, where a rejoin goes) are pure functions of
 * modules/queue/order.c, tested directly and then through the scripts.
 *
 * The rules (order.c says them in full):
 *   - 绿色通道 (elderly, disabled) and appointment check-ins wait in the priority line,
 *     the rest in the ordinary line; within a line, first come, first served, across all the
 *     categories a window serves;
 *   - after queue_fair_ratio priority calls in a row, a window calls the oldest ordinary
 *     ticket if one waits (the streak is the window's own);
 *   - a transferred ticket keeps its place (its score) in the new category;
 *   - a call that did not happen puts the ticket back where it was;
 *   - a rejoin after a skip goes behind everyone waiting; a ticket that leaves moves the
 *     ones behind it up.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/tests.h"
#include "../../modules/queue/queue_int.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/util.h"

#define DAY  "2026-11-23"
#define HALL "t"

static struct ctx ctx;
static char dir[64], sock[128];
static pid_t redis_pid = -1;
static int64_t clock_ms = 9 * 3600 * 1000;	/* 09:00 in the hall: order scores grow with it */

/* ------------------------------------------------------------------ the throwaway server */

FIXTURE(redis_start)
{
	char logf[160];
	int i;

	str_copy(dir, sizeof dir, "/tmp/yc-queue-order.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	fmt(sock, sizeof sock, "%s/redis.sock", dir);
	fmt(logf, sizeof logf, "%s/redis.log", dir);
	if ((redis_pid = fork()) < 0)
		return -1;
	if (redis_pid == 0) {
		/* The server goes with this test, whatever way it ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock,
		    "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
		    "--dir", dir, "--logfile", logf, "--loglevel", "warning", (char *)NULL);
		_exit(127);
	}
	config_set("redis_socket", sock);
	config_set("queue_fair_ratio", "3");
	ctx_init(&ctx, 0);
	for (i = 0; i < 100; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (kv_ping(&ctx) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "redis-server did not start (is it installed?)\n");
	return -1;
}

FIXTURE(redis_stop)
{
	char path[160];

	ctx_close(&ctx);
	if (redis_pid > 0) {
		kill(redis_pid, SIGTERM);
		waitpid(redis_pid, NULL, 0);
	}
	fmt(path, sizeof path, "%s/dump.rdb", dir);
	unlink(path);
	fmt(path, sizeof path, "%s/redis.log", dir);
	unlink(path);
	unlink(sock);
	rmdir(dir);
	return 0;
}

/* Every test starts from empty lines of DAY, loaded (the marker set). */
FIXTURE(fresh)
{
	redisReply *rep;

	config_set("queue_fair_ratio", "3");
	if ((rep = kv_cmd(&ctx, "FLUSHALL")) == NULL)
		return -1;
	freeReplyObject(rep);
	if ((rep = kv_cmd(&ctx, "SET {hall:" HALL "}:ready %s", DAY ":e1")) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* ------------------------------------------------------------------ helpers */

/* Take a number of cat in line (a token of its own); its number ("A001") into out. */
static void
take(char cat, enum q_priority pri, char *out, size_t osz)
{
	static int ntok;
	struct q_take_in in;
	char token[24];
	redisReply *rep;

	fmt(token, sizeof token, "tok%04d", ++ntok);
	memset(&in, 0, sizeof in);
	in.hall = HALL;
	in.day = DAY;
	in.cat = cat;
	in.line = q_line_of(pri);
	in.token = token;
	in.day_ms = clock_ms += 1000;
	in.old_member = "";
	rep = q_script_take(&ctx, &in);
	assert_non_null(rep);
	assert_true(q_reply_ok(rep, 7));
	assert_string_equal(rep->element[0]->str, "OK");
	fmt(out, osz, "%c%03lld", cat, rep->element[2]->integer);
	freeReplyObject(rep);
}

/* n numbers of cat in line, taken one after another, into nums. */
static void
take_n(char cat, enum q_priority pri, int n, char (*nums)[8])
{
	int i;

	for (i = 0; i < n; i++)
		take(cat, pri, nums[i], sizeof nums[i]);
}

/* What window `window` serving cats calls next: "A001" (its number), or "" when nobody. */
struct popped {
	char	 number[8];
	char	 member[64];
	char	 score[24];
	char	 line;
	char	 cat;
};

static void
pop(int window, const char *cats, struct popped *p)
{
	redisReply *rep = q_script_pop(&ctx, HALL, DAY, window, cats);

	memset(p, 0, sizeof *p);
	assert_true(q_reply_ok(rep, 1));
	if (strcmp(rep->element[0]->str, "EMPTY") == 0) {
		freeReplyObject(rep);
		return;
	}
	assert_string_equal(rep->element[0]->str, "OK");
	assert_true(rep->elements >= 6);
	str_copy(p->member, sizeof p->member, rep->element[2]->str);
	fmt(p->number, sizeof p->number, "%.4s", p->member);
	str_copy(p->score, sizeof p->score, rep->element[3]->str);
	p->line = rep->element[4]->str[0];
	p->cat = rep->element[5]->str[0];
	freeReplyObject(rep);
}

/* pop, which must call want (a number, "A001"); the failure names the window and both. */
static void
pop_is(int window, const char *cats, const char *want, struct popped *p)
{
	pop(window, cats, p);
	if (strcmp(p->number, want) != 0)
		fail_msg("window %d (%s) called \"%s\", expected \"%s\"", window, cats, p->number,
		    want);
}

/* The popped ticket back into cat's lines with its own line, member and score (a transfer,
 * or a call that failed). */
static void
requeue(char cat, const struct popped *x)
{
	q_requeue(&ctx, HALL, DAY, cat, x->line, x->member, x->score, clock_ms, 0, 0, 0);
}

/* The numbers window `window` calls, one after another, until nobody waits: "A001 B002 …". */
static void
calls(int window, const char *cats, char *out, size_t osz)
{
	struct popped p;
	size_t n = 0;

	out[0] = '\0';
	for (;;) {
		pop(window, cats, &p);
		if (p.number[0] == '\0')
			return;
		n += (size_t)fmt(out + n, osz - n, "%s%s", n ? " " : "", p.number);
	}
}

/* How many the place script says are ahead of a member. */
static long long
ahead(char cat, char line, const char *member)
{
	redisReply *rep = q_script_place(&ctx, HALL, cat, line, member);
	long long a;

	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_ARRAY);
	a = rep->element[0]->integer;
	freeReplyObject(rep);
	return a;
}

/* One ticket to take: its category and priority. */
struct taken {
	char		 cat;
	enum q_priority	 pri;
};

/* The n tickets of t taken in turn (their numbers into nums), then everything window 1
 * serving cats calls, one after another: the calls must be nums[want[0]], nums[want[1]] … */
static void
taken_then_called(const struct taken *t, int n, const char *cats, const int *want,
    char (*nums)[8])
{
	char order[96], expect[96];
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		take(t[i].cat, t[i].pri, nums[i], sizeof nums[i]);
	calls(1, cats, order, sizeof order);
	expect[0] = '\0';
	for (i = 0; i < n; i++)
		len += (size_t)fmt(expect + len, sizeof expect - len, "%s%s", i ? " " : "",
		    nums[want[i]]);
	assert_string_equal(order, expect);
}

/* ------------------------------------------------------------------ pure rules */

TEST(lines_of_priorities)
{
	assert_int_equal(q_line_of(Q_PRI_NORMAL), 'n');
	assert_int_equal(q_line_of(Q_PRI_ELDERLY), 'p');
	assert_int_equal(q_line_of(Q_PRI_DISABLED), 'p');
	assert_int_equal(q_line_of(Q_PRI_APPOINTMENT), 'p');
}

TEST(rejoin_score_is_behind_everyone)
{
	int64_t day_ms = 10 * 3600 * 1000LL;

	/* Nothing handed out yet today (or only yesterday's scale): the day's own. */
	assert_int_equal(q_rejoin_score(0, day_ms), day_ms * 1000 + 999);
	assert_int_equal(q_rejoin_score(day_ms * 1000 + 998, day_ms), day_ms * 1000 + 999);
	/* Scores already past it: one past the last. */
	assert_int_equal(q_rejoin_score(day_ms * 1000 + 999, day_ms), day_ms * 1000 + 1000);
	assert_int_equal(q_rejoin_score(day_ms * 1000 + 5000, day_ms), day_ms * 1000 + 5001);
}

TEST(opening_hours)
{
	struct q_hall h;

	memset(&h, 0, sizeof h);
	h.nhours = 2;
	h.open_s[0] = 9 * 3600;
	h.close_s[0] = 12 * 3600;
	h.open_s[1] = 13 * 3600 + 30 * 60;
	h.close_s[1] = 17 * 3600;
	assert_false(q_hours_open(&h, 9 * 3600 - 1));
	assert_true(q_hours_open(&h, 9 * 3600));
	assert_true(q_hours_open(&h, 12 * 3600 - 1));
	assert_false(q_hours_open(&h, 12 * 3600));		/* lunch */
	assert_true(q_hours_open(&h, 13 * 3600 + 30 * 60));
	assert_false(q_hours_open(&h, 17 * 3600));
	h.nhours = 0;
	assert_false(q_hours_open(&h, 10 * 3600));
}

/* ------------------------------------------------------------------ through the scripts */

TEST_WITH(first_come_first_served_across_categories, fresh, NULL)
{
	static const struct taken t[] = {
		{ 'A', Q_PRI_NORMAL }, { 'B', Q_PRI_NORMAL }, { 'A', Q_PRI_NORMAL }, { 'B', Q_PRI_NORMAL },
	};
	static const int want[] = { 0, 1, 2, 3 };
	char nums[4][8];

	taken_then_called(t, 4, "AB", want, nums);
	assert_string_equal(nums[0], "A001");
	assert_string_equal(nums[2], "A002");
}

TEST_WITH(priority_and_appointments_before_ordinary, fresh, NULL)
{
	static const struct taken t[] = {
		{ 'A', Q_PRI_NORMAL }, { 'A', Q_PRI_ELDERLY }, { 'B', Q_PRI_APPOINTMENT },
		{ 'A', Q_PRI_DISABLED },
	};
	/* Three priority-class tickets (ratio 3) in their order, then the ordinary one. */
	static const int want[] = { 1, 2, 3, 0 };
	char nums[4][8];

	taken_then_called(t, 4, "AB", want, nums);
}

TEST_WITH(fairness_ratio_lets_ordinary_through, fresh, NULL)
{
	char p[7][8], n[2][8], order[96], want[96];

	config_set("queue_fair_ratio", "2");
	take_n('A', Q_PRI_NORMAL, 2, n);
	take_n('A', Q_PRI_ELDERLY, 7, p);
	/* Two priority calls, one ordinary, two priority, the last ordinary, then the rest of
	 * the priority line: with nobody ordinary waiting the streak (2, 3…) does not stop it. */
	calls(1, "A", order, sizeof order);
	fmt(want, sizeof want, "%s %s %s %s %s %s %s %s %s", p[0], p[1], n[0], p[2], p[3], n[1],
	    p[4], p[5], p[6]);
	assert_string_equal(order, want);
}

TEST_WITH(fairness_streak_is_per_window, fresh, NULL)
{
	char p[4][8], n1[8];
	struct popped x;

	config_set("queue_fair_ratio", "1");
	take('A', Q_PRI_NORMAL, n1, sizeof n1);
	take_n('A', Q_PRI_ELDERLY, 4, p);
	pop_is(1, "A", p[0], &x);	/* window 1: a priority call, streak 1 */
	assert_int_equal(x.line, 'p');
	pop_is(2, "A", p[1], &x);	/* window 2 has its own streak (0): priority */
	pop_is(1, "A", n1, &x);	/* window 1 at the ratio: the ordinary one */
	assert_int_equal(x.line, 'n');
	pop_is(1, "A", p[2], &x);	/* the streak starts again */
}

TEST_WITH(transfer_keeps_its_place, fresh, NULL)
{
	char a1[8], b[2][8];
	struct popped x, y;

	take('A', Q_PRI_NORMAL, a1, sizeof a1);
	take_n('B', Q_PRI_NORMAL, 2, b);
	pop_is(1, "A", a1, &x);
	/* The clerk transfers A001 to category B: it goes back with its own score (window.c). */
	requeue('B', &x);
	assert_int_equal(ahead('B', 'n', x.member), 0);
	pop_is(2, "B", a1, &y);	/* ahead of B001, taken after it */
	pop_is(2, "B", b[0], &y);
}

TEST_WITH(failed_call_goes_back_where_it_was, fresh, NULL)
{
	char a[3][8];
	struct popped x, y;

	take_n('A', Q_PRI_NORMAL, 3, a);
	pop_is(1, "A", a[0], &x);
	requeue(x.cat, &x);
	pop_is(1, "A", a[0], &y);
	assert_string_equal(y.score, x.score);
}

TEST_WITH(rejoin_goes_behind_everyone_waiting, fresh, NULL)
{
	char a1[8], a2[8], b1[8], e1[8], order[64], want[64], score[24];
	struct popped x;
	long long last;

	take('A', Q_PRI_NORMAL, a1, sizeof a1);
	take('A', Q_PRI_NORMAL, a2, sizeof a2);
	pop_is(1, "A", a1, &x);	/* A001 called, then skipped: out of the lines */
	take('A', Q_PRI_ELDERLY, e1, sizeof e1);
	take('B', Q_PRI_NORMAL, b1, sizeof b1);
	/* The holder rejoins (ticket_ops.c): the ordinary line, behind every score so far. */
	last = q_last_score(&ctx, HALL);
	assert_true(last > 0);
	fmt(score, sizeof score, "%lld", q_rejoin_score(last, clock_ms));
	q_requeue(&ctx, HALL, DAY, 'A', 'n', x.member, score, clock_ms, 0, 0, 0);
	calls(2, "AB", order, sizeof order);
	fmt(want, sizeof want, "%s %s %s %s", e1, a2, b1, a1);
	assert_string_equal(order, want);
}

TEST_WITH(leaving_moves_the_others_up, fresh, NULL)
{
	char a[3][8], m1[64], m3[64];
	redisReply *rep, *r2;

	take_n('A', Q_PRI_NORMAL, 3, a);
	rep = kv_cmd(&ctx, "ZRANGE {hall:" HALL "}:L:A:n 0 -1");
	assert_non_null(rep);
	assert_int_equal(rep->elements, 3);
	str_copy(m1, sizeof m1, rep->element[0]->str);
	str_copy(m3, sizeof m3, rep->element[2]->str);
	freeReplyObject(rep);
	assert_int_equal(ahead('A', 'n', m3), 2);
	r2 = q_script_remove(&ctx, HALL, DAY, 'A', m1);
	assert_true(q_reply_ok(r2, 3));
	assert_int_equal(r2->element[2]->integer, 1);
	freeReplyObject(r2);
	assert_int_equal(ahead('A', 'n', m3), 1);
	assert_int_equal(ahead('A', 'n', m1), -1);
}

TEST_WITH(ordinary_place_counts_the_priority_let_in, fresh, NULL)
{
	char n[3][8], p[5][8], m[64];
	redisReply *rep;

	config_set("queue_fair_ratio", "2");
	take_n('A', Q_PRI_NORMAL, 3, n);
	take_n('A', Q_PRI_ELDERLY, 5, p);
	rep = kv_cmd(&ctx, "ZRANGE {hall:" HALL "}:L:A:n 0 -1");
	assert_non_null(rep);
	/* The first ordinary ticket: 2 priority calls go before it (the ratio). */
	str_copy(m, sizeof m, rep->element[0]->str);
	assert_int_equal(ahead('A', 'n', m), 0 + 2);
	/* The third: 2 ordinary, and all 5 priority (fewer than ratio × 3 = 6). */
	str_copy(m, sizeof m, rep->element[2]->str);
	assert_int_equal(ahead('A', 'n', m), 2 + 5);
	freeReplyObject(rep);
	/* A priority ticket counts only its own line. */
	rep = kv_cmd(&ctx, "ZRANGE {hall:" HALL "}:L:A:p 0 -1");
	str_copy(m, sizeof m, rep->element[3]->str);
	freeReplyObject(rep);
	assert_int_equal(ahead('A', 'p', m), 3);
}

TEST_WITH(numbers_stop_at_999, fresh, NULL)
{
	struct q_take_in in;
	redisReply *rep;

	memset(&in, 0, sizeof in);
	in.hall = HALL;
	in.day = DAY;
	in.cat = 'C';
	in.line = 'n';
	in.token = "tokfull";
	in.day_ms = clock_ms += 1000;
	in.min_seq = Q_MAX_SEQ - 1;	/* the record already holds C998 */
	in.old_member = "";
	rep = q_script_take(&ctx, &in);
	assert_true(q_reply_ok(rep, 7));
	assert_int_equal(rep->element[2]->integer, Q_MAX_SEQ);
	freeReplyObject(rep);
	in.token = "tokfull2";
	rep = q_script_take(&ctx, &in);
	assert_true(q_reply_ok(rep, 1));
	assert_string_equal(rep->element[0]->str, "FULL");
	freeReplyObject(rep);
}

TEST_WITH(nothing_served_before_the_lines_are_loaded, fresh, NULL)
{
	redisReply *rep;

	rep = kv_cmd(&ctx, "DEL {hall:" HALL "}:ready");
	freeReplyObject(rep);
	rep = q_script_pop(&ctx, HALL, DAY, 1, "A");
	assert_true(q_reply_ok(rep, 1));
	assert_string_equal(rep->element[0]->str, "NOTREADY");
	freeReplyObject(rep);
	/* Yesterday's marker is not today's. */
	rep = kv_cmd(&ctx, "SET {hall:" HALL "}:ready 2026-11-22:e0");
	freeReplyObject(rep);
	rep = q_script_pop(&ctx, HALL, DAY, 1, "A");
	assert_string_equal(rep->element[0]->str, "NOTREADY");
	freeReplyObject(rep);
}

UNIT_MAIN("queue_order", redis_start, redis_stop)
