/*
 * slot_plan.c — the slot plan: slot ids and times, which slots a hall offers on which day
 * (templates, the day's capacity overrides, the working-day calendar), the process's copy of
 * the templates, and the demo hall's templates.
 *
 * Routes: none (slots_api.c serves GET /halls/{hall}/slots and PATCH …/slots/{slot}).
 * Tables: appointment_slot_templates, slot_plan_weekdays, slot_plan_weekday_slots,
 *         slot_plan_dates, slot_plan_date_slots (migration 140), appointment_slot_overrides,
 *         categories (retired_at), calendar_* (through calendar.h), hall_hours (the demo
 *         seed).
 * Redis:  yc:appt:plan_gen (the plans' generation, fcgi/kv_gen.h: raised by
 *         appt_plan_changed, read by every process at most every 500 ms); the places of
 *         each day are state.c's.
 *
 * Which plan a category follows on a day: the date's own (slot_plan_dates: a Saturday
 * opening's slots, fewer places on a training day) when it has one; else its weekday's
 * (slot_plan_weekdays: fewer places on Friday afternoons) when it has one; else the
 * category's plan (appointment_slot_templates).  A plan row with no slots: none that day.
 * A slot exists on a day only when the hall opens that day (hall/hall_hours.h: a working
 * day of the calendar with the week's hours, or a date with hours of its own) and the slot
 * lies inside one of the day's opening periods.  Slots are bookable from now until
 * appointment_days_ahead days on.  A retired category's slots carry `retired`: they are
 * not offered nor booked, but the bookings already there keep them (check-in, the places).
 */
#include "appointments.h"
#include "appointments_int.h"
#include "../hall/calendar.h"
#include "../hall/hall_hours.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/kv_gen.h"
#include "../../fcgi/log.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ slot ids and times */

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
appt_slot_parse(const char *id, char *cat, int64_t *day, int *start_min)
{
	char date[11];
	long long hh, mm;

	if (strlen(id) != APPT_SLOT_ID_LEN || id[0] < 'A' || id[0] > 'Z' || id[1] != '-' ||
	    id[10] != '-' || !digits(id + 2, 8) || !digits(id + 11, 4))
		return -1;
	snprintf(date, sizeof date, "%.4s-%.2s-%.2s", id + 2, id + 6, id + 8);
	if (date_parse(date, day) != 0 || parse_lln(id + 11, 2, 0, 23, &hh) != 0 ||
	    parse_lln(id + 13, 2, 0, 59, &mm) != 0)
		return -1;
	*cat = id[0];
	*start_min = (int)(hh * 60 + mm);
	return 0;
}

void
appt_slot_id(char cat, int64_t day, int start_min, char out[APPT_SLOT_ID_LEN + 1])
{
	char tmp[48];
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(tmp, sizeof tmp, "%c-%04d%02u%02u-%02d%02d", cat, y, m, d, start_min / 60,
	    start_min % 60);
	str_copy(out, APPT_SLOT_ID_LEN + 1, tmp);
}

void
appt_time(int64_t day, int minute, char *out, size_t osz)
{
	time_format(appt_instant(day, minute), out, osz);
}

void
appt_hhmm(int minute, char out[6])
{
	unsigned m = (unsigned)minute % (24 * 60);

	snprintf(out, 6, "%02u:%02u", m / 60, m % 60);
}

/* ------------------------------------------------------------------ the plan of a day */

struct slots_fill {
	struct appt_slot *out;
	int		 max, n;
	int64_t		 day;
};

static int
slot_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct slots_fill *f = arg;
	struct appt_slot *s;
	long long start, minutes, cap;

	(void)ncol;
	(void)lens;
	if (f->n >= f->max)
		return 1;
	if (parse_ll(v[1], 0, 24 * 60 - 1, &start) != 0 || parse_ll(v[2], 1, 24 * 60, &minutes) != 0 ||
	    parse_ll(v[3], 0, 1000, &cap) != 0 || v[0][0] < 'A' || v[0][0] > 'Z')
		return 0;
	s = &f->out[f->n++];
	s->cat = v[0][0];
	s->day = f->day;
	s->start_min = (int)start;
	s->end_min = (int)(start + minutes);
	s->capacity = (int)cap;
	s->retired = ncol > 4 && v[4] && strcmp(v[4], "1") == 0;
	appt_slot_id(s->cat, s->day, s->start_min, s->id);
	return 0;
}

int
appt_weekday(int64_t day)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((day % 7) + 7 + 3) % 7) + 1;
}

