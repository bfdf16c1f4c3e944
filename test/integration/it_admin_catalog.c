/*
 * it_admin_catalog.c — the region's catalog administered (issue 21, part A), against the
 * live test stack.
 *
 * The region administrator (region1 of the demo seed) creates, changes, retires and brings
 * back an item with its materials; every change is a new version, and a case accepted under
 * the first version keeps its receipt and its materials; a hall's administrator chooses
 * which items the hall accepts and in which queue, which GET /items follows at once; a
 * clerk, an approver, a manager and the hall's administrator cannot touch the region's
 * catalog; bad input gets 400 naming every field and changes nothing; each change has its
 * audit rows with the before and after; an import is all or nothing with every problem of
 * the file listed (JSON and CSV, with lines), a dry run writes nothing, an export imports
 * back unchanged, and the demo seed's catalog file imports through the same path.
 *
 * Items and bundles get ids of this run (the stack may be reused); a test hall "zz-admcat"
 * with one category is made in the record for the hall's choices.  The hall clock is moved
 * to a Tuesday morning for the window's acceptance (put back at the end).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/http.h"
#include "../lib/proc.h"
#include "../lib/records.h"
#include "../lib/steps.h"
#include "../lib/suite.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"

#define API "/api/v1"

static char region[128], admin[128], clerk[128], approver[128], manager[128];
static char run[16];		/* this run's suffix for ids */

/* ---------------------------------------------------------------- helpers */

static long long
count1(const char *sql, const char *arg)
{
	return db_count(&test_db, sql, arg);
}

/* The id of this run's item or bundle called name: "IT-T<run>-<name>". */
static void
rid(char *out, size_t osz, const char *prefix, const char *name)
{
	snprintf(out, osz, "%s-%s-%s", prefix, run, name);
}

/* An item's body: name, the promised days, materials as JSON text. */
static char *
item_body(const char *id, const char *name, int days, const char *materials)
{
	static char b[4096];

	snprintf(b, sizeof b, "{\"id\":\"%s\",\"hall\":\"demo\",\"name\":\"%s\",\"category\":\"B\","
	    "\"department\":\"scjg\",\"kind\":\"promised\",\"promised_days\":%d,"
	    "\"legal_days\":20,\"fee\":\"不收费\",\"keywords\":[\"测试%s\",\"𠮷祥\"],"
	    "\"must_attend\":false,\"materials\":%s}", id, name, days, run, materials);
	return b;
}

#define MATS_V1 "[{\"name\":\"申请书\",\"required\":true,\"form\":\"original\",\"note\":\"须本人签字\"}," \
	"{\"name\":\"营业执照复印件\",\"required\":true,\"waivable\":true,\"form\":\"copy\"," \
	"\"promise_allowed\":true}]"

static void
put_item(struct resp *r, const char *token, const char *id, const char *body)
{
	http_at(r, "PUT", token, body, API "/admin/items/%s", id);
}

/* The codes of GET /items/{id}'s materials, in order, as "M1,M2". */
static void
public_codes(const char *id, char *out, size_t osz)
{
	json_t *mats = get_member(NULL, "item.materials", API "/items/%s", id), *m;
	size_t i, o = 0;

	out[0] = '\0';
	json_array_foreach(mats, i, m)
		o += (size_t)snprintf(out + o, osz - o, "%s%s", i ? "," : "",
		    json_string_value(json_object_get(m, "code")));
	json_decref(mats);
}

/* Whether GET /items?hall=<hall> lists id (and its category there into cat). */
static int
hall_lists(const char *hall, const char *id, char *cat)
{
	json_t *items = get_member(NULL, "items", API "/items?hall=%s", hall), *it;
	size_t i;
	int found = 0;

	json_array_foreach(items, i, it)
		if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0) {
			found = 1;
			if (cat)
				snprintf(cat, 4, "%s", json_string_value(json_object_get(it, "category")));
		}
	json_decref(items);
	return found;
}

