/*
 * jobs.h — a periodic job, as the worker runs it (programs/worker.c).  Each room of modules/
 * offers a table of them (modules/rooms.h); programs/assembly.c puts the tables together.
 * Each job returns 0, or a DB_* code when a dependency failed (it is simply tried again on
 * its next turn).  Jobs must be safe to run in several workers at once.
 */
#ifndef YC_JOBS_H
#define YC_JOBS_H

#include "ctx.h"

struct job {
	const char	*name;
	int		 every_ms;
	int		 (*run)(struct ctx *c);
};

#endif
