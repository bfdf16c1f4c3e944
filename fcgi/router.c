/*
 * router.c — matching a request against the route table, then authorizing it.
 *
 * Patterns are literal segments and {name} segments; a {name} matches one segment of
 * 1–128 characters from [A-Za-z0-9_.-] (tokens, codes, numbers), so a path parameter
 * never carries anything a handler must escape.  A path that matches some route with
 * another method is 405 with Allow; no match at all is 404.  HEAD is served wherever GET is:
 * the GET route runs and the reply goes out without its body (reply.c).
 */
#include "yc.h"
#include "session.h"
#include "log.h"

#include <ctype.h>
#include <string.h>
#include <sodium.h>

static const char *const method_names[M__MAX] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"
};

static const struct route *table_routes;
static size_t ntable_routes;
static void (*refusal_hook)(struct req *);

void
router_set_routes(const struct route *table, size_t n)
{
	table_routes = table;
	ntable_routes = n;
}

const struct route *
router_routes(size_t *n)
{
	*n = ntable_routes;
	return table_routes;
}

void
router_on_refusal(void (*fn)(struct req *))
{
	refusal_hook = fn;
}

static int
param_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* Match path against pattern; fills pathv (pointing into buf). 1 on match. */
/* Add a method to the Allow list once. */
static void
allow_add(char *allow, size_t asz, const char *m)
{
	size_t n = strlen(m);
	const char *p;

	for (p = strstr(allow, m); p; p = strstr(p + 1, m))
		if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return;
	if (allow[0])
		str_copy(allow + strlen(allow), asz - strlen(allow), ", ");
	str_copy(allow + strlen(allow), asz - strlen(allow), m);
}

static int
match(const char *pattern, const char *path, char *buf, size_t bsz, const char **pathv,
    size_t *npathv)
{
	const char *p = pattern, *s = path;
	size_t used = 0;

	*npathv = 0;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t n = 0;

			if (pe == NULL)
				return 0;
			while (s[n] && s[n] != '/') {
				if (!param_char(s[n]))
					return 0;
				n++;
			}
			if (n == 0 || n > 128 || *npathv == REQ_MAX_PATHV || used + n + 1 > bsz)
				return 0;
			memcpy(buf + used, s, n);
			buf[used + n] = '\0';
			pathv[(*npathv)++] = buf + used;
			used += n + 1;
			s += n;
			p = pe + 1;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

int
router_match(struct req *r, const struct route *table, size_t n)
{
	char buf[REQ_MAX_PATH];
	const char *pv[REQ_MAX_PATHV];
	size_t i, npv;
	char allow[128] = "";
	int path_known = 0;
	enum method want = r->method == M_HEAD ? M_GET : r->method;

	for (i = 0; i < n; i++) {
		if (!match(table[i].pattern, r->path, buf, sizeof buf, pv, &npv))
			continue;
		path_known = 1;
		if (table[i].method != want) {
			allow_add(allow, sizeof allow, method_names[table[i].method]);
			if (table[i].method == M_GET)
				allow_add(allow, sizeof allow, method_names[M_HEAD]);
			continue;
		}
		r->route = &table[i];
		r->npathv = npv;
		for (size_t k = 0; k < npv; k++)
			r->pathv[k] = req_strdup(r, pv[k], strlen(pv[k]));
		return 0;
	}
	if (path_known) {
		req_header(r, "Allow", allow);
		return req_fail(r, 405, "METHOD_NOT_ALLOWED", "不支持该请求方法");
	}
	return req_fail(r, 404, "NOT_FOUND", "请求的资源不存在");
}

int
req_route_ends(const struct req *r, const char *suffix)
{
	size_t n, k = strlen(suffix);

	if (r->route == NULL)
		return 0;
	n = strlen(r->route->pattern);
	return n >= k && memcmp(r->route->pattern + n - k, suffix, k) == 0;
}

static int
unsafe(enum method m)
{
	return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

/*
 * Authorization: a route with roles needs a session whose role is among them.  Cookie
 * sessions must prove the request came from our own pages (X-CSRF-Token) on unsafe methods.
 * Routes with ROLE_ANY still pick up a session when one is offered, so a handler can act on
 * "the holder" (a citizen leaving the queue) without the route requiring one.
 */
static int
authorize(struct req *r)
{
	const struct route *rt = r->route;
	int rc;

	if (rt->roles == ROLE_ANY) {
		/* A stale token on a public route is not an error: the caller is anonymous. */
		if ((r->authorization || req_cookie(r, SESSION_COOKIE)) && session_load(r) != 0) {
			memset(&r->sess, 0, sizeof r->sess);
			r->status = 0;
			r->err_code = NULL;
		}
		return 0;
	}
	if ((rc = session_load(r)) != 0)
		return rc;
	if ((r->sess.role & rt->roles) == 0)
		return req_fail(r, 403, "FORBIDDEN", "无权进行此操作");
	if (r->sess.via_cookie && unsafe(r->method) && !(rt->flags & RF_NO_CSRF)) {
		if (r->csrf_header == NULL || strlen(r->csrf_header) != strlen(r->sess.csrf) ||
		    sodium_memcmp(r->csrf_header, r->sess.csrf, strlen(r->sess.csrf)) != 0)
			return req_fail(r, 403, "CSRF", "页面已过期，请刷新后重试");
	}
	return 0;
}

int
router_dispatch(struct req *r)
{
	int rc;

	if (r->route == NULL && (rc = router_match(r, table_routes, ntable_routes)) != 0)
		return rc;
	if ((rc = authorize(r)) == 0) {
		rc = r->route->fn(r);
		if (rc == 0 || (r->status == 0 && rc != 0))
			r->status = rc ? rc : 500;
	}
	/* Every refusal is on the audit trail: who was turned away from what. */
	if ((r->status == 401 || r->status == 403) && refusal_hook)
		refusal_hook(r);
	return r->status;
}
