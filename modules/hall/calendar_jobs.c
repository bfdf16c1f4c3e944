/*
 * calendar_jobs.c — the hall room's periodic job: is next year's holiday calendar loaded?
 *
 * job_calendar_check: the holiday notice for next year usually comes out in November or
 * December.  From 1 November on, while next year is not loaded, the worker says so every
 * day (log, and the hall_alerts row that managers see); deadlines reaching into a missing
 * year are refused by the calendar rather than guessed.
 * Tables: calendar_years, hall_alerts.
 */
#include "calendar.h"
#include "../rooms.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdio.h>

static int job_calendar_check(struct ctx *c);

const struct job hall_jobs[] = {
	{ "calendar-check", 60 * 1000, job_calendar_check },
};
const size_t hall_njobs = NELEM(hall_jobs);

static int
job_calendar_check(struct ctx *c)
{
	int64_t today = hall_day(hall_now());
	int y, rc, check;
	unsigned m, d;
	char msg[200], key[32], now[32];

	sql_now(now, sizeof now);
	civil_from_days(today, &y, &m, &d);
	for (check = y; check <= y + (m >= 11 ? 1 : 0); check++) {
		rc = calendar_is_workday(c, days_from_civil(check, 6, 1));
		if (rc == CAL_MISSING) {
			fmt(key, sizeof key, "calendar:%d", check);
			fmt(msg, sizeof msg, "%d 年节假日安排尚未导入：跨入 %d 年的办理时限暂无法计算，"
			    "请在国务院办公厅通知发布后导入。", check, check);
			rc = db_exec(c, "INSERT INTO hall_alerts (hall, akey, level, message, raised_at)"
			    " SELECT code, ?, 'warning', ?, ? FROM halls"
			    " ON DUPLICATE KEY UPDATE message = VALUES(message), cleared_at = NULL",
			    DBARGS(DBS(key), DBS(msg), DBS(now)), NULL, NULL);
			if (rc != 0)
				return rc;
		} else if (rc < 0)
			return rc;
		else {
			fmt(key, sizeof key, "calendar:%d", check);
			rc = db_exec(c, "UPDATE hall_alerts SET cleared_at = ?"
			    " WHERE akey = ? AND cleared_at IS NULL", DBARGS(DBS(now), DBS(key)), NULL,
			    NULL);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}
