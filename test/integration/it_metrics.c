/*
 * it_metrics.c — GET /metrics (issue 26, item 3) against the live test stack: only on the
 * app's own loopback listener (the public site refuses it, the allow-list is enforced), in
 * Prometheus text format (test/lib/prom.c parses it strictly), and every counter moves by
 * exactly what the test did to it — across the app's processes, and across one of them being
 * killed and replaced.  Also: threads busy while screens hold long polls, Redis and MariaDB
 * errors while each is down, outbox depth and age, SMS sent and failed per provider, tickets
 * waiting, cases past their deadline, and no token in any label.
 *
 * The test looks into MariaDB itself (test_conf_load): the gauges must equal the rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../lib/prom.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/cases/cases.h"
#include "../../modules/notify/notify.h"
#include "../../modules/notify/outbox.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/stackproc.h"
#include "../lib/steps.h"

#define DAY "2026-12-15"
#define NOW DAY "T10:00:00+08:00"

static void
scrape(struct prom *p)
{
	assert_int_equal(prom_scrape(p), 0);
}

/* The pid the access log names for request id rid (0 when not found). */
static int
served_by(const char *rid)
{
	char path[256], line[2048], want[64];
	FILE *f;
	int pid = 0;

	snprintf(path, sizeof path, "var/%s/log/access.log", test_instance());
	snprintf(want, sizeof want, "\"rid\":\"%s\"", rid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, want)) {
			json_t *j = json_loads(line, 0, NULL);

			pid = (int)jint(j, "pid");
			json_decref(j);
		}
	fclose(f);
	return pid;
}

/* ------------------------------------------------------------------ where it is served */

TEST(only_on_the_metrics_listener)
{
	struct resp r;
	struct prom p;
	char extra[128];

	/* The public site: nginx has no such page, and the API no such route. */
	assert_int_equal(http(&r, "GET", "/metrics", NULL, NULL), 0);
	assert_int_equal(r.status, 404);
	assert_null(r.body ? strstr(r.body, "yichuang_") : NULL);
	resp_free(&r);
	expect_refusal("GET", "/api/v1/metrics", NULL, NULL, 404, "NOT_FOUND");

	/* The listener is on loopback, and the allow-list holds: a configuration that allows
	 * another network only turns this (loopback) client away. */
	assert_non_null(prom_address());
	assert_int_equal(strncmp(prom_address(), "127.0.0.1:", 10), 0);
	snprintf(extra, sizeof extra, "metrics_allow = 192.0.2.0/24");
	assert_int_equal(setenv("YICHUANG_CONF_EXTRA", extra, 1), 0);
	assert_int_equal(stack("restart-app"), 0);
	assert_int_not_equal(prom_scrape(&p), 0);
	unsetenv("YICHUANG_CONF_EXTRA");
	assert_int_equal(stack("restart-app"), 0);
	scrape(&p);
	prom_free(&p);
}

/* ------------------------------------------------------------------ the format */

