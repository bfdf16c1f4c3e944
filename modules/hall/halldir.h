/*
 * halldir.h — each process's copy of the halls' directory as citizens see it: a hall's
 * name, phone and opening hours, its windows' names.  These change when a hall is set up,
 * not during the day, and pages that are polled (case tracking) show them with every
 * answer; a copy at most HALLDIR_TTL_MS old saves MariaDB a join per request.
 */
#ifndef YC_HALLDIR_H
#define YC_HALLDIR_H

#include <stddef.h>
#include <stdint.h>

struct ctx;

#define HALLDIR_TTL_MS 10000

/*
 * The hall's name, phone and hours ("08:30-12:00、13:30-17:30"; "" when it has none).
 * 1 found, 0 no such hall, or a DB_* code.
 */
int	halldir_hall(struct ctx *c, const char *hall, char *name, size_t nsz, char *phone,
	    size_t psz, char *hours, size_t hsz);
/*
 * When to come, as a citizen reads it: "工作日08:30-12:00、13:30-17:30" (week: the
 * hall's week hours as halldir_hall gives them; "" → "办公时间"), followed by each of the
 * next `days` days from `from` (days since 1970-01-01, hall time) that has hours of its own
 * (hall_hours.h: a Saturday opening, 延时 evening hours, a working day closed), at most
 * three: "；12月5日09:00-12:00；12月9日不办公" — whole days only, while the text stays
 * within max_chars characters (an SMS variable's limit; 0: no limit but osz).  sep goes
 * between 工作日 and the hours ("" for SMS, " " for pages).  0, or a DB_* code.
 */
int	halldir_hours_text(struct ctx *c, const char *hall, const char *week, const char *sep,
	    int64_t from, int days, size_t max_chars, char *out, size_t osz);
/* A window's name ("3号窗口"): 1 found, 0 no such window, or a DB_* code. */
int	halldir_window(struct ctx *c, const char *hall, long long number, char *name, size_t nsz);

#endif
