/*
 * queue_time.c — the hall's day and the DATETIME(3) text the queue stores, for the room's
 * files.  The conversions clock.h lacks live here: the ms since the hall's midnight, a
 * DATETIME(3) text back to ms, and a DATETIME text from MariaDB to RFC 3339 (the text is
 * hall time already, so it only needs the offset appended — no instant in between).
 *
 * Routes, tables, Redis: none.
 */
#include "queue_int.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/util.h"

#include <string.h>

void
q_today(int64_t now_ms, char day[11], int64_t *day_ms)
{
	int64_t t = now_ms / 1000, d = hall_day(t);

	date_format_days(d, day, 11);
	if (day_ms)
		*day_ms = now_ms - hall_day_start(d) * 1000;
}

void
q_dt(int64_t ms, char out[24])
{
	sql_datetime(ms, out, 24);
}

int64_t
q_dt_ms(const char *dt)
{
	char b[40];
	int64_t t;
	long long ms = 0;

	if (strlen(dt) < 19)
		return 0;
	fmt(b, sizeof b, "%.19s+08:00", dt);
	if (time_parse(b, &t) != 0)
		return 0;
	if (dt[19] == '.' && strlen(dt) >= 23)
		parse_lln(dt + 20, 3, 0, 999, &ms);
	return t * 1000 + ms;
}

void
q_rfc3339(const char *dt, char *out, size_t osz)
{
	if (dt == NULL || strlen(dt) < 19) {
		str_copy(out, osz, "");
		return;
	}
	fmt(out, osz, "%.10sT%.8s+08:00", dt, dt + 11);
}
