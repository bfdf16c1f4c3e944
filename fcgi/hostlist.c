/*
 * hostlist.c — "host[:port], …" lists of yichuang.conf (see hostlist.h).
 */
#include "hostlist.h"
#include "util.h"

#include <string.h>

static int
is_sep(char ch)
{
	return ch == ',' || ch == ' ' || ch == '\t';
}

/* One entry s[0..n) into hp.  0 or -1. */
static int
entry_parse(const char *s, size_t n, unsigned dflt_port, struct hostport *hp)
{
	const char *host = s, *colon = NULL, *p;
	size_t hn;
	long long port = dflt_port;

	if (n > 0 && s[0] == '[') {
		/* [v6]:port — the brackets are not part of the host */
		if ((p = memchr(s, ']', n)) == NULL)
			return -1;
		host = s + 1;
		hn = (size_t)(p - host);
		if ((size_t)(p + 1 - s) < n) {
			if (p[1] != ':')
				return -1;
			colon = p + 1;
		}
	} else {
		colon = memchr(s, ':', n);
		if (colon && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
			return -1;	/* a bare IPv6 address: brackets are required */
		hn = colon ? (size_t)(colon - s) : n;
	}
	if (hn == 0 || hn >= sizeof hp->host)
		return -1;
	if (colon && parse_lln(colon + 1, n - (size_t)(colon + 1 - s), 1, 65535, &port) != 0)
		return -1;
	if (port < 1 || port > 65535)
		return -1;
	memcpy(hp->host, host, hn);
	hp->host[hn] = '\0';
	hp->port = (unsigned)port;
	return 0;
}

int
hostlist_parse(const char *s, unsigned dflt_port, struct hostport *out, int max)
{
	int n = 0;
	size_t len;

	if (s == NULL)
		return 0;
	for (;;) {
		while (*s && is_sep(*s))
			s++;
		if (*s == '\0')
			return n;
		for (len = 0; s[len] && !is_sep(s[len]); len++)
			;
		if (n == max || entry_parse(s, len, dflt_port, &out[n]) != 0)
			return -1;
		n++;
		s += len;
	}
}
