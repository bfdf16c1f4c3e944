/*
 * appointments_jobs.c — the worker's appointment jobs.
 *
 * job_appointments_noshow: a booking still "booked" when its slot has ended becomes a
 *   no-show (guarded UPDATE with its history row, one transaction per booking).  When that
 *   makes appointment_noshow_limit (2) no-shows of the same ID number at the hall within
 *   appointment_noshow_window_days (90), the ID number may not book there for
 *   appointment_ban_days (90): an appointment_bans row in the same transaction, then pushed
 *   into Redis where the booking script checks it.
 * job_appointments_remind: the day before, the "appointment_reminder" SMS (urgent = 0: the
 *   notify worker holds it through quiet hours) for every live booking of tomorrow that was
 *   made before today (a booking made today has just had its confirmation).  reminded_at
 *   claims the row, so several workers never send it twice.
 * job_appointments_reconcile: Redis and MariaDB can drift apart only in rare failures — a
 *   cancellation committed while Redis was unreachable leaves its place taken in Redis (never
 *   the other way round: a place MariaDB holds is never free in Redis for long, and the
 *   unique place key refuses it anyway).  Every minute the free places of each loaded day are
 *   compared with capacity minus MariaDB's bookings; bookings in flight make short-lived
 *   differences, so only a difference that stays exactly the same over three runs drops the
 *   day's markers, and the day is rebuilt from MariaDB on its next request.
 * Tables: appointments, appointment_history, appointment_bans, outbox, halls, citizens
 *   (the phone, through record.c), the slot plan.
 * Redis:  {hall:<code>}:appt:* (state.c).
 */
#include "appointments.h"
#include "record.h"
#include "../hall/calendar.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"
#include "../rooms.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_BATCH 200

/* A booking the no-show or the reminder job acts on.  The no-show job reads the first four
 * columns; day as days since 1970-01-01 (DATEDIFF), start_min after midnight. */
struct due {
	long long	 id;
	char		 hall[33];
	char		 idhash[65];
	int64_t		 day;
	int		 start_min;
	char		 code[8];
	long long	 citizen;
	char		 hall_name[256];
};

static const struct db_col due_cols[] = {
	DBC_I(struct due, id, 1, INT64_MAX), DBC_S(struct due, hall), DBC_S(struct due, idhash),
	DBC_I(struct due, day, 0, 3000000), DBC_I(struct due, start_min, 0, 1440),
	DBC_S(struct due, code), DBC_I(struct due, citizen, 1, INT64_MAX),
	DBC_S(struct due, hall_name),
};

struct noshow {
	const struct due	*d;
	const struct appt_rules	*ru;
	const char		*at;
	int64_t			 until;		/* out: the ban's last day, when banned */
	int			 banned;
};

/* In one transaction: the booking → no-show with its history row, and the ban it may
 * cause.  A booking no longer booked (checked in or cancelled meanwhile, or another worker
 * took it) changes nothing.  0 or a DB_* code. */
