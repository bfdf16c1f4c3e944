/*
 * it_admin_hall.c — the hall's opening hours as its admin sets them (issue 21, part B),
 * against the live test stack.
 *
 * With the hall clock moved into December 2026 (the 2026 notice is loaded):
 * - only the hall's admin changes hours: a clerk and a manager get 403 (the manager may
 *   read them); bad periods and dates get 400 naming each field and change nothing;
 * - Saturday 2026-12-05 opened 09:00–12:00: that morning's slots appear (and no afternoon
 *   one), the kiosk takes a number that Saturday, the change is audited with before and
 *   after; removing the date's hours closes the Saturday again;
 * - Tuesday 2026-12-08 closed while a citizen holds a booking that day: refused with 409
 *   BOOKINGS_AFFECTED naming the one booking, nothing saved; with "notify": true it is
 *   saved, the booking is cancelled in MariaDB and the citizen gets the cancellation SMS;
 *   that Tuesday the kiosk is refused (HALL_CLOSED) and no slot is offered;
 * - the week's hours shortened to the morning: the afternoon of a working day takes no
 *   number; put back afterwards;
 * - the slot plan of category B with a booked slot's capacity cut to 0: refused with 409
 *   naming as many bookings as MariaDB holds there, nothing saved; with "notify" saved,
 *   those bookings cancelled and the citizen told by SMS; put back;
 * - the 2027 notice uploaded (Monday 28 December 2026): the preview lists a case's provisional
 *   deadline moving from 5 to 6 January and the booking on 4 January, and keeps nothing; the
 *   upload is refused while the booking stands, then with notify loads the year, recounts
 *   the deadline, cancels the booking and tells its citizen;
 * - window 20 made calling B and C (a clerk signs in there at once), then moved to D: the
 *   rows, and the trail with before and after; bad fields named, nothing made;
 * - staff (an account made here, it_adm_c1): only the admin creates, locks, resets; bad
 *   fields named, nothing made; a temporary password signs in only with a new one; a lock
 *   ends the open session and refuses sign-in until unlocked; a reset ends the session and
 *   kills the old password; a role change is audited with before and after.
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

#define API "/api/v1"
#define FRIDAY "2026-12-04T10:00:00+08:00"
#define PHONE "13800138121"
#define PHONE2 "13800138122"
#define PHONE3 "13800138123"

static char admin[128], manager[128], clerk[128], kiosk[128];

static long long
count1(const char *sql, const char *arg)
{
	return db_count(&test_db, sql, arg);
}

static void
take(struct resp *r)
{
	assert_int_equal(http_json(r, "POST", API "/halls/demo/tickets", kiosk,
	    "{\"category\":\"A\"}"), 0);
}

static size_t
slots_on(const char *date, int *afternoon)
{
	struct resp r;
	char path[160];
	json_t *s;
	size_t i, n;

	snprintf(path, sizeof path, API "/halls/demo/slots?category=A&date=%s", date);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	n = json_array_size(jget(r.json, "slots"));
	*afternoon = 0;
	json_array_foreach(jget(r.json, "slots"), i, s) {
		const char *start = json_string_value(json_object_get(s, "start"));

		/* "2026-12-05T09:00:00+08:00": a slot from noon on is an afternoon one. */
		assert_non_null(start);
		assert_true(strlen(start) > 16);
		if (strncmp(start + 11, "12:00", 5) >= 0)
			*afternoon = 1;
	}
	resp_free(&r);
	return n;
}

/* The citizen of phone books the first free slot of cat ('A') on date as name, with a fresh
 * ID number (born birth8, seq: make_id): 201.  The slot ("A-20261208-0900") into slot (64). */
