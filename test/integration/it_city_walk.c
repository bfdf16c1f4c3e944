/*
 * it_city_walk.c — one case through three halls of the demo city, its file signed for at
 * every hand-over (issue 22, item 5), against the live test stack.
 *
 * A 出生医学证明补发 (IT-E-004: decided by 卫生健康委员会 wjw, whose back office sits at the
 * centre) is accepted at the town station qiaotou, to be picked up at the district hall
 * chengbei.  Its paper file travels:
 *
 *   qiaotou window 1 ──sheet 1──▶ the centre (hall demo; its clerk signs, one material
 *   short of a page: a discrepancy) ──sheet 2──▶ wjw's back office at the centre (its
 *   approver signs by the sheet's QR token) … decided there … ──sheet 3 (the result)──▶
 *   chengbei's pickup window 5 (its clerk signs) → ready → handed out.
 *
 * At every step the test checks who holds the file (the case's `custody`, in transit or
 * not), who signed (the sheet's `received_by`, the history row's signer, the record), that a
 * member of staff of another side cannot sign (403, nothing changed), that the side which no
 * longer holds the file cannot send it (409 NOT_IN_CUSTODY), and what the citizen's tracking
 * page says of where the file is.
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

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/http.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../../fcgi/db.h"

#define API "/api/v1"
#define ITEM "IT-E-004"
#define PHONE "13800138072"
#define APPLICANT "\"applicant\":{\"name\":\"欧阳三厅\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"" PHONE "\"}"

static char qt_clerk[128], demo_clerk[128], demo_approver[128], cb_pickup[128], cb_clerk[128],
    cn_clerk[128];
static char case_no[64], track[64], sheet1_token[128];
static long long sheet[4];	/* the ids of sheets 1..3 */

/* ---------------------------------------------------------------- helpers */

/* The name the record keeps for a member of staff of a hall. */
static void
staff_name(const char *hall, const char *user, char *out, size_t osz)
{
	assert_int_equal(db_scalar(&test_db, "SELECT name FROM staff WHERE hall = ? AND"
	    " username = ?", DBARGS(DBS(hall), DBS(user)), out, osz), 1);
}

static void
first_code(char *out, size_t osz)
{
	json_t *codes = material_codes(ITEM, 1, 0);

	snprintf(out, osz, "%s", json_string_value(json_array_get(codes, 0)));
	json_decref(codes);
}

/* POST /handovers of the walk's case to `to` with the materials as `who`; the reply into r
 * (the caller frees it). */
static void
send_sheet(struct resp *r, const char *who, const char *to, const char *mats)
{
	char body[2048];

	snprintf(body, sizeof body, "{\"to\":%s,\"cases\":[{\"no\":\"%s\",\"materials\":%s}]}",
	    to, case_no, mats);
	assert_int_equal(http_json(r, "POST", API "/handovers", who, body), 0);
}

/* Send, expect 201 "sent"; the sheet's id (and its receive token into tok when given). */
static long long
send_ok(const char *who, const char *to, const char *mats, char *tok, size_t tsz)
{
	struct resp r;
	long long id;

	send_sheet(&r, who, to, mats);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "handover.status"), "sent");
	id = json_integer_value(jget(r.json, "handover.id"));
	assert_true(id > 0);
	if (tok)
		snprintf(tok, tsz, "%s", jstr(r.json, "handover.token"));
	resp_free(&r);
	return id;
}

/* The case's custody as staff see it (a new reference). */
static json_t *
custody(const char *who)
{
	json_t *c = get_member(who, "case.custody", API "/cases/%s", case_no);

	assert_non_null(c);
	return c;
}

/* Who holds the file: the holder's kind and hall, and whether it travels. */
static void
expect_holder(const char *who, const char *kind, const char *hall, int in_transit)
{
	json_t *c = custody(who);

	assert_string_equal(jstr(c, "holder.kind"), kind);
	assert_string_equal(jstr(c, "holder.hall"), hall);
	assert_int_equal(json_is_true(json_object_get(c, "in_transit")), in_transit);
	json_decref(c);
}

