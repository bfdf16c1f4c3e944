/*
 * fcgi_client.h — one request straight to a yichuang-app FastCGI socket, without nginx, for
 * tests that run apps of their own (it_upgrade: the previous release's app and this one's
 * side by side).  The reply fills the same struct resp as http.h (status, body, the CGI
 * header block in headers, json); nginx's own parts (rate limits, static files) are not in
 * the way, nor tested.
 */
#ifndef YC_TEST_FCGI_CLIENT_H
#define YC_TEST_FCGI_CLIENT_H

#include "http.h"

/* method, path with an optional query, optional body and "Name: value" headers (NULL-
 * terminated).  0 when a reply came back (any status), -1 otherwise. */
int	fcgi_request(const char *sock, struct resp *out, const char *method, const char *path,
	    const char *body, const char *const *headers);
/* The same with a bearer token (may be NULL) and a JSON body (may be NULL). */
int	fcgi_json(const char *sock, struct resp *out, const char *method, const char *path,
	    const char *token, const char *body);

#endif