static void
post_file(struct resp *r, const char *query, const char *type, const char *text)
{
	char path[160], auth[300], ct[80];
	const char *h[3] = { auth, ct, NULL };

	snprintf(path, sizeof path, API "/admin/catalog/import%s", query);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", region);
	snprintf(ct, sizeof ct, "Content-Type: %s", type);
	assert_int_equal(http_bin(r, "POST", path, text, strlen(text), h), 0);
}

/* Whether the import's problems name this field (of record, or on line). */
static int
has_problem(struct resp *r, const char *record, long line, const char *field)
{
	json_t *p;
	size_t i;

	json_array_foreach(jget(r->json, "error.problems"), i, p) {
		const char *rec = json_string_value(json_object_get(p, "record"));
		const char *f = json_string_value(json_object_get(p, "field"));

		if ((record == NULL || strcmp(rec, record) == 0) &&
		    (line == 0 || json_integer_value(json_object_get(p, "line")) == line) &&
		    strcmp(f, field) == 0)
			return 1;
	}
	return 0;
}

/* A problem an import must name: the record's id, its line (0: any) and the field. */
struct problem {
	const char	*record;
	long		 line;
	const char	*field;
};

#define NPROBLEMS(a)	(sizeof (a) / sizeof (a)[0])

/* POST the import, which must be refused as a whole (400 INVALID_INPUT) naming each of the
 * n problems; the failure names the one missing. */
static void
import_refused(const char *query, const char *type, const char *file,
    const struct problem *want, size_t n)
{
	struct resp r;
	size_t i;

	post_file(&r, query, type, file);
	assert_error(&r, 400, "INVALID_INPUT");
	for (i = 0; i < n; i++)
		if (!has_problem(&r, want[i].record, want[i].line, want[i].field))
			fail_msg("import%s: no problem with %s (record %s, line %ld) in %.400s",
			    query, want[i].field, want[i].record, want[i].line, r.body);
	resp_free(&r);
}

/* ---------------------------------------------------------------- setup */

/* The test hall goes again: the staff sign-in page chooses the hall itself only while there is
 * one, and the browser tests after this suite sign in there. */
FIXTURE(teardown)
{
	db_exec(&test_db, "DELETE FROM hall_items WHERE hall = 'zz-admcat'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM categories WHERE hall = 'zz-admcat'", DBNOARGS, NULL, NULL);
	if (db_exec(&test_db, "DELETE FROM halls WHERE code = 'zz-admcat'", DBNOARGS, NULL,
	    NULL) != 0)
		fprintf(stderr, "the test hall zz-admcat could not be removed\n");
	return suite_teardown(st);
}

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("region1", 0, region), STAFF("admin", 0, admin), STAFF("clerk1", 1, clerk),
		STAFF("approver1", 0, approver), STAFF("manager1", 0, manager),
	};

	if (suite_setup(st) != 0)
		return -1;
	snprintf(run, sizeof run, "T%ld", (long)(time(NULL) % 10000000));
	ensure_staff("region1", "区域事项管理员", "region_admin", NULL);
	if (db_exec(&test_db, "INSERT IGNORE INTO halls (code, name, address) VALUES"
	    " ('zz-admcat', '测试分中心', '测试路 1 号')", DBNOARGS, NULL, NULL) != 0 ||
	    db_exec(&test_db, "INSERT IGNORE INTO categories (hall, code, name, sort) VALUES"
	    " ('zz-admcat', 'A', '综合受理', 1)", DBNOARGS, NULL, NULL) != 0)
		return -1;
	set_clock("2026-09-22T10:00:00+08:00");
	return sign_in_all(who);
}

/* ---------------------------------------------------------------- items */

