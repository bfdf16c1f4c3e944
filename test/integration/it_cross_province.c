/*
 * it_cross_province.c — 跨省通办 收受分离 as states (issue 22 item 4) against the live stack.
 *
 * Outgoing: a case of IT-F-001 accepted at window 7 (社会事务·跨省通办) for 广东省…医疗保障局
 * walks accepted → dispatched → received → decided → returned → delivered; at each step the
 * state (the API and the xprov_cases row), the custody (case JSON: in transit to the office,
 * held by the office, back at window 7), the SMS queued (outbox: template and its
 * parameters) and the citizen's tracking page (plain words) are checked.  Refusals change
 * nothing: a step out of order (409 INVALID_STATE), the wrong role (a clerk of window 1,
 * 403), bad input (400 naming each field).
 * Incoming: a case another province accepted for our 医保局 is registered (masked data
 * only: a full ID number is refused), received here (custody: window 7), decided by the
 * department's approver, returned to the office (custody in transit), delivered.
 * Online: a citizen's application for IT-F-001 keeps cases.cross_province and the office
 * named, is pre-accepted, and dispatched electronically from the hall.
 * Concurrency: six record the office's receipt at once; one does (one history row, one SMS, the
 * sheet signed once), the others get 409.  The window's list and figures count them.  The
 * hall clock is Wed 2026-12-16.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/http.h"
#include "../lib/records.h"
#include "../lib/steps.h"
#include "../lib/suite.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"

#define API "/api/v1"
#define ITEM "IT-F-001"
#define OFFICE "广东省𠮷州市医疗保障局"
#define DOCNO "粤医保转〔2026〕𠮷118号"
#define TODAY "2026-12-16"
#define APPLICANT "\"applicant\":{\"name\":\"李跨省\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13800138077\"}"

static char clerk7[128], clerk1[128], manager[128], approver_yb[128], citizen[128];
static char citizen_phone[16];

FIXTURE(setup)
{
	if (suite_setup(st) != 0)
		return -1;
	ensure_staff("approver_yb", "医保审批员", "approver", "ybj");
	set_clock(TODAY "T10:00:00+08:00");
	staff_in("clerk7", 7, clerk7, sizeof clerk7);
	staff_in("clerk1", 1, clerk1, sizeof clerk1);
	staff_in("manager1", 0, manager, sizeof manager);
	staff_in("approver_yb", 0, approver_yb, sizeof approver_yb);
	/* A new account each run (the stack may be reused): its phone from the clock. */
	snprintf(citizen_phone, sizeof citizen_phone, "139%08lld", (long long)(now_ms() % 100000000));
	return citizen_login(citizen_phone, citizen, sizeof citizen);
}

FIXTURE(teardown)
{
	return suite_teardown(st);
}

/* ---------------------------------------------------------------- helpers */

/* The message of a field named in a 400 (names may hold dots: "applicant.name"). */
static json_t *
field_of(struct resp *r, const char *name)
{
	return json_object_get(jget(r->json, "error.fields"), name);
}

#define XPROV	API "/cases/%s/cross-province"

static void
step(struct resp *r, const char *who, const char *no, const char *body)
{
	http_at(r, "POST", who, body, XPROV, no);
}

static void
step_ok(const char *who, const char *no, const char *body, const char *state)
{
	expect_str_at("POST", who, body, 200, "cross_province.state", state, XPROV, no);
}

/* The row's state as MariaDB has it ("" none). */
static void
db_state(const char *no, char *out, size_t osz)
{
	out[0] = '\0';
	assert_true(db_scalar(&test_db, "SELECT x.state FROM xprov_cases x JOIN cases c"
	    " ON c.id = x.case_id WHERE c.no = ?", DBARGS(DBS(no)), out, osz) >= 0);
}

static void
expect_db_state(const char *no, const char *want)
{
	char s[24];

	db_state(no, s, sizeof s);
	assert_string_equal(s, want);
}

