/*
 * period_copy.c — a reply about a period that is over, kept per process as JSON text in a
 * cache_set slot (period_copy.h).  Tables, Redis: none of its own (the loaders' reads).
 *
 * Text rather than a json_t: a slot is a block of fixed size that the cache zeroes, fills
 * and frees, read by several threads at once, and jansson's reference counts are not
 * atomic; each reader parses its own json_t out of the pinned text (a few KiB: tens of µs,
 * against the tens or hundreds of ms of MariaDB the copy saves).
 */
#include "period_copy.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <string.h>

#define DAY_MAX 10000000	/* days since 1970: year 29349 */

static pthread_once_t copy_once = PTHREAD_ONCE_INIT;
static int64_t copy_ms;

static void
copy_init(void)
{
	copy_ms = config_int("stats_cache_ms", 10000, 0, 3600000);
}

int
period_copy_on(struct cache_set *s)
{
	pthread_once(&copy_once, copy_init);
	/* The slots take the set's max age at its first use, under its lock (cache.c). */
	pthread_mutex_lock(&s->mu);
	if (!s->ready)
		s->max_age_ms = copy_ms;
	pthread_mutex_unlock(&s->mu);
	return copy_ms > 0;
}

int
period_copy_key(char *key, size_t ksz, const int64_t *days, int n, const char *hall)
{
	size_t at = 0;
	int i, w;

	for (i = 0; i < n; i++) {
		if (at >= ksz || (w = fmt(key + at, ksz - at, "%lld|", (long long)days[i])) < 0)
			return -1;
		at += (size_t)w;
	}
	return at < ksz && fmt(key + at, ksz - at, "%s", hall) >= 0 ? 0 : -1;
}

int
period_copy_key_days(const char *key, int64_t *days, int n, const char **hall)
{
	const char *s = key;
	long long d;
	int i;

	for (i = 0; i < n; i++) {
		const char *bar = strchr(s, '|');

		if (bar == NULL || parse_lln(s, (size_t)(bar - s), 0, DAY_MAX, &d) != 0)
			return DB_FAIL;
		days[i] = d;
		s = bar + 1;
	}
	*hall = s;
	return 0;
}

int
period_copy_keep(const struct cache_set *s, void *value, const json_t *o)
{
	struct period_copy *pc = value;
	size_t room = s->size - offsetof(struct period_copy, text), n;

	if ((n = json_dumpb(o, pc->text, room, JSON_COMPACT)) == 0)
		return DB_FAIL;
	if (n > room)
		return PERIOD_COPY_TOO_BIG;
	pc->len = n;
	return 0;
}

int
period_copy_get(struct cache_set *s, struct ctx *c, const char *key, json_t **out)
{
	const struct period_copy *pc;
	int rc;

	if ((pc = cache_set_get(s, c, key, &rc)) == NULL)
		return rc;
	*out = json_loadb(pc->text, pc->len, 0, NULL);
	cache_put(NULL, pc);
	return *out == NULL ? DB_FAIL : 0;
}
