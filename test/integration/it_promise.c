/*
 * it_promise.c — 证明事项告知承诺制 and must-attend items (issue 19, items 2 and 10) against
 * the live test stack:
 *
 *   - the catalogue shows which materials a promise may replace and which items need the
 *     applicant in person;
 *   - the window takes a signed promise in place of such a material (201, the material kept
 *     as promised, the receipt and the timeline say so) and refuses one for any other
 *     material or unsigned (400 naming the field, nothing written);
 *   - the 事后核查 task is opened for the deciding department, due promise_check_days (20)
 *     working days later by the hall calendar — across 中秋 and 国庆 2026;
 *   - the department's approver closes it verified or false; a clerk, a manager and another
 *     department's approver get 403; a false promise is on the case, on the tracking page and
 *     in the manager's count; two approvers closing at once: one wins, one history row;
 *   - an overdue task raises the hall alert and texts the department's approvers, once;
 *     closing it clears the alert;
 *   - online: a promise in the form (the task opened at the pre-review's acceptance, not at
 *     submission); a must-attend item is refused with MUST_ATTEND and the booking to make,
 *     and the same item is accepted at the window.
 *
 * The test moves the hall clock (put back at the end) and looks into MariaDB (test_db).
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
#include "../lib/steps.h"
#include "../lib/flows.h"
#include "../lib/race.h"
#include "../lib/http.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/cases/case_promise.h"

#define API "/api/v1"

static char clerk[128], approver1[128], approver2[128], approver_mzj[128], manager[128];
static int seq0;

/* ---------------------------------------------------------------- helpers */

/* A fresh, valid ID number for this run. */
static void
new_id(char id[19])
{
	make_id(id, "19860412", seq0++);
}

/* The clerk accepts item with every required material except those in promised_codes
 * (a JSON object of promises, may be NULL) and extra members; the reply into r. */
static void
window_accept(struct resp *r, const char *item, json_t *promises, const char *skip)
{
	json_t *mats = material_codes(item, 1, 0), *keep = json_array(), *v, *b;
	char id[19], *body;
	size_t i;

	json_array_foreach(mats, i, v)
		if (skip == NULL || strcmp(json_string_value(v), skip) != 0)
			json_array_append(keep, v);
	json_decref(mats);
	new_id(id);
	b = json_pack("{s:s,s:{s:s,s:s,s:s},s:o}", "item", item, "applicant", "name", "陈承诺",
	    "id_number", id, "phone", "13922220001", "materials", keep);
	if (promises)
		json_object_set_new(b, "promises", promises);
	body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	assert_int_equal(http_json(r, "POST", API "/cases", clerk, body), 0);
	free(body);
}

/* IT-B-001 accepted at the window with M3 promised (the promise signed): its number into no,
 * its tracking token into track (tsz bytes; NULL: not wanted). */
static void
accept_m3_promised(char no[64], char *track, size_t tsz)
{
	struct resp r;

	window_accept(&r, "IT-B-001", json_pack("{s:{s:b}}", "M3", "signed", 1), "M3");
	expect_status(&r, 201);
	snprintf(no, 64, "%s", jstr(r.json, "case.no"));
	if (track)
		snprintf(track, tsz, "%s", jstr(r.json, "case.track_token"));
	resp_free(&r);
}

/* The message of a field of a 400 (field names hold dots: "promises.M1"), or NULL. */
static json_t *
field_of(struct resp *r, const char *name)
{
	return json_object_get(jget(r->json, "error.fields"), name);
}

/* The one open task of case no (its id), checked against the record. */
static long long
task_of(const char *no)
{
	return db_count(&test_db, "SELECT pc.id FROM promise_checks pc JOIN cases c ON"
	    " c.id = pc.case_id WHERE c.no = ? ORDER BY pc.id LIMIT 1", no);
}

static void
close_task(struct resp *r, const char *token, long long id, const char *body)
{
	char path[96];

	snprintf(path, sizeof path, API "/promise-checks/%lld/close", id);
	assert_int_equal(http_json(r, "POST", path, token, body), 0);
}

/* close_task that must be refused with status and the error code; the reply is freed. */
static void
close_refused(const char *token, long long id, const char *body, long status, const char *code)
{
	struct resp r;

	close_task(&r, token, id, body);
	assert_error(&r, status, code);
	resp_free(&r);
}

