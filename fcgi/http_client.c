/*
 * http_client.c — outbound HTTP through libcurl (see http_client.h).
 */
#include "http_client.h"

#include <curl/curl.h>
#include <sodium.h>
#include <string.h>

#define URL_MAX	(16 * 1024)	/* a URL we build: base, path and a few encoded values */

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;

	if (buf_add(b, p, sz * n) != 0)
		return 0;	/* too large: abort the transfer */
	return sz * n;
}

enum http_err
http_request(const struct http_call *call, struct http_reply *reply)
{
	long connect = call->connect_ms < call->timeout_ms ? call->connect_ms : call->timeout_ms;
	struct curl_slist *hl = NULL;
	const char *const *h;
	CURLcode rc;
	CURL *c;

	memset(reply, 0, sizeof *reply);
	buf_init(&reply->body, call->max_reply + 1);	/* + its NUL */
	if ((c = curl_easy_init()) == NULL) {
		str_copy(reply->reason, sizeof reply->reason, "curl_easy_init failed");
		return reply->err = HTTP_E_NOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, call->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, call->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply->body);
	if (call->user_agent)
		curl_easy_setopt(c, CURLOPT_USERAGENT, call->user_agent);
	if (call->body) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)call->len);
		hl = curl_slist_append(hl, "Expect:");
	}
	for (h = call->headers; h && *h; h++)
		hl = curl_slist_append(hl, *h);
	if (hl)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
	else if (reply->body.overflow) {
		reply->err = HTTP_E_TOO_LARGE;
		str_copy(reply->reason, sizeof reply->reason, "reply too large");
	} else {
		reply->err = rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ?
		    HTTP_E_URL : HTTP_E_NETWORK;
		str_copy(reply->reason, sizeof reply->reason, curl_easy_strerror(rc));
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return reply->err;
}

/* Parse url into a new handle: an http(s) URL without user information.  NULL otherwise. */
static CURLU *
url_parse(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *user = NULL;
	int ok;

	if (u == NULL)
		return NULL;
	ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_NO_USER;
	curl_free(scheme);
	curl_free(user);
	if (!ok) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

int
http_escape(struct buf *b, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	int rc;

	if (e == NULL) {
		b->overflow = 1;
		return -1;
	}
	rc = buf_adds(b, e);
	sodium_memzero(e, strlen(e));
	curl_free(e);
	return rc;
}

/* base's path without its trailing slashes, then path, into p.  0 or -1. */
static int
url_path(CURLU *u, const char *path, struct buf *p)
{
	char *own = NULL;
	size_t n;

	if (curl_url_get(u, CURLUPART_PATH, &own, 0) != CURLUE_OK)
		return -1;
	n = strlen(own);
	while (n > 0 && own[n - 1] == '/')
		n--;
	buf_add(p, own, n);
	curl_free(own);
	buf_adds(p, path);
	return p->overflow || p->data == NULL ? -1 : 0;
}

/*
 * The query is added as text after libcurl has given the URL back: libcurl would rewrite its
 * %XX in lower case, and the values are sent exactly as curl_easy_escape wrote them.
 */
enum http_err
http_url(const char *base, const char *path, const char *const *keys,
    const char *const *vals, size_t n, char *out, size_t osz)
{
	struct buf p, q;
	char *full = NULL;
	enum http_err rc = HTTP_E_URL;
	CURLU *u;
	size_t i;

	out[0] = '\0';
	if ((u = url_parse(base)) == NULL)
		return HTTP_E_URL;
	buf_init(&p, URL_MAX);
	buf_init(&q, URL_MAX);
	for (i = 0; i < n; i++) {
		buf_adds(&q, i > 0 ? "&" : "?");
		buf_adds(&q, keys[i]);
		buf_adds(&q, "=");
		http_escape(&q, vals[i]);
	}
	if (url_path(u, path ? path : "", &p) != 0 || q.overflow ||
	    curl_url_set(u, CURLUPART_PATH, p.data, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
		rc = HTTP_E_NOMEM;
		goto out;
	}
	if (fmt(out, osz, "%s%s", full, q.data ? q.data : "") >= 0)
		rc = HTTP_OK;
	else
		sodium_memzero(out, osz);
	curl_free(full);
out:
	if (q.data)
		sodium_memzero(q.data, q.len);
	buf_free(&q);
	buf_free(&p);
	curl_url_cleanup(u);
	return rc;
}

int
http_url_host(const char *url, char *out, size_t osz)
{
	char *host = NULL, *port = NULL;
	CURLU *u = url_parse(url);
	int rc = -1;

	out[0] = '\0';
	if (u == NULL)
		return -1;
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && *host) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			rc = fmt(out, osz, "%s:%s", host, port) < 0 ? -1 : 0;
		else
			rc = str_copy(out, osz, host) < osz ? 0 : -1;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	if (rc != 0)
		out[0] = '\0';
	return rc;
}
