/*
 * it_city.c — the demo city (issue 22, items 1 and 2, and the city figures) against the live
 * test stack: four halls (demo the centre, chengbei and chengnan the districts, qiaotou the
 * town 便民服务站), 全市通办 routing, the citizen's choice of pickup hall, and
 * GET /city/stats.
 *
 * The walk: a 出生医学证明补发 (IT-E-004, department wjw of the centre) is accepted at qiaotou,
 * decided by the centre, picked up at chengbei.  Every hall the case touches sees it, each
 * with only its own steps; the others do not see it, and a step taken at the wrong hall is
 * 403 WRONG_HALL with nothing changed (the record is read to check).  The citizen moves the
 * pickup to chengnan and back before the result is ready, not after.  The result_ready SMS
 * names chengbei and its pickup window.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"
#include "../../modules/hall/staff.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"

#define PHONE "13800138061"
#define APPLICANT "\"applicant\":{\"name\":\"张桥头\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"" PHONE "\"}"
#define ITEM "IT-E-004"	/* 出生医学证明补发: wjw, decided at the centre */

static char qt_clerk[128], qt_manager[128], cb_clerk[128], cb_pickup[128], cb_manager[128],
    cb_approver[128], cn_clerk[128], demo_approver[128], demo_pickup[128], demo_manager[128],
    demo_bdc[128],
    citizen[256], city[128];
static char case_no[64], track[64];

/* A column of the case's row in the record ("" for NULL); one statement text per column
 * (the suite's connection keeps its prepared statements by their text). */
static void
case_col(const char *col, char *out, size_t osz)
{
	static const struct { const char *col, *sql; } q[] = {
		{ "hall", "SELECT hall FROM cases WHERE no = ?" },
		{ "decide_hall", "SELECT COALESCE(decide_hall, '') FROM cases WHERE no = ?" },
		{ "pickup_hall", "SELECT COALESCE(pickup_hall, '') FROM cases WHERE no = ?" },
		{ "status", "SELECT status FROM cases WHERE no = ?" },
		{ "pickup_window", "SELECT COALESCE(pickup_window, '') FROM cases WHERE no = ?" },
	};
	size_t i;

	out[0] = '\0';
	for (i = 0; i < NELEM(q); i++)
		if (strcmp(q[i].col, col) == 0) {
			assert_true(db_scalar(&test_db, q[i].sql, DBARGS(DBS(case_no)), out, osz) >= 0);
			return;
		}
	fail_msg("no query for %s", col);
}

static void
expect_col(const char *col, const char *want)
{
	char v[64];

	case_col(col, v, sizeof v);
	assert_string_equal(v, want);
}

/* Whether the case is on token's GET /cases list (and its page answers). */
static int
sees(const char *token)
{
	struct resp r;
	char path[160];
	int listed, page;

	snprintf(path, sizeof path, "/api/v1/cases?q=%s", case_no);
	assert_int_equal(http_json(&r, "GET", path, token, NULL), 0);
	expect_status(&r, 200);
	listed = json_array_size(jget(r.json, "cases")) == 1;
	resp_free(&r);
	snprintf(path, sizeof path, "/api/v1/cases/%s", case_no);
	assert_int_equal(http_json(&r, "GET", path, token, NULL), 0);
	page = r.status == 200;
	assert_true(r.status == 200 || r.status == 404);
	resp_free(&r);
	assert_int_equal(listed, page);
	return page;
}

/* The actions token's page of the case offers, as "a,b," text. */
static void
offered(const char *token, char *out, size_t osz)
{
	struct resp r;
	char path[160];
	json_t *a, *v;
	size_t i;

	out[0] = '\0';
	snprintf(path, sizeof path, "/api/v1/cases/%s", case_no);
	assert_int_equal(http_json(&r, "GET", path, token, NULL), 0);
	expect_status(&r, 200);
	a = jget(r.json, "case.actions");
	json_array_foreach(a, i, v)
		snprintf(out + strlen(out), osz - strlen(out), "%s,", json_string_value(v));
	resp_free(&r);
}