static long long
outbox_count(const char *tmpl, const char *no)
{
	long long n = -1;

	assert_true(db_query(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = ?"
	    " AND ref_kind = 'case' AND ref_id = ?", DBARGS(DBS(tmpl), DBS(no)), db_count_row,
	    &n) >= 0);
	return n;
}

static json_t *
custody(const char *no)
{
	return get_member(clerk7, "case.custody", API "/cases/%s", no);
}

/* The citizen's tracking page as text (the whole JSON dumped). */
static char *
track_text(const char *tok)
{
	json_t *t = get_member(NULL, "case", API "/track/%s", tok);
	char *s = json_dumps(t, 0);

	json_decref(t);
	assert_non_null(s);
	return s;
}

/* ---------------------------------------------------------------- racing */

struct racer {
	const char		*who, *no, *body;
	pthread_barrier_t	*go;
	long			 status;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct resp r;
	char path[160];

	snprintf(path, sizeof path, API "/cases/%s/cross-province", x->no);
	pthread_barrier_wait(x->go);
	if (http_json(&r, "POST", path, x->who, x->body) == 0) {
		x->status = r.status;
		resp_free(&r);
	}
	return NULL;
}

static long long
history_count(const char *no, const char *action)
{
	long long n = -1;

	assert_true(db_query(&test_db, "SELECT COUNT(*) FROM case_history h JOIN cases c"
	    " ON c.id = h.case_id WHERE c.no = ? AND h.action = ?", DBARGS(DBS(no), DBS(action)),
	    db_count_row, &n) >= 0);
	return n;
}

/* ---------------------------------------------------------------- outgoing */