/* The case as staff see it. */
static json_t *
staff_case(const char *token, const char *no)
{
	return get_member(token, "case", API "/cases/%s", no);
}

/* Whether a list of GET /promise-checks holds task id. */
static int
listed(const char *token, const char *query, long long id)
{
	json_t *list = get_member(token, "checks", API "/promise-checks%s", query), *v;
	size_t i;
	int found = 0;

	json_array_foreach(list, i, v)
		if (json_integer_value(json_object_get(v, "id")) == id)
			found = 1;
	json_decref(list);
	return found;
}

/* ---------------------------------------------------------------- setup */

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF("clerk1", 1, clerk), STAFF("approver1", 0, approver1),
		NEW_STAFF("approver2", "孙立新", "approver", "scjg", 0, approver2),
		NEW_STAFF("approver_mzj", "刘民政", "approver", "mzj", 0, approver_mzj),
		STAFF("manager1", 0, manager),
	};

	seq0 = (int)(time(NULL) % 500) + 100;
	return suite_sign_in(st, "2026-09-22T10:00:00+08:00", who);
}

/* ---------------------------------------------------------------- the catalogue */

TEST(catalogue_shows_promise_and_must_attend)
{
	json_t *item, *m;
	size_t i;
	int m3 = 0;

	item = get_member(NULL, "item", API "/items/%s", "IT-E-001");
	assert_true(json_is_true(json_object_get(item, "must_attend")));
	json_decref(item);
	item = get_member(NULL, "item", API "/items/%s", "IT-B-001");
	assert_true(json_is_false(json_object_get(item, "must_attend")));
	json_array_foreach(json_object_get(item, "materials"), i, m) {
		const char *code = json_string_value(json_object_get(m, "code"));

		assert_true(json_is_boolean(json_object_get(m, "promise_allowed")));
		if (strcmp(code, "M3") == 0)
			m3 = json_is_true(json_object_get(m, "promise_allowed"));
		else	/* only 经营场所使用证明 in the demo seed */
			assert_true(json_is_false(json_object_get(m, "promise_allowed")));
	}
	assert_true(m3);
	json_decref(item);
}

/* ---------------------------------------------------------------- the window */

TEST(window_refuses_a_promise_not_allowed_or_unsigned)
{
	struct resp r;
	long long cases0 = db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE ? <> ''", "x");

	/* M1 (公司登记申请书) allows no promise; M5 unsigned. */
	window_accept(&r, "IT-B-002", json_pack("{s:{s:b},s:{s:b}}", "M1", "signed", 1, "M5",
	    "signed", 0), "M5");
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "promises.M1"));
	assert_non_null(strstr(json_string_value(field_of(&r, "promises.M1")), "不适用告知承诺"));
	assert_non_null(field_of(&r, "promises.M5.signed"));
	resp_free(&r);
	/* A promise for a material handed in as well. */
	window_accept(&r, "IT-B-002", json_pack("{s:{s:b}}", "M5", "signed", 1), NULL);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "promises.M5"));
	resp_free(&r);
	/* Without the promise the material is simply missing: 422, no case. */
	window_accept(&r, "IT-B-002", NULL, "M5");
	assert_error(&r, 422, "MATERIALS_INCOMPLETE");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE ? <> ''", "x"),
	    cases0);
}

/* Accepted on Tuesday 2026-09-22: 20 working days skip 中秋 (9-25) and 国庆 (10-1…10-7) and
 * count the make-up Saturday 10-10, so the check is due 2026-10-27 (a plain Monday–Friday
 * count would say 10-20). */
