/*
 * jobs.h — the worker's periodic jobs, as a table (fcgi/bin/worker.c runs them).
 * Each job returns 0, or a DB_* code when a dependency failed (it is simply tried again on
 * its next turn).  Jobs must be safe to run in several workers at once.
 */
#ifndef YC_JOBS_H
#define YC_JOBS_H

#include "../fcgi/ctx.h"

struct job {
	const char	*name;
	int		 every_ms;
	int		 (*run)(struct ctx *c);
};

extern const struct job jobs[];
extern const unsigned njobs;

/* calendar.c / jobs.c */
int	job_calendar_check(struct ctx *c);

#endif