static void
book_free_slot(const char *phone, char cat, const char *date, const char *name,
    const char *birth8, int seq, char *slot)
{
	char cit[256], query[64], id[19], body[512];

	citizen_in(phone, cit, sizeof cit);
	snprintf(query, sizeof query, "category=%c&date=%s", cat, date);
	free_slot(query, slot, 64);
	make_id(id, birth8, seq);
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"%c\",\"slot\":\"%s\","
	    "\"name\":\"%s\",\"id_number\":\"%s\"}", cat, slot, name, id);
	expect_reply("POST", API "/appointments", cit, body, 201);
}

TEST(only_the_admin_changes_hours)
{
	const char *body = "{\"periods\":[{\"open\":\"09:00\",\"close\":\"12:00\"}]}";
	struct resp r;

	clock_at(FRIDAY);
	expect_refusal("PUT", API "/admin/halls/demo/hours/2026-12-05", clerk, body, 403,
	    "FORBIDDEN");
	expect_refusal("PUT", API "/admin/halls/demo/hours/2026-12-05", manager, body, 403,
	    "FORBIDDEN");
	expect_refusal("PUT", API "/admin/halls/demo/hours", manager, body, 403, "FORBIDDEN");
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_dates WHERE hall = ?", "demo"), 0);
	/* The manager reads them: the week's periods of the seed. */
	assert_int_equal(http_json(&r, "GET", API "/admin/halls/demo/hours", manager, NULL), 0);
	expect_status(&r, 200);
	assert_true(json_array_size(jget(r.json, "hours")) >= 1);
	assert_non_null(jstr(r.json, "hours.0.open"));
	resp_free(&r);
}

TEST(bad_hours_name_each_field_and_change_nothing)
{
	struct resp r;
	long long before = count1("SELECT COUNT(*) FROM hall_hours WHERE hall = ?", "demo");

	clock_at(FRIDAY);
	expect_invalid("PUT", API "/admin/halls/demo/hours/2026-12-05", admin,
	    "{\"periods\":[{\"open\":\"12:00\",\"close\":\"09:00\"},"
	    "{\"open\":\"8点\",\"close\":\"17:00\"}]}", "periods[0].close periods[1].open");
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/hours/2026-12-03", admin,
	    "{\"closed\":true,\"periods\":[]}"), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "date"));	/* yesterday */
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "periods"));	/* closed with periods */
	resp_free(&r);
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/hours", admin,
	    "{\"periods\":[{\"open\":\"13:00\",\"close\":\"17:00\"},"
	    "{\"open\":\"09:00\",\"close\":\"12:00\"}],\"notify\":\"yes\"}"), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "periods[1].open"));	/* out of order */
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "notify"));
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_dates WHERE hall = ?", "demo"), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_hours WHERE hall = ?", "demo"), before);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'admin.hours%'"
	    " AND hall = ?", "demo"), 0);
}

TEST(saturday_opening_takes_numbers_and_offers_slots)
{
	struct resp r;
	int afternoon;
	char detail[64] = "";

	clock_at(FRIDAY);
	assert_int_equal(slots_on("2026-12-05", &afternoon), 0);
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/hours/2026-12-05", admin,
	    "{\"periods\":[{\"open\":\"09:00\",\"close\":\"12:00\"}],\"note\":\"年底周六开放\"}"),
	    0);
	expect_status(&r, 200);
	assert_false(json_is_true(jget(r.json, "closed")));
	assert_string_equal(jstr(r.json, "periods.0.close"), "12:00");
	resp_free(&r);
	/* The morning's slots appear, no afternoon one. */
	assert_true(slots_on("2026-12-05", &afternoon) > 0);
	assert_int_equal(afternoon, 0);
	/* Audited: before closed (a Saturday), after the morning. */
	assert_int_equal(db_scalar(&test_db, "SELECT detail FROM audit_log WHERE action ="
	    " 'admin.hours.date' AND target = 'demo:2026-12-05' ORDER BY id DESC LIMIT 1",
	    DBNOARGS, detail, sizeof detail), 1);
	assert_non_null(strstr(detail, "\"before\":\"closed\""));
	assert_non_null(strstr(detail, "\"after\":\"09:00-12:00\""));
	/* That Saturday morning the kiosk hands out numbers; after noon it does not. */
	clock_at("2026-12-05T10:00:00+08:00");
	take(&r);
	expect_status(&r, 201);
	resp_free(&r);
	clock_at("2026-12-05T13:00:00+08:00");
	take(&r);
	assert_error(&r, 422, "HALL_CLOSED");
	resp_free(&r);
	/* Back to the calendar: the Saturday is closed again. */
	clock_at(FRIDAY);
	assert_int_equal(http_json(&r, "DELETE", API "/admin/halls/demo/hours/2026-12-05", admin,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "closed")));
	resp_free(&r);
	assert_int_equal(slots_on("2026-12-05", &afternoon), 0);
	clock_at("2026-12-05T10:00:00+08:00");
	take(&r);
	assert_error(&r, 422, "HALL_CLOSED");
	resp_free(&r);
	set_clock(NULL);
}

