/*
 * it_faults.c — faults under load against the live stack (issue 10): clients keep taking
 * numbers (and booking) from several threads while something breaks, and afterwards the
 * record is checked against what every client was told.
 *
 *   app_killed_under_load      kill -9 one app process: nginx, the app master, the other app
 *                              process, the worker, Redis and MariaDB carry on; the master
 *                              starts a new process; at most the requests in flight fail.
 *   redis_killed_under_load    kill -9 redis-server while numbers are taken and places booked,
 *                              restart it: 503 during the outage (never 500/502), then the
 *                              numbering and the slot's capacity continue correctly.
 *   mysql_restarted_under_load MariaDB stopped and started again: 503 meanwhile, then
 *                              numbers again without restarting the app (same processes).
 *   mysql_killed_under_load    kill -9 mariadbd: every ticket a client was told survives
 *                              crash recovery (innodb_flush_log_at_trx_commit=1).
 *   sms_provider_down          the SMS provider (test/fake/provider.mjs, Aliyun protocol,
 *                              signatures checked) is away while notices are queued;
 *                              afterwards every one is delivered, exactly once per dedup id
 *                              (OutId), and nothing again a lease later.  `make faults`
 *                              (YICHUANG_FAULTS_FAKE_PORT set) points the stack's own worker
 *                              at the fake on that port, and away means nothing listens
 *                              there; otherwise (`make test`) the test runs a worker of its
 *                              own against a fake on a free port, and away means the fake
 *                              closes every connection unanswered (/__down).
 *
 * After every phase, for the day of the phase: each ticket a client got a 201 for is in
 * queue_tickets with the number the client was told; no number is in the record twice; no
 * two clients were told the same number; rows nobody was told about (the request's process
 * was killed after the commit) are at most the failed requests.
 *
 * Each phase runs on a day of its own (set_clock, pick_day), so the day's 999 numbers a
 * letter and what other tests left do not matter.  YICHUANG_FAULTS_LONG=1 (`make faults`)
 * runs longer phases with more threads; the default (in `make test`) is the short form of
 * every test, about 25 s for the file.
 * YICHUANG_FAULTS_ONLY=<glob> runs only the tests whose names match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/http.h"
#include "../lib/stackproc.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/session.h"
#include "../../fcgi/util.h"
#include "../../modules/notify/outbox.h"
#include "../lib/expect.h"
#include "../lib/load.h"
#include "../lib/records.h"
#include "../lib/suite.h"

static char kiosk[128];
static int long_mode;

/* Live children of pid, up to max, into out; their count. */
static int
children(int pid, int *out, int max)
{
	char cmd[64], line[32];
	FILE *p;
	int n = 0;
	long long c;

	snprintf(cmd, sizeof cmd, "pgrep -P %d", pid);
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	while (n < max && fgets(line, sizeof line, p))
		if (parse_ll(strtok(line, "\n"), 1, 1 << 30, &c) == 0 && pid_alive((int)c))
			out[n++] = (int)c;
	pclose(p);
	return n;
}

/* ------------------------------------------------------------------ load: take numbers */

/* An outage's refusals are retried 50 ms apart; in long mode a steadier rate, so the
 * phases last.  The checks afterwards are on the one host's record: the first answer must
 * be the good one. */
static const struct load_pace pace_short = { 20, 0, 50, 1 }, pace_long = { 20, 15, 50, 1 };

static const struct load_pace *
pace(void)
{
	return long_mode ? &pace_long : &pace_short;
}

/* ------------------------------------------------------------------ days */

/* ------------------------------------------------------------------ app killed */

static int	teardown(void **);

