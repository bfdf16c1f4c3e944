/*
 * it_window.c — issue 19 item 3 against the live test stack: 代办 at the window (the agent
 * validated, recorded sealed, told by SMS, following the case from their own phone, shown
 * masked on the receipt), the 帮办代办 helper (files cases, follows them on a work list, opens
 * only those, is refused everything else), and a 一件事一次办 bundle filed at the window
 * (its parts, one receipt, one SMS).
 *
 * The hall clock is set to Monday 2026-11-23 10:00 (a working day, outside quiet hours).
 * Checklists are read from GET /items/{id} and GET /bundles, not hard-coded; the record is
 * checked in MariaDB itself.
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
#include "../lib/http.h"
#include "../lib/flows.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/steps.h"
#include "../../fcgi/db.h"

#define AGENT_PHONE "13911120031"
#define APPLICANT_PHONE "13800138031"

static char clerk[128], helper[128], approver[128], manager[128];
static char applicant_id[19], agent_id[19];

static long long
count_cases(void)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM cases", NULL);
}

/* {"item":…,"materials":[…required…, extra_mat?],"applicant":{…},"agent":…?} */
static void
item_body(char *out, size_t osz, const char *item, const char *extra_mat, const char *agent)
{
	json_t *mats = material_codes(item, 1, 0), *b;
	char *s;

	if (extra_mat)
		json_array_append_new(mats, json_string(extra_mat));
	b = json_pack("{s:s,s:o,s:{s:s,s:s,s:s}}", "item", item, "materials", mats,
	    "applicant", "name", "李秀英", "id_number", applicant_id, "phone", APPLICANT_PHONE);
	if (agent)
		json_object_set_new(b, "agent", json_loads(agent, JSON_DECODE_ANY, NULL));
	s = json_dumps(b, JSON_COMPACT);
	snprintf(out, osz, "%s", s);
	free(s);
	json_decref(b);
}

static char *
agent_json(const char *name, const char *id, const char *phone, const char *relation)
{
	static char buf[256];

	snprintf(buf, sizeof buf, "{\"name\":\"%s\",\"id_number\":\"%s\",\"phone\":\"%s\","
	    "\"relation\":\"%s\"}", name, id, phone, relation);
	return buf;
}

/* ---------------------------------------------------------------- 代办 */

TEST(agent_fields_are_checked_and_nothing_is_written)
{
	struct resp r;
	char body[2048], bad_id[19];
	long long before = count_cases();
	json_t *f;

	snprintf(bad_id, sizeof bad_id, "%s", agent_id);
	bad_id[17] = bad_id[17] == '0' ? '1' : '0';	/* a wrong check digit */
	item_body(body, sizeof body, "IT-B-003", "AUTH",
	    agent_json("", bad_id, "1391112003", "cousin"));
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	f = jget(r.json, "error.fields");
	assert_non_null(json_object_get(f, "agent.name"));
	assert_non_null(json_object_get(f, "agent.id_number"));
	assert_non_null(json_object_get(f, "agent.phone"));
	assert_non_null(json_object_get(f, "agent.relation"));
	resp_free(&r);

	/* The agent is somebody else than the applicant. */
	item_body(body, sizeof body, "IT-B-003", "AUTH",
	    agent_json("赵代办", applicant_id, APPLICANT_PHONE, "child"));
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	f = jget(r.json, "error.fields");
	assert_non_null(json_object_get(f, "agent.id_number"));
	assert_non_null(json_object_get(f, "agent.phone"));
	resp_free(&r);

	/* Not an object. */
	item_body(body, sizeof body, "IT-B-003", NULL, "\"赵代办\"");
	expect_fields("POST", "/api/v1/cases", clerk, body, "agent");
	assert_int_equal(count_cases(), before);
}