TEST(format_parses_and_labels_are_patterns)
{
	static const char *const families[] = {
		"yichuang_http_requests_total", "yichuang_http_request_duration_seconds",
		"yichuang_redis_errors_total", "yichuang_mysql_errors_total",
		"yichuang_outbox_messages", "yichuang_outbox_oldest_unsent_age_seconds",
		"yichuang_sms_sent_total", "yichuang_sms_failed_total", "yichuang_tickets_waiting",
		"yichuang_cases_deadline", "yichuang_app_processes", "yichuang_app_threads",
		"yichuang_app_threads_busy", "yichuang_log_lines_dropped_total",
		"yichuang_mysql_up", "yichuang_redis_up", "yichuang_build_info",
	};
	char kiosk[128], token[64];
	struct prom p, bad;
	size_t i;

	/* A request with a token in its path: counted under the pattern, the token nowhere. */
	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	ticket_take(kiosk, "{\"category\":\"C\"}", NULL, 0, token, sizeof token);
	expect_at("GET", NULL, NULL, 200, NULL, "/api/v1/tickets/%s", token);

	scrape(&p);
	for (i = 0; i < NELEM(families); i++) {
		if (!prom_family(&p, families[i]))
			fprintf(stderr, "missing family %s\n", families[i]);
		assert_true(prom_family(&p, families[i]));
	}
	assert_true(prom_get(&p, "yichuang_http_requests_total{method=\"GET\","
	    "route=\"/tickets/{token}\",status=\"200\"}") >= 1);
	assert_null(strstr(p.text, token));
	assert_null(strstr(p.text, kiosk));
	assert_true(prom_get(&p, "yichuang_mysql_up") == 1);
	assert_true(prom_get(&p, "yichuang_redis_up") == 1);
	assert_true(prom_get(&p, "yichuang_app_threads{pool=\"api\"}") > 0);
	/* Nothing else in flight: the scrape itself is not an API request. */
	assert_true(prom_get(&p, "yichuang_app_threads_busy{pool=\"api\"}") == 0);
	prom_free(&p);

	/* The parser itself refuses what Prometheus would. */
	assert_int_not_equal(prom_parse(&bad, "x_total 1\n"), 0);	/* no TYPE */
	prom_free(&bad);
	assert_int_not_equal(prom_parse(&bad, "# TYPE x counter\nx 1\n"), 0);
	prom_free(&bad);
	assert_int_not_equal(prom_parse(&bad, "# TYPE x gauge\nx{a=\"b} 1\n"), 0);
	prom_free(&bad);
	assert_int_not_equal(prom_parse(&bad, "# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
	    "h_bucket{le=\"+Inf\"} 1\nh_count 1\n"), 0);
	prom_free(&bad);
	assert_int_not_equal(prom_parse(&bad, "# TYPE x gauge\nx 1\nx 2\n"), 0);
	prom_free(&bad);
	assert_int_equal(prom_parse(&bad, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"
	    "h_bucket{le=\"+Inf\"} 2\nh_sum 3.5\nh_count 2\n"), 0);
	prom_free(&bad);
}

/* ------------------------------------------------------------------ requests */

#define CATS "yichuang_http_requests_total{method=\"GET\",route=\"/halls/{hall}/categories\","
#define CATS_200 CATS "status=\"200\"}"
#define CATS_404 CATS "status=\"404\"}"
#define CATS_COUNT "yichuang_http_request_duration_seconds_count{method=\"GET\"," \
	"route=\"/halls/{hall}/categories\"}"
#define UNMATCHED_404 "yichuang_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"}"

struct getter {
	int	 n;
	int	 ok;
	char	 rids[40][32];
};

static void *
getter_main(void *arg)
{
	struct getter *g = arg;
	int i;

	for (i = 0; i < g->n; i++) {
		struct resp r;
		char rid[64];

		if (http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL) == 0 &&
		    r.status == 200) {
			g->ok++;
			if (resp_header(&r, "X-Request-Id", rid, sizeof rid))
				snprintf(g->rids[i], sizeof g->rids[i], "%.31s", rid);
		}
		resp_free(&r);
	}
	return NULL;
}

/* n concurrent clients × per requests; every request's id into rids (count: n × per). */
static int
burst(int n, int per, char (*rids)[32])
{
	pthread_t t[8];
	struct getter g[8];
	int i, k, ok = 0;

	memset(g, 0, sizeof g);
	for (i = 0; i < n; i++) {
		g[i].n = per;
		assert_int_equal(pthread_create(&t[i], NULL, getter_main, &g[i]), 0);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		ok += g[i].ok;
		for (k = 0; k < per; k++)
			memcpy(rids[i * per + k], g[i].rids[k], 32);
	}
	return ok;
}