TEST_WITH(app_killed_under_load, NULL, teardown)
{
	struct load L;
	char day[11], when[32], next[11];
	int nginx = stack_pid("nginx"), master = stack_pid("app"), worker = stack_pid("worker");
	int redis = stack_pid("redis"), mysql = stack_pid("mariadb");
	int kids[16], nk, victim, i, before;

	pick_day(&test_db, day, when, next, "wipe the instance");
	assert_int_equal(set_clock(when), 0);
	assert_true(pid_alive(nginx) && pid_alive(master) && pid_alive(worker) && pid_alive(redis) && pid_alive(mysql));
	nk = children(master, kids, 16);
	assert_true(nk >= 2);
	victim = kids[0];
	before = load_rows(day, 1);
	load_start(&L, kiosk, pace(), long_mode ? 12 : 6, long_mode ? 4500 : 3000);
	pause_ms(long_mode ? 2000 : 1000);
	load_fault(&L);
	assert_true(L.n201_mark > 0);
	assert_int_equal(kill(victim, SIGKILL), 0);
	pause_ms(long_mode ? 4000 : 2000);
	load_stop(&L);
	/* Tickets kept being issued after the kill, and nearly all requests succeeded. */
	assert_true(L.n201 > L.n201_mark + 50);
	/* Only the requests in flight in the killed process fail (nginx answers them 503). */
	assert_true(load_failed(&L) <= 2 * L.nth);
	/* Everybody else carried on; the master replaced the process. */
	assert_true(pid_alive(nginx) && pid_alive(worker) && pid_alive(redis) && pid_alive(mysql));
	assert_int_equal(stack_pid("app"), master);
	assert_true(pid_alive(master));
	for (i = 0; i < 50 && (nk = children(master, kids, 16)) < 2; i++)
		pause_ms(100);
	assert_true(nk >= 2);
	assert_false(pid_alive(victim));
	for (i = 0; i < nk; i++)
		assert_int_not_equal(kids[i], victim);
	load_check_told(&L, day, before);
	load_check_numbering_continues(&L);
	load_free(&L);
}

/* ------------------------------------------------------------------ Redis killed */

TEST_WITH(redis_killed_under_load, NULL, teardown)
{
	static struct bookers B;
	struct load L;
	char day[11], when[32], bday[11], out[24];
	int redis = stack_pid("redis"), master = stack_pid("app"), before;

	pick_day(&test_db, day, when, bday, "wipe the instance");
	assert_int_equal(set_clock(when), 0);
	before = load_rows(day, 1);

	/* A slot tomorrow with 20 places left; 60 citizens signed in (sessions in Redis). */
	bookers_prepare(&B, bday, 60, 20, long_mode ? 200 : 40, 0);
	pause_ms(1500);	/* appendfsync everysec: the sessions are on disk before the kill */

	load_start(&L, kiosk, pace(), long_mode ? 8 : 4, long_mode ? 4500 : 2400);
	bookers_start(&B);
	pause_ms(long_mode ? 2000 : 700);
	assert_true(load_n201(&L) > 0);
	assert_int_equal(kill(redis, SIGKILL), 0);
	pause_ms(long_mode ? 4000 : 1500);
	load_fault(&L);
	assert_int_equal(stack("redis-start"), 0);
	assert_true(stack_pid("redis") != redis && pid_alive(stack_pid("redis")));
	wait_health(200, 10000);
	pause_ms(long_mode ? 4000 : 1500);
	load_stop(&L);
	bookers_join(&B);

	/* 503 during the outage, nothing else; numbers again after it; same app. */
	assert_true(L.n503 > 0);
	assert_int_equal(L.nother + L.n504, 0);	/* never 500/502/504 */
	assert_true(L.n201 > L.n201_mark);
	assert_int_equal(stack_pid("app"), master);
	load_check_told(&L, day, before);
	load_check_numbering_continues(&L);
	load_free(&L);

	/* The slot: exactly its places taken, no more, every 201 in the record. */
	bookers_check(&B);
	assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM appointments WHERE"
	    " hall = 'demo' AND day = ? AND category = 'C' AND start_time = '16:30:00' AND"
	    " status <> 'cancelled' AND (seat IS NULL OR seat > ?)", DBARGS(DBS(bday), DBI(B.places)),
	    out, sizeof out), 1);
	assert_string_equal(out, "0");
	bookers_free(&B);
}

/* ------------------------------------------------------------------ MariaDB */

