/*
 * stats_cache.c — each app process's copy of the figures of a period that is over (issue
 * 24, item 5: a month of a city, 150,000 tickets and 20,000 cases, was half a second of
 * MariaDB and app time, about 0.2 s now that its days are packed (stats_days.c); sixteen
 * managers refreshing it at once would still queue behind each other).
 *
 * Tables: through stats_collect_figures (read only).  Redis: none.
 *
 * What is kept: the whole reply but the open alerts, as JSON text, per (hall, from, to,
 * today) — at most FIG_KEYS periods per process, the least recently used going first —
 * for stats_cache_ms [10000; 0 = no copies].  Only periods that ended before today: their
 * tickets are finished (a past day's queue is closed), so what can still move is a late
 * decision or closing of a case, or a rectification closed, and the copy is at most
 * stats_cache_ms plus one computation behind them; "generated_at" in the reply says when the
 * figures were worked out.  A period that includes today is worked out on every call.  The
 * alerts are read on every call (they are live).
 *
 * Through shared/period_copy.h and fcgi/cache.h: while a copy is renewed, the other threads
 * are given the previous one (one computation per process at a time, no stampede of sixteen
 * identical scans); with no copy they wait for the one being made.  A reply larger than
 * FIG_BYTES is not kept (the caller works it out itself).
 */
#include "stats.h"
#include "../shared/period_copy.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#define FIG_BYTES (256 * 1024)	/* a month of a busy hall is ~8 KiB */
#define FIG_KEYS  16

static int figs_load(struct ctx *c, void *value, void *arg);

static struct cache fig_slots[FIG_KEYS];
static struct cache_set figs = CACHE_SET_INIT(fig_slots, PERIOD_COPY_SIZE(FIG_BYTES), 10000,
    figs_load);

/* Work the figures of the key's period (from, to, today; period_copy_key) out into value.
 * 0, a DB_* code, E_PERIOD_TOO_LARGE, or PERIOD_COPY_TOO_BIG. */
static int
figs_load(struct ctx *c, void *value, void *arg)
{
	const char *hall;
	int64_t d[3];
	struct period p;
	json_t *o;
	int rc;

	if ((rc = period_copy_key_days(arg, d, 3, &hall)) != 0)
		return rc;
	stats_period(&p, hall, d[0], d[1], d[2]);
	if ((rc = stats_collect_figures(c, &p, &o)) != 0)
		return rc;
	rc = period_copy_keep(&figs, value, o);
	json_decref(o);
	return rc;
}

int
stats_collect_cached(struct ctx *c, const struct period *p, int64_t df, int64_t dt,
    int64_t today, json_t **out)
{
	const int64_t days[3] = { df, dt, today };
	char key[CACHE_KEY_MAX];
	json_t *o;
	int rc;

	if (dt >= today || !period_copy_on(&figs) ||
	    period_copy_key(key, sizeof key, days, 3, p->hall) != 0)
		return stats_collect(c, p, out);
	if ((rc = period_copy_get(&figs, c, key, &o)) != 0)
		return rc == PERIOD_COPY_TOO_BIG ? stats_collect(c, p, out) : rc;
	if ((rc = stats_alerts(c, p, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