TEST(item_is_created_changed_retired_and_audited)
{
	char id[64], codes[128], q[96];
	struct resp r;
	json_t *trail, *before_mats;

	rid(id, sizeof id, "IT", "a");
	put_item(&r, region, id, item_body(id, "测试事项·甲𠮷", 5, MATS_V1));
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "action"), "created");
	assert_int_equal(jint(r.json, "item.version"), 1);
	assert_string_equal(jstr(r.json, "item.name"), "测试事项·甲𠮷");
	resp_free(&r);
	/* The public guide shows it at once, with its materials and codes. */
	public_codes(id, codes, sizeof codes);
	assert_string_equal(codes, "M1,M2");
	assert_true(hall_lists("demo", id, NULL));
	snprintf(q, sizeof q, API "/items?hall=demo&q=%%E6%%B5%%8B%%E8%%AF%%95%s", run);
	{
		json_t *found = get_member(NULL, "items", "%s", q);	/* by its keyword 测试<run> */
		json_t *it;
		size_t k;
		int seen = 0;

		json_array_foreach(found, k, it)
			seen |= strcmp(json_string_value(json_object_get(it, "id")), id) == 0;
		assert_true(seen);
		json_decref(found);
	}
	assert_int_equal(count1("SELECT COUNT(*) FROM item_versions WHERE item = ?", id), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_catalog WHERE kind = 'item' AND"
	    " record = ? AND action = 'create' AND before_json IS NULL", id), 1);

	/* The same again: nothing changes, no version, no audit row. */
	put_item(&r, region, id, item_body(id, "测试事项·甲𠮷", 5, MATS_V1));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "action"), "unchanged");
	assert_int_equal(jint(r.json, "item.version"), 1);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_catalog WHERE kind = 'item' AND"
	    " record = ?", id), 1);

	/* M1's note changes, M2 stays as it is, a third material comes: version 2.  The
	 * changed material is a new code; the old row is kept, retired. */
	put_item(&r, region, id, item_body(id, "测试事项·甲𠮷", 5,
	    "[{\"code\":\"M1\",\"name\":\"申请书\",\"required\":true,\"note\":\"须本人签字并按手印\"},"
	    "{\"code\":\"M2\",\"name\":\"营业执照复印件\",\"required\":true,\"waivable\":true,"
	    "\"form\":\"copy\",\"promise_allowed\":true},"
	    "{\"name\":\"场所照片\",\"required\":false,\"form\":\"electronic\",\"copies\":2}]"));
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "action"), "changed");
	assert_int_equal(jint(r.json, "item.version"), 2);
	resp_free(&r);
	public_codes(id, codes, sizeof codes);
	assert_string_equal(codes, "M3,M2,M4");
	assert_int_equal(count1("SELECT COUNT(*) FROM item_materials WHERE item = ? AND code = 'M1'"
	    " AND retired_version = 2 AND note = '须本人签字'", id), 1);

	/* The trail: newest first, with the before and after of the change. */
	trail = get_member(region, "audit", API "/admin/items/%s", id);
	assert_int_equal(json_array_size(trail), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(trail, 0), "action")),
	    "change");
	assert_string_equal(json_string_value(json_object_get(json_array_get(trail, 0),
	    "actor_name")), "区域事项管理员");
	before_mats = json_object_get(json_object_get(json_array_get(trail, 0), "before"),
	    "materials");
	assert_int_equal(json_array_size(before_mats), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(before_mats, 0),
	    "note")), "须本人签字");
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_array_get(trail, 0),
	    "after"), "materials")), 3);
	json_decref(trail);

	/* Retired: gone from the guide, kept in the record and the admin list. */
	snprintf(q, sizeof q, API "/admin/items/%s/retire", id);
	expect_reply("POST", q, region, NULL, 200);
	assert_false(hall_lists("demo", id, NULL));
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = ? AND retired_at IS NOT"
	    " NULL", id), 1);
	snprintf(q, sizeof q, API "/admin/items/%s/restore", id);
	expect_reply("POST", q, region, NULL, 200);
	assert_true(hall_lists("demo", id, NULL));
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_catalog WHERE kind = 'item' AND"
	    " record = ? AND action IN ('retire', 'restore')", id), 2);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action ="
	    " 'catalog.item.change' AND target = ?", id), 1);
}

