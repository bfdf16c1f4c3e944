/*
 * it_catalog.c — the catalog's public reads from each app process's copy (issue 24, item 2):
 * a change is on every citizen's screen within a second of catalog_changed, the categories'
 * waiting counts are never a copy, and a Redis that lost the generation does not hide a
 * change.
 *
 * No admin route changes the catalog on main yet: the tests change the rows through
 * MariaDB and then call catalog_changed — the function every writer calls after its commit
 * (modules/hall/catalog.h), linked in from the app's own library.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/http.h"
#include "../lib/stackproc.h"
#include "../lib/suite.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../modules/hall/catalog.h"

/* Enough requests in a row that every app process (and nginx's spread over them) answers. */
#define ROUNDS 40

/* The name of item id in GET path's items (NULL reply: the test fails). */
static void
item_name(const char *path, const char *id, char *out, size_t osz)
{
	struct resp r;
	json_t *items, *it;
	size_t i;

	out[0] = '\0';
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	items = jget(r.json, "items");
	assert_true(json_is_array(items));
	json_array_foreach(items, i, it)
		if (strcmp(jstr(it, "id"), id) == 0)
			snprintf(out, osz, "%s", jstr(it, "name"));
	resp_free(&r);
}

/* The category code's field in GET /halls/demo/categories. */
static json_t *
category(const char *code)
{
	struct resp r;
	json_t *cats, *c, *found = NULL;
	size_t i;

	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	cats = jget(r.json, "categories");
	json_array_foreach(cats, i, c)
		if (strcmp(jstr(c, "code"), code) == 0)
			found = json_incref(c);
	resp_free(&r);
	assert_non_null(found);
	return found;
}

/*
 * Rename item id to name in the record, then catalog_changed; every answer from a second
 * after that on (ROUNDS in a row) shows the new name.  The ms until the first did.
 */
static int64_t
rename_item_seen(const char *path, const char *id, const char *name)
{
	char got[256];
	int64_t t0, first = -1;
	int i;

	assert_int_equal(db_exec(&test_db, "UPDATE items SET name = ? WHERE id = ?",
	    DBARGS(DBS(name), DBS(id)), NULL, NULL), 0);
	catalog_changed(&test_db);
	t0 = now_ms();
	while (now_ms() - t0 < 1000) {
		item_name(path, id, got, sizeof got);
		if (first < 0 && strcmp(got, name) == 0)
			first = now_ms() - t0;
		pause_ms(20);
	}
	for (i = 0; i < ROUNDS; i++) {
		item_name(path, id, got, sizeof got);
		assert_string_equal(got, name);
	}
	return first;
}

