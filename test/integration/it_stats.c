/*
 * it_stats.c — the hall manager's figures (GET /halls/{hall}/stats) over a generated day.
 *
 * The generator writes one day (2026-10-14, a Wednesday nobody else uses) of 5,000 tickets,
 * 300 appointments, 500 cases and their reviews and rectification tasks straight into the
 * test stack's MariaDB (the mariadb client as root over the instance's socket), keeping its
 * own books as it goes: every expected figure below comes from that bookkeeping, never from
 * running the same SQL.  The hall clock is put at 2026-10-20 10:00 so "overdue" is fixed.
 * Also: the CSV export, the manager-only rule, bad periods, and the latency of the call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/stackproc.h"
#include "../lib/expect.h"

#define DAY       "2026-10-14"
#define TODAY     "2026-10-20"
#define NTICKETS  5000
#define NAPPTS    300
#define NCASES    500
#define NCAT      6
#define NWIN      8

/* Deterministic generator (xorshift). */
static unsigned long long rng = 88172645463325252ULL;
static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* A growable list of seconds. */
struct vals {
	long	*v;
	size_t	 n, cap;
};

static void
vadd(struct vals *s, long x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		assert_non_null(s->v);
	}
	s->v[s->n++] = x;
}

static int
lcmp(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* Minutes to 0.1 as the API gives them: average, and the nearest-rank 90th percentile. */
static double
vavg(struct vals *s)
{
	double sum = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		sum += (double)s->v[i];
	return round(sum / (double)s->n / 6.0) / 10.0;
}

static double
vp90(struct vals *s)
{
	size_t k;

	qsort(s->v, s->n, sizeof *s->v, lcmp);
	k = (size_t)ceil(0.9 * (double)s->n);
	return round((double)s->v[k - 1] / 6.0) / 10.0;
}

struct grp {
	long		 taken, served, no_show, cancelled, skipped, open, called;
	struct vals	 wait, service;
};

/* The generator's books. */
static struct {
	struct grp	 cat[NCAT], win[NWIN + 1], clerk[NWIN + 1], all;
	long		 hour[NCAT][24];
	long		 a_booked[NCAT], a_checked[NCAT], a_noshow[NCAT], a_cancel[NCAT];
	long		 c_accepted, c_closed, c_overdue, c_comprehensive, c_online;
	long		 d_accepted[16], d_closed[16], d_overdue[16];
	long		 r_score[6], r_tasks, r_rectified, r_overdue;
} bk;

static const char *const depts[] = { "rsj", "ybj", "scjg", "zjj", "bdc", "mzj", "cl", "wjw",
	"gaj" };
#define NDEPT (sizeof depts / sizeof depts[0])
static const struct {
	const char *id, *dept;
} items[] = {
	{ "IT-A-001", "rsj" }, { "IT-A-003", "ybj" }, { "IT-B-001", "scjg" }, { "IT-C-001", "zjj" },
	{ "IT-C-002", "bdc" }, { "IT-D-001", "bdc" }, { "IT-E-001", "mzj" }, { "IT-E-003", "cl" },
	{ "IT-E-004", "wjw" }, { "IT-F-003", "gaj" }, { "IT-F-002", "rsj" },
};
#define NITEMS (sizeof items / sizeof items[0])

static int
dept_ix(const char *d)
{
	size_t i;

	for (i = 0; i < NDEPT; i++)
		if (strcmp(depts[i], d) == 0)
			return (int)i;
	return -1;
}

static void
hms(long s, char *out, size_t osz)
{
	snprintf(out, osz, DAY " %02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
}

/* The same as an SQL literal. */
static void
qtime(long s, char *out, size_t osz)
{
	snprintf(out, osz, "'" DAY " %02ld:%02ld:%02ld'", s / 3600, s / 60 % 60, s % 60);
}

/* Whether generated ticket i was served (the reviews' books need it). */
static int served_flag[5000];

/* "2026-10-DD" for 14 + off days (stays within October for the offsets used). */
static void
dayoff(int off, char *out, size_t osz)
{
	snprintf(out, osz, "2026-10-%02d", 14 + off);
}

static void
gen_tickets(FILE *f)
{
	int i, seq[NCAT] = { 0 };

	for (i = 0; i < NTICKETS; i++) {
		int c = i % NCAT, roll = (int)rnd(100), w = 1 + (int)rnd(7);
		long taken = 8 * 3600 + 1800 + (long)rnd(8 * 3600), wait = (long)rnd(3600);
		long start = 0, svc = 0;
		char t0[24], t1[32], t2[32], t3[32];
		const char *status, *outcome = NULL;
		int called = 0, hour = (int)(taken / 3600);

		if (i % 500 == 0)
			fprintf(f, "%sINSERT INTO queue_tickets (token, hall, day, num_cat, seq, number,"
			    " category, priority, line, rank_score, source, status, outcome, window_no,"
			    " clerk, calls, taken_at, called_at, started_at, finished_at, updated_at)"
			    " VALUES\n", i ? ";\n" : "");
		seq[c]++;
		hms(taken, t0, sizeof t0);
		snprintf(t1, sizeof t1, "NULL");
		snprintf(t2, sizeof t2, "NULL");
		snprintf(t3, sizeof t3, "NULL");
		if (roll < 80) {
			status = "done";
			outcome = "done";
			called = 1;
			start = taken + wait + (long)rnd(120);
			svc = 60 + (long)rnd(1740);
		} else if (roll < 85) {
			status = "done";
			outcome = "no_show";
			called = 1;
		} else if (roll < 90)
			status = "cancelled";
		else if (roll < 95) {
			status = "skipped";
			called = 1;
		} else
			status = "waiting";
		if (called)
			qtime(taken + wait, t1, sizeof t1);
		if (outcome && strcmp(outcome, "done") == 0) {
			qtime(start, t2, sizeof t2);
			qtime(start + svc, t3, sizeof t3);
			served_flag[i] = 1;
		} else if (outcome)
			qtime(taken + wait + 60, t3, sizeof t3);
		fprintf(f, "%s('stgen%05d', 'demo', '" DAY "', '%c', %d, '%c%03d', '%c', 'normal', 'n',"
		    " %d, 'kiosk', '%s', %s%s%s, %s, %s, %d, '%s', %s, %s, %s, '%s')",
		    i % 500 ? ",\n" : "", i, 'A' + c, seq[c], 'A' + c, seq[c], 'A' + c, i + 1, status,
		    outcome ? "'" : "", outcome ? outcome : "NULL", outcome ? "'" : "",
		    called ? (char[4]){ (char)('0' + w), 0 } : "NULL",
		    called ? (char[4]){ (char)('0' + w), 0 } : "NULL", called, t0, t1, t2, t3, t0);

		/* the books */
		struct grp *gs[3] = { &bk.cat[c], called ? &bk.win[w] : NULL,
		    called ? &bk.clerk[w] : NULL };
		int k;

		bk.cat[c].taken++;
		bk.all.taken++;
		bk.hour[c][hour]++;
		for (k = 0; k < 3; k++) {
			struct grp *g = gs[k];

			if (!g)
				continue;
			if (called) {
				g->called++;
				vadd(&g->wait, wait);
			}
			if (outcome && strcmp(outcome, "done") == 0) {
				g->served++;
				vadd(&g->service, svc);
			}
		}
		if (called) {
			bk.all.called++;
			vadd(&bk.all.wait, wait);
		}
		if (outcome && strcmp(outcome, "done") == 0) {
			bk.all.served++;
			vadd(&bk.all.service, svc);
		} else if (outcome)
			bk.cat[c].no_show++;
		else if (strcmp(status, "cancelled") == 0)
			bk.cat[c].cancelled++;
		else if (strcmp(status, "skipped") == 0)
			bk.cat[c].skipped++;
		else
			bk.cat[c].open++;
	}
	fprintf(f, ";\n");
}

static void
gen_appointments(FILE *f)
{
	int i;
	int seat[NCAT][16] = { { 0 } };

	fprintf(f, "INSERT INTO citizens (created_at) SELECT NOW() FROM seq_1_to_%d;\n"
	    "SET @c0 = LAST_INSERT_ID();\n", NAPPTS);
	fprintf(f, "INSERT INTO appointments (token_hash, token_enc, code, hall, category, day,"
	    " start_time, end_time, seat, citizen_id, name_enc, idnum_enc, idnum_hash, status,"
	    " created_at, updated_at, checked_in_at, cancelled_at, ticket_id) VALUES\n");
	for (i = 0; i < NAPPTS; i++) {
		int c = (int)rnd(NCAT), s = (int)rnd(14), roll = (int)rnd(100);
		const char *st = roll < 20 ? "booked" : roll < 70 ? "checked_in" : roll < 85 ?
		    "no_show" : "cancelled";
		int cancelled = strcmp(st, "cancelled") == 0;
		char seatv[16], tick[96];

		if (!cancelled)
			snprintf(seatv, sizeof seatv, "%d", ++seat[c][s]);
		else
			snprintf(seatv, sizeof seatv, "NULL");
		if (strcmp(st, "checked_in") == 0)
			snprintf(tick, sizeof tick, "(SELECT id FROM queue_tickets WHERE token ="
			    " 'stgen%05d')", i * 7);
		else
			snprintf(tick, sizeof tick, "NULL");
		fprintf(f, "%s(SHA2('stgen-appt-%d', 256), 'x', '%06d', 'demo', '%c', '" DAY "',"
		    " '%02d:%02d:00', '%02d:%02d:00', %s, @c0 + %d, 'x', 'x',"
		    " SHA2('stgen-id-%d', 256), '%s', '2026-10-10 10:00:00', '2026-10-10 10:00:00',"
		    " %s, %s, %s)", i ? ",\n" : "", i, 100000 + i, 'A' + c, 9 + s / 2, s % 2 * 30,
		    9 + (s + 1) / 2, (s + 1) % 2 * 30, seatv, i, i, st,
		    strcmp(st, "checked_in") == 0 ? "'" DAY " 09:00:00'" : "NULL",
		    cancelled ? "'2026-10-12 10:00:00'" : "NULL", tick);
		if (!cancelled)
			bk.a_booked[c]++;
		if (strcmp(st, "checked_in") == 0)
			bk.a_checked[c]++;
		if (strcmp(st, "no_show") == 0)
			bk.a_noshow[c]++;
		if (cancelled)
			bk.a_cancel[c]++;
	}
	fprintf(f, ";\n");
}

/* The case's columns that do not matter here are filler; what the figures read is real. */
static void
gen_cases(FILE *f)
{
	int i;

	for (i = 0; i < NCASES; i++) {
		int it = (int)rnd(NITEMS), it2 = -1, online = rnd(100) < 15, w = 1 + (int)rnd(NWIN);
		int roll = (int)rnd(100), dl = 1 + (int)rnd(10), dec = (int)rnd(9), pause = (int)rnd(6);
		long acc = 8 * 3600 + 1800 + (long)rnd(8 * 3600);
		char acct[24], closet[24], dls[12], decs[12], pauses[12], no[32];
		const char *status;
		int overdue, decided = 0, paused = 0, closed = 0, d1, d2 = -1;

		if (rnd(10) == 0) {
			it2 = (it + 1 + (int)rnd(NITEMS - 1)) % (int)NITEMS;
		}
		snprintf(no, sizeof no, "STGEN-%04d", i);
		hms(acc, acct, sizeof acct);
		hms(acc + 600, closet, sizeof closet);
		dayoff(dl, dls, sizeof dls);
		dayoff(dec, decs, sizeof decs);
		dayoff(pause, pauses, sizeof pauses);
		if (roll < 30) {
			status = "closed";
			closed = 1;
			decided = 1;
			snprintf(decs, sizeof decs, DAY);
		} else if (roll < 70)
			status = "processing";
		else if (roll < 90) {
			status = "approved";
			decided = 1;
		} else {
			status = "supplement_needed";
			paused = 1;
		}
		fprintf(f, "INSERT INTO cases (no, hall, channel, item, title, status,"
		    " applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
		    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash, applicant_phone_mask,"
		    " window_no, accepted_at, promised_days, deadline, paused_since, decision, decided_at,"
		    " closed_at, created_at, updated_at) VALUES ('%s', 'demo', '%s', '%s', '生成的办件',"
		    " '%s', 'x', '张*', 'x', SHA2('%s', 256), 'x', 'x', SHA2('%s', 256), 'x', %s, '%s',"
		    " %d, '%s', %s%s%s, %s, %s%s%s, %s%s%s, '%s', '%s');\n",
		    no, online ? "online" : "window", items[it].id, status, no, no,
		    online ? "NULL" : (char[4]){ (char)('0' + w), 0 }, acct, dl, dls,
		    paused ? "'" : "", paused ? pauses : "NULL", paused ? "'" : "",
		    decided ? "'approved'" : "NULL",
		    decided ? "'" : "", decided ? decs : "NULL", decided ? " 12:00:00'" : "",
		    closed ? "'" : "", closed ? closet : "NULL", closed ? "'" : "", acct, acct);
		fprintf(f, "SET @k = LAST_INSERT_ID();\nINSERT INTO case_parts (case_id, seq, item,"
		    " department, promised_days) VALUES (@k, 1, '%s', '%s', %d)", items[it].id,
		    items[it].dept, dl);
		if (it2 >= 0 && strcmp(items[it2].dept, items[it].dept) != 0)
			fprintf(f, ", (@k, 2, '%s', '%s', %d)", items[it2].id, items[it2].dept, dl);
		else
			it2 = -1;
		fprintf(f, ";\n");
		/* closed cases: one in three gets a review (一事一评) */
		if (closed && rnd(3) == 0) {
			int sc = 1 + (int)rnd(5);

			fprintf(f, "INSERT INTO reviews (hall, kind, case_id, ref, day, score, created_at)"
			    " VALUES ('demo', 'case', @k, '%s', '" DAY "', %d, '" DAY " 17:00:00');\n", no,
			    sc);
			bk.r_score[sc]++;
		}

		/* the books: overdue = deadline before the decision, the pause, or today */
		{
			const char *until = decided ? decs : paused ? pauses : TODAY;

			overdue = strcmp(dls, until) < 0;
		}
		d1 = dept_ix(items[it].dept);
		if (it2 >= 0)
			d2 = dept_ix(items[it2].dept);
		bk.c_accepted++;
		bk.d_accepted[d1]++;
		if (d2 >= 0)
			bk.d_accepted[d2]++;
		if (closed) {
			bk.c_closed++;
			bk.d_closed[d1]++;
			if (d2 >= 0)
				bk.d_closed[d2]++;
		}
		if (overdue) {
			bk.c_overdue++;
			bk.d_overdue[d1]++;
			if (d2 >= 0)
				bk.d_overdue[d2]++;
		}
		if (online)
			bk.c_online++;
		else if (w != 8)	/* window 8 is the pickup window */
			bk.c_comprehensive++;
	}
}

/* Reviews of served tickets (一次一评): one in eight; the bad ones get a task. */
static void
gen_reviews(FILE *f)
{
	int i;

	for (i = 0; i < NTICKETS; i += 8) {
		int sc = 1 + (int)rnd(5);

		fprintf(f, "INSERT INTO reviews (hall, kind, ticket_id, ref, day, score, attitude,"
		    " created_at) SELECT 'demo', 'ticket', id, number, '" DAY "', %d, %d, finished_at"
		    " FROM queue_tickets WHERE token = 'stgen%05d' AND outcome = 'done';\n", sc, sc, i);
		fprintf(f, "SET @rv = IF(ROW_COUNT() = 1, LAST_INSERT_ID(), NULL);\n");
		if (sc <= 2) {
			int closed = rnd(100) < 60, dl = 3 + (int)rnd(7);
			char dls[12];

			dayoff(dl, dls, sizeof dls);
			fprintf(f, "INSERT INTO review_rectifications (review_id, hall, day, status,"
			    " deadline, contacted_at, cause, fix, closed_at, closed_by, opened_at,"
			    " updated_at) SELECT @rv, 'demo', '" DAY "', '%s', '%s', %s, %s, %s, %s, %s,"
			    " '" DAY " 18:00:00', '" DAY " 18:00:00' FROM DUAL WHERE @rv IS NOT NULL;\n",
			    closed ? "closed" : "open", dls,
			    closed ? "'2026-10-15 10:00:00'" : "NULL", closed ? "'原因'" : "''",
			    closed ? "'措施'" : "''", closed ? "'2026-10-16 10:00:00'" : "NULL",
			    closed ? "'9'" : "NULL");
		}
	}
}

static int
run_sql_file(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "mariadb --socket=var/%s/run/mysql.sock -uroot yichuang < %s",
	    test_instance(), path);
	return system(cmd);
}

/* One value read from the database (empty when there is none). */
static void
sql_value(const char *query, char *out, size_t osz)
{
	char cmd[1024];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof cmd, "mariadb --socket=var/%s/run/mysql.sock -uroot -N -B --default-character-set=utf8mb4 yichuang"
	    " -e \"%s\"", test_instance(), query);
	out[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL)
		return;
	n = fread(out, 1, osz - 1, p);
	out[n] = '\0';
	pclose(p);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
}