TEST(case_keeps_the_version_it_was_accepted_under)
{
	char id[64], no[64], path[256], body[2048];
	const char *url;
	struct resp r;
	json_t *mats, *notice;

	rid(id, sizeof id, "IT", "b");
	put_item(&r, region, id, item_body(id, "测试事项·乙", 5, MATS_V1));
	expect_status(&r, 201);
	resp_free(&r);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":[\"M1\",\"M2\"],"
	    "\"applicant\":{\"name\":\"王版本\",\"id_number\":\"11010519491231002X\","
	    "\"phone\":\"13900001111\"}}", id);
	assert_int_equal(http_json(&r, "POST", API "/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	url = jstr(r.json, "case.notice_url");
	assert_non_null(url);
	snprintf(path, sizeof path, API "/case-notices?n=%s", strchr(url, '=') + 1);
	resp_free(&r);
	assert_int_equal(count1("SELECT item_version FROM cases WHERE no = ?", no), 1);
	assert_int_equal(count1("SELECT p.item_version FROM case_parts p JOIN cases c ON"
	    " c.id = p.case_id WHERE c.no = ?", no), 1);

	/* Version 2: another name, longer time limit, M1 dropped, a new material. */
	put_item(&r, region, id, item_body(id, "测试事项·乙（新）", 8,
	    "[{\"code\":\"M2\",\"name\":\"营业执照复印件\",\"required\":true,\"waivable\":true,"
	    "\"form\":\"copy\",\"promise_allowed\":true},"
	    "{\"name\":\"新增证明\",\"required\":true}]"));
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "item.version"), 2);
	resp_free(&r);

	/* The receipt (受理通知书) reads as it was written. */
	notice = get_member(NULL, "notice", "%s", path);
	assert_string_equal(json_string_value(jget(notice, "item.name")), "测试事项·乙");
	assert_int_equal(json_integer_value(jget(notice, "item.promised_days")), 5);
	json_decref(notice);
	/* The case's materials are those it was accepted with. */
	mats = get_member(clerk, "case.materials", API "/cases/%s", no);
	assert_int_equal(json_array_size(mats), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(mats, 0), "name")),
	    "申请书");
	json_decref(mats);
	/* Version 1 itself is kept whole. */
	notice = get_member(region, "item", API "/admin/items/%s/versions/1", id);
	assert_string_equal(json_string_value(json_object_get(notice, "name")), "测试事项·乙");
	assert_int_equal(json_array_size(json_object_get(notice, "materials")), 2);
	json_decref(notice);
	/* A new case is made under version 2: M1 is no longer a material of the item. */
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":[\"M1\",\"M2\",\"M3\"],"
	    "\"applicant\":{\"name\":\"王版本\",\"id_number\":\"11010519491231002X\","
	    "\"phone\":\"13900001111\"}}", id);
	expect_refusal("POST", API "/cases", clerk, body, 400, "INVALID_INPUT");
}

TEST(hall_chooses_the_items_it_accepts)
{
	char id[64], path[160], cat[4] = "";
	struct resp r;

	rid(id, sizeof id, "IT", "c");
	put_item(&r, region, id, item_body(id, "测试事项·丙", 3, MATS_V1));
	expect_status(&r, 201);
	resp_free(&r);
	assert_false(hall_lists("zz-admcat", id, NULL));

	/* The demo hall's admin chooses for the demo hall only. */
	snprintf(path, sizeof path, API "/admin/halls/zz-admcat/items/%s", id);
	expect_refusal("PUT", path, admin, "{\"accepts\":true,\"category\":\"A\"}", 403,
	    "FORBIDDEN");
	/* A category the hall does not have. */
	assert_int_equal(http_json(&r, "PUT", path, region, "{\"accepts\":true,\"category\":\"Q\"}"),
	    0);
	assert_invalid(&r, "category");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_items WHERE item = ?", id), 0);
	/* Accepted there, decided by the item's own hall (全市通办). */
	assert_int_equal(http_json(&r, "PUT", path, region,
	    "{\"accepts\":true,\"decides\":false,\"category\":\"A\"}"), 0);
	expect_status(&r, 200);
	assert_false(json_is_true(jget(r.json, "choice.decides")));
	resp_free(&r);
	assert_true(hall_lists("zz-admcat", id, cat));
	assert_string_equal(cat, "A");
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_items WHERE hall = 'zz-admcat' AND"
	    " item = ? AND accepts = 1 AND decides = 0 AND category = 'A'", id), 1);

	/* The demo hall's admin stops accepting it in the demo hall: gone from its guide. */
	snprintf(path, sizeof path, API "/admin/halls/demo/items/%s", id);
	assert_true(hall_lists("demo", id, NULL));
	expect_reply("PUT", path, admin, "{\"accepts\":false}", 200);
	assert_false(hall_lists("demo", id, NULL));
	assert_true(hall_lists("zz-admcat", id, NULL));
	expect_reply("PUT", path, admin, "{\"accepts\":true,\"category\":\"A\"}", 200);
	assert_true(hall_lists("demo", id, cat));
	assert_string_equal(cat, "A");
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_catalog WHERE kind = 'hall_item' AND"
	    " record LIKE CONCAT('%/', ?)", id), 3);
	{
		json_t *trail = get_member(admin, "audit", API "/admin/halls/demo/items/%s", id);

		assert_int_equal(json_array_size(trail), 2);
		assert_false(json_is_true(jget(json_array_get(trail, 1), "after.accepts")));
		assert_true(json_is_true(jget(json_array_get(trail, 1), "before.accepts")));
		json_decref(trail);
	}
}

