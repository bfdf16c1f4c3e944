/*
 * calendar_api.c — GET /calendar/deadline?from=YYYY-MM-DD&days=N (public).
 *
 * The day a promise of N working days made on `from` falls due, as the case deadlines are
 * computed; the acceptance form and the service guide show it before anything is filed.
 * A deadline that runs through a year whose holiday notice is not loaded is counted on the
 * provisional calendar and says so ("provisional": true); 422 CALENDAR_MISSING is left for
 * a day the calendar cannot hold at all (outside 2000–2100).
 * Tables: calendar_years, calendar_days (through calendar.c's cache).
 */
#include "handlers.h"
#include "calendar.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdio.h>

int
h_deadline(struct req *r)
{
	const char *from;
	long long days = 0;
	int64_t d0, due;
	int rc, missing = 0;
	char a[16], b[16], msg[160];

	q_str(r, "from", 1, 10, &from);
	q_int(r, "days", 1, 0, 365, &days);
	if (from && date_parse(from, &d0) != 0)
		req_fail_field(r, "from", "须为 YYYY-MM-DD 格式的日期");
	if (in_has_errors(r))
		return req_invalid(r);
	rc = calendar_add_workdays(r->ctx, d0, (int)days, &due, &missing);
	if (rc == CAL_MISSING) {
		snprintf(msg, sizeof msg, "%d 年节假日安排尚未发布或导入，暂无法计算办理时限", missing);
		req_err_msg(r, E_CALENDAR_MISSING, msg);
		r->err_extra = json_pack("{s:i}", "year", missing);
		return 422;
	}
	if (rc < 0 || (rc = calendar_provisional_in(r->ctx, d0, due)) < 0)
		return db_fail(r, rc);
	date_format_days(d0, a, sizeof a);
	date_format_days(due, b, sizeof b);
	return req_ok(r, 200, json_pack("{s:s,s:I,s:s,s:b}", "from", a, "days", days, "deadline",
	    b, "provisional", rc > 0));
}