int
appt_day_slots(struct ctx *c, const char *hall, int64_t day, char cat, struct appt_slot *out,
    int max)
{
	struct slots_fill f = { out, max, 0, day };
	char date[11], cs[2] = { cat, '\0' };
	struct hall_day hd;
	int rc, i, n;

	if ((rc = hall_day_hours(c, hall, day, &hd)) < 0)
		return rc;	/* CAL_MISSING or a DB_* code */
	if (rc == 0)
		return 0;
	date_format_days(day, date, sizeof date);
	/* The date's plan, else the weekday's, else the category's (see above). */
	rc = db_query(c,
	    "SELECT p.category, HOUR(p.start_time) * 60 + MINUTE(p.start_time), p.minutes,"
	    " COALESCE(o.capacity, p.capacity), c.retired_at IS NOT NULL FROM ("
	    "  SELECT ds.category, ds.start_time, ds.minutes, ds.capacity"
	    "  FROM slot_plan_date_slots ds WHERE ds.hall = ? AND ds.day = ?"
	    " UNION ALL"
	    "  SELECT ws.category, ws.start_time, ws.minutes, ws.capacity"
	    "  FROM slot_plan_weekday_slots ws WHERE ws.hall = ? AND ws.weekday = ?"
	    "  AND NOT EXISTS (SELECT 1 FROM slot_plan_dates pd WHERE pd.hall = ws.hall AND"
	    "   pd.category = ws.category AND pd.day = ?)"
	    " UNION ALL"
	    "  SELECT t.category, t.start_time, t.minutes, t.capacity"
	    "  FROM appointment_slot_templates t WHERE t.hall = ?"
	    "  AND NOT EXISTS (SELECT 1 FROM slot_plan_dates pd WHERE pd.hall = t.hall AND"
	    "   pd.category = t.category AND pd.day = ?)"
	    "  AND NOT EXISTS (SELECT 1 FROM slot_plan_weekdays pw WHERE pw.hall = t.hall AND"
	    "   pw.category = t.category AND pw.weekday = ?)"
	    " ) p JOIN categories c ON c.hall = ? AND c.code = p.category"
	    " LEFT JOIN appointment_slot_overrides o ON o.hall = c.hall AND o.category = p.category"
	    "  AND o.start_time = p.start_time AND o.day = ?"
	    " WHERE (? = '' OR p.category = ?)"
	    " ORDER BY p.category, p.start_time",
	    DBARGS(DBS(hall), DBS(date), DBS(hall), DBI(appt_weekday(day)), DBS(date), DBS(hall),
	    DBS(date), DBI(appt_weekday(day)), DBS(hall), DBS(date), DBS(cs), DBS(cs)),
	    slot_row, &f);
	if (rc < 0)
		return rc;
	/* Only the slots inside the day's opening hours: a date opened for the morning only
	 * offers its morning slots. */
	for (i = n = 0; i < f.n; i++)
		if (hall_day_covers(&hd, out[i].start_min, out[i].end_min))
			out[n++] = out[i];
	return n;
}

int
appt_slot_find(struct ctx *c, const char *hall, const char *id, struct appt_slot *out)
{
	struct appt_slot slots[APPT_MAX_SLOTS];
	int64_t day;
	int start, n, i;
	char cat;

	if (appt_slot_parse(id, &cat, &day, &start) != 0)
		return 0;
	if ((n = appt_day_slots(c, hall, day, cat, slots, APPT_MAX_SLOTS)) < 0)
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(slots[i].id, id) == 0) {
			*out = slots[i];
			return 1;
		}
	return 0;
}

/* ------------------------------------------------------------------ the plan, per process */

/*
 * Booking looks its slot up in the hall's plan on every request, and most requests of a
 * rush are refused (full) a moment later by Redis.  The plans change only when the
 * administration edits them, so each process keeps a copy at most PLAN_TTL_MS old (this
 * process's dropped at once by appt_plan_changed) and booking asks MariaDB nothing before
 * Redis has given it a place.  What a day really offers — a manager's capacity for the
 * day, the places left — is Redis's, loaded from MariaDB (appt_day_slots), so the copy only
 * says whether a slot exists, when it ends and whether its category is retired.  The copy
 * holds the categories' plans, the weekdays' plans and the dates' plans from a week ago on;
 * a weekday or date plan with no slots is kept as one entry with start -1, so an empty plan
 * (no slots that day) is known too.  A plan larger than PLAN_MAX is not
 * copied whole: lookups then ask MariaDB.
 */
#define PLAN_TTL_MS 10000
#define PLAN_MAX 8192
/* appt_plan_changed raises it; every process drops its copy within 500 ms of seeing it. */
static struct kv_gen plan_gen = KV_GEN_INIT("yc:appt:plan_gen", 500);

enum { SRC_CATEGORY, SRC_WEEKDAY, SRC_DATE };

