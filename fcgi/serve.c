/*
 * serve.c — one FastCGI request, from its parameters to its reply and its access-log line:
 * parse and bound the head, find the route, read the body the route allows, dispatch,
 * reply, count (metrics) and log.  The app's threads (programs/app.c) call app_handle for
 * every request they take, whichever pool they serve.
 */
#include "init.h"
#include "clock.h"
#include "ctx.h"
#include "log.h"
#include "metrics.h"
#include "util.h"
#include "yc.h"

#include <fcgiapp.h>
#include <stdlib.h>
#include <time.h>

static const char *
fx_param(void *arg, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

/* Read exactly the declared body, refusing more than the route allows. */
static int
read_body(struct req *r, FCGX_Request *fx, char **out, size_t *olen)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fx->envp);
	size_t limit = r->route && r->route->body_limit ? r->route->body_limit : REQ_BODY_DEFAULT;
	long long n = 0;
	char *b;
	int got;

	*out = NULL;
	*olen = 0;
	if (cl && *cl && parse_ll(cl, 0, (long long)1 << 40, &n) != 0)
		return req_fail(r, 400, "INVALID_INPUT", "Content-Length 无效");
	if ((size_t)n > limit)
		return req_fail(r, 413, "TOO_LARGE", "请求内容过大");
	if ((b = malloc((size_t)n + 1)) == NULL)
		return req_unavailable(r);
	got = n > 0 ? FCGX_GetStr(b, (int)n, fx->in) : 0;
	if (got != n) {
		free(b);
		return req_fail(r, 400, "INVALID_INPUT", "请求内容不完整");
	}
	b[n] = '\0';
	*out = b;
	*olen = (size_t)n;
	return 0;
}

/*
 * Read what is left of the request (a body the handler refused unread, the end-of-input
 * record), so that a kept connection starts the next request clean.  nginx has already
 * sent all of it (request buffering; client_max_body_size bounds it).  Should it ever be
 * more than that, the connection is not kept.
 */
static void
drain_input(FCGX_Request *fx)
{
	char buf[4096];
	long total = 0;
	int n;

	while ((n = FCGX_GetStr(buf, (int)sizeof buf, fx->in)) > 0) {
		total += n;
		if (total > 16L * 1024 * 1024) {
			fx->keepConnection = 0;
			return;
		}
	}
}

/* Microseconds of the monotonic clock (the request's duration; mono_ms is too coarse). */
static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
app_handle(struct FCGX_Request *fxr, struct ctx *ctx)
{
	struct req r;
	struct access_rec a;
	char *body = NULL;
	size_t blen = 0, nall;
	int64_t t0 = mono_us(), us;
	const struct route *all = router_routes(&nall);
	FCGX_Request *fx = (FCGX_Request *)fxr;

	metrics_busy(1);
	req_init(&r, ctx);
	ctx_request_begin(ctx);
	r.fx = fxr;
	r.t_start_ms = hall_now_ms();
	if (req_parse_head(&r, fx_param, fx) == 0 &&
	    router_match(&r, all, nall) == 0 &&
	    read_body(&r, fx, &body, &blen) == 0 &&
	    req_parse_body(&r, body, blen, (r.route->flags & RF_RAW_BODY) != 0) == 0)
		router_dispatch(&r);
	else if (body && r.raw_body == NULL)
		free(body);
	if (r.status == 0)
		req_bug(&r, "handler set no status");
	reply_send(&r);
	us = mono_us() - t0;
	metrics_request(r.route ? (size_t)(r.route - all) : nall, r.status, us);
	a.rid = r.rid;
	a.method = r.method_str;
	a.route = r.route ? r.route->pattern : "-";
	a.status = r.status;
	a.ms = (double)us / 1000.0;
	a.code = r.err_code;
	a.role = r.sess.role ? role_name(r.sess.role) : NULL;
	log_access(&a);
	req_free(&r);
	ctx_request_end(ctx);
	drain_input(fx);
	metrics_busy(-1);
}
