/*
 * hostlist.h — lists of servers in yichuang.conf: "host[:port], host[:port], …".
 *
 * Used where a service runs on several hosts: redis_sentinels (the Sentinels asked for the
 * Redis primary, kv.c) and mysql_hosts (the Galera nodes an app host may use, in the order
 * it prefers them, db.c).  A host is a name or an IPv4 address (IPv6 in brackets:
 * "[fd00::1]:3306"); entries are separated by commas and/or spaces.
 */
#ifndef YC_HOSTLIST_H
#define YC_HOSTLIST_H

#define HOSTLIST_MAX      8
#define HOSTLIST_HOST_MAX 128

struct hostport {
	char		host[HOSTLIST_HOST_MAX];
	unsigned	port;
};

/*
 * Parse s into out (at most max entries); an entry without a port gets dflt_port.
 * Returns the number of entries (0 for an empty or blank s), or -1 when an entry is bad
 * (empty host, a port that is not 1–65535, a host too long, more than max entries).
 */
int	hostlist_parse(const char *s, unsigned dflt_port, struct hostport *out, int max);

#endif
