/*
 * it_upgrade.c — a hall upgraded from the previous release without losing a citizen
 * (docs/INSTALL.md, "Upgrades").
 *
 * test/upgrade/previous/ is the previous release's hall as its own build and stack left it
 * after a morning (test/upgrade/snapshot.sh): the database (hall.sql: schema,
 * schema_migrations, every row), the key that sealed its phone and ID numbers, and what
 * that release answered about its data (expect.json).  It is loaded into a database of its
 * own on the test stack's MariaDB, with a Redis of its own (unix socket; the stack's hall
 * keys would collide), and then:
 *   - this release's yichuang-admin migrate applies what the release adds, while the
 *     previous release's app (built from the commit in RELEASE, when this clone's history
 *     has it) keeps serving numbers and lookups — not one request fails;
 *   - this release's app (refusing to start before the migrate, if there is anything to
 *     apply) serves the previous data as the previous release did: the case's tracking
 *     page, the applicant's sealed numbers opened with the old key, the booking and its
 *     place, the tickets, numbering that continues, the citizen who signs in again and
 *     finds the booking;
 *   - both releases serve side by side, as during a rolling restart: numbers taken on one
 *     and the other interleave without a gap or a twin.
 * Without that history (a shallow clone) the previous app is not run and its two parts are
 * reported as skipped; the rest runs on the frozen database alone.
 *
 * Scratch: var/<instance>/upgrade; database yichuang_upgrade.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../fcgi/clock.h"
#include "../lib/fcgi_client.h"
#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/proc.h"

#define PREV   "test/upgrade/previous"
#define DB     "yichuang_upgrade"
#define HALL_AT "2026-11-23T09:40:00+08:00"	/* the snapshot's morning, a little later */

static char S[256], REPO[256], OLD_SOCK[320], NEW_SOCK[320];
static char commit[64];
static int have_old;		/* the previous release's programs were built */
static int pending;		/* this release's migrations the previous database lacks */
static char first_pending[80];
static json_t *expect;
static char counts_before[16384];
static long long clock_base, clock_real;
static pid_t old_app = -1, new_app = -1, new_worker = -1;

/* ------------------------------------------------------------------ helpers */

static void
write_conf(const char *which, const char *templates, const char *migrations)
{
	char path[400];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s.conf", S, which);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "instance = upgrade-%s\napp_socket = %s/run/%s.sock\n"
	    "app_board_socket = %s/run/%s-board.sock\napp_processes = 1\napp_threads = 4\n"
	    "app_board_threads = 2\nredis_socket = %s/run/redis.sock\nmysql_socket = %s\n"
	    "mysql_user = yichuang\nmysql_password = %s\nmysql_db = " DB "\nmigrate_user = %s\n"
	    "public_base_url = http://127.0.0.1:18080\nsms_provider = log\nsms_log = %s/sms.log\n"
	    "key_file = %s/" PREV "/secret.key\nupload_dir = %s/uploads\n"
	    "access_log = %s/log/%s-access.log\nclock_base = %lld\nclock_real = %lld\n"
	    "sms_templates_dir = %s\nmigrations_dir = %s\n",
	    which, S, which, S, which, S, stack_conf("mysql_socket"),
	    stack_conf("mysql_password"), stack_conf("migrate_user"), S, REPO, S, S, which,
	    clock_base, clock_real, templates, migrations);
	fclose(f);
}

/* Start an app (this release's or the previous one's) and wait for its socket to answer. */
static pid_t
start_app(const char *which, const char *bin, const char *cwd)
{
	char conf[400], log[400], sock[400];
	const char *argv[] = { bin, "-c", conf, NULL };
	pid_t pid;
	int i;

	snprintf(conf, sizeof conf, "%s/%s.conf", S, which);
	snprintf(log, sizeof log, "%s/log/%s-app.log", S, which);
	snprintf(sock, sizeof sock, "%s/run/%s.sock", S, which);
	unlink(sock);
	if ((pid = proc_spawn(argv, cwd, NULL, log)) < 0)
		return -1;
	for (i = 0; i < 300; i++) {
		struct resp r;

		memset(&r, 0, sizeof r);
		if (proc_wait(pid, 0) >= 0)
			return -1;		/* it ended */
		if (access(sock, F_OK) == 0 && fcgi_request(sock, &r, "GET", "/api/v1/health",
		    NULL, NULL) == 0 && r.status == 200) {
			resp_free(&r);
			return pid;
		}
		resp_free(&r);
		usleep(100 * 1000);
	}
	return pid;
}

