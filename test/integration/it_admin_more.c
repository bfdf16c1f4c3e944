/*
 * it_admin_more.c — the rest of the administration console (issue 21) against the live test
 * stack: categories and departments, retiring in the hall part, slot plans per weekday and
 * per date, the queue's copy of the hall on every app process.
 *
 * With the hall clock on Thursday 2026-12-10, 10:00 (a working day; the 2026 notice is
 * loaded), and a category Q of this suite's own (left retired afterwards):
 * - a clerk and an approver get 403 for categories and departments; bad fields get 400
 *   naming each one and nothing is made;
 * - Q created: within 1.2 s every app process takes numbers in it (before, each refused
 *   it: their copies of the hall were primed without Q);
 * - a category O written and the generation raised as another app process does it: the
 *   copies here still refuse O until the generation moves, then within 1.2 s give numbers in
 *   it (the test stack's sequential requests may all reach one process: this is what makes
 *   "another process's change" certain);
 *   changed, with the audit's before and after; retired: within 1.2 s every process refuses
 *   a number in it and GET /halls/demo/categories leaves it out, while the console's list
 *   shows it retired; restored: numbers again;
 * - Q's plan: the category's 09:00 slot, Thursdays' own 14:00 slot, Friday 11th with no
 *   slots at all — GET /halls/demo/slots follows; a booking on the Thursday slot makes
 *   cutting that slot to 0 places a 409 BOOKINGS_AFFECTED (nothing saved) until "notify":
 *   then the booking is cancelled in MariaDB and its citizen gets the SMS; removing the
 *   weekday's plan brings the category's back;
 * - Q retired: its slots are not offered and booking one is refused (422), restored they
 *   are back;
 * - window 21 (calling Q): not retired while a clerk is signed in there, nor while a ticket
 *   called there is open (409); retired: nobody signs in there (400 window), the console's
 *   list says so; restored: sign-in again;
 * - a department created, retired: a new item in it is refused (400 department), an item
 *   it already has keeps it; restored: the new item is made;
 * - 延时服务 on Thursday 31 December (13:30–20:00): the kiosk gives numbers at 19:00 on every
 *   process; at 20:30 HALL_CLOSED names that day's hours (…13:30–20:00), an ordinary
 *   Wednesday's does not.
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
#include "../lib/http.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/records.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"

#define API "/api/v1"
#define THURSDAY "2026-12-10T10:00:00+08:00"
#define PHONE "13800138141"
/* Enough requests in a row that every app process answers some (as it_catalog). */
#define ROUNDS 40

static char admin[128], manager[128], clerk[128], approver[128], kiosk[128];

static long long
count1(const char *sql, const char *arg)
{
	return db_count(&test_db, sql, arg);
}

/* ROUNDS numbers in category cat at the kiosk: how many were given (201). */
static int
takes(const char *cat, int *refused_field)
{
	struct resp r;
	char body[64];
	int i, ok = 0;

	*refused_field = 0;
	snprintf(body, sizeof body, "{\"category\":\"%s\"}", cat);
	for (i = 0; i < ROUNDS; i++) {
		assert_int_equal(http_json(&r, "POST", API "/halls/demo/tickets", kiosk, body), 0);
		if (r.status == 201)
			ok++;
		else if (r.status == 400 &&
		    json_object_get(jget(r.json, "error.fields"), "category") != NULL)
			(*refused_field)++;
		else
			fail_msg("take %s: %ld %.300s", cat, r.status, r.body ? r.body : "");
		resp_free(&r);
	}
	return ok;
}

/* Is category code in GET /halls/demo/categories (every answer of ROUNDS the same)? */
static int
listed(const char *code)
{
	struct resp r;
	json_t *c;
	size_t i;
	int k, yes = 0, no = 0;

	for (k = 0; k < ROUNDS; k++) {
		int found = 0;

		assert_int_equal(http(&r, "GET", API "/halls/demo/categories", NULL, NULL), 0);
		expect_status(&r, 200);
		json_array_foreach(jget(r.json, "categories"), i, c)
			if (strcmp(jstr(c, "code"), code) == 0)
				found = 1;
		resp_free(&r);
		found ? yes++ : no++;
	}
	assert_true(yes == 0 || no == 0);
	return yes > 0;
}

