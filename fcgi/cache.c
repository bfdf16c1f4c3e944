/*
 * cache.c — a value reloaded outside its lock (see cache.h).
 */
#include "cache.h"
#include "clock.h"
#include "db.h"

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct cache_block {
	atomic_long		 refs;	/* the cache's own (while current) + each reader's */
	alignas(max_align_t) unsigned char data[];
};

static struct cache_block *
block_of(const void *value)
{
	return (struct cache_block *)(void *)((unsigned char *)(uintptr_t)value -
	    offsetof(struct cache_block, data));
}

static void
block_unref(struct cache_block *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static int64_t
now_ms(const struct cache *k)
{
	return k->clock ? k->clock() : mono_ms();
}

/* With k->mu held: cur may be read as it is (young enough, and not invalidated). */
static int
fresh_locked(const struct cache *k, int64_t now)
{
	int64_t age = now - k->loaded_ms;

	return k->cur && k->cur_gen == k->gen && age >= 0 && age < k->max_age_ms;
}

/* With k->mu held: pin cur for a reader. */
static const void *
pin_locked(struct cache *k)
{
	atomic_fetch_add(&k->cur->refs, 1);
	return k->cur->data;
}

/*
 * Load a new value with no lock held, then swap it in under the lock — unless the current
 * one is fresh and its load began after ours (a waiter that loaded itself), which stays.
 * Returns the new value pinned, or NULL with *rc.
 */
static const void *
load(struct cache *k, struct ctx *c, void *arg, int claimed, uint64_t gen, uint64_t seq,
    int64_t began, int *rc)
{
	struct cache_block *b = malloc(sizeof *b + k->size);
	const void *v = NULL;

	*rc = DB_FAIL;
	if (b) {
		atomic_init(&b->refs, 2);	/* the cache's and this reader's */
		memset(b->data, 0, k->size);
		*rc = k->load(c, b->data, arg);
	}
	pthread_mutex_lock(&k->mu);
	if (claimed)
		k->loading = 0;
	if (b && *rc == 0) {
		v = b->data;
		int keep = k->cur && fresh_locked(k, now_ms(k)) && k->cur_seq > seq;

		if (!keep) {
			block_unref(k->cur);
			k->cur = b;
			k->loaded_ms = began;
			k->cur_gen = gen;
			k->cur_seq = seq;
		} else
			atomic_fetch_sub(&b->refs, 1);	/* not kept: only this reader's */
	}
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
	if (b && *rc != 0)
		free(b);
	return v;
}

static void
deadline_after(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

const void *
cache_get(struct cache *k, struct ctx *c, void *arg, int *rc)
{
	struct timespec until;
	int waited = 0, claimed = 0;
	uint64_t gen, seq;
	int64_t began;
	const void *v;

	*rc = 0;
	pthread_mutex_lock(&k->mu);
	for (;;) {
		began = now_ms(k);
		if (fresh_locked(k, began)) {
			v = pin_locked(k);
			pthread_mutex_unlock(&k->mu);
			return v;
		}
		if (!k->loading) {
			k->loading = claimed = 1;
			break;
		}
		/* Someone is loading: read the value that merely aged out, if there is one. */
		if (k->cur && k->cur_gen == k->gen) {
			v = pin_locked(k);
			pthread_mutex_unlock(&k->mu);
			return v;
		}
		if (!waited) {
			deadline_after(&until, k->wait_ms);
			waited = 1;
		}
		if (pthread_cond_timedwait(&k->cv, &k->mu, &until) == ETIMEDOUT)
			break;		/* the loader is stuck: load too */
	}
	gen = k->gen;
	seq = ++k->loads;
	pthread_mutex_unlock(&k->mu);
	return load(k, c, arg, claimed, gen, seq, began, rc);
}

void
cache_put(struct cache *k, const void *value)
{
	(void)k;
	if (value)
		block_unref(block_of(value));
}

void
cache_invalidate(struct cache *k)
{
	pthread_mutex_lock(&k->mu);
	k->gen++;
	pthread_mutex_unlock(&k->mu);
}

void
cache_clear(struct cache *k)
{
	pthread_mutex_lock(&k->mu);
	block_unref(k->cur);
	k->cur = NULL;
	k->loaded_ms = 0;
	k->gen++;
	pthread_mutex_unlock(&k->mu);
}
