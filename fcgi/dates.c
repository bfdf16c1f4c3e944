/*
 * dates.c — dates and instants at the hall's offset (see clock.h): civil-date arithmetic
 * after Howard Hinnant's days_from_civil algorithms, the formats of the API, the database and
 * the logs, their parsing, and the machine's own clocks (monotonic and real).  Pure: it reads
 * no configuration and logs nothing, so the log and every other layer can use it.  The one
 * place that knows the hall's UTC offset is clock.h (HALL_UTC_OFFSET, used only here, and
 * HALL_UTC_SUFFIX, also the MariaDB session's time zone).
 */
#include "clock.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

int
weekday_of_days(int64_t days)
{
	return (int)(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
}

int64_t
hall_day(int64_t t)
{
	int64_t l = t + HALL_UTC_OFFSET;

	return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

int64_t
hall_day_start(int64_t days)
{
	return days * 86400 - HALL_UTC_OFFSET;
}

void
hall_tm(int64_t t, struct tm *tm)
{
	time_t l = (time_t)(t + HALL_UTC_OFFSET);

	gmtime_r(&l, tm);
}

void
time_format(int64_t t, char *out, size_t osz)
{
	struct tm tm;

	hall_tm(t, &tm);
	snprintf(out, osz, "%04d-%02d-%02dT%02d:%02d:%02d" HALL_UTC_SUFFIX,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
time_format_ms(int64_t ms, char *out, size_t osz)
{
	struct tm tm;

	hall_tm(ms >= 0 ? ms / 1000 : (ms - 999) / 1000, &tm);
	snprintf(out, osz, "%04d-%02d-%02dT%02d:%02d:%02d.%03d" HALL_UTC_SUFFIX,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    (int)(((ms % 1000) + 1000) % 1000));
}

void
sql_datetime(int64_t ms, char *out, size_t osz)
{
	struct tm tm;

	hall_tm(ms >= 0 ? ms / 1000 : (ms - 999) / 1000, &tm);
	snprintf(out, osz, "%04d-%02d-%02d %02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(((ms % 1000) + 1000) % 1000));
}

void
date_format_days(int64_t days, char *out, size_t osz)
{
	int y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, osz, "%04d-%02u-%02u", y, m, d);
}

void
date_format_t(int64_t t, char *out, size_t osz)
{
	date_format_days(hall_day(t), out, osz);
}

static int
digits(const char *s, size_t n, long long *v)
{
	return parse_lln(s, n, 0, 9999, v);
}

static int
valid_date(long long y, long long m, long long d)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

int
date_parse(const char *s, int64_t *days)
{
	long long y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) ||
	    digits(s + 5, 2, &m) || digits(s + 8, 2, &d) || !valid_date(y, m, d))
		return -1;
	*days = days_from_civil((int)y, (unsigned)m, (unsigned)d);
	return 0;
}

int
time_parse(const char *s, int64_t *out)
{
	long long y, mo, d, h, mi, se, oh, om;
	size_t n = strlen(s), i = 19;
	int64_t days, off;

	if (n < 20 || n > 40 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' &&
	    s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) ||
	    !valid_date(y, mo, d) || h > 23 || mi > 59 || se > 60)
		return -1;
	if (s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return -1;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i == n - 1 && (s[i] == 'Z' || s[i] == 'z'))
		off = 0;
	else if (i == n - 6 && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':' &&
	    !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om) && oh <= 23 && om <= 59) {
		off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else
		return -1;
	days = days_from_civil((int)y, (unsigned)mo, (unsigned)d);
	*out = days * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se) - off;
	return 0;
}