static void
put_ok(const char *method, const char *path, const char *token, const char *body, long want)
{
	struct resp r;

	assert_int_equal(http_json(&r, method, path, token, body), 0);
	if (r.status != want)
		fail_msg("%s %s: %ld, wanted %ld: %.400s", method, path, r.status, want,
		    r.body ? r.body : "");
	resp_free(&r);
}

TEST(only_admins_and_named_fields)
{
	clock_at(THURSDAY);
	expect_refusal("PUT", API "/admin/halls/demo/categories/Q", clerk, "{\"name\":\"x\"}", 403,
	    "FORBIDDEN");
	expect_refusal("PUT", API "/admin/halls/demo/categories/Q", approver, "{\"name\":\"x\"}",
	    403, "FORBIDDEN");
	expect_refusal("POST", API "/admin/halls/demo/categories/A/retire", clerk, NULL, 403,
	    "FORBIDDEN");
	expect_refusal("PUT", API "/admin/departments/it-more", approver, "{\"name\":\"x\"}", 403,
	    "FORBIDDEN");
	expect_refusal("POST", API "/admin/halls/demo/windows/1/retire", clerk, NULL, 403,
	    "FORBIDDEN");
	expect_refusal("GET", API "/admin/halls/demo/categories", clerk, NULL, 403, "FORBIDDEN");
	/* Every bad field named at once; nothing made. */
	expect_invalid("PUT", API "/admin/halls/demo/categories/q1", admin,
	    "{\"name\":\"\",\"sort\":300,\"kind\":\"vip\",\"avg_service_minutes\":0,"
	    "\"cross_province\":\"yes\"}",
	    "code name sort kind avg_service_minutes cross_province");
	expect_invalid("PUT", API "/admin/departments/bad.code", admin, "{\"name\":\"\"}",
	    "code name");
	assert_int_equal(count1("SELECT COUNT(*) FROM categories WHERE hall = 'demo' AND code = ?",
	    "Q"), 0);
	/* A category that is not there cannot be retired. */
	expect_refusal("POST", API "/admin/halls/demo/categories/Q/retire", admin, NULL, 404,
	    "NOT_FOUND");
}

TEST(a_category_is_created_changed_retired_and_restored)
{
	struct resp r;
	char detail[600] = "";
	int refused;

	clock_at(THURSDAY);
	/* Every process's copy of the hall, made without Q: each refuses it. */
	assert_int_equal(takes("Q", &refused), 0);
	assert_int_equal(refused, ROUNDS);

	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/categories/Q", admin,
	    "{\"name\":\"户籍·𠮷 业务\",\"description\":\"测试用类别\",\"sort\":9,"
	    "\"avg_service_minutes\":7}"), 0);
	expect_strs(&r, 201, "category.name", "户籍·𠮷 业务", "category.kind", "service", NULL);
	assert_false(json_is_true(jget(r.json, "category.retired")));
	resp_free(&r);
	/* Within 1.2 s every process takes numbers in it, and lists it. */
	usleep(1200 * 1000);
	assert_int_equal(takes("Q", &refused), ROUNDS);
	assert_true(listed("Q"));

	/* Changed: audited with before and after. */
	put_ok("PUT", API "/admin/halls/demo/categories/Q", admin,
	    "{\"name\":\"户籍业务\",\"description\":\"测试用类别\",\"sort\":9,"
	    "\"avg_service_minutes\":8}", 200);
	assert_int_equal(db_scalar(&test_db, "SELECT detail FROM audit_log WHERE action ="
	    " 'admin.category' AND target = 'demo:Q' ORDER BY id DESC LIMIT 1", DBNOARGS, detail,
	    sizeof detail), 1);
	assert_non_null(strstr(detail, "\"before\":{"));
	assert_non_null(strstr(detail, "户籍·𠮷 业务"));
	assert_non_null(strstr(detail, "\"avg_service_minutes\":8"));

	/* Retired: every process refuses a new number within 1.2 s; the kiosk's list drops it;
	 * the console still shows it, retired; the row is kept. */
	assert_int_equal(http_json(&r, "POST", API "/admin/halls/demo/categories/Q/retire", admin,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "changed")));
	assert_true(json_is_true(jget(r.json, "category.retired")));
	resp_free(&r);
	usleep(1200 * 1000);
	assert_int_equal(takes("Q", &refused), 0);
	assert_int_equal(refused, ROUNDS);
	assert_false(listed("Q"));
	assert_int_equal(count1("SELECT COUNT(*) FROM categories WHERE hall = 'demo' AND code = ?"
	    " AND retired_at IS NOT NULL", "Q"), 1);
	/* Its tickets already waiting are still there to be called. */
	assert_true(count1("SELECT COUNT(*) FROM queue_tickets WHERE hall = 'demo' AND"
	    " category = ? AND status = 'waiting'", "Q") >= ROUNDS);
	assert_int_equal(http_json(&r, "GET", API "/admin/halls/demo/categories", manager, NULL),
	    0);
	expect_status(&r, 200);
	assert_non_null(strstr(r.body, "\"code\":\"Q\""));
	resp_free(&r);
	/* Retiring again changes nothing. */
	assert_int_equal(http_json(&r, "POST", API "/admin/halls/demo/categories/Q/retire", admin,
	    NULL), 0);
	expect_status(&r, 200);
	assert_false(json_is_true(jget(r.json, "changed")));
	resp_free(&r);

	/* Restored: numbers again, everywhere. */
	put_ok("POST", API "/admin/halls/demo/categories/Q/restore", admin, NULL, 200);
	usleep(1200 * 1000);
	assert_int_equal(takes("Q", &refused), ROUNDS);
	assert_true(listed("Q"));
	set_clock(NULL);
}