static void
mysql_fault(int crash)
{
	struct load L;
	char day[11], when[32], next[11];
	int master = stack_pid("app"), kids[16], kids_after[16], nk, nk2, before, i, mysql;

	pick_day(&test_db, day, when, next, "wipe the instance");
	assert_int_equal(set_clock(when), 0);
	before = load_rows(day, 1);
	nk = children(master, kids, 16);
	load_start(&L, kiosk, pace(), long_mode ? 8 : 4, long_mode ? 4500 : 2400);
	pause_ms(long_mode ? 2000 : 700);
	assert_true(load_n201(&L) > 0);
	if (crash) {
		mysql = stack_pid("mariadb");
		assert_int_equal(kill(mysql, SIGKILL), 0);
		for (i = 0; i < 100 && pid_alive(mysql); i++)
			pause_ms(50);
	} else {
		assert_int_equal(stack("mysql-stop"), 0);
	}
	pause_ms(long_mode ? 3000 : 1000);
	load_fault(&L);
	assert_int_equal(stack("mysql-start"), 0);
	wait_health(200, 60000);
	pause_ms(long_mode ? 4000 : 1500);
	load_stop(&L);
	assert_true(L.n503 > 0);
	assert_int_equal(L.nother + L.n504, 0);	/* never 500/502/504 */
	assert_true(L.n201 > L.n201_mark);
	/* The same app processes: recovered without a restart. */
	assert_int_equal(stack_pid("app"), master);
	nk2 = children(master, kids_after, 16);
	assert_int_equal(nk2, nk);
	for (i = 0; i < nk; i++)
		assert_int_equal(kids_after[i], kids[i]);
	load_check_told(&L, day, before);
	load_check_numbering_continues(&L);
	load_free(&L);
}

TEST_WITH(mysql_restarted_under_load, NULL, teardown)
{
	mysql_fault(0);
}

TEST_WITH(mysql_killed_under_load, NULL, teardown)
{
	mysql_fault(1);
}

/* ------------------------------------------------------------------ SMS provider down */

static struct fake F;
static pid_t sms_worker;

#define NOTICES 40

/* Rows of the notices lo…hi: sent, or not sent.  (Literal statements: db.c keeps
 * prepared statements by the address of their text.) */
enum rows { SENT, NOT_SENT };

static int
outbox_count(uint64_t lo, uint64_t hi, enum rows which)
{
	char out[24];
	long long n = -1;
	int rc;

	if (which == SENT)
		rc = db_scalar(&test_db, "SELECT COUNT(*) FROM outbox WHERE id BETWEEN ? AND ?"
		    " AND ref_id = 'faults' AND status = 'sent'", DBARGS(DBI(lo), DBI(hi)), out,
		    sizeof out);
	else
		rc = db_scalar(&test_db, "SELECT COUNT(*) FROM outbox WHERE id BETWEEN ? AND ?"
		    " AND ref_id = 'faults' AND status <> 'sent'", DBARGS(DBI(lo), DBI(hi)), out,
		    sizeof out);
	assert_int_equal(rc, 1);
	assert_int_equal(parse_ll(out, 0, INT64_MAX, &n), 0);
	return (int)n;
}

