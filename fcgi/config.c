/*
 * config.c — key = value configuration (see config.h).
 *
 * Lines: "key = value", '#' starts a comment line, blank lines ignored.  A key given twice
 * keeps the last value, so an instance can append overrides.  The table is written once at
 * start-up, before any thread exists, and only read afterwards: no locking needed.
 */
#include "config.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char key[CONFIG_MAX_KEY];
	char value[CONFIG_MAX_VALUE];
};

static struct entry entries[CONFIG_MAX_ENTRIES];
static size_t nentries;

void
config_set(const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < nentries; i++)
		if (strcmp(entries[i].key, key) == 0)
			break;
	if (i == nentries) {
		if (nentries == CONFIG_MAX_ENTRIES) {
			log_err("too many configuration keys, %s ignored", key);
			return;
		}
		nentries++;
	}
	str_copy(entries[i].key, sizeof entries[i].key, key);
	str_copy(entries[i].value, sizeof entries[i].value, value);
}

int
config_load_text(const char *text, size_t len)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		char line[CONFIG_MAX_KEY + CONFIG_MAX_VALUE + 16];
		size_t end = pos, n;
		char *eq, *k, *v;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		lineno++;
		if (n >= sizeof line) {
			log_err("configuration line %zu is too long", lineno);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;

		k = str_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			log_err("configuration line %zu has no '='", lineno);
			return -1;
		}
		*eq = '\0';
		k = str_trim(k);
		v = str_trim(eq + 1);
		if (*k == '\0' || strlen(k) >= CONFIG_MAX_KEY || strlen(v) >= CONFIG_MAX_VALUE) {
			log_err("configuration line %zu: bad key or value too long", lineno);
			return -1;
		}
		config_set(k, v);
	}
	return 0;
}

int
config_load(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if ((f = fopen(path, "r")) == NULL) {
		log_err("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (cap - len < 4096) {
			char *nb;

			if (cap > (1u << 20)) {
				log_err("%s is larger than 1 MiB", path);
				free(buf);
				fclose(f);
				return -1;
			}
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	fclose(f);
	rc = config_load_text(buf ? buf : "", len);
	free(buf);
	return rc;
}

const char *
config_get(const char *key, const char *dflt)
{
	size_t i;

	for (i = 0; i < nentries; i++)
		if (strcmp(entries[i].key, key) == 0)
			return entries[i].value;
	return dflt;
}

long long
config_int(const char *key, long long dflt, long long min, long long max)
{
	const char *v = config_get(key, NULL);
	long long n;

	if (v == NULL || *v == '\0')
		return dflt;
	if (parse_ll(v, min, max, &n) != 0) {
		log_err("configuration %s = %s is not a number in [%lld, %lld]; using %lld",
		    key, v, min, max, dflt);
		return dflt;
	}
	return n;
}

void
config_public_url(const char *path, const char *arg, char *out, size_t osz)
{
	const char *base = config_get("public_base_url", "");
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (fmt(out, osz, "%.*s%s%s", (int)n, base, path, arg) < 0)
		out[0] = '\0';
}
