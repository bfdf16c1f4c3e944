/*
 * test_http_client.c — the outbound HTTP client (fcgi/http_client.h) that every SMS and
 * WeChat call goes through: the URLs it builds (base + path + encoded values, nothing else
 * let through), the host it names for a signature, and the reply-size cap, against a tiny
 * HTTP server on a local socket in this process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../lib/suite.h"
#include "../../fcgi/http_client.h"

TEST(urls)
{
	const char *k[] = { "appid", "secret", "js_code" };
	const char *v[] = { "wx1", "a b&c=d/中", "" };
	char url[256], small[24];

	/* Values encoded (space %20, & = / and UTF-8 as %XX), one slash between base and path. */
	assert_int_equal(http_url("http://127.0.0.1:18111", "/sns/jscode2session", k, v, 3, url,
	    sizeof url), HTTP_OK);
	assert_string_equal(url, "http://127.0.0.1:18111/sns/jscode2session?appid=wx1"
	    "&secret=a%20b%26c%3Dd%2F%E4%B8%AD&js_code=");
	/* A base with a path of its own keeps it; its trailing slash does not double. */
	assert_int_equal(http_url("https://api.example.cn/wx/", "/cgi-bin/stable_token", NULL, NULL,
	    0, url, sizeof url), HTTP_OK);
	assert_string_equal(url, "https://api.example.cn/wx/cgi-bin/stable_token");
	/* Not http(s), no scheme, credentials in the URL: refused, out left empty. */
	assert_int_equal(http_url("ftp://example.cn", "/x", NULL, NULL, 0, url, sizeof url),
	    HTTP_E_URL);
	assert_string_equal(url, "");
	assert_int_equal(http_url("example.cn", "/x", NULL, NULL, 0, url, sizeof url), HTTP_E_URL);
	assert_int_equal(http_url("http://u:p@example.cn", "/x", NULL, NULL, 0, url, sizeof url),
	    HTTP_E_URL);
	/* Too long for out: refused rather than cut. */
	assert_int_equal(http_url("http://example.cn", "/a/long/path", NULL, NULL, 0, small,
	    sizeof small), HTTP_E_URL);
	assert_string_equal(small, "");
}

TEST(hosts)
{
	char host[64], small[8];

	assert_int_equal(http_url_host("http://127.0.0.1:18111/x?y", host, sizeof host), 0);
	assert_string_equal(host, "127.0.0.1:18111");
	assert_int_equal(http_url_host("https://sms.tencentcloudapi.com/", host, sizeof host), 0);
	assert_string_equal(host, "sms.tencentcloudapi.com");
	assert_int_equal(http_url_host("nourl", host, sizeof host), -1);
	assert_int_equal(http_url_host("http://user@example.cn/", host, sizeof host), -1);
	assert_int_equal(http_url_host("gopher://example.cn/", host, sizeof host), -1);
	assert_int_equal(http_url_host("https://sms.tencentcloudapi.com/", small, sizeof small), -1);
	assert_string_equal(small, "");
}

/* ------------------------------------------------------------------ a one-shot server */

struct server {
	int		 fd;
	int		 port;
	size_t		 body_len;	/* the reply body: body_len bytes of 'x' */
	char		 request[4096];	/* what the client sent (head and start of body) */
	pthread_t	 th;
};

static void *
serve(void *arg)
{
	struct server *s = arg;
	char head[128], chunk[4096];
	size_t sent = 0, got = 0;
	ssize_t n;
	int c;

	if ((c = accept(s->fd, NULL, NULL)) < 0)
		return NULL;
	/* Read the request until its head (and a short body) has arrived. */
	while (got < sizeof s->request - 1 &&
	    (n = recv(c, s->request + got, sizeof s->request - 1 - got, 0)) > 0) {
		got += (size_t)n;
		s->request[got] = '\0';
		if (strstr(s->request, "\r\n\r\n") != NULL &&
		    (strstr(s->request, "POST") != s->request || strstr(s->request, "ping")))
			break;
	}
	snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n\r\n", s->body_len);
	if (send(c, head, strlen(head), MSG_NOSIGNAL) < 0)
		goto out;
	memset(chunk, 'x', sizeof chunk);
	while (sent < s->body_len) {
		size_t k = s->body_len - sent < sizeof chunk ? s->body_len - sent : sizeof chunk;

		if ((n = send(c, chunk, k, MSG_NOSIGNAL)) <= 0)
			break;	/* the client hung up: what the cap does */
		sent += (size_t)n;
	}
out:
	close(c);
	return NULL;
}

static void
server_start(struct server *s, size_t body_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;

	memset(s, 0, sizeof *s);
	s->body_len = body_len;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((s->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->fd, 1), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &al), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->th, NULL, serve, s), 0);
}

static void
server_stop(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->fd);
}

static enum http_err
call(struct server *s, size_t cap, const char *body, struct http_reply *rep)
{
	const char *h[] = { "X-Probe: 1", NULL };
	char url[64];
	struct http_call c = {
		.url = url, .headers = h, .body = body, .len = body ? strlen(body) : 0,
		.timeout_ms = 5000, .connect_ms = 2000, .max_reply = cap,
		.user_agent = "yichuang",
	};

	snprintf(url, sizeof url, "http://127.0.0.1:%d/p", s->port);
	return http_request(&c, rep);
}

TEST(reply_within_cap)
{
	struct server s;
	struct http_reply rep;

	server_start(&s, 1000);
	assert_int_equal(call(&s, 1000, "ping", &rep), HTTP_OK);
	server_stop(&s);
	assert_int_equal(rep.status, 200);
	assert_int_equal(rep.body.len, 1000);
	assert_int_equal(rep.body.data[999], 'x');
	/* A POST with our headers, the agent, and no "Expect: 100-continue". */
	assert_non_null(strstr(s.request, "POST /p HTTP/1.1\r\n"));
	assert_non_null(strstr(s.request, "X-Probe: 1\r\n"));
	assert_non_null(strstr(s.request, "User-Agent: yichuang\r\n"));
	assert_null(strstr(s.request, "Expect:"));
	buf_free(&rep.body);
}

TEST(reply_over_cap)
{
	struct server s;
	struct http_reply rep;

	server_start(&s, 300 * 1024);
	assert_int_equal(call(&s, 256 * 1024, NULL, &rep), HTTP_E_TOO_LARGE);
	server_stop(&s);
	assert_int_equal(rep.err, HTTP_E_TOO_LARGE);
	assert_int_equal(rep.status, 0);
	assert_true(rep.body.len <= 256 * 1024);
	assert_non_null(strstr(s.request, "GET /p HTTP/1.1\r\n"));
	buf_free(&rep.body);
}

TEST(nobody_listening)
{
	struct server s;
	struct http_reply rep;

	/* A port that was just free: bound, then closed without accepting. */
	server_start(&s, 0);
	pthread_cancel(s.th);
	pthread_join(s.th, NULL);
	close(s.fd);
	assert_int_equal(call(&s, 1024, "ping", &rep), HTTP_E_NETWORK);
	assert_int_equal(rep.status, 0);
	assert_true(rep.reason[0] != '\0');
	buf_free(&rep.body);
}

SUITE_MAIN("http_client", NULL, NULL)
