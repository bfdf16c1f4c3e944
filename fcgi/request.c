/*
 * request.c — turning FastCGI parameters and the body into struct req.
 *
 * Everything here is bounded: the path, the number of query parameters and cookies, each
 * header we read, and the body (the route's limit, enforced before reading it).  Strings
 * parsed out of the request live in one per-request arena freed by req_free().
 */
#include "yc.h"
#include "log.h"

#include <fcgiapp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#define ARENA_MAX (64 * 1024)

static const char *const method_names[M__MAX] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"
};

void
req_init(struct req *r, struct ctx *ctx)
{
	memset(r, 0, sizeof *r);
	r->ctx = ctx;
	r->method = M__MAX;
	r->method_str = "-";
	buf_init(&r->raw_reply, 16 * 1024 * 1024);
	buf_init(&r->headers, 4096);
}

void
req_free(struct req *r)
{
	free(r->raw_body);
	json_decref(r->body);
	json_decref(r->reply);
	json_decref(r->err_fields);
	json_decref(r->err_extra);
	buf_free(&r->raw_reply);
	buf_free(&r->headers);
	free(r->arena);
	memset(r, 0, sizeof *r);
}

/* The arena is one block sized on first use; strings never move once handed out. */
char *
req_strdup(struct req *r, const char *s, size_t n)
{
	char *p;

	if (r->arena == NULL) {
		if ((r->arena = malloc(ARENA_MAX)) == NULL)
			return NULL;
		r->arena_cap = ARENA_MAX;
	}
	if (n + 1 > r->arena_cap - r->arena_len)
		return NULL;
	p = r->arena + r->arena_len;
	memcpy(p, s, n);
	p[n] = '\0';
	r->arena_len += n + 1;
	return p;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode %XX (and '+' when plus_space) in place.  -1 on a bad escape or a NUL byte. */
int
url_decode(char *s, size_t *len, int plus_space)
{
	size_t i, o = 0, n = *len;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			hi = hexval(s[i + 1]);
			lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				return -1;
			i += 2;
		} else if (c == '+' && plus_space)
			c = ' ';
		s[o++] = c;
	}
	s[o] = '\0';
	*len = o;
	return 0;
}

/* Split "a=1&b=2" into r->query.  Keys and values are URL-decoded and must be UTF-8. */
static int
parse_query(struct req *r, const char *qs)
{
	size_t qlen = strlen(qs), pos = 0;

	if (qlen > 4096)
		return req_fail(r, 414, "TOO_LARGE", "请求地址过长");
	while (pos < qlen) {
		size_t end = pos, eq, klen, vlen;
		char *k, *v;

		while (end < qlen && qs[end] != '&')
			end++;
		if (end == pos) {
			pos++;
			continue;
		}
		for (eq = pos; eq < end && qs[eq] != '='; eq++)
			;
		klen = eq - pos;
		vlen = eq < end ? end - eq - 1 : 0;
		if (r->nquery == REQ_MAX_QUERY)
			return req_fail(r, 400, "INVALID_INPUT", "查询参数过多");
		k = req_strdup(r, qs + pos, klen);
		v = req_strdup(r, eq < end ? qs + eq + 1 : "", vlen);
		if (k == NULL || v == NULL)
			return req_fail(r, 414, "TOO_LARGE", "请求地址过长");
		if (url_decode(k, &klen, 1) || url_decode(v, &vlen, 1) || !utf8_ok(k, klen) ||
		    !utf8_ok(v, vlen) || klen == 0)
			return req_fail(r, 400, "INVALID_INPUT", "查询参数编码错误");
		r->query[r->nquery].k = k;
		r->query[r->nquery].v = v;
		r->nquery++;
		pos = end + 1;
	}
	return 0;
}

/* "a=1; b=2".  Malformed pairs are skipped, as browsers do; at most REQ_MAX_COOKIES kept. */
static void
parse_cookies(struct req *r, const char *h)
{
	size_t n = strlen(h), pos = 0;

	if (n > 4096)
		return;
	while (pos < n && r->ncookies < REQ_MAX_COOKIES) {
		size_t end = pos, eq, ks, ke, vs, ve;

		while (end < n && h[end] != ';')
			end++;
		for (eq = pos; eq < end && h[eq] != '='; eq++)
			;
		ks = pos;
		while (ks < eq && h[ks] == ' ')
			ks++;
		ke = eq;
		while (ke > ks && h[ke - 1] == ' ')
			ke--;
		if (eq < end && ke > ks) {
			vs = eq + 1;
			ve = end;
			while (vs < ve && h[vs] == ' ')
				vs++;
			while (ve > vs && h[ve - 1] == ' ')
				ve--;
			if (ve - vs >= 2 && h[vs] == '"' && h[ve - 1] == '"') {
				vs++;
				ve--;
			}
			r->cookies[r->ncookies].k = req_strdup(r, h + ks, ke - ks);
			r->cookies[r->ncookies].v = req_strdup(r, h + vs, ve - vs);
			if (r->cookies[r->ncookies].k && r->cookies[r->ncookies].v)
				r->ncookies++;
		}
		pos = end + 1;
	}
}

static const char *
header(struct req *r, param_fn get, void *arg, const char *name, size_t max)
{
	const char *v = get(arg, name);

	if (v == NULL || *v == '\0')
		return NULL;
	if (strlen(v) > max)
		return NULL;
	return req_strdup(r, v, strlen(v));
}