/* The sheet's status and signer as the record keeps them. */
static void
sheet_row(long long id, char *status, size_t ssz, char *signer, size_t gsz)
{
	char idt[24];

	snprintf(idt, sizeof idt, "%lld", id);
	assert_int_equal(db_scalar(&test_db, "SELECT status FROM handovers WHERE id = ?",
	    DBARGS(DBS(idt)), status, ssz), 1);
	signer[0] = '\0';
	assert_true(db_scalar(&test_db, "SELECT s.name FROM handovers h JOIN staff s"
	    " ON s.id = h.received_by WHERE h.id = ?", DBARGS(DBS(idt)), signer, gsz) >= 0);
}

/* A receipt the side `who` is not: 403, the sheet still unsigned. */
static void
not_theirs(const char *who, long long id)
{
	char path[96], status[40], signer[64];

	snprintf(path, sizeof path, API "/handovers/%lld/receive", id);
	expect_refusal("POST", path, who, "{}", 403, "FORBIDDEN");
	sheet_row(id, status, sizeof status, signer, sizeof signer);
	assert_string_equal(status, "sent");
	assert_string_equal(signer, "");
}

/* POST /handovers/{id}/receive as who with body, expect 200 and this status; the signer's
 * name must be on the sheet, in the record and on the history row. */
static void
receive_ok(const char *who, long long id, const char *body, const char *status,
    const char *signer_name)
{
	struct resp r;
	char path[96], st[40], signer[64];
	long long before = case_history_rows(&test_db, case_no, "handover_received", signer_name);

	snprintf(path, sizeof path, API "/handovers/%lld/receive", id);
	assert_int_equal(http_json(&r, "POST", path, who, body), 0);
	expect_strs(&r, 200, "handover.status", status, "handover.received_by.name", signer_name,
	    NULL);
	resp_free(&r);
	sheet_row(id, st, sizeof st, signer, sizeof signer);
	assert_string_equal(st, status);
	assert_string_equal(signer, signer_name);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_received", signer_name), before + 1);
}

/* The citizen's tracking page: where the file is, in words. */
static void
track_where(char *out, size_t osz, int *in_transit)
{
	struct resp r;
	char path[128];

	snprintf(path, sizeof path, API "/track/%s", track);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_non_null(jstr(r.json, "case.custody.where"));
	snprintf(out, osz, "%s", jstr(r.json, "case.custody.where"));
	*in_transit = json_is_true(jget(r.json, "case.custody.in_transit"));
	resp_free(&r);
}

/* ---------------------------------------------------------------- the walk */

TEST(accepted_at_the_station_the_window_holds_the_file)
{
	struct resp r;
	char mats[512], body[2048], where[400];
	int moving;

	material_codes_text(ITEM, 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"materials\":%s," APPLICANT
	    ",\"pickup_hall\":\"chengbei\"}", mats);
	assert_int_equal(http_json(&r, "POST", API "/cases", qt_clerk, body), 0);
	expect_strs(&r, 201, "case.hall", "qiaotou", "case.decide_hall", "demo",
	    "case.pickup_hall", "chengbei", NULL);
	snprintf(case_no, sizeof case_no, "%s", jstr(r.json, "case.no"));
	snprintf(track, sizeof track, "%s", jstr(r.json, "case.track_token"));
	resp_free(&r);
	/* The accepting window holds the file. */
	expect_holder(qt_clerk, "window", "qiaotou", 0);
	track_where(where, sizeof where, &moving);
	assert_non_null(strstr(where, "桥头镇便民服务站"));
	assert_int_equal(moving, 0);
}