TEST(closing_a_working_day_with_bookings_needs_notify)
{
	char slot[64], status[16] = "";
	struct resp r;
	json_t *line = NULL;
	int afternoon;
	long sms;

	clock_at("2026-12-07T09:00:00+08:00");
	book_free_slot(PHONE, 'A', "2026-12-08", "张三", "19850101", 121, slot);

	/* Refused, naming the booking; nothing saved. */
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/hours/2026-12-08", admin,
	    "{\"closed\":true,\"note\":\"系统升级\"}"), 0);
	assert_error(&r, 409, "BOOKINGS_AFFECTED");
	assert_int_equal(jint(r.json, "error.bookings"), 1);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_dates WHERE hall = ?", "demo"), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM appointments WHERE hall = ? AND"
	    " day = '2026-12-08' AND status = 'booked'", "demo"), 1);

	/* Confirmed: saved, the booking cancelled, the citizen told. */
	sms = sms_log_size();
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/hours/2026-12-08", admin,
	    "{\"closed\":true,\"note\":\"系统升级\",\"notify\":true}"), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "cancelled"), 1);
	resp_free(&r);
	assert_int_equal(db_scalar(&test_db, "SELECT status FROM appointments WHERE hall = 'demo'"
	    " AND day = '2026-12-08' ORDER BY id DESC LIMIT 1", DBNOARGS, status, sizeof status), 1);
	assert_string_equal(status, "cancelled");
	assert_int_equal(sms_log_find_since(sms, PHONE, "appointment_cancelled", &line, 20000), 0);
	json_decref(line);
	assert_int_equal(slots_on("2026-12-08", &afternoon), 0);

	/* That Tuesday the hall takes no number. */
	clock_at("2026-12-08T10:00:00+08:00");
	take(&r);
	assert_error(&r, 422, "HALL_CLOSED");
	resp_free(&r);
	clock_at("2026-12-07T09:00:00+08:00");
	expect_reply("DELETE", API "/admin/halls/demo/hours/2026-12-08", admin, NULL, 200);
	set_clock(NULL);
}

TEST(the_weeks_hours_rule_working_days)
{
	struct resp r, old;
	char body[512];
	json_t *orig;

	clock_at(FRIDAY);
	assert_int_equal(http_json(&old, "GET", API "/admin/halls/demo/hours", admin, NULL), 0);
	expect_status(&old, 200);
	orig = jget(old.json, "hours");
	assert_true(json_array_size(orig) >= 2);
	/* Mornings only; 2026-12-04 has no booking after noon in this suite. */
	expect_reply("PUT", API "/admin/halls/demo/hours", admin,
	    "{\"periods\":[{\"open\":\"09:00\",\"close\":\"12:00\"}],\"notify\":true}", 200);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_hours WHERE hall = ?", "demo"), 1);
	clock_at("2026-12-04T15:00:00+08:00");
	take(&r);
	assert_error(&r, 422, "HALL_CLOSED");
	resp_free(&r);
	/* Put back as it was. */
	clock_at(FRIDAY);
	{
		char *p = json_dumps(orig, JSON_COMPACT);

		snprintf(body, sizeof body, "{\"periods\":%s}", p);
		free(p);
	}
	expect_reply("PUT", API "/admin/halls/demo/hours", admin, body, 200);
	resp_free(&old);
	clock_at("2026-12-04T15:00:00+08:00");
	take(&r);
	expect_status(&r, 201);
	resp_free(&r);
	set_clock(NULL);
}