TEST(window_promise_opens_a_task_due_across_the_holidays)
{
	struct resp r;
	char no[64], notice[160];
	json_t *c, *m, *h, *pr, *n;
	size_t i;
	int seen = 0;

	window_accept(&r, "IT-B-002", json_pack("{s:{s:b}}", "M5", "signed", 1), "M5");
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	snprintf(notice, sizeof notice, "%s", strstr(jstr(r.json, "case.notice_url"), "?n=") + 3);
	json_array_foreach(jget(r.json, "case.materials"), i, m)
		if (strcmp(jstr(m, "code"), "M5") == 0) {
			assert_string_equal(jstr(m, "state"), "promised");
			seen = 1;
		}
	assert_true(seen);
	pr = jget(r.json, "case.promises.0");
	assert_non_null(pr);
	assert_string_equal(jstr(pr, "code"), "M5");
	assert_string_equal(jstr(pr, "department"), "scjg");
	assert_string_equal(jstr(pr, "status"), "open");
	assert_string_equal(jstr(pr, "due"), "2026-10-27");
	assert_true(json_is_false(json_object_get(pr, "due_provisional")));
	resp_free(&r);
	/* The record: one task, for scjg, due 10-27; the material promised, not received. */
	assert_int_equal(case_rows("promise_checks pc", no, "pc.department = 'scjg' "
	    "AND pc.status = 'open' AND pc.due = '2026-10-27'"), 1);
	assert_int_equal(case_rows("case_materials m", no, "m.code = 'M5' "
	    "AND m.state = 'promised' AND m.committed_at IS NULL AND m.received_at IS NULL"),
	    1);
	/* The timeline tells the applicant; the receipt (受理通知书) lists it as promised. */
	c = staff_case(clerk, no);
	seen = 0;
	json_array_foreach(json_object_get(c, "history"), i, h)
		if (strcmp(jstr(h, "action"), "promise") == 0) {
			assert_non_null(strstr(jstr(h, "public_note"), "告知承诺"));
			assert_non_null(strstr(jstr(h, "public_note"), "2026-10-27"));
			seen = 1;
		}
	assert_true(seen);
	json_decref(c);
	n = get_member(NULL, "notice", API "/case-notices?n=%s", notice);
	seen = 0;
	json_array_foreach(jget(n, "case.materials"), i, m)
		if (strcmp(jstr(m, "code"), "M5") == 0 && strcmp(jstr(m, "state"), "promised") == 0) {
			assert_true(json_is_false(json_object_get(m, "waived")));	/* not 容缺 */
			seen = 1;
		}
	assert_true(seen);
	assert_string_equal(jstr(n, "case.acceptance"), "complete");
	assert_non_null(strstr(jstr(n, "case.acceptance_text"), "告知承诺书替代"));
	json_decref(n);
}

/* Accepted on 2026-12-21, the 20 working days run into 2027, whose holiday notice is not
 * loaded: counted on the provisional calendar (weekends, 元旦 1-1) and marked so —
 * 2027-01-19. */
TEST(task_due_in_a_year_not_loaded_is_provisional)
{
	struct resp r;
	json_t *pr;

	clock_at("2026-12-21T10:00:00+08:00");
	window_accept(&r, "IT-B-001", json_pack("{s:{s:b}}", "M3", "signed", 1), "M3");
	expect_status(&r, 201);
	pr = jget(r.json, "case.promises.0");
	assert_non_null(pr);
	assert_string_equal(jstr(pr, "due"), "2027-01-19");	/* 1-1 off, weekends off */
	assert_true(json_is_true(json_object_get(pr, "due_provisional")));
	resp_free(&r);
	clock_at("2026-09-22T10:00:00+08:00");
}

/* ---------------------------------------------------------------- closing */