static int
noshow_tx(struct ctx *c, void *arg)
{
	struct noshow *ns = arg;
	const struct due *d = ns->d;
	char day[11], from[11], until[11], cnt[16];
	uint64_t n = 0;
	long long k = 0;
	int64_t span_from;
	int rc;

	ns->banned = 0;
	date_format_days(d->day, day, sizeof day);
	appt_noshow_span(ns->ru, d->day, &span_from);
	date_format_days(span_from, from, sizeof from);
	rc = db_exec(c, "UPDATE appointments SET status = 'no_show', updated_at = ?"
	    " WHERE id = ? AND status = 'booked'", DBARGS(DBS(ns->at), DBI(d->id)), &n, NULL);
	if (rc != 0 || n == 0)
		return rc;
	rc = appt_history(c, (struct appt_actor){ 0, "" }, d->id, "no_show", "booked", "no_show",
	    "", ns->at);
	if (rc == 0)
		rc = db_scalar(c, "SELECT COUNT(*) FROM appointments WHERE hall = ? AND idnum_hash = ?"
		    " AND status = 'no_show' AND day BETWEEN ? AND ?",
		    DBARGS(DBS(d->hall), DBS(d->idhash), DBS(from), DBS(day)), cnt, sizeof cnt);
	if (rc < 0)
		return rc;
	if (parse_ll(cnt, 0, 1000000, &k) != 0 ||
	    !appt_rule_noshow_ban(ns->ru, d->day, k, &ns->until))
		return 0;
	date_format_days(ns->until, until, sizeof until);
	rc = db_exec(c, "INSERT INTO appointment_bans (hall, idnum_hash, since, until)"
	    " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
	    " since = IF(VALUES(until) > until, VALUES(since), since),"
	    " until = GREATEST(until, VALUES(until))",
	    DBARGS(DBS(d->hall), DBS(d->idhash), DBS(day), DBS(until)), NULL, NULL);
	ns->banned = rc == 0;
	return rc;
}

/* One booking → no-show, and the ban it may cause pushed into Redis.  0 or a DB_* code. */
static int
mark_noshow(struct ctx *c, const struct due *d, const struct appt_rules *ru, const char *at)
{
	struct noshow ns = { d, ru, at, 0, 0 };
	char until[11];
	int rc;

	if ((rc = db_tx(c, noshow_tx, &ns)) != 0)
		return rc;
	if (ns.banned) {
		date_format_days(ns.until, until, sizeof until);
		log_info("hall %s: appointment %lld no-show; booking suspended until %s", d->hall,
		    d->id, until);
		if (appt_ban_push(c, d->hall, d->idhash, ns.until) != 0)
			log_warn("hall %s: ban not pushed to Redis (down): rebuilt from MariaDB later",
			    d->hall);
	}
	return 0;
}

int
job_appointments_noshow(struct ctx *c)
{
	static struct due d[JOB_BATCH];	/* the worker runs its jobs on one thread */
	struct appt_rules ru;
	int64_t now = hall_now(), today = hall_day(now);
	char day[11], hm[16], at[32];
	unsigned minute = (unsigned)((now - hall_day_start(today)) / 60) % 1440;
	int i, n, rc;

	appt_rules(&ru);
	date_format_days(today, day, sizeof day);
	snprintf(hm, sizeof hm, "%02u:%02u:00", minute / 60, minute % 60);
	n = db_rows_into(c, "SELECT id, hall, idnum_hash, DATEDIFF(day, '1970-01-01')"
	    " FROM appointments WHERE status = 'booked' AND (day < ? OR (day = ? AND end_time <= ?))"
	    " ORDER BY day, end_time LIMIT 200", DBARGS(DBS(day), DBS(day), DBS(hm)),
	    DB_COLS(due_cols), d, sizeof d[0], JOB_BATCH);
	if (n < 0)
		return n;
	sql_now(at, sizeof at);
	for (i = 0; i < n && i < JOB_BATCH; i++)
		if ((rc = mark_noshow(c, &d[i], &ru, at)) != 0)
			return rc;
	return 0;
}

struct remind {
	const struct due	*d;
	const char		*at;
	const char		*phone;
};

/* Claim the reminder (reminded_at) and queue its SMS, in one transaction.  0 or DB_*. */
static int
remind_tx(struct ctx *c, void *arg)
{
	struct remind *rm = arg;
	json_t *params;
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE appointments SET reminded_at = ? WHERE id = ? AND status = 'booked'"
	    " AND reminded_at IS NULL", DBARGS(DBS(rm->at), DBI(rm->d->id)), &n, NULL);
	if (rc != 0 || n != 1 || rm->phone[0] == '\0')
		return rc;
	params = appt_sms_params(rm->d->hall_name, rm->d->day, rm->d->start_min);
	json_object_set_new(params, "code", json_string(rm->d->code));
	/* Not urgent: a reminder waits for the morning. */
	return appt_sms_queue(c, rm->d->hall, rm->d->id, rm->phone, "appointment_reminder",
	    params, 0);
}