/*
 * A change made by another app process (on this host or another): the row written as that
 * process writes it, and the generation raised as its queue_hall_changed raises it.  The
 * processes answering here did not make it, so their copies of the hall (primed without
 * category O) must go on the generation alone: until it is raised they still refuse O (a
 * copy, not a fresh read); within 1.2 s of it every answer gives numbers in O.
 */
TEST(a_change_by_another_process_is_seen_within_a_second)
{
	redisReply *rep;
	int refused;

	clock_at(THURSDAY);
	assert_int_equal(takes("O", &refused), 0);	/* every copy primed without O */
	assert_int_equal(refused, ROUNDS);
	assert_int_equal(db_exec(&test_db, "INSERT INTO categories (hall, code, name, sort)"
	    " VALUES ('demo', 'O', '其他进程所建', 20)", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(takes("O", &refused), 0);	/* the copies stand: no fresh read */
	rep = kv_cmd(&test_db, "INCR yc:queue:cfg_gen");
	assert_non_null(rep);
	freeReplyObject(rep);
	usleep(1200 * 1000);
	assert_int_equal(takes("O", &refused), ROUNDS);
	assert_int_equal(db_exec(&test_db, "UPDATE categories SET retired_at = NOW() WHERE"
	    " hall = 'demo' AND code = 'O'", DBNOARGS, NULL, NULL), 0);
	rep = kv_cmd(&test_db, "INCR yc:queue:cfg_gen");
	assert_non_null(rep);
	freeReplyObject(rep);
	usleep(1200 * 1000);
	assert_int_equal(takes("O", &refused), 0);
	assert_int_equal(refused, ROUNDS);
	set_clock(NULL);
}

/* The starts of Q's slots on date ("09:00 14:00"), as the booking page gets them. */
static void
q_slots(const char *date, char *out, size_t osz)
{
	struct resp r;
	json_t *s;
	size_t i;

	out[0] = '\0';
	snprintf(out, osz, "%s", "");
	{
		char path[160];

		snprintf(path, sizeof path, API "/halls/demo/slots?category=Q&date=%s", date);
		assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	}
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "slots"), i, s) {
		const char *start = jstr(s, "start");

		assert_non_null(start);
		snprintf(out + strlen(out), osz - strlen(out), "%s%.5s", out[0] ? " " : "",
		    start + 11);
	}
	resp_free(&r);
}