TEST(slot_plan_below_booked_needs_notify)
{
	char slot[64], body[4096], start[6], ssql[16], cap[8] = "";
	struct resp r;
	json_t *plan, *s, *line = NULL;
	char *orig;
	size_t i;
	long long booked;
	long sms;

	clock_at("2026-12-07T09:00:00+08:00");
	/* Field errors first: nothing changes. */
	expect_invalid("PUT", API "/admin/halls/demo/slot-plans/B", admin,
	    "{\"slots\":[{\"start\":\"25:00\",\"minutes\":3,\"capacity\":-1}]}",
	    "slots[0].start slots[0].minutes slots[0].capacity");
	/* 咨询导办 is not booked */
	expect_refusal("PUT", API "/admin/halls/demo/slot-plans/Z", admin, "{\"slots\":[]}", 404,
	    "NOT_FOUND");

	book_free_slot(PHONE2, 'B', "2026-12-09", "李四", "19860101", 122, slot);
	/* B-20261209-0930 → 09:30 */
	snprintf(start, sizeof start, "%.2s:%.2s", slot + 11, slot + 13);
	snprintf(ssql, sizeof ssql, "%s:00", start);
	booked = count1("SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND category = 'B'"
	    " AND day = '2026-12-09' AND status = 'booked' AND start_time = ?", ssql);
	assert_true(booked >= 1);

	/* The plan with that slot's capacity 0. */
	assert_int_equal(http_json(&r, "GET", API "/admin/halls/demo/slot-plans", manager, NULL),
	    0);
	expect_status(&r, 200);
	plan = json_deep_copy(jget(r.json, "plans.B"));
	resp_free(&r);
	assert_true(json_array_size(plan) > 0);
	orig = json_dumps(plan, JSON_COMPACT);
	json_array_foreach(plan, i, s)
		if (strcmp(json_string_value(json_object_get(s, "start")), start) == 0)
			json_object_set_new(s, "capacity", json_integer(0));
	{
		char *p = json_dumps(plan, JSON_COMPACT);

		snprintf(body, sizeof body, "{\"slots\":%s}", p);
		free(p);
	}
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/slot-plans/B", admin, body),
	    0);
	assert_error(&r, 409, "BOOKINGS_AFFECTED");
	assert_int_equal(jint(r.json, "error.bookings"), booked);
	resp_free(&r);
	assert_int_equal(db_scalar(&test_db, "SELECT capacity FROM appointment_slot_templates"
	    " WHERE hall = 'demo' AND category = 'B' AND start_time = ?", DBARGS(DBS(ssql)), cap,
	    sizeof cap), 1);
	assert_string_not_equal(cap, "0");

	/* Confirmed: saved, the bookings cancelled, the citizen told. */
	sms = sms_log_size();
	snprintf(body + strlen(body) - 1, sizeof body - strlen(body) + 1, ",\"notify\":true}");
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/slot-plans/B", admin, body),
	    0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "cancelled"), booked);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND"
	    " category = 'B' AND day = '2026-12-09' AND status = 'booked' AND start_time = ?",
	    ssql), 0);
	assert_int_equal(db_scalar(&test_db, "SELECT capacity FROM appointment_slot_templates"
	    " WHERE hall = 'demo' AND category = 'B' AND start_time = ?", DBARGS(DBS(ssql)), cap,
	    sizeof cap), 1);
	assert_string_equal(cap, "0");
	assert_int_equal(sms_log_find_since(sms, PHONE2, "appointment_cancelled", &line, 20000), 0);
	json_decref(line);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.slot_plan'"
	    " AND target = ?", "demo:B"), 1);

	/* Put back. */
	snprintf(body, sizeof body, "{\"slots\":%s}", orig);
	free(orig);
	json_decref(plan);
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/slot-plans/B", admin, body),
	    0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "cancelled"), 0);
	resp_free(&r);
	set_clock(NULL);
}

