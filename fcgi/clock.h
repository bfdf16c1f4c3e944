/*
 * clock.h — the hall clock.
 *
 * Halls run on Asia/Shanghai time (UTC+8, no daylight saving since 1991) whatever the
 * machine's zone, so local time is plain arithmetic and needs no tz database.
 *
 * The clock can start at a given instant: the stack writes clock_base (the hall instant) and
 * clock_real (the real instant it corresponds to) into the configuration, and every process
 * computes now = clock_base + (real_now - clock_real), so all processes agree and time runs
 * on.  A test instance may also name a clock_file holding "BASE REAL" (seconds): when it
 * changes, every process follows within 20 ms, which lets a test move the hall to 21:00 or
 * to a holiday.
 *
 * Two files: clock.c is the hall clock (it reads the configuration); dates.c is the pure
 * arithmetic, formats and parsing, and the machine's clocks — the log stamps its lines with
 * it, so it reads no configuration and logs nothing.
 */
#ifndef YC_CLOCK_H
#define YC_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The hall's offset, in seconds and as text (the API's times, the MariaDB session). */
#define HALL_UTC_OFFSET (8 * 3600)
#define HALL_UTC_SUFFIX "+08:00"

void	 clock_init(void);
/* Hall time in seconds / milliseconds since the epoch. */
int64_t	 hall_now(void);
int64_t	 hall_now_ms(void);
/*
 * Milliseconds of the machine's monotonic clock (coarse: a few ms of resolution, no system
 * call): for intervals — timeouts, the age of a cached copy — never for the hall's time.
 */
int64_t	mono_ms(void);
/* Milliseconds since the epoch of the machine's real clock (the logs' stamps). */
int64_t	real_ms(void);

/* Broken-down hall-local time of t. */
void	 hall_tm(int64_t t, struct tm *tm);
/* "2026-11-23T09:00:00+08:00" (out ≥ 26). */
void	 time_format(int64_t t, char *out, size_t osz);
/* "2026-11-23T09:00:00.123+08:00", hall-local, from milliseconds (out ≥ 30). */
void	 time_format_ms(int64_t ms, char *out, size_t osz);
/* "2026-11-23 09:00:00.123", hall-local, for DATETIME(3) columns (out ≥ 24). */
void	 sql_datetime(int64_t ms, char *out, size_t osz);
/* The same for now. */
void	 sql_now(char *out, size_t osz);
/* "2026-11-23" (out ≥ 11). */
void	 date_format_t(int64_t t, char *out, size_t osz);
/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" → seconds. 0 or -1. */
int	 time_parse(const char *s, int64_t *out);
/* "YYYY-MM-DD", a real calendar date → days since 1970-01-01. 0 or -1. */
int	 date_parse(const char *s, int64_t *days);
/* Days since epoch ↔ civil date. */
int64_t	 days_from_civil(int y, unsigned m, unsigned d);
void	 civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
void	 date_format_days(int64_t days, char *out, size_t osz);
/* 0 = Sunday … 6 = Saturday. */
int	 weekday_of_days(int64_t days);
/* Hall-local day number of instant t, and the instant a hall-local day starts. */
int64_t	 hall_day(int64_t t);
int64_t	 hall_day_start(int64_t days);

#endif
