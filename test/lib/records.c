/*
 * records.c — numbers from the record for the integration tests (see records.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

#include "records.h"

#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/notify/outbox.h"

int
db_count_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	long long *n = arg;

	(void)ncol;
	(void)lens;
	*n = v[0] ? strtoll(v[0], NULL, 10) : 0;
	return 1;
}

long long
db_count(struct ctx *c, const char *sql, const char *arg)
{
	long long n = -1;
	int rc;

	rc = arg ? db_query(c, sql, DBARGS(DBS(arg)), db_count_row, &n) :
	    db_query(c, sql, DBNOARGS, db_count_row, &n);
	assert_true(rc >= 0);
	return n;
}

long long
case_history_rows(struct ctx *c, const char *no, const char *action, const char *by)
{
	long long n = -1;

	assert_true(db_query(c, "SELECT COUNT(*) FROM case_history h JOIN cases c ON c.id ="
	    " h.case_id WHERE c.no = ? AND h.action = ? AND (? IS NULL OR h.actor_name = ?)",
	    DBARGS(DBS(no), DBS(action), DBSO(by), DBSO(by)), db_count_row, &n) >= 0);
	return n;
}

void
case_outbox_param(struct ctx *c, const char *tmpl, const char *no, const char *param, char *out,
    size_t osz)
{
	char path[64];

	out[0] = '\0';
	snprintf(path, sizeof path, "$.%s", param);
	assert_true(db_scalar(c, "SELECT JSON_UNQUOTE(JSON_EXTRACT(params, ?)) FROM outbox"
	    " WHERE template = ? AND ref_kind = 'case' AND ref_id = ? ORDER BY id DESC LIMIT 1",
	    DBARGS(DBS(path), DBS(tmpl), DBS(no)), out, osz) >= 0);
}

void
phone_with(char out[12], const char *last4)
{
	snprintf(out, 12, "139%04u%s", (unsigned)randombytes_uniform(10000), last4);
}

uint64_t
outbox_queue(struct ctx *c, const char *channel, const char *tmpl, const char *to,
    json_t *params, const char *kind, const char *ref, int urgent)
{
	return outbox_queue_sql(c, NULL, channel, tmpl, to, params, kind, ref, urgent);
}

uint64_t
outbox_queue_sql(struct ctx *c, const char *sql_after, const char *channel, const char *tmpl,
    const char *to, json_t *params, const char *kind, const char *ref, int urgent)
{
	struct outbox_msg m;
	uint64_t id = 0;

	memset(&m, 0, sizeof m);
	m.hall = "demo";
	m.channel = channel;
	m.template = tmpl;
	m.recipient = to;
	m.params = params;
	m.ref_kind = kind;
	m.ref_id = ref;
	m.urgent = urgent;
	assert_int_equal(db_begin(c), 0);
	assert_int_equal(outbox_add(c, &m, &id), 0);
	if (sql_after)
		assert_int_equal(db_exec(c, sql_after, DBARGS(DBI(id)), NULL, NULL), 0);
	assert_int_equal(db_commit(c), 0);
	json_decref(params);
	assert_true(id > 0);
	return id;
}

static long long
num_or(const char *v)
{
	return v ? strtoll(v, NULL, 10) : -1;
}

static int
outbox_row_fill(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct outbox_row *s = arg;

	(void)ncol;
	(void)lens;
	snprintf(s->status, sizeof s->status, "%s", v[0] ? v[0] : "");
	s->attempts = num_or(v[1]);
	snprintf(s->last_error, sizeof s->last_error, "%s", v[2] ? v[2] : "");
	snprintf(s->provider, sizeof s->provider, "%s", v[3] ? v[3] : "");
	snprintf(s->msg_id, sizeof s->msg_id, "%s", v[4] ? v[4] : "");
	snprintf(s->delivery, sizeof s->delivery, "%s", v[5] ? v[5] : "");
	s->segments = num_or(v[6]);
	snprintf(s->next_at, sizeof s->next_at, "%s", v[7] ? v[7] : "");
	return 1;
}

void
outbox_row(struct ctx *c, uint64_t id, struct outbox_row *s)
{
	memset(s, 0, sizeof *s);
	assert_int_equal(db_query(c, "SELECT status, attempts, last_error, provider,"
	    " provider_msg_id, delivery_status, segments,"
	    " DATE_FORMAT(next_attempt_at, '%Y-%m-%d %H:%i:%s') FROM outbox WHERE id = ?",
	    DBARGS(DBI(id)), outbox_row_fill, s), 1);
}

/* ------------------------------------------------------------------ a day of its own */

void
pick_day(struct ctx *c, char day[11], char when[32], char next[11], const char *hint)
{
	static int used;
	struct tm tm;
	time_t t;
	char out[24];
	int i, k = 0;

	for (i = 0; i < 37; i++) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = 2026 - 1900;
		tm.tm_mon = 10;
		tm.tm_mday = 24 + i;
		tm.tm_hour = 12;
		t = timegm(&tm);
		gmtime_r(&t, &tm);
		if (tm.tm_wday < 1 || tm.tm_wday > 4)
			continue;
		strftime(day, 11, "%Y-%m-%d", &tm);
		if (k++ < used)
			continue;
		used++;
		assert_int_equal(db_scalar(c, "SELECT COUNT(*) FROM queue_tickets WHERE"
		    " hall = 'demo' AND day = ?", DBARGS(DBS(day)), out, sizeof out), 1);
		if (strtol(out, NULL, 10) > 300)
			continue;
		snprintf(when, 32, "%sT10:00:00+08:00", day);
		t += 86400;
		gmtime_r(&t, &tm);
		strftime(next, 11, "%Y-%m-%d", &tm);
		return;
	}
	fail_msg("no free day left in 2026-11-24 … 2026-12-30 (%s)", hint);
}

long long
db_count_with(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs)
{
	long long n = -1;

	assert_true(db_query(c, sql, args, nargs, db_count_row, &n) >= 0);
	return n;
}
