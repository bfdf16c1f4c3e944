/*
 * notify_tmpl.c — SMS templates: parsing sms-templates/<name>.tmpl, rendering with the
 * providers' variable rules, segment counting, quiet hours and retry delays (what text a
 * variable may carry at all: notify_text.c).
 *
 * The format is described in sms-templates/README.md.  Rendering is strict on purpose: a
 * notice the provider would reject (missing or unknown variable, too long, a link where the
 * provider forbids one) fails here with a reason staff can read, instead of being sent and
 * refused — or worse, accepted with a wrong text.
 */
#include "notify.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"
#include "../../fcgi/yc.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TMPL_MAX_FILES 64
#define TMPL_FILE_MAX  (16 * 1024)
#define SMS_TEXT_LIMIT 500	/* both providers: whole message, signature and values included */
#define URL_VAR_MAX    200

static struct tmpl *table;
static int ntable;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded_count;

/* ------------------------------------------------------------------ parsing */

static int
name_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

static int
var_index(const struct tmpl *t, const char *name)
{
	int i;

	for (i = 0; i < t->nvars; i++)
		if (strcmp(t->vars[i].name, name) == 0)
			return i;
	return -1;
}

/* Next white-space separated word of *p into out; 0 when there is none. */
static int
word(const char **p, char *out, size_t osz)
{
	const char *s = *p;
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strcspn(s, " \t");
	if (n == 0)
		return 0;
	if (n >= osz)
		n = osz - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	*p = s + strcspn(s, " \t");
	return 1;
}

static int
parse_var(struct tmpl *t, const char *v, char *err, size_t esz)
{
	struct tmpl_var *tv;
	char w[64];
	const char *p = v;

	if (t->nvars == TMPL_MAX_VARS)
		return fmt(err, esz, "too many variables"), -1;
	tv = &t->vars[t->nvars];
	memset(tv, 0, sizeof *tv);
	if (!word(&p, w, sizeof w) || !name_ok(w, sizeof tv->name))
		return fmt(err, esz, "bad variable name in '%s'", v), -1;
	if (var_index(t, w) >= 0)
		return fmt(err, esz, "variable %s declared twice", w), -1;
	str_copy(tv->name, sizeof tv->name, w);
	if (!word(&p, w, sizeof w))
		return fmt(err, esz, "variable %s has no kind", tv->name), -1;
	if (strcmp(w, "text") == 0)
		tv->kind = VK_TEXT;
	else if (strcmp(w, "number") == 0)
		tv->kind = VK_NUMBER;
	else if (strcmp(w, "code") == 0)
		tv->kind = VK_CODE;
	else if (strcmp(w, "url") == 0)
		tv->kind = VK_URL;
	else
		return fmt(err, esz, "variable %s: unknown kind %s", tv->name, w), -1;
	/* A code or a link is a credential whatever the file says. */
	tv->secret = tv->kind == VK_CODE || tv->kind == VK_URL;
	while (word(&p, w, sizeof w)) {
		long long n;

		if (strcmp(w, "fit") == 0)
			tv->fit = 1;
		else if (strcmp(w, "secret") == 0)
			tv->secret = 1;
		else if (strncmp(w, "max=", 4) == 0 && parse_ll(w + 4, 1, 500, &n) == 0)
			tv->max = (int)n;
		else
			return fmt(err, esz, "variable %s: unknown option %s", tv->name, w), -1;
	}
	t->nvars++;
	return 0;
}

/* A provider's template id, the first word of *p, into id (size isz): 0, or -1 with err. */
static int
provider_id(const char **p, const char *provider, char *id, size_t isz, char *err, size_t esz)
{
	char w[128];

	if (!word(p, w, sizeof w))
		return fmt(err, esz, "%s: no template id", provider), -1;
	str_copy(id, isz, w);
	return 0;
}

