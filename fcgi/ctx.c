/*
 * ctx.c — per-thread connections (see ctx.h).
 */
#include "ctx.h"

#include <string.h>

void
ctx_init(struct ctx *c, int id)
{
	memset(c, 0, sizeof *c);
	c->id = id;
}

void
ctx_close(struct ctx *c)
{
	if (c->db_close)
		c->db_close(c);
	if (c->kv_close)
		c->kv_close(c);
}

void
ctx_request_begin(struct ctx *c)
{
	c->in_request = 1;
	c->db_timed_out = 0;
	c->kv_timed_out = 0;
}

void
ctx_request_end(struct ctx *c)
{
	c->in_request = 0;
	c->db_timed_out = 0;
	c->kv_timed_out = 0;
}