TEST(outgoing_case_walks_every_state)
{
	struct resp r;
	char mats[512], codes[512], body[2048], no[64], tok[64], s[128], *t;
	json_t *k;

	material_codes_text(ITEM, 1, 0, codes, sizeof codes);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s,\"processing_office\":"
	    "\"" OFFICE "\"," APPLICANT "}", ITEM, codes);
	assert_int_equal(http_json(&r, "POST", API "/cases", clerk7, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	snprintf(tok, sizeof tok, "%s", jstr(r.json, "case.track_token"));
	resp_free(&r);
	sheet_materials(ITEM, 2, NULL, mats, sizeof mats);

	/* Accepted: on the window's list, no row yet. */
	k = get_member(clerk7, "cross_province", API "/cases/%s/cross-province", no);
	assert_string_equal(jstr(k, "state"), "accepted");
	assert_string_equal(jstr(k, "office"), OFFICE);
	json_decref(k);

	/* Out of order, the wrong window, bad input: 409, 403, 400, nothing written. */
	step(&r, clerk7, no, "{\"step\":\"receive\",\"date\":\"" TODAY "\"}");
	assert_error(&r, 409, "INVALID_STATE");
	resp_free(&r);
	snprintf(body, sizeof body, "{\"step\":\"dispatch\",\"via\":\"mail\",\"waybill\":"
	    "\"SF1234567890\",\"materials\":%s}", mats);
	step(&r, clerk1, no, body);
	assert_error(&r, 403, "FORBIDDEN");
	resp_free(&r);
	step(&r, clerk7, no, "{\"step\":\"dispatch\",\"via\":\"fax\",\"waybill\":\"顺丰!\","
	    "\"materials\":[{\"code\":\"M1\",\"pages\":0}]}");
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "via"));
	assert_non_null(field_of(&r, "waybill"));
	assert_non_null(field_of(&r, "materials[0].pages"));
	resp_free(&r);
	step(&r, clerk7, no, "{\"step\":\"teleport\"}");
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "step"));
	resp_free(&r);
	expect_db_state(no, "");
	assert_int_equal(outbox_count("xprov_dispatched", no), 0);

	/* Dispatched by mail: on a sheet to the office, in transit; SMS; tracking page. */
	step_ok(clerk7, no, body, "dispatched");
	expect_db_state(no, "dispatched");
	k = custody(no);
	assert_true(json_is_true(jget(k, "in_transit")));
	assert_string_equal(jstr(k, "to.kind"), "office");
	assert_string_equal(jstr(k, "to.office"), OFFICE);
	json_decref(k);
	case_outbox_param(&test_db, "xprov_dispatched", no, "via", s, sizeof s);
	assert_string_equal(s, "邮寄");
	t = track_text(tok);
	assert_non_null(strstr(t, "材料已邮寄至办理地"));
	assert_non_null(strstr(t, "SF1234567890"));
	free(t);
	/* Twice is out of order. */
	step(&r, clerk7, no, body);
	assert_error(&r, 409, "INVALID_STATE");
	resp_free(&r);
	/* Dispatched, the case is decided and delivered only by these steps: the back office's
	 * own actions are refused (nothing changes) and not offered. */
	{
		char path[128];
		json_t *acts;
		size_t i;

		snprintf(path, sizeof path, API "/cases/%s/actions", no);
		expect_refusal("POST", path, approver_yb, "{\"action\":\"assign\"}", 409,
		    "INVALID_STATE");
		expect_refusal("POST", path, manager, "{\"action\":\"assign\","
		    "\"assignee\":\"approver_yb\"}", 409, "INVALID_STATE");
		expect_db_state(no, "dispatched");
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE no = ? AND"
		    " status = 'processing'", no), 1);
		acts = get_member(manager, "case.actions", API "/cases/%s", no);
		for (i = 0; i < json_array_size(acts); i++)
			assert_string_not_equal(json_string_value(json_array_get(acts, i)), "assign");
		json_decref(acts);
	}

	/* Received by the office on a date: a date to come is refused. */
	step(&r, clerk7, no, "{\"step\":\"receive\",\"date\":\"2026-12-17\"}");
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "date"));
	resp_free(&r);
	step_ok(clerk7, no, "{\"step\":\"receive\",\"date\":\"" TODAY "\"}", "received");
	k = custody(no);
	assert_false(json_is_true(jget(k, "in_transit")));
	assert_string_equal(jstr(k, "holder.kind"), "office");
	json_decref(k);
	case_outbox_param(&test_db, "xprov_received", no, "date", s, sizeof s);
	assert_string_equal(s, TODAY);
	t = track_text(tok);
	assert_non_null(strstr(t, "已于 " TODAY " 收到材料"));
	free(t);

	/* Decided: the office's 文号, read back whole. */
	step(&r, clerk7, no, "{\"step\":\"decide\",\"decision\":\"maybe\",\"date\":\"" TODAY "\"}");
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "decision"));
	assert_non_null(field_of(&r, "doc_no"));
	resp_free(&r);
	step_ok(manager, no, "{\"step\":\"decide\",\"decision\":\"approved\",\"doc_no\":\"" DOCNO
	    "\",\"date\":\"" TODAY "\",\"note\":\"办理地回函😀\"}", "decided");
	k = get_member(clerk7, "cross_province", API "/cases/%s/cross-province", no);
	assert_string_equal(jstr(k, "doc_no"), DOCNO);
	assert_string_equal(jstr(k, "decision"), "approved");
	json_decref(k);
	k = get_member(clerk7, "case", API "/cases/%s", no);
	assert_string_equal(jstr(k, "status"), "approved");
	json_decref(k);
	case_outbox_param(&test_db, "xprov_decided", no, "doc_no", s, sizeof s);
	assert_string_equal(s, DOCNO);
	t = track_text(tok);
	assert_non_null(strstr(t, "作出准予决定"));
	free(t);

	/* Returned electronically: the result on a sheet office → window 7, signed. */
	step_ok(clerk7, no, "{\"step\":\"return\",\"via\":\"electronic\"}", "returned");
	k = custody(no);
	assert_string_equal(jstr(k, "holder.kind"), "window");
	assert_int_equal(jint(k, "holder.window"), 7);
	json_decref(k);
	k = get_member(clerk7, "case", API "/cases/%s", no);
	assert_string_equal(jstr(k, "status"), "ready");
	json_decref(k);
	assert_int_equal(outbox_count("result_ready", no), 1);
	t = track_text(tok);
	assert_non_null(strstr(t, "寄回本中心"));
	free(t);

	/* Delivered: the wrong pickup code refused; by mail with an address. */
	step(&r, clerk7, no, "{\"step\":\"deliver\",\"how\":\"pickup\",\"pickup_code\":\"12345x\"}");
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "pickup_code"));
	resp_free(&r);
	step(&r, clerk7, no, "{\"step\":\"deliver\",\"how\":\"mail\",\"carrier\":\"EMS\","
	    "\"waybill\":\"EM1234567\",\"address\":\"北京市东城区正义路1号\"}");
	assert_error(&r, 409, "INVALID_STATE");	/* ready: handed out at the window */
	resp_free(&r);
	expect_db_state(no, "returned");

	/* The work list and the figures have it. */
	k = get_member(clerk7, "cases", API "/cross-province/cases?state=returned&direction=out");
	{
		size_t i, seen = 0;
		json_t *v;

		json_array_foreach(k, i, v)
			seen += strcmp(jstr(v, "no"), no) == 0;
		assert_int_equal(seen, 1);
	}
	json_decref(k);
	k = get_member(manager, "figures", API "/cross-province/figures");
	assert_true(jint(k, "out.returned") >= 1);
	json_decref(k);
}

