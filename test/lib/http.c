/*
 * http.c — libcurl client for the integration tests (see http.h).
 */
#include "http.h"
#include "stackproc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/kv.h"
#include "../../modules/identity/identity.h"
#include "../../modules/shared/pii.h"

#include <sodium.h>

const char *
base_url(void)
{
	const char *b = getenv("YICHUANG_BASE_URL");

	return b && *b ? b : "http://127.0.0.1:18080";
}

size_t
http_on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t add = sz * n;
	char *nb = realloc(r->body, r->len + add + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, add);
	r->len += add;
	r->body[r->len] = '\0';
	return add;
}

size_t
http_on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t add = sz * n, have = strlen(r->headers);

	if (have + add + 1 < sizeof r->headers) {
		memcpy(r->headers + have, p, add);
		r->headers[have + add] = '\0';
	}
	return add;
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static _Thread_local const char *source_addr;

void
http_source(const char *addr)
{
	source_addr = addr;
}

void *
http_handle(struct resp *r, const char *method, const char *url, long timeout)
{
	CURL *c = curl_easy_init();

	memset(r, 0, sizeof *r);
	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	return c;
}

void
http_json_headers(const char *h[4], char auth[256], const char *token, const char *body)
{
	int n = 0;

	if (token) {
		snprintf(auth, 256, "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
}

void
http_idem_headers(const char *h[4], char auth[256], char key[80], const char *token,
    const char *tag)
{
	int n = 0;

	http_json_headers(h, auth, token, "");
	while (h[n])
		n++;
	snprintf(key, 80, "Idempotency-Key: %s-%ld-%d", tag, (long)time(NULL), (int)getpid());
	h[n++] = key;
	h[n] = NULL;
}

int
http_bin(struct resp *out, const char *method, const char *path, const void *body, size_t blen,
    const char *const *headers)
{
	CURL *c;
	struct curl_slist *hl = NULL;
	size_t usz = strlen(base_url()) + strlen(path) + 1;
	char *url = malloc(usz);
	CURLcode rc;

	if (url == NULL)
		return -1;
	snprintf(url, usz, "%s%s", base_url(), path);
	if ((c = http_handle(out, method, url, 40L)) == NULL) {
		free(url);
		return -1;
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (source_addr)
		curl_easy_setopt(c, CURLOPT_INTERFACE, source_addr);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
	}
	hl = curl_slist_append(hl, "Expect:");
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	free(url);
	if (rc != CURLE_OK) {
		fprintf(stderr, "http %s %s from %s: %s\n", method, path,
		    source_addr ? source_addr : "127.0.0.1", curl_easy_strerror(rc));
		return -1;
	}
	if (out->body)
		out->json = json_loadb(out->body, out->len, 0, NULL);
	return 0;
}

int
http(struct resp *out, const char *method, const char *path, const char *body,
    const char *const *headers)
{
	return http_bin(out, method, path, body, body ? strlen(body) : 0, headers);
}

int
http_from(struct resp *out, const char *from, const char *method, const char *path,
    const char *token, const char *body)
{
	const char *was = source_addr;
	int rc;

	source_addr = from;
	rc = http_json(out, method, path, token, body);
	source_addr = was;
	return rc;
}

int
http_json(struct resp *out, const char *method, const char *path, const char *token,
    const char *body)
{
	char auth[256];
	const char *h[4];

	http_json_headers(h, auth, token, body);
	return http(out, method, path, body, h);
}

void
resp_free(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

json_t *
jget(json_t *root, const char *path)
{
	char part[128];
	const char *p = path;

	while (root && *p) {
		size_t n = strcspn(p, ".");

		if (n >= sizeof part)
			return NULL;
		memcpy(part, p, n);
		part[n] = '\0';
		if (json_is_array(root) && isdigit((unsigned char)part[0]))
			root = json_array_get(root, strtoul(part, NULL, 10));
		else
			root = json_object_get(root, part);
		p += n;
		if (*p == '.')
			p++;
	}
	return root;
}

const char *
jstr(json_t *root, const char *path)
{
	return json_string_value(jget(root, path));
}

json_t *
jfind(json_t *arr, const char *key, const char *val)
{
	json_t *o;
	size_t i;

	json_array_foreach(arr, i, o) {
		const char *v = json_string_value(json_object_get(o, key));

		if (v && strcmp(v, val) == 0)
			return o;
	}
	return NULL;
}

long long
jint(json_t *root, const char *path)
{
	json_t *v = jget(root, path);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

const char *
resp_header(const struct resp *r, const char *name, char *out, size_t osz)
{
	const char *p = r->headers;
	size_t nl = strlen(name);

	while (*p) {
		const char *e = strstr(p, "\r\n");
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len > nl + 1 && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			size_t vl;

			while (*v == ' ')
				v++;
			vl = len - (size_t)(v - p);
			if (vl >= osz)
				vl = osz - 1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return out;
		}
		if (e == NULL)
			break;
		p = e + 2;
	}
	return NULL;
}

int
stack(const char *verb)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "bash ops/stack.sh %s %s >/dev/null 2>&1", verb,
	    test_instance());
	return system(cmd);
}

int
set_clock(const char *when)
{
	char path[256], tmp[272];
	int64_t t;
	FILE *f;

	snprintf(path, sizeof path, "var/%s/clock", test_instance());
	if (when == NULL) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (unlink(path) != 0)
			return -1;
		nanosleep(&ts, NULL);
		return 0;
	}
	if (time_parse(when, &t) != 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%lld %lld\n", (long long)t, (long long)time(NULL));
	fclose(f);
	if (rename(tmp, path) != 0)
		return -1;
	{	/* every process looks at the file at most every 20 ms (fcgi/clock.c) */
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return 0;
}

long
file_lines_with(const char *path, const char *text)
{
	char line[4096];
	long n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strstr(line, text))
			n++;
	fclose(f);
	return n;
}

long
app_log_count(const char *text)
{
	char path[256];

	snprintf(path, sizeof path, "var/%s/log/app.log", test_instance());
	return file_lines_with(path, text);
}

int
staff_login(const char *user, int window, char *out, size_t osz)
{
	return staff_login_at("demo", user, window, out, osz);
}

int
staff_login_at(const char *hall, const char *user, int window, char *out, size_t osz)
{
	struct resp r;
	char body[256];
	const char *tok;
	int rc = -1;

	if (window > 0)
		snprintf(body, sizeof body, "{\"hall\":\"%s\",\"username\":\"%s\","
		    "\"password\":\"yichuang-demo\",\"window\":%d}", hall, user, window);
	else
		snprintf(body, sizeof body, "{\"hall\":\"%s\",\"username\":\"%s\","
		    "\"password\":\"yichuang-demo\"}", hall, user);
	if (http_json(&r, "POST", "/api/v1/staff/login", NULL, body) == 0 && r.status == 200 &&
	    (tok = jstr(r.json, "token")) != NULL && strlen(tok) < osz) {
		memcpy(out, tok, strlen(tok) + 1);
		rc = 0;
	}
	resp_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ citizens (identity) */

long
sms_log_size(void)
{
	char path[256];
	FILE *f;
	long n = 0;

	snprintf(path, sizeof path, "var/%s/sms.log", test_instance());
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fseek(f, 0, SEEK_END) == 0)
		n = ftell(f);
	fclose(f);
	return n < 0 ? 0 : n;
}

int
sms_code_wait(const char *phone, long since, char *code, size_t csz)
{
	json_t *line = NULL;
	const char *c;
	int rc = -1;

	if (sms_log_find_since(since, phone, "login_code", &line, 15000) != 0) {
		fprintf(stderr, "sms_code_wait: no login code for the phone in var/%s/sms.log"
		    " after 15 s (is the worker running?)\n", test_instance());
		return -1;
	}
	if ((c = jstr(line, "params.code")) != NULL && strlen(c) < csz) {
		memcpy(code, c, strlen(c) + 1);
		rc = 0;
	}
	json_decref(line);
	return rc;
}

int
test_conf_load(void)
{
	static int loaded = 0;
	char path[256];

	if (loaded)
		return loaded > 0 ? 0 : -1;
	loaded = -1;
	snprintf(path, sizeof path, "var/%s/yichuang.conf", test_instance());
	if (sodium_init() < 0 || config_load(path) != 0 || pii_init() != 0)
		return -1;
	loaded = 1;
	return 0;
}

/*
 * The limits live in notify's keys, {sms:<first 32 hex of the phone's keyed hash>}:… (the
 * codes sent, and the daily caps per template): every key of the phone goes.
 */
int
sms_limits_reset(const char *phone)
{
	static struct ctx c;
	static int ready;
	char h[PII_HASH_HEX], pattern[64], cursor[32] = "0";
	redisReply *rep, *d;
	size_t i;

	if (test_conf_load() != 0)
		return -1;
	if (!ready) {
		ctx_init(&c, 0);
		ready = 1;
	}
	pii_hash("phone", phone, h);
	snprintf(pattern, sizeof pattern, "{sms:%.32s}:*", h);
	do {
		/* A connection from before a Redis restart fails once; the retry reconnects. */
		if ((rep = kv_cmd(&c, "SCAN %s MATCH %s COUNT 1000", cursor, pattern)) == NULL &&
		    (rep = kv_cmd(&c, "SCAN %s MATCH %s COUNT 1000", cursor, pattern)) == NULL)
			return -1;
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
			freeReplyObject(rep);
			return -1;
		}
		snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
		for (i = 0; i < rep->element[1]->elements; i++) {
			if ((d = kv_cmd(&c, "DEL %s", rep->element[1]->element[i]->str)) == NULL) {
				freeReplyObject(rep);
				return -1;
			}
			freeReplyObject(d);
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

#define CITIZEN_CACHE 32
static struct {
	char	phone[16];
	char	token[128];
} citizen_cache[CITIZEN_CACHE];

static int
token_alive(const char *token)
{
	struct resp r;
	int ok;

	ok = http_json(&r, "GET", "/api/v1/me", token, NULL) == 0 && r.status == 200;
	resp_free(&r);
	return ok;
}

int
citizen_login(const char *phone, char *token, size_t tsz)
{
	struct resp r;
	char body[128], code[16];
	const char *tok;
	long since;
	size_t i, slot = CITIZEN_CACHE;
	long status;
	int tries, rc = -1;

	for (i = 0; i < CITIZEN_CACHE; i++)
		if (strcmp(citizen_cache[i].phone, phone) == 0) {
			slot = i;
			if (token_alive(citizen_cache[i].token) &&
			    strlen(citizen_cache[i].token) < tsz) {
				memcpy(token, citizen_cache[i].token,
				    strlen(citizen_cache[i].token) + 1);
				return 0;
			}
			break;
		}
	snprintf(body, sizeof body, "{\"phone\":\"%s\",\"purpose\":\"login\"}", phone);
	for (tries = 0; tries < 2; tries++) {
		since = sms_log_size();
		if (http_json(&r, "POST", "/api/v1/auth/sms-code", NULL, body) != 0)
			return -1;
		if (r.status == 202) {
			resp_free(&r);
			break;
		}
		status = r.status;
		if (status != 429)
			fprintf(stderr, "citizen_login: sms-code answered %ld: %s\n", status,
			    r.body ? r.body : "");
		resp_free(&r);
		if (status != 429 || sms_limits_reset(phone) != 0)
			return -1;
	}
	if (tries == 2 || sms_code_wait(phone, since, code, sizeof code) != 0)
		return -1;
	snprintf(body, sizeof body, "{\"phone\":\"%s\",\"code\":\"%s\"}", phone, code);
	if (http_json(&r, "POST", "/api/v1/auth/sms-login", NULL, body) == 0 && r.status == 200 &&
	    (tok = jstr(r.json, "token")) != NULL && strlen(tok) < tsz &&
	    strlen(tok) < sizeof citizen_cache[0].token) {
		memcpy(token, tok, strlen(tok) + 1);
		if (slot == CITIZEN_CACHE)
			for (i = 0; i < CITIZEN_CACHE && slot == CITIZEN_CACHE; i++)
				if (citizen_cache[i].phone[0] == '\0')
					slot = i;
		if (slot < CITIZEN_CACHE) {
			snprintf(citizen_cache[slot].phone, sizeof citizen_cache[slot].phone, "%s",
			    phone);
			snprintf(citizen_cache[slot].token, sizeof citizen_cache[slot].token, "%s",
			    tok);
		}
		rc = 0;
	} else
		fprintf(stderr, "citizen_login: sms-login answered %ld\n", r.status);
	resp_free(&r);
	return rc;
}

/* ------------------------------------------------------------------ SMS log (notify) */

/* The newest line after since matching phone and template (NULL: any) as JSON, or NULL. */
static json_t *
sms_log_scan(long since, const char *phone, const char *template)
{
	char path[256], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *best = NULL, *j;
	FILE *f;

	snprintf(path, sizeof path, "var/%s/sms.log", test_instance());
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (since > 0 && fseek(f, since, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *p, *t;

		if (line[n - 1] != '\n')
			break;	/* a line still being written */
		if ((j = json_loadb(line, (size_t)n, 0, NULL)) == NULL)
			continue;
		p = jstr(j, "phone") ? jstr(j, "phone") : jstr(j, "openid");
		t = jstr(j, "template");
		if (p && t && (phone == NULL || strcmp(p, phone) == 0) &&
		    (template == NULL || strcmp(t, template) == 0)) {
			json_decref(best);
			best = j;
		} else
			json_decref(j);
	}
	free(line);
	fclose(f);
	return best;
}

int
sms_log_find_since(long since, const char *phone, const char *template, json_t **out_line,
    int timeout_ms)
{
	int waited = 0;
	json_t *j;

	for (;;) {
		if ((j = sms_log_scan(since, phone, template)) != NULL) {
			if (out_line)
				*out_line = j;
			else
				json_decref(j);
			return 0;
		}
		if (waited >= timeout_ms)
			return -1;
		usleep(50 * 1000);
		waited += 50;
	}
}

int
sms_log_find(const char *phone, const char *template, json_t **out_params, int timeout_ms)
{
	json_t *line = NULL;

	if (sms_log_find_since(0, phone, template, &line, timeout_ms) != 0)
		return -1;
	if (out_params)
		*out_params = json_incref(json_object_get(line, "params"));
	json_decref(line);
	return 0;
}