TEST(station_to_centre_signed_with_a_discrepancy)
{
	char mats[512], code[16], body[512], name[64], where[400];
	struct resp r;
	int moving;

	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	assert_non_null(strstr(mats, "},{"));	/* two materials at least */
	/* The centre does not hold the file yet: it cannot send it on. */
	send_sheet(&r, demo_clerk, "{\"department\":\"wjw\",\"hall\":\"demo\"}", mats);
	assert_error(&r, 409, "NOT_IN_CUSTODY");
	resp_free(&r);
	sheet[1] = send_ok(qt_clerk, "{\"hall\":\"demo\"}", mats, sheet1_token,
	    sizeof sheet1_token);
	/* In transit: the station still answers for it; the citizen reads that it travels. */
	expect_holder(qt_clerk, "window", "qiaotou", 1);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_sent", NULL), 1);
	track_where(where, sizeof where, &moving);
	assert_int_equal(moving, 1);
	/* Another hall's clerk cannot sign for the centre. */
	not_theirs(cb_clerk, sheet[1]);
	not_theirs(cn_clerk, sheet[1]);
	/* The centre's clerk counts one page short of the first material and signs. */
	first_code(code, sizeof code);
	snprintf(body, sizeof body, "{\"discrepancies\":[{\"no\":\"%s\",\"code\":\"%s\","
	    "\"pages_received\":2,\"note\":\"少一页\"}]}", case_no, code);
	staff_name("demo", "clerk1", name, sizeof name);
	receive_ok(demo_clerk, sheet[1], body, "received_with_discrepancies", name);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_discrepancy", name), 1);
	/* The sheet keeps what was counted against what was sent. */
	{
		json_t *h = get_member(demo_clerk, "handover", API "/handovers/%lld", sheet[1]);
		json_t *m, *mats_a = json_object_get(json_array_get(json_object_get(h, "cases"), 0),
		    "materials");
		size_t i;
		int seen = 0;

		json_array_foreach(mats_a, i, m)
			if (strcmp(json_string_value(json_object_get(m, "code")), code) == 0) {
				assert_int_equal(json_integer_value(json_object_get(m, "pages")), 3);
				assert_int_equal(json_integer_value(json_object_get(m,
				    "pages_received")), 2);
				seen = 1;
			}
		assert_true(seen);
		assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "totals"),
		    "discrepancies")), 1);
		json_decref(h);
	}
	/* Signed once: a second receipt is refused. */
	{
		char path[96];

		snprintf(path, sizeof path, API "/handovers/%lld/receive", sheet[1]);
		expect_refusal("POST", path, demo_clerk, "{}", 409, "INVALID_STATE");
	}
	expect_holder(demo_clerk, "hall", "demo", 0);
	/* The station no longer holds it. */
	send_sheet(&r, qt_clerk, "{\"hall\":\"chengbei\"}", mats);
	assert_error(&r, 409, "NOT_IN_CUSTODY");
	resp_free(&r);
	track_where(where, sizeof where, &moving);
	assert_non_null(strstr(where, "示范区政务服务中心"));
	assert_int_equal(moving, 0);
}

TEST(centre_to_the_deciding_department_signed_by_qr)
{
	char mats[512], tok[128], body[256], name[64];
	struct resp r;
	json_t *c;

	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	assert_non_null(strstr(mats, "},{"));	/* two materials at least */
	sheet[2] = send_ok(demo_clerk, "{\"department\":\"wjw\",\"hall\":\"demo\"}", mats, tok,
	    sizeof tok);
	/* Not the department's: the centre's own clerk (another side) cannot sign it. */
	not_theirs(cb_pickup, sheet[2]);
	/* The approver scans the sheet's QR: the token of another sheet is not this one. */
	snprintf(body, sizeof body, "{\"token\":\"%s\"}", sheet1_token);
	assert_int_equal(http_json(&r, "POST", API "/handovers/receive", demo_approver, body), 0);
	assert_true(r.status == 403 || r.status == 409);
	resp_free(&r);
	snprintf(body, sizeof body, "{\"token\":\"%s\"}", tok);
	assert_int_equal(http_json(&r, "POST", API "/handovers/receive", demo_approver, body), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "handover.status"), "received");
	staff_name("demo", "approver_wjw", name, sizeof name);
	assert_string_equal(jstr(r.json, "handover.received_by.name"), name);
	resp_free(&r);
	c = custody(demo_approver);
	assert_string_equal(jstr(c, "holder.kind"), "department");
	assert_string_equal(jstr(c, "holder.department"), "wjw");
	assert_string_equal(jstr(c, "holder.hall"), "demo");
	assert_int_equal(json_integer_value(json_object_get(c, "handover")), sheet[2]);
	json_decref(c);
	/* Decided where the department sits. */
	case_act_ok(demo_approver, case_no, "{\"action\":\"assign\"}", "processing");
	case_act_ok(demo_approver, case_no, "{\"action\":\"approve\",\"note\":\"同意补发\"}",
	    "approved");
}