struct plan_slot {
	char	 hall[33];
	char	 cat;
	char	 src;			/* SRC_* */
	char	 retired;
	int	 weekday;		/* SRC_WEEKDAY */
	int64_t	 day;			/* SRC_DATE */
	int	 start_min, minutes, capacity;	/* start -1: the plan row itself */
};

/* The whole plan, as the cache (fcgi/cache.h) keeps it for PLAN_TTL_MS. */
struct plan {
	struct plan_slot slot[PLAN_MAX];
	size_t		 n;
	int		 complete;	/* 0: the plans had more than PLAN_MAX entries */
	int64_t		 from;		/* dated plans from this day on are here */
};

struct plan_fill {
	struct plan_slot *out;
	size_t		 n, max;
	int		 overflow;
	int		 src;
};

/* hall, category, start (NULL: the plan row), minutes, capacity, retired, weekday|day */
static int
plan_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct plan_fill *f = arg;
	struct plan_slot *p;
	long long start = -1, minutes = 0, cap = 0, wd = 0;
	int64_t day = 0;

	(void)ncol;
	(void)lens;
	if (f->n >= f->max) {
		f->overflow = 1;
		return 1;
	}
	if (v[0] == NULL || v[1] == NULL || v[1][0] < 'A' || v[1][0] > 'Z')
		return 0;
	if (v[2] && (parse_ll(v[2], 0, 24 * 60 - 1, &start) != 0 ||
	    parse_ll(v[3], 1, 24 * 60, &minutes) != 0 || parse_ll(v[4], 0, 1000, &cap) != 0))
		return 0;
	if (f->src == SRC_WEEKDAY && (v[6] == NULL || parse_ll(v[6], 1, 7, &wd) != 0))
		return 0;
	if (f->src == SRC_DATE && (v[6] == NULL || date_parse(v[6], &day) != 0))
		return 0;
	p = &f->out[f->n++];
	str_copy(p->hall, sizeof p->hall, v[0]);
	p->cat = v[1][0];
	p->src = (char)f->src;
	p->retired = v[5] && strcmp(v[5], "1") == 0;
	p->weekday = (int)wd;
	p->day = day;
	p->start_min = (int)start;
	p->minutes = (int)minutes;
	p->capacity = (int)cap;
	return 0;
}

/*
 * Where the plan comes from, one query per source (rows: hall, category, start minute,
 * minutes, capacity, category retired, the source's weekday or day).  The dated plan is read
 * from a week ago on (from, the one argument); the others take none.
 */
static const struct {
	int		 src;
	size_t		 nargs;
	const char	*sql;
} plan_sources[] = {
	{ SRC_CATEGORY, 0, "SELECT t.hall, t.category, HOUR(t.start_time) * 60 +"
	    " MINUTE(t.start_time), t.minutes, t.capacity, c.retired_at IS NOT NULL, NULL"
	    " FROM appointment_slot_templates t JOIN categories c ON c.hall = t.hall AND"
	    " c.code = t.category" },
	{ SRC_WEEKDAY, 0, "SELECT w.hall, w.category, HOUR(s.start_time) * 60 +"
	    " MINUTE(s.start_time), s.minutes, s.capacity, c.retired_at IS NOT NULL, w.weekday"
	    " FROM slot_plan_weekdays w JOIN categories c ON c.hall = w.hall AND"
	    " c.code = w.category LEFT JOIN slot_plan_weekday_slots s ON s.hall = w.hall AND"
	    " s.category = w.category AND s.weekday = w.weekday" },
	{ SRC_DATE, 1, "SELECT d.hall, d.category, HOUR(s.start_time) * 60 +"
	    " MINUTE(s.start_time), s.minutes, s.capacity, c.retired_at IS NOT NULL,"
	    " DATE_FORMAT(d.day, '%Y-%m-%d')"
	    " FROM slot_plan_dates d JOIN categories c ON c.hall = d.hall AND"
	    " c.code = d.category LEFT JOIN slot_plan_date_slots s ON s.hall = d.hall AND"
	    " s.category = d.category AND s.day = d.day WHERE d.day >= ?" },
};

/*
 * The whole plan, read from MariaDB into p: a snapshot that needs no lock and touches no
 * shared state, so the cache calls it outside its lock.  0 or a DB_* code.
 */
static int
plan_cache_load(struct ctx *c, void *value, void *arg)
{
	struct plan *p = value;
	struct plan_fill f = { p->slot, 0, PLAN_MAX, 0, SRC_CATEGORY };
	char from[11];
	size_t k;
	int rc = 0;

	(void)arg;
	p->from = hall_day(hall_now()) - 7;
	date_format_days(p->from, from, sizeof from);
	for (k = 0; rc >= 0 && k < NELEM(plan_sources); k++) {
		const struct dbv args[] = { DBS(from) };

		f.src = plan_sources[k].src;
		rc = db_query(c, plan_sources[k].sql, args, plan_sources[k].nargs, plan_row, &f);
	}
	if (rc < 0)
		return rc;
	p->n = f.n;
	p->complete = !f.overflow;
	return 0;
}

