/*
 * appointments_slots.c — the slot plan: which slots a hall offers on which day, and how many
 * places remain.
 *
 * Routes: GET /halls/{hall}/slots?category=&date=   (public)
 *         PATCH /halls/{hall}/slots/{slot}          (manager: one day's capacity)
 * Tables: appointment_slot_templates, appointment_slot_overrides, calendar_* (through
 *         calendar.h), halls, categories, hall_hours (the demo seed), audit_log.
 * Redis:  through appointments_state.c: {hall:<code>}:appt:* (the places of each day).
 *
 * A slot exists on a day only when the day is a working day of the loaded holiday notice:
 * a day whose year is not loaded has no slots (the reply says which year is missing), never
 * a Monday–Friday guess.  Slots are bookable from now until appointment_days_ahead days on.
 */
#include "handlers.h"
#include "appointments.h"
#include "appointments_int.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../hall/catalog.h"
#include "../identity/identity.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
appt_rules(struct appt_rules *ru)
{
	ru->days_ahead = (int)config_int("appointment_days_ahead", 7, 0, 90);
	ru->per_week = (int)config_int("appointment_max_per_week", 2, 1, 100);
	ru->per_month = (int)config_int("appointment_max_per_month", 6, 1, 500);
	ru->one_per_day = (int)config_int("appointment_one_per_day", 1, 0, 1);
	ru->noshow_limit = (int)config_int("appointment_noshow_limit", 2, 1, 100);
	ru->noshow_window = (int)config_int("appointment_noshow_window_days", 90, 1, 3650);
	ru->ban_days = (int)config_int("appointment_ban_days", 90, 0, 3650);
	ru->checkin_before = (int)config_int("appointment_checkin_before_minutes", 30, 0, 600);
	ru->checkin_after = (int)config_int("appointment_checkin_after_minutes", 15, 0, 600);
}

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