TEST(only_the_region_admin_changes_the_catalog)
{
	char id[64], path[160];
	const char *who[] = { clerk, approver, manager, admin };
	size_t i;

	rid(id, sizeof id, "IT", "d");
	snprintf(path, sizeof path, API "/admin/items/%s", id);
	for (i = 0; i < 4; i++)
		expect_refusal("PUT", path, who[i], item_body(id, "越权事项", 3, MATS_V1), 403,
		    "FORBIDDEN");
	for (i = 0; i < 3; i++)
		expect_refusal("GET", API "/admin/items", who[i], NULL, 403, "FORBIDDEN");
	expect_refusal("PUT", API "/admin/halls/demo/items/IT-A-001", clerk, "{\"accepts\":false}",
	    403, "FORBIDDEN");
	expect_refusal("POST", API "/admin/items/IT-A-001/retire", admin, NULL, 403, "FORBIDDEN");
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = ?", id), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = 'IT-A-001' AND"
	    " retired_at IS NULL", NULL), 1);
}

TEST(bad_item_is_refused_naming_every_field)
{
	char id[64];
	struct resp r;
	static const char *const fields[] = { "name", "kind", "promised_days", "category",
		"materials[0].waivable", "materials[1].name", "materials[2].form", "keywords[0]" };
	size_t i;

	rid(id, sizeof id, "IT", "e");
	put_item(&r, region, id, "{\"hall\":\"demo\",\"name\":\"\",\"category\":\"b\","
	    "\"department\":\"scjg\",\"kind\":\"sometimes\",\"promised_days\":-1,"
	    "\"keywords\":[\"\"],\"materials\":[{\"name\":\"甲\",\"required\":false,"
	    "\"waivable\":true},{\"required\":true},{\"name\":\"丙\",\"required\":true,"
	    "\"form\":\"fax\"}]}");
	assert_error(&r, 400, "INVALID_INPUT");
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (jget(r.json, "error.fields") == NULL ||
		    json_object_get(jget(r.json, "error.fields"), fields[i]) == NULL)
			fail_msg("%s not named: %s", fields[i], r.body);
	resp_free(&r);
	/* References are checked too, every one at once. */
	put_item(&r, region, id, "{\"hall\":\"demo\",\"name\":\"无部门\",\"category\":\"Y\","
	    "\"department\":\"nobody\",\"kind\":\"instant\",\"promised_days\":0,\"materials\":[]}");
	assert_invalid(&r, "department category");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = ?", id), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_catalog WHERE record = ?", id), 0);
}

/* ---------------------------------------------------------------- bundles */