TEST(only_the_department_closes_and_a_false_promise_is_on_the_case)
{
	struct resp r;
	char no[64], track[128], idtext[24];
	long long id, false0;
	json_t *c, *h, *steps, *s, *counts;
	size_t i;
	int seen = 0;

	accept_m3_promised(no, track, sizeof track);
	id = task_of(no);
	assert_true(id > 0);
	counts = get_member(manager, "counts", API "/promise-checks?status=all");
	false0 = json_integer_value(json_object_get(counts, "false"));
	json_decref(counts);
	/* Who sees it, who may close it. */
	assert_true(listed(approver1, "", id));
	assert_true(listed(manager, "?status=open", id));
	assert_false(listed(approver_mzj, "?status=all", id));
	close_refused(approver_mzj, id, "{\"result\":\"verified\"}", 403, "FORBIDDEN");
	close_refused(clerk, id, "{\"result\":\"verified\"}", 403, "FORBIDDEN");
	close_refused(manager, id, "{\"result\":\"verified\"}", 403, "FORBIDDEN");
	/* A false promise needs the finding. */
	close_task(&r, approver1, id, "{\"result\":\"false\"}");
	assert_fields(&r, "note");
	resp_free(&r);
	close_refused(approver1, id, "{\"result\":\"maybe\",\"note\":\"x\"}", 400, "INVALID_INPUT");
	snprintf(idtext, sizeof idtext, "%lld", id);	/* the refusals changed nothing */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM promise_checks WHERE id = ?"
	    " AND status = 'open' AND closed_at IS NULL", idtext), 1);
	close_task(&r, approver1, id,
	    "{\"result\":\"false\",\"note\":\"实地核查：该地址为住宅，无租赁合同\"}");
	expect_strs(&r, 200, "check.status", "false",
	    "check.note", "实地核查：该地址为住宅，无租赁合同", NULL);
	resp_free(&r);
	close_refused(approver1, id, "{\"result\":\"verified\"}", 409, "INVALID_TRANSITION");
	/* The case: the task false, a promise_false row naming the department. */
	c = staff_case(approver1, no);
	assert_string_equal(jstr(c, "promises.0.status"), "false");
	json_array_foreach(json_object_get(c, "history"), i, h)
		if (strcmp(jstr(h, "action"), "promise_false") == 0) {
			assert_string_equal(jstr(h, "department"), "scjg");
			assert_string_equal(jstr(h, "note"), "实地核查：该地址为住宅，无租赁合同");
			assert_non_null(strstr(jstr(h, "public_note"), "不符"));
			seen++;
		}
	assert_int_equal(seen, 1);
	json_decref(c);
	/* The applicant sees it on the tracking page — the outcome, not the staff's note. */
	steps = get_member(NULL, "case.steps", API "/track/%s", track);
	seen = 0;
	json_array_foreach(steps, i, s)
		if (jstr(s, "note") && strstr(jstr(s, "note"), "不符")) {
			assert_string_equal(jstr(s, "label"), "告知承诺核查");
			assert_null(strstr(jstr(s, "note"), "租赁合同"));
			seen = 1;
		}
	assert_true(seen);
	json_decref(steps);
	/* The manager's count. */
	counts = get_member(manager, "counts", API "/promise-checks?status=false");
	assert_int_equal(json_integer_value(json_object_get(counts, "false")), false0 + 1);
	json_decref(counts);
	assert_true(listed(manager, "?status=false", id));
	assert_false(listed(manager, "?status=open", id));
}

TEST(verified_promise_reads_verified)
{
	struct resp r;
	char no[64];
	long long id;
	json_t *c;

	accept_m3_promised(no, NULL, 0);
	id = task_of(no);
	close_task(&r, approver2, id, "{\"result\":\"verified\"}");
	expect_strs(&r, 200, "check.status", "verified", "check.closed_by", "孙立新", NULL);
	resp_free(&r);
	c = staff_case(clerk, no);
	assert_string_equal(jstr(c, "promises.0.status"), "verified");
	json_decref(c);
	assert_int_equal(case_rows("case_history h", no, "h.action = 'promise_verified'"), 1);
}

/* Two approvers of the department at the same moment, one verified, one false: one of them
 * closes it, the other gets 409; the record holds one outcome and one history row. */
TEST(two_approvers_at_once_one_closes)
{
	struct shot x[2];
	char no[64], path[96];
	long long id;
	int i;

	accept_m3_promised(no, NULL, 0);
	id = task_of(no);
	snprintf(path, sizeof path, API "/promise-checks/%lld/close", id);
	memset(x, 0, sizeof x);
	x[0].token = approver1;
	x[0].body = "{\"result\":\"verified\"}";
	x[1].token = approver2;
	x[1].body = "{\"result\":\"false\",\"note\":\"承诺的场所不存在\"}";
	for (i = 0; i < 2; i++)
		x[i].path = path;
	race_http(x, 2);
	assert_int_equal(shots_with(x, 2, 200), 1);
	assert_int_equal(shots_with(x, 2, 409), 1);
	assert_int_equal(case_rows("case_history h", no,
	    "h.action IN ('promise_verified', 'promise_false')"), 1);
	/* The winner's outcome is the one recorded. */
	assert_int_equal(case_rows("promise_checks pc", no, "pc.status = 'verified'"),
	    x[0].status == 200 ? 1 : 0);
}

/* ---------------------------------------------------------------- overdue */