static double
jnum(json_t *o, const char *path)
{
	json_t *v = jget(o, path);

	if (json_is_integer(v))
		return (double)json_integer_value(v);
	if (json_is_real(v))
		return json_real_value(v);
	return NAN;
}

static json_t *
row_by(json_t *arr, const char *key, const char *val)
{
	size_t i;

	for (i = 0; i < json_array_size(arr); i++) {
		json_t *r = json_array_get(arr, i), *k = json_object_get(r, key);
		char buf[32];

		if (json_is_string(k) && strcmp(json_string_value(k), val) == 0)
			return r;
		if (json_is_integer(k)) {
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(k));
			if (strcmp(buf, val) == 0)
				return r;
		}
	}
	return NULL;
}

static void
check_times(json_t *row, struct grp *g, const char *what)
{
	if (g->called == 0)
		return;
	if (fabs(jnum(row, "avg_wait_minutes") - vavg(&g->wait)) > 0.051 ||
	    fabs(jnum(row, "p90_wait_minutes") - vp90(&g->wait)) > 0.051)
		fprintf(stderr, "%s: wait %.1f/%.1f, expected %.1f/%.1f\n", what,
		    jnum(row, "avg_wait_minutes"), jnum(row, "p90_wait_minutes"), vavg(&g->wait),
		    vp90(&g->wait));
	assert_true(fabs(jnum(row, "avg_wait_minutes") - vavg(&g->wait)) <= 0.051);
	assert_true(fabs(jnum(row, "p90_wait_minutes") - vp90(&g->wait)) <= 0.051);
	if (g->served) {
		assert_true(fabs(jnum(row, "avg_service_minutes") - vavg(&g->service)) <= 0.051);
		assert_true(fabs(jnum(row, "p90_service_minutes") - vp90(&g->service)) <= 0.051);
	}
	assert_int_equal((long)jnum(row, "called"), g->called);
}

