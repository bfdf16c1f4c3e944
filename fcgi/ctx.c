/*
 * ctx.c — per-thread connections (see ctx.h).
 */
#include "ctx.h"
#include "db.h"
#include "kv.h"

#include <string.h>
#include <time.h>

void
ctx_init(struct ctx *c, int id)
{
	memset(c, 0, sizeof *c);
	c->id = id;
}

void
ctx_close(struct ctx *c)
{
	db_drop(c);
	kv_drop(c);
}

int
ctx_idle(int64_t *used_ms)
{
	struct timespec ts;
	int64_t now, last = *used_ms;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	*used_ms = now;
	return last == 0 || now - last >= CTX_IDLE_CHECK_MS;
}
