/*
 * routes.c — the routes the stats room serves: method, path below /api/v1, handler, roles,
 * body limit, flags.  programs/assembly.c puts every room's table together for the router.
 */
#include "handlers.h"
#include "stats.h"
#include "../rooms.h"

const struct route stats_routes[] = {
	{ M_GET,   "/halls/{hall}/stats",               h_stats,               ROLE_MANAGER | ROLE_ADMIN | ROLE_CITY_MANAGER, 0, 0 },
	{ M_GET,   "/city/stats",                       h_city_stats,          ROLE_CITY_MANAGER, 0, 0 },
};
const size_t stats_nroutes = NELEM(stats_routes);

const struct job stats_jobs[] = {
	{ "stats-days", 60 * 1000, job_stats_days },
};
const size_t stats_njobs = NELEM(stats_jobs);
