/*
 * bench.h — what the bench's own load programs (sse_subs.c, release_rush.c) both need: a
 * monotonic clock in milliseconds and a strict reader of their numeric arguments.  They are
 * built on their own (no test/lib, no libyc: Makefile), so this is a header of small inline
 * functions.
 */
#ifndef YC_BENCH_H
#define YC_BENCH_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* Milliseconds on the monotonic clock. */
static inline int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* s as a whole decimal number from min to max into *out: 0, or -1 (nothing else in s). */
static inline int
num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

#endif