TEST(bundle_has_the_union_of_materials_and_holds_its_items)
{
	char a[64], b[64], bd[64], path[160], body[512];
	struct resp r;
	json_t *mats, *m;
	size_t i;
	int shared = 0;

	rid(a, sizeof a, "IT", "f1");
	rid(b, sizeof b, "IT", "f2");
	rid(bd, sizeof bd, "BD", "f");
	put_item(&r, region, a, item_body(a, "一件事甲", 3, MATS_V1));
	resp_free(&r);
	put_item(&r, region, b, item_body(b, "一件事乙", 3,
	    "[{\"name\":\"申请书\",\"required\":false},{\"name\":\"场地证明\",\"required\":true}]"));
	resp_free(&r);
	snprintf(path, sizeof path, API "/admin/bundles/%s", bd);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"name\":\"测试一件事\",\"items\":[\"%s\","
	    "\"IT-NOPE-%s\"]}", a, run);
	expect_invalid("PUT", path, region, body, "items[1]");
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"name\":\"测试一件事\",\"items\":[\"%s\","
	    "\"%s\"]}", a, b);
	assert_int_equal(http_json(&r, "PUT", path, region, body), 0);
	expect_status(&r, 201);
	mats = jget(r.json, "bundle.materials");
	assert_int_equal(json_array_size(mats), 3);	/* 申请书 once, for both items */
	json_array_foreach(mats, i, m)
		if (strcmp(json_string_value(json_object_get(m, "name")), "申请书") == 0) {
			shared = 1;
			assert_int_equal(json_array_size(json_object_get(m, "for")), 2);
			assert_true(json_is_true(json_object_get(m, "required")));
		}
	assert_true(shared);
	resp_free(&r);
	/* An item a bundle holds is not retired under it. */
	snprintf(path, sizeof path, API "/admin/items/%s/retire", b);
	expect_refusal("POST", path, region, NULL, 409, "INVALID_STATE");
	snprintf(path, sizeof path, API "/admin/bundles/%s/retire", bd);
	expect_reply("POST", path, region, NULL, 200);
	snprintf(path, sizeof path, API "/admin/items/%s/retire", b);
	expect_reply("POST", path, region, NULL, 200);
	assert_int_equal(count1("SELECT COUNT(*) FROM bundles WHERE id = ? AND retired_at IS NOT"
	    " NULL", bd), 1);
	/* Not back in service while one of its items is retired. */
	snprintf(path, sizeof path, API "/admin/bundles/%s/restore", bd);
	expect_refusal("POST", path, region, NULL, 409, "INVALID_STATE");
	{
		json_t *list = get_member(NULL, "bundles", API "/bundles?hall=demo"), *x;
		size_t k;

		assert_non_null(list);
		json_array_foreach(list, k, x)
			assert_string_not_equal(json_string_value(json_object_get(x, "id")), bd);
		json_decref(list);
	}
	assert_int_equal(count1("SELECT COUNT(*) FROM bundle_items WHERE bundle = ?", bd), 2);
}

/* ---------------------------------------------------------------- import and export */

