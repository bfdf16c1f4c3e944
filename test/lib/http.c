/*
 * http.c — libcurl client for the integration tests (see http.h).
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../../fcgi/clock.h"

const char *
base_url(void)
{
	const char *b = getenv("YICHUANG_BASE_URL");

	return b && *b ? b : "http://127.0.0.1:18080";
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
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

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t add = sz * n, have = strlen(r->headers);

	if (have + add + 1 < sizeof r->headers) {
		memcpy(r->headers + have, p, add);
		r->headers[have + add] = '\0';
	}
	return add;
}

int
http(struct resp *out, const char *method, const char *path, const char *body,
    const char *const *headers)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	char url[2048];
	CURLcode rc;

	memset(out, 0, sizeof *out);
	if (c == NULL)
		return -1;
	snprintf(url, sizeof url, "%s%s", base_url(), path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 40L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
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
	if (rc != CURLE_OK) {
		fprintf(stderr, "http %s %s: %s\n", method, path, curl_easy_strerror(rc));
		return -1;
	}
	if (out->body)
		out->json = json_loadb(out->body, out->len, 0, NULL);
	return 0;
}

int
http_json(struct resp *out, const char *method, const char *path, const char *token,
    const char *body)
{
	char auth[256];
	const char *h[4];
	int n = 0;

	if (token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h[n++] = auth;
	}
	if (body)
		h[n++] = "Content-Type: application/json";
	h[n] = NULL;
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
	const char *inst = getenv("YICHUANG_INSTANCE");

	snprintf(cmd, sizeof cmd, "bash ops/stack.sh %s %s >/dev/null 2>&1", verb,
	    inst && *inst ? inst : "test");
	return system(cmd);
}

int
set_clock(const char *when)
{
	const char *inst = getenv("YICHUANG_INSTANCE");
	char path[256], tmp[272];
	int64_t t;
	FILE *f;

	snprintf(path, sizeof path, "var/%s/clock", inst && *inst ? inst : "test");
	if (when == NULL)
		return unlink(path) == 0 ? 0 : -1;
	if (time_parse(when, &t) != 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	fprintf(f, "%lld %lld\n", (long long)t, (long long)time(NULL));
	fclose(f);
	return rename(tmp, path);
}

int
staff_login(const char *user, int window, char *out, size_t osz)
{
	struct resp r;
	char body[256];
	const char *tok;
	int rc = -1;

	if (window > 0)
		snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\","
		    "\"password\":\"yichuang-demo\",\"window\":%d}", user, window);
	else
		snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\","
		    "\"password\":\"yichuang-demo\"}", user);
	if (http_json(&r, "POST", "/api/v1/staff/login", NULL, body) == 0 && r.status == 200 &&
	    (tok = jstr(r.json, "token")) != NULL && strlen(tok) < osz) {
		memcpy(out, tok, strlen(tok) + 1);
		rc = 0;
	}
	resp_free(&r);
	return rc;
}
