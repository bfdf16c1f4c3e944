/*
 * fcgi_client.c — a FastCGI responder client of one request per connection (see
 * fcgi_client.h): BEGIN_REQUEST, the parameters nginx would send (nginx/fastcgi_params),
 * the body on STDIN, then STDOUT until END_REQUEST.
 */
#include "fcgi_client.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { BEGIN = 1, END = 3, PARAMS = 4, STDIN_ = 5, STDOUT_ = 6, STDERR_ = 7 };

struct out {
	unsigned char	*p;
	size_t		 len, cap;
	int		 bad;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->bad || n == 0)
		return;
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2 + 1024;
		unsigned char *np = realloc(o->p, cap);

		if (np == NULL) {
			o->bad = 1;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
record(struct out *o, int type, const void *p, size_t n)
{
	unsigned char h[8] = { 1, (unsigned char)type, 0, 1, (unsigned char)(n >> 8),
	    (unsigned char)(n & 0xff), 0, 0 };

	put(o, h, sizeof h);
	put(o, p, n);
}

static void
len_put(struct out *o, size_t n)
{
	unsigned char b[4];

	if (n < 128) {
		b[0] = (unsigned char)n;
		put(o, b, 1);
		return;
	}
	b[0] = (unsigned char)((n >> 24) | 0x80);
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
	put(o, b, 4);
}

static void
param(struct out *o, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	len_put(o, nl);
	len_put(o, vl);
	put(o, name, nl);
	put(o, value, vl);
}

/* Read exactly n bytes within the deadline. */
static int
read_full(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pf, 1, 40000) != 1)
			return -1;
		if ((r = read(fd, p, n)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* "Status: 404 Not Found" and the other headers from the top of STDOUT. */
static void
parse_reply(struct resp *r, const unsigned char *p, size_t n)
{
	const char *s = (const char *)p, *end = NULL;
	size_t i, hl;

	for (i = 0; i + 3 < n; i++)
		if (memcmp(s + i, "\r\n\r\n", 4) == 0) {
			end = s + i;
			break;
		}
	r->status = 200;
	if (end == NULL) {
		r->status = 0;
		return;
	}
	hl = (size_t)(end - s) + 2;
	if (hl >= sizeof r->headers)
		hl = sizeof r->headers - 1;
	memcpy(r->headers, s, hl);
	r->headers[hl] = '\0';
	{
		char v[64];

		if (resp_header(r, "Status", v, sizeof v))
			r->status = strtol(v, NULL, 10);
	}
	n -= (size_t)(end + 4 - s);
	if ((r->body = malloc(n + 1)) == NULL)
		return;
	memcpy(r->body, end + 4, n);
	r->body[n] = '\0';
	r->len = n;
	r->json = json_loadb(r->body, r->len, 0, NULL);
}

int
fcgi_request(const char *sock, struct resp *out, const char *method, const char *path,
    const char *body, const char *const *headers)
{
	static const unsigned char begin[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };	/* responder */
	struct out o = { NULL, 0, 0, 0 }, prm = { NULL, 0, 0, 0 }, so = { NULL, 0, 0, 0 };
	struct sockaddr_un sa;
	char uri[1024], clen[24];
	const char *q = strchr(path, '?');
	size_t blen = body ? strlen(body) : 0, off;
	int fd = -1, rc = -1, done = 0;

	memset(out, 0, sizeof *out);
	snprintf(uri, sizeof uri, "%.*s", q ? (int)(q - path) : (int)strlen(path), path);
	snprintf(clen, sizeof clen, "%zu", blen);
	param(&prm, "REQUEST_METHOD", method);
	param(&prm, "SCRIPT_NAME", uri);
	param(&prm, "DOCUMENT_URI", uri);
	param(&prm, "REQUEST_URI", path);
	param(&prm, "QUERY_STRING", q ? q + 1 : "");
	param(&prm, "CONTENT_LENGTH", body ? clen : "");
	param(&prm, "SERVER_PROTOCOL", "HTTP/1.1");
	param(&prm, "REMOTE_ADDR", "127.0.0.1");
	param(&prm, "HTTP_HOST", "localhost");
	for (; headers && *headers; headers++) {
		const char *c = strchr(*headers, ':');
		char name[128], value[1024];
		size_t i, nl;

		if (c == NULL)
			continue;
		nl = (size_t)(c - *headers);
		snprintf(value, sizeof value, "%s", c + 1 + strspn(c + 1, " "));
		if (nl == 12 && strncasecmp(*headers, "Content-Type", 12) == 0) {
			param(&prm, "CONTENT_TYPE", value);
			continue;
		}
		if (nl + 6 > sizeof name)
			continue;
		memcpy(name, "HTTP_", 5);
		for (i = 0; i < nl; i++)
			name[5 + i] = (*headers)[i] == '-' ? '_' :
			    (char)toupper((unsigned char)(*headers)[i]);
		name[5 + nl] = '\0';
		param(&prm, name, value);
	}
	record(&o, BEGIN, begin, sizeof begin);
	for (off = 0; off < prm.len; off += 65535)
		record(&o, PARAMS, prm.p + off, prm.len - off > 65535 ? 65535 : prm.len - off);
	record(&o, PARAMS, NULL, 0);
	for (off = 0; off < blen; off += 65535)
		record(&o, STDIN_, body + off, blen - off > 65535 ? 65535 : blen - off);
	record(&o, STDIN_, NULL, 0);
	if (o.bad || prm.bad)
		goto out;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "fcgi %s: %s\n", sock, strerror(errno));
		goto out;
	}
	for (off = 0; off < o.len;) {
		ssize_t w = write(fd, o.p + off, o.len - off);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			goto out;
		}
		off += (size_t)w;
	}
	while (!done) {
		unsigned char h[8], buf[65535 + 255];
		size_t n, pad;

		if (read_full(fd, h, sizeof h) != 0)
			goto out;
		n = ((size_t)h[4] << 8) | h[5];
		pad = h[6];
		if (read_full(fd, buf, n + pad) != 0)
			goto out;
		if (h[1] == STDOUT_)
			put(&so, buf, n);
		else if (h[1] == END)
			done = 1;
	}
	if (so.bad)
		goto out;
	parse_reply(out, so.p, so.len);
	rc = out->status > 0 ? 0 : -1;
out:
	if (fd >= 0)
		close(fd);
	free(o.p);
	free(prm.p);
	free(so.p);
	return rc;
}

int
fcgi_json(const char *sock, struct resp *out, const char *method, const char *path,
    const char *token, const char *body)
{
	char auth[256];
	const char *h[4];

	http_json_headers(h, auth, token, body);
	return fcgi_request(sock, out, method, path, body, h);
}