/* The step is refused as another hall's: 403 WRONG_HALL naming that hall, status unchanged. */
static void
wrong_hall(const char *token, const char *body, const char *hall_name)
{
	struct resp r;
	char before[32], after[32];

	case_col("status", before, sizeof before);
	case_act(&r, token, case_no, body);
	assert_error(&r, 403, "WRONG_HALL");
	assert_non_null(strstr(jstr(r.json, "error.message"), hall_name));
	resp_free(&r);
	case_col("status", after, sizeof after);
	assert_string_equal(before, after);
}

static void
pickup_to(const char *hall, long want)
{
	struct resp r;
	char path[160], body[80];

	snprintf(path, sizeof path, "/api/v1/me/cases/%s/pickup", case_no);
	snprintf(body, sizeof body, "{\"pickup_hall\":\"%s\"}", hall);
	assert_int_equal(http_json(&r, "PUT", path, citizen, body), 0);
	expect_status(&r, want);
	if (want == 200)
		assert_string_equal(jstr(r.json, "case.pickup_hall"), hall);
	resp_free(&r);
}

/* ---------------------------------------------------------------- the halls */

TEST(the_city_has_four_halls_centre_first)
{
	struct resp r;
	json_t *halls, *items, *v;
	size_t i;
	int station = 0;

	assert_int_equal(http_json(&r, "GET", "/api/v1/halls", NULL, NULL), 0);
	expect_status(&r, 200);
	halls = jget(r.json, "halls");
	assert_true(json_array_size(halls) >= 4);
	/* The first hall is the centre: pages that take the first hall keep taking demo. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(halls, 0), "code")),
	    "demo");
	assert_string_equal(json_string_value(json_object_get(json_array_get(halls, 0), "kind")),
	    "centre");
	json_array_foreach(halls, i, v)
		if (strcmp(json_string_value(json_object_get(v, "code")), "qiaotou") == 0) {
			station = 1;
			assert_string_equal(json_string_value(json_object_get(v, "kind")), "station");
			assert_string_equal(json_string_value(json_object_get(v, "region_name")),
			    "示范市");
			assert_true(json_is_true(json_object_get(v, "pickup")));
		}
	assert_true(station);
	resp_free(&r);
	/* The station offers only its simple items, none of 市场准入 or 建设工程. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/items?hall=qiaotou", NULL, NULL), 0);
	expect_status(&r, 200);
	items = jget(r.json, "items");
	assert_true(json_array_size(items) >= 3);
	json_array_foreach(items, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));

		assert_true(strncmp(id, "IT-B-", 5) != 0 && strncmp(id, "IT-C-", 5) != 0);
	}
	resp_free(&r);
}

TEST(the_station_refuses_an_item_it_does_not_accept)
{
	struct resp r;
	char mats[512], body[2048], n0[24] = "", n1[24] = "";

	assert_true(db_scalar(&test_db, "SELECT COUNT(*) FROM cases WHERE hall = 'qiaotou'",
	    DBNOARGS, n0, sizeof n0) == 1);
	material_codes_text("IT-B-002", 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-002\",\"materials\":%s," APPLICANT "}",
	    mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", qt_clerk, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	/* It names the item. */
	assert_non_null(strstr(jstr(r.json, "error.fields.item"), "有限责任公司设立登记"));
	resp_free(&r);
	/* A pickup hall that hands nothing out (or is no hall of the city) is refused too. */
	material_codes_text(ITEM, 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"materials\":%s," APPLICANT
	    ",\"pickup_hall\":\"nosuch\"}", mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", qt_clerk, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(jstr(r.json, "error.fields.pickup_hall"));
	resp_free(&r);
	/* An instant item decided elsewhere cannot be approved on the spot at the station. */
	material_codes_text("IT-A-001", 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"IT-A-001\",\"materials\":%s," APPLICANT
	    ",\"approve\":true}", mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", qt_clerk, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(jstr(r.json, "error.fields.approve"));
	resp_free(&r);
	assert_true(db_scalar(&test_db, "SELECT COUNT(*) FROM cases WHERE hall = 'qiaotou'",
	    DBNOARGS, n1, sizeof n1) == 1);
	assert_string_equal(n0, n1);	/* nothing written */
}

/* ---------------------------------------------------------------- the walk */

TEST(accepted_at_the_station_routed_to_the_centre)
{
	struct resp r;
	char mats[512], body[2048];

	material_codes_text(ITEM, 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"materials\":%s," APPLICANT
	    ",\"pickup_hall\":\"chengbei\"}", mats);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", qt_clerk, body), 0);
	expect_strs(&r, 201, "case.status", "accepted", "case.hall", "qiaotou",
	    "case.decide_hall", "demo", "case.pickup_hall", "chengbei",
	    "case.halls.accept.name", "桥头镇便民服务站", NULL);
	snprintf(case_no, sizeof case_no, "%s", jstr(r.json, "case.no"));
	snprintf(track, sizeof track, "%s", jstr(r.json, "case.track_token"));
	assert_string_equal(jstr(r.json, "case.halls.decide.name"), "示范区政务服务中心");
	assert_string_equal(jstr(r.json, "case.halls.pickup.name"), "城北区政务服务中心");
	assert_int_equal(strncmp(case_no, "QIAOTOU-", 8), 0);
	resp_free(&r);
	/* The record holds the route. */
	expect_col("hall", "qiaotou");
	expect_col("decide_hall", "demo");
	expect_col("pickup_hall", "chengbei");
}

TEST(every_hall_it_touches_sees_it_and_no_other)
{
	char acts[200];

	assert_true(sees(qt_clerk));		/* accepted there */
	assert_true(sees(qt_manager));
	assert_true(sees(demo_approver));	/* decided by wjw at the centre */
	assert_true(sees(demo_manager));
	assert_true(sees(cb_clerk));		/* picked up there */
	assert_true(sees(cb_manager));
	assert_false(sees(cn_clerk));		/* chengnan has nothing to do with it */
	assert_false(sees(cb_approver));	/* chengbei's approver: not its department's, nor its hall's decision */
	/* Each sees only its own steps. */
	offered(demo_approver, acts, sizeof acts);
	assert_string_equal(acts, "assign,");
	offered(demo_manager, acts, sizeof acts);
	assert_string_equal(acts, "assign,");
	offered(qt_manager, acts, sizeof acts);
	assert_string_equal(acts, "");
	offered(cb_manager, acts, sizeof acts);
	assert_string_equal(acts, "");
}

TEST(only_the_deciding_hall_decides)
{
	wrong_hall(qt_manager, "{\"action\":\"assign\",\"assignee\":\"approver1\"}",
	    "示范区政务服务中心");
	wrong_hall(cb_manager, "{\"action\":\"assign\",\"assignee\":\"approver1\"}",
	    "示范区政务服务中心");
	case_act_ok(demo_approver, case_no, "{\"action\":\"assign\"}", "processing");
	case_act_ok(demo_approver, case_no, "{\"action\":\"approve\",\"note\":\"材料齐全，同意补发\"}",
	    "approved");
	expect_col("status", "approved");
}

TEST(the_citizen_changes_the_pickup_hall)
{
	json_t *halls;

	citizen_in(PHONE, citizen, sizeof citizen);
	pickup_to("chengnan", 200);
	expect_col("pickup_hall", "chengnan");
	/* Now chengnan sees it and chengbei no longer does. */
	assert_true(sees(cn_clerk));
	assert_false(sees(cb_clerk));
	/* Not a hall of the city that hands out results: refused, nothing changed. */
	pickup_to("nosuch", 400);
	expect_col("pickup_hall", "chengnan");
	pickup_to("chengbei", 200);
	expect_col("pickup_hall", "chengbei");
	/* The case page shows the three halls by name. */
	halls = get_member(citizen, "case.halls", "/api/v1/me/cases/%s", case_no);
	assert_string_equal(jstr(halls, "pickup.name"), "城北区政务服务中心");
	assert_string_equal(jstr(halls, "decide.name"), "示范区政务服务中心");
	json_decref(halls);
}

TEST(the_result_is_handed_out_at_the_pickup_hall)
{
	json_t *line = NULL, *page;
	long since = sms_log_size();
	char body[160];

	/* The centre's pickup window is not where it goes, nor the station's. */
	wrong_hall(demo_pickup, "{\"action\":\"ready\"}", "城北区政务服务中心");
	wrong_hall(qt_clerk, "{\"action\":\"ready\"}", "城北区政务服务中心");
	case_act_ok(cb_pickup, case_no, "{\"action\":\"ready\"}", "ready");
	expect_col("pickup_window", "5");
	/* The SMS names the pickup hall and its window. */
	if (sms_log_find_since(since, PHONE, "result_ready", &line, 15000) != 0)
		fail_msg("no result_ready SMS for %s", case_no);
	assert_string_equal(jstr(line, "params.case_no"), case_no);
	assert_string_equal(jstr(line, "params.hall"), "城北区政务服务中心");
	assert_string_equal(jstr(line, "params.window"), "5");
	assert_non_null(strstr(jstr(line, "params.hours"), "09:00"));	/* chengbei's hours */
	/* Once ready the pickup hall stays. */
	pickup_to("chengnan", 409);
	expect_col("pickup_hall", "chengbei");
	/* The tracking page names the three halls and the pickup window. */
	page = get_member(NULL, "case", "/api/v1/track/%s", track);
	assert_string_equal(jstr(page, "halls.pickup.name"), "城北区政务服务中心");
	assert_string_equal(jstr(page, "halls.accept.name"), "桥头镇便民服务站");
	assert_non_null(strstr(jstr(page, "pickup.window"), "统一出件"));
	json_decref(page);
	/* Handed out at chengbei only. */
	snprintf(body, sizeof body, "{\"action\":\"hand_over\",\"pickup_code\":\"%s\"}",
	    jstr(line, "params.pickup_code"));
	wrong_hall(qt_clerk, body, "城北区政务服务中心");
	case_act_ok(cb_pickup, case_no, body, "closed");
	json_decref(line);
}

TEST(the_citizen_chooses_the_pickup_hall_online)
{
	struct resp r;
	char idn[19], m[2048], body[4096];
	json_t *mats;

	citizen_in(PHONE, citizen, sizeof citizen);
	assert_int_equal(http_json(&r, "GET", "/api/v1/items/" ITEM, NULL, NULL), 0);
	expect_status(&r, 200);
	mats = json_incref(jget(r.json, "item.materials"));
	resp_free(&r);
	materials_for(citizen, mats, 700, m, sizeof m);
	json_decref(mats);
	make_id(idn, "19850612", (int)(time(NULL) % 1000));
	/* Not a hall that hands out results in the city: refused, naming the field. */
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"applicant\":{\"name\":\"张桥头\","
	    "\"id_number\":\"%s\",\"phone\":\"" PHONE "\"},\"materials\":%s,"
	    "\"pickup_hall\":\"nosuch\"}", idn, m);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen, body), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(jstr(r.json, "error.fields.pickup_hall"));
	resp_free(&r);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"applicant\":{\"name\":\"张桥头\","
	    "\"id_number\":\"%s\",\"phone\":\"" PHONE "\"},\"materials\":%s,"
	    "\"pickup_hall\":\"qiaotou\"}", idn, m);
	assert_int_equal(http_json(&r, "POST", "/api/v1/cases", citizen, body), 0);
	expect_strs(&r, 201, "case.pickup_hall", "qiaotou",
	    "case.halls.pickup.name", "桥头镇便民服务站", "case.decide_hall", "demo", NULL);
	resp_free(&r);
}

