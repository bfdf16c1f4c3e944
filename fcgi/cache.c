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
load(struct cache *k, struct ctx *c, void *arg, int claimed, const uint64_t *epoch,
    uint64_t gen, uint64_t seq, int64_t began, int *rc)
{
	struct cache_block *b = malloc(sizeof *b + k->size);
	const void *v = NULL;
	int keep;

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
		/* A slot of a cache_set given to another key meanwhile: the value is not its. */
		keep = (epoch && k->epoch != *epoch) ||
		    (k->cur && fresh_locked(k, now_ms(k)) && k->cur_seq > seq);
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

/* cache_get, and cache_set_get with the slot's epoch when it was given the key. */
static const void *
get(struct cache *k, struct ctx *c, void *arg, const uint64_t *epoch, int *rc)
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
		if (epoch && k->epoch != *epoch)
			break;		/* the slot went to another key: load for ourselves */
		if (fresh_locked(k, began)) {
			v = pin_locked(k);
			pthread_mutex_unlock(&k->mu);
			return v;
		}
		if (!k->loading) {
			k->loading = claimed = 1;
			break;
		}
		/* Someone is loading: read the value that merely aged out, if there is one and the
		 * cache allows it. */
		if (k->cur && k->cur_gen == k->gen && !k->strict) {
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
	return load(k, c, arg, claimed, epoch, gen, seq, began, rc);
}

const void *
cache_get(struct cache *k, struct ctx *c, void *arg, int *rc)
{
	return get(k, c, arg, NULL, rc);
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
	k->epoch++;
	pthread_mutex_unlock(&k->mu);
}

/* With s->mu held: the slots get their settings once. */
static void
set_ready_locked(struct cache_set *s)
{
	size_t i;

	if (s->ready)
		return;
	for (i = 0; i < s->n; i++) {
		struct cache *k = &s->slots[i];

		memset(k, 0, sizeof *k);
		k->size = s->size;
		k->max_age_ms = s->max_age_ms;
		k->load = s->load;
		k->clock = s->clock;
		k->strict = s->strict;
		k->wait_ms = CACHE_WAIT_MS;
		pthread_mutex_init(&k->mu, NULL);
		pthread_cond_init(&k->cv, NULL);
		s->keys[i][0] = '\0';
	}
	s->ready = 1;
}

const void *
cache_set_get(struct cache_set *s, struct ctx *c, const char *key, int *rc)
{
	size_t i, slot = 0;
	struct cache *k;
	uint64_t epoch;

	if (strlen(key) >= CACHE_KEY_MAX || s->n == 0 || s->n > 64) {
		*rc = DB_FAIL;
		return NULL;
	}
	pthread_mutex_lock(&s->mu);
	set_ready_locked(s);
	for (i = 0; i < s->n; i++) {
		if (strcmp(s->keys[i], key) == 0)
			break;
		if (s->used[i] < s->used[slot])
			slot = i;	/* unused slots have used 0: they go first */
	}
	if (i < s->n)
		slot = i;
	else {
		/* Another key's slot: its value goes (readers keep theirs pinned). */
		cache_clear(&s->slots[slot]);
		memcpy(s->keys[slot], key, strlen(key) + 1);
	}
	s->used[slot] = ++s->tick;
	k = &s->slots[slot];
	pthread_mutex_lock(&k->mu);
	epoch = k->epoch;
	pthread_mutex_unlock(&k->mu);
	pthread_mutex_unlock(&s->mu);
	/* The loader's arg: the caller's key, which outlives the load. */
	return get(k, c, (void *)(uintptr_t)key, &epoch, rc);
}

void
cache_set_invalidate(struct cache_set *s, const char *key)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	if (s->ready)
		for (i = 0; i < s->n; i++)
			if (key == NULL || strcmp(s->keys[i], key) == 0)
				cache_invalidate(&s->slots[i]);
	pthread_mutex_unlock(&s->mu);
}