TEST(counters_add_up_across_processes)
{
	struct prom a, b, c;
	struct resp r;
	char (*rids)[32] = calloc(120, 32);
	int i, victim, pids[120], distinct = 0;

	assert_non_null(rids);
	scrape(&a);
	/* 4 clients × 15, then 3 refusals on the same route and 2 paths no route matches. */
	assert_int_equal(burst(4, 15, rids), 60);
	for (i = 0; i < 3; i++) {
		expect_refusal("GET", "/api/v1/halls/nowhere/categories", NULL, NULL, 404, "NOT_FOUND");
	}
	for (i = 0; i < 2; i++) {
		expect_refusal("GET", "/api/v1/no/such/route", NULL, NULL, 404, "NOT_FOUND");
	}
	scrape(&b);
	assert_int_equal(prom_get(&b, CATS_200) - prom_get(&a, CATS_200), 60);
	assert_int_equal(prom_get(&b, CATS_404) - prom_get(&a, CATS_404), 3);
	assert_int_equal(prom_get(&b, CATS_COUNT) - prom_get(&a, CATS_COUNT), 63);
	assert_int_equal(prom_get(&b, UNMATCHED_404) - prom_get(&a, UNMATCHED_404), 2);

	/* Kill the process that served them (its log lines are out after 200 ms): what it
	 * counted stays, and its replacement counts on in the same series. */
	pause_ms(1000);
	victim = served_by(rids[0]);
	assert_true(victim > 0);
	assert_int_equal(kill(victim, SIGKILL), 0);
	for (i = 0; i < 100; i++) {
		struct prom p;
		int two;

		scrape(&p);
		two = prom_get(&p, "yichuang_app_processes") == 2;
		prom_free(&p);
		if (two && http(&r, "GET", "/api/v1/health", NULL, NULL) == 0) {
			long code = r.status;

			resp_free(&r);
			if (code == 200)
				break;
		}
		pause_ms(100);
	}
	assert_true(i < 100);
	prom_free(&b);
	scrape(&b);
	assert_int_equal(burst(4, 15, rids + 60), 60);
	scrape(&c);
	assert_int_equal(prom_get(&c, CATS_200) - prom_get(&a, CATS_200), 120);
	assert_int_equal(prom_get(&c, CATS_200) - prom_get(&b, CATS_200), 60);

	/* Every request has its own id and one access line; the 120 were answered by more than
	 * one process (the killed one and others), counted in one series. */
	pause_ms(1000);
	for (i = 0; i < 120; i++) {
		int k;

		assert_int_equal(strlen(rids[i]), 24);
		for (k = 0; k < i; k++)
			assert_string_not_equal(rids[i], rids[k]);
		pids[i] = served_by(rids[i]);
		if (i >= 60 || pids[i] != 0)
			assert_true(pids[i] > 0);
		for (k = 0; k < i && pids[k] != pids[i]; k++)
			;
		if (k == i && pids[i] > 0)
			distinct++;
	}
	assert_true(distinct >= 2);
	for (i = 60; i < 120; i++)
		assert_int_not_equal(pids[i], victim);
	prom_free(&a);
	prom_free(&b);
	prom_free(&c);
	free(rids);
}

/* ------------------------------------------------------------------ busy threads */

struct holder {
	long long	 since;
	long		 status;
};

static void *
holder_main(void *arg)
{
	struct holder *h = arg;
	char path[96];
	struct resp r;

	snprintf(path, sizeof path, "/api/v1/halls/demo/board?since=%lld", h->since);
	h->status = http(&r, "GET", path, NULL, NULL) == 0 ? r.status : -1;
	resp_free(&r);
	return NULL;
}

TEST(busy_threads_follow_held_long_polls)
{
	struct holder h[2];
	pthread_t t[2];
	struct resp r;
	struct prom p;
	char kiosk[128];
	long long v;
	int i;

	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/board", NULL, NULL), 0);
	expect_status(&r, 200);
	v = jint(r.json, "version");
	resp_free(&r);
	for (i = 0; i < 2; i++) {
		h[i].since = v;
		h[i].status = 0;
		assert_int_equal(pthread_create(&t[i], NULL, holder_main, &h[i]), 0);
	}
	for (i = 0; i < 50; i++) {
		scrape(&p);
		if (prom_get(&p, "yichuang_app_threads_busy{pool=\"board\"}") == 2)
			break;
		prom_free(&p);
		pause_ms(100);
	}
	assert_true(i < 50);
	assert_true(prom_get(&p, "yichuang_app_threads_busy{pool=\"api\"}") == 0);
	assert_true(prom_get(&p, "yichuang_app_threads{pool=\"board\"}") >= 2);
	prom_free(&p);
	/* A new number changes the board: both screens are answered, the threads free. */
	expect_reply("POST", "/api/v1/halls/demo/tickets", kiosk,
	    "{\"category\":\"C\"}", 201);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(h[i].status, 200);
	}
	scrape(&p);
	assert_true(prom_get(&p, "yichuang_app_threads_busy{pool=\"board\"}") == 0);
	prom_free(&p);
}

