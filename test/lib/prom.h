/*
 * prom.h — the tests' reader of GET /metrics: a strict parser of the Prometheus text
 * exposition format (0.0.4) and a scrape of the test stack's metrics listener.
 *
 * prom_parse refuses what a Prometheus server would refuse, and a little more: every line a
 * comment (# HELP / # TYPE) or a sample "name{label="value",…} value"; names and label names
 * of the allowed characters; label values escaped (\\, \", \n only); a value that is a
 * number, +Inf, -Inf or NaN; one TYPE per family, before its samples; no series twice;
 * counters named *_total; histogram buckets cumulative, ending in le="+Inf" equal to _count.
 */
#ifndef YC_TEST_PROM_H
#define YC_TEST_PROM_H

#include <stddef.h>

struct prom_series {
	char	*key;		/* name{labels} exactly as written, "name" without labels */
	double	 value;
};

struct prom {
	struct prom_series	*s;
	size_t			 n;
	char			 err[256];	/* why prom_parse refused */
	char			*text;		/* the scrape as received */
};

/* 0, or -1 with p->err saying which line and why. */
int	prom_parse(struct prom *p, const char *text);
/* GET http://<metrics_listen>/metrics of the test instance (yichuang.conf) and parse it.
 * 0, or -1 (message on stderr). */
int	prom_scrape(struct prom *p);
/* The value of series key ("yichuang_app_processes", or
 * "yichuang_http_requests_total{method=\"GET\",route=\"/halls\",status=\"200\"}");
 * 0 when the series is absent (a counter that never moved is not written). */
double	prom_get(const struct prom *p, const char *key);
int	prom_has(const struct prom *p, const char *key);
/* Whether a family (HELP and TYPE) was declared. */
int	prom_family(const struct prom *p, const char *name);
void	prom_free(struct prom *p);
/* The metrics listener's address (host:port) from yichuang.conf, or NULL. */
const char *prom_address(void);

/* How much series key moved from scrape a to the later scrape b: prom_get of b minus
 * prom_get of a (an absent series counts 0, as prom_get says). */
double	prom_delta(const struct prom *a, const struct prom *b, const char *key);

#endif