static int
parse_tencent(struct tmpl *t, const char *v, char *err, size_t esz)
{
	const char *p = v;
	char w[64];

	if (provider_id(&p, "tencent", t->tencent_id, sizeof t->tencent_id, err, esz) != 0)
		return -1;
	t->ntencent = 0;
	while (word(&p, w, sizeof w)) {
		int i = var_index(t, w);

		if (i < 0)
			return fmt(err, esz, "tencent: %s is not a declared variable (declare vars first)",
			    w), -1;
		if (t->ntencent == TMPL_MAX_VARS)
			return fmt(err, esz, "tencent: too many parameters"), -1;
		t->tencent_order[t->ntencent++] = i;
	}
	return 0;
}

static int
parse_wechat(struct tmpl *t, const char *v, char *err, size_t esz)
{
	const char *p = v;
	char w[128];

	if (provider_id(&p, "wechat", t->wechat_id, sizeof t->wechat_id, err, esz) != 0)
		return -1;
	while (word(&p, w, sizeof w)) {
		struct tmpl_wfield *f;
		char *eq = strchr(w, '='), *part, *save = NULL;

		if (t->nwfields == TMPL_MAX_WFIELDS)
			return fmt(err, esz, "wechat: too many fields"), -1;
		if (eq == NULL || eq == w || (size_t)(eq - w) >= sizeof f->key)
			return fmt(err, esz, "wechat: want key=var, got %s", w), -1;
		f = &t->wfields[t->nwfields];
		memset(f, 0, sizeof *f);
		memcpy(f->key, w, (size_t)(eq - w));
		for (part = strtok_r(eq + 1, "+", &save); part; part = strtok_r(NULL, "+", &save)) {
			int i = var_index(t, part);

			if (i < 0 || f->nvar == 3)
				return fmt(err, esz, "wechat: bad variable %s", part), -1;
			f->var[f->nvar++] = i;
		}
		if (f->nvar == 0)
			return fmt(err, esz, "wechat: field %s has no variable", f->key), -1;
		t->nwfields++;
	}
	return 0;
}

/* Every ${x} of text must be a declared variable; with seen, mark which are used. */
static int
check_placeholders(const struct tmpl *t, const char *text, int *seen, char *err, size_t esz)
{
	const char *p = text;

	if (strstr(text, "【") || strstr(text, "】"))
		return fmt(err, esz, "text must not contain 【】 (the signature is added)"), -1;
	while ((p = strstr(p, "${")) != NULL) {
		const char *e = strchr(p, '}');
		char name[40];
		int i;

		if (e == NULL || (size_t)(e - p - 2) >= sizeof name)
			return fmt(err, esz, "unterminated ${ in text"), -1;
		memcpy(name, p + 2, (size_t)(e - p - 2));
		name[e - p - 2] = '\0';
		if ((i = var_index(t, name)) < 0)
			return fmt(err, esz, "text uses undeclared ${%s}", name), -1;
		if (seen)
			seen[i]++;
		p = e + 1;
	}
	return 0;
}