/* ------------------------------------------------------------------ the record */

/* Nothing due in the outbox (so that the worker sends only what the test queues). */
static void
outbox_quiet(void)
{
	int i;

	for (i = 0; i < 150; i++) {
		long long n;
		char now[32];

		sql_now(now, sizeof now);
		assert_true(db_query(&test_db, "SELECT COUNT(*) FROM outbox WHERE status = 'sending' OR"
		    " (status IN ('pending', 'held') AND next_attempt_at <= ?)",
		    DBARGS(DBS(now)), db_count_row, &n) >= 0);
		if (n == 0)
			return;
		pause_ms(100);
	}
	fail_msg("the outbox did not become quiet");
}

/* An outbox row for template, two minutes old; due now or in an hour.  In one transaction,
 * so the worker never sees it with other times. */
static uint64_t
queue_row(const char *template, int due)
{
	struct outbox_msg m = { "demo", "sms", template, "13900000001", NULL, "metrics-test", "1", 1 };
	json_t *params = json_object();
	char past[32], later[32];
	uint64_t id = 0;

	m.params = params;
	sql_datetime(hall_now_ms() - 120 * 1000, past, sizeof past);
	sql_datetime(hall_now_ms() + (due ? 0 : 3600 * 1000), later, sizeof later);
	assert_int_equal(db_begin(&test_db), 0);
	assert_int_equal(outbox_add(&test_db, &m, &id), 0);
	assert_int_equal(db_exec(&test_db, "UPDATE outbox SET created_at = ?, next_attempt_at = ?"
	    " WHERE id = ?", DBARGS(DBS(past), DBS(later), DBI(id)), NULL, NULL), 0);
	assert_int_equal(db_commit(&test_db), 0);
	json_decref(params);
	return id;
}

static int worker_stopped;

static int
worker_pid(void)
{
	char path[256], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof path, "var/%s/run/worker.pid", test_instance());
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return (int)strtol(buf, NULL, 10);
}

/* The worker paused (SIGSTOP) or going on: while paused nothing but this test changes the
 * outbox, so the counters must move by exactly what the test did. */
static void
worker_pause(int on)
{
	int pid = worker_pid();

	assert_true(pid > 0);
	assert_int_equal(kill(pid, on ? SIGSTOP : SIGCONT), 0);
	worker_stopped = on;
}

static double
age_in_db(void)
{
	char now[32], v[32] = "";

	sql_now(now, sizeof now);
	assert_true(db_scalar(&test_db, "SELECT COALESCE(GREATEST(0, TIMESTAMPDIFF(SECOND,"
	    " MIN(created_at), ?)), 0) FROM outbox WHERE status IN ('pending', 'sending')",
	    DBARGS(DBS(now)), v, sizeof v) == 1);
	return strtod(v, NULL);
}

