/*
 * stats.h — the hall manager's figures inside the stats room: the period they cover, the
 * functions that fill each section of the reply (one per concern), and its CSV form.
 * Private to the room; the route is GET /halls/{hall}/stats (stats_api.c).
 */
#ifndef YC_STATS_H
#define YC_STATS_H

#include <jansson.h>

#include "../../fcgi/ctx.h"
#include "../../fcgi/util.h"

#define STATS_MAX_DAYS 366

struct period {
	const char	*hall;
	char		 from[12], to[12];		/* days, inclusive */
	char		 from_dt[24], to_dt[24];	/* [from 00:00, to+1 00:00) */
	char		 today[12];
	int64_t		 df, dt, dtoday;		/* the same as days since 1970 */
};

/* The period from day numbers (inclusive) and today's. */
void	stats_period(struct period *p, const char *hall, int64_t from, int64_t to,
	    int64_t today);

/*
 * Each adds its section to out and returns 0 or a DB_* code; stats_tickets also
 * E_PERIOD_TOO_LARGE (more tickets in the period than it reads).
 */
int	stats_tickets(struct ctx *c, const struct period *p, json_t *out);	/* stats_tickets.c */
int	stats_appointments(struct ctx *c, const struct period *p, json_t *out);	/* stats_figures.c */
int	stats_cases(struct ctx *c, const struct period *p, json_t *out);
int	stats_reviews(struct ctx *c, const struct period *p, json_t *out);
int	stats_alerts(struct ctx *c, const struct period *p, json_t *out);
/* All the figures of the period: *out, or a DB_* code, or E_PERIOD_TOO_LARGE. */
int	stats_collect(struct ctx *c, const struct period *p, json_t **out);
/* The same without the open alerts (what stats_cache.c keeps). */
int	stats_collect_figures(struct ctx *c, const struct period *p, json_t **out);
/* stats_collect, from the process's copy when the period (days df…dt) ended before today
 * (stats_cache.c: at most stats_cache_ms old; the alerts are read every time). */
int	stats_collect_cached(struct ctx *c, const struct period *p, int64_t df, int64_t dt,
	    int64_t today, json_t **out);

/* The worker's job stats-days: packs the ended days of every hall that have no copy yet
 * (stats_days.c).  0 or a DB_* code. */
int	job_stats_days(struct ctx *c);

/* The figures o as CSV lines (section,group,metric,value) after a BOM and the header. */
void	stats_csv(struct buf *b, json_t *o, const struct period *p);	/* stats_csv.c */

#endif