static int
staff_token(const char *sock, const char *user, int window, char *out, size_t osz)
{
	char body[256], w[32] = "";
	struct resp r;
	const char *t;
	int rc = -1;

	if (window > 0)
		snprintf(w, sizeof w, ",\"window\":%d", window);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\",\"password\":"
	    "\"yichuang-demo\"%s}", user, w);
	if (fcgi_json(sock, &r, "POST", "/api/v1/staff/login", NULL, body) == 0 &&
	    r.status == 200 && (t = jstr(r.json, "token")) != NULL) {
		snprintf(out, osz, "%s", t);
		rc = 0;
	} else
		fprintf(stderr, "login %s: %ld %s\n", user, r.status, r.body ? r.body : "");
	resp_free(&r);
	return rc;
}

/* Take a number as the kiosk; its number ("B003") into out.  The HTTP status. */
static long
take(const char *sock, const char *kiosk, const char *category, char *out, size_t osz)
{
	char body[64];
	struct resp r;
	long st;

	snprintf(body, sizeof body, "{\"category\":\"%s\"}", category);
	if (fcgi_json(sock, &r, "POST", "/api/v1/halls/demo/tickets", kiosk, body) != 0)
		return -1;
	st = r.status;
	if (st == 201 && jstr(r.json, "ticket.number"))
		snprintf(out, osz, "%s", jstr(r.json, "ticket.number"));
	else
		fprintf(stderr, "take %s: %ld %s\n", category, r.status, r.body ? r.body : "");
	resp_free(&r);
	return st;
}

/* The same value at each of the space-separated member paths ("case.no case.item") in the
 * reply and in what the previous release answered. */
static void
same(json_t *got, const char *expect_path, const char *paths)
{
	char path[128], full[256];
	const char *p = paths;
	json_t *want, *have;
	size_t n;

	for (; *p; p += strspn(p, " ")) {
		n = strcspn(p, " ");
		snprintf(path, sizeof path, "%.*s", (int)n, p);
		p += n;
		snprintf(full, sizeof full, "answers.%s.%s", expect_path, path);
		want = jget(expect, full);
		have = jget(got, path);
		if (want == NULL || have == NULL || !json_equal(want, have)) {
			char *a = want ? json_dumps(want, JSON_ENCODE_ANY) : NULL;
			char *b = have ? json_dumps(have, JSON_ENCODE_ANY) : NULL;

			fprintf(stderr, "%s: the previous release answered %s, this one %s\n", full,
			    a ? a : "(nothing)", b ? b : "(nothing)");
			free(a);
			free(b);
			fail();
		}
	}
}

/* GET path of the app at sock as the bearer of token (NULL: none), which must answer 200 with
 * the values at paths the previous release answered in answers.<answer>. */
static void
reads_back(const char *sock, const char *token, const char *path, const char *answer,
    const char *paths)
{
	struct resp r;

	assert_int_equal(fcgi_json(sock, &r, "GET", path, token, NULL), 0);
	assert_int_equal(r.status, 200);
	same(r.json, answer, paths);
	resp_free(&r);
}

/* The newest login code for phone in the SMS log after byte offset since, waiting up to
 * 15 s for the worker.  0 or -1. */
static int
login_code(const char *log, long since, const char *phone, char *code, size_t csz)
{
	char line[4096];
	int k;

	code[0] = '\0';
	for (k = 0; k < 150 && code[0] == '\0'; k++) {
		FILE *f = fopen(log, "r");

		if (f && fseek(f, since, SEEK_SET) == 0)
			while (fgets(line, sizeof line, f)) {
				json_t *j = json_loads(line, 0, NULL);
				const char *p = jstr(j, "phone"), *t = jstr(j, "template");
				const char *c = jstr(j, "params.code");

				if (p && t && c && strcmp(p, phone) == 0 &&
				    strcmp(t, "login_code") == 0)
					snprintf(code, csz, "%s", c);
				json_decref(j);
			}
		if (f)
			fclose(f);
		if (code[0] == '\0')
			usleep(100 * 1000);
	}
	return code[0] ? 0 : -1;
}