TEST(overdue_task_alerts_once_and_closing_clears_it)
{
	struct resp r;
	char no[64], key[48], idtext[24];
	long long id;

	clock_at("2026-09-22T10:00:00+08:00");
	/* approver1 has a work phone, so the department hears of it. */
	expect_reply("PUT", API "/staff/me/phone", approver1, "{\"phone\":\"13922229001\"}", 200);
	accept_m3_promised(no, NULL, 0);
	id = task_of(no);
	snprintf(key, sizeof key, "promise_check:%lld", id);
	snprintf(idtext, sizeof idtext, "%lld", id);
	/* On the due day it is not overdue yet. */
	clock_at("2026-10-27T16:00:00+08:00");
	assert_int_equal(job_promise_checks_overdue(&test_db), 0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE akey = ?", key),
	    0);
	assert_false(listed(manager, "?status=overdue", id));
	/* The day after: the alert, the SMS to the department's approver, once however often the
	 * job runs (the worker runs it too). */
	clock_at("2026-10-28T09:00:00+08:00");
	assert_int_equal(job_promise_checks_overdue(&test_db), 0);
	assert_int_equal(job_promise_checks_overdue(&test_db), 0);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE akey = ? AND"
	    " cleared_at IS NULL AND level = 'warning'", key), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
	    " 'promise_check_overdue_staff' AND ref_kind = 'case' AND ref_id = ?", no), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action ="
	    " 'promise_check.overdue' AND target = ?", idtext), 1);
	assert_true(listed(manager, "?status=overdue", id));
	assert_true(listed(approver1, "?status=overdue", id));
	/* Closing it (late) clears the alert. */
	close_task(&r, approver1, id, "{\"result\":\"verified\",\"note\":\"已核实租赁合同\"}");
	expect_status(&r, 200);
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM hall_alerts WHERE akey = ? AND"
	    " cleared_at IS NULL", key), 0);
	expect_reply("PUT", API "/staff/me/phone", approver1, "{\"phone\":null}", 200);
	clock_at("2026-09-22T10:00:00+08:00");
}

/* POST /cases at window 1: BD-001 for 冯一件 (ID number id) with the materials mats and a
 * signed promise in place of material code; the reply into r. */
static void
bundle_promising(struct resp *r, json_t *mats, const char *id, const char *code)
{
	json_t *b;
	char *body;

	b = json_pack("{s:s,s:O,s:{s:s,s:s,s:s},s:{s:{s:b}}}", "bundle", "BD-001", "materials",
	    mats, "applicant", "name", "冯一件", "id_number", id, "phone", "13922220004",
	    "promises", code, "signed", 1);
	body = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	assert_int_equal(http_json(r, "POST", API "/cases", clerk, body), 0);
	free(body);
}

/* 一件事 at the window (BD-001 开办企业): the bundle's 住所使用证明 stands for IT-B-002 M5,
 * which allows a promise; 公司登记申请书 does not.  The task goes to scjg. */
TEST(window_bundle_takes_a_promise)
{
	json_t *form = bundle("BD-001"), *m, *mats = json_array();
	const char *promise_code = NULL, *plain_code = NULL;
	struct resp r;
	char id[19], no[64];
	size_t i;

	json_array_foreach(json_object_get(form, "materials"), i, m) {
		if (!json_is_true(json_object_get(m, "required")))
			continue;
		if (json_is_true(json_object_get(m, "promise_allowed")))
			promise_code = json_string_value(json_object_get(m, "code"));
		else {
			if (plain_code == NULL)
				plain_code = json_string_value(json_object_get(m, "code"));
			json_array_append_new(mats, json_string(json_string_value(json_object_get(m,
			    "code"))));
		}
	}
	assert_non_null(promise_code);
	assert_non_null(plain_code);
	new_id(id);
	/* A promise for a material that allows none: 400 naming it. */
	bundle_promising(&r, mats, id, plain_code);
	assert_error(&r, 400, "INVALID_INPUT");
	{
		char f[40];

		snprintf(f, sizeof f, "promises.%s", plain_code);
		assert_non_null(field_of(&r, f));
	}
	resp_free(&r);
	/* In place of 住所使用证明. */
	bundle_promising(&r, mats, id, promise_code);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
	assert_int_equal(case_rows("case_materials m", no, "m.item = 'IT-B-002' "
	    "AND m.code = 'M5' AND m.state = 'promised'"), 1);
	assert_int_equal(case_rows("promise_checks pc", no, "pc.item = 'IT-B-002' "
	    "AND pc.code = 'M5' AND pc.department = 'scjg' AND pc.status = 'open'"), 1);
	json_decref(mats);
	json_decref(form);
}

/* ---------------------------------------------------------------- online */

