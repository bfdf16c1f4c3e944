/*
 * it_stats_days.c — the ticket figures of GET /halls/{hall}/stats when the days before today
 * come from their packed copies (stats_ticket_days, migration 150): the figures of a period
 * of two ended days and today are those worked out here from the tickets' rows, and stay so
 * when a ticket of an ended day is changed, deleted or added after its day was packed.
 *
 * Tickets of 10, 11 and 12 August 2026 (days no other suite uses) are written straight into
 * the record; the hall clock is put at 12 August, so the 10th and 11th are ended and packed
 * on the first call, the 12th read from its rows.  The expected figures come from SQL over
 * queue_tickets and the nearest rank computed here, never from the packed copies.
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

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/steps.h"
#include "../../fcgi/db.h"

#define D1     "2026-08-10"
#define D2     "2026-08-11"
#define TODAY  "2026-08-12"
#define PERIOD "/api/v1/halls/demo/stats?from=" D1 "&to=" TODAY
#define PER_DAY 60

/* Every ticket of the three days written again: on the ended days done (some no-shows) or
 * cancelled, today some still waiting; categories A–C, windows 1–4, three clerks. */
static void
tickets_write(void)
{
	static const char *const days[] = { D1, D2, TODAY };
	static char sqls[3][65536];	/* one text each: db.c keeps statements by their text's address */
	size_t d;
	int k;

	assert_int_equal(db_exec(&test_db, "DELETE FROM queue_tickets WHERE hall = 'demo'"
	    " AND day BETWEEN '" D1 "' AND '" TODAY "'", DBNOARGS, NULL, NULL), 0);
	for (d = 0; d < 3; d++) {
		char *sql = sqls[d];
		size_t n = 0, sz = sizeof sqls[d];

		n += (size_t)snprintf(sql + n, sz - n, "INSERT INTO queue_tickets (token,"
		    " hall, day, num_cat, seq, number, category, priority, line, rank_score, source,"
		    " status, outcome, window_no, clerk, calls, taken_at, called_at, started_at,"
		    " finished_at, updated_at) VALUES ");
		for (k = 0; k < PER_DAY; k++) {
			char cat = (char)('A' + k % 3);
			int waiting = d == 2 && k % 5 == 0, cancelled = !waiting && k % 10 == 7;
			int noshow = !waiting && !cancelled && k % 10 == 3;
			long t = 9 * 3600 + k * 300, w = 30 + (k * 97 + (long)d * 13) % 1500;
			long s = 60 + (k * 53) % 900;
			char tt[40], called[80], started[80], finished[80];

			snprintf(tt, sizeof tt, "'%s %02ld:%02ld:00'", days[d], t / 3600, t / 60 % 60);
			if (waiting || cancelled) {
				snprintf(called, sizeof called, "NULL");
				snprintf(started, sizeof started, "NULL");
				snprintf(finished, sizeof finished, "NULL");
			} else {
				snprintf(called, sizeof called, "%s + INTERVAL %ld SECOND", tt, w);
				if (noshow)
					snprintf(started, sizeof started, "NULL");
				else
					snprintf(started, sizeof started, "%s + INTERVAL %ld SECOND", tt,
					    w + 20);
				snprintf(finished, sizeof finished, "%s + INTERVAL %ld SECOND", tt,
				    w + 20 + s);
			}
			n += (size_t)snprintf(sql + n, sz - n, "%s('itd%zu%03d', 'demo', '%s',"
			    " '%c', %d, '%c%03d', '%c', 'normal', 'n', %d, 'kiosk', '%s', %s, %s, %s, %d,"
			    " %s, %s, %s, %s, %s)", k ? ", " : "", d, k, days[d], cat, k / 3 + 1, cat,
			    k / 3 + 1, cat, k + 1, waiting ? "waiting" : cancelled ? "cancelled" : "done",
			    waiting || cancelled ? "NULL" : noshow ? "'no_show'" : "'done'",
			    waiting || cancelled ? "NULL" : k % 4 == 0 ? "1" : k % 4 == 1 ? "2" :
			    k % 4 == 2 ? "3" : "4",
			    waiting || cancelled ? "NULL" : k % 3 == 0 ? "'itd-a'" : k % 3 == 1 ?
			    "'itd-b'" : "'itd-c'", waiting || cancelled ? 0 : 1, tt, called, started,
			    finished, tt);
			assert_true(n < sz);
		}
		assert_int_equal(db_exec(&test_db, sql, DBNOARGS, NULL, NULL), 0);
	}
}

/* The seconds of the period's tickets as sql selects them, sorted (the caller frees). */
struct secs {
	long	*v;
	size_t	 n;
};

static int
secs_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct secs *s = arg;

	(void)lens;
	if (ncol < 1 || v[0] == NULL)
		return 0;
	s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = strtol(v[0], NULL, 10);
	return 0;
}

/* avg and nearest-rank p90 of what sql selects, as minutes to 0.1, against the reply's
 * members avg and p90 of tickets. */
static void
times_match(json_t *tickets, const char *sql, const char *avg, const char *p90)
{
	struct secs s = { NULL, 0 };
	double sum = 0;
	size_t i;

	assert_true(db_query(&test_db, sql, DBNOARGS, secs_row, &s) > 0);
	for (i = 0; i < s.n; i++)
		sum += (double)s.v[i];
	/* the rows come in order (ORDER BY 1) */
	assert_float_equal(json_real_value(json_object_get(tickets, avg)),
	    round(sum / (double)s.n / 6.0) / 10.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(tickets, p90)),
	    round((double)s.v[(9 * s.n + 9) / 10 - 1] / 6.0) / 10.0, 1e-9);
	free(s.v);
}