int64_t
appt_instant(int64_t day, int minute)
{
	return hall_day_start(day) + (int64_t)minute * 60;
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

int64_t
appt_monday(int64_t day)
{
	return day - (weekday_of_days(day) + 6) % 7;
}

int
appt_month(int64_t day)
{
	int y;
	unsigned m, d;

	civil_from_days(day, &y, &m, &d);
	return y * 100 + (int)m;
}

void
appt_now_dt(char *out, size_t osz)
{
	sql_now(out, osz);
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
	appt_slot_id(s->cat, s->day, s->start_min, s->id);
	return 0;
}

int
appt_day_slots(struct ctx *c, const char *hall, int64_t day, char cat, struct appt_slot *out,
    int max)
{
	struct slots_fill f = { out, max, 0, day };
	char date[11], cs[2] = { cat, '\0' };
	int rc;

	if ((rc = calendar_is_workday(c, day)) < 0)
		return rc;	/* CAL_MISSING or a DB_* code */
	if (rc == 0)
		return 0;
	date_format_days(day, date, sizeof date);
	rc = db_query(c,
	    "SELECT t.category, HOUR(t.start_time) * 60 + MINUTE(t.start_time), t.minutes,"
	    " COALESCE(o.capacity, t.capacity)"
	    " FROM appointment_slot_templates t"
	    " LEFT JOIN appointment_slot_overrides o ON o.hall = t.hall AND o.category = t.category"
	    "  AND o.start_time = t.start_time AND o.day = ?"
	    " WHERE t.hall = ? AND (? = '' OR t.category = ?)"
	    " ORDER BY t.category, t.start_time",
	    DBARGS(DBS(date), DBS(hall), DBS(cs), DBS(cs)), slot_row, &f);
	return rc < 0 ? rc : f.n;
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
 * rush are refused (full) a moment later by Redis.  The plan (the templates) changes only
 * when a hall's timetable is edited in SQL, so each process keeps a copy at most
 * PLAN_TTL_MS old and booking asks MariaDB nothing before Redis has given it a place.  What
 * a day really offers — a manager's capacity for the day, the places left — is Redis's,
 * loaded from MariaDB (appt_day_slots), so the copy only says whether a slot exists and
 * when it ends.  A plan larger than PLAN_MAX is not copied: lookups then ask MariaDB.
 */
#define PLAN_TTL_MS 10000
#define PLAN_MAX 4096

struct plan_slot {
	char	 hall[33];
	char	 cat;
	int	 start_min, minutes, capacity;
};

static struct plan_slot plan[PLAN_MAX];
static size_t nplan;
static int plan_complete;
static int64_t plan_loaded_ms;		/* mono_ms(); 0: never */
static pthread_mutex_t plan_mtx = PTHREAD_MUTEX_INITIALIZER;

struct plan_fill {
	struct plan_slot *out;
	size_t		 n, max;
	int		 overflow;
};

static int
plan_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct plan_fill *f = arg;
	struct plan_slot *p;
	long long start, minutes, cap;

	(void)ncol;
	(void)lens;
	if (f->n >= f->max) {
		f->overflow = 1;
		return 1;
	}
	if (v[0] == NULL || v[1] == NULL || v[1][0] < 'A' || v[1][0] > 'Z' ||
	    parse_ll(v[2], 0, 24 * 60 - 1, &start) != 0 ||
	    parse_ll(v[3], 1, 24 * 60, &minutes) != 0 || parse_ll(v[4], 0, 1000, &cap) != 0)
		return 0;
	p = &f->out[f->n++];
	str_copy(p->hall, sizeof p->hall, v[0]);
	p->cat = v[1][0];
	p->start_min = (int)start;
	p->minutes = (int)minutes;
	p->capacity = (int)cap;
	return 0;
}

/* With plan_mtx held: a copy no older than PLAN_TTL_MS.  0 or a DB_* code. */
static int
plan_fresh_locked(struct ctx *c)
{
	static struct plan_slot fresh[PLAN_MAX];
	struct plan_fill f = { fresh, 0, PLAN_MAX, 0 };
	int64_t now = mono_ms();
	int rc;

	if (plan_loaded_ms && now - plan_loaded_ms < PLAN_TTL_MS)
		return 0;
	rc = db_query(c, "SELECT hall, category, HOUR(start_time) * 60 + MINUTE(start_time),"
	    " minutes, capacity FROM appointment_slot_templates", DBNOARGS, plan_row, &f);
	if (rc < 0)
		return rc;
	memcpy(plan, fresh, f.n * sizeof *plan);
	nplan = f.n;
	plan_complete = !f.overflow;
	plan_loaded_ms = now;
	return 0;
}

int
appt_slot_lookup(struct ctx *c, const char *hall, const char *id, struct appt_slot *out)
{
	int64_t day;
	int start, rc, found = 0, complete;
	size_t i;
	char cat;

	if (appt_slot_parse(id, &cat, &day, &start) != 0)
		return 0;
	if ((rc = calendar_is_workday(c, day)) < 0)
		return rc;
	if (rc == 0)
		return 0;
	pthread_mutex_lock(&plan_mtx);
	if ((rc = plan_fresh_locked(c)) == 0) {
		for (i = 0; i < nplan; i++)
			if (plan[i].cat == cat && plan[i].start_min == start &&
			    strcmp(plan[i].hall, hall) == 0) {
				memset(out, 0, sizeof *out);
				out->cat = cat;
				out->day = day;
				out->start_min = start;
				out->end_min = start + plan[i].minutes;
				out->capacity = plan[i].capacity;
				appt_slot_id(cat, day, start, out->id);
				found = 1;
				break;
			}
	}
	complete = plan_complete;
	pthread_mutex_unlock(&plan_mtx);
	if (rc < 0)
		return rc;
	if (!found && !complete)
		return appt_slot_find(c, hall, id, out);
	return found;
}

static json_t *
slot_json(const struct appt_slot *s, int cap, int remaining)
{
	char date[11], start[32], end[32];

	date_format_days(s->day, date, sizeof date);
	appt_time(s->day, s->start_min, start, sizeof start);
	appt_time(s->day, s->end_min, end, sizeof end);
	return json_pack("{s:s,s:s,s:s#,s:s,s:s,s:i,s:i}", "id", s->id, "date", date,
	    "category", &s->cat, (size_t)1, "start", start, "end", end, "capacity", cap,
	    "remaining", remaining < 0 ? 0 : remaining);
}

int
h_slots(struct req *r)
{
	const char *hall = r->pathv[0], *cat = NULL, *date = NULL;
	struct appt_slot *sl;
	struct appt_rules ru;
	int64_t today, now = hall_now(), from, to, d;
	int rem[APPT_MAX_SLOTS], cap[APPT_MAX_SLOTS], missing = 0, n, i, rc;
	json_t *list, *o;

	q_str(r, "category", 0, 1, &cat);
	q_str(r, "date", 0, 10, &date);
	if (cat && !category_code_ok(cat))
		req_fail_field(r, "category", "须为一个大写字母");
	if (date && date_parse(date, &from) != 0)
		req_fail_field(r, "date", "须为 YYYY-MM-DD 格式的日期");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	appt_rules(&ru);
	today = hall_day(now);
	if (!date) {
		from = today;
		to = today + ru.days_ahead;
	} else
		to = from;
	if ((sl = calloc(APPT_MAX_SLOTS, sizeof *sl)) == NULL)
		return req_bug(r, "out of memory");
	list = json_array();
	for (d = from; d <= to; d++) {
		if (d < today || d > today + ru.days_ahead)
			continue;	/* not bookable: no slots shown */
		n = appt_day_slots(r->ctx, hall, d, cat ? cat[0] : 0, sl, APPT_MAX_SLOTS);
		if (n == CAL_MISSING) {
			int y;
			unsigned m, dd;

			civil_from_days(d, &y, &m, &dd);
			missing = y;
			continue;
		}
		if (n < 0) {
			free(sl);
			json_decref(list);
			return db_fail(r, n);
		}
		if (n == 0)
			continue;
		if (appt_remaining(r->ctx, hall, d, sl, n, rem, cap) != 0) {
			free(sl);
			json_decref(list);
			return req_unavailable(r);
		}
		for (i = 0; i < n; i++)
			if (appt_instant(d, sl[i].start_min) > now)
				json_array_append_new(list, slot_json(&sl[i],
				    cap[i] >= 0 ? cap[i] : sl[i].capacity, rem[i]));
	}
	free(sl);
	o = json_pack("{s:o,s:i}", "slots", list, "days_ahead", ru.days_ahead);
	if (missing)	/* extension: why some working days show nothing */
		json_object_set_new(o, "calendar_missing", json_integer(missing));
	return req_ok(r, 200, o);
}

int
h_slot_capacity(struct req *r)
{
	const char *hall = r->pathv[0], *id = r->pathv[1];
	struct appt_slot s;
	char date[11], hhmm[6], at[32], detail[64];
	long long cap = -1;
	int rc, old = 0, rem[1], caps[1];

	if ((rc = require_manager_of_hall(r, hall)) != 0)
		return rc;
	in_int(r, r->body, "capacity", 1, 0, 1000, &cap);
	if (in_has_errors(r))
		return req_invalid(r);
	rc = appt_slot_find(r->ctx, hall, id, &s);
	if (rc == CAL_MISSING || rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个预约时段");
	if (rc < 0)
		return db_fail(r, rc);
	if (appt_instant(s.day, s.end_min) <= hall_now())
		return req_fail(r, 422, "SLOT_PAST", "该时段已结束");

	/* Redis first: it refuses atomically when a place above the new capacity is taken
	 * (even by a booking whose transaction is still running). */
	switch (appt_set_capacity(r->ctx, hall, &s, (int)cap, &old)) {
	case 0:
		break;
	case 1:
		return req_fail(r, 409, "CAPACITY_BELOW_BOOKED", "已预约的人数超过新的名额，不能调低");
	case 2:
		return req_fail(r, 404, "NOT_FOUND", "没有这个预约时段");
	default:
		return req_unavailable(r);
	}
	date_format_days(s.day, date, sizeof date);
	appt_hhmm(s.start_min, hhmm);
	appt_now_dt(at, sizeof at);
	at[19] = '\0';
	if ((rc = db_begin(r->ctx)) == 0)
		rc = db_exec(r->ctx, "INSERT INTO appointment_slot_overrides (hall, category, day,"
		    " start_time, capacity, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		    " ON DUPLICATE KEY UPDATE capacity = VALUES(capacity),"
		    " updated_by = VALUES(updated_by), updated_at = VALUES(updated_at)",
		    DBARGS(DBS(hall), DBSN(&s.cat, 1), DBS(date), DBS(hhmm), DBI(cap),
		    DBS(r->sess.subject), DBS(at)), NULL, NULL);
	if (rc == 0) {
		snprintf(detail, sizeof detail, "capacity %d -> %lld", old, cap);
		audit(r, "appointment.slot.capacity", s.id, "ok", detail);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	if (rc != 0) {
		/* Redis has the new capacity, MariaDB may not: let the day be rebuilt from it. */
		appt_invalidate(r->ctx, hall, s.day);
		return db_fail(r, rc);
	}
	s.capacity = (int)cap;
	if (appt_remaining(r->ctx, hall, s.day, &s, 1, rem, caps) != 0)
		rem[0] = -1;
	return req_ok(r, 200, json_pack("{s:o}", "slot", slot_json(&s, (int)cap, rem[0])));
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
	    " WHERE c.hall = 'demo'"
	    "  AND ADDTIME(h.open_at, SEC_TO_TIME(s.n * 1800 + 1800)) <= h.close_at",
	    DBNOARGS, NULL, NULL);
}