TEST(weekday_and_date_plans_decide_the_slots)
{
	char cit[256], id[19], body[512], got[200], cap[8] = "";
	struct resp r;
	json_t *line = NULL;
	long sms;

	clock_at("2026-12-07T09:00:00+08:00");
	/* The category's plan: 09:00; Thursdays: 14:00 only; Friday 11th: nothing. */
	put_ok("PUT", API "/admin/halls/demo/slot-plans/Q", admin,
	    "{\"slots\":[{\"start\":\"09:00\",\"minutes\":30,\"capacity\":2}]}", 200);
	put_ok("PUT", API "/admin/halls/demo/slot-plans/Q/weekdays/4", admin,
	    "{\"slots\":[{\"start\":\"14:00\",\"minutes\":30,\"capacity\":3}]}", 200);
	put_ok("PUT", API "/admin/halls/demo/slot-plans/Q/dates/2026-12-11", admin,
	    "{\"slots\":[]}", 200);
	q_slots("2026-12-10", got, sizeof got);
	assert_string_equal(got, "14:00");
	q_slots("2026-12-11", got, sizeof got);
	assert_string_equal(got, "");
	q_slots("2026-12-08", got, sizeof got);
	assert_string_equal(got, "09:00");
	/* Bad fields named; nothing saved. */
	expect_invalid("PUT", API "/admin/halls/demo/slot-plans/Q/weekdays/8", admin,
	    "{\"slots\":[{\"start\":\"9点\",\"minutes\":30,\"capacity\":1}]}",
	    "weekday slots[0].start");
	expect_invalid("PUT", API "/admin/halls/demo/slot-plans/Q/dates/2026-02-30", admin,
	    "{\"slots\":[]}", "date");
	/* The console reads the three. */
	assert_int_equal(http_json(&r, "GET", API "/admin/halls/demo/slot-plans", manager, NULL),
	    0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "weekdays.Q.4.0.start"), "14:00");
	assert_int_equal(json_array_size(jget(r.json, "dates.Q.2026-12-11")), 0);
	assert_non_null(jget(r.json, "dates.Q.2026-12-11"));
	resp_free(&r);

	/* A citizen books Thursday 10th 14:00. */
	citizen_in(PHONE, cit, sizeof cit);
	make_id(id, "19850101", 141);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"Q\",\"slot\":"
	    "\"Q-20261210-1400\",\"name\":\"王五\",\"id_number\":\"%s\"}", id);
	put_ok("POST", API "/appointments", cit, body, 201);
	/* Thursdays cut to 0 places: refused while the booking stands, nothing saved. */
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/slot-plans/Q/weekdays/4",
	    admin, "{\"slots\":[{\"start\":\"14:00\",\"minutes\":30,\"capacity\":0}]}"), 0);
	assert_error(&r, 409, "BOOKINGS_AFFECTED");
	assert_int_equal(jint(r.json, "error.bookings"), 1);
	resp_free(&r);
	assert_int_equal(db_scalar(&test_db, "SELECT capacity FROM slot_plan_weekday_slots WHERE"
	    " hall = 'demo' AND category = 'Q' AND weekday = 4", DBNOARGS, cap, sizeof cap), 1);
	assert_string_equal(cap, "3");
	assert_int_equal(count1("SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND"
	    " category = ? AND status = 'booked'", "Q"), 1);
	/* Confirmed: saved, the booking cancelled, its citizen told. */
	sms = sms_log_size();
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/slot-plans/Q/weekdays/4",
	    admin, "{\"slots\":[{\"start\":\"14:00\",\"minutes\":30,\"capacity\":0}],"
	    "\"notify\":true}"), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "cancelled"), 1);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND"
	    " category = ? AND status = 'booked'", "Q"), 0);
	assert_int_equal(sms_log_find_since(sms, PHONE, "appointment_cancelled", &line, 20000), 0);
	json_decref(line);
	assert_true(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.slot_plan' AND"
	    " target = ?", "demo:Q:w4") >= 2);
	/* The weekday's plan removed: Thursdays follow the category's plan again. */
	put_ok("DELETE", API "/admin/halls/demo/slot-plans/Q/weekdays/4", admin, NULL, 200);
	q_slots("2026-12-10", got, sizeof got);
	assert_string_equal(got, "09:00");
	q_slots("2026-12-11", got, sizeof got);	/* the date's own still stands */
	assert_string_equal(got, "");
	put_ok("DELETE", API "/admin/halls/demo/slot-plans/Q/dates/2026-12-11", admin, NULL, 200);
	q_slots("2026-12-11", got, sizeof got);
	assert_string_equal(got, "09:00");
	set_clock(NULL);
}

