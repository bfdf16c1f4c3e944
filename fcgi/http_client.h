/*
 * http_client.h — the one outbound HTTP client (libcurl) of every program: the SMS providers
 * and WeChat in modules/notify/ call through it.  It knows no provider and reads no
 * configuration: the caller says how long to wait and how much reply it will take.
 *
 * One easy handle per call: the callers send a handful of requests a second at most, and a
 * fresh handle never carries state (cookies, a half-broken connection) from one reply to the
 * next.  Only http and https, no redirects, bounded time and size.  URLs are built and checked
 * with libcurl's URL parser (curl_url) and values encoded with curl_easy_escape: nothing here
 * scans a URL by hand.
 */
#ifndef YC_HTTP_CLIENT_H
#define YC_HTTP_CLIENT_H

#include <stddef.h>

#include "util.h"

/* What went wrong with a call (HTTP_OK: a reply came back, whatever its status). */
enum http_err {
	HTTP_OK = 0,
	HTTP_E_URL,		/* not an http(s) URL libcurl accepts, or one with user:password@ */
	HTTP_E_NETWORK,		/* no reply: refused, unreachable, timed out, cut off */
	HTTP_E_TOO_LARGE,	/* the reply was longer than max_reply: the transfer was cut */
	HTTP_E_NOMEM		/* libcurl could not be set up */
};

struct http_call {
	const char		*url;
	const char *const	*headers;	/* "Name: value", NULL-terminated; NULL for none */
	const char		*body;		/* POST this (len bytes); NULL: GET */
	size_t			 len;
	long			 timeout_ms;	/* the whole call */
	long			 connect_ms;	/* the connection (capped at timeout_ms) */
	size_t			 max_reply;	/* bytes of reply body taken at most (a longer
						 * reply cuts the transfer: HTTP_E_TOO_LARGE) */
	const char		*user_agent;	/* NULL: none */
};

struct http_reply {
	long		 status;	/* 0 when no reply came */
	enum http_err	 err;
	struct buf	 body;		/* at most max_reply bytes; free with buf_free */
	char		 reason[128];	/* libcurl's reason when err is not HTTP_OK (no URL) */
};

/* Make the call.  Returns reply->err.  reply->body must be freed with buf_free, whatever
 * the outcome. */
enum http_err http_request(const struct http_call *call, struct http_reply *reply);

/*
 * The URL base + path + "?k1=v1&k2=v2…" into out (size osz): base must be an http(s) URL
 * without user:password@; path ("/cgi-bin/x") goes after base's own path (one slash between
 * them); each value is percent-encoded (curl_easy_escape: RFC 3986 unreserved kept, the rest
 * %XX).  n pairs, 0 for none.  Returns HTTP_OK, HTTP_E_URL (a bad base, or out too small)
 * or HTTP_E_NOMEM.  The URL may carry a secret: the caller wipes out when done.
 */
enum http_err http_url(const char *base, const char *path, const char *const *keys,
	    const char *const *vals, size_t n, char *out, size_t osz);
/* "host" or "host:port" (as written in the URL) of an http(s) URL into out.  0 or -1. */
int	http_url_host(const char *url, char *out, size_t osz);
/* s percent-encoded as http_url encodes values, appended to b.  0, or -1 with b marked
 * overflowed. */
int	http_escape(struct buf *b, const char *s);

#endif