static char mgr[128];

TEST(generated_day)
{
	char path[256], key[32], q[512], name[256], name7[256], long7[256];
	struct resp r;
	struct timeval t0, t1;
	FILE *f;
	int c, w, d, h;
	unsigned long long saved;
	json_t *s;
	double ms;

	memset(&bk, 0, sizeof bk);
	snprintf(path, sizeof path, "var/%s/stats-gen.sql", test_instance());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "SET NAMES utf8mb4;\n"
	    "DELETE h FROM review_rectification_history h JOIN review_rectifications t"
	    " ON t.id = h.task_id WHERE t.hall = 'demo' AND t.day = '" DAY "';\n"
	    "DELETE FROM review_rectifications WHERE hall = 'demo' AND day = '" DAY "';\n"
	    "DELETE FROM reviews WHERE hall = 'demo' AND day = '" DAY "';\n"
	    "DELETE FROM appointment_history WHERE appointment_id IN (SELECT id FROM appointments"
	    " WHERE hall = 'demo' AND day = '" DAY "');\n"
	    "DELETE FROM appointments WHERE hall = 'demo' AND day = '" DAY "';\n"
	    "DELETE FROM queue_ticket_history WHERE ticket_id IN (SELECT id FROM queue_tickets"
	    " WHERE hall = 'demo' AND day = '" DAY "');\n"
	    "DELETE FROM queue_tickets WHERE hall = 'demo' AND day = '" DAY "';\n"
	    "DELETE FROM cases WHERE hall = 'demo' AND accepted_at >= '" DAY "'"
	    " AND accepted_at < '2026-10-15';\n"
	    "START TRANSACTION;\n");
	gen_tickets(f);
	gen_appointments(f);
	gen_cases(f);
	saved = rng;
	gen_reviews(f);
	fprintf(f, "COMMIT;\n");
	fclose(f);
	assert_int_equal(run_sql_file(path), 0);

	/* The reviews' books: replay the reviews' random choices against the ticket books. */
	rng = saved;
	{
		int i;

		for (i = 0; i < NTICKETS; i += 8) {
			int sc = 1 + (int)rnd(5);

			if (sc <= 2) {
				int closed = rnd(100) < 60, dl = 3 + (int)rnd(7);

				if (served_flag[i]) {
					bk.r_tasks++;
					if (closed)
						bk.r_rectified++;
					else if (14 + dl < 20)
						bk.r_overdue++;
				}
			}
			if (served_flag[i])
				bk.r_score[sc]++;
		}
	}

	/* A clerk's name of 50 Chinese characters (the most staff.name holds) is given whole. */
	sql_value("SELECT name FROM staff WHERE id = 7", name7, sizeof name7);
	assert_true(name7[0] != '\0');
	snprintf(q, sizeof q, "UPDATE staff SET name = REPEAT('长', 50) WHERE id = 7");
	sql_value(q, long7, sizeof long7);
	sql_value("SELECT name FROM staff WHERE id = 7", long7, sizeof long7);
	assert_int_equal(strlen(long7), 150);

	assert_int_equal(set_clock(TODAY "T10:00:00+08:00"), 0);
	gettimeofday(&t0, NULL);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats?from=" DAY "&to=" DAY,
	    mgr, NULL), 0);
	gettimeofday(&t1, NULL);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_usec - t0.tv_usec) / 1000.0;
	fprintf(stderr, "stats over a day of %d tickets and %d cases: %.0f ms\n", NTICKETS, NCASES,
	    ms);
	if (r.status != 200)
		fprintf(stderr, "%ld %s\n", r.status, r.body);
	assert_int_equal(r.status, 200);
	assert_true(ms < 1000.0);
	s = r.json;

	/* tickets */
	assert_int_equal((long)jnum(s, "tickets.taken"), NTICKETS);
	for (c = 0; c < NCAT; c++) {
		json_t *row;

		key[0] = (char)('A' + c);
		key[1] = 0;
		row = row_by(jget(s, "tickets.by_category"), "category", key);
		assert_non_null(row);
		assert_int_equal((long)jnum(row, "taken"), bk.cat[c].taken);
		assert_int_equal((long)jnum(row, "served"), bk.cat[c].served);
		assert_int_equal((long)jnum(row, "no_show"), bk.cat[c].no_show);
		assert_int_equal((long)jnum(row, "cancelled"), bk.cat[c].cancelled);
		assert_int_equal((long)jnum(row, "skipped"), bk.cat[c].skipped);
		assert_int_equal((long)jnum(row, "open"), bk.cat[c].open);
		check_times(row, &bk.cat[c], key);
		for (h = 0; h < 24; h++) {
			json_t *hours = jget(s, "tickets.by_hour");
			long got = 0;
			size_t i;

			for (i = 0; i < json_array_size(hours); i++) {
				json_t *x = json_array_get(hours, i);

				if (strcmp(jstr(x, "category"), key) == 0 && jint(x, "hour") == h)
					got = (long)jint(x, "count");
			}
			assert_int_equal(got, bk.hour[c][h]);
		}
	}
	check_times(jget(s, "tickets"), &bk.all, "hall");
	{	/* by category in code order; by hour in hour order, then category */
		json_t *cats = jget(s, "tickets.by_category"), *hours = jget(s, "tickets.by_hour");
		size_t i;

		assert_int_equal(json_array_size(cats), NCAT);
		for (i = 1; i < json_array_size(cats); i++)
			assert_true(strcmp(jstr(json_array_get(cats, i - 1), "category"),
			    jstr(json_array_get(cats, i), "category")) < 0);
		for (i = 1; i < json_array_size(hours); i++) {
			json_t *a = json_array_get(hours, i - 1), *b = json_array_get(hours, i);

			assert_true(jint(a, "hour") < jint(b, "hour") || (jint(a, "hour") ==
			    jint(b, "hour") && strcmp(jstr(a, "category"), jstr(b, "category")) < 0));
			assert_true(jint(b, "count") > 0);
		}
	}
	for (w = 1; w <= 7; w++) {
		json_t *row;

		snprintf(key, sizeof key, "%d", w);
		row = row_by(jget(s, "tickets.by_window"), "window", key);
		assert_non_null(row);
		assert_int_equal((long)jnum(row, "served"), bk.win[w].served);
		check_times(row, &bk.win[w], key);
		row = row_by(jget(s, "tickets.by_clerk"), "clerk", key);	/* clerkN has id N */
		assert_non_null(row);
		snprintf(q, sizeof q, "clerk%d", w);
		check_times(row, &bk.clerk[w], q);
		snprintf(q, sizeof q, "SELECT name FROM staff WHERE id = %d", w);
		sql_value(q, name, sizeof name);
		assert_non_null(jstr(row, "name"));
		assert_string_equal(jstr(row, "name"), name);
	}
	assert_non_null(jstr(row_by(jget(s, "tickets.by_clerk"), "clerk", "7"), "name"));
	assert_string_equal(jstr(row_by(jget(s, "tickets.by_clerk"), "clerk", "7"), "name"), long7);
	snprintf(q, sizeof q, "UPDATE staff SET name = '%s' WHERE id = 7", name7);
	sql_value(q, name, sizeof name);

	/* appointments */
	{
		long b = 0, ci = 0, ns = 0, ca = 0;

		for (c = 0; c < NCAT; c++) {
			b += bk.a_booked[c];
			ci += bk.a_checked[c];
			ns += bk.a_noshow[c];
			ca += bk.a_cancel[c];
		}
		assert_int_equal((long)jnum(s, "appointments.booked"), b);
		assert_int_equal((long)jnum(s, "appointments.checked_in"), ci);
		assert_int_equal((long)jnum(s, "appointments.no_show"), ns);
		assert_int_equal((long)jnum(s, "appointments.cancelled"), ca);
	}

	/* cases */
	assert_int_equal((long)jnum(s, "cases.accepted"), bk.c_accepted);
	assert_int_equal((long)jnum(s, "cases.closed"), bk.c_closed);
	assert_int_equal((long)jnum(s, "cases.overdue"), bk.c_overdue);
	assert_int_equal((long)jnum(s, "cases.online"), bk.c_online);
	assert_int_equal((long)jnum(s, "cases.at_comprehensive"), bk.c_comprehensive);
	assert_true(fabs(jnum(s, "cases.comprehensive_share") -
	    (double)bk.c_comprehensive / (double)bk.c_accepted) < 0.0001);
	for (d = 0; d < (int)NDEPT; d++) {
		json_t *row = row_by(jget(s, "cases.by_department"), "department", depts[d]);

		if (bk.d_accepted[d] == 0 && bk.d_closed[d] == 0) {
			assert_null(row);
			continue;
		}
		assert_non_null(row);
		assert_int_equal((long)jnum(row, "accepted"), bk.d_accepted[d]);
		assert_int_equal((long)jnum(row, "closed"), bk.d_closed[d]);
		assert_int_equal((long)jnum(row, "overdue"), bk.d_overdue[d]);
	}

	/* reviews */
	{
		long tot = 0, good = bk.r_score[4] + bk.r_score[5];

		for (c = 1; c <= 5; c++) {
			snprintf(q, sizeof q, "reviews.by_score.%d", c);
			assert_int_equal((long)jnum(s, q), bk.r_score[c]);
			tot += bk.r_score[c];
		}
		assert_int_equal((long)jnum(s, "reviews.total"), tot);
		assert_true(fabs(jnum(s, "reviews.satisfaction_rate") - (double)good / (double)tot) <
		    0.0001);
		assert_int_equal((long)jnum(s, "reviews.rectification.tasks"), bk.r_tasks);
		assert_int_equal((long)jnum(s, "reviews.rectification.rectified"), bk.r_rectified);
		assert_int_equal((long)jnum(s, "reviews.rectification.overdue"), bk.r_overdue);
		assert_true(fabs(jnum(s, "reviews.rectification_rate") -
		    (double)bk.r_rectified / (double)bk.r_tasks) < 0.0001);
	}
	resp_free(&r);

	/* CSV: the same figures, one per line. */
	{
		char auth[200], line[64];
		const char *hdr[] = { auth, "Accept: text/csv", NULL };

		snprintf(auth, sizeof auth, "Authorization: Bearer %s", mgr);
		assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/stats?from=" DAY "&to=" DAY,
		    NULL, hdr), 0);
		assert_int_equal(r.status, 200);
		assert_non_null(resp_header(&r, "Content-Type", q, sizeof q));
		assert_non_null(strstr(q, "text/csv"));
		assert_non_null(strstr(r.body, "section,group,metric,value"));
		snprintf(line, sizeof line, "\ntickets,,taken,%d\r", NTICKETS);
		assert_non_null(strstr(r.body, line));
		snprintf(line, sizeof line, "\ncases,,accepted,%ld\r", bk.c_accepted);
		assert_non_null(strstr(r.body, line));
		resp_free(&r);
		assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats?from=" DAY
		    "&format=csv", mgr, NULL), 0);
		assert_int_equal(r.status, 200);
		assert_non_null(strstr(r.body, "tickets.by_category,A,taken,"));
		resp_free(&r);
	}
	assert_int_equal(set_clock(NULL), 0);
}

TEST(stats_rules)
{
	char clerk[128];
	struct resp r;

	/* Not signed in → 401; a clerk → 403; bad periods → 400 naming the fields. */
	expect_reply("GET", "/api/v1/halls/demo/stats", NULL, NULL, 401);
	assert_int_equal(staff_login("clerk2", 2, clerk, sizeof clerk), 0);
	expect_reply("GET", "/api/v1/halls/demo/stats", clerk, NULL, 403);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats?from=2026-13-01&to=x&format=pdf",
	    mgr, NULL), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(jget(r.json, "error.fields.from"));
	assert_non_null(jget(r.json, "error.fields.to"));
	assert_non_null(jget(r.json, "error.fields.format"));
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats?from=2026-10-20&to=2026-10-01",
	    mgr, NULL), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(jget(r.json, "error.fields.to"));
	resp_free(&r);
	/* Open hall alerts come with the figures (the array is there even when empty). */
	assert_int_equal(http_json(&r, "GET", "/api/v1/halls/demo/stats", mgr, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_true(json_is_array(jget(r.json, "alerts")));
	resp_free(&r);
}

FIXTURE(setup)
{
	return staff_login("manager1", 0, mgr, sizeof mgr);
}

SUITE_MAIN("stats", setup, NULL)