/* ---------------------------------------------------------------- 就近办 */

/* Accept IT-D-001 (不动产转移登记, department bdc) at a hall with its 婚姻状况证明 (M6) given as
 * a signed promise; the case number into no (64). */
static void
accept_estate(const char *clerk_tok, char *no)
{
	case_accept(NULL, clerk_tok, "IT-D-001", APPLICANT ",\"promises\":{\"M6\":{\"signed\":true}}",
	    no, NULL);
}

TEST(a_district_decides_real_estate_itself)
{
	char cb_no[64], cn_no[64], hall[40];
	struct resp r;

	/* chengbei decides 不动产登记 (就近办): its own bdc approver claims it. */
	accept_estate(cb_clerk, cb_no);
	snprintf(case_no, sizeof case_no, "%s", cb_no);
	expect_col("decide_hall", "chengbei");
	expect_col("pickup_hall", "chengbei");
	assert_true(sees(cb_approver));
	assert_false(sees(demo_bdc));
	case_act_ok(cb_approver, case_no, "{\"action\":\"assign\"}", "processing");
	/* Its promise is verified there too. */
	assert_true(db_scalar(&test_db, "SELECT pc.hall FROM promise_checks pc JOIN cases c"
	    " ON c.id = pc.case_id WHERE c.no = ?", DBARGS(DBS(cb_no)), hall, sizeof hall) == 1);
	assert_string_equal(hall, "chengbei");
	/* chengnan accepts it but the centre decides: the centre's bdc approver, not chengbei's. */
	accept_estate(cn_clerk, cn_no);
	snprintf(case_no, sizeof case_no, "%s", cn_no);
	expect_col("decide_hall", "demo");
	assert_true(sees(demo_bdc));
	assert_false(sees(cb_approver));
	assert_true(db_scalar(&test_db, "SELECT pc.hall FROM promise_checks pc JOIN cases c"
	    " ON c.id = pc.case_id WHERE c.no = ?", DBARGS(DBS(cn_no)), hall, sizeof hall) == 1);
	assert_string_equal(hall, "demo");
	/* The centre's approver sees the task in its list; chengnan's manager does not decide. */
	assert_int_equal(http_json(&r, "GET", "/api/v1/promise-checks?status=open", demo_bdc, NULL),
	    0);
	expect_status(&r, 200);
	assert_non_null(strstr(r.body, cn_no));
	assert_null(strstr(r.body, cb_no));
	resp_free(&r);
}