TEST(item_change_seen_within_a_second)
{
	static const char *path = "/api/v1/items?hall=demo";
	static const char *shape = "/api/v1/items?hall=demo&category=B";
	struct resp r;
	char id[64], name[256], got[256], renamed[300];
	int64_t ms;
	int i;

	assert_int_equal(http(&r, "GET", shape, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	snprintf(id, sizeof id, "%s", jstr(r.json, "items.0.id"));
	snprintf(name, sizeof name, "%s", jstr(r.json, "items.0.name"));
	resp_free(&r);
	/* Every process holds a copy of both shapes. */
	for (i = 0; i < ROUNDS; i++) {
		item_name(path, id, got, sizeof got);
		assert_string_equal(got, name);
		item_name(shape, id, got, sizeof got);
		assert_string_equal(got, name);
	}

	snprintf(renamed, sizeof renamed, "%s（新版）", name);
	ms = rename_item_seen(path, id, renamed);
	print_message("the new name first seen %lld ms after catalog_changed\n", (long long)ms);
	/* The other shape's copies went too. */
	for (i = 0; i < ROUNDS; i++) {
		item_name(shape, id, got, sizeof got);
		assert_string_equal(got, renamed);
	}
	/* And back: the old name is what the next suites expect. */
	rename_item_seen(path, id, name);
}

TEST(category_change_seen_within_a_second)
{
	json_t *c;
	char name[128], renamed[160];
	int64_t t0;
	int i;

	c = category("D");
	snprintf(name, sizeof name, "%s", jstr(c, "name"));
	json_decref(c);
	for (i = 0; i < ROUNDS; i++) {
		c = category("D");
		json_decref(c);
	}
	snprintf(renamed, sizeof renamed, "%s（调整）", name);
	assert_int_equal(db_exec(&test_db, "UPDATE categories SET name = ? WHERE hall = 'demo'"
	    " AND code = 'D'", DBARGS(DBS(renamed)), NULL, NULL), 0);
	catalog_changed(&test_db);
	t0 = now_ms();
	pause_ms(1000);
	for (i = 0; i < ROUNDS; i++) {
		c = category("D");
		assert_string_equal(jstr(c, "name"), renamed);
		json_decref(c);
	}
	print_message("checked from %lld ms after catalog_changed\n", (long long)(now_ms() - t0));
	assert_int_equal(db_exec(&test_db, "UPDATE categories SET name = ? WHERE hall = 'demo'"
	    " AND code = 'D'", DBARGS(DBS(name)), NULL, NULL), 0);
	catalog_changed(&test_db);
	pause_ms(1000);
	c = category("D");
	assert_string_equal(jstr(c, "name"), name);
	json_decref(c);
}

/* The number just taken counts at once: the waiting counts are read live, never kept. */
TEST(waiting_counts_stay_live)
{
	char k[128];
	json_t *c;
	long long before;
	int i;

	assert_int_equal(set_clock("2026-12-01T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	for (i = 0; i < ROUNDS; i++) {	/* every process has its copy of the categories */
		c = category("F");
		json_decref(c);
	}
	c = category("F");
	before = jint(c, "waiting");
	json_decref(c);
	for (i = 1; i <= 3; i++) {
		int j;

		expect_reply("POST", "/api/v1/halls/demo/tickets", k, "{\"category\":\"F\"}", 201);
		for (j = 0; j < 8; j++) {	/* whichever process answers */
			c = category("F");
			assert_int_equal(jint(c, "waiting"), before + i);
			assert_true(jint(c, "eta_minutes") >= 1);
			json_decref(c);
		}
	}
	set_clock(NULL);
}

/*
 * Redis lost the generation (a restart without its data) and a writer bumped it at once:
 * INCR on a missing key would give 1 again, the value the processes may hold from before.
 * The key starts from the clock instead, so the change is still a change to every process.
 */
TEST(generation_lost_then_changed)
{
	static const char *path = "/api/v1/items?hall=demo&category=B";
	struct resp r;
	redisReply *rep;
	char id[64], name[256], got[256], renamed[300];
	int i;

	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	snprintf(id, sizeof id, "%s", jstr(r.json, "items.0.id"));
	snprintf(name, sizeof name, "%s", jstr(r.json, "items.0.name"));
	resp_free(&r);
	/* A young Redis's generation: 1.  Every process sees it and holds a copy. */
	rep = kv_cmd(&test_db, "SET yc:catalog:gen 1");
	assert_non_null(rep);
	freeReplyObject(rep);
	pause_ms(400);
	for (i = 0; i < ROUNDS; i++)
		item_name(path, id, got, sizeof got);
	pause_ms(400);
	for (i = 0; i < ROUNDS; i++)
		item_name(path, id, got, sizeof got);
	/* Lost, then a change straight away. */
	rep = kv_cmd(&test_db, "DEL yc:catalog:gen");
	assert_non_null(rep);
	freeReplyObject(rep);
	snprintf(renamed, sizeof renamed, "%s（更名）", name);
	rename_item_seen(path, id, renamed);
	rep = kv_cmd(&test_db, "GET yc:catalog:gen");
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STRING);
	assert_true(strcmp(rep->str, "1") != 0);
	freeReplyObject(rep);
	rename_item_seen(path, id, name);
}

SUITE_MAIN("catalog", suite_setup, suite_teardown)