TEST(import_is_all_or_nothing_with_every_problem_listed)
{
	char ok[64], bad1[64], bad2[64], file[8192], csv[2048];
	const struct problem json_wrong[] = {
		{ bad1, 0, "department" }, { bad2, 0, "name" }, { bad2, 0, "materials[0].name" },
	}, csv_wrong[] = {	/* the file's lines */
		{ ok, 3, "material_copies" }, { bad1, 4, "promised_days" },
		{ bad1, 4, "material_required" },
	};
	struct resp r;

	rid(ok, sizeof ok, "IT", "g1");
	rid(bad1, sizeof bad1, "IT", "g2");
	rid(bad2, sizeof bad2, "IT", "g3");
	snprintf(file, sizeof file, "{\"items\":[%s,", item_body(ok, "导入正常", 3, MATS_V1));
	snprintf(file + strlen(file), sizeof file - strlen(file),
	    "{\"id\":\"%s\",\"hall\":\"demo\",\"name\":\"导入坏部门\",\"category\":\"B\","
	    "\"department\":\"nobody\",\"kind\":\"instant\",\"promised_days\":0,\"materials\":[]},"
	    "{\"id\":\"%s\",\"hall\":\"demo\",\"category\":\"B\",\"department\":\"scjg\","
	    "\"kind\":\"instant\",\"promised_days\":0,\"materials\":[{\"required\":true}]}]}",
	    bad1, bad2);
	import_refused("", "application/json", file, json_wrong, NPROBLEMS(json_wrong));
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = ?", ok), 0);

	/* CSV: the problems name the file's lines. */
	snprintf(csv, sizeof csv,
	    "item_id,hall,name,category,department,kind,promised_days,material_name,"
	    "material_required,material_copies\r\n"
	    "%s,demo,导入正常,B,scjg,promised,3,申请书,1,1\r\n"
	    "%s,demo,导入正常,B,scjg,promised,3,\"身份证,复印件\",1,x\r\n"
	    "%s,demo,坏的,B,scjg,instant,2,申请书,yes,1\r\n", ok, ok, bad1);
	import_refused("?format=csv", "text/csv", csv, csv_wrong, NPROBLEMS(csv_wrong));
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id IN (?)", ok), 0);

	/* The good file: a dry run says what it would do and writes nothing. */
	snprintf(csv, sizeof csv,
	    "item_id,hall,name,category,department,kind,promised_days,keywords,material_code,"
	    "material_name,material_required,material_copies\r\n"
	    "%s,demo,导入正常,B,scjg,promised,3,导入|测试,M1,申请书,1,1\r\n"
	    "%s,demo,导入正常,B,scjg,promised,3,,M2,\"身份证,复印件\",1,2\r\n", ok, ok);
	post_file(&r, "?format=csv&dry_run=1", "text/csv", csv);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "dry_run")));
	assert_int_equal(jint(r.json, "counts.created"), 1);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = ?", ok), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_catalog WHERE record = ?", ok), 0);
	post_file(&r, "?format=csv", "text/csv", csv);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "counts.created"), 1);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM item_materials WHERE item = ? AND"
	    " code = 'M2' AND name = '身份证,复印件' AND copies = 2", ok), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM item_keywords WHERE item = ?", ok), 2);
}

TEST(export_imports_back_unchanged)
{
	struct resp r, e;
	long long n;

	assert_int_equal(http_json(&e, "GET", API "/admin/catalog/export", region, NULL), 0);
	expect_status(&e, 200);
	n = (long long)json_array_size(jget(e.json, "items"));
	assert_true(n >= 23);
	assert_int_equal(n, count1("SELECT COUNT(*) FROM items", NULL));
	post_file(&r, "", "application/json", e.body);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "counts.unchanged"), n);
	assert_null(jget(r.json, "counts.changed"));
	assert_null(jget(r.json, "counts.created"));
	resp_free(&r);
	resp_free(&e);
	/* The same through CSV. */
	assert_int_equal(http_json(&e, "GET", API "/admin/catalog/export?format=csv", region,
	    NULL), 0);
	expect_status(&e, 200);
	assert_non_null(strstr(e.headers, "text/csv"));
	post_file(&r, "?format=csv&dry_run=1", "text/csv", e.body);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "counts.unchanged"), n);
	assert_null(jget(r.json, "counts.changed"));
	resp_free(&r);
	resp_free(&e);
}

TEST(demo_seed_catalog_imports)
{
	char out[4096];
	int rc;

	/* The file seed-demo loaded: through the admin tool, as a region would load it. */
	rc = proc_admin("catalog-import --dry-run sql/data/catalog-demo.json", NULL, out,
	    sizeof out);
	if (rc != 0)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "0 created, 0 changed"));
	/* Every demo item was created by that import: its first version is on the trail. */
	assert_int_equal(count1("SELECT COUNT(*) FROM item_versions WHERE version = 1 AND"
	    " actor = 'import:catalog-demo.json'", NULL), 23);
	/* A broken copy of it lists its problems and exits 1. */
	rc = proc_admin("catalog-import /dev/null", NULL, out, sizeof out);
	assert_int_equal(rc, 1);
}

SUITE_MAIN("admin_catalog", setup, teardown)
