/*
 * it_backup.c — the restore drill (issue 26, item 2).
 *
 * A day of the hall through the API (numbers taken, called and served, bookings, cases
 * accepted at the window, reviews), then `yichuang-admin backup` while kiosks and clerks
 * keep working, then a NEW instance (its own var/ directory and ports) made fresh by
 * ops/stack.sh, brought back with `yichuang-admin restore`, and checked:
 *   - every table has exactly the rows of the backup's snapshot (the manifest counts them as
 *     the dump streams), and the snapshot lies between the hall before and after the backup;
 *   - every number a citizen was told before the backup began is there, with its number;
 *     none told after it ended is;
 *   - the sealed phones and ID numbers open with the restored key: a clerk of the restored
 *     hall reveals each case's applicant as it was entered;
 *   - the restored hall rebuilds Redis from MariaDB and serves: the next number follows the
 *     last one, a full slot stays full and a slot with one place left takes exactly one;
 *   - a wrong passphrase or a damaged backup changes nothing, and a second restore over the
 *     restored records is refused;
 *   - the dump carries the routines: restored into a database without queue_take_record
 *     (as an empty one), the procedure is back and numbers are taken with it.
 * The restored instance's ports: YICHUANG_RESTORE_PORT, _REDIS_PORT, _MYSQL_PORT (default:
 * one above the test instance's, 18081/16381/13308 for the default one); its name
 * <instance>-restore.  It is wiped at the end.  The time the
 * backup and the restore took is printed (the README's figures).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/session.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/stackproc.h"

#define DAY      "2026-12-17"
#define BOOK_DAY "2026-12-18"
#define PASS     "correct horse battery staple 一窗"
#define MAXT     1200

static char inst[64], rinst[96], src_url[128], dst_url[128], root[512];
static int r_port, r_redis, r_mysql;

static int
env_port(const char *name, int dflt)
{
	const char *v = getenv(name);
	long long n;

	return v && parse_ll(v, 1, 65535, &n) == 0 ? (int)n : dflt;
}

/* Run a shell command line (the test's own fixed text and paths); its exit status. */
static int
sh(const char *f, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, f);
	vsnprintf(cmd, sizeof cmd, f, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ops/stack.sh VERB on the restored instance, with its ports and the source's hall time. */
static int
rstack(const char *verb, const char *now)
{
	return sh("env -u YICHUANG_CONF_EXTRA YICHUANG_PORT=%d YICHUANG_REDIS_PORT=%d "
	    "YICHUANG_MYSQL_PORT=%d YICHUANG_METRICS_PORT=0 %s%s%s bash ops/stack.sh %s %s "
	    ">>var/%s/log/drill.log 2>&1", r_port, r_redis, r_mysql, now ? "YICHUANG_NOW='" : "",
	    now ? now : "", now ? "'" : "", verb, rinst, inst);
}

/* One query through the mariadb client as the superuser of instance name; the output
 * (tab-separated, no column names) into out.  0 or -1. */
static int
cli(const char *name, const char *sql, char *out, size_t osz)
{
	char cmd[2048];
	FILE *p;
	size_t n = 0, got;

	snprintf(cmd, sizeof cmd, "mariadb --no-defaults --socket=%s/var/%s/run/mysql.sock -uroot"
	    " -N -B yichuang", root, name);
	/* The query on standard input: a temporary file keeps quoting out of the way. */
	{
		char path[256];
		FILE *q;

		snprintf(path, sizeof path, "var/%s/drill/query.sql", inst);
		if ((q = fopen(path, "w")) == NULL)
			return -1;
		fputs(sql, q);
		fclose(q);
		snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), " < %s", path);
	}
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (n + 1 < osz && (got = fread(out + n, 1, osz - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

/* Every table of instance name with its exact row count, as a JSON object. */
static json_t *
table_counts(const char *name)
{
	static char out[1 << 20];
	char *sql, *p, *line;
	json_t *t = json_object();
	size_t cap = 1 << 16;

	assert_int_equal(cli(name, "SELECT table_name FROM information_schema.tables"
	    " WHERE table_schema = 'yichuang' ORDER BY 1", out, sizeof out), 0);
	sql = calloc(1, cap);
	assert_non_null(sql);
	for (line = strtok_r(out, "\n", &p); line; line = strtok_r(NULL, "\n", &p))
		snprintf(sql + strlen(sql), cap - strlen(sql), "%sSELECT '%s', COUNT(*) FROM `%s`",
		    sql[0] ? " UNION ALL " : "", line, line);
	assert_int_equal(cli(name, sql, out, sizeof out), 0);
	free(sql);
	for (line = strtok_r(out, "\n", &p); line; line = strtok_r(NULL, "\n", &p)) {
		char *tab = strchr(line, '\t');

		assert_non_null(tab);
		*tab = '\0';
		json_object_set_new(t, line, json_integer(strtoll(tab + 1, NULL, 10)));
	}
	return t;
}

/* ------------------------------------------------------------------ the hall's day */

struct ticket {
	char	 token[48];
	char	 number[8];
	int64_t	 sent, answered;	/* now_ms() */
};

static struct ticket told[MAXT];
static atomic_int ntold;
/* The numbers sent after the backup ended (when MAXT filled up before it ended, told[] has
 * none of them): kept apart, so "none told after it ended is in the backup" is always checked. */
#define MAXLATE  64
static struct ticket late[MAXLATE];
static atomic_int nlate;
static _Atomic int64_t backup_ended = INT64_MAX;
static atomic_int stop_load;
static char kiosk[128], clerk1[128], clerk2[128];

static int
take(const char *tok, char cat, struct ticket *t)
{
	char body[64];
	struct resp r;
	int ok;

	snprintf(body, sizeof body, "{\"category\":\"%c\"}", cat);
	t->sent = now_ms();
	if (http_json(&r, "POST", "/api/v1/halls/demo/tickets", tok, body) != 0)
		return -1;
	t->answered = now_ms();
	ok = r.status == 201;
	if (ok) {
		snprintf(t->token, sizeof t->token, "%s", jstr(r.json, "ticket.token"));
		snprintf(t->number, sizeof t->number, "%s", jstr(r.json, "ticket.number"));
	}
	resp_free(&r);
	return ok ? 0 : -1;
}

static void
take_told(char cat)
{
	struct ticket t;
	int i;

	assert_int_equal(take(kiosk, cat, &t), 0);
	i = atomic_fetch_add(&ntold, 1);
	assert_true(i < MAXT);
	told[i] = t;
}

struct acase {
	char	 no[64];
	char	 phone[16];
	char	 id[19];
	int64_t	 answered;
};

static struct acase cases[200];
static atomic_int ncases;
static char mats[512];

/* POST /cases as clerk with applicant seq; 0 when accepted. */
static int
accept_case(const char *clerk, int seq)
{
	struct acase c;
	struct resp r;
	char body[1024];
	int ok, i;

	snprintf(c.phone, sizeof c.phone, "1391%07d", seq);
	make_id(c.id, "19800101", seq);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-003\",\"materials\":%s,\"applicant\":{"
	    "\"name\":\"申请人%d\",\"id_number\":\"%s\",\"phone\":\"%s\"}}", mats, seq, c.id,
	    c.phone);
	if (http_json(&r, "POST", "/api/v1/cases", clerk, body) != 0)
		return -1;
	c.answered = now_ms();
	ok = r.status == 201;
	if (ok) {
		snprintf(c.no, sizeof c.no, "%s", jstr(r.json, "case.no"));
		i = atomic_fetch_add(&ncases, 1);
		if (i < 200)
			cases[i] = c;
	} else
		fprintf(stderr, "POST /cases: %ld %.300s\n", r.status, r.body ? r.body : "");
	resp_free(&r);
	return ok ? 0 : -1;
}

static void
serve_one(const char *clerk, int window, char *token)
{
	struct resp r;
	char path[96];

	snprintf(path, sizeof path, "/api/v1/windows/%d/call-next", window);
	assert_int_equal(http_json(&r, "POST", path, clerk, NULL), 0);
	expect_status(&r, 200);
	snprintf(token, 48, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/windows/%d/finish", window);
	expect_reply("POST", path, clerk, "{\"outcome\":\"done\"}", 200);
}

static long
book(const char *tok, const char *slot, const char *id)
{
	char body[256];
	struct resp r;
	long st;

	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"B\",\"slot\":\"%s\","
	    "\"name\":\"王五\",\"id_number\":\"%s\"}", slot, id);
	assert_int_equal(http_json(&r, "POST", "/api/v1/appointments", tok, body), 0);
	st = r.status;
	if (st != 201)
		fprintf(stderr, "booking %s: %ld %.300s\n", slot, st, r.body ? r.body : "");
	resp_free(&r);
	return st;
}

static char slot_full[32], slot_one[32], upload_id[128];
/* A scanned page as the bytes say (JPEG's magic), no NUL in it. */
#define UPLOAD "\xff\xd8\xff\xe0 scanned page of 营业执照 for the restore drill"

static void
pick_slots(void)
{
	struct resp r;
	json_t *s;
	size_t i;
	int n = 0;

	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/slots?category=B&date=" BOOK_DAY,
	    NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "slots"), i, s) {
		if (json_integer_value(json_object_get(s, "remaining")) !=
		    json_integer_value(json_object_get(s, "capacity")) ||
		    json_integer_value(json_object_get(s, "capacity")) < 2)
			continue;
		if (n == 0)
			snprintf(slot_full, sizeof slot_full, "%s",
			    json_string_value(json_object_get(s, "id")));
		else if (n == 1)
			snprintf(slot_one, sizeof slot_one, "%s",
			    json_string_value(json_object_get(s, "id")));
		n++;
	}
	resp_free(&r);
	assert_true(n >= 2);
}