TEST(outbox_depth_age_and_sms_results)
{
	struct prom a, b;
	char phone[] = "13900000002", body[96], st_[16];
	uint64_t waiting, broken;
	long long pending, sent, sent_before;
	long since;
	int i;

	outbox_quiet();
	worker_pause(1);

	/* One message two minutes old, not due for an hour: pending, and the age is the
	 * oldest's. */
	scrape(&a);
	waiting = queue_row("login_code", 0);
	scrape(&b);
	assert_int_equal(prom_delta(&a, &b, "yichuang_outbox_messages{status=\"pending\"}"), 1);
	pending = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'", NULL);
	assert_int_equal(prom_get(&b, "yichuang_outbox_messages{status=\"pending\"}"), pending);
	assert_true(prom_get(&b, "yichuang_outbox_oldest_unsent_age_seconds") >= 119);
	assert_true(prom_get(&b, "yichuang_outbox_oldest_unsent_age_seconds") -
	    age_in_db() <= 2);
	assert_int_equal(db_exec(&test_db, "DELETE FROM outbox WHERE id = ?", DBARGS(DBI(waiting)),
	    NULL, NULL), 0);
	prom_free(&a);
	prom_free(&b);

	/* One sent (a login code, through the log provider), one failed for good (a template
	 * that does not exist), delivered by the worker's job in this process. */
	assert_int_equal(sms_limits_reset(phone), 0);
	since = sms_log_size();
	snprintf(body, sizeof body, "{\"phone\":\"%s\",\"purpose\":\"login\"}", phone);
	{
		expect_reply("POST", "/api/v1/auth/sms-code", NULL, body, 202);
	}
	broken = queue_row("metrics_no_such_template", 1);
	sent_before = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND"
	    " provider = 'log'", NULL);
	scrape(&a);
	for (i = 0; i < 20; i++) {
		assert_int_equal(job_notify_deliver(&test_db), 0);
		assert_true(db_scalar(&test_db, "SELECT status FROM outbox WHERE id = ?",
		    DBARGS(DBI(broken)), st_, sizeof st_) == 1);
		if (strcmp(st_, "failed") == 0 &&
		    sms_log_find_since(since, phone, "login_code", NULL, 0) == 0)
			break;
		pause_ms(100);
	}
	assert_true(i < 20);
	scrape(&b);
	/* Nothing but this process delivered meanwhile: the rows that became sent. */
	sent = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND provider = 'log'", NULL) -
	    sent_before;
	worker_pause(0);
	assert_true(sent >= 1);
	assert_int_equal(prom_delta(&a, &b, "yichuang_sms_sent_total{provider=\"log\"}"), sent);
	assert_int_equal(prom_delta(&a, &b,
	    "yichuang_sms_failed_total{provider=\"log\",final=\"true\"}"), 1);
	assert_int_equal(prom_delta(&a, &b,
	    "yichuang_sms_failed_total{provider=\"log\",final=\"false\"}"), 0);
	prom_free(&a);
	prom_free(&b);
}

#define WAIT_F "yichuang_tickets_waiting{hall=\"demo\",category=\"F\"}"
#define OVERDUE "yichuang_cases_deadline{hall=\"demo\",state=\"overdue\"}"

FIXTURE(setup)
{
	if (suite_setup(st) != 0)
		return -1;
	return set_clock(NOW);
}

FIXTURE(teardown)
{
	unsetenv("YICHUANG_CONF_EXTRA");
	if (worker_stopped)
		worker_pause(0);
	return suite_teardown(st);
}