TEST(a_retired_category_takes_no_bookings)
{
	char cit[256], id[19], body[512], got[200];

	clock_at("2026-12-07T09:00:00+08:00");
	q_slots("2026-12-11", got, sizeof got);
	assert_string_equal(got, "09:00");
	put_ok("POST", API "/admin/halls/demo/categories/Q/retire", admin, NULL, 200);
	q_slots("2026-12-11", got, sizeof got);
	assert_string_equal(got, "");
	citizen_in(PHONE, cit, sizeof cit);
	make_id(id, "19850101", 141);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"Q\",\"slot\":"
	    "\"Q-20261211-0900\",\"name\":\"王五\",\"id_number\":\"%s\"}", id);
	expect_refusal("POST", API "/appointments", cit, body, 422, "SLOT_UNAVAILABLE");
	assert_int_equal(count1("SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND"
	    " category = ? AND status = 'booked'", "Q"), 0);
	put_ok("POST", API "/admin/halls/demo/categories/Q/restore", admin, NULL, 200);
	q_slots("2026-12-11", got, sizeof got);
	assert_string_equal(got, "09:00");
	set_clock(NULL);
}

static void
sign_in_at(const char *user, int window, long want, char *tok, size_t tsz)
{
	struct resp r;
	char body[256];

	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\",\"password\":"
	    "\"yichuang-demo\",\"window\":%d}", user, window);
	assert_int_equal(http_json(&r, "POST", API "/staff/login", NULL, body), 0);
	if (r.status != want)
		fail_msg("sign-in at %d: %ld %.300s", window, r.status, r.body ? r.body : "");
	if (want == 400)
		assert_non_null(json_object_get(jget(r.json, "error.fields"), "window"));
	if (tok)
		snprintf(tok, tsz, "%s", r.status == 200 ? jstr(r.json, "token") : "");
	resp_free(&r);
}

TEST(a_window_in_use_is_not_retired)
{
	char tok[256];
	struct resp r;

	clock_at(THURSDAY);
	put_ok("PUT", API "/admin/halls/demo/windows/21", admin,
	    "{\"name\":\"21号窗口 测试\",\"kind\":\"comprehensive\",\"categories\":[\"Q\"]}", 200);
	/* A clerk signed in there. */
	sign_in_at("clerk2", 21, 200, tok, sizeof tok);
	expect_refusal("POST", API "/admin/halls/demo/windows/21/retire", admin, NULL, 409,
	    "INVALID_STATE");
	/* A ticket called there, its clerk gone. */
	usleep(1200 * 1000);	/* every process's copy has window 21 */
	put_ok("POST", API "/windows/21/call-next", tok, NULL, 200);
	put_ok("POST", API "/auth/logout", tok, NULL, 204);
	expect_refusal("POST", API "/admin/halls/demo/windows/21/retire", admin, NULL, 409,
	    "INVALID_STATE");
	assert_int_equal(count1("SELECT COUNT(*) FROM windows WHERE hall = 'demo' AND number = 21"
	    " AND retired_at IS NOT NULL", NULL), 0);
	/* Finished and signed out: retired. */
	sign_in_at("clerk2", 21, 200, tok, sizeof tok);
	put_ok("POST", API "/windows/21/finish", tok, "{\"outcome\":\"done\"}", 200);
	put_ok("POST", API "/auth/logout", tok, NULL, 204);
	assert_int_equal(http_json(&r, "POST", API "/admin/halls/demo/windows/21/retire", admin,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "window.retired")));
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM windows WHERE hall = 'demo' AND number = 21"
	    " AND retired_at IS NOT NULL", NULL), 1);
	/* Nobody signs in there; the console lists it retired; the trail says so. */
	sign_in_at("clerk2", 21, 400, NULL, 0);
	assert_int_equal(http_json(&r, "GET", API "/admin/halls/demo/windows", manager, NULL), 0);
	expect_status(&r, 200);
	{
		json_t *w;
		size_t i;
		int seen = 0;

		json_array_foreach(jget(r.json, "windows"), i, w)
			if (jint(w, "number") == 21) {
				seen = 1;
				assert_true(json_is_true(jget(w, "retired")));
				assert_string_equal(jstr(w, "categories.0"), "Q");
			}
		assert_true(seen);
	}
	resp_free(&r);
	assert_true(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.window' AND"
	    " target = 'demo:21' AND detail LIKE ?", "%\"after\":{\"retired\":true}%") >= 1);
	/* Restored: sign-in again. */
	put_ok("POST", API "/admin/halls/demo/windows/21/restore", admin, NULL, 200);
	sign_in_at("clerk2", 21, 200, tok, sizeof tok);
	put_ok("POST", API "/auth/logout", tok, NULL, 204);
	put_ok("POST", API "/admin/halls/demo/windows/21/retire", admin, NULL, 200);
	set_clock(NULL);
}