static int
slot_capacity(const char *slot)
{
	struct resp r;
	json_t *s;
	size_t i;
	int cap = -1;

	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/slots?category=B&date=" BOOK_DAY,
	    NULL, NULL), 0);
	json_array_foreach(jget(r.json, "slots"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "id")), slot) == 0)
			cap = (int)json_integer_value(json_object_get(s, "capacity"));
	resp_free(&r);
	return cap;
}

/* The day before the backup: numbers, service, reviews, bookings, cases. */
static void
a_day_of_the_hall(void)
{
	char tok[SESSION_TOKEN_MAX + 1], id[19], served[30][48], body[128];
	static const char cats[] = "AAAABBCCDDEEFF";
	struct resp r;
	int i, cap;

	for (i = 0; i < 140; i++)
		take_told(cats[i % (sizeof cats - 1)]);
	/* Window 1 serves A and E: 30 visits, 20 reviews. */
	for (i = 0; i < 30; i++)
		serve_one(clerk1, 1, served[i]);
	for (i = 0; i < 20; i++) {
		snprintf(body, sizeof body, "{\"ticket\":\"%.47s\",\"score\":%d%s}", served[i],
		    i % 7 == 0 ? 2 : 5, i % 7 == 0 ? ",\"comment\":\"等候太久\"" : "");
		expect_reply("POST", "/api/v1/reviews", NULL, body, 201);
	}
	/* Bookings for tomorrow: one slot full, another with one place left. */
	pick_slots();
	cap = slot_capacity(slot_full);
	for (i = 0; i < cap; i++) {
		citizen_session(tok, sizeof tok);
		make_id(id, "19800101", 500 + i);
		assert_int_equal(book(tok, slot_full, id), 201);
	}
	cap = slot_capacity(slot_one);
	for (i = 0; i < cap - 1; i++) {
		citizen_session(tok, sizeof tok);
		make_id(id, "19800101", 600 + i);
		assert_int_equal(book(tok, slot_one, id), 201);
	}
	/* Cases accepted at the window, and a file a clerk scanned in. */
	for (i = 0; i < 15; i++)
		assert_int_equal(accept_case(clerk2, i), 0);
	{
		char auth[200];
		const char *h[] = { auth, "Content-Type: image/jpeg", NULL };

		snprintf(auth, sizeof auth, "Authorization: Bearer %s", clerk2);
		assert_int_equal(http(&r, "POST", "/api/v1/uploads", UPLOAD, h), 0);
		expect_status(&r, 201);
		snprintf(upload_id, sizeof upload_id, "%s", jstr(r.json, "upload.id"));
		resp_free(&r);
	}
}

