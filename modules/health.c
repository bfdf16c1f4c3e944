/*
 * health.c — GET /api/v1/health.
 *
 * Asks both dependencies on this thread's own connections, so a Redis or MariaDB that went
 * away is seen at once and one that came back is used again without restarting anything.
 * Touches: Redis PING, MariaDB ping.
 */
#include "handlers.h"
#include "../fcgi/db.h"
#include "../fcgi/kv.h"

#ifndef YC_VERSION
#define YC_VERSION "dev"
#endif

int
h_health(struct req *r)
{
	/* PING Redis, ask MariaDB while Redis answers, then read Redis's reply. */
	int sent = kv_ping_send(r->ctx) == 0;
	int mysql_ok = db_ping(r->ctx) == 0;
	int redis_ok = sent ? kv_ping_recv(r->ctx) == 0 : kv_ping(r->ctx) == 0;
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string(redis_ok && mysql_ok ? "ok" : "degraded"));
	json_object_set_new(o, "redis", json_string(redis_ok ? "ok" : "down"));
	json_object_set_new(o, "mysql", json_string(mysql_ok ? "ok" : "down"));
	json_object_set_new(o, "version", json_string(YC_VERSION));
	return req_ok(r, redis_ok && mysql_ok ? 200 : 503, o);
}
