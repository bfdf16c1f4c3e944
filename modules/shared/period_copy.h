/*
 * period_copy.h — each app process's copy of a reply about a period that is over, as JSON
 * text kept in a slot of a fcgi/cache.h cache_set (the manager's figures, stats_cache.c;
 * satisfaction, reviews/satisfaction.c).  The set's value size decides how much text a slot
 * holds, so each user chooses its own; how long a copy may be read is stats_cache_ms, which
 * period_copy_on gives the set.
 *
 *	static struct cache slots[16];
 *	static struct cache_set set = CACHE_SET_INIT(slots, PERIOD_COPY_SIZE(64 * 1024), 10000,
 *	    my_load);
 *
 *	my_load(c, value, arg):		// arg: the key, period_copy_key_days gives it back
 *		… work the reply o out …
 *		return period_copy_keep(&set, value, o);
 *
 *	if (!period_copy_on(&set) || period_copy_key(key, …) != 0)
 *		…					// no copy: the caller works it out
 *	rc = period_copy_get(&set, c, key, &o);	// o: a new json_t, the caller's
 *	if (rc == PERIOD_COPY_TOO_BIG)		// not kept: the caller works it out itself
 *		…
 */
#ifndef YC_PERIOD_COPY_H
#define YC_PERIOD_COPY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../../fcgi/cache.h"

/* What a slot holds: len bytes of JSON text (no NUL). */
struct period_copy {
	size_t	len;
	char	text[];
};

/* The set's value size for slots of text_bytes of JSON. */
#define PERIOD_COPY_SIZE(text_bytes) (offsetof(struct period_copy, text) + (text_bytes))

/* A positive "keep nothing" of a loader (cache.h): the reply is larger than the slot. */
enum { PERIOD_COPY_TOO_BIG = 1 << 20 };

/* 1 when copies are kept (stats_cache_ms [10000; 0 = none, at most an hour] is not 0), else
 * 0; before s's first use, its max age set to stats_cache_ms.  Call it before
 * period_copy_get. */
int	period_copy_on(struct cache_set *s);

/* The key "<day>|…|<day>|<hall>" of n days (days since 1970) and a hall.  0, or -1 when it
 * is longer than ksz (the caller works the reply out without a copy). */
int	period_copy_key(char *key, size_t ksz, const int64_t *days, int n, const char *hall);
/* The key's n days into days, *hall pointing into key.  0, or DB_FAIL for a key not made
 * by period_copy_key with n days. */
int	period_copy_key_days(const char *key, int64_t *days, int n, const char **hall);

/* For a loader of set s: the reply o as compact JSON text into value (a slot of s).  o stays
 * the caller's.  0, DB_FAIL (o could not be written), or PERIOD_COPY_TOO_BIG (the text is
 * larger than the slot: nothing kept). */
int	period_copy_keep(const struct cache_set *s, void *value, const json_t *o);
/* The copy of key (made by s's loader when it has none, or none younger than max_age_ms:
 * cache_set_get) as a new json_t in *out.  0; the loader's code (a DB_* code, one of the
 * caller's, PERIOD_COPY_TOO_BIG); or DB_FAIL for a text that does not parse. */
int	period_copy_get(struct cache_set *s, struct ctx *c, const char *key, json_t **out);

#endif
