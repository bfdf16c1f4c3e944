/*
 * stats_times.h — the tickets of a period as the figures need them, inside the stats room:
 * counts per category and status, per category and hour taken, and every called ticket's
 * (category, window, clerk, seconds waited, seconds served).  stats_days.c fills it, a day
 * at a time (packed days, or the day's rows); stats_tickets.c works the figures out of it.
 */
#ifndef YC_STATS_TIMES_H
#define YC_STATS_TIMES_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "stats.h"
#include "stats_calc.h"

struct tic {
	int32_t	 g[4];		/* category letter, window (-1 none), clerk rank (-1 none), 0 */
	int32_t	 wait;		/* seconds from taken to called */
	int32_t	 service;	/* seconds from started to finished; INT32_MIN: not served */
};

enum { G_CAT, G_WIN, G_CLERK, G_ALL };

struct times {
	struct tic	*v;		/* the called tickets */
	size_t		 n, cap;
	size_t		 rows;		/* tickets read */
	json_t		*clerks;	/* clerk id -> index in order of appearance */
	int		 oom, too_many;
	long long	 count[26][C_N];
	long long	 hour[26][24];
};

#define TIMES_MAX_ROWS 4000000	/* a year of a very busy hall is ~400k */

/* The clerk's index in order of appearance (t->clerks), or -1 (out of memory: t->oom). */
int32_t	times_clerk(struct times *t, const char *clerk);

/* The period's tickets into tm: the days before today from their packed copies
 * (stats_ticket_days, made here the first time), the others from their rows.  0 or a DB_*
 * code (tm->oom, tm->too_many say why the reading stopped). */
int	stats_days_read(struct ctx *c, const struct period *p, struct times *tm);

#endif
