/*
 * flows.c — steps the integration tests share (see flows.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flows.h"
#include "expect.h"
#include "steps.h"
#include "suite.h"

#include "../../fcgi/db.h"
#include "../../fcgi/session.h"
#include "../../fcgi/yc.h"
#include "../../modules/hall/staff.h"

void
staff_in(const char *user, int window, char *tok, size_t tsz)
{
	staff_in_hall("demo", user, window, tok, tsz);
}

void
staff_in_hall(const char *hall, const char *user, int window, char *tok, size_t tsz)
{
	int i;

	for (i = 0; i < 30; i++) {
		if (staff_login_at(hall, user, window, tok, tsz) == 0)
			return;
		usleep(300 * 1000);
	}
	fail_msg("%s/%s could not sign in", hall, user);
}

int
sign_in_table(const struct signer *who, size_t n)
{
	size_t k, left = n;
	int i;

	for (k = 0; k < n; k++)
		who[k].tok[0] = '\0';
	for (i = 0; i < 100 && left > 0; i++) {
		if (i > 0)
			usleep(100 * 1000);
		for (k = 0; k < n; k++) {
			if (who[k].tok[0] != '\0')
				continue;
			if ((who[k].user ? staff_login_at(who[k].hall ? who[k].hall : "demo",
			    who[k].user, who[k].window, who[k].tok, who[k].tsz) :
			    citizen_login(who[k].phone, who[k].tok, who[k].tsz)) == 0)
				left--;
			else
				who[k].tok[0] = '\0';
		}
	}
	for (k = 0; k < n; k++)
		if (who[k].tok[0] == '\0')
			fprintf(stderr, "%s could not sign in\n", who[k].user ? who[k].user :
			    who[k].phone);
	return left == 0 ? 0 : -1;
}

int
suite_sign_in_table(void **st, const char *when, const struct signer *who, size_t n)
{
	size_t k;

	if (suite_setup(st) != 0)
		return -1;
	for (k = 0; k < n; k++)
		if (who[k].name)
			ensure_staff(who[k].user, who[k].name, who[k].role, who[k].dept);
	if (when && set_clock(when) != 0)
		return -1;
	return sign_in_table(who, n);
}

void
citizen_in(const char *phone, char *tok, size_t tsz)
{
	int i;

	for (i = 0; i < 10; i++) {
		if (citizen_login(phone, tok, tsz) == 0)
			return;
		usleep(500 * 1000);
	}
	fail_msg("citizen %s could not sign in", phone);
}

void
ensure_staff(const char *user, const char *name, const char *role, const char *dept)
{
	struct staff_new s = { .hall = "demo", .username = user, .name = name, .role = role,
	    .department = dept, .password = "yichuang-demo" };
	char err[200];

	if (staff_exists(&test_db, "demo", user) == 1)
		return;
	if (staff_create(&test_db, &s, err, sizeof err) != 0)
		fail_msg("staff_create %s: %s", user, err);
}

void
make_id(char out[19], const char *birth8, int seq)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	int i, sum = 0;

	snprintf(out, 19, "110105%.8s%03d", birth8, seq % 1000);
	for (i = 0; i < 17; i++)
		sum += (out[i] - '0') * w[i];
	out[17] = check[sum % 11];
	out[18] = '\0';
}

uint64_t
citizen_session(char *tok, size_t tsz)
{
	struct session s;
	uint64_t id = 0;

	assert_int_equal(db_exec(&test_db, "INSERT INTO citizens (created_at) VALUES (NOW())",
	    DBNOARGS, NULL, &id), 0);
	memset(&s, 0, sizeof s);
	s.role = ROLE_CITIZEN;
	snprintf(s.subject, sizeof s.subject, "%llu", (unsigned long long)id);
	assert_int_equal(session_create(&test_db, &s, 3600, tok, tsz), 0);
	return id;
}

json_t *
material_codes(const char *item, int required_only, int skip_waivable)
{
	struct resp r;
	char path[128];
	json_t *m, *codes = json_array();
	size_t i;

	snprintf(path, sizeof path, "/api/v1/items/%s", item);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "item.materials"), i, m) {
		if (required_only && !json_is_true(json_object_get(m, "required")))
			continue;
		if (skip_waivable && json_is_true(json_object_get(m, "waivable")))
			continue;
		json_array_append(codes, json_object_get(m, "code"));
	}
	resp_free(&r);
	return codes;
}

void
material_codes_text(const char *item, int required_only, int skip_waivable, char *out,
    size_t osz)
{
	json_t *codes = material_codes(item, required_only, skip_waivable);
	char *s = json_dumps(codes, JSON_COMPACT);

	assert_non_null(s);
	snprintf(out, osz, "%s", s);
	free(s);
	json_decref(codes);
}

void
case_accept(struct resp *r, const char *clerk, const char *item, const char *more, char *no,
    char *tok)
{
	struct resp own;
	char mats[512], body[2048];

	if (r == NULL)
		r = &own;
	material_codes_text(item, 1, 0, mats, sizeof mats);
	assert_true((size_t)snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s,%s}",
	    item, mats, more) < sizeof body);
	assert_int_equal(http_json(r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(r, 201);
	assert_string_equal(jstr(r->json, "case.status"), "accepted");
	snprintf(no, 64, "%s", jstr(r->json, "case.no"));
	if (tok)
		snprintf(tok, 64, "%s", jstr(r->json, "case.track_token"));
	if (r == &own)
		resp_free(r);
}

void
sheet_materials(const char *item, int pages, const char *extra, char *out, size_t osz)
{
	json_t *codes = material_codes(item, 1, 0), *sheet = json_array(), *v;
	size_t i;
	char *s;

	json_array_foreach(codes, i, v)
		json_array_append_new(sheet, json_pack("{s:O,s:i}", "code", v, "pages", pages));
	if (extra)
		json_array_append_new(sheet, json_loads(extra, 0, NULL));
	assert_int_equal(json_array_size(sheet), json_array_size(codes) + (extra ? 1 : 0));
	s = json_dumps(sheet, JSON_COMPACT);
	assert_non_null(s);
	assert_true(strlen(s) < osz);
	snprintf(out, osz, "%s", s);
	free(s);
	json_decref(sheet);
	json_decref(codes);
}

void
upload(struct resp *out, const char *token, const char *type, const void *p, size_t n)
{
	char auth[256], ct[128];
	const char *h[3] = { auth, ct, NULL };

	snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
	snprintf(ct, sizeof ct, "Content-Type: %s", type);
	assert_int_equal(http_bin(out, "POST", "/api/v1/uploads", p, n, h), 0);
}

size_t
make_png(unsigned char *b, int seed)
{
	static const unsigned char png[] = {
		0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
		0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
		0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
		0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
		0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82
	};
	size_t n = sizeof png;

	memcpy(b, png, n);
	/* a tEXt-less trailer after IEND is ignored by viewers: keeps each file distinct */
	n += (size_t)snprintf((char *)b + n, 64, "seed-%d", seed);
	return n;
}