static int
remind_one(struct ctx *c, const struct due *d, const char *at)
{
	struct remind rm = { d, at, NULL };
	char phone[24];
	int rc;

	if ((rc = appt_phone(c, d->citizen, phone)) < 0)
		return rc == -1 ? 0 : rc;	/* a record that does not open: nothing to send */
	rm.phone = phone;
	rc = db_tx(c, remind_tx, &rm);
	sodium_memzero(phone, sizeof phone);
	return rc;
}

int
job_appointments_remind(struct ctx *c)
{
	static struct due d[JOB_BATCH];
	int64_t today = hall_day(hall_now());
	char tomorrow[11], midnight[24], at[32];
	int i, n, rc;

	date_format_days(today + 1, tomorrow, sizeof tomorrow);
	date_format_days(today, midnight, sizeof midnight);
	str_copy(midnight + 10, sizeof midnight - 10, " 00:00:00");
	n = db_rows_into(c, "SELECT a.id, a.hall, a.idnum_hash, DATEDIFF(a.day, '1970-01-01'),"
	    " HOUR(a.start_time) * 60 + MINUTE(a.start_time), a.code, a.citizen_id, h.name"
	    " FROM appointments a JOIN halls h ON h.code = a.hall"
	    " WHERE a.status = 'booked' AND a.day = ? AND a.reminded_at IS NULL"
	    " AND a.created_at < ? ORDER BY a.id LIMIT 200",
	    DBARGS(DBS(tomorrow), DBS(midnight)), DB_COLS(due_cols), d, sizeof d[0], JOB_BATCH);
	if (n < 0)
		return n;
	sql_now(at, sizeof at);
	for (i = 0; i < n && i < JOB_BATCH; i++)
		if ((rc = remind_one(c, &d[i], at)) != 0)
			return rc;
	return 0;
}

/* ------------------------------------------------------------------ reconcile */

#define RECON_MAX  64
#define RECON_RUNS 3

static struct suspect {
	char		 hall[33];
	int64_t		 day;
	uint64_t	 sig;
	int		 runs;
	int		 seen;	/* in the current pass */
} suspects[RECON_MAX];

struct taken {
	const struct appt_slot *sl;
	int		 n;
	int		*count;
};

static int
taken_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct taken *t = arg;
	long long start, k;
	int i;

	(void)ncol;
	(void)lens;
	if (parse_ll(v[1], 0, 1440, &start) != 0 || parse_ll(v[2], 0, 100000, &k) != 0)
		return 0;
	for (i = 0; i < t->n; i++)
		if (t->sl[i].cat == v[0][0] && t->sl[i].start_min == start)
			t->count[i] = (int)k;
	return 0;
}

/* FNV-1a over "slot:difference;" of every slot that differs; 0 when none does. */
static uint64_t
difference(const struct appt_slot *sl, int n, const int *rem, const int *cap, const int *count)
{
	uint64_t h = 14695981039346656037ULL;
	char buf[48];
	int i, any = 0;
	size_t j;

	for (i = 0; i < n; i++) {
		if (rem[i] < 0 || rem[i] == cap[i] - count[i])
			continue;
		any = 1;
		fmt(buf, sizeof buf, "%s:%d;", sl[i].id, cap[i] - count[i] - rem[i]);
		for (j = 0; buf[j]; j++) {
			h ^= (unsigned char)buf[j];
			h *= 1099511628211ULL;
		}
	}
	return any ? (h ? h : 1) : 0;
}

