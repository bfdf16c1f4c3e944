/*
 * health.c — GET /api/v1/health.
 *
 * Asks both dependencies on this thread's own connections, so a Redis or MariaDB that went
 * away is seen at once and one that came back is used again without restarting anything.
 * Both are asked at once and neither may take longer than health_timeout_ms (1000) from the
 * start of the request: one that has not answered by then (paused, stalled, unreachable) is
 * "down" and the answer is 503 degraded — a load balancer must not wait on a hung server.
 * Touches: Redis PING, MariaDB ping.
 */
#include "handlers.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"

#ifndef YC_VERSION
#define YC_VERSION "dev"
#endif

int
h_health(struct req *r)
{
	int64_t deadline = mono_ms() + config_int("health_timeout_ms", 1000, 50, 30000);
	/* PING Redis, ask MariaDB while Redis answers, then read Redis's reply. */
	int sent = kv_ping_send(r->ctx, deadline) == 0 ||
	    (mono_ms() < deadline && kv_ping_send(r->ctx, deadline) == 0);
	int mysql_ok = db_ping_within(r->ctx, deadline) == 0;
	int redis_ok = sent && kv_ping_recv(r->ctx, deadline) == 0;
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string(redis_ok && mysql_ok ? "ok" : "degraded"));
	json_object_set_new(o, "redis", json_string(redis_ok ? "ok" : "down"));
	json_object_set_new(o, "mysql", json_string(mysql_ok ? "ok" : "down"));
	json_object_set_new(o, "version", json_string(YC_VERSION));
	return req_ok(r, redis_ok && mysql_ok ? 200 : 503, o);
}
