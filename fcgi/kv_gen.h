/*
 * kv_gen.h — a generation number in Redis, for per-process copies that must follow a change
 * made on any process of any host within a bounded time.
 *
 * A writer calls kv_gen_bump after committing; every process calls kv_gen_check before
 * reading its copy: at most every check_ms one thread of the process reads the key (one
 * EVALSHA), and the check says "changed" when the value differs from the one seen before,
 * or when Redis cannot be read (a change could not be signalled meanwhile).  Why a number
 * rather than a message: any number of processes on any number of hosts read one key, a
 * process that was down or busy catches up at its next check, nothing holds a
 * subscription.  A Redis that lost the key (restart, fail-over) gets it back at the
 * machine clock's microseconds, never a value a process may already hold.
 */
#ifndef YC_KV_GEN_H
#define YC_KV_GEN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ctx.h"

struct kv_gen {
	const char		*key;		/* e.g. "yc:queue:cfg_gen" */
	int64_t			 check_ms;	/* read at most this often per process */
	pthread_mutex_t		 mu;
	char			 seen[32];	/* "" none yet, or after a failed read */
	atomic_int_fast64_t	 next_ms;
};

#define KV_GEN_INIT(k, ms) { .key = (k), .check_ms = (ms), .mu = PTHREAD_MUTEX_INITIALIZER }

/* 1 when the copies must go (a new generation, the first read, or Redis unreadable); 0
 * when they may be read (also between two reads). */
int	kv_gen_check(struct ctx *c, struct kv_gen *g);
/* 1 when the last read of the key worked; 0 before the first read and after a failed one
 * (for copies that must not be read at all while a change could not be signalled). */
int	kv_gen_known(struct kv_gen *g);
/* Raise the generation.  0, or -1 when Redis is down (the caller logs it). */
int	kv_gen_bump(struct ctx *c, struct kv_gen *g);

#endif