TEST(agent_needs_the_authorisation_is_recorded_told_and_follows)
{
	struct resp r, n;
	char body[2048], no[64], path[256], citizen[256], atrack[400] = "";
	json_t *params = NULL, *missing;
	long long before = count_cases();
	size_t i;
	int seen = 0;

	/* Without the 授权委托书 ticked: 一次性告知 names it, no case. */
	item_body(body, sizeof body, "IT-B-003", NULL,
	    agent_json("赵代办", agent_id, AGENT_PHONE, "child"));
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	assert_error(&r, 422, "MATERIALS_INCOMPLETE");
	missing = jget(r.json, "error.missing");
	for (i = 0; i < json_array_size(missing); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(missing, i), "code")),
		    "AUTH") == 0) {
			assert_string_equal(json_string_value(json_object_get(json_array_get(missing,
			    i), "name")), "授权委托书");
			seen = 1;
		}
	assert_true(seen);
	assert_int_equal(json_array_size(missing), 1);
	resp_free(&r);
	assert_int_equal(count_cases(), before);

	/* With it: accepted, the agent masked in the reply and sealed in the record. */
	item_body(body, sizeof body, "IT-B-003", "AUTH",
	    agent_json("赵代办", agent_id, AGENT_PHONE, "child"));
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	assert_string_equal(jstr(r.json, "case.agent.name"), "赵**");
	assert_string_equal(jstr(r.json, "case.agent.phone"), "139****0031");
	assert_non_null(jstr(r.json, "case.agent.id_number"));
	assert_non_null(strstr(jstr(r.json, "case.agent.id_number"), "********"));
	assert_string_equal(jstr(r.json, "case.agent.relation"), "child");
	assert_string_equal(jstr(r.json, "case.agent.relation_label"), "子女");
	assert_null(strstr(r.body, AGENT_PHONE));
	assert_null(strstr(r.body, agent_id));
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE no = ? AND"
	    " agent_relation = 'child' AND agent_id_hash IS NOT NULL AND agent_phone_hash IS NOT NULL"
	    " AND INSTR(agent_id_enc, '110105') = 0", no), 1);
	assert_int_equal(case_rows("case_materials m", no, "m.code = 'AUTH' "
	    "AND m.state = 'received'"), 1);
	/* Two tracking tokens (applicant, agent) and the SMS to both. */
	assert_int_equal(case_rows("case_tracking t", no, "t.holder = 'agent'"), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'case_accepted' AND ref_id = ? AND recipient_mask = '139****0031'", no), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'case_accepted' AND ref_id = ?", no), 2);
	assert_int_equal(sms_log_find(AGENT_PHONE, "case_accepted", &params, 20000), 0);
	assert_string_equal(json_string_value(json_object_get(params, "case_no")), no);
	snprintf(atrack, sizeof atrack, "%s", json_string_value(json_object_get(params, "url")));
	json_decref(params);
	/* The agent's own link, not the applicant's. */
	assert_non_null(strstr(atrack, "/t/"));
	assert_null(strstr(atrack, jstr(r.json, "case.track_token")));

	/* The receipt shows the agent, masked. */
	snprintf(path, sizeof path, "/api/v1/case-notices?n=%s",
	    strstr(jstr(r.json, "case.notice_url"), "n=") + 2);
	assert_int_equal(http(&n, "GET", path, NULL, NULL), 0);
	expect_strs(&n, 200, "notice.case.agent.name", "赵**",
	    "notice.case.agent.relation_label", "子女", NULL);
	assert_null(strstr(n.body, AGENT_PHONE));
	resp_free(&n);
	resp_free(&r);

	/* The agent's link opens the case. */
	snprintf(path, sizeof path, "/api/v1/track/%s", strstr(atrack, "/t/") + 3);
	assert_int_equal(http(&n, "GET", path, NULL, NULL), 0);
	expect_status(&n, 200);
	assert_string_equal(jstr(n.json, "case.no"), no);
	resp_free(&n);

	/* Signed in with their phone, the agent follows it as an online agent does. */
	citizen_in(AGENT_PHONE, citizen, sizeof citizen);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me/cases", citizen, NULL), 0);
	expect_status(&r, 200);
	seen = 0;
	for (i = 0; i < json_array_size(jget(r.json, "cases")); i++) {
		json_t *c = json_array_get(jget(r.json, "cases"), i);

		if (strcmp(json_string_value(json_object_get(c, "no")), no) == 0) {
			assert_string_equal(json_string_value(json_object_get(c, "role")),
			    "agent");
			seen = 1;
		}
	}
	assert_true(seen);
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/me/cases/%s", no);
	expect_reply("GET", path, citizen, NULL, 200);

	/* The back office's SMS reach the agent too. */
	case_act_expect(approver, no, "{\"action\":\"assign\"}", 200);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'case_processing' AND ref_id = ? AND recipient_mask = '139****0031'", no), 1);
}

