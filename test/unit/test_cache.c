/*
 * test_cache.c — fcgi/cache.c, the one cache of the runtime: a value is reloaded when older
 * than its max age or invalidated, the load runs with no lock held (a slow loader does not
 * hold up readers, who read the stale value meanwhile), concurrent loaders do not stampede,
 * a reader with no value waits a bounded time, and a failed load changes nothing.
 * The loader here counts its calls and may be made slow or failing; the clock is the test's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../lib/tests.h"
#include "../../fcgi/cache.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"

struct val {
	long	 n;		/* which load made it */
	char	 key[64];	/* a cache_set's: the key it was loaded for */
	char	 pad[4096];	/* a value of some size, copied nowhere */
};

static atomic_long loads;
static atomic_int slow_ms;	/* every load sleeps this long */
static atomic_int slow_first_ms;	/* only the first load from now on sleeps this long */
static atomic_int fail;		/* the next loads fail with DB_DOWN */
static atomic_llong fake_now = 1000000;

static int64_t
test_clock(void)
{
	return atomic_load(&fake_now);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
load(struct ctx *c, void *value, void *arg)
{
	struct val *v = value;
	long n = atomic_fetch_add(&loads, 1) + 1;
	int first = atomic_exchange(&slow_first_ms, 0);

	(void)c;
	(void)arg;
	if (first)
		sleep_ms(first);
	if (atomic_load(&slow_ms))
		sleep_ms(atomic_load(&slow_ms));
	if (atomic_load(&fail))
		return DB_DOWN;
	v->n = n;
	if (arg)
		snprintf(v->key, sizeof v->key, "%s", (const char *)arg);
	return 0;
}

static struct cache k = CACHE_INIT(sizeof(struct val), 1000, load);

FIXTURE(setup)
{
	cache_clear(&k);
	k.clock = test_clock;
	k.wait_ms = CACHE_WAIT_MS;
	k.strict = 0;
	atomic_store(&loads, 0);
	atomic_store(&slow_ms, 0);
	atomic_store(&slow_first_ms, 0);
	atomic_store(&fail, 0);
	return 0;
}

/* The value's load number, read through a get and a put. */
static long
read_n(void)
{
	const struct val *v;
	long n;
	int rc = 0;

	v = cache_get(&k, NULL, NULL, &rc);
	assert_non_null(v);
	assert_int_equal(rc, 0);
	n = v->n;
	cache_put(&k, v);
	return n;
}

TEST_WITH(max_age_honoured, setup, NULL)
{
	assert_int_equal(read_n(), 1);
	atomic_fetch_add(&fake_now, 999);
	assert_int_equal(read_n(), 1);		/* 999 ms old: still served */
	assert_int_equal(atomic_load(&loads), 1);
	atomic_fetch_add(&fake_now, 1);
	assert_int_equal(read_n(), 2);		/* 1000 ms: reloaded */
	assert_int_equal(read_n(), 2);
	atomic_fetch_sub(&fake_now, 5000);	/* the clock went back: not trusted */
	assert_int_equal(read_n(), 3);
	assert_int_equal(read_n(), 3);
	assert_int_equal(atomic_load(&loads), 3);
}

TEST_WITH(invalidate_reloads, setup, NULL)
{
	assert_int_equal(read_n(), 1);
	cache_invalidate(&k);
	assert_int_equal(read_n(), 2);
	assert_int_equal(read_n(), 2);
}

/* A reader that keeps its value while the cache moves on still reads it intact. */
TEST_WITH(pinned_value_survives_a_swap, setup, NULL)
{
	const struct val *old;
	int rc;

	old = cache_get(&k, NULL, NULL, &rc);
	assert_non_null(old);
	cache_invalidate(&k);
	assert_int_equal(read_n(), 2);
	assert_int_equal(old->n, 1);
	cache_put(&k, old);
}

struct reader {
	pthread_t	 th;
	long		 n;
	int		 rc;
	int64_t		 ms;	/* how long its get took */
};

static void *
reader_run(void *arg)
{
	struct reader *r = arg;
	const struct val *v;
	int64_t t0 = real_ms();

	v = cache_get(&k, NULL, NULL, &r->rc);
	r->ms = real_ms() - t0;
	r->n = v ? v->n : -1;
	if (v)
		cache_put(&k, v);
	return NULL;
}

/*
 * The value aged out; a loader is held in a slow load (load_ms) while three other readers
 * come.  The loader's and the readers' results in *loader and others.
 */
static void
aged_out_during_a_load(int load_ms, struct reader *loader, struct reader others[3])
{
	int i;

	assert_int_equal(read_n(), 1);
	atomic_fetch_add(&fake_now, 5000);		/* aged out */
	atomic_store(&slow_first_ms, load_ms);
	pthread_create(&loader->th, NULL, reader_run, loader);
	while (atomic_load(&loads) < 2)			/* the loader is in load() */
		sleep_ms(1);
	for (i = 0; i < 3; i++)
		pthread_create(&others[i].th, NULL, reader_run, &others[i]);
	for (i = 0; i < 3; i++)
		pthread_join(others[i].th, NULL);
	pthread_join(loader->th, NULL);
}

TEST_WITH(slow_load_does_not_block_readers, setup, NULL)
{
	struct reader loader, others[3];
	int i;

	aged_out_during_a_load(600, &loader, others);
	for (i = 0; i < 3; i++) {
		assert_int_equal(others[i].rc, 0);
		assert_int_equal(others[i].n, 1);	/* the stale value, at once */
		assert_true(others[i].ms < 300);
	}
	assert_int_equal(loader.n, 2);
	assert_true(loader.ms >= 500);
	assert_int_equal(atomic_load(&loads), 2);	/* the readers did not load too */
	assert_int_equal(read_n(), 2);
}

/* A strict cache never serves a value past its max age: the readers wait for the one load. */
TEST_WITH(strict_readers_wait_for_the_load, setup, NULL)
{
	struct reader loader, others[3];
	int i;

	k.strict = 1;
	aged_out_during_a_load(400, &loader, others);
	for (i = 0; i < 3; i++) {
		assert_int_equal(others[i].rc, 0);
		assert_int_equal(others[i].n, 2);	/* the new value, never the aged one */
	}
	assert_int_equal(loader.n, 2);
	assert_int_equal(atomic_load(&loads), 2);	/* and still one load */
	k.strict = 0;
}

TEST_WITH(first_load_no_stampede, setup, NULL)
{
	struct reader r[4];
	int i;

	atomic_store(&slow_ms, 200);
	for (i = 0; i < 4; i++)
		pthread_create(&r[i].th, NULL, reader_run, &r[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(r[i].th, NULL);
		assert_int_equal(r[i].rc, 0);
		assert_int_equal(r[i].n, 1);
	}
	assert_int_equal(atomic_load(&loads), 1);
}

TEST_WITH(wait_is_bounded, setup, NULL)
{
	struct reader stuck, waiter;

	k.wait_ms = 150;
	atomic_store(&slow_first_ms, 1500);		/* the first loader is stuck 1.5 s */
	pthread_create(&stuck.th, NULL, reader_run, &stuck);
	while (atomic_load(&loads) < 1)
		sleep_ms(1);
	pthread_create(&waiter.th, NULL, reader_run, &waiter);
	pthread_join(waiter.th, NULL);
	assert_int_equal(waiter.rc, 0);
	assert_int_equal(waiter.n, 2);			/* it loaded by itself … */
	assert_true(waiter.ms >= 140 && waiter.ms < 1000);	/* … after its bounded wait */
	pthread_join(stuck.th, NULL);
	assert_int_equal(stuck.n, 1);
	assert_int_equal(read_n(), 2);		/* the later load stays current */
}

TEST_WITH(failed_load_changes_nothing, setup, NULL)
{
	const struct val *v;
	int rc = 0;

	atomic_store(&fail, 1);
	v = cache_get(&k, NULL, NULL, &rc);
	assert_null(v);
	assert_int_equal(rc, DB_DOWN);
	atomic_store(&fail, 0);
	assert_int_equal(read_n(), 2);
	atomic_fetch_add(&fake_now, 5000);
	atomic_store(&fail, 1);
	v = cache_get(&k, NULL, NULL, &rc);
	assert_null(v);
	assert_int_equal(rc, DB_DOWN);
	atomic_store(&fail, 0);
	cache_invalidate(&k);
	assert_int_equal(read_n(), 4);
}

/* ------------------------------------------------------------------ one value per key */

static struct cache set_slots[2];
static struct cache_set set = CACHE_SET_INIT(set_slots, sizeof(struct val), 1000, load);

FIXTURE(set_setup)
{
	setup(st);
	set.clock = test_clock;
	set.ready = 0;		/* the slots are set up again, empty */
	memset(set.keys, 0, sizeof set.keys);
	memset(set.used, 0, sizeof set.used);
	return 0;
}

/* The key a get of key returns (and that load number into *n): a buffer per thread. */
static _Thread_local char got[64];

static const char *
set_read(const char *key, long *n)
{
	const struct val *v;
	int rc = 0;

	v = cache_set_get(&set, NULL, key, &rc);
	assert_non_null(v);
	assert_int_equal(rc, 0);
	snprintf(got, sizeof got, "%s", v->key);
	if (n)
		*n = v->n;
	cache_put(NULL, v);
	return got;
}

TEST_WITH(set_keys_kept_apart, set_setup, NULL)
{
	long n1, n2, n;

	assert_string_equal(set_read("demo", &n1), "demo");
	assert_string_equal(set_read("north", &n2), "north");
	assert_string_equal(set_read("demo", &n), "demo");
	assert_int_equal(n, n1);			/* kept: no load */
	assert_int_equal(atomic_load(&loads), 2);
	/* A third key takes the slot used least recently ("north"). */
	assert_string_equal(set_read("south", NULL), "south");
	assert_string_equal(set_read("demo", &n), "demo");
	assert_int_equal(n, n1);
	assert_string_equal(set_read("north", &n), "north");
	assert_true(n > n2);				/* loaded again */
	/* One key's record changed: only it is loaded again. */
	n1 = atomic_load(&loads);
	cache_set_invalidate(&set, "north");
	assert_string_equal(set_read("north", NULL), "north");
	assert_int_equal(atomic_load(&loads), n1 + 1);
	/* Max age, per key. */
	atomic_fetch_add(&fake_now, 1000);
	assert_string_equal(set_read("north", NULL), "north");
	assert_int_equal(atomic_load(&loads), n1 + 2);
}

struct set_reader {
	pthread_t	 th;
	const char	*key;
	char		 got[64];
};

static void *
set_reader_run(void *arg)
{
	struct set_reader *r = arg;

	snprintf(r->got, sizeof r->got, "%s", set_read(r->key, NULL));
	return NULL;
}

/* A slot given to another key while a slow load for the old one runs: neither reader ever
 * gets the other key's value. */
TEST_WITH(set_slot_taken_during_load, set_setup, NULL)
{
	struct set_reader a = { .key = "a" };
	static struct cache one_slot[1];
	long n;

	set.slots = one_slot;
	set.n = 1;
	set.ready = 0;
	atomic_store(&slow_first_ms, 400);
	pthread_create(&a.th, NULL, set_reader_run, &a);
	while (atomic_load(&loads) < 1)
		sleep_ms(1);
	assert_string_equal(set_read("b", NULL), "b");	/* while "a" still loads */
	pthread_join(a.th, NULL);
	assert_string_equal(a.got, "a");
	n = atomic_load(&loads);
	assert_string_equal(set_read("b", NULL), "b");	/* "b" is what the slot keeps */
	assert_int_equal(atomic_load(&loads), n);
	set.slots = set_slots;
	set.n = 2;
	set.ready = 0;
}

UNIT_MAIN("cache", NULL, NULL)
