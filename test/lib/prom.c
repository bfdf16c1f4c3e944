/*
 * prom.c — parse and scrape the Prometheus text format (see prom.h).
 */
#include "prom.h"
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fcgi/config.h"

static int
fail(struct prom *p, int line, const char *f, ...)
{
	va_list ap;
	int n = snprintf(p->err, sizeof p->err, "line %d: ", line);

	va_start(ap, f);
	if (n > 0 && (size_t)n < sizeof p->err)
		vsnprintf(p->err + n, sizeof p->err - (size_t)n, f, ap);
	va_end(ap);
	return -1;
}

static int
name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static int
name_char(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

/* Families declared so far: name and type. */
struct fam {
	char	name[128];
	char	type[16];
	int	samples;
};

static struct fam *
fam_find(struct fam *f, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return &f[i];
	return NULL;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* The family a sample belongs to: its name, or for a histogram's _bucket/_sum/_count the
 * name without the suffix. */
static struct fam *
family_of(struct fam *f, size_t n, const char *name, const char **part)
{
	static const char *const sufs[] = { "_bucket", "_sum", "_count" };
	char base[128];
	size_t i;
	struct fam *x;

	*part = "";
	for (i = 0; i < 3; i++)
		if (ends_with(name, sufs[i]) && strlen(name) < sizeof base) {
			snprintf(base, sizeof base, "%.*s", (int)(strlen(name) - strlen(sufs[i])), name);
			if ((x = fam_find(f, n, base)) != NULL && strcmp(x->type, "histogram") == 0) {
				*part = sufs[i];
				return x;
			}
		}
	return fam_find(f, n, name);
}

static int
parse_value(const char *s, double *v)
{
	char *end;

	if (strcmp(s, "+Inf") == 0) {
		*v = INFINITY;
		return 0;
	}
	if (strcmp(s, "-Inf") == 0) {
		*v = -INFINITY;
		return 0;
	}
	if (strcmp(s, "NaN") == 0) {
		*v = NAN;
		return 0;
	}
	if (*s == '\0')
		return -1;
	*v = strtod(s, &end);
	return *end == '\0' ? 0 : -1;
}

/* Histogram check state: per series (labels without le), the last bucket seen. */
struct hist {
	char	key[1024];	/* name-without-suffix{labels without le} */
	double	last_le, last_count, inf;
	int	has_inf;
};

/* Append a series (the array grows by doubling, from 256).  0 or -1. */
static int
series_add(struct prom *p, size_t *cap, const char *key, double v)
{
	if (p->n == *cap) {
		struct prom_series *ns;
		size_t nc = *cap ? *cap * 2 : 256;

		if ((ns = realloc(p->s, nc * sizeof *ns)) == NULL)
			return -1;
		p->s = ns;
		*cap = nc;
	}
	if ((p->s[p->n].key = strdup(key)) == NULL)
		return -1;
	p->s[p->n].value = v;
	p->n++;
	return 0;
}

int
prom_parse(struct prom *p, const char *text)
{
	struct fam fams[256];
	struct hist hists[512];
	size_t nfam = 0, nhist = 0, cap = 0, i;
	const char *line = text;
	int lineno = 0;

	memset(p, 0, sizeof *p);
	while (*line) {
		const char *eol = strchr(line, '\n');
		char buf[4096], name[128], labels[2048], noloe[2048], key[2300], *q;
		size_t len, nl = 0, lo = 0, ne = 0;
		struct fam *f;
		const char *part;
		double v;

		lineno++;
		if (eol == NULL)
			return fail(p, lineno, "no newline at the end");
		len = (size_t)(eol - line);
		if (len >= sizeof buf)
			return fail(p, lineno, "too long");
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = eol + 1;
		if (len == 0)
			continue;
		if (buf[0] == '#') {
			char kw[8], fn[128], rest[2048];

			if (sscanf(buf, "# %7s %127s %2047[^\n]", kw, fn, rest) < 2)
				continue;	/* a plain comment */
			if (strcmp(kw, "TYPE") == 0) {
				if (strcmp(rest, "counter") && strcmp(rest, "gauge") &&
				    strcmp(rest, "histogram") && strcmp(rest, "summary") &&
				    strcmp(rest, "untyped"))
					return fail(p, lineno, "unknown type %s", rest);
				if (fam_find(fams, nfam, fn))
					return fail(p, lineno, "second TYPE for %s", fn);
				if (nfam == sizeof fams / sizeof fams[0])
					return fail(p, lineno, "too many families");
				snprintf(fams[nfam].name, sizeof fams[nfam].name, "%s", fn);
				snprintf(fams[nfam].type, sizeof fams[nfam].type, "%.15s", rest);
				fams[nfam].samples = 0;
				if (strcmp(rest, "counter") == 0 && !ends_with(fn, "_total"))
					return fail(p, lineno, "counter %s not named *_total", fn);
				nfam++;
			}
			continue;
		}
		/* name */
		q = buf;
		if (!name_start((unsigned char)*q))
			return fail(p, lineno, "bad metric name");
		while (name_char((unsigned char)*q) && nl + 1 < sizeof name)
			name[nl++] = *q++;
		name[nl] = '\0';
		labels[0] = noloe[0] = '\0';
		double le = NAN;

		if (*q == '{') {
			q++;
			while (*q != '}') {
				char lname[128], lval[1024];
				size_t ln = 0, lv = 0;

				if (!isalpha((unsigned char)*q) && *q != '_')
					return fail(p, lineno, "bad label name");
				while ((isalnum((unsigned char)*q) || *q == '_') && ln + 1 < sizeof lname)
					lname[ln++] = *q++;
				lname[ln] = '\0';
				if (q[0] != '=' || q[1] != '"')
					return fail(p, lineno, "label %s: want =\"", lname);
				q += 2;
				while (*q != '"') {
					if (*q == '\0')
						return fail(p, lineno, "unterminated label value");
					if (*q == '\\') {
						if (q[1] != '\\' && q[1] != '"' && q[1] != 'n')
							return fail(p, lineno, "bad escape \\%c", q[1]);
						if (lv + 2 < sizeof lval) {
							lval[lv++] = q[0];
							lval[lv++] = q[1];
						}
						q += 2;
						continue;
					}
					if (lv + 1 < sizeof lval)
						lval[lv++] = *q;
					q++;
				}
				lval[lv] = '\0';
				q++;
				lo += (size_t)snprintf(labels + lo, sizeof labels - lo, "%s%s=\"%s\"",
				    lo ? "," : "", lname, lval);
				if (strcmp(lname, "le") == 0) {
					if (parse_value(lval, &le) != 0)
						return fail(p, lineno, "le=\"%s\" is not a number", lval);
				} else
					ne += (size_t)snprintf(noloe + ne, sizeof noloe - ne,
					    "%s%s=\"%s\"", ne ? "," : "", lname, lval);
				if (lo >= sizeof labels || ne >= sizeof noloe)
					return fail(p, lineno, "labels too long");
				if (*q == ',')
					q++;
				else if (*q != '}')
					return fail(p, lineno, "want , or }");
			}
			q++;
		}
		if (*q != ' ')
			return fail(p, lineno, "want a space before the value");
		q++;
		{
			char *sp = strchr(q, ' ');

			if (sp)
				*sp = '\0';	/* a timestamp may follow */
			if (parse_value(q, &v) != 0)
				return fail(p, lineno, "bad value \"%s\"", q);
		}
		if ((f = family_of(fams, nfam, name, &part)) == NULL)
			return fail(p, lineno, "%s has no TYPE before it", name);
		f->samples++;
		if (strcmp(f->type, "histogram") == 0) {
			char hk[1024];
			struct hist *h = NULL;

			if (*part == '\0')
				return fail(p, lineno, "histogram %s: sample without _bucket/_sum/_count",
				    name);
			snprintf(hk, sizeof hk, "%s{%s}", f->name, noloe);
			for (i = 0; i < nhist; i++)
				if (strcmp(hists[i].key, hk) == 0)
					h = &hists[i];
			if (h == NULL) {
				if (nhist == sizeof hists / sizeof hists[0])
					return fail(p, lineno, "too many histograms");
				h = &hists[nhist++];
				memset(h, 0, sizeof *h);
				snprintf(h->key, sizeof h->key, "%s", hk);
				h->last_le = -INFINITY;
			}
			if (strcmp(part, "_bucket") == 0) {
				if (isnan(le))
					return fail(p, lineno, "bucket without le");
				if (le <= h->last_le || v < h->last_count)
					return fail(p, lineno, "buckets not in order or not cumulative");
				h->last_le = le;
				h->last_count = v;
				if (isinf(le)) {
					h->has_inf = 1;
					h->inf = v;
				}
			} else if (strcmp(part, "_count") == 0) {
				if (!h->has_inf || h->inf != v)
					return fail(p, lineno, "%s: _count is not the +Inf bucket", hk);
			}
		}
		snprintf(key, sizeof key, "%s%s%s%s", name, labels[0] ? "{" : "", labels,
		    labels[0] ? "}" : "");
		for (i = 0; i < p->n; i++)
			if (strcmp(p->s[i].key, key) == 0)
				return fail(p, lineno, "series %s twice", key);
		if (series_add(p, &cap, key, v) != 0)
			return fail(p, lineno, "out of memory");
	}
	for (i = 0; i < nhist; i++)
		if (!hists[i].has_inf)
			return fail(p, lineno, "histogram %s has no +Inf bucket", hists[i].key);
	/* Families are kept for prom_family: as series with the key "#name". */
	for (i = 0; i < nfam; i++) {
		char k[160];

		snprintf(k, sizeof k, "#%.150s", fams[i].name);
		if (series_add(p, &cap, k, 0) != 0)
			return fail(p, lineno, "out of memory");
	}
	return 0;
}

/* The series with this key, or NULL. */
static const struct prom_series *
prom_find(const struct prom *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->s[i].key, key) == 0)
			return &p->s[i];
	return NULL;
}

