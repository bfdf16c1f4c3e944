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
 * Through fcgi/cache.h: while a copy is renewed, the other threads are given the previous
 * one (one computation per process at a time, no stampede of sixteen identical scans); with
 * no copy they wait for the one being made.  A reply larger than FIG_BYTES is not kept (the
 * caller works it out itself).
 */
#include "stats.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <stdlib.h>
#include <string.h>

#define FIG_BYTES (256 * 1024)	/* a month of a busy hall is ~8 KiB */
#define FIG_KEYS  16

/* The copy: JSON text, len bytes (no NUL needed). */
struct figs {
	size_t	len;
	char	text[FIG_BYTES];
};

enum { FIG_TOO_BIG = 1 << 20 };	/* a positive "keep nothing" of the loader (cache.h) */

static int figs_load(struct ctx *c, void *value, void *arg);

static struct cache fig_slots[FIG_KEYS];
static struct cache_set figs = CACHE_SET_INIT(fig_slots, sizeof(struct figs), 10000, figs_load);
static pthread_once_t figs_once = PTHREAD_ONCE_INIT;

static void
figs_init(void)
{
	figs.max_age_ms = config_int("stats_cache_ms", 10000, 0, 3600000);
}

/* The key: "<from>|<to>|<today>|<hall>", days since 1970 (≤ 5 digits each). */
static int
figs_key(char *key, size_t ksz, const char *hall, int64_t df, int64_t dt, int64_t today)
{
	return fmt(key, ksz, "%lld|%lld|%lld|%s", (long long)df, (long long)dt,
	    (long long)today, hall) < 0 ? -1 : 0;
}

/* Work the figures of the key's period out into value (struct figs).  0, a DB_* code,
 * E_PERIOD_TOO_LARGE, or FIG_TOO_BIG. */
static int
figs_load(struct ctx *c, void *value, void *arg)
{
	struct figs *f = value;
	const char *key = arg, *s = key;
	long long d[3];
	struct period p;
	json_t *o;
	char *text;
	size_t n;
	int i, rc;

	for (i = 0; i < 3; i++) {
		const char *bar = strchr(s, '|');

		if (bar == NULL || parse_lln(s, (size_t)(bar - s), 0, 10000000, &d[i]) != 0)
			return DB_FAIL;
		s = bar + 1;
	}
	stats_period(&p, s, d[0], d[1], d[2]);
	if ((rc = stats_collect_figures(c, &p, &o)) != 0)
		return rc;
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return DB_FAIL;
	n = strlen(text);
	if (n > sizeof f->text) {
		free(text);
		return FIG_TOO_BIG;
	}
	memcpy(f->text, text, n);
	f->len = n;
	free(text);
	return 0;
}

int
stats_collect_cached(struct ctx *c, const struct period *p, int64_t df, int64_t dt,
    int64_t today, json_t **out)
{
	const struct figs *f;
	char key[CACHE_KEY_MAX];
	json_t *o;
	int rc;

	pthread_once(&figs_once, figs_init);
	if (dt >= today || figs.max_age_ms <= 0 ||
	    figs_key(key, sizeof key, p->hall, df, dt, today) != 0)
		return stats_collect(c, p, out);
	if ((f = cache_set_get(&figs, c, key, &rc)) == NULL) {
		if (rc == FIG_TOO_BIG)
			return stats_collect(c, p, out);
		return rc;
	}
	o = json_loadb(f->text, f->len, 0, NULL);
	cache_put(NULL, f);
	if (o == NULL)
		return DB_FAIL;
	if ((rc = stats_alerts(c, p, o)) != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
