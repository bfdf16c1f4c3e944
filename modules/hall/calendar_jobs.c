/*
 * calendar_jobs.c — the hall room's periodic job: is next year's holiday calendar loaded?
 *
 * job_calendar_check: the holiday notice for next year usually comes out in November or
 * December.  From 1 November on, while next year is not loaded (and all year while this
 * year's is not), the hall_alerts row calendar:<year> that managers see on the dashboard
 * says so: deadlines reaching into that year are counted on the provisional calendar and
 * marked 暂定 until the notice is loaded, which recounts them (case_provisional.h).  The
 * row is cleared once the year is loaded.
 * Tables: calendar_years, hall_alerts.
 */
#include "calendar.h"
#include "../rooms.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <stdio.h>

const struct job hall_jobs[] = {
	{ "calendar-check", 60 * 1000, job_calendar_check },
};
const size_t hall_njobs = NELEM(hall_jobs);

int
job_calendar_check(struct ctx *c)
{
	int64_t today = hall_day(hall_now());
	int y, rc, check;
	unsigned m, d;
	char msg[400], key[32], now[32];

	sql_now(now, sizeof now);
	civil_from_days(today, &y, &m, &d);
	for (check = y; check <= y + (m >= 11 ? 1 : 0); check++) {
		rc = calendar_year_loaded(c, check);
		if (rc == 0) {
			fmt(key, sizeof key, "calendar:%d", check);
			fmt(msg, sizeof msg, "%d 年节假日安排尚未导入：跨入 %d 年的办结期限按暂定日历"
			    "（周末及法定节日）计算并标为“暂定”。请在国务院办公厅通知发布后导入，"
			    "导入后自动重算（不早于已告知的期限）。", check, check);
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
