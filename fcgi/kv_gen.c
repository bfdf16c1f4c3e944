/*
 * kv_gen.c — a generation number in Redis (kv_gen.h).
 */
#include "kv_gen.h"
#include "clock.h"
#include "kv.h"
#include "util.h"

#include <string.h>
#include <time.h>

static struct kv_script s_read = { "kv_gen_read",
	"local v = redis.call('GET', KEYS[1])\n"
	"if not v then v = ARGV[1]; redis.call('SET', KEYS[1], v) end\n"
	"return v\n", "" };
static struct kv_script s_bump = { "kv_gen_bump",
	"if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end\n"
	"return redis.call('INCR', KEYS[1])\n", "" };
static pthread_once_t gen_once = PTHREAD_ONCE_INIT;

static void
gen_init(void)
{
	kv_script_init(&s_read);
	kv_script_init(&s_bump);
}

/* The machine's clock, not the hall's (tests move that one back and forth). */
static void
gen_seed(char out[32])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fmt(out, 32, "%lld", (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

int
kv_gen_check(struct ctx *c, struct kv_gen *g)
{
	int_fast64_t now, due;
	const char *args[2];
	char seed[32], v[32];
	redisReply *rep;
	int changed;

	pthread_once(&gen_once, gen_init);
	now = mono_ms();
	due = atomic_load(&g->next_ms);
	if (now < due || !atomic_compare_exchange_strong(&g->next_ms, &due, now + g->check_ms))
		return 0;
	gen_seed(seed);
	args[0] = g->key;
	args[1] = seed;
	rep = kv_eval(c, &s_read, 1, 2, args, NULL);
	if (rep == NULL || (rep->type != REDIS_REPLY_STRING && rep->type != REDIS_REPLY_INTEGER)) {
		if (rep)
			freeReplyObject(rep);
		pthread_mutex_lock(&g->mu);
		g->seen[0] = '\0';
		pthread_mutex_unlock(&g->mu);
		return 1;
	}
	if (rep->type == REDIS_REPLY_STRING)
		str_copy(v, sizeof v, rep->str);
	else
		fmt(v, sizeof v, "%lld", rep->integer);
	freeReplyObject(rep);
	pthread_mutex_lock(&g->mu);
	changed = strcmp(v, g->seen) != 0;
	if (changed)
		str_copy(g->seen, sizeof g->seen, v);
	pthread_mutex_unlock(&g->mu);
	return changed;
}

int
kv_gen_known(struct kv_gen *g)
{
	int known;

	pthread_mutex_lock(&g->mu);
	known = g->seen[0] != '\0';
	pthread_mutex_unlock(&g->mu);
	return known;
}

int
kv_gen_bump(struct ctx *c, struct kv_gen *g)
{
	const char *args[2];
	char seed[32];
	redisReply *rep;

	pthread_once(&gen_once, gen_init);
	gen_seed(seed);
	args[0] = g->key;
	args[1] = seed;
	if ((rep = kv_eval(c, &s_bump, 1, 2, args, NULL)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}
