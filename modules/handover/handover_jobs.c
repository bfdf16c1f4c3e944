/*
 * handover_jobs.c — the job handover-overdue: a sheet not received within
 * handover_receive_hours [4] working hours raises the hall alert handover:<id> on the
 * managers' dashboard of the receiving hall (and of the sending hall when it is another),
 * once; the alert clears itself when the sheet is received.
 *
 * Working hours are the receiving hall's opening hours (hall_day_hours: the calendar's working
 * days, the hall's own dated hours) between the sending and now.  Bounded: 200 sheets a run,
 * a walk of at most HANDOVER_WALK_DAYS days each.  Idempotent and safe in several workers:
 * the mark is a guarded UPDATE … WHERE alerted_at IS NULL AND status = 'sent', in the
 * transaction that writes the alert.
 *
 * Tables: handovers (alerted_at), hall_alerts, audit_log; halls, hall_hours, hall_dates and
 * the calendar through hall_day_hours.
 * Redis:  none.
 */
#include "handover.h"
#include "handover_int.h"
#include "../cases/cases.h"
#include "../shared/alerts.h"
#include "../hall/hall_hours.h"
#include "../hall/workdays.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

#define SCAN_MAX 200
#define HANDOVER_WALK_DAYS 31

struct open_sheet {
	long long	 id;
	char		 from_hall[32];
	char		 to_hall[32];
	int64_t		 day;		/* sent: days since 1970-01-01, hall time */
	int		 minute;	/* sent: minute of that day */
	char		 sent_at[20];
};

static const struct db_col open_cols[] = {
	DBC_I(struct open_sheet, id, 1, INT64_MAX), DBC_S(struct open_sheet, from_hall),
	DBC_S(struct open_sheet, to_hall), DBC_I(struct open_sheet, day, 0, INT64_MAX),
	DBC_I(struct open_sheet, minute, 0, 1439), DBC_S(struct open_sheet, sent_at),
};

/*
 * Working minutes of hall from (day0, min0) to (day1, min1), stopping once `enough` is
 * reached.  A day the calendar cannot answer counts as closed (the calendar's own alert
 * tells the managers of that).  0 or a DB_* code.
 */
static int
work_minutes(struct ctx *c, const char *hall, int64_t day0, int min0, int64_t day1, int min1,
    long long enough, long long *out)
{
	struct hall_day d;
	int64_t day;
	int i, rc, lo, hi, a, b;

	*out = 0;
	for (day = day0; day <= day1 && day < day0 + HANDOVER_WALK_DAYS && *out < enough; day++) {
		rc = hall_day_hours(c, hall, day, &d);
		if (rc < 0 && rc != CAL_MISSING)
			return rc;
		if (rc != 1)
			continue;
		lo = day == day0 ? min0 : 0;
		hi = day == day1 ? min1 : 24 * 60;
		for (i = 0; i < d.n; i++) {
			a = d.open_min[i] > lo ? d.open_min[i] : lo;
			b = d.close_min[i] < hi ? d.close_min[i] : hi;
			if (b > a)
				*out += b - a;
		}
	}
	if (day1 >= day0 + HANDOVER_WALK_DAYS)	/* a month open: overdue whatever the hours */
		*out = enough;
	return 0;
}

struct late_step {
	const struct open_sheet	*o;
	const char		*now;
	long long		 hours;
};

static int
late_tx(struct ctx *c, void *arg)
{
	struct late_step *st = arg;
	const struct open_sheet *o = st->o;
	struct handover_end to;
	struct handover_end *tp = &to;
	json_t *tj = NULL;
	char key[48], msg[600], target[32];
	uint64_t n = 0;
	int rc;

	rc = db_exec(c, "UPDATE handovers SET alerted_at = ? WHERE id = ? AND status = 'sent'"
	    " AND alerted_at IS NULL", DBARGS(DBS(st->now), DBI(o->id)), &n, NULL);
	if (rc != 0 || n != 1)
		return rc;
	rc = db_query(c, "SELECT to_kind, to_hall, to_department, to_window, to_office"
	    " FROM handovers WHERE id = ?", DBARGS(DBI(o->id)), handover_end_row, &tp);
	if (rc < 0)
		return rc;
	if ((rc = handover_end_json(c, &to, &tj)) < 0)
		return rc;
	fmt(key, sizeof key, "handover:%lld", o->id);
	fmt(msg, sizeof msg, "交接单 %lld 于 %s 移交至%s，%lld 个工作小时内未签收，请核查材料去向。",
	    o->id, o->sent_at, json_string_value(json_object_get(tj, "label")), st->hours);
	json_decref(tj);
	rc = hall_alert_raise(c, o->to_hall, key, "warning", msg, st->now);
	if (rc == 0 && strcmp(o->from_hall, o->to_hall) != 0)
		rc = hall_alert_raise(c, o->from_hall, key, "warning", msg, st->now);
	fmt(target, sizeof target, "handover:%lld", o->id);
	if (rc == 0)
		rc = case_job_audit(c, st->now, o->to_hall, "handover.overdue", target, "");
	return rc;
}

int
job_handover_overdue(struct ctx *c)
{
	struct open_sheet *sheets;
	char now[20];
	long long hours = config_int("handover_receive_hours", 4, 1, 200), worked;
	int64_t t = hall_now() + HALL_UTC_OFFSET, today = t / 86400;
	int minute = (int)((t % 86400) / 60);
	size_t i, n;
	int rc;

	/* Sheets received meanwhile: their alerts are dealt with. */
	case_now(now);
	rc = db_exec(c, "UPDATE hall_alerts a JOIN handovers h"
	    " ON a.akey = CONCAT('handover:', h.id) SET a.cleared_at = ?"
	    " WHERE a.akey LIKE 'handover:%' AND a.cleared_at IS NULL AND h.status <> 'sent'",
	    DBARGS(DBS(now)), NULL, NULL);
	if (rc != 0)
		return rc;
	if ((sheets = calloc(SCAN_MAX, sizeof *sheets)) == NULL)
		return DB_FAIL;
	rc = db_rows_into(c, "SELECT id, from_hall, to_hall,"
	    " TO_DAYS(sent_at) - TO_DAYS('1970-01-01'), HOUR(sent_at) * 60 + MINUTE(sent_at), DATE_FORMAT(sent_at, '%Y-%m-%d %H:%i')"
	    " FROM handovers WHERE status = 'sent' AND alerted_at IS NULL AND sent_at <= ?"
	    " ORDER BY sent_at, id LIMIT 200", DBARGS(DBS(now)), DB_COLS(open_cols), sheets,
	    sizeof *sheets, SCAN_MAX);
	n = rc > 0 ? (size_t)rc : 0;	/* the LIMIT is SCAN_MAX */
	for (i = 0; rc >= 0 && i < n; i++) {
		rc = work_minutes(c, sheets[i].to_hall, sheets[i].day, sheets[i].minute, today,
		    minute, hours * 60, &worked);
		if (rc < 0 || worked < hours * 60)
			continue;
		rc = db_tx(c, late_tx, &(struct late_step){ &sheets[i], now, hours });
		if (rc == 0)
			log_info("handover %lld not received within %lld working hours", sheets[i].id,
			    hours);
	}
	free(sheets);
	return rc < 0 ? rc : 0;
}