/* An item of department it-more, as PUT /admin/items/{id} takes it. */
static const char *
item_of(const char *id, const char *name)
{
	static char b[1024];

	snprintf(b, sizeof b, "{\"id\":\"%s\",\"hall\":\"demo\",\"name\":\"%s\","
	    "\"category\":\"A\",\"department\":\"it-more\",\"kind\":\"promised\","
	    "\"promised_days\":5,\"legal_days\":20,\"fee\":\"不收费\",\"keywords\":[],"
	    "\"must_attend\":false,\"materials\":[{\"name\":\"申请书\",\"required\":true,"
	    "\"form\":\"original\"}]}", id, name);
	return b;
}

TEST(a_department_is_created_retired_and_takes_no_new_items)
{
	char region[128], id1[40], id2[40], path[96];
	struct resp r;

	staff_in("region1", 0, region, sizeof region);
	snprintf(id1, sizeof id1, "IT-MORE-%d-1", (int)getpid());
	snprintf(id2, sizeof id2, "IT-MORE-%d-2", (int)getpid());
	assert_int_equal(http_json(&r, "PUT", API "/admin/departments/it-more", admin,
	    "{\"name\":\"市𠮷局\"}"), 0);
	if (r.status != 201 && r.status != 200)
		fail_msg("department: %ld %.300s", r.status, r.body ? r.body : "");
	assert_string_equal(jstr(r.json, "department.name"), "市𠮷局");
	/* A new department sits in the writer's hall (its back office: 全市通办 routes there). */
	assert_string_equal(jstr(r.json, "department.hall"), "demo");
	resp_free(&r);
	/* A hall's admin cannot seat it in another hall, nor in one that is not there; nothing
	 * changes. */
	expect_invalid("PUT", API "/admin/departments/it-more", admin,
	    "{\"name\":\"市𠮷局\",\"hall\":\"chengbei\"}", "hall");
	expect_invalid("PUT", API "/admin/departments/it-more", region,
	    "{\"name\":\"市𠮷局\",\"hall\":\"no-such-hall\"}", "hall");
	assert_int_equal(count1("SELECT COUNT(*) FROM departments WHERE code = ? AND hall = 'demo'",
	    "it-more"), 1);
	/* The region's administrator moves it to chengbei and back; a change without hall keeps
	 * it. */
	put_ok("PUT", API "/admin/departments/it-more", region,
	    "{\"name\":\"市𠮷局\",\"hall\":\"chengbei\"}", 200);
	assert_int_equal(count1("SELECT COUNT(*) FROM departments WHERE code = ? AND"
	    " hall = 'chengbei'", "it-more"), 1);
	put_ok("PUT", API "/admin/departments/it-more", region, "{\"name\":\"市𠮷局\"}", 200);
	assert_int_equal(count1("SELECT COUNT(*) FROM departments WHERE code = ? AND"
	    " hall = 'chengbei'", "it-more"), 1);
	put_ok("PUT", API "/admin/departments/it-more", region,
	    "{\"name\":\"市𠮷局\",\"hall\":\"demo\"}", 200);
	put_ok("POST", API "/admin/departments/it-more/restore", admin, NULL, 200);
	/* An item in it, then the department retired. */
	snprintf(path, sizeof path, API "/admin/items/%s", id1);
	put_ok("PUT", path, region, item_of(id1, "测试事项一"), 201);
	assert_int_equal(http_json(&r, "POST", API "/admin/departments/it-more/retire", admin,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "department.retired")));
	assert_true(jint(r.json, "department.items") >= 1);
	resp_free(&r);
	/* A new item in it: refused, naming the field; the one it has keeps it. */
	snprintf(path, sizeof path, API "/admin/items/%s", id2);
	assert_int_equal(http_json(&r, "PUT", path, region, item_of(id2, "测试事项二")), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(strstr(r.body, "department"));
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM items WHERE id = ?", id2), 0);
	snprintf(path, sizeof path, API "/admin/items/%s", id1);
	put_ok("PUT", path, region, item_of(id1, "测试事项一（改）"), 200);
	/* Restored: the new item is made. */
	put_ok("POST", API "/admin/departments/it-more/restore", admin, NULL, 200);
	snprintf(path, sizeof path, API "/admin/items/%s", id2);
	put_ok("PUT", path, region, item_of(id2, "测试事项二"), 201);
	assert_true(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.department' AND"
	    " target = ?", "it-more") >= 2);
	/* The items go out of service again (retired, kept). */
	snprintf(path, sizeof path, API "/admin/items/%s/retire", id1);
	put_ok("POST", path, region, NULL, 200);
	snprintf(path, sizeof path, API "/admin/items/%s/retire", id2);
	put_ok("POST", path, region, NULL, 200);
}