TEST(tickets_waiting_and_cases_past_deadline)
{
	struct prom a, b;
	struct resp r;
	char kiosk[128], clerk[128], approver[128], tokens[3][64], path[160], no[64], body[2048];
	char mats[512] = "[";
	json_t *m;
	size_t i;
	long long red;

	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(staff_login("clerk1", 1, clerk, sizeof clerk), 0);
	assert_int_equal(staff_login("approver1", 0, approver, sizeof approver), 0);

	/* Three numbers in F, one leaves the line. */
	scrape(&a);
	for (i = 0; i < 3; i++) {
		assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/tickets", kiosk,
		    "{\"category\":\"F\"}"), 0);
		expect_status(&r, 201);
		snprintf(tokens[i], sizeof tokens[i], "%s", jstr(r.json, "ticket.token"));
		resp_free(&r);
	}
	snprintf(path, sizeof path, "/api/v1/tickets/%s", tokens[0]);
	expect_reply("DELETE", path, NULL, NULL, 204);
	scrape(&b);
	assert_int_equal(prom_get(&b, WAIT_F) - prom_get(&a, WAIT_F), 2);
	{
		long long n = -1;

		assert_true(db_query(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo'"
		    " AND day = ? AND category = 'F' AND status = 'waiting'", DBARGS(DBS(DAY)),
		    db_count_row, &n) >= 0);
		assert_int_equal(prom_get(&b, WAIT_F), n);
	}
	prom_free(&a);
	prom_free(&b);

	/* A case past its deadline lights red (the supervision job), and counts until it is
	 * decided. */
	assert_int_equal(http(&r, "GET", "/api/v1/items/IT-B-003", NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "item.materials"), i, m)
		if (json_is_true(json_object_get(m, "required")))
			snprintf(mats + strlen(mats), sizeof mats - strlen(mats), "%s\"%s\"",
			    strlen(mats) > 1 ? "," : "", json_string_value(json_object_get(m, "code")));
	resp_free(&r);
	snprintf(mats + strlen(mats), sizeof mats - strlen(mats), "]");
	snprintf(body, sizeof body, "{\"item\":\"IT-B-003\",\"materials\":%s,\"applicant\":{"
	    "\"name\":\"何晓光\",\"id_number\":\"11010519491231002X\",\"phone\":\"13900000003\"}}",
	    mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
	assert_int_equal(job_cases_supervise(&test_db), 0);
	scrape(&a);
	assert_int_equal(db_exec(&test_db, "UPDATE cases SET deadline = '2026-12-01' WHERE no = ?",
	    DBARGS(DBS(no)), NULL, NULL), 0);
	assert_int_equal(job_cases_supervise(&test_db), 0);
	scrape(&b);
	assert_int_equal(prom_get(&b, OVERDUE) - prom_get(&a, OVERDUE), 1);
	red = db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE hall = 'demo' AND warning = 'red' AND"
	    " status IN ('accepted', 'processing', 'supplement_needed')", NULL);
	assert_int_equal(prom_get(&b, OVERDUE), red);
	prom_free(&a);
	prom_free(&b);

	snprintf(path, sizeof path, "/api/v1/cases/%s/actions", no);
	expect_reply("POST", path, approver, "{\"action\":\"assign\"}", 200);
	expect_reply("POST", path, approver,
	    "{\"action\":\"reject\",\"reason\":\"材料不符合要求\"}", 200);
	scrape(&a);
	assert_int_equal(prom_get(&a, OVERDUE), red - 1);
	prom_free(&a);
}

/* ------------------------------------------------------------------ dependencies */

TEST(redis_and_mysql_errors_are_counted)
{
	struct prom a, b;
	struct resp r;
	char kiosk[128];
	int i;

	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	scrape(&a);
	assert_int_equal(stack("redis-stop"), 0);
	expect_reply("POST", "/api/v1/halls/demo/tickets", kiosk,
	    "{\"category\":\"C\"}", 503);
	scrape(&b);
	assert_true(prom_delta(&a, &b, "yichuang_redis_errors_total") > 0);
	assert_true(prom_get(&b, "yichuang_redis_up") == 0);
	assert_true(prom_get(&b, "yichuang_mysql_up") == 1);
	prom_free(&b);
	assert_int_equal(stack("redis-start"), 0);
	prom_free(&a);

	scrape(&a);
	assert_int_equal(stack("mysql-stop"), 0);
	expect_reply("GET", "/api/v1/halls", NULL, NULL, 503);
	scrape(&b);
	assert_true(prom_delta(&a, &b, "yichuang_mysql_errors_total{kind=\"down\"}") > 0);
	assert_true(prom_get(&b, "yichuang_mysql_up") == 0);
	/* The process's own counters are still there while MariaDB is away. */
	assert_true(prom_get(&b, "yichuang_app_processes") == 2);
	prom_free(&b);
	prom_free(&a);
	assert_int_equal(stack("mysql-start"), 0);
	for (i = 0; i < 100; i++) {
		if (http(&r, "GET", "/api/v1/health", NULL, NULL) == 0 && r.status == 200) {
			resp_free(&r);
			break;
		}
		resp_free(&r);
		pause_ms(100);
	}
	assert_true(i < 100);
	scrape(&a);
	assert_true(prom_get(&a, "yichuang_mysql_up") == 1);
	assert_true(prom_get(&a, "yichuang_redis_up") == 1);
	prom_free(&a);
}

/* ------------------------------------------------------------------ set-up */

SUITE_MAIN("metrics", setup, teardown)