/* ------------------------------------------------------------------ load during the backup */

static void *
kiosk_load(void *arg)
{
	static const char cats[] = "BCDF";
	int i = 0;

	(void)arg;
	while (!atomic_load(&stop_load)) {
		struct ticket t;

		if (take(kiosk, cats[i++ % 4], &t) == 0) {
			int k;

			if (t.sent > atomic_load(&backup_ended)) {
				if ((k = atomic_fetch_add(&nlate, 1)) < MAXLATE)
					late[k] = t;
			} else if ((k = atomic_fetch_add(&ntold, 1)) < MAXT) {
				told[k] = t;
			}
		}
	}
	return NULL;
}

static void *
clerk_load(void *arg)
{
	int seq = 100;

	(void)arg;
	while (!atomic_load(&stop_load) && seq < 180)
		accept_case(clerk2, seq++);
	return NULL;
}

/* ------------------------------------------------------------------ the drill */

/* The programs' folder (make asan: build-asan). */
static const char *
build_dir(void)
{
	const char *b = getenv("YICHUANG_BUILD");

	return b && *b ? b : "build";
}

static int
admin(const char *conf_inst, const char *args)
{
	return sh("%s/yichuang-admin -c var/%s/yichuang.conf %s >>var/%s/log/drill.log 2>&1",
	    build_dir(), conf_inst, args, inst);
}