static void
suspect_note(struct ctx *c, const char *hall, int64_t day, uint64_t sig)
{
	struct suspect *s = NULL, *free_s = NULL;
	int i;

	for (i = 0; i < RECON_MAX; i++) {
		if (suspects[i].hall[0] && strcmp(suspects[i].hall, hall) == 0 &&
		    suspects[i].day == day)
			s = &suspects[i];
		else if (!suspects[i].hall[0] && !free_s)
			free_s = &suspects[i];
	}
	if (sig == 0) {
		if (s)
			memset(s, 0, sizeof *s);
		return;
	}
	if (s == NULL) {
		if ((s = free_s) == NULL)
			return;
		str_copy(s->hall, sizeof s->hall, hall);
		s->day = day;
	}
	s->seen = 1;
	if (s->sig != sig) {
		s->sig = sig;
		s->runs = 1;
		return;
	}
	if (++s->runs >= RECON_RUNS) {
		char date[11];

		date_format_days(day, date, sizeof date);
		log_warn("hall %s: free places of %s differ from MariaDB's bookings; rebuilding",
		    hall, date);
		appt_invalidate(c, hall, day);
		memset(s, 0, sizeof *s);
	}
}

static int
hall_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char (*halls)[33] = arg;
	int i;

	(void)ncol;
	(void)lens;
	for (i = 0; i < 16; i++)
		if (!halls[i][0]) {
			str_copy(halls[i], 33, v[0]);
			break;
		}
	return 0;
}

int
job_appointments_reconcile(struct ctx *c)
{
	static struct appt_slot sl[APPT_MAX_SLOTS];
	static int rem[APPT_MAX_SLOTS], cap[APPT_MAX_SLOTS], count[APPT_MAX_SLOTS];
	char halls[16][33], date[11];
	struct appt_rules ru;
	struct taken t;
	int64_t today = hall_day(hall_now()), d;
	int h, n, rc;

	appt_rules(&ru);
	memset(halls, 0, sizeof halls);
	if ((rc = db_query(c, "SELECT code FROM halls ORDER BY code LIMIT 16", DBNOARGS, hall_row,
	    halls)) < 0)
		return rc;
	for (h = 0; h < RECON_MAX; h++)
		suspects[h].seen = 0;
	for (h = 0; h < 16 && halls[h][0]; h++)
		for (d = today; d <= today + ru.days_ahead; d++) {
			n = appt_day_slots(c, halls[h], d, 0, sl, APPT_MAX_SLOTS);
			if (n == CAL_MISSING || n == 0)
				continue;
			if (n < 0)
				return n;
			rc = appt_peek(c, halls[h], d, sl, n, rem, cap);
			if (rc == 1)
				continue;	/* not loaded: it will be built from MariaDB anyway */
			if (rc < 0)
				return DB_DOWN;	/* Redis: tried again on the next turn */
			memset(count, 0, sizeof count);
			t.sl = sl;
			t.n = n;
			t.count = count;
			date_format_days(d, date, sizeof date);
			rc = db_query(c, "SELECT category, HOUR(start_time) * 60 + MINUTE(start_time),"
			    " COUNT(*) FROM appointments WHERE hall = ? AND day = ?"
			    " AND status <> 'cancelled' GROUP BY category, start_time",
			    DBARGS(DBS(halls[h]), DBS(date)), taken_row, &t);
			if (rc < 0)
				return rc;
			suspect_note(c, halls[h], d, difference(sl, n, rem, cap, count));
		}
	/* Days that were suspect but are no longer looked at (past) are forgotten. */
	for (h = 0; h < RECON_MAX; h++)
		if (suspects[h].hall[0] && !suspects[h].seen)
			memset(&suspects[h], 0, sizeof suspects[h]);
	return 0;
}

const struct job appointments_jobs[] = {
	{ "appointments-noshow", 30 * 1000, job_appointments_noshow },
	{ "appointments-remind", 15 * 1000, job_appointments_remind },
	{ "appointments-reconcile", 60 * 1000, job_appointments_reconcile },
};
const size_t appointments_njobs = NELEM(appointments_jobs);
