/*
 * cache.h — one value per process, read by every thread, reloaded from the record when it
 * is older than its max age, and reloaded OUTSIDE its lock.
 *
 * The lock only guards which value is current: a reader takes it to pin the value (a
 * reference count), a loader to swap in the value it built.  Loading — the queries to
 * MariaDB — happens with no lock held, so a slow or stuck database never holds up threads
 * that have a value to read:
 *
 *   - a fresh value (younger than max_age_ms by the cache's clock) is pinned and returned;
 *   - a stale one: the first thread to see it loads; the others, meanwhile, read the stale
 *     value (it aged out, nothing said it was wrong) — no stampede of identical queries —
 *     unless the cache is `strict`: then no value older than max_age_ms is ever read, and
 *     the others wait for that one load as below (a cache whose value decides what a request
 *     may do, such as a hall's categories, so a change is in force max_age_ms after it);
 *   - no value, or one declared wrong by cache_invalidate: a thread loads; the others wait
 *     for it, at most wait_ms, then load themselves (a loader stuck on a dead connection
 *     must not stall the hall);
 *   - a load that fails returns its DB_* code to the thread that loaded (the reply is a
 *     503) and leaves the current value as it was.
 *
 * A value is a block of `size` bytes that load() fills from scratch (it is zeroed first).
 * Readers get it const and pinned: they read it after cache_get without any lock, and give
 * it back with cache_put; the block is freed when the last reader of a replaced value puts
 * it back.  One owner per allocation: the cache.
 *
 *	static struct cache dir_cache = CACHE_INIT(sizeof(struct dir), 10000, dir_load);
 *	const struct dir *d = cache_get(&dir_cache, c, NULL, &rc);
 *	if (d == NULL) return rc;
 *	… read d …
 *	cache_put(&dir_cache, d);
 */
#ifndef YC_CACHE_H
#define YC_CACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct ctx;

/* Fill value (size bytes, zeroed) from the record.  0, or a DB_* code. */
typedef int (*cache_load_fn)(struct ctx *c, void *value, void *arg);

struct cache_block;

struct cache {
	/* Set by CACHE_INIT (or by hand before the first use). */
	size_t			 size;		/* bytes of one value */
	int64_t			 max_age_ms;
	cache_load_fn		 load;
	int64_t			(*clock)(void);	/* the age's clock (ms); NULL: mono_ms */
	int64_t			 wait_ms;	/* a reader with no value waits this long */
	int			 strict;	/* never read a value older than max_age_ms */

	/* The cache's own. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct cache_block	*cur;
	int64_t			 loaded_ms;	/* by clock: when cur's load began */
	uint64_t		 gen;		/* bumped by cache_invalidate */
	uint64_t		 cur_gen;	/* gen when cur's load began */
	uint64_t		 cur_seq;	/* cur's load: the loads-th begun */
	uint64_t		 epoch;		/* bumped by cache_clear (a cache_set's slot: its key) */
	int			 loading;	/* a thread is loading (the others wait or read cur) */
	uint64_t		 loads;		/* loads begun (tests, logs) */
};

#define CACHE_WAIT_MS 2000
#define CACHE_INIT(sz, age_ms, fn) { .size = (sz), .max_age_ms = (age_ms), .load = (fn), \
	.clock = NULL, .wait_ms = CACHE_WAIT_MS, .mu = PTHREAD_MUTEX_INITIALIZER, \
	.cv = PTHREAD_COND_INITIALIZER }

/*
 * The current value, pinned (give it back with cache_put), loading it first when needed
 * with c's connection and arg (see above).  NULL with *rc set to a DB_* code when the load
 * failed, or when memory ran out (DB_FAIL).
 */
const void *cache_get(struct cache *k, struct ctx *c, void *arg, int *rc);
void	cache_put(struct cache *k, const void *value);
/* The record changed: the current value may no longer be read; the next get reloads. */
void	cache_invalidate(struct cache *k);
/* Drop the value (tests; a slot given to another key).  Readers that hold it keep it
 * until they put it back. */
void	cache_clear(struct cache *k);

/*
 * One value per key (a hall code, say), at most n keys kept: a set of caches that share
 * size, max age, loader and clock.  The loader gets the key as its arg.  A key not kept
 * takes a free slot or the one used least recently; a load still running for the key that
 * had it keeps its value to itself (the slot's generation moved on).  A load that returns
 * non-zero — a DB_* code, or a positive value of the caller's such as "no such hall" — keeps
 * nothing and gives that value back through *rc.
 *
 *	static struct cache hall_slots[16];
 *	static struct cache_set halls = CACHE_SET_INIT(hall_slots, sizeof(struct q_hall),
 *	    60000, cfg_load);
 *	const struct q_hall *h = cache_set_get(&halls, c, "demo", &rc);
 *	… cache_put(NULL, h);
 */
#define CACHE_KEY_MAX 64

struct cache_set {
	struct cache		*slots;		/* n of them, set up at the first use */
	size_t			 n;
	size_t			 size;
	int64_t			 max_age_ms;
	cache_load_fn		 load;
	int64_t			(*clock)(void);	/* NULL: mono_ms */
	int			 strict;	/* as struct cache */
	pthread_mutex_t		 mu;
	int			 ready;
	char			 keys[64][CACHE_KEY_MAX];	/* n ≤ 64 */
	uint64_t		 used[64];	/* a counter: the least recently used goes */
	uint64_t		 tick;
};

#define CACHE_SET_INIT(slot_array, sz, age_ms, fn) { .slots = (slot_array), \
	.n = sizeof(slot_array) / sizeof((slot_array)[0]), .size = (sz), .max_age_ms = (age_ms), \
	.load = (fn), .clock = NULL, .mu = PTHREAD_MUTEX_INITIALIZER }

/* The value for key (at most CACHE_KEY_MAX - 1 bytes), pinned; as cache_get.  NULL with *rc
 * DB_FAIL for a key too long or a set of more than 64 slots. */
const void *cache_set_get(struct cache_set *s, struct ctx *c, const char *key, int *rc);
/* The record of key changed (NULL: of every key). */
void	cache_set_invalidate(struct cache_set *s, const char *key);

#endif