/* One "key = value" line of a template into t.  0 or -1 (err says why). */
static int
parse_key(struct tmpl *t, const char *k, const char *v, char *err, size_t esz)
{
	long long num;

	if (strcmp(k, "name") == 0) {
		if (!name_ok(v, sizeof t->name))
			return fmt(err, esz, "bad name"), -1;
		str_copy(t->name, sizeof t->name, v);
	} else if (strcmp(k, "title") == 0)
		str_copy(t->title, sizeof t->title, v);
	else if (strcmp(k, "type") == 0) {
		if (strcmp(v, "code") != 0 && strcmp(v, "notice") != 0)
			return fmt(err, esz, "type is code or notice"), -1;
		t->is_code = strcmp(v, "code") == 0;
	} else if (strcmp(k, "quiet") == 0) {
		if (strcmp(v, "flag") == 0)
			t->quiet = QUIET_FLAG;
		else if (strcmp(v, "hold") == 0)
			t->quiet = QUIET_HOLD;
		else if (strcmp(v, "send") == 0)
			t->quiet = QUIET_SEND;
		else
			return fmt(err, esz, "quiet is flag, hold or send"), -1;
	} else if (strcmp(k, "ttl") == 0) {
		if (parse_ll(v, 60, 30 * 86400, &num) != 0)
			return fmt(err, esz, "ttl: seconds, 60 to 30 days"), -1;
		t->ttl = (int)num;
	} else if (strcmp(k, "daily_cap") == 0) {
		if (parse_ll(v, 0, 10000, &num) != 0)
			return fmt(err, esz, "daily_cap: 0 to 10000"), -1;
		t->daily_cap = (int)num;
	} else if (strcmp(k, "var") == 0)
		return parse_var(t, v, err, esz);
	else if (strcmp(k, "aliyun") == 0)
		str_copy(t->aliyun, sizeof t->aliyun, v);
	else if (strcmp(k, "tencent") == 0)
		return parse_tencent(t, v, err, esz);
	else if (strcmp(k, "tencent_text") == 0) {
		if (str_copy(t->tencent_text, sizeof t->tencent_text, v) >= sizeof t->tencent_text)
			return fmt(err, esz, "tencent_text too long"), -1;
	} else if (strcmp(k, "wechat") == 0)
		return parse_wechat(t, v, err, esz);
	else if (strcmp(k, "wechat_page") == 0)
		str_copy(t->wechat_page, sizeof t->wechat_page, v);
	else if (strcmp(k, "text") == 0) {
		if (str_copy(t->text, sizeof t->text, v) >= sizeof t->text)
			return fmt(err, esz, "text too long"), -1;
	} else
		return fmt(err, esz, "unknown key %s", k), -1;
	return 0;
}

/* The whole template agrees with itself: a name and a text, each variable exactly once in
 * the text, and the Tencent parameter order matching its text.  0 or -1. */
static int
check_template(const struct tmpl *t, char *err, size_t esz)
{
	int seen[TMPL_MAX_VARS], i, j;
	const char *tt;

	if (t->name[0] == '\0')
		return fmt(err, esz, "no name"), -1;
	if (t->text[0] == '\0')
		return fmt(err, esz, "no text"), -1;
	memset(seen, 0, sizeof seen);
	if (check_placeholders(t, t->text, seen, err, esz) != 0)
		return -1;
	for (i = 0; i < t->nvars; i++)
		if (seen[i] != 1)
			return fmt(err, esz, "${%s} must appear exactly once in text",
			    t->vars[i].name), -1;
	if (t->tencent_id[0] == '\0')
		return 0;
	tt = t->tencent_text[0] ? t->tencent_text : t->text;
	memset(seen, 0, sizeof seen);
	if (check_placeholders(t, tt, seen, err, esz) != 0)
		return -1;
	/* The Tencent template numbers its parameters {1}…{n} in the order given: each one
	 * exactly once, and the text uses exactly those. */
	for (i = 0; i < t->nvars; i++) {
		int in_order = 0;

		for (j = 0; j < t->ntencent; j++)
			in_order += t->tencent_order[j] == i;
		if (in_order > 1 || seen[i] != in_order)
			return fmt(err, esz, "tencent: parameter order and text disagree on %s",
			    t->vars[i].name), -1;
		if (in_order && t->vars[i].kind == VK_URL)
			return fmt(err, esz, "tencent: %s is a link; Tencent takes links only as "
			    "fixed template text", t->vars[i].name), -1;
	}
	return 0;
}

int
tmpl_parse(const char *text, size_t len, struct tmpl *t, char *err, size_t esz)
{
	size_t pos = 0;

	memset(t, 0, sizeof *t);
	t->ttl = 86400;
	t->daily_cap = 20;
	t->quiet = QUIET_FLAG;
	if (!utf8_ok(text, len))
		return fmt(err, esz, "not valid UTF-8"), -1;
	while (pos < len) {
		char line[TMPL_TEXT_MAX + 64], *k, *eq;
		size_t end = pos, n;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		if (n >= sizeof line)
			return fmt(err, esz, "line too long"), -1;
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;
		k = str_trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((eq = strchr(k, '=')) == NULL)
			return fmt(err, esz, "line without '=': %.*s",
			    (int)utf8_cut(k, strlen(k), 40, SIZE_MAX), k), -1;
		*eq = '\0';
		if (parse_key(t, str_trim(k), str_trim(eq + 1), err, esz) != 0)
			return -1;
	}
	return check_template(t, err, esz);
}