TEST(restore_drill)
{
	char bdir[700], passf[256], badf[256], dba[256], copy[800], args[2400], now[40];
	char out[4096], path[800];
	json_t *before, *after, *restored, *man, *v;
	json_error_t jerr;
	pthread_t lt[3];
	int64_t b0, b1, r0, r1;
	const char *name;
	int i, n_before = 0, n_after = 0;
	FILE *f;

	a_day_of_the_hall();

	snprintf(bdir, sizeof bdir, "%s/var/%s/drill/backup", root, inst);
	snprintf(passf, sizeof passf, "var/%s/drill/pass", inst);
	snprintf(badf, sizeof badf, "var/%s/drill/bad", inst);
	sh("rm -rf %s %s.partial", bdir, bdir);
	assert_non_null(f = fopen(passf, "w"));
	fprintf(f, "%s\n", PASS);
	fclose(f);
	assert_non_null(f = fopen(badf, "w"));
	fprintf(f, "not the passphrase at all\n");
	fclose(f);

	/* The backup, while two kiosks take numbers and a clerk accepts cases. */
	atomic_store(&stop_load, 0);
	assert_int_equal(pthread_create(&lt[0], NULL, kiosk_load, NULL), 0);
	assert_int_equal(pthread_create(&lt[1], NULL, kiosk_load, NULL), 0);
	assert_int_equal(pthread_create(&lt[2], NULL, clerk_load, NULL), 0);
	pause_ms(500);
	before = table_counts(inst);
	b0 = now_ms();
	snprintf(args, sizeof args, "backup --passphrase-file %s %s", passf, bdir);
	assert_int_equal(admin(inst, args), 0);
	b1 = now_ms();
	atomic_store(&backup_ended, b1);
	after = table_counts(inst);
	pause_ms(500);
	atomic_store(&stop_load, 1);
	for (i = 0; i < 3; i++)
		pthread_join(lt[i], NULL);

	snprintf(path, sizeof path, "%s/manifest.json", bdir);
	assert_non_null(man = json_load_file(path, 0, &jerr));
	/* The snapshot lies between the hall before and after, table by table. */
	json_object_foreach(jget(man, "tables"), name, v) {
		long long lo = json_integer_value(json_object_get(before, name));
		long long hi = json_integer_value(json_object_get(after, name));

		if (json_integer_value(v) < lo || json_integer_value(v) > hi)
			fprintf(stderr, "table %s: %lld in the backup, %lld before, %lld after\n",
			    name, (long long)json_integer_value(v), lo, hi);
		assert_true(json_integer_value(v) >= lo && json_integer_value(v) <= hi);
	}
	assert_int_equal(json_object_size(jget(man, "tables")), json_object_size(after));

	/* A new instance, fresh as ops/stack.sh makes one, on the source's hall time. */
	time_format(hall_now(), now, sizeof now);
	rstack("wipe", NULL);
	assert_int_equal(rstack("up", now), 0);
	assert_int_equal(rstack("app-stop", NULL), 0);
	snprintf(dba, sizeof dba, "var/%s/drill/dba.cnf", inst);
	assert_non_null(f = fopen(dba, "w"));
	fprintf(f, "[client]\nuser=root\nsocket=%s/var/%s/run/mysql.sock\n", root, rinst);
	fclose(f);
	chmod(dba, 0600);

	/* Refused, and nothing changed: a wrong passphrase, a damaged backup. */
	assert_int_equal(cli(rinst, "SELECT COUNT(*) FROM queue_tickets", out, sizeof out), 0);
	assert_int_equal(strtol(out, NULL, 10), 0);
	snprintf(args, sizeof args, "restore --passphrase-file %s --mysql-defaults %s %s", badf,
	    dba, bdir);
	assert_int_equal(admin(rinst, args), 1);
	snprintf(copy, sizeof copy, "%s-damaged", bdir);
	assert_int_equal(sh("rm -rf %s && cp -a %s %s", copy, bdir, copy), 0);
	{
		/* One byte of the dump flipped, as a bad disk or a cut copy would. */
		char gz[900];
		unsigned char byte;
		int fd;

		snprintf(gz, sizeof gz, "%s/db.sql.gz", copy);
		assert_true((fd = open(gz, O_RDWR)) >= 0);
		assert_int_equal(pread(fd, &byte, 1, 100), 1);
		byte ^= 0xff;
		assert_int_equal(pwrite(fd, &byte, 1, 100), 1);
		close(fd);
	}
	snprintf(args, sizeof args, "restore --passphrase-file %s --mysql-defaults %s %s", passf,
	    dba, copy);
	assert_int_equal(admin(rinst, args), 1);
	sh("rm -rf %s", copy);
	assert_int_equal(cli(rinst, "SELECT COUNT(*) FROM queue_tickets", out, sizeof out), 0);
	assert_int_equal(strtol(out, NULL, 10), 0);
	assert_int_not_equal(sh("cmp -s var/%s/secret.key var/%s/secret.key", inst, rinst), 0);

	/* The restore, into a database without the routines of migration 134 (as an empty
	 * one has none): the dump brings queue_take_record back, or taking the next number
	 * below fails.  Its EXECUTE grant went with the DROP: `grants` gives it again, as on an
	 * installed hall after a restore into an empty database. */
	assert_int_equal(cli(rinst, "DROP PROCEDURE queue_take_record", out, sizeof out), 0);
	snprintf(args, sizeof args, "restore --passphrase-file %s --mysql-defaults %s %s", passf,
	    dba, bdir);
	r0 = now_ms();
	assert_int_equal(admin(rinst, args), 0);
	assert_int_equal(cli(rinst, "SELECT COUNT(*) FROM information_schema.routines WHERE"
	    " routine_schema = 'yichuang' AND routine_name = 'queue_take_record'", out,
	    sizeof out), 0);
	assert_int_equal(strtol(out, NULL, 10), 1);
	assert_int_equal(admin(rinst, "grants"), 0);
	r1 = now_ms();
	assert_int_equal(sh("cmp -s var/%s/secret.key var/%s/secret.key", inst, rinst), 0);
	/* Once is enough: the restored hall now has records of its own. */
	assert_int_equal(admin(rinst, args), 1);

	/* Every table as in the backup — counted before the app and worker start, since their
	 * jobs go on with the hall at once (a booking whose slot has passed becomes a no-show). */
	restored = table_counts(rinst);
	json_object_foreach(jget(man, "tables"), name, v) {
		if (json_integer_value(json_object_get(restored, name)) != json_integer_value(v))
			fprintf(stderr, "table %s restored with %lld rows, backup %lld\n", name,
			    (long long)json_integer_value(json_object_get(restored, name)),
			    (long long)json_integer_value(v));
		assert_int_equal(json_integer_value(json_object_get(restored, name)),
		    json_integer_value(v));
	}
	assert_int_equal(rstack("app-start", NULL), 0);
	{
		struct stat sb;
		long long bytes = 0;

		snprintf(path, sizeof path, "%s/db.sql.gz", bdir);
		if (stat(path, &sb) == 0)
			bytes = (long long)sb.st_size;
		fprintf(stderr, "drill: %lld rows (%lld tickets, %d cases), db.sql.gz %lld bytes;"
		    " backup %.1f s under load, restore %.1f s\n",
		    (long long)json_integer_value(json_object_get(man, "rows")),
		    (long long)json_integer_value(json_object_get(jget(man, "tables"),
		    "queue_tickets")), atomic_load(&ncases), bytes, (double)(b1 - b0) / 1000.0,
		    (double)(r1 - r0) / 1000.0);
	}

	/* Every number told before the backup began is there; none told after it ended. */
	for (i = 0; i < atomic_load(&ntold) && i < MAXT; i++) {
		char q[256];

		if (told[i].answered < b0) {
			snprintf(q, sizeof q, "SELECT number FROM queue_tickets WHERE token = '%.47s'",
			    told[i].token);
			assert_int_equal(cli(rinst, q, out, sizeof out), 0);
			out[strcspn(out, "\n")] = '\0';
			assert_string_equal(out, told[i].number);
			n_before++;
		} else if (told[i].sent > b1) {
			snprintf(q, sizeof q, "SELECT COUNT(*) FROM queue_tickets WHERE token = '%.47s'",
			    told[i].token);
			assert_int_equal(cli(rinst, q, out, sizeof out), 0);
			assert_int_equal(strtol(out, NULL, 10), 0);
			n_after++;
		}
	}
	for (i = 0; i < atomic_load(&nlate) && i < MAXLATE; i++) {
		char q[256];

		snprintf(q, sizeof q, "SELECT COUNT(*) FROM queue_tickets WHERE token = '%.47s'",
		    late[i].token);
		assert_int_equal(cli(rinst, q, out, sizeof out), 0);
		assert_int_equal(strtol(out, NULL, 10), 0);
		n_after++;
	}
	assert_true(n_before >= 140);
	assert_true(n_after >= 1);

	/* The restored hall: its key opens what the source sealed. */
	assert_int_equal(setenv("YICHUANG_BASE_URL", dst_url, 1), 0);
	{
		char rclerk[128];

		assert_int_equal(staff_login("clerk3", 3, rclerk, sizeof rclerk), 0);
		for (i = 0; i < atomic_load(&ncases) && i < 200; i++) {
			struct resp r;
			char p2[160];

			if (cases[i].answered >= b0)
				continue;
			snprintf(p2, sizeof p2, "/api/v1/cases/%.63s?reveal=1", cases[i].no);
			assert_int_equal(http_json(&r, "GET", p2, rclerk, NULL), 0);
			expect_strs(&r, 200, "case.applicant.phone", cases[i].phone,
			    "case.applicant.id_number", cases[i].id, NULL);
			resp_free(&r);
		}
	}

	/* The uploaded file came back with its record. */
	{
		char rc2[128], p3[200], auth[200];
		const char *h[] = { auth, NULL };
		struct resp r;

		assert_int_equal(staff_login("clerk2", 2, rc2, sizeof rc2), 0);
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", rc2);
		snprintf(p3, sizeof p3, "/api/v1/uploads/%s", upload_id);
		assert_int_equal(http(&r, "GET", p3, NULL, h), 0);
		expect_status(&r, 200);
		assert_int_equal(r.len, strlen(UPLOAD));
		assert_memory_equal(r.body, UPLOAD, strlen(UPLOAD));
		resp_free(&r);
	}

	/* It rebuilds Redis and serves: the next number follows the last, booked places hold. */
	{
		char rk[128], q[256], tok[64];
		struct ticket t;
		long long last;

		assert_int_equal(staff_login("kiosk1", 0, rk, sizeof rk), 0);
		snprintf(q, sizeof q, "SELECT COALESCE(MAX(seq), 0) FROM queue_tickets"
		    " WHERE hall = 'demo' AND day = '%s' AND num_cat = 'B'", DAY);
		assert_int_equal(cli(rinst, q, out, sizeof out), 0);
		last = strtoll(out, NULL, 10);
		assert_true(last > 0);
		assert_int_equal(take(rk, 'B', &t), 0);
		snprintf(tok, sizeof tok, "B%03lld", last + 1);
		assert_string_equal(t.number, tok);
	}
	{
		char c1[SESSION_TOKEN_MAX + 1], c2[SESSION_TOKEN_MAX + 1], id[19];
		const char *phones[2] = { "13912000001", "13912000002" };

		assert_int_equal(setenv("YICHUANG_INSTANCE", rinst, 1), 0);
		assert_int_equal(citizen_login(phones[0], c1, sizeof c1), 0);
		assert_int_equal(citizen_login(phones[1], c2, sizeof c2), 0);
		assert_int_equal(setenv("YICHUANG_INSTANCE", inst, 1), 0);
		make_id(id, "19800101", 700);
		assert_int_equal(book(c1, slot_full, id), 409);
		assert_int_equal(book(c1, slot_one, id), 201);
		make_id(id, "19800101", 701);
		assert_int_equal(book(c2, slot_one, id), 409);
	}
	assert_int_equal(setenv("YICHUANG_BASE_URL", src_url, 1), 0);

	json_decref(before);
	json_decref(after);
	json_decref(restored);
	json_decref(man);
}