/* ---------------------------------------------------------------- the city's figures */

static void
take(const char *hall, const char *clerk_tok)
{
	char path[96];

	snprintf(path, sizeof path, "/api/v1/halls/%s/tickets", hall);
	expect_reply("POST", path, clerk_tok, "{\"category\":\"A\"}", 201);
}

static void
call_next(const char *clerk_tok, int window)
{
	char path[96];

	snprintf(path, sizeof path, "/api/v1/windows/%d/call-next", window);
	expect_reply("POST", path, clerk_tok, NULL, 200);
}

static long long
ji(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

TEST(city_total_is_the_sum_of_the_halls)
{
	static const char *const counts[] = { "tickets_taken", "tickets_served", "tickets_called",
	    "wait_seconds", "cases_accepted", "cases_decided", "cases_overdue", "reviews",
	    "reviews_satisfied" };
	char cb2[128], qt_db[24], cb_db[24];
	struct resp r;
	json_t *halls, *total, *v, *qt = NULL, *cb = NULL, *dm = NULL;
	size_t i, k;

	staff_in_hall("chengbei", "clerk2", 2, cb2, sizeof cb2);
	/* Waits that differ by hall: one number at the station, two at chengbei. */
	take("qiaotou", qt_clerk);
	take("chengbei", cb_clerk);
	take("chengbei", cb_clerk);
	clock_at("2026-11-23T10:40:00+08:00");
	call_next(qt_clerk, 1);
	call_next(cb_clerk, 1);
	clock_at("2026-11-23T10:50:00+08:00");
	call_next(cb2, 2);

	assert_int_equal(http_json(&r, "GET", "/api/v1/city/stats?from=2026-11-23&to=2026-11-23",
	    city, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "city.name"), "示范市");
	halls = jget(r.json, "halls");
	total = jget(r.json, "total");
	assert_int_equal(json_array_size(halls), 4);
	assert_int_equal(ji(total, "halls"), 4);
	json_array_foreach(halls, i, v) {
		const char *h = json_string_value(json_object_get(v, "hall"));

		if (strcmp(h, "qiaotou") == 0)
			qt = v;
		else if (strcmp(h, "chengbei") == 0)
			cb = v;
		else if (strcmp(h, "demo") == 0)
			dm = v;
		/* Each row's average is its own waits over its own called numbers. */
		if (ji(v, "tickets_called") > 0)
			assert_true(fabs(json_number_value(json_object_get(v, "avg_wait_minutes")) -
			    round((double)ji(v, "wait_seconds") / (double)ji(v, "tickets_called") /
			    6.0) / 10.0) < 1e-9);
	}
	assert_non_null(qt);
	assert_non_null(cb);
	assert_non_null(dm);
	/* The totals are the sums of the rows. */
	for (k = 0; k < NELEM(counts); k++) {
		long long sum = 0;

		json_array_foreach(halls, i, v)
			sum += ji(v, counts[k]);
		assert_int_equal(ji(total, counts[k]), sum);
	}
	/* The total average is weighted by the numbers called, not a mean of the halls'. */
	assert_true(ji(total, "tickets_called") > 0);
	assert_true(fabs(json_number_value(json_object_get(total, "avg_wait_minutes")) -
	    round((double)ji(total, "wait_seconds") / (double)ji(total, "tickets_called") / 6.0) /
	    10.0) < 1e-9);
	/* The rows agree with the record, and hold what this test did. */
	assert_true(db_scalar(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'qiaotou'"
	    " AND day = '2026-11-23'", DBNOARGS, qt_db, sizeof qt_db) == 1);
	assert_true(db_scalar(&test_db, "SELECT COUNT(*) FROM queue_tickets WHERE hall = 'chengbei'"
	    " AND day = '2026-11-23'", DBNOARGS, cb_db, sizeof cb_db) == 1);
	assert_int_equal(ji(qt, "tickets_taken"), strtoll(qt_db, NULL, 10));
	assert_int_equal(ji(cb, "tickets_taken"), strtoll(cb_db, NULL, 10));
	assert_true(ji(qt, "tickets_called") >= 1 && ji(cb, "tickets_called") >= 2);
	assert_true(ji(cb, "wait_seconds") >= 40 * 60 + 50 * 60 - 120);
	/* The walk above: accepted at the station, decided at the centre. */
	assert_true(ji(qt, "cases_accepted") >= 1);
	assert_true(ji(dm, "cases_decided") >= 1);
	resp_free(&r);
	/* A hall's manager does not get the city's figures. */
	expect_refusal("GET", "/api/v1/city/stats", cb_manager, NULL, 403, "FORBIDDEN");
}

/* ---------------------------------------------------------------- setup */

FIXTURE(setup)
{
	static const struct signer who[] = {
		STAFF_AT("qiaotou", "clerk1", 1, qt_clerk),
		STAFF_AT("qiaotou", "manager1", 0, qt_manager),
		STAFF_AT("chengbei", "clerk1", 1, cb_clerk),
		STAFF_AT("chengbei", "clerk5", 5, cb_pickup),
		STAFF_AT("chengbei", "manager1", 0, cb_manager),
		STAFF_AT("chengbei", "approver1", 0, cb_approver),
		STAFF_AT("chengnan", "clerk1", 1, cn_clerk),
		NEW_STAFF("approver_wjw", "卫计审批", "approver", "wjw", 0, demo_approver),
		STAFF("clerk8", 8, demo_pickup),
		NEW_STAFF("approver_bdc", "钱国栋", "approver", "bdc", 0, demo_bdc),
		STAFF("manager1", 0, demo_manager),
		STAFF("city1", 0, city),
	};

	return suite_sign_in(st, "2026-11-23T10:00:00+08:00", who);
}

SUITE_MAIN("city", setup, suite_teardown)