int
tmpl_load_dir(const char *dir)
{
	struct tmpl *nt;
	DIR *d;
	struct dirent *de;
	int n = 0;

	if ((d = opendir(dir)) == NULL) {
		log_err("cannot open template folder %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((nt = calloc(TMPL_MAX_FILES, sizeof *nt)) == NULL) {
		closedir(d);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[512], err[160], buf[TMPL_FILE_MAX];
		size_t got;
		FILE *f;

		if (l < 6 || strcmp(de->d_name + l - 5, ".tmpl") != 0 || de->d_name[0] == '.')
			continue;
		if (n == TMPL_MAX_FILES) {
			log_err("more than %d templates: %s left out", TMPL_MAX_FILES, de->d_name);
			continue;
		}
		if (fmt(path, sizeof path, "%s/%s", dir, de->d_name) < 0 ||
		    (f = fopen(path, "r")) == NULL) {
			log_err("cannot read template %s", de->d_name);
			continue;
		}
		got = fread(buf, 1, sizeof buf, f);
		fclose(f);
		if (got == sizeof buf) {
			log_err("template %s is too large", de->d_name);
			continue;
		}
		if (tmpl_parse(buf, got, &nt[n], err, sizeof err) != 0) {
			log_err("template %s: %s", de->d_name, err);
			continue;
		}
		if (strlen(nt[n].name) + 5 != l || strncmp(nt[n].name, de->d_name, l - 5) != 0) {
			log_err("template %s: name must be the file name", de->d_name);
			continue;
		}
		n++;
	}
	closedir(d);
	/* Loaded once per process before use (tmpl_load_all) or by a single-threaded test. */
	free(table);
	table = nt;
	ntable = n;
	return n;
}

static void
load_default(void)
{
	if (table) {	/* a test loaded its own folder first */
		loaded_count = ntable;
		return;
	}
	loaded_count = tmpl_load_dir(config_get("sms_templates_dir", "sms-templates"));
	if (loaded_count >= 0)
		log_info("%d SMS templates loaded", loaded_count);
}

int
tmpl_load_all(void)
{
	pthread_once(&load_once, load_default);
	return loaded_count;
}

const struct tmpl *
tmpl_find(const char *name)
{
	int i;

	tmpl_load_all();	/* pthread_once: also the barrier before reading the table */
	for (i = 0; i < ntable; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

const struct tmpl *
tmpl_at(int i)
{
	tmpl_load_all();
	return i >= 0 && i < ntable ? &table[i] : NULL;
}

/* ------------------------------------------------------------------ rendering */

int
sms_segments(size_t chars)
{
	if (chars == 0)
		return 0;
	return chars <= 70 ? 1 : (int)((chars + 66) / 67);
}

/* Cut v to at most max characters ending with 等, at a list separator when there is one. */
static void
fit_value(char *v, size_t vsz, size_t max)
{
	static const char *const seps[] = { "、", "，", ",", "；", ";", " " };
	size_t cut = utf8_cut(v, strlen(v), max > 1 ? max - 1 : 0, vsz), best = 0, i;

	for (i = 0; i < NELEM(seps); i++) {
		const char *p = v;

		while ((p = strstr(p, seps[i])) != NULL && (size_t)(p - v) < cut) {
			if ((size_t)(p - v) > best)
				best = (size_t)(p - v);
			p += strlen(seps[i]);
		}
	}
	if (best > 0)
		cut = best;
	if (cut + sizeof "等" <= vsz) {
		memcpy(v + cut, "等", sizeof "等");
	}
}

static int
alnum(const char *s, int digits_only)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (!digits_only && ((*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z')))))
			return 0;
	return 1;
}

/* Check (and fit) one value.  0, or -1 with err. */
static int
check_value(const struct tmpl_var *tv, enum provider p, char *v, size_t vsz, char *err,
    size_t esz)
{
	size_t n = strlen(v), chars;
	size_t max = (size_t)sms_provider_var_max(p);

	if (n == 0)
		return fmt(err, esz, "VAR_EMPTY:%s", tv->name), -1;
	if (!utf8_ok(v, n) || (sms_text_check(v, n) & SMS_TEXT_CHARS))
		return fmt(err, esz, "VAR_CHARS:%s", tv->name), -1;
	chars = utf8_len(v, n);
	switch (tv->kind) {
	case VK_CODE:
		if (chars < 4 || chars > 6 || !alnum(v, p == PROV_TENCENT))
			return fmt(err, esz, "VAR_TOO_LONG:%s", tv->name), -1;
		return 0;
	case VK_URL:
		if (p == PROV_TENCENT)
			return fmt(err, esz, "URL_FORBIDDEN:%s", tv->name), -1;
		if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0) ||
		    strchr(v, ' '))
			return fmt(err, esz, "VAR_URL:%s", tv->name), -1;
		if (chars > (size_t)(tv->max ? tv->max : URL_VAR_MAX))
			return fmt(err, esz, "VAR_TOO_LONG:%s", tv->name), -1;
		return 0;
	case VK_NUMBER:
		if (!alnum(v, 1))
			return fmt(err, esz, "VAR_NUMBER:%s", tv->name), -1;
		break;
	case VK_TEXT:
		if (sms_text_check(v, n) & SMS_TEXT_LINK)
			return fmt(err, esz, "URL_FORBIDDEN:%s", tv->name), -1;
		break;
	}
	if (tv->max && (size_t)tv->max < max)
		max = (size_t)tv->max;
	if (chars > max) {
		if (!tv->fit)
			return fmt(err, esz, "VAR_TOO_LONG:%s", tv->name), -1;
		fit_value(v, vsz, max);
	}
	return 0;
}

void
rendered_free(struct rendered *r)
{
	json_decref(r->values);
	r->values = NULL;
}

/* Replace each ${x} of src by values[x] into out. */
static int
substitute(const char *src, json_t *values, struct buf *out)
{
	const char *p = src, *q;

	while ((q = strstr(p, "${")) != NULL) {
		const char *e = strchr(q, '}');
		char name[40];
		const char *v;

		if (e == NULL || (size_t)(e - q - 2) >= sizeof name)
			return -1;
		buf_add(out, p, (size_t)(q - p));
		memcpy(name, q + 2, (size_t)(e - q - 2));
		name[e - q - 2] = '\0';
		if ((v = json_string_value(json_object_get(values, name))) == NULL)
			return -1;
		buf_adds(out, v);
		p = e + 1;
	}
	buf_adds(out, p);
	return out->overflow ? -1 : 0;
}

/* params → values: every key declared, every declared var present, strings (or integers). */
static json_t *
collect_values(const struct tmpl *t, json_t *params, char *err, size_t esz)
{
	json_t *values = json_object(), *v;
	const char *k;
	int i;

	if (!json_is_object(params)) {
		fmt(err, esz, "PARAMS_INVALID");
		json_decref(values);
		return NULL;
	}
	json_object_foreach(params, k, v) {
		char num[32];

		if (var_index(t, k) < 0) {
			fmt(err, esz, "VAR_UNKNOWN:%.*s", (int)utf8_cut(k, strlen(k), 40, 40), k);
			json_decref(values);
			return NULL;
		}
		if (json_is_string(v))
			json_object_set(values, k, v);
		else if (json_is_integer(v)) {
			fmt(num, sizeof num, "%lld", (long long)json_integer_value(v));
			json_object_set_new(values, k, json_string(num));
		} else {
			fmt(err, esz, "VAR_TYPE:%.*s", (int)utf8_cut(k, strlen(k), 40, 40), k);
			json_decref(values);
			return NULL;
		}
	}
	for (i = 0; i < t->nvars; i++)
		if (json_object_get(values, t->vars[i].name) == NULL) {
			fmt(err, esz, "VAR_MISSING:%s", t->vars[i].name);
			json_decref(values);
			return NULL;
		}
	return values;
}

static int
render(const struct tmpl *t, json_t *params, enum provider p, const char *sign, int masked,
    struct rendered *out)
{
	struct buf b;
	const char *src;
	int i;

	memset(out, 0, sizeof *out);
	if ((out->values = collect_values(t, params, out->err, sizeof out->err)) == NULL)
		return -1;
	if (p == PROV_TENCENT && t->tencent_id[0] == '\0')
		return fmt(out->err, sizeof out->err, "NO_TENCENT_TEMPLATE"), -1;
	if (p == PROV_ALIYUN && t->aliyun[0] == '\0')
		return fmt(out->err, sizeof out->err, "NO_ALIYUN_TEMPLATE"), -1;
	src = p == PROV_TENCENT && t->tencent_text[0] ? t->tencent_text : t->text;
	for (i = 0; i < t->nvars; i++) {
		const struct tmpl_var *tv = &t->vars[i];
		char v[URL_VAR_MAX * 4 + 8];
		int used = 1, j;

		if (p == PROV_TENCENT) {
			used = 0;
			for (j = 0; j < t->ntencent; j++)
				used |= t->tencent_order[j] == i;
		}
		if (!used) {
			/* Not sent to this provider (a link Tencent has as fixed text). */
			json_object_del(out->values, tv->name);
			continue;
		}
		if (masked && tv->secret) {
			json_object_set_new(out->values, tv->name, json_string(TMPL_MASK));
			continue;
		}
		if (str_copy(v, sizeof v, json_string_value(json_object_get(out->values,
		    tv->name))) >= sizeof v)
			return fmt(out->err, sizeof out->err, "VAR_TOO_LONG:%s", tv->name), -1;
		if (check_value(tv, p, v, sizeof v, out->err, sizeof out->err) != 0)
			return -1;
		json_object_set_new(out->values, tv->name, json_string(v));
	}
	buf_init(&b, sizeof out->text - 1);
	buf_adds(&b, "【");
	buf_adds(&b, sign);
	buf_adds(&b, "】");
	if (substitute(src, out->values, &b) != 0 || b.len >= sizeof out->text) {
		buf_free(&b);
		return fmt(out->err, sizeof out->err, "TEXT_TOO_LONG"), -1;
	}
	memcpy(out->text, b.data, b.len);
	out->text[b.len] = '\0';
	buf_free(&b);
	out->chars = utf8_len(out->text, strlen(out->text));
	if (out->chars > SMS_TEXT_LIMIT)
		return fmt(out->err, sizeof out->err, "TEXT_TOO_LONG"), -1;
	out->segments = sms_segments(out->chars);
	return 0;
}

int
tmpl_render(const struct tmpl *t, json_t *params, enum provider p, const char *sign,
    struct rendered *out)
{
	return render(t, params, p, sign, 0, out);
}

int
tmpl_render_masked(const struct tmpl *t, json_t *params, const char *sign,
    struct rendered *out)
{
	return render(t, params, PROV_LOG, sign, 1, out);
}

int
tmpl_has_secret(const struct tmpl *t)
{
	int i;

	for (i = 0; t && i < t->nvars; i++)
		if (t->vars[i].secret)
			return 1;
	return 0;
}

json_t *
tmpl_params_masked(const struct tmpl *t, json_t *params)
{
	json_t *out = json_object(), *v;
	const char *k;
	int i;

	if (!json_is_object(params))
		return out;
	json_object_foreach(params, k, v) {
		i = t ? var_index(t, k) : -1;
		if (i < 0 || t->vars[i].secret || !(json_is_string(v) || json_is_integer(v)))
			json_object_set_new(out, k, json_string(TMPL_MASK));
		else
			json_object_set(out, k, v);
	}
	return out;
}

/* Length rules of subscribe-message fields by key prefix; thing values are cut to fit. */
json_t *
tmpl_wechat_data(const struct tmpl *t, json_t *params, char *err, size_t esz)
{
	json_t *values, *data;
	int i, j;

	if (t->wechat_id[0] == '\0') {
		fmt(err, esz, "NO_WECHAT_TEMPLATE");
		return NULL;
	}
	if ((values = collect_values(t, params, err, esz)) == NULL)
		return NULL;
	data = json_object();
	for (i = 0; i < t->nwfields; i++) {
		const struct tmpl_wfield *f = &t->wfields[i];
		char v[256] = "";
		size_t max = 20, chars;
		struct buf b;

		buf_init(&b, sizeof v - 1);
		for (j = 0; j < f->nvar; j++) {
			const char *s = json_string_value(json_object_get(values,
			    t->vars[f->var[j]].name));

			if (j > 0)
				buf_adds(&b, " ");
			buf_adds(&b, s ? s : "");
		}
		if (b.len > 0 && !b.overflow) {
			memcpy(v, b.data, b.len);
			v[b.len] = '\0';
		}
		buf_free(&b);
		if (strncmp(f->key, "thing", 5) == 0)
			max = 20;
		else if (strncmp(f->key, "character_string", 16) == 0 ||
		    strncmp(f->key, "number", 6) == 0 || strncmp(f->key, "letter", 6) == 0 ||
		    strncmp(f->key, "symbol", 6) == 0 || strncmp(f->key, "phone_number", 12) == 0)
			max = 32;
		else if (strncmp(f->key, "phrase", 6) == 0)
			max = 5;
		else if (strncmp(f->key, "name", 4) == 0)
			max = 10;
		else
			max = 32;
		chars = utf8_len(v, strlen(v));
		if (chars == 0 || chars > max) {
			if (chars == 0 || strncmp(f->key, "thing", 5) != 0) {
				fmt(err, esz, "WECHAT_FIELD:%s", f->key);
				json_decref(values);
				json_decref(data);
				return NULL;
			}
			v[utf8_cut(v, strlen(v), max, sizeof v - 1)] = '\0';
		}
		json_object_set_new(data, f->key, json_pack("{s:s}", "value", v));
	}
	json_decref(values);
	return data;
}

/* ------------------------------------------------------------------ timing */

int64_t
quiet_until(int64_t t)
{
	int from = (int)config_int("sms_quiet_from", 21, 0, 24);
	int to = (int)config_int("sms_quiet_to", 8, 0, 24);
	struct tm tm;
	int64_t day;

	if (from == to)
		return 0;
	hall_tm(t, &tm);
	day = hall_day(t);
	if (from > to) {	/* over midnight: 21 → 8 */
		if (tm.tm_hour >= from)
			return hall_day_start(day + 1) + (int64_t)to * 3600;
		if (tm.tm_hour < to)
			return hall_day_start(day) + (int64_t)to * 3600;
		return 0;
	}
	if (tm.tm_hour >= from && tm.tm_hour < to)
		return hall_day_start(day) + (int64_t)to * 3600;
	return 0;
}

int64_t
retry_delay_ms(int attempts, int64_t base_ms, int64_t max_ms)
{
	int64_t d = base_ms;
	int i;

	for (i = 1; i < attempts && d < max_ms; i++)
		d *= 2;
	if (d > max_ms)
		d = max_ms;
	/* ±20 % so that rows failed together do not all come back together. */
	if (d >= 10)
		d = d * 8 / 10 + (int64_t)randombytes_uniform((uint32_t)(d * 4 / 10 + 1));
	return d;
}