/* Every table's exact row count, "name\tcount" per line, in name order. */
static void
table_counts(char *out, size_t osz)
{
	char tables[8192], sql[6000];
	char *save = NULL, *t;
	size_t n = 0;

	assert_int_equal(dba_sql(NULL, tables, sizeof tables, "SELECT table_name FROM "
	    "information_schema.tables WHERE table_schema = '" DB "' AND table_type = "
	    "'BASE TABLE' ORDER BY table_name;"), 0);
	sql[0] = '\0';
	for (t = strtok_r(tables, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		int k = snprintf(sql + n, sizeof sql - n, "%sSELECT '%s', COUNT(*) FROM `%s`",
		    n ? " UNION ALL " : "", t, t);

		assert_true(k > 0 && (size_t)k < sizeof sql - n);
		n += (size_t)k;
	}
	assert_true(n > 0);
	assert_int_equal(dba_sql(DB, out, osz, "%s;", sql), 0);
}

/* count of table in a table_counts() text; -1 when absent. */
static long
count_in(const char *counts, const char *table)
{
	char key[80];
	const char *p;

	snprintf(key, sizeof key, "%s\t", table);
	for (p = counts; (p = strstr(p, key)) != NULL; p++)
		if (p == counts || p[-1] == '\n')
			return strtol(p + strlen(key), NULL, 10);
	return -1;
}

/* ------------------------------------------------------------------ set-up */

FIXTURE(teardown)
{
	char out[256];

	proc_stop_all();
	json_decref(expect);
	dba_sql(NULL, out, sizeof out, "DROP DATABASE IF EXISTS " DB ";");
	return 0;
}

FIXTURE(setup)
{
	static char applied[16400];
	char out[16384], cmd[2048], path[400];
	struct dirent *de;
	size_t len;
	DIR *d;
	FILE *f;
	int64_t at;

	if (getcwd(REPO, sizeof REPO) == NULL)
		return -1;
	snprintf(S, sizeof S, "%s/upgrade", proc_var());
	snprintf(OLD_SOCK, sizeof OLD_SOCK, "%s/run/old.sock", S);
	snprintf(NEW_SOCK, sizeof NEW_SOCK, "%s/run/new.sock", S);
	proc_stop_stale(S);
	if (proc_run(out, sizeof out, "rm -rf '%s' && mkdir -p '%s/run' '%s/log' '%s/redis' "
	    "'%s/uploads' && chmod 700 '%s'", S, S, S, S, S, S) != 0)
		return -1;
	if ((expect = json_load_file(PREV "/expect.json", 0, NULL)) == NULL)
		return -1;
	if ((f = fopen(PREV "/RELEASE", "r")) == NULL || fgets(commit, sizeof commit, f) == NULL)
		return -1;
	fclose(f);
	commit[strcspn(commit, "\r\n")] = '\0';
	{
		struct timespec now;

		if (time_parse(HALL_AT, &at) != 0)
			return -1;
		clock_gettime(CLOCK_REALTIME, &now);
		clock_base = at;
		clock_real = now.tv_sec;
	}

	/* The previous release's database, as its hall had it. */
	if (dba_sql(NULL, out, sizeof out, "DROP DATABASE IF EXISTS " DB "; CREATE DATABASE " DB
	    " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;") != 0 ||
	    proc_run(out, sizeof out, "mariadb --no-defaults --socket='%s' -u'%s' "
	    "--default-character-set=utf8mb4 " DB " < " PREV "/hall.sql",
	    stack_conf("mysql_socket"), stack_conf("migrate_user")) != 0) {
		fprintf(stderr, "loading %s/hall.sql: %s\n", PREV, out);
		return -1;
	}
	/* What this release brings that the previous one did not have. */
	if (dba_sql(DB, out, sizeof out, "SELECT version FROM schema_migrations;") != 0 ||
	    (d = opendir("sql/migrations")) == NULL)
		return -1;
	snprintf(applied, sizeof applied, "\n%s\n", out);
	while ((de = readdir(d)) != NULL) {
		char v[70];

		len = strlen(de->d_name);
		if (len < 5 || len > 68 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		snprintf(v, sizeof v, "%.*s", (int)(len - 4), de->d_name);
		snprintf(path, sizeof path, "\n%s\n", v);
		if (strstr(applied, path) == NULL) {
			if (pending++ == 0 || strcmp(v, first_pending) < 0)
				snprintf(first_pending, sizeof first_pending, "%s", v);
		}
	}
	closedir(d);

	snprintf(path, sizeof path, "%s/sms-templates", REPO);
	snprintf(cmd, sizeof cmd, "%s/sql/migrations", REPO);
	write_conf("new", path, cmd);
	{
		const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
		int i;

		snprintf(cmd, sizeof cmd, "exec redis-server --port 0 --unixsocket '%s/run/redis.sock' "
		    "--unixsocketperm 700 --save '' --appendonly no --dir '%s/redis'", S, S);
		snprintf(path, sizeof path, "%s/log/redis.log", S);
		if (proc_spawn(argv, NULL, NULL, path) < 0)
			return -1;
		for (i = 0; i < 100; i++) {
			if (proc_run(out, sizeof out, "redis-cli -s '%s/run/redis.sock' ping", S) == 0 &&
			    strncmp(out, "PONG", 4) == 0)
				break;
			usleep(100 * 1000);
		}
	}
	/* The app's account gets its grants on this database, as the previous stack gave. */
	if (proc_run(out, sizeof out, "'%s/yichuang-admin' -c '%s/new.conf' grants", proc_build(),
	    S) != 0) {
		fprintf(stderr, "grants: %s\n", out);
		return -1;
	}
	table_counts(counts_before, sizeof counts_before);

	/* The previous release's programs, from this clone's history. */
	if (proc_run(out, sizeof out, "git cat-file -e '%s^{commit}'", commit) != 0) {
		fprintf(stderr, "the previous release %s is not in this clone's history (a shallow "
		    "clone?): its app is not run beside this one; `git fetch --unshallow` to test "
		    "that too\n", commit);
		return 0;
	}
	if (proc_run(out, sizeof out, "mkdir -p '%s/prev' && git archive '%s' | tar -x -C "
	    "'%s/prev' && make -s -C '%s/prev' -j2 all VERSION=previous OPT=-O1 B=build", S, commit,
	    S, S) != 0) {
		fprintf(stderr, "building the previous release %s failed:\n%s\n", commit, out);
		return -1;
	}
	snprintf(path, sizeof path, "%s/prev/sms-templates", S);
	snprintf(cmd, sizeof cmd, "%s/prev/sql/migrations", S);
	write_conf("old", path, cmd);
	have_old = 1;
	return 0;
}

/* ------------------------------------------------------------------ the migration */

/* The previous release's app under load while the schema changes under it. */
struct load {
	atomic_int	 stop;
	char		 kiosk[128];
	long		 requests, failures;
	char		 last_failure[512];
};

static void *
load_main(void *arg)
{
	struct load *l = arg;
	char path[256], ticket[256], num[16];
	int i = 0;

	snprintf(path, sizeof path, "/api/v1/track/%s", jstr(expect, "case_token"));
	snprintf(ticket, sizeof ticket, "/api/v1/tickets/%s", jstr(expect, "tickets.A002"));
	while (!atomic_load(&l->stop)) {
		struct resp r;
		long st;

		switch (i++ % 5) {
		case 0:
			st = take(OLD_SOCK, l->kiosk, "C", num, sizeof num);
			break;
		case 1:
			st = fcgi_request(OLD_SOCK, &r, "GET", path, NULL, NULL) == 0 ? r.status : -1;
			resp_free(&r);
			break;
		case 2:
			st = fcgi_request(OLD_SOCK, &r, "GET", ticket, NULL, NULL) == 0 ? r.status : -1;
			resp_free(&r);
			break;
		case 3:
			st = fcgi_request(OLD_SOCK, &r, "GET", "/api/v1/halls/demo/categories", NULL,
			    NULL) == 0 ? r.status : -1;
			resp_free(&r);
			break;
		default:
			st = fcgi_request(OLD_SOCK, &r, "GET", "/api/v1/halls/demo/board", NULL,
			    NULL) == 0 ? r.status : -1;
			resp_free(&r);
			break;
		}
		l->requests++;
		if (st != 200 && st != 201) {
			l->failures++;
			snprintf(l->last_failure, sizeof l->last_failure, "request %d: status %ld",
			    i - 1, st);
		}
	}
	return NULL;
}

/*
 * What the previous release told citizens and staff, asked of an app (either release's) on
 * the migrated database: the case's public tracking page, the applicant's numbers sealed
 * with the previous release's key, the booking and its place, a served and a waiting
 * ticket — each as the previous release answered before the upgrade.
 */
static void
previous_data_reads_back(const char *sock, const char *kiosk)
{
	char path[400], clerk[128];
	struct resp r;
	size_t i;
	json_t *steps;

	/* The case's public tracking page. */
	snprintf(path, sizeof path, "/api/v1/track/%s", jstr(expect, "case_token"));
	assert_int_equal(fcgi_request(sock, &r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	same(r.json, "track", "case.no case.item case.status case.status_label "
	    "case.deadline case.applicant case.hall.name");
	steps = jget(r.json, "case.steps");
	assert_int_equal(json_array_size(steps),
	    json_array_size(jget(expect, "answers.track.case.steps")));
	for (i = 0; i < json_array_size(steps); i++) {
		char p[96];

		snprintf(p, sizeof p, "case.steps.%zu.status case.steps.%zu.at", i, i);
		same(r.json, "track", p);
	}
	resp_free(&r);

	/* Sealed with the previous release's key, opened by the app asked. */
	assert_int_equal(staff_token(sock, "clerk1", 1, clerk, sizeof clerk), 0);
	snprintf(path, sizeof path, "/api/v1/cases/%s?reveal=1", jstr(expect, "case_no"));
	reads_back(sock, clerk, path, "case", "case.applicant.name case.applicant.id_number "
	    "case.applicant.phone case.accepted_at case.deadline");

	/* The booking and its place. */
	snprintf(path, sizeof path, "/api/v1/appointments/%s", jstr(expect, "appointment_token"));
	reads_back(sock, kiosk, path, "appointment", "appointment.code appointment.slot "
	    "appointment.start appointment.status appointment.name appointment.id_number");
	assert_int_equal(fcgi_request(sock, &r, "GET",
	    "/api/v1/halls/demo/slots?category=A&date=2026-11-24", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	{
		json_t *slots = jget(r.json, "slots"), *s;
		int found = 0;

		json_array_foreach(slots, i, s)
			if (strcmp(json_string_value(json_object_get(s, "id")),
			    jstr(expect, "slot")) == 0) {
				found = 1;
				assert_int_equal(jint(s, "remaining"), jint(s, "capacity") - 1);
			}
		assert_true(found);
	}
	resp_free(&r);

	/* Tickets: one served, one still waiting. */
	snprintf(path, sizeof path, "/api/v1/tickets/%s", jstr(expect, "tickets.A002"));
	reads_back(sock, NULL, path, "ticket_a002", "ticket.number ticket.status ticket.outcome "
	    "ticket.window ticket.taken_at");
	snprintf(path, sizeof path, "/api/v1/tickets/%s", jstr(expect, "tickets.B002"));
	reads_back(sock, NULL, path, "ticket_b002", "ticket.number ticket.status");
}

/*
 * This release's migrate on the previous release's database.  Before it, this release's
 * app refuses to start if it brings migrations; the previous release's app serves numbers,
 * tracking and the board all through it, and afterwards.  Every migration of this release
 * is then recorded, and no table has fewer rows than before.
 */
TEST(migrate_upgrades_the_previous_schema)
{
	char cmd[2048], out[16384], after[16384], note[128], num[16];
	struct load l;
	pthread_t tid;
	char *save = NULL, *line;

	if (pending > 0) {
		char bin[400];

		snprintf(bin, sizeof bin, "%s/%s/yichuang-app", REPO, proc_build());
		assert_int_equal(start_app("new", bin, S), -1);
		snprintf(cmd, sizeof cmd, "grep -c 'first %s: run yichuang-admin migrate' "
		    "'%s/log/new-app.log'", first_pending, S);
		proc_run_ok(out, sizeof out, cmd);
	}
	memset(&l, 0, sizeof l);
	if (have_old) {
		struct resp r;
		char bin[400];

		snprintf(bin, sizeof bin, "%s/prev/build/yichuang-app", S);
		snprintf(cmd, sizeof cmd, "%s/prev", S);
		assert_true((old_app = start_app("old", bin, cmd)) > 0);
		assert_int_equal(fcgi_request(OLD_SOCK, &r, "GET", "/api/v1/health", NULL, NULL), 0);
		assert_string_equal(jstr(r.json, "version"), "previous");
		resp_free(&r);
		assert_int_equal(staff_token(OLD_SOCK, "kiosk1", 0, l.kiosk, sizeof l.kiosk), 0);
		assert_int_equal(pthread_create(&tid, NULL, load_main, &l), 0);
		usleep(500 * 1000);
	}

	snprintf(cmd, sizeof cmd, "'%s/yichuang-admin' -c '%s/new.conf' migrate", proc_build(), S);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(note, sizeof note, "migrate: %d applied, none pending", pending);
	assert_non_null(strstr(out, note));

	if (have_old) {
		usleep(500 * 1000);
		atomic_store(&l.stop, 1);
		pthread_join(tid, NULL);
		fprintf(stderr, "the previous release's app answered %ld requests during the "
		    "migration, %ld failed\n", l.requests, l.failures);
		if (l.failures)
			fail_msg("%s", l.last_failure);
		assert_true(l.requests > 10);
		assert_int_equal(take(OLD_SOCK, l.kiosk, "C", num, sizeof num), 201);
		previous_data_reads_back(OLD_SOCK, l.kiosk);
	}

	/* Every migration of this release is recorded; nothing was lost. */
	assert_int_equal(proc_run(out, sizeof out, "ls sql/migrations | grep -c '\\.sql$'"), 0);
	snprintf(note, sizeof note, "%ld", strtol(out, NULL, 10));
	assert_int_equal(dba_sql(DB, out, sizeof out, "SELECT COUNT(*) FROM schema_migrations "
	    "WHERE version NOT LIKE 'seed:%%';"), 0);
	assert_true(strtol(out, NULL, 10) >= strtol(note, NULL, 10));
	table_counts(after, sizeof after);
	for (line = strtok_r(counts_before, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char table[80];
		long before;

		if (sscanf(line, "%79[^\t]\t%ld", table, &before) != 2)
			continue;
		if (count_in(after, table) < before)
			fail_msg("%s had %ld rows, now %ld", table, before, count_in(after, table));
	}
}

/* ------------------------------------------------------------------ the new release serves */

/*
 * This release's app and worker on the migrated database: what the previous release told
 * citizens and staff reads back the same.
 */
TEST(new_release_serves_the_previous_data)
{
	char bin[400], wbin[400], path[400], kiosk[128], citizen[128], out[4096];
	char num[16], want[80], body[128];
	const char *wargv[] = { wbin, "-c", path, NULL };
	struct resp r;
	long since, n;

	snprintf(bin, sizeof bin, "%s/%s/yichuang-app", REPO, proc_build());
	assert_true((new_app = start_app("new", bin, S)) > 0);
	assert_int_equal(fcgi_request(NEW_SOCK, &r, "GET", "/api/v1/health", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(jstr(r.json, "version"));
	assert_string_not_equal(jstr(r.json, "version"), "previous");
	resp_free(&r);
	assert_int_equal(staff_token(NEW_SOCK, "kiosk1", 0, kiosk, sizeof kiosk), 0);

	previous_data_reads_back(NEW_SOCK, kiosk);

	/* Numbering continues after the last number the hall gave today (Redis starts empty:
	 * the lines are rebuilt from MariaDB). */
	assert_int_equal(dba_sql(DB, out, sizeof out, "SELECT MAX(seq) FROM queue_tickets "
	    "WHERE hall = 'demo' AND day = '2026-11-23' AND num_cat = 'A';"), 0);
	n = strtol(out, NULL, 10);
	assert_true(n >= 5);
	snprintf(want, sizeof want, "A%03ld", n + 1);
	assert_int_equal(take(NEW_SOCK, kiosk, "A", num, sizeof num), 201);
	assert_string_equal(num, want);

	/* The citizen of the previous release signs in again and finds the booking. */
	snprintf(wbin, sizeof wbin, "%s/%s/yichuang-worker", REPO, proc_build());
	snprintf(path, sizeof path, "%s/new.conf", S);
	snprintf(out, sizeof out, "%s/log/new-worker.log", S);
	assert_true((new_worker = proc_spawn(wargv, S, NULL, out)) > 0);
	snprintf(out, sizeof out, "%s/sms.log", S);
	{
		struct stat stt;

		since = stat(out, &stt) == 0 ? (long)stt.st_size : 0;
	}
	assert_int_equal(fcgi_json(NEW_SOCK, &r, "POST", "/api/v1/auth/sms-code", NULL,
	    "{\"phone\":\"13800138003\"}"), 0);
	assert_int_equal(r.status, 202);
	resp_free(&r);
	if (login_code(out, since, "13800138003", want, sizeof want) != 0)
		fail_msg("the worker delivered no login code to %s", out);
	snprintf(body, sizeof body, "{\"phone\":\"13800138003\",\"code\":\"%s\"}", want);
	assert_int_equal(fcgi_json(NEW_SOCK, &r, "POST", "/api/v1/auth/sms-login", NULL, body), 0);
	assert_int_equal(r.status, 200);
	snprintf(citizen, sizeof citizen, "%s", jstr(r.json, "token"));
	resp_free(&r);
	assert_int_equal(fcgi_json(NEW_SOCK, &r, "GET", "/api/v1/me/appointments", citizen, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "appointments.0.token"), jstr(expect, "appointment_token"));
	resp_free(&r);
}

/* ------------------------------------------------------------------ side by side */

/*
 * The rolling restart's middle: the previous release's app and this one's on the same
 * MariaDB and Redis.  Numbers taken alternately on each follow one another with no gap
 * and no twin (checked in the record), and a staff session made on one serves on the
 * other; then the previous app stops, as the last host restarts.
 */
TEST(previous_and_new_side_by_side)
{
	char kiosk[128], num[16], want[80], out[1024];
	long start;
	int i;

	if (!have_old)
		skip();
	assert_true(old_app > 0 && new_app > 0);
	assert_int_equal(staff_token(OLD_SOCK, "kiosk1", 0, kiosk, sizeof kiosk), 0);
	assert_int_equal(dba_sql(DB, out, sizeof out, "SELECT COALESCE(MAX(seq), 0) FROM "
	    "queue_tickets WHERE hall = 'demo' AND day = '2026-11-23' AND num_cat = 'B';"), 0);
	start = strtol(out, NULL, 10);
	for (i = 1; i <= 8; i++) {
		assert_int_equal(take(i % 2 ? OLD_SOCK : NEW_SOCK, kiosk, "B", num, sizeof num), 201);
		snprintf(want, sizeof want, "B%03ld", start + i);
		assert_string_equal(num, want);
	}
	assert_int_equal(dba_sql(DB, out, sizeof out, "SELECT COUNT(*), COUNT(DISTINCT seq), "
	    "MAX(seq) FROM queue_tickets WHERE hall = 'demo' AND day = '2026-11-23' AND "
	    "num_cat = 'B';"), 0);
	snprintf(want, sizeof want, "%ld\t%ld\t%ld", start + 8, start + 8, start + 8);
	assert_string_equal(out, want);
	assert_int_equal(proc_stop(old_app, 30000), 0);
	old_app = -1;
	assert_int_equal(take(NEW_SOCK, kiosk, "B", num, sizeof num), 201);
}

SUITE_MAIN("upgrade", setup, teardown)
