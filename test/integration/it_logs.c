/*
 * it_logs.c — the logs (issue 26, item 4) against the live test stack: one JSON line per
 * request with the id the client got in X-Request-Id (and the same id in nginx's line), no
 * token in either; SIGHUP reopens the logs after logrotate moved them (nobody restarts);
 * and logging never holds up a request — with the log on a full filesystem (a small tmpfs,
 * mounted here: the test runs as root, as make test does) and with a log that takes nothing
 * at all (a FIFO nobody reads: a stalled disk), numbers are issued at once and every one of
 * them is in MariaDB.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../lib/prom.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/stackproc.h"

#define DAY "2026-12-16"
#define NOW DAY "T10:00:00+08:00"

static char var[256], mounted[400];

/* The whole of a file ("" when absent); the caller frees. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t n = 0, cap = 0, got;

	if (f == NULL)
		return strdup("");
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 131072;
			s = realloc(s, cap + 1);
			assert_non_null(s);
		}
		if ((got = fread(s + n, 1, cap - n, f)) == 0)
			break;
		n += got;
	}
	fclose(f);
	s[n] = '\0';
	return s;
}

/* The line of file holding "rid":"<rid>" as JSON (a new reference), or NULL. */
static json_t *
line_with(const char *path, const char *rid)
{
	char *all = slurp(path), want[64], *p, *e;
	json_t *j = NULL;

	snprintf(want, sizeof want, "\"rid\":\"%s\"", rid);
	if ((p = strstr(all, want)) != NULL) {
		while (p > all && p[-1] != '\n')
			p--;
		e = strchr(p, '\n');
		j = json_loadb(p, e ? (size_t)(e - p) : strlen(p), 0, NULL);
	}
	free(all);
	return j;
}

static long
occurrences(const char *path, const char *needle)
{
	char *all = slurp(path), *p = all;
	long n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	free(all);
	return n;
}

/* Whole JSON lines of path for route. */
static long
whole_lines(const char *path, const char *route)
{
	char *all = slurp(path), *p = all, *e;
	long n = 0;

	while ((e = strchr(p, '\n')) != NULL) {
		json_t *j = json_loadb(p, (size_t)(e - p), 0, NULL);

		if (j && jstr(j, "route") && strcmp(jstr(j, "route"), route) == 0)
			n++;
		json_decref(j);
		p = e + 1;
	}
	free(all);
	return n;
}

/* The lines the event log says were lost (each process reports its own). */
static long
lost_reported(const char *path)
{
	static const char what[] = " access log lines were not written (No space left on device)";
	char *all = slurp(path), *p = all, *q;
	long n = 0;

	while ((q = strstr(p, what)) != NULL) {
		char *d = q;

		while (d > all && d[-1] >= '0' && d[-1] <= '9')
			d--;
		n += strtol(d, NULL, 10);
		p = q + sizeof what - 1;
	}
	free(all);
	return n;
}

/* A request; its X-Request-Id into rid (size 32). */
static void
req_id(struct resp *r, char *rid)
{
	assert_non_null(resp_header(r, "X-Request-Id", rid, 32));
}

static void
take(const char *kiosk, char *token, char *rid, int64_t *ms)
{
	struct resp r;
	int64_t t0 = now_ms();

	assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/tickets", kiosk,
	    "{\"category\":\"D\"}"), 0);
	if (ms)
		*ms = now_ms() - t0;
	expect_status(&r, 201);
	if (token)
		snprintf(token, 64, "%s", jstr(r.json, "ticket.token"));
	if (rid)
		req_id(&r, rid);
	resp_free(&r);
}

/* n numbers of D taken at kiosk, their tokens into tokens: each answered as usual (201
 * within 2 s), and each a ticket in MariaDB. */
static void
takes_answered_and_kept(const char *kiosk, char (*tokens)[64], int n)
{
	int64_t ms, worst = 0;
	int i;

	for (i = 0; i < n; i++) {
		take(kiosk, tokens[i], NULL, &ms);
		if (ms > worst)
			worst = ms;
	}
	assert_true(worst < 2000);
	for (i = 0; i < n; i++) {
		long long c = -1;

		assert_true(db_query(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE token = ?",
		    DBARGS(DBS(tokens[i])), db_count_row, &c) >= 0);
		assert_int_equal(c, 1);
	}
}

/* ------------------------------------------------------------------ the lines */