/* Strict: a slot added to the plan is bookable PLAN_TTL_MS later, whatever the load's timing. */
static struct cache plan_cache = { .size = sizeof(struct plan), .max_age_ms = PLAN_TTL_MS,
	.load = plan_cache_load, .wait_ms = CACHE_WAIT_MS, .strict = 1,
	.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

void
appt_plan_changed(struct ctx *c)
{
	cache_invalidate(&plan_cache);
	if (kv_gen_bump(c, &plan_gen) != 0)
		log_warn("appointments: the plan's generation cannot be raised; the other"
		    " processes follow within %d s", PLAN_TTL_MS / 1000);
}

static int
plan_match(const struct plan_slot *e, const char *hall, char cat, int src, int wd, int64_t day)
{
	return e->cat == cat && e->src == src && (src != SRC_WEEKDAY || e->weekday == wd) &&
	    (src != SRC_DATE || e->day == day) && strcmp(e->hall, hall) == 0;
}

/* The slot (hall, cat, start) of a day from a copy of the plan: 1 found (out set), 0 not. */
static int
plan_find(const struct plan *p, const char *hall, char cat, int64_t day, int start,
    struct appt_slot *out)
{
	int src = SRC_CATEGORY, wd = appt_weekday(day);
	size_t i;

	/* Any entry of the date's plan (a slot, or the plan row of an empty one) says it has
	 * one; else any of the weekday's. */
	for (i = 0; i < p->n && src == SRC_CATEGORY; i++)
		if (plan_match(&p->slot[i], hall, cat, SRC_DATE, wd, day))
			src = SRC_DATE;
	for (i = 0; i < p->n && src == SRC_CATEGORY; i++)
		if (plan_match(&p->slot[i], hall, cat, SRC_WEEKDAY, wd, day))
			src = SRC_WEEKDAY;
	for (i = 0; i < p->n; i++)
		if (p->slot[i].start_min == start &&
		    plan_match(&p->slot[i], hall, cat, src, wd, day)) {
			memset(out, 0, sizeof *out);
			out->cat = cat;
			out->day = day;
			out->start_min = start;
			out->end_min = start + p->slot[i].minutes;
			out->capacity = p->slot[i].capacity;
			out->retired = p->slot[i].retired;
			appt_slot_id(cat, day, start, out->id);
			return 1;
		}
	return 0;
}

int
appt_slot_lookup(struct ctx *c, const char *hall, const char *id, struct appt_slot *out)
{
	int64_t day;
	int start, rc, found = 0, complete;
	const struct plan *p;
	struct hall_day hd;
	char cat;

	if (appt_slot_parse(id, &cat, &day, &start) != 0)
		return 0;
	if ((rc = hall_day_hours(c, hall, day, &hd)) < 0)
		return rc;
	if (rc == 0)
		return 0;
	if (kv_gen_check(c, &plan_gen))
		cache_invalidate(&plan_cache);
	if ((p = cache_get(&plan_cache, c, NULL, &rc)) == NULL)
		return rc;
	complete = p->complete && day >= p->from;
	if (complete)
		found = plan_find(p, hall, cat, day, start, out);
	cache_put(&plan_cache, p);
	if (!complete)
		return appt_slot_find(c, hall, id, out);
	if (found && !hall_day_covers(&hd, out->start_min, out->end_min))
		return 0;	/* outside the day's opening hours */
	return found;
}

/* ------------------------------------------------------------------ demo seed */

int
appt_seed_demo(struct ctx *c)
{
	/* 30-minute slots from each opening period's start while they end by its close. */
	return db_exec(c,
	    "INSERT IGNORE INTO appointment_slot_templates (hall, category, start_time, minutes,"
	    " capacity)"
	    " SELECT c.hall, c.code, ADDTIME(h.open_at, SEC_TO_TIME(s.n * 1800)), 30,"
	    "  IF(c.code = 'A', 6, 4)"
	    " FROM categories c JOIN hall_hours h ON h.hall = c.hall"
	    " JOIN (WITH RECURSIVE seq (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq"
	    "  WHERE n < 47) SELECT n FROM seq) s"
	    " WHERE c.kind = 'service'"	/* every hall of the demo city; 咨询导办 is not booked */
	    "  AND ADDTIME(h.open_at, SEC_TO_TIME(s.n * 1800 + 1800)) <= h.close_at",
	    DBNOARGS, NULL, NULL);
}
