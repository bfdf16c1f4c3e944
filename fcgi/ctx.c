/*
 * ctx.c — per-thread connections (see ctx.h).
 */
#include "ctx.h"
#include "db.h"
#include "kv.h"

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