/* POST /staff/login as it_adm_c1 at window 3; new_password may be NULL.  The status; the
 * token into tok (when 200). */
static long
login(const char *pw, const char *npw, char *tok, size_t tsz)
{
	char body[512];
	struct resp r;
	long st;

	if (npw)
		snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"it_adm_c1\","
		    "\"password\":\"%s\",\"window\":3,\"new_password\":\"%s\"}", pw, npw);
	else
		snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"it_adm_c1\","
		    "\"password\":\"%s\",\"window\":3}", pw);
	assert_int_equal(http_json(&r, "POST", API "/staff/login", NULL, body), 0);
	st = r.status;
	if (st == 403)
		assert_string_equal(jstr(r.json, "error.code"), "PASSWORD_CHANGE_REQUIRED");
	if (st == 200 && tok)
		snprintf(tok, tsz, "%s", jstr(r.json, "token"));
	resp_free(&r);
	return st;
}

TEST(staff_lock_and_reset_force_a_new_password)
{
	char tmp[64], tmp2[64], tok[256], dept[40] = "", detail[512] = "", body[256];
	struct resp r;

	/* Only the admin. */
	expect_refusal("POST", API "/admin/halls/demo/staff", clerk,
	    "{\"username\":\"it_adm_x\",\"name\":\"某\",\"role\":\"clerk\"}", 403, "FORBIDDEN");
	expect_refusal("POST", API "/admin/halls/demo/staff", manager,
	    "{\"username\":\"it_adm_x\",\"name\":\"某\",\"role\":\"clerk\"}", 403, "FORBIDDEN");
	/* Every bad field named, nothing made. */
	expect_invalid("POST", API "/admin/halls/demo/staff", admin,
	    "{\"username\":\"坏 名\",\"name\":\"\",\"role\":\"boss\",\"window\":9999}",
	    "username name role window");
	assert_int_equal(count1("SELECT COUNT(*) FROM staff WHERE hall = ? AND username LIKE"
	    " 'it\\_adm%'", "demo"), 0);

	/* Created with a temporary password that signs in only with a new one. */
	assert_int_equal(http_json(&r, "POST", API "/admin/halls/demo/staff", admin,
	    "{\"username\":\"it_adm_c1\",\"name\":\"欧阳·测试\",\"role\":\"clerk\","
	    "\"window\":3}"), 0);
	expect_status(&r, 201);
	snprintf(tmp, sizeof tmp, "%s", jstr(r.json, "temporary_password"));
	assert_true(strlen(tmp) >= 12);
	assert_true(json_is_true(jget(r.json, "staff.must_change_password")));
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'admin.staff.create'"
	    " AND target = ? AND detail LIKE '%\"after\":{%'", "it_adm_c1"), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE detail LIKE"
	    " CONCAT('%', ?, '%')", tmp), 0);	/* never in the trail */
	assert_int_equal(login(tmp, NULL, NULL, 0), 403);
	assert_int_equal(login(tmp, tmp, NULL, 0), 400);	/* the same again */
	assert_int_equal(login(tmp, "我的新密码-abc-2026", tok, sizeof tok), 200);
	assert_int_equal(count1("SELECT must_change_password FROM staff WHERE hall = 'demo' AND"
	    " username = ?", "it_adm_c1"), 0);
	assert_int_equal(login("我的新密码-abc-2026", NULL, NULL, 0), 200);

	/* Locked: the open session ends, sign-in is refused; unlocked: it works again. */
	expect_refusal("POST", API "/admin/halls/demo/staff/it_adm_c1/lock", clerk, NULL, 403,
	    "FORBIDDEN");
	assert_int_equal(http_json(&r, "POST", API "/admin/halls/demo/staff/it_adm_c1/lock", admin,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_true(jget(r.json, "staff.disabled")));
	resp_free(&r);
	expect_refusal("GET", API "/me", tok, NULL, 401, "UNAUTHENTICATED");
	assert_int_equal(login("我的新密码-abc-2026", NULL, NULL, 0), 401);
	assert_int_equal(db_scalar(&test_db, "SELECT detail FROM audit_log WHERE action ="
	    " 'admin.staff.lock' AND target = 'it_adm_c1' ORDER BY id DESC LIMIT 1", DBNOARGS,
	    detail, sizeof detail), 1);
	assert_non_null(strstr(detail, "\"before\":{"));
	assert_non_null(strstr(detail, "\"disabled\":false"));
	assert_non_null(strstr(detail, "\"disabled\":true"));
	expect_reply("POST", API "/admin/halls/demo/staff/it_adm_c1/unlock", admin, NULL, 200);
	assert_int_equal(login("我的新密码-abc-2026", NULL, tok, sizeof tok), 200);

	/* Reset: the session ends, the old password is dead, the temporary one needs a new. */
	assert_int_equal(http_json(&r, "POST", API
	    "/admin/halls/demo/staff/it_adm_c1/reset-password", admin, NULL), 0);
	expect_status(&r, 200);
	snprintf(tmp2, sizeof tmp2, "%s", jstr(r.json, "temporary_password"));
	assert_string_not_equal(tmp2, tmp);
	resp_free(&r);
	expect_refusal("GET", API "/me", tok, NULL, 401, "UNAUTHENTICATED");
	assert_int_equal(login("我的新密码-abc-2026", NULL, NULL, 0), 401);
	assert_int_equal(login(tmp2, NULL, NULL, 0), 403);
	assert_int_equal(login(tmp2, "又一个新密码-xyz-2026", NULL, 0), 200);

	/* A role change: an approver needs a department; the trail has before and after. */
	assert_int_equal(db_scalar(&test_db, "SELECT code FROM departments ORDER BY code LIMIT 1",
	    DBNOARGS, dept, sizeof dept), 1);
	expect_invalid("PATCH", API "/admin/halls/demo/staff/it_adm_c1", admin,
	    "{\"role\":\"approver\"}", "department");
	snprintf(body, sizeof body, "{\"role\":\"approver\",\"department\":\"%s\","
	    "\"window\":null}", dept);
	assert_int_equal(http_json(&r, "PATCH", API "/admin/halls/demo/staff/it_adm_c1", admin,
	    body), 0);
	expect_strs(&r, 200, "staff.role", "approver", NULL);
	assert_true(json_is_null(jget(r.json, "staff.window")));
	resp_free(&r);
	assert_int_equal(db_scalar(&test_db, "SELECT detail FROM audit_log WHERE action ="
	    " 'admin.staff.change' AND target = 'it_adm_c1' ORDER BY id DESC LIMIT 1", DBNOARGS,
	    detail, sizeof detail), 1);
	assert_non_null(strstr(detail, "\"role\":\"clerk\""));
	assert_non_null(strstr(detail, "\"role\":\"approver\""));
}