TEST(one_json_line_per_request_with_its_id)
{
	char kiosk[128], rid_ok[32], rid_404[32], rid_tok[32], rid_take[32], token[64];
	char path[400], nginx[400], tpath[128];
	struct resp r;
	json_t *j;

	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
	expect_status(&r, 200);
	req_id(&r, rid_ok);
	resp_free(&r);
	assert_int_equal(http(&r, "GET", "/api/v1/halls/nowhere/categories", NULL, NULL), 0);
	assert_error(&r, 404, "NOT_FOUND");
	req_id(&r, rid_404);
	resp_free(&r);
	take(kiosk, token, rid_take, NULL);
	snprintf(tpath, sizeof tpath, "/api/v1/tickets/%s", token);
	assert_int_equal(http(&r, "GET", tpath, NULL, NULL), 0);
	expect_status(&r, 200);
	req_id(&r, rid_tok);
	resp_free(&r);
	/* Every id is 24 letters, and new for each request. */
	assert_int_equal(strlen(rid_ok), 24);
	assert_int_equal(strspn(rid_ok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"), 24);
	assert_string_not_equal(rid_ok, rid_404);
	assert_string_not_equal(rid_tok, rid_take);

	pause_ms(800);	/* the writer thread writes every 200 ms */
	snprintf(path, sizeof path, "%s/log/access.log", var);
	snprintf(nginx, sizeof nginx, "%s/log/nginx-access.log", var);
	{
		/* Every line of the access log is one JSON object with the fields. */
		char *all = slurp(path), *p = all, *e;
		int lines = 0;

		while (*p) {
			e = strchr(p, '\n');
			assert_non_null(e);
			j = json_loadb(p, (size_t)(e - p), 0, NULL);
			if (j == NULL)
				fprintf(stderr, "not JSON: %.*s\n", (int)(e - p), p);
			assert_non_null(j);
			assert_true(json_is_string(json_object_get(j, "time")));
			assert_true(json_is_string(json_object_get(j, "rid")));
			assert_true(json_is_integer(json_object_get(j, "pid")));
			assert_true(json_is_string(json_object_get(j, "method")));
			assert_true(json_is_string(json_object_get(j, "route")));
			assert_true(json_is_integer(json_object_get(j, "status")));
			assert_true(json_is_number(json_object_get(j, "ms")));
			json_decref(j);
			lines++;
			p = e + 1;
		}
		free(all);
		assert_true(lines >= 4);
	}
	assert_int_equal(occurrences(path, rid_ok), 1);
	j = line_with(path, rid_ok);
	assert_string_equal(jstr(j, "route"), "/halls/{hall}/categories");
	assert_int_equal(jint(j, "status"), 200);
	assert_null(json_object_get(j, "code"));
	json_decref(j);
	j = line_with(path, rid_404);
	assert_int_equal(jint(j, "status"), 404);
	assert_string_equal(jstr(j, "code"), "NOT_FOUND");
	json_decref(j);
	j = line_with(path, rid_take);
	assert_string_equal(jstr(j, "method"), "POST");
	assert_string_equal(jstr(j, "route"), "/halls/{hall}/tickets");
	assert_string_equal(jstr(j, "role"), "kiosk");
	json_decref(j);
	j = line_with(path, rid_tok);
	assert_string_equal(jstr(j, "route"), "/tickets/{token}");
	json_decref(j);
	/* nginx's line carries the same id; neither log has the token or the session. */
	j = line_with(nginx, rid_tok);
	assert_non_null(j);
	assert_int_equal(jint(j, "status"), 200);
	json_decref(j);
	j = line_with(nginx, rid_404);
	assert_non_null(j);
	assert_int_equal(jint(j, "status"), 404);
	json_decref(j);
	assert_int_equal(occurrences(path, token), 0);
	assert_int_equal(occurrences(nginx, token), 0);
	assert_int_equal(occurrences(path, kiosk), 0);
	assert_int_equal(occurrences(nginx, kiosk), 0);
}

/* ------------------------------------------------------------------ logrotate */

/* The access log at path was just moved away and the app told to reopen it: the app makes
 * the file again within 5 s, and a request made now is logged in it, once.  Its request id
 * into rid. */
static void
reopened_and_logging(const char *path, char *rid)
{
	struct resp r;
	int i;

	for (i = 0; i < 50 && access(path, F_OK) != 0; i++)
		pause_ms(100);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
	expect_status(&r, 200);
	req_id(&r, rid);
	resp_free(&r);
	pause_ms(800);
	assert_int_equal(occurrences(path, rid), 1);
}

TEST(sighup_reopens_the_logs)
{
	char path[400], moved[400], rid1[32], rid2[32];
	int master = stack_pid("app"), worker = stack_pid("worker");
	struct resp r;
	struct prom p;

	assert_true(pid_alive(master) && pid_alive(worker));
	snprintf(path, sizeof path, "%s/log/access.log", var);
	snprintf(moved, sizeof moved, "%s/log/access.log.1", var);
	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
	req_id(&r, rid1);
	resp_free(&r);
	pause_ms(500);
	/* What logrotate does: move the file away, then SIGHUP (to the master, which tells
	 * its processes; and to the worker). */
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(kill(master, SIGHUP), 0);
	assert_int_equal(kill(worker, SIGHUP), 0);
	reopened_and_logging(path, rid2);
	assert_int_equal(occurrences(moved, rid2), 0);
	assert_int_equal(occurrences(moved, rid1), 1);
	/* Nobody was restarted: same master, same processes, same worker. */
	assert_int_equal(stack_pid("app"), master);
	assert_true(pid_alive(master) && pid_alive(worker));
	assert_int_equal(prom_scrape(&p), 0);
	assert_true(prom_get(&p, "yichuang_app_processes") == 2);
	prom_free(&p);
	assert_int_equal(app_log_count("SIGHUP: logs reopened"), 1);
}

/*
 * The logrotate configuration an installed hall gets (ops/logrotate/yichuang), run by
 * logrotate itself on this instance's access log: its paths become the instance's, its
 * postrotate's systemctl lines a kill -HUP of the app's master and the worker.
 */
TEST(logrotate_config_rotates_without_a_restart)
{
	char conf[400], state[400], cmd[2400], path[400], cwd[512], rid[32], *all;
	int master = stack_pid("app"), worker = stack_pid("worker");

	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(conf, sizeof conf, "%s/logrotate.conf", var);
	snprintf(state, sizeof state, "%s/logrotate.state", var);
	snprintf(path, sizeof path, "%s/log/access.log", var);
	snprintf(cmd, sizeof cmd, "sed -e 's|/var/log/yichuang/\\*\\.log|%s/%s|'"
	    " -e 's|systemctl kill .*yichuang-app.service .*|kill -HUP %d|'"
	    " -e 's|systemctl kill .*yichuang-worker.service .*|kill -HUP %d|'"
	    " ops/logrotate/yichuang > %s", cwd, path, master, worker, conf);
	assert_int_equal(system(cmd), 0);
	all = slurp(conf);
	assert_non_null(strstr(all, "kill -HUP"));
	assert_null(strstr(all, "systemctl"));
	free(all);
	snprintf(cmd, sizeof cmd, "logrotate -f -s %s %s", state, conf);
	assert_int_equal(system(cmd), 0);
	/* Renamed with the date, not copied: the next line goes to a new access.log that the
	 * app made itself, and nobody was restarted. */
	snprintf(cmd, sizeof cmd, "ls %s/log | grep -q '^access.log-[0-9]*-[0-9]*$'", var);
	assert_int_equal(system(cmd), 0);
	reopened_and_logging(path, rid);
	assert_int_equal(stack_pid("app"), master);
	assert_true(pid_alive(master) && pid_alive(worker));
	unlink(conf);
	unlink(state);
}

/* ------------------------------------------------------------------ a full disk */

static void
conf_logs(const char *access_log, const char *error_log)
{
	char extra[1024];

	if (access_log == NULL) {
		unsetenv("YICHUANG_CONF_EXTRA");
	} else {
		snprintf(extra, sizeof extra, "access_log = %s%s%s", access_log,
		    error_log ? "\nerror_log = " : "", error_log ? error_log : "");
		assert_int_equal(setenv("YICHUANG_CONF_EXTRA", extra, 1), 0);
	}
	assert_int_equal(stack("restart-app"), 0);
}

static void
fill(const char *dir)
{
	char path[512], block[4096];
	int fd;
	ssize_t w;

	memset(block, 'x', sizeof block);
	snprintf(path, sizeof path, "%s/filler", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	while ((w = write(fd, block, sizeof block)) > 0)
		;
	while ((w = write(fd, block, 1)) > 0)
		;
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

TEST(full_disk_costs_no_request_and_no_record)
{
	char dir[400], acc[450], err[450], filler[450], kiosk[128];
	char tokens[40][64], rids[5][32];
	struct prom a, b;
	double dropped;
	long written;
	int i;

	snprintf(dir, sizeof dir, "%s/logfull", var);
	mkdir(dir, 0700);
	if (mount("tmpfs", dir, "tmpfs", 0, "size=256k,mode=0700") != 0)
		fail_msg("mount a tmpfs on %s: %s (make test runs as root)", dir, strerror(errno));
	snprintf(mounted, sizeof mounted, "%s", dir);
	snprintf(acc, sizeof acc, "%s/access.log", dir);
	snprintf(err, sizeof err, "%s/app.log", dir);
	snprintf(filler, sizeof filler, "%s/filler", dir);
	conf_logs(acc, err);
	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	pause_ms(500);
	assert_true(occurrences(acc, "\"route\":\"/staff/login\"") >= 1);	/* it logs */

	fill(dir);
	assert_int_equal(prom_scrape(&a), 0);
	/* Answered as usual, every number in the record. */
	takes_answered_and_kept(kiosk, tokens, 40);
	pause_ms(800);
	assert_int_equal(prom_scrape(&b), 0);
	dropped = prom_delta(&a, &b, "yichuang_log_lines_dropped_total{log=\"access\"}");
	/* Every line is accounted for: written whole (the files' last pages had some room),
	 * or dropped and counted — and most were dropped. */
	written = whole_lines(acc, "/halls/{hall}/tickets");
	if (written + dropped != 40)
		fprintf(stderr, "access lines: %ld written, %.0f dropped, not 40\n", written,
		    dropped);
	assert_true(written + dropped == 40);
	assert_true(dropped >= 10);
	prom_free(&a);
	prom_free(&b);

	/* Room again: the next lines are written whole, and the event log says what was lost. */
	assert_int_equal(unlink(filler), 0);
	for (i = 0; i < 5; i++) {
		struct resp r;

		assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
		expect_status(&r, 200);
		req_id(&r, rids[i]);
		resp_free(&r);
	}
	pause_ms(800);
	for (i = 0; i < 5; i++) {
		json_t *j = line_with(acc, rids[i]);

		assert_non_null(j);
		assert_int_equal(jint(j, "status"), 200);
		json_decref(j);
	}
	/* Each process says how many it lost (the exact count is the metric's, above: a notice
	 * cut by the full disk may be written again whole). */
	assert_true(lost_reported(err) >= 1);

	conf_logs(NULL, NULL);
	assert_int_equal(umount(dir), 0);
	mounted[0] = '\0';
	rmdir(dir);
}

/* ------------------------------------------------------------------ a stalled disk */

FIXTURE(setup)
{
	snprintf(var, sizeof var, "var/%s", test_instance());
	if (suite_setup(st) != 0)
		return -1;
	return set_clock(NOW);
}

FIXTURE(teardown)
{
	if (getenv("YICHUANG_CONF_EXTRA")) {
		unsetenv("YICHUANG_CONF_EXTRA");
		stack("restart-app");
	}
	if (mounted[0] && umount(mounted) != 0)
		umount2(mounted, MNT_DETACH);
	return suite_teardown(st);
}

TEST(stalled_log_costs_no_request)
{
	char dir[400], fifo[450], kiosk[128], tokens[20][64], rids[20][32], *got;
	struct prom a, b;
	int64_t worst = 0;
	size_t n = 0, cap = 1 << 20;
	ssize_t r;
	int rfd, i;

	snprintf(dir, sizeof dir, "%s/logslow", var);
	mkdir(dir, 0700);
	snprintf(fifo, sizeof fifo, "%s/access.log", dir);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* A reader that reads nothing (yet), through a pipe of one page: the log takes
	 * 4 KiB, then every write waits. */
	rfd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rfd >= 0);
	assert_true(fcntl(rfd, F_SETPIPE_SZ, 4096) >= 4096);
	conf_logs(fifo, NULL);
	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(prom_scrape(&a), 0);
	/* ~40 KiB of access lines: ten times what the log takes. */
	for (i = 0; i < 200; i++) {
		struct resp res;
		int64_t t0 = now_ms();

		assert_int_equal(http(&res, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
		expect_status(&res, 200);
		if (i < 20)
			req_id(&res, rids[i]);
		resp_free(&res);
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
	}
	assert_true(worst < 2000);
	takes_answered_and_kept(kiosk, tokens, 20);
	/* Nothing lost while the stall is shorter than the buffer: once the disk takes lines
	 * again, every one arrives. */
	assert_int_equal(prom_scrape(&b), 0);
	assert_true(prom_delta(&a, &b, "yichuang_log_lines_dropped_total{log=\"access\"}") == 0);
	prom_free(&a);
	prom_free(&b);
	got = malloc(cap + 1);
	assert_non_null(got);
	for (i = 0; i < 50; i++) {
		int k;

		while ((r = read(rfd, got + n, cap - n)) > 0)
			n += (size_t)r;
		got[n] = '\0';
		for (k = 0; k < 20 && strstr(got, rids[k]) != NULL; k++)
			;
		if (k == 20)
			break;
		pause_ms(100);
	}
	for (i = 0; i < 20; i++)
		assert_non_null(strstr(got, rids[i]));
	free(got);

	/* The reader goes first: a writer still waiting on the full pipe gets EPIPE at once
	 * (otherwise the app's shutdown waits 2 s for it, log_async_stop). */
	close(rfd);
	conf_logs(NULL, NULL);
	unlink(fifo);
	rmdir(dir);
}

/* ------------------------------------------------------------------ set-up */

SUITE_MAIN("logs", setup, teardown)