size_t
make_pdf(unsigned char *b, int seed)
{
	return (size_t)snprintf((char *)b, 1024,
	    "%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
	    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
	    "trailer<</Root 1 0 R>>\n%% seed %d\n%%%%EOF\n", seed);
}


size_t
slot_count(const char *query)
{
	char path[256];
	struct resp r;
	size_t n;

	snprintf(path, sizeof path, "/api/v1/halls/demo/slots?%s", query);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	n = json_array_size(jget(r.json, "slots"));
	resp_free(&r);
	return n;
}

void
free_slot(const char *query, char *out, size_t osz)
{
	char path[256];
	struct resp r;
	json_t *s;
	size_t i;

	out[0] = '\0';
	snprintf(path, sizeof path, "/api/v1/halls/demo/slots?%s", query);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "slots"), i, s)
		if (jint(s, "remaining") > 0 && out[0] == '\0')
			snprintf(out, osz, "%s", jstr(s, "id"));
	resp_free(&r);
	assert_true(out[0] != '\0');
}

#define CASE_ACTIONS	"/api/v1/cases/%s/actions"

void
case_act(struct resp *r, const char *token, const char *no, const char *body)
{
	http_at(r, "POST", token, body, CASE_ACTIONS, no);
}

void
case_act_expect(const char *token, const char *no, const char *body, long status)
{
	expect_at("POST", token, body, status, NULL, CASE_ACTIONS, no);
}

void
case_act_refused(const char *token, const char *no, const char *body, long status,
    const char *code)
{
	expect_at("POST", token, body, status, code, CASE_ACTIONS, no);
}

void
case_act_ok(const char *token, const char *no, const char *body, const char *status)
{
	expect_str_at("POST", token, body, 200, "case.status", status, CASE_ACTIONS, no);
}

#define WINDOW_ACTION	"/api/v1/windows/%d/%s"

void
window_post(struct resp *r, const char *token, int w, const char *action, const char *body)
{
	http_at(r, "POST", token, body, WINDOW_ACTION, w, action);
}

void
window_ok(const char *token, int w, const char *action, const char *body, const char *member,
    const char *want)
{
	expect_str_at("POST", token, body, 200, member, want, WINDOW_ACTION, w, action);
}

void
window_refused(const char *token, int w, const char *action, const char *body, long status,
    const char *code)
{
	expect_at("POST", token, body, status, code, WINDOW_ACTION, w, action);
}

void
upload_file(const char *token, const char *type, const void *p, size_t n, char *id, size_t isz)
{
	struct resp r;

	upload(&r, token, type, p, n);
	expect_status(&r, 201);
	snprintf(id, isz, "%s", jstr(r.json, "upload.id"));
	resp_free(&r);
}

void
upload_ok(const char *token, int seed, char *id, size_t isz)
{
	unsigned char b[1024];
	size_t n = seed % 2 ? make_pdf(b, seed) : make_png(b, seed);

	upload_file(token, seed % 2 ? "application/pdf" : "image/png", b, n, id, isz);
}

void
materials_for(const char *token, json_t *mats, int seed, char *out, size_t osz)
{
	json_t *m;
	size_t i;
	char id[64];

	snprintf(out, osz, "{");
	json_array_foreach(mats, i, m) {
		if (!json_is_true(json_object_get(m, "required")))
			continue;
		upload_ok(token, seed + (int)i, id, sizeof id);
		snprintf(out + strlen(out), osz - strlen(out), "%s\"%s\":\"%s\"",
		    strlen(out) > 1 ? "," : "", json_string_value(json_object_get(m, "code")), id);
	}
	snprintf(out + strlen(out), osz - strlen(out), "}");
}

json_t *
bundle(const char *id)
{
	struct resp r;
	json_t *b, *found = NULL;
	size_t i;

	assert_int_equal(http_json(&r, "GET", "/api/v1/bundles?hall=demo", NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "bundles"), i, b)
		if (strcmp(jstr(b, "id"), id) == 0)
			found = json_incref(b);
	resp_free(&r);
	assert_non_null(found);
	return found;
}
