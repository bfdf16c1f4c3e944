/*
 * fuzz_request.c — libFuzzer target for request parsing: method, path, query string,
 * cookies, headers and the JSON body, then routing against the real route table.
 * Input: fields separated by 0xff bytes in this order:
 *   method, uri, query, cookie, content-type, authorization, body
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fcgi/yc.h"
#include "../../programs/assembly.h"

#define NF 7

struct fenv {
	char	*v[NF];
};

static const char *const names[NF] = { "REQUEST_METHOD", "REQUEST_URI", "QUERY_STRING",
    "HTTP_COOKIE", "CONTENT_TYPE", "HTTP_AUTHORIZATION", "BODY" };

static const char *
getp(void *arg, const char *name)
{
	struct fenv *e = arg;

	for (int i = 0; i < NF - 1; i++)
		if (strcmp(names[i], name) == 0)
			return e->v[i];
	return NULL;
}

static const struct route *routes;
static size_t nroutes;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fenv e;
	struct req r;
	struct buf out;
	size_t pos = 0, f;
	size_t blen = 0;

	memset(&e, 0, sizeof e);
	for (f = 0; f < NF; f++) {
		size_t end = pos;

		while (end < size && (f == NF - 1 || data[end] != 0xff))
			end++;
		/* Parameters are NUL-terminated C strings, as libfcgi hands them over. */
		e.v[f] = malloc(end - pos + 1);
		memcpy(e.v[f], data + pos, end - pos);
		e.v[f][end - pos] = '\0';
		if (f == NF - 1)
			blen = end - pos;
		pos = end < size ? end + 1 : end;
	}
	if (routes == NULL && (rooms_assemble() != 0 || (routes = router_routes(&nroutes)) == NULL))
		abort();
	req_init(&r, NULL);
	if (req_parse_head(&r, getp, &e) == 0 && router_match(&r, routes, nroutes) == 0) {
		char *body = e.v[NF - 1];

		e.v[NF - 1] = NULL;	/* the request owns the body now */
		req_parse_body(&r, body, blen, (r.route->flags & RF_RAW_BODY) != 0);
	}
	buf_init(&out, 1 << 20);
	if (r.status == 0)
		req_ok(&r, 200, json_object());
	reply_render(&r, &out);
	buf_free(&out);
	req_free(&r);
	for (f = 0; f < NF; f++)
		free(e.v[f]);
	return 0;
}