/* ---------------------------------------------------------------- 帮办代办 */

TEST(helper_files_follows_and_is_refused_the_rest)
{
	struct resp r, cr;
	char body[2048], no[64], other[64], path[256];
	json_t *list, *hit;
	size_t i;
	int seen_filed = 0, seen_assigned = 0;

	/* The helper files a case at the window for a citizen: recorded as filed by them. */
	item_body(body, sizeof body, "IT-B-004", NULL, NULL);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", helper, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	assert_string_equal(jstr(r.json, "case.accepted_by"), "孙志愿");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM case_helpers h JOIN cases c"
	    " ON c.id = h.case_id JOIN staff s ON s.id = h.staff_id WHERE c.no = ? AND"
	    " s.username = 'helper1' AND h.how = 'filed' AND c.accepted_by = s.id", no), 1);

	/* A clerk's case the helper does not follow: hidden from them. */
	item_body(body, sizeof body, "IT-B-004", NULL, NULL);
	case_post_ok(clerk, body, other, sizeof other, NULL, 0);
	expect_at("GET", helper, NULL, 200, NULL, "/api/v1/cases/%s", no);
	expect_at("GET", helper, NULL, 404, "NOT_FOUND", "/api/v1/cases/%s", other);

	/* What a helper may not do. */
	expect_refusal("GET", "/api/v1/cases", helper, NULL, 403, "FORBIDDEN");
	expect_at("POST", helper, "{\"action\":\"assign\"}", 403, "FORBIDDEN",
	    "/api/v1/cases/%s/actions", no);
	expect_at("POST", helper, "{\"helper\":\"helper1\"}", 403, "FORBIDDEN",
	    "/api/v1/cases/%s/helpers", no);
	expect_refusal("GET", "/api/v1/helper/cases", clerk, NULL, 403, "FORBIDDEN");
	expect_refusal("GET", "/api/v1/helper/cases", NULL, NULL, 401, "UNAUTHENTICATED");

	/* A clerk asks the helper to follow the other case; again: the same row. */
	snprintf(path, sizeof path, "/api/v1/cases/%s/helpers", other);
	assert_int_equal(http_json(&r, "POST", path, clerk, "{\"helper\":\"helper1\"}"), 0);
	expect_strs(&r, 201, "helper.how", "assigned", "helper.name", "孙志愿", NULL);
	resp_free(&r);
	assert_int_equal(http_json(&r, "POST", path, manager, "{\"helper\":\"helper1\"}"), 0);
	expect_status(&r, 200);
	resp_free(&r);
	/* Only a helper of the hall. */
	expect_fields("POST", path, clerk, "{\"helper\":\"clerk2\"}", "helper");
	assert_int_equal(case_rows("case_helpers h", other, NULL), 1);
	expect_at("GET", helper, NULL, 200, NULL, "/api/v1/cases/%s", other);

	/* The work list: both, with status, next step and the deadline's light. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/helper/cases", helper, NULL), 0);
	expect_status(&r, 200);
	list = jget(r.json, "cases");
	for (i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);
		const char *cno = json_string_value(json_object_get(c, "no"));

		if (strcmp(cno, no) == 0 || strcmp(cno, other) == 0) {
			assert_string_equal(json_string_value(json_object_get(c, "status")),
			    "accepted");
			assert_string_equal(json_string_value(json_object_get(c, "status_label")),
			    "已受理");
			assert_string_equal(json_string_value(json_object_get(c, "next_step")),
			    "已受理，等待部门审查");
			/* The light the case page shows (IT-B-004 may be due tomorrow: yellow). */
			snprintf(path, sizeof path, "/api/v1/cases/%s", cno);
			assert_int_equal(http_json(&cr, "GET", path, helper, NULL), 0);
			expect_status(&cr, 200);
			assert_string_equal(json_string_value(json_object_get(c, "warning")),
			    jstr(cr.json, "case.warning"));
			assert_string_equal(json_string_value(json_object_get(c, "deadline")),
			    jstr(cr.json, "case.deadline"));
			resp_free(&cr);
			assert_non_null(json_string_value(json_object_get(c, "deadline")));
			assert_string_equal(json_string_value(json_object_get(c, "applicant")), "李**");
		}
		if (strcmp(cno, no) == 0)
			seen_filed = strcmp(json_string_value(json_object_get(c, "how")), "filed") == 0;
		if (strcmp(cno, other) == 0)
			seen_assigned = strcmp(json_string_value(json_object_get(c, "how")),
			    "assigned") == 0;
	}
	assert_true(seen_filed);
	assert_true(seen_assigned);
	assert_null(strstr(r.body, APPLICANT_PHONE));
	resp_free(&r);

	/* The list follows the case: approved → 等待出件. */
	case_act_expect(approver, no, "{\"action\":\"assign\"}", 200);
	case_act_expect(approver, no, "{\"action\":\"approve\"}", 200);
	assert_int_equal(http_json(&r, "GET", "/api/v1/helper/cases", helper, NULL), 0);
	assert_non_null(hit = jfind(jget(r.json, "cases"), "no", no));
	assert_string_equal(jstr(hit, "status"), "approved");
	assert_string_equal(jstr(hit, "next_step"), "已准予许可，等待出件");
	resp_free(&r);
}

