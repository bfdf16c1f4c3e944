/*
 * sms_http.c — the outbound HTTP client of the notification channels (libcurl), and the
 * small encoding and time helpers their protocols need (see notify_sms.h).
 *
 * One easy handle per call: the worker sends a handful of messages a second at most, and a
 * fresh handle never carries state (cookies, a half-broken connection) from one provider
 * reply to the next.  Only http and https, no redirects, bounded time and size.
 */
#include "notify_sms.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define REPLY_MAX (256 * 1024)

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;

	if (buf_add(b, p, sz * n) != 0)
		return 0;	/* too large: abort the transfer */
	return sz * n;
}

int
sms_http_post(const char *url, const char *const *headers, const char *body, size_t len,
    struct http_reply *reply)
{
	long timeout = (long)config_int("sms_timeout_ms", 5000, 100, 120000);
	long connect = timeout < 2000 ? timeout : 2000;
	struct curl_slist *hl = NULL;
	CURL *c;
	CURLcode rc;

	memset(reply, 0, sizeof *reply);
	buf_init(&reply->body, REPLY_MAX);
	if ((c = curl_easy_init()) == NULL) {
		str_copy(reply->err, sizeof reply->err, "curl_easy_init failed");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	hl = curl_slist_append(hl, "Expect:");
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
	else
		str_copy(reply->err, sizeof reply->err, curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return rc == CURLE_OK ? 0 : -1;
}

int
url_host(const char *url, char *out, size_t osz)
{
	const char *p = strstr(url, "://");
	size_t n;

	if (p == NULL)
		return -1;
	p += 3;
	n = strcspn(p, "/?#");
	if (n == 0 || n >= osz || memchr(p, '@', n))
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

void
pct_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~')
			buf_add(b, s, 1);
		else {
			char e[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			buf_add(b, e, 3);
		}
	}
}

void
utc_iso8601(int64_t t, char *out, size_t osz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, osz, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
utc_date(int64_t t, char *out, size_t osz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, osz, "%Y-%m-%d", &tm);
}