/*
 * The request id (X-Request-Id, the app's access log, and nginx's log through the reply
 * header): 24 letters from the CSPRNG (136 bits).  Letters only: a hex or base64 id holds
 * runs of digits that read like a phone or ID number to anyone (or any scanner) looking for
 * personal data in the logs.
 */
static void
request_id(struct req *r)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	const unsigned nl = sizeof letters - 1, lim = 256 / nl * nl;	/* 52, 208 */
	unsigned char b[32];
	size_t i = 0, k;

	/* One draw of bytes for the whole id (a draw a letter was a system call each), each
	 * byte below lim taken modulo 52 so that every letter stays equally likely. */
	while (i < REQ_ID_LEN) {
		randombytes_buf(b, sizeof b);
		for (k = 0; k < sizeof b && i < REQ_ID_LEN; k++)
			if (b[k] < lim)
				r->rid[i++] = letters[b[k] % nl];
	}
	sodium_memzero(b, sizeof b);
	r->rid[REQ_ID_LEN] = '\0';
}

int
req_parse_head(struct req *r, param_fn get, void *arg)
{
	const char *m = get(arg, "REQUEST_METHOD"), *uri, *q, *ck;
	size_t plen;
	int i;

	request_id(r);
	for (i = 0; m && i < M__MAX; i++)
		if (strcmp(m, method_names[i]) == 0) {
			r->method = (enum method)i;
			r->method_str = method_names[i];
		}
	if (r->method == M__MAX)
		return req_fail(r, 405, "METHOD_NOT_ALLOWED", "不支持的请求方法");

	/* DOCUMENT_URI is the path without the query; REQUEST_URI as a fallback. */
	uri = get(arg, "DOCUMENT_URI");
	if (uri == NULL || *uri == '\0')
		uri = get(arg, "REQUEST_URI");
	if (uri == NULL)
		uri = "/";
	plen = strcspn(uri, "?");
	if (plen >= sizeof r->path)
		return req_fail(r, 414, "TOO_LARGE", "请求地址过长");
	memcpy(r->path, uri, plen);
	r->path[plen] = '\0';
	if (url_decode(r->path, &plen, 0) || !utf8_ok(r->path, plen))
		return req_fail(r, 400, "INVALID_INPUT", "请求地址编码错误");
	if (strncmp(r->path, "/api/v1", 7) == 0 && (r->path[7] == '/' || r->path[7] == '\0')) {
		memmove(r->path, r->path + 7, plen - 7 + 1);
		if (r->path[0] == '\0')
			str_copy(r->path, sizeof r->path, "/");
	}

	q = get(arg, "QUERY_STRING");
	if (q && *q) {
		int rc = parse_query(r, q);

		if (rc)
			return rc;
	}
	r->content_type = header(r, get, arg, "CONTENT_TYPE", 200);
	r->authorization = header(r, get, arg, "HTTP_AUTHORIZATION", 300);
	r->idempotency_key = header(r, get, arg, "HTTP_IDEMPOTENCY_KEY", 200);
	r->csrf_header = header(r, get, arg, "HTTP_X_CSRF_TOKEN", 200);
	r->if_none_match = header(r, get, arg, "HTTP_IF_NONE_MATCH", 200);
	r->accept = header(r, get, arg, "HTTP_ACCEPT", 300);
	r->remote_addr = header(r, get, arg, "REMOTE_ADDR", 64);
	if (r->remote_addr == NULL)
		r->remote_addr = "";
	if ((ck = get(arg, "HTTP_COOKIE")) != NULL)
		parse_cookies(r, ck);
	return 0;
}

static int
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	return ct && strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

int
req_parse_body(struct req *r, char *body, size_t len, int raw)
{
	json_error_t jerr;

	r->raw_body = body;
	r->body_len = len;
	if (raw)
		return 0;
	if (len == 0) {
		r->body = json_object();
		return 0;
	}
	if (!is_json_type(r->content_type))
		return req_fail(r, 415, "UNSUPPORTED_TYPE", "请求内容须为 JSON（application/json）");
	r->body = json_loadb(body, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (r->body == NULL)
		return req_fail(r, 400, "INVALID_INPUT", "请求内容不是有效的 JSON");
	if (!json_is_object(r->body)) {
		json_decref(r->body);
		r->body = NULL;
		return req_fail(r, 400, "INVALID_INPUT", "请求内容须为 JSON 对象");
	}
	return 0;
}

const char *
req_query(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nquery; i++)
		if (strcmp(r->query[i].k, name) == 0)
			return r->query[i].v;
	return NULL;
}

const char *
req_cookie(const struct req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncookies; i++)
		if (strcmp(r->cookies[i].k, name) == 0)
			return r->cookies[i].v;
	return NULL;
}

/*
 * nginx closes its connection to the app when its client goes away (a screen that gave up,
 * a client that aborted): nobody will read the answer.  Asked by requests that wait on
 * purpose (the board's long poll), so a client that opens and drops requests cannot keep the
 * app's threads waiting for nobody.  Only a hang-up counts: the end of the request's input
 * may still be unread on the connection.
 */
int
req_peer_gone(const struct req *r)
{
	const FCGX_Request *fx = (const FCGX_Request *)r->fx;
	struct pollfd p;

	if (fx == NULL || fx->ipcFd < 0)
		return 0;
	p.fd = fx->ipcFd;
	p.events = POLLRDHUP;
	p.revents = 0;
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}