/* ---------------------------------------------------------------- 一件事 at the window */

/* {"bundle":id,"materials":[required codes (+AUTH)],"applicant":…,"agent"?,extra} */
static void
bundle_body(char *out, size_t osz, const char *id, int with_all, const char *agent,
    const char *extra)
{
	json_t *bd = bundle(id), *mats = json_array(), *m, *b;
	size_t i;
	char *s;

	json_array_foreach(jget(bd, "materials"), i, m)
		if (json_is_true(json_object_get(m, "required")) && (with_all || i > 0))
			json_array_append(mats, json_object_get(m, "code"));
	if (agent)
		json_array_append_new(mats, json_string("AUTH"));
	b = json_pack("{s:s,s:o,s:{s:s,s:s,s:s}}", "bundle", id, "materials", mats,
	    "applicant", "name", "李秀英", "id_number", applicant_id, "phone", APPLICANT_PHONE);
	if (agent)
		json_object_set_new(b, "agent", json_loads(agent, 0, NULL));
	if (extra)
		json_object_update(b, json_loads(extra, JSON_DECODE_ANY, NULL));
	s = json_dumps(b, JSON_COMPACT);
	snprintf(out, osz, "%s", s);
	free(s);
	json_decref(b);
	json_decref(bd);
}

TEST(bundle_at_the_window_files_its_parts_with_one_receipt)
{
	struct resp r, n;
	char body[4096], no[64], path[256];
	long long before = count_cases(), given;
	json_t *bd = bundle("BD-001"), *parts;
	size_t i;

	/* A required material not ticked: 一次性告知 of all of them, nothing written. */
	bundle_body(body, sizeof body, "BD-001", 0, NULL, NULL);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	assert_error(&r, 422, "MATERIALS_INCOMPLETE");
	assert_string_equal(jstr(r.json, "error.missing.0.code"), "B1");
	resp_free(&r);
	/* 容缺 and 即办 are for single items. */
	bundle_body(body, sizeof body, "BD-001", 1, NULL,
	    "{\"waived\":[\"B1\"],\"approve\":true}");
	expect_fields("POST", "/api/v1/cases", clerk, body, "waived approve");
	/* An unknown bundle or material. */
	expect_fields("POST", "/api/v1/cases", clerk,
	    "{\"bundle\":\"BD-999\",\"materials\":[],\"applicant\":{\"name\":\"李秀英\","
	    "\"id_number\":\"11010519491231002X\",\"phone\":\"13800138000\"}}", "bundle");
	assert_int_equal(count_cases(), before);

	/* Complete, with an agent: one case, a part per item, one receipt, one SMS each. */
	bundle_body(body, sizeof body, "BD-001", 1,
	    agent_json("赵代办", agent_id, AGENT_PHONE, "employee"), NULL);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", clerk, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	assert_string_equal(jstr(r.json, "case.bundle"), "BD-001");
	assert_string_equal(jstr(r.json, "case.status"), "accepted");
	assert_true(json_is_null(jget(r.json, "case.item")));
	parts = jget(r.json, "case.parts");
	assert_int_equal(json_array_size(parts), json_array_size(jget(bd, "items")));
	for (i = 0; i < json_array_size(parts); i++) {
		assert_string_equal(json_string_value(json_object_get(json_array_get(parts, i),
		    "item")), json_string_value(json_object_get(json_array_get(jget(bd, "items"),
		    i), "id")));
		assert_non_null(json_string_value(json_object_get(json_array_get(parts, i),
		    "deadline")));
	}
	/* The case's deadline is its longest part's. */
	{
		const char *latest = "";

		for (i = 0; i < json_array_size(parts); i++) {
			const char *d = json_string_value(json_object_get(json_array_get(parts, i),
			    "deadline"));

			if (strcmp(d, latest) > 0)
				latest = d;
		}
		assert_string_equal(jstr(r.json, "case.deadline"), latest);
	}
	assert_string_equal(jstr(r.json, "case.agent.relation"), "employee");
	assert_int_equal(case_rows("case_parts p", no, "p.deadline IS NOT NULL"),
	    (long long)json_array_size(parts));
	/* Every item material a ticked paper stands for is received in its part. */
	given = 0;
	for (i = 0; i < json_array_size(jget(bd, "materials")); i++) {
		json_t *m = json_array_get(jget(bd, "materials"), i);

		if (json_is_true(json_object_get(m, "required")))
			given += (long long)json_array_size(json_object_get(m, "parts"));
	}
	assert_int_equal(case_rows("case_materials m", no, "m.state = 'received' "
	    "AND m.code <> 'AUTH'"), given);
	assert_int_equal(case_rows("case_notices n", no, NULL), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'case_accepted' AND ref_id = ?", no), 2);
	/* The one receipt lists every part. */
	snprintf(path, sizeof path, "/api/v1/case-notices?n=%s",
	    strstr(jstr(r.json, "case.notice_url"), "n=") + 2);
	assert_int_equal(http(&n, "GET", path, NULL, NULL), 0);
	expect_status(&n, 200);
	assert_string_equal(jstr(n.json, "notice.case.title"), "开办企业");
	assert_int_equal(json_array_size(jget(n.json, "notice.case.parts")),
	    json_array_size(parts));
	assert_string_equal(jstr(n.json, "notice.case.agent.name"), "赵**");
	resp_free(&n);
	resp_free(&r);
	json_decref(bd);

	/* The same Idempotency-Key files it once. */
	{
		const char *h[4];
		char auth[256], key[80];
		long long c0;

		bundle_body(body, sizeof body, "BD-003", 1, NULL, NULL);
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", clerk);
		snprintf(key, sizeof key, "Idempotency-Key: it-window-%ld-%d", (long)time(NULL),
		    getpid());
		h[0] = auth;
		h[1] = "Content-Type: application/json";
		h[2] = key;
		h[3] = NULL;
		c0 = count_cases();
		assert_int_equal(http(&r, "POST", "/api/v1/cases", body, h), 0);
		expect_status(&r, 201);
		snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
		resp_free(&r);
		assert_int_equal(http(&r, "POST", "/api/v1/cases", body, h), 0);
		expect_status(&r, 201);
		assert_string_equal(jstr(r.json, "case.no"), no);
		resp_free(&r);
		assert_int_equal(count_cases(), c0 + 1);
	}
}

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("clerk1", 1, clerk), NEW_STAFF("helper1", "孙志愿", "helper", NULL, 0, helper),
		STAFF("approver1", 0, approver), STAFF("manager1", 0, manager),
	};

	make_id(applicant_id, "19450312", 31);
	make_id(agent_id, "19780615", 32);
	return suite_sign_in(st, "2026-11-23T10:00:00+08:00", who);
}

SUITE_MAIN("window", setup, suite_teardown)