int
prom_has(const struct prom *p, const char *key)
{
	return prom_find(p, key) != NULL;
}

double
prom_get(const struct prom *p, const char *key)
{
	const struct prom_series *s = prom_find(p, key);

	return s ? s->value : 0;
}

int
prom_family(const struct prom *p, const char *name)
{
	char k[160];

	snprintf(k, sizeof k, "#%s", name);
	return prom_has(p, k);
}

void
prom_free(struct prom *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->s[i].key);
	free(p->s);
	free(p->text);
	memset(p, 0, sizeof *p);
}

const char *
prom_address(void)
{
	const char *a;

	if (test_conf_load() != 0)
		return NULL;
	a = config_get("metrics_listen", "");
	return *a ? a : NULL;
}

static size_t
on_data(char *ptr, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	char *nb = realloc(r->body, r->len + sz * n + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, ptr, sz * n);
	r->len += sz * n;
	r->body[r->len] = '\0';
	return sz * n;
}

int
prom_scrape(struct prom *p)
{
	const char *addr = prom_address();
	struct resp r;
	char url[256];
	CURL *c;
	CURLcode rc;
	long status = 0;

	memset(p, 0, sizeof *p);
	memset(&r, 0, sizeof r);
	if (addr == NULL) {
		fprintf(stderr, "prom_scrape: no metrics_listen in yichuang.conf\n");
		return -1;
	}
	snprintf(url, sizeof url, "http://%s/metrics", addr);
	if ((c = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || status != 200 || r.body == NULL) {
		fprintf(stderr, "prom_scrape %s: %s, status %ld\n", url, curl_easy_strerror(rc),
		    status);
		free(r.body);
		return -1;
	}
	if (prom_parse(p, r.body) != 0) {
		fprintf(stderr, "prom_scrape: the exposition does not parse: %s\n", p->err);
		prom_free(p);
		free(r.body);
		return -1;
	}
	p->text = r.body;
	return 0;
}

double
prom_delta(const struct prom *a, const struct prom *b, const char *key)
{
	return prom_get(b, key) - prom_get(a, key);
}
