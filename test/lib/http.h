/*
 * http.h — the integration tests' client: real HTTP through libcurl to the test stack's
 * nginx (YICHUANG_BASE_URL), JSON through jansson.  Like kcgi's regress/ programs: each
 * test says what a client sends and what it must get back.
 */
#ifndef YC_TEST_HTTP_H
#define YC_TEST_HTTP_H

#include <stddef.h>

#include <jansson.h>

struct resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	 headers[8192];
	json_t	*json;		/* parsed body when it is JSON, else NULL */
};

const char *base_url(void);
/* method, path (below the site root, e.g. "/api/v1/health"), optional body and headers
 * (NULL-terminated "Name: value" list).  Returns 0 when a reply came back. */
int	 http(struct resp *out, const char *method, const char *path, const char *body,
	     const char *const *headers);
/* Shorthands with a bearer token (may be NULL). */
int	 http_json(struct resp *out, const char *method, const char *path, const char *token,
	     const char *body);
void	 resp_free(struct resp *r);
/* Dotted lookup: "error.code", "halls.0.name". */
json_t	*jget(json_t *root, const char *path);
const char *jstr(json_t *root, const char *path);
long long jint(json_t *root, const char *path);
/* Value of a response header (case-insensitive), copied into out; NULL when absent. */
const char *resp_header(const struct resp *r, const char *name, char *out, size_t osz);
/* Run ops/stack.sh VERB on the test instance (e.g. "redis-stop"). Exit status. */
int	 stack(const char *verb);
/* Move the test stack's hall clock to an RFC 3339 instant (it runs on from there);
 * NULL puts it back where the stack started it. 0 or -1. */
int	 set_clock(const char *when);
/* Sign in a demo staff member; returns a token in out. 0 or -1. */
int	 staff_login(const char *user, int window, char *out, size_t osz);

#endif