TEST_WITH(sms_provider_down, NULL, teardown)
{
	const char *p = getenv("YICHUANG_FAULTS_FAKE_PORT");
	long long port = 0;
	uint64_t ids[NOTICES];
	char phone[16], extra[1024];
	json_t *stats;
	int i, n, got, sent, pending, down_ms = long_mode ? 15000 : 4000;
	int own = p == NULL || *p == '\0';
	int64_t t0;

	set_clock(NULL);
	if (own) {
		/* `make test`: a worker of our own with the stack's short lease, and the fake
		 * away from the start (it answers nothing, sends nothing). */
		assert_int_equal(fake_open(&F, 0), 0);
		json_decref(fake_call(&F, "POST", "/__down"));
		assert_int_equal(stack_worker_away(), 0);
		snprintf(extra, sizeof extra, "%ssms_provider = aliyun\n"
		    "sms_base_url = http://127.0.0.1:%d/\nsms_lease_seconds = 4\n"
		    "sms_timeout_ms = 1000\nsms_retry_base_ms = 500\nsms_retry_max_ms = 4000\n",
		    PROVIDER_CONF, F.port);
		assert_true((sms_worker = worker_spawn("faults-sms", extra)) > 0);
	} else
		assert_int_equal(parse_ll(p, 1, 65535, &port), 0);
	/* The provider is away; notices are queued meanwhile (as the modules queue them). */
	for (i = 0; i < NOTICES; i++) {
		snprintf(phone, sizeof phone, "139%04d%04d", (int)(mono_ms() % 10000), 1000 + i);
		ids[i] = outbox_queue(&test_db, "sms", "turn_near", phone,
		    json_pack("{s:s,s:s,s:s}", "number", "A001", "ahead", "3", "hall_name",
		    "示范区政务服务中心"), "ticket", "faults", 1);
		if (i == NOTICES / 2)
			pause_ms(down_ms / 2);
	}
	pause_ms(down_ms / 2);
	/* Nothing went; (short form) the worker tried and was turned away.  Which row met
	 * the closed door first is not ours to say: other rows fall due too (the worker's
	 * jobs queue staff notices), and after the first failure the channel pauses. */
	assert_int_equal(outbox_count(ids[0], ids[NOTICES - 1], SENT), 0);
	if (own) {
		stats = fake_call(&F, "GET", "/__stats");
		assert_non_null(stats);
		assert_true(json_integer_value(json_object_get(stats, "refused")) > 0);
		assert_int_equal(json_array_size(json_object_get(stats, "requests")), 0);
		json_decref(stats);
		json_decref(fake_call(&F, "POST", "/__up"));	/* back */
	} else
		assert_int_equal(fake_open(&F, (int)port), 0);	/* back */
	t0 = mono_ms();
	do {
		pause_ms(500);
		pending = outbox_count(ids[0], ids[NOTICES - 1], NOT_SENT);
	} while (pending > 0 && mono_ms() - t0 < 60000);
	printf("  sms: %d of %d sent %lld ms after the provider came back\n", NOTICES - pending,
	    NOTICES, (long long)(mono_ms() - t0));
	assert_int_equal(pending, 0);
	/* Nothing sent a second time afterwards: past the lease (4 s) of the last claim. */
	pause_ms(4500);
	stats = fake_call(&F, "GET", "/__stats");
	assert_non_null(stats);
	for (i = 0, sent = 0; i < NOTICES; i++) {
		n = fake_requests(stats, ids[i]);
		got = fake_delivered(stats, ids[i]);
		if (n != 1 || got != 1)
			fail_msg("notice %llu reached the provider %d times (%d delivered)",
			    (unsigned long long)ids[i], n, got);
		sent += got;
	}
	assert_int_equal(sent, NOTICES);
	assert_int_equal(json_integer_value(json_object_get(stats, "bad_signatures")), 0);
	json_decref(stats);
	if (own) {
		worker_end(sms_worker, SIGTERM);
		sms_worker = 0;
		assert_int_equal(stack_worker_back(), 0);
	}
	fake_close(&F);
}

/* ------------------------------------------------------------------ main */

FIXTURE(teardown)
{
	if (sms_worker > 0) {
		worker_end(sms_worker, SIGTERM);
		sms_worker = 0;
	}
	fake_close(&F);
	set_clock(NULL);
	if (!pid_alive(stack_pid("worker")))
		stack("app-start");
	/* Whatever failed, leave the stack whole for the tests after this one. */
	if (!pid_alive(stack_pid("redis")))
		stack("redis-start");
	if (!pid_alive(stack_pid("mariadb")))
		stack("mysql-start");
	return 0;
}

FIXTURE(group_setup)
{
	return load_suite_setup(st, "YICHUANG_FAULTS_LONG", &long_mode, kiosk, sizeof kiosk);
}

/* YICHUANG_FAULTS_ONLY=pattern runs only the tests whose names match (a glob). */
TESTS_ONLY_FROM("YICHUANG_FAULTS_ONLY")
SUITE_MAIN("faults", group_setup, suite_teardown)