/* ------------------------------------------------------------------ set-up */

FIXTURE(setup)
{
	const char *b = getenv("YICHUANG_BASE_URL");

	snprintf(inst, sizeof inst, "%s", test_instance());
	snprintf(rinst, sizeof rinst, "%s-restore", inst);
	snprintf(src_url, sizeof src_url, "%s", b && *b ? b : "http://127.0.0.1:18080");
	/* One above the test instance's own ports, so suites of two instances on one machine
	 * do not restore onto each other's. */
	r_port = env_port("YICHUANG_RESTORE_PORT", env_port("YICHUANG_PORT", 18080) + 1);
	r_redis = env_port("YICHUANG_RESTORE_REDIS_PORT", env_port("YICHUANG_REDIS_PORT", 16380) + 1);
	r_mysql = env_port("YICHUANG_RESTORE_MYSQL_PORT", env_port("YICHUANG_MYSQL_PORT", 13307) + 1);
	snprintf(dst_url, sizeof dst_url, "http://127.0.0.1:%d", r_port);
	if (getcwd(root, sizeof root) == NULL || suite_setup(st) != 0)
		return -1;
	setenv("YICHUANG_INSTANCE", inst, 1);
	sh("rm -rf var/%s/drill && mkdir -p var/%s/drill && chmod 700 var/%s/drill", inst, inst,
	    inst);
	if (set_clock(DAY "T09:00:00+08:00") != 0)
		return -1;
	pause_ms(300);
	if (staff_login("kiosk1", 0, kiosk, sizeof kiosk) != 0 ||
	    staff_login("clerk1", 1, clerk1, sizeof clerk1) != 0 ||
	    staff_login("clerk2", 2, clerk2, sizeof clerk2) != 0)
		return -1;
	material_codes_text("IT-B-003", 1, 0, mats, sizeof mats);
	return 0;
}

FIXTURE(teardown)
{
	setenv("YICHUANG_BASE_URL", src_url, 1);
	setenv("YICHUANG_INSTANCE", inst, 1);
	rstack("wipe", NULL);
	sh("rm -rf var/%s/drill", inst);
	return suite_teardown(st);
}

SUITE_MAIN("backup", setup, teardown)