/* 延时服务 on one date: numbers until 20:00 that day, and the refusal names the day's hours. */
TEST(evening_hours_of_a_date_reach_the_kiosk)
{
	struct resp r;
	int i;

	clock_at("2026-12-07T09:00:00+08:00");
	put_ok("PUT", API "/admin/halls/demo/hours/2026-12-31", admin,
	    "{\"periods\":[{\"open\":\"08:30\",\"close\":\"12:00\"},{\"open\":\"13:30\","
	    "\"close\":\"20:00\"}],\"note\":\"延时服务\"}", 200);
	usleep(2100 * 1000);	/* every process's copy of the hours (2 s at most) */
	clock_at("2026-12-31T19:00:00+08:00");
	for (i = 0; i < 8; i++)
		put_ok("POST", API "/halls/demo/tickets", kiosk, "{\"category\":\"A\"}", 201);
	clock_at("2026-12-31T20:30:00+08:00");
	assert_int_equal(http_json(&r, "POST", API "/halls/demo/tickets", kiosk,
	    "{\"category\":\"A\"}"), 0);
	assert_error(&r, 422, "HALL_CLOSED");
	assert_non_null(strstr(jstr(r.json, "error.message"), "13:30–20:00"));
	assert_string_equal(jstr(r.json, "error.hours.1.close"), "20:00");
	resp_free(&r);
	/* An ordinary day closes at 17:30 and says so. */
	clock_at("2026-12-30T17:45:00+08:00");
	assert_int_equal(http_json(&r, "POST", API "/halls/demo/tickets", kiosk,
	    "{\"category\":\"A\"}"), 0);
	assert_error(&r, 422, "HALL_CLOSED");
	assert_null(strstr(jstr(r.json, "error.message"), "20:00"));
	assert_non_null(strstr(jstr(r.json, "error.message"), "今天的取号时间"));
	resp_free(&r);
	clock_at("2026-12-07T09:00:00+08:00");
	put_ok("DELETE", API "/admin/halls/demo/hours/2026-12-31", admin, NULL, 200);
	set_clock(NULL);
}

FIXTURE(setup)
{
	struct signer who[] = {
		STAFF("admin", 0, admin), STAFF("manager1", 0, manager),
		STAFF("clerk1", 1, clerk), STAFF("approver1", 0, approver),
		STAFF("kiosk1", 0, kiosk),
	};

	return suite_sign_in(st, NULL, who);
}

FIXTURE(teardown)
{
	struct resp r;
	const char *const mine[] = { "Q", "O" };
	size_t i;

	/* Q and O stay, retired (their tickets and history name them); Q's plans go.  Retired
	 * through the console first, so every app process drops its copies at once (the suites
	 * and pages after this one must not see them); the statement below makes sure. */
	for (i = 0; admin[0] && i < sizeof mine / sizeof mine[0]; i++) {
		char path[96];

		snprintf(path, sizeof path, API "/admin/halls/demo/categories/%s/retire", mine[i]);
		if (http_json(&r, "POST", path, admin, NULL) == 0)
			resp_free(&r);
	}
	db_exec(&test_db, "UPDATE categories SET retired_at = NOW() WHERE hall = 'demo' AND"
	    " code IN ('Q', 'O')", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM appointment_slot_templates WHERE hall = 'demo' AND"
	    " category = 'Q'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM slot_plan_weekdays WHERE hall = 'demo' AND category = 'Q'",
	    DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM slot_plan_dates WHERE hall = 'demo' AND category = 'Q'",
	    DBNOARGS, NULL, NULL);
	return suite_teardown(st);
}

SUITE_MAIN("it_admin_more", setup, teardown)