/* A 2027 notice for this test only (as it_calendar's): 元旦 and Monday 4 January off,
 * Saturday 9 and Sunday 10 January make-up working days. */
static const char notice2027[] =
    "{\"year\":2027,\"source\":\"it_admin_hall 测试用安排（非正式通知）\",\"days\":["
    "{\"date\":\"2027-01-01\",\"name\":\"元旦\",\"off\":true},"
    "{\"date\":\"2027-01-04\",\"name\":\"元旦补假（测试）\",\"off\":true},"
    "{\"date\":\"2027-01-09\",\"name\":\"调休（测试）\",\"off\":false},"
    "{\"date\":\"2027-01-10\",\"name\":\"调休（测试）\",\"off\":false}]}";

static void
forget_2027(void)
{
	db_exec(&test_db, "DELETE FROM calendar_days WHERE day BETWEEN '2027-01-01' AND"
	    " '2027-12-31'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM calendar_years WHERE year = 2027", DBNOARGS, NULL, NULL);
}

TEST(calendar_preview_then_apply)
{
	char slot[64], no[64], dl[16] = "";
	char status[16] = "";
	struct resp r;
	json_t *d, *line = NULL;
	long long booked;
	long sms;

	forget_2027();
	clock_at("2026-12-28T10:00:00+08:00");
	/* A case whose 5 working days run into 2027: provisional, due Tuesday 5 January. */
	case_accept(&r, clerk, "IT-B-003", "\"applicant\":{\"name\":\"欧阳娜娜\","
	    "\"id_number\":\"11010519491231002X\",\"phone\":\"13800138123\"}", no, NULL);
	assert_string_equal(jstr(r.json, "case.deadline"), "2027-01-05");
	resp_free(&r);
	/* A booking on Monday 4 January (a working day until the notice says otherwise). */
	book_free_slot(PHONE3, 'A', "2027-01-04", "赵六", "19870101", 123, slot);
	booked = count1("SELECT COUNT(*) FROM appointments WHERE hall = ? AND day = '2027-01-04'"
	    " AND status = 'booked'", "demo");

	/* Only the admin; a notice that is not one is named. */
	expect_refusal("POST", API "/admin/calendar/preview", manager, notice2027, 403,
	    "FORBIDDEN");
	expect_invalid("POST", API "/admin/calendar/preview", admin, "{\"year\":2027}", "notice");

	/* The preview: the deadline that moves, the booking on the new day off; nothing kept. */
	assert_int_equal(http_json(&r, "POST", API "/admin/calendar/preview", admin, notice2027),
	    0);
	expect_status(&r, 200);
	assert_non_null(d = jfind(jget(r.json, "deadlines"), "case", no));
	assert_string_equal(jstr(d, "before"), "2027-01-05");
	assert_string_equal(jstr(d, "after"), "2027-01-06");
	assert_int_equal(jint(r.json, "bookings_total"), booked);
	assert_string_equal(jstr(r.json, "bookings.0.date"), "2027-01-04");
	assert_string_equal(jstr(r.json, "bookings.0.holiday"), "元旦补假（测试）");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM calendar_years WHERE year = ?", "2027"), 0);
	assert_int_equal(db_scalar(&test_db, "SELECT DATE_FORMAT(deadline, '%Y-%m-%d') FROM cases"
	    " WHERE no = ?", DBARGS(DBS(no)), dl, sizeof dl), 1);
	assert_string_equal(dl, "2027-01-05");

	/* Applied: refused while bookings stand, then with notify: loaded, recounted, told. */
	assert_int_equal(http_json(&r, "POST", API "/admin/calendar", admin, notice2027), 0);
	assert_error(&r, 409, "BOOKINGS_AFFECTED");
	assert_int_equal(jint(r.json, "error.bookings"), booked);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM calendar_years WHERE year = ?", "2027"), 0);
	sms = sms_log_size();
	assert_int_equal(http_json(&r, "POST", API "/admin/calendar?notify=true", admin,
	    notice2027), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "cancelled"), booked);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM calendar_years WHERE year = ?", "2027"), 1);
	assert_int_equal(db_scalar(&test_db, "SELECT DATE_FORMAT(deadline, '%Y-%m-%d') FROM cases"
	    " WHERE no = ?", DBARGS(DBS(no)), dl, sizeof dl), 1);
	assert_string_equal(dl, "2027-01-06");
	assert_int_equal(db_scalar(&test_db, "SELECT status FROM appointments WHERE hall = 'demo'"
	    " AND day = '2027-01-04' ORDER BY id DESC LIMIT 1", DBNOARGS, status, sizeof status),
	    1);
	assert_string_equal(status, "cancelled");
	assert_int_equal(sms_log_find_since(sms, PHONE3, "appointment_cancelled", &line, 20000), 0);
	json_decref(line);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action = ?",
	    "admin.calendar"), 1);
	forget_2027();
	set_clock(NULL);
}