TEST(must_attend_refused_online_accepted_at_the_window)
{
	struct resp r;
	char tok[128], id[19], mats[2048], body[4096];
	json_t *form;
	long long cases0;

	citizen_session(tok, sizeof tok);
	form = get_member(NULL, "item.materials", API "/items/%s", "IT-E-001");
	materials_for(tok, form, 41, mats, sizeof mats);
	json_decref(form);
	new_id(id);
	snprintf(body, sizeof body, "{\"item\":\"IT-E-001\",\"applicant\":{\"name\":\"赵到场\","
	    "\"id_number\":\"%s\",\"phone\":\"13922220002\"},\"materials\":%s}", id, mats);
	cases0 = db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE ? <> ''", "x");
	assert_int_equal(http_json(&r, "POST", API "/cases", tok, body), 0);
	assert_error(&r, 422, "MUST_ATTEND");
	assert_non_null(strstr(jstr(r.json, "error.message"), "本人"));
	assert_string_equal(jstr(r.json, "error.booking.category"), "E");
	assert_string_equal(jstr(r.json, "error.booking.hall"), "demo");
	assert_string_equal(jstr(r.json, "error.booking.url"), "/book.html?hall=demo&category=E");
	assert_non_null(jget(r.json, "error.fields.item"));
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE ? <> ''", "x"),
	    cases0);
	/* At the window, with both applicants there, the clerk accepts it. */
	window_accept(&r, "IT-E-001", NULL, NULL);
	expect_status(&r, 201);
	resp_free(&r);
}

/* POST /cases online as the bearer of tok: IT-B-001 for 钱网办 (ID number id) with the
 * materials mats (JSON text); the reply into r. */
static void
apply_online(struct resp *r, const char *tok, const char *id, const char *mats)
{
	char body[2048];

	snprintf(body, sizeof body, "{\"item\":\"IT-B-001\",\"applicant\":{\"name\":\"钱网办\","
	    "\"id_number\":\"%s\",\"phone\":\"13922220003\"},\"materials\":%s}", id, mats);
	assert_int_equal(http_json(r, "POST", API "/cases", tok, body), 0);
}

TEST(online_promise_opens_its_task_at_pre_acceptance)
{
	struct resp r;
	char tok[128], id[19], up1[64], up2[64], mats[512], no[64];
	json_t *m;
	size_t i;
	int seen = 0;

	citizen_session(tok, sizeof tok);
	upload_ok(tok, 51, up1, sizeof up1);
	upload_ok(tok, 52, up2, sizeof up2);
	new_id(id);
	/* A promise for a material that allows none: 400 naming it, nothing filed. */
	snprintf(mats, sizeof mats, "{\"M1\":\"%s\",\"M2\":{\"promise\":{\"signed\":true}},"
	    "\"M3\":{\"promise\":{\"signed\":true}}}", up1);
	apply_online(&r, tok, id, mats);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "materials.M2"));
	assert_null(field_of(&r, "materials.M3"));
	resp_free(&r);
	/* Unsigned: refused too. */
	snprintf(mats, sizeof mats, "{\"M1\":\"%s\",\"M2\":\"%s\",\"M3\":{\"promise\":{}}}",
	    up1, up2);
	apply_online(&r, tok, id, mats);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "materials.M3"));
	resp_free(&r);
	/* Signed, in place of 经营场所使用证明. */
	snprintf(mats, sizeof mats, "{\"M1\":\"%s\",\"M2\":\"%s\","
	    "\"M3\":{\"promise\":{\"signed\":true}}}", up1, up2);
	apply_online(&r, tok, id, mats);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	json_array_foreach(jget(r.json, "case.materials"), i, m)
		if (strcmp(jstr(m, "code"), "M3") == 0) {
			assert_string_equal(jstr(m, "state"), "promised");
			seen = 1;
		}
	assert_true(seen);
	resp_free(&r);
	/* Nothing to verify until the case is accepted. */
	assert_int_equal(case_rows("promise_checks pc", no, NULL), 0);
	case_act_expect(clerk, no, "{\"action\":\"pre_accept\"}", 200);
	assert_int_equal(case_rows("promise_checks pc", no, "pc.code = 'M3' "
	    "AND pc.department = 'scjg' AND pc.due = '2026-10-27'"), 1);
	assert_int_equal(case_rows("case_materials m", no, "m.code = 'M3' "
	    "AND m.state = 'promised'"), 1);
}

SUITE_MAIN("promise", setup, suite_teardown)