/* The number sql counts (a literal: db.c keeps statements by their text's address), its one
 * parameter arg when it has one. */
static long long
scalar(const char *sql, const char *arg)
{
	char out[32];

	if (arg)
		assert_int_equal(db_scalar(&test_db, sql, DBARGS(DBS(arg)), out, sizeof out), 1);
	else
		assert_int_equal(db_scalar(&test_db, sql, DBNOARGS, out, sizeof out), 1);
	return strtoll(out, NULL, 10);
}

#define WHERE " FROM queue_tickets WHERE hall = 'demo' AND day BETWEEN '" D1 "' AND '" TODAY "'"

/* The period's ticket figures are those of its rows. */
static void
figures_match(const char *mgr)
{
	struct resp r;
	json_t *t, *cats;
	size_t i;

	http_at(&r, "GET", mgr, NULL, "%s", PERIOD);
	assert_int_equal(r.status, 200);
	t = jget(r.json, "tickets");
	assert_non_null(t);
	assert_int_equal(json_integer_value(json_object_get(t, "taken")),
	    scalar("SELECT COUNT(*)" WHERE, NULL));
	assert_int_equal(json_integer_value(json_object_get(t, "served")),
	    scalar("SELECT COUNT(*)" WHERE " AND outcome = 'done'", NULL));
	assert_int_equal(json_integer_value(json_object_get(t, "no_show")),
	    scalar("SELECT COUNT(*)" WHERE " AND outcome = 'no_show'", NULL));
	assert_int_equal(json_integer_value(json_object_get(t, "open")),
	    scalar("SELECT COUNT(*)" WHERE " AND status = 'waiting'", NULL));
	assert_int_equal(json_integer_value(json_object_get(t, "called")),
	    scalar("SELECT COUNT(*)" WHERE " AND called_at IS NOT NULL", NULL));
	times_match(t, "SELECT TIMESTAMPDIFF(SECOND, taken_at, called_at)" WHERE
	    " AND called_at IS NOT NULL ORDER BY 1", "avg_wait_minutes", "p90_wait_minutes");
	times_match(t, "SELECT TIMESTAMPDIFF(SECOND, started_at, finished_at)" WHERE
	    " AND outcome = 'done' ORDER BY 1", "avg_service_minutes", "p90_service_minutes");
	cats = json_object_get(t, "by_category");
	assert_int_equal(json_array_size(cats), 3);
	for (i = 0; i < 3; i++) {
		char cat[2] = { (char)('A' + i), 0 };

		assert_int_equal(json_integer_value(json_object_get(json_array_get(cats, i),
		    "taken")), scalar("SELECT COUNT(*)" WHERE " AND category = ?", cat));
	}
	resp_free(&r);
}

static long long
packed(const char *day)
{
	return scalar("SELECT COUNT(*) FROM stats_ticket_days WHERE hall = 'demo' AND day = ?",
	    day);
}

TEST(ended_days_packed_and_kept_true)
{
	char mgr[128];

	clock_at(TODAY "T15:00:00+08:00");
	tickets_write();
	assert_int_equal(packed(D1), 0);	/* writing the tickets removed any copy */
	staff_in("manager1", 0, mgr, sizeof mgr);

	/* The ended days are packed by the first call; today is not. */
	figures_match(mgr);
	assert_int_equal(packed(D1), 1);
	assert_int_equal(packed(D2), 1);
	assert_int_equal(packed(TODAY), 0);
	figures_match(mgr);	/* now from the copies */

	/* A correction on an ended day: a longer wait, a served ticket made a no-show. */
	assert_int_equal(db_exec(&test_db, "UPDATE queue_tickets SET called_at = taken_at"
	    " + INTERVAL 7200 SECOND WHERE token IN ('itd0001', 'itd0004', 'itd0005')",
	    DBNOARGS, NULL, NULL), 0);
	assert_int_equal(db_exec(&test_db, "UPDATE queue_tickets SET outcome = 'no_show',"
	    " started_at = NULL WHERE token = 'itd0002'", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(packed(D1), 0);
	figures_match(mgr);
	assert_int_equal(packed(D1), 1);

	/* A ticket of an ended day deleted, and one added. */
	assert_int_equal(db_exec(&test_db, "DELETE FROM queue_tickets WHERE token = 'itd1008'",
	    DBNOARGS, NULL, NULL), 0);
	assert_int_equal(packed(D2), 0);
	figures_match(mgr);
	assert_int_equal(db_exec(&test_db, "INSERT INTO queue_tickets (token, hall, day, num_cat,"
	    " seq, number, category, priority, line, rank_score, source, status, outcome,"
	    " window_no, clerk, calls, taken_at, called_at, started_at, finished_at, updated_at)"
	    " VALUES ('itd1999', 'demo', '" D2 "', 'C', 99, 'C099', 'C', 'normal', 'n', 999,"
	    " 'kiosk', 'done', 'done', 2, 'itd-z', 1, '" D2 " 16:00:00', '" D2 " 17:30:00',"
	    " '" D2 " 17:31:00', '" D2 " 17:59:00', '" D2 " 16:00:00')", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(packed(D2), 0);
	figures_match(mgr);
	assert_int_equal(packed(D2), 1);

	/* A ticket still open on an ended day: the day is read from its rows, not packed. */
	assert_int_equal(db_exec(&test_db, "UPDATE queue_tickets SET status = 'waiting',"
	    " outcome = NULL, called_at = NULL, started_at = NULL, finished_at = NULL,"
	    " window_no = NULL, clerk = NULL WHERE token = 'itd0010'", DBNOARGS, NULL, NULL), 0);
	figures_match(mgr);
	assert_int_equal(packed(D1), 0);
	set_clock(NULL);
}

SUITE_MAIN("stats_days", suite_setup, suite_teardown)