TEST(a_window_moves_to_another_category)
{
	char detail[512] = "", tok[256], cats[8] = "";
	struct resp r;

	expect_refusal("PUT", API "/admin/halls/demo/windows/20", manager,
	    "{\"name\":\"x\",\"kind\":\"comprehensive\",\"categories\":[]}", 403, "FORBIDDEN");
	expect_invalid("PUT", API "/admin/halls/demo/windows/0", admin,
	    "{\"name\":\"\",\"kind\":\"vip\",\"categories\":[\"a\"]}",
	    "number name kind categories[0]");
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/windows/20", admin,
	    "{\"name\":\"综合·窗口𠮷\",\"kind\":\"comprehensive\",\"categories\":[\"B\",\"Q\"]}"),
	    0);
	assert_error(&r, 400, "INVALID_INPUT");	/* no category Q in the demo hall */
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "categories[1]"));
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM windows WHERE hall = ? AND number = 20",
	    "demo"), 0);

	/* A new window calling B and C: a clerk signs in there at once. */
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/windows/20", admin,
	    "{\"name\":\"综合·窗口𠮷\",\"kind\":\"comprehensive\",\"categories\":[\"B\",\"C\"]}"),
	    0);
	expect_status(&r, 200);
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM windows WHERE hall = 'demo' AND number = 20"
	    " AND name = ?", "综合·窗口𠮷"), 1);
	assert_int_equal(staff_login("clerk3", 20, tok, sizeof tok), 0);
	/* Moved to D: the rows say so, the trail has before and after. */
	assert_int_equal(http_json(&r, "PUT", API "/admin/halls/demo/windows/20", admin,
	    "{\"name\":\"综合·窗口𠮷\",\"kind\":\"comprehensive\",\"categories\":[\"D\"]}"),
	    0);
	expect_status(&r, 200);
	resp_free(&r);
	assert_int_equal(db_scalar(&test_db, "SELECT GROUP_CONCAT(category ORDER BY category"
	    " SEPARATOR '') FROM window_categories WHERE hall = 'demo' AND window_no = 20",
	    DBNOARGS, cats, sizeof cats), 1);
	assert_string_equal(cats, "D");
	assert_int_equal(db_scalar(&test_db, "SELECT detail FROM audit_log WHERE action ="
	    " 'admin.window' AND target = 'demo:20' ORDER BY id DESC LIMIT 1", DBNOARGS, detail,
	    sizeof detail), 1);
	assert_non_null(strstr(detail, "BC"));
	assert_non_null(strstr(detail, "\"categories\":\"D\""));
}

FIXTURE(setup)
{
	struct signer who[] = {
		STAFF("admin", 0, admin), STAFF("manager1", 0, manager),
		STAFF("clerk1", 1, clerk), STAFF("kiosk1", 0, kiosk),
	};

	return suite_sign_in(st, NULL, who);
}

FIXTURE(teardown)
{
	db_exec(&test_db, "DELETE FROM hall_dates WHERE hall = 'demo'", DBNOARGS, NULL, NULL);
	forget_2027();
	db_exec(&test_db, "DELETE FROM staff WHERE hall = 'demo' AND username = 'it_adm_c1'",
	    DBNOARGS, NULL, NULL);
	return suite_teardown(st);
}

SUITE_MAIN("it_admin_hall", setup, teardown)