TEST(the_result_to_the_pickup_window_of_another_hall)
{
	char name[64], where[400], body[160];
	json_t *line = NULL;
	long since;
	int moving;

	sheet[3] = send_ok(demo_approver, "{\"window\":5,\"hall\":\"chengbei\"}",
	    "[{\"code\":\"RESULT\",\"pages\":1}]", NULL, 0);
	expect_holder(demo_approver, "department", "demo", 1);
	/* chengbei's other window is not the pickup window it was sent to. */
	not_theirs(cb_clerk, sheet[3]);
	staff_name("chengbei", "clerk5", name, sizeof name);
	receive_ok(cb_pickup, sheet[3], "{}", "received", name);
	{
		json_t *c = custody(cb_pickup);

		assert_string_equal(jstr(c, "holder.kind"), "window");
		assert_string_equal(jstr(c, "holder.hall"), "chengbei");
		assert_int_equal(json_integer_value(jget(c, "holder.window")), 5);
		json_decref(c);
	}
	track_where(where, sizeof where, &moving);
	assert_non_null(strstr(where, "城北区政务服务中心"));
	assert_int_equal(moving, 0);
	/* Ready at chengbei, handed out there with the code the citizen got. */
	since = sms_log_size();
	case_act_ok(cb_pickup, case_no, "{\"action\":\"ready\"}", "ready");
	if (sms_log_find_since(since, PHONE, "result_ready", &line, 15000) != 0)
		fail_msg("no result_ready SMS for %s", case_no);
	assert_string_equal(jstr(line, "params.hall"), "城北区政务服务中心");
	snprintf(body, sizeof body, "{\"action\":\"hand_over\",\"pickup_code\":\"%s\"}",
	    jstr(line, "params.pickup_code"));
	case_act_ok(cb_pickup, case_no, body, "closed");
	json_decref(line);
}

TEST(the_timeline_names_every_hand_over)
{
	long long i;
	char n_demo[64], n_appr[64], n_cb[64];

	/* Three sheets sent, three signed, each by the person who signed; one discrepancy. */
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_sent", NULL), 3);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_received", NULL), 3);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_discrepancy", NULL), 1);
	staff_name("demo", "clerk1", n_demo, sizeof n_demo);
	staff_name("demo", "approver_wjw", n_appr, sizeof n_appr);
	staff_name("chengbei", "clerk5", n_cb, sizeof n_cb);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_received", n_demo), 1);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_received", n_appr), 1);
	assert_int_equal(case_history_rows(&test_db, case_no, "handover_received", n_cb), 1);
	for (i = 1; i <= 3; i++) {
		char st_[40], signer[64];

		sheet_row(sheet[i], st_, sizeof st_, signer, sizeof signer);
		assert_string_not_equal(st_, "sent");
		assert_string_not_equal(signer, "");
	}
	/* The citizen's tracking page lists the hand-overs as steps, never a staff name. */
	{
		struct resp r;
		char path[128];
		json_t *steps, *s;
		size_t k;
		int moves = 0;

		snprintf(path, sizeof path, API "/track/%s", track);
		assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
		expect_status(&r, 200);
		steps = jget(r.json, "case.steps");
		json_array_foreach(steps, k, s) {
			const char *label = json_string_value(json_object_get(s, "label"));

			if (label && strstr(label, "材料交接"))
				moves++;
		}
		assert_true(moves >= 3);
		assert_null(strstr(r.body, n_demo));
		assert_null(strstr(r.body, n_appr));
		assert_null(strstr(r.body, n_cb));
		resp_free(&r);
	}
}

/* ---------------------------------------------------------------- setup */

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF_AT("qiaotou", "clerk1", 1, qt_clerk),
		STAFF("clerk1", 1, demo_clerk),
		NEW_STAFF("approver_wjw", "卫计审批", "approver", "wjw", 0, demo_approver),
		STAFF_AT("chengbei", "clerk5", 5, cb_pickup),
		STAFF_AT("chengbei", "clerk1", 1, cb_clerk),
		STAFF_AT("chengnan", "clerk1", 1, cn_clerk),
	};

	return suite_sign_in(st, "2026-11-24T09:40:00+08:00", who);
}

SUITE_MAIN("city_walk", setup, suite_teardown)