/* A case to be mailed: the office's receipt raced by several at once, then returned and
 * delivered by mail. */
TEST(outgoing_mailed_case_is_delivered)
{
	struct resp r;
	char mats[512], codes[512], body[2048], no[64];

	material_codes_text(ITEM, 1, 0, codes, sizeof codes);
	snprintf(body, sizeof body, "{\"item\":\"%s\",\"materials\":%s,\"processing_office\":"
	    "\"" OFFICE "\",\"delivery\":\"mail\",\"address\":\"北京市东城区正义路1号\","
	    APPLICANT "}", ITEM, codes);
	assert_int_equal(http_json(&r, "POST", API "/cases", clerk7, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
	sheet_materials(ITEM, 2, NULL, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"step\":\"dispatch\",\"via\":\"electronic\",\"materials\":%s}",
	    mats);
	step_ok(clerk7, no, body, "dispatched");
	/* The office's receipt recorded by six at once (the window's clerk and the manager):
	 * one records it, the rest are told it is done; one history row, one SMS, the sheet
	 * signed once. */
	{
		enum { N = 6 };
		pthread_barrier_t go;
		pthread_t t[N];
		struct racer x[N];
		int i, ok = 0, late = 0;

		pthread_barrier_init(&go, NULL, N);
		for (i = 0; i < N; i++) {
			x[i] = (struct racer){ i % 2 ? manager : clerk7, no,
			    "{\"step\":\"receive\",\"date\":\"" TODAY "\"}", &go, 0 };
			assert_int_equal(pthread_create(&t[i], NULL, race, &x[i]), 0);
		}
		for (i = 0; i < N; i++) {
			pthread_join(t[i], NULL);
			ok += x[i].status == 200;
			late += x[i].status == 409;
		}
		pthread_barrier_destroy(&go);
		assert_int_equal(ok, 1);
		assert_int_equal(late, N - 1);
	}
	expect_db_state(no, "received");
	assert_int_equal(history_count(no, "xprov_receive"), 1);
	assert_int_equal(history_count(no, "handover_received"), 1);
	assert_int_equal(outbox_count("xprov_received", no), 1);
	step_ok(clerk7, no, "{\"step\":\"decide\",\"decision\":\"rejected\",\"doc_no\":\"粤医保不〔2026〕3号\","
	    "\"date\":\"" TODAY "\"}", "decided");
	step_ok(clerk7, no, "{\"step\":\"return\",\"via\":\"mail\",\"waybill\":\"SF9876543210\"}",
	    "returned");
	assert_int_equal(outbox_count("xprov_returned", no), 1);
	step_ok(clerk7, no, "{\"step\":\"deliver\",\"how\":\"mail\",\"carrier\":\"EMS\","
	    "\"waybill\":\"EM1234567\"}", "delivered");
	expect_db_state(no, "delivered");
	assert_int_equal(outbox_count("result_mailed", no), 1);
	step(&r, clerk7, no, "{\"step\":\"deliver\",\"how\":\"mail\",\"carrier\":\"EMS\","
	    "\"waybill\":\"EM1234567\"}");
	assert_error(&r, 409, "INVALID_STATE");
	resp_free(&r);
}

/* ---------------------------------------------------------------- incoming */

TEST(incoming_case_walks_every_state)
{
	struct resp r;
	char mats[512], body[2048], no[64], their[32];
	json_t *k;

	snprintf(their, sizeof their, "GZ-%lld", (long long)now_ms());
	/* A full ID number is not taken: only the masked data as sent. */
	snprintf(body, sizeof body, "{\"office\":\"" OFFICE "\",\"their_no\":\"%s\",\"item\":\""
	    ITEM "\",\"accepted_on\":\"2026-12-14\",\"applicant\":{\"name\":\"张*\","
	    "\"id_number\":\"11010519491231002X\",\"phone\":\"138****8000\"},\"materials\":[\"M1\"],"
	    "\"via\":\"mail\",\"waybill\":\"SF5550001\"}", their);
	assert_int_equal(http_json(&r, "POST", API "/cross-province/incoming", clerk7, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "applicant.id_number"));
	resp_free(&r);
	snprintf(body, sizeof body, "{\"office\":\"" OFFICE "\",\"their_no\":\"%s\",\"item\":\""
	    ITEM "\",\"accepted_on\":\"2026-12-14\",\"applicant\":{\"name\":\"张*\","
	    "\"id_number\":\"110105********002X\",\"phone\":\"138****8000\"},\"materials\":[\"M1\","
	    "\"M2\"],\"via\":\"mail\",\"waybill\":\"SF5550001\"}", their);
	expect_refusal("POST", API "/cross-province/incoming", clerk1, body, 403, "FORBIDDEN");
	assert_int_equal(http_json(&r, "POST", API "/cross-province/incoming", clerk7, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "no"));
	assert_string_equal(jstr(r.json, "cross_province.direction"), "in");
	assert_string_equal(jstr(r.json, "cross_province.state"), "dispatched");
	assert_string_equal(jstr(r.json, "cross_province.office"), OFFICE);
	resp_free(&r);
	/* The same case of theirs again: 409. */
	expect_refusal("POST", API "/cross-province/incoming", clerk7, body, 409, "CONFLICT");
	k = get_member(clerk7, "case", API "/cases/%s", no);
	assert_true(json_is_true(jget(k, "cross_province")));
	assert_string_equal(jstr(k, "applicant.id_number"), "110105********002X");
	assert_string_equal(jstr(k, "custody.holder.kind"), "office");
	json_decref(k);

	step(&r, approver_yb, no, "{\"step\":\"decide\",\"decision\":\"approved\",\"doc_no\":\"X1\","
	    "\"date\":\"" TODAY "\"}");
	assert_error(&r, 409, "INVALID_STATE");	/* not received yet */
	resp_free(&r);
	snprintf(mats, sizeof mats, "{\"step\":\"receive\",\"date\":\"" TODAY "\",\"materials\":"
	    "[{\"code\":\"M1\",\"pages\":4},{\"code\":\"M2\",\"pages\":1}]}");
	step_ok(clerk7, no, mats, "received");
	k = custody(no);
	assert_string_equal(jstr(k, "holder.kind"), "window");
	assert_int_equal(jint(k, "holder.window"), 7);
	json_decref(k);
	step_ok(approver_yb, no, "{\"step\":\"decide\",\"decision\":\"approved\",\"doc_no\":"
	    "\"京医保〔2026〕7号\",\"date\":\"" TODAY "\"}", "decided");
	step_ok(clerk7, no, "{\"step\":\"return\",\"via\":\"mail\",\"waybill\":\"SF5550002\"}",
	    "returned");
	k = custody(no);
	assert_true(json_is_true(jget(k, "in_transit")));
	assert_string_equal(jstr(k, "to.office"), OFFICE);
	json_decref(k);
	step_ok(clerk7, no, "{\"step\":\"deliver\",\"date\":\"" TODAY "\"}", "delivered");
	k = get_member(clerk7, "case", API "/cases/%s", no);
	assert_string_equal(jstr(k, "status"), "closed");
	json_decref(k);
	/* No SMS to a masked phone. */
	assert_int_equal(outbox_count("xprov_decided", no), 0);
	k = get_member(manager, "figures", API "/cross-province/figures");
	assert_true(jint(k, "in.delivered") >= 1);
	json_decref(k);
}

/* ---------------------------------------------------------------- online */

TEST(online_application_keeps_the_flag)
{
	struct resp r;
	json_t *mats = NULL, *k;
	char m[2048], body[4096], no[64], path[128], id[19], app[160];

	/* An ID number of this run's own: the citizen's account binds it (一证一号). */
	make_id(id, "19850312", (int)(now_ms() % 1000));
	snprintf(app, sizeof app, "\"applicant\":{\"name\":\"李网办\",\"id_number\":\"%s\","
	    "\"phone\":\"%s\"}", id, citizen_phone);
	snprintf(path, sizeof path, API "/items/%s", ITEM);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	mats = json_incref(jget(r.json, "item.materials") ? jget(r.json, "item.materials") :
	    jget(r.json, "materials"));
	resp_free(&r);
	materials_for(citizen, mats, 700, m, sizeof m);
	json_decref(mats);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",%s,\"materials\":%s}", app, m);
	assert_int_equal(http_json(&r, "POST", API "/cases", citizen, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(field_of(&r, "processing_office"));
	resp_free(&r);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",%s,\"materials\":%s,"
	    "\"processing_office\":\"" OFFICE "\"}", app, m);
	assert_int_equal(http_json(&r, "POST", API "/cases", citizen, body), 0);
	expect_status(&r, 201);
	snprintf(no, sizeof no, "%s", jstr(r.json, "case.no"));
	resp_free(&r);
	k = get_member(clerk7, "case", API "/cases/%s", no);
	assert_true(json_is_true(jget(k, "cross_province")));
	assert_string_equal(jstr(k, "cross.processing_office"), OFFICE);
	json_decref(k);
	/* Not accepted yet: no dispatch. */
	step(&r, clerk7, no, "{\"step\":\"dispatch\",\"via\":\"electronic\",\"materials\":"
	    "[{\"code\":\"M1\",\"pages\":1}]}");
	assert_error(&r, 409, "INVALID_STATE");
	resp_free(&r);
	case_act(&r, clerk7, no, "{\"action\":\"pre_accept\"}");
	expect_status(&r, 200);
	resp_free(&r);
	step_ok(clerk7, no, "{\"step\":\"dispatch\",\"via\":\"electronic\",\"materials\":"
	    "[{\"code\":\"M1\",\"pages\":1}]}", "dispatched");
	case_outbox_param(&test_db, "xprov_dispatched", no, "via", m, sizeof m);
	assert_string_equal(m, "通过网络传送");
}

SUITE_MAIN("cross_province", setup, teardown)
