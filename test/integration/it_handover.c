/*
 * it_handover.c — hand-overs (交接单) and custody (issue 22 item 3) against the live stack.
 *
 * One case walks window 1 → the scjg back office → the pickup window 8 of the demo hall: its
 * custody is checked in the case JSON, the history and the citizen's tracking page at each
 * step; the department's receipt is raced by several approvers at once (exactly one signs,
 * checked in the rows); the pickup window signs by the QR's token with a discrepancy, which
 * lands on the sheet and in the case history.  Refusals change nothing: bad input (400
 * naming each field), not held (409 NOT_IN_CUSTODY), already on an open sheet
 * (409 HANDOVER_OPEN), the wrong receiver (403), a second receipt (409).  Hall → hall: a
 * test hall "zz-hand" made in set-up receives a case (and is removed afterwards, with what
 * this suite wrote in it).  The overdue alert: the hall clock moved past
 * handover_receive_hours working hours, the job run in-process, the alert on the manager's
 * dashboard once, cleared by the receipt.
 *
 * Items: IT-B-003 (食品经营许可, department scjg, approver1) of the demo seed; its materials
 * are read from GET /items/{id}.  The hall clock is moved to Wed 2026-12-16 and put back.
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
#include <time.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/http.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/steps.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../modules/handover/handover.h"

#define API "/api/v1"
#define ITEM "IT-B-003"
#define APPLICANT "\"applicant\":{\"name\":\"王交接\",\"id_number\":\"11010519491231002X\"," \
	"\"phone\":\"13800138000\"}"
#define ODD_NOTE "交接备注𠮷😀 \\\"引号\\\" <b>&amp;</b>"
#define ODD_NOTE_PLAIN "交接备注𠮷😀 \"引号\" <b>&amp;</b>"

static char clerk1[128], clerk_b[128], pickup[128], approver1[128], approver2[128];
static char approver_bdc[128], manager[128], zz_clerk[128];

/* ---------------------------------------------------------------- helpers */

static long long
count1(const char *sql, const char *arg)
{
	return db_count(&test_db, sql, arg);
}

static void
first_code(char *out, size_t osz)
{
	json_t *codes = material_codes(ITEM, 1, 0);

	assert_true(json_array_size(codes) >= 1);
	snprintf(out, osz, "%s", json_string_value(json_array_get(codes, 0)));
	json_decref(codes);
}

/* POST /handovers; the reply into r (the caller frees it). */
static void
send_sheet(struct resp *r, const char *who, const char *to, const char *no, const char *mats,
    const char *note)
{
	char body[4096];

	snprintf(body, sizeof body, "{\"to\":%s,\"cases\":[{\"no\":\"%s\",\"materials\":%s}]%s%s%s}",
	    to, no, mats, note ? ",\"note\":\"" : "", note ? note : "", note ? "\"" : "");
	assert_int_equal(http_json(r, "POST", API "/handovers", who, body), 0);
}

/* Sheet id received: refused (403) as not_for, who is not at its destination, and recorded
 * as who (200). */
static void
receive_as(long long id, const char *not_for, const char *who)
{
	char path[96];

	snprintf(path, sizeof path, API "/handovers/%lld/receive", id);
	expect_refusal("POST", path, not_for, "{}", 403, "FORBIDDEN");
	expect_reply("POST", path, who, "{}", 200);
}

/* The case as staff see it: its custody (a new reference). */
static json_t *
custody_of(const char *who, const char *no)
{
	return get_member(who, "case.custody", API "/cases/%s", no);
}

/* The case's custody as who sees it is held by kind ("window", "hall", "office"), and its
 * holder.<kind> is value (a window by its number: "1"); in_transit 0 or 1 is checked too
 * (-1: not). */
static void
held_by(const char *who, const char *no, const char *kind, const char *value, int in_transit)
{
	json_t *k = custody_of(who, no), *v;
	char key[32], got[128];

	snprintf(key, sizeof key, "holder.%s", kind);
	v = jget(k, key);
	if (json_is_integer(v))
		snprintf(got, sizeof got, "%lld", (long long)json_integer_value(v));
	else
		snprintf(got, sizeof got, "%s", json_is_string(v) ? json_string_value(v) : "(none)");
	if (jstr(k, "holder.kind") == NULL || strcmp(jstr(k, "holder.kind"), kind) != 0 ||
	    strcmp(got, value) != 0)
		fail_msg("case %s held by %s %s, expected %s %s", no,
		    jstr(k, "holder.kind") ? jstr(k, "holder.kind") : "(none)", got, kind, value);
	if (in_transit >= 0 && json_is_true(jget(k, "in_transit")) != in_transit)
		fail_msg("case %s in transit: %s", no, in_transit ? "no" : "yes");
	json_decref(k);
}

/* The tracking page of tok says where the file is: its custody.where holds text. */
static void
tracked_at(const char *tok, const char *text)
{
	json_t *k = get_member(NULL, "case.custody", API "/track/%s", tok);

	assert_non_null(strstr(jstr(k, "where"), text));
	json_decref(k);
}

static void
staff_name(const char *user, char *out, size_t osz)
{
	assert_int_equal(db_scalar(&test_db, "SELECT name FROM staff WHERE hall = 'demo' AND"
	    " username = ?", DBARGS(DBS(user)), out, osz), 1);
}

static int
sign_in(void)
{
	staff_in("clerk1", 1, clerk1, sizeof clerk1);
	staff_in("clerk2", 2, clerk_b, sizeof clerk_b);
	staff_in("clerk3", 8, pickup, sizeof pickup);
	staff_in("approver1", 0, approver1, sizeof approver1);
	staff_in("approver2", 0, approver2, sizeof approver2);
	staff_in("approver_bdc", 0, approver_bdc, sizeof approver_bdc);
	staff_in("manager1", 0, manager, sizeof manager);
	return 0;
}

/* ---------------------------------------------------------------- the test hall */

/* Hall zz-hand with one window and a clerk (clerk1's password hash), for hall → hall. */
static void
test_hall_make(void)
{
	assert_int_equal(db_exec(&test_db, "INSERT IGNORE INTO halls (code, name, address) VALUES"
	    " ('zz-hand', '交接测试分中心', '测试路 1 号')", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(db_exec(&test_db, "INSERT IGNORE INTO hall_hours (hall, seq, open_at,"
	    " close_at) VALUES ('zz-hand', 1, '08:30:00', '17:30:00')", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(db_exec(&test_db, "INSERT IGNORE INTO windows (hall, number, name, kind)"
	    " VALUES ('zz-hand', 1, '1号窗口 综合受理', 'comprehensive')", DBNOARGS, NULL, NULL), 0);
	assert_int_equal(db_exec(&test_db, "INSERT IGNORE INTO staff (hall, username, name, role,"
	    " window_no, password_hash) SELECT 'zz-hand', 'zzclerk', '分中心收件员', 'clerk', 1,"
	    " password_hash FROM staff WHERE hall = 'demo' AND username = 'clerk1'", DBNOARGS,
	    NULL, NULL), 0);
}

/* Everything this suite wrote in hall zz-hand, then the hall: with two halls the staff
 * sign-in page no longer chooses the hall by itself, and later browser tests sign in there. */
static void
test_hall_remove(void)
{
	db_exec(&test_db, "DELETE FROM case_custody WHERE hall = 'zz-hand'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM hall_alerts WHERE hall = 'zz-hand'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM handovers WHERE from_hall = 'zz-hand' OR to_hall = 'zz-hand'",
	    DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM staff WHERE hall = 'zz-hand'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM windows WHERE hall = 'zz-hand'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM hall_hours WHERE hall = 'zz-hand'", DBNOARGS, NULL, NULL);
	db_exec(&test_db, "DELETE FROM halls WHERE code = 'zz-hand'", DBNOARGS, NULL, NULL);
}

FIXTURE(setup)
{
	if (suite_setup(st) != 0)
		return -1;
	ensure_staff("approver2", "孙立新", "approver", "scjg");
	ensure_staff("approver_bdc", "钱国栋", "approver", "bdc");
	test_hall_remove();	/* an interrupted earlier run */
	set_clock("2026-12-16T10:00:00+08:00");
	return sign_in();
}

FIXTURE(teardown)
{
	test_hall_remove();
	return suite_teardown(st);
}

/* ---------------------------------------------------------------- the walk */

struct shot {
	const char		*tok;
	const char		*path;
	long			 status;
	pthread_barrier_t	*go;
};

static void *
fire(void *arg)
{
	struct shot *s = arg;
	struct resp r;

	pthread_barrier_wait(s->go);
	if (http_json(&r, "POST", s->path, s->tok, "{}") == 0) {
		s->status = r.status;
		resp_free(&r);
	}
	return NULL;
}

TEST(window_to_department_to_pickup)
{
	char no[64], tok[64], mats[2048], path[128], code[16], body[1024], sheet_tok[80];
	char n_appr1[64], n_appr2[64], n_pick[64], idtxt[24], signer[24];
	pthread_barrier_t go;
	pthread_t th[6];
	struct shot s[6];
	struct resp r;
	json_t *k, *h;
	long long id1, id2, before;
	int i, ok = 0, conflict = 0;
	size_t j;

	clock_at("2026-12-16T10:00:00+08:00");
	staff_name("approver1", n_appr1, sizeof n_appr1);
	staff_name("approver2", n_appr2, sizeof n_appr2);
	staff_name("clerk3", n_pick, sizeof n_pick);
	case_accept(NULL, clerk1, ITEM, APPLICANT, no, tok);
	first_code(code, sizeof code);

	/* Accepted: window 1 holds the file, nothing in transit; the tracking page says so. */
	held_by(clerk1, no, "window", "1", 0);
	tracked_at(tok, "1号窗口");

	/* Window 1 → the scjg back office. */
	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	send_sheet(&r, clerk1, "{\"department\":\"scjg\"}", no, mats, ODD_NOTE);
	expect_strs(&r, 201, "handover.status", "sent", "handover.to.kind", "department",
	    "handover.from.kind", "window", "handover.note", ODD_NOTE_PLAIN, NULL);
	assert_true(strlen(jstr(r.json, "handover.token")) >= 40);
	assert_non_null(jstr(r.json, "handover.qr_url"));
	assert_non_null(jstr(r.json, "handover.sheet_url"));
	assert_int_equal(jint(r.json, "handover.totals.pages"),
	    3 * (long long)json_array_size(jget(r.json, "handover.cases.0.materials")));
	id1 = jint(r.json, "handover.id");
	snprintf(idtxt, sizeof idtxt, "%lld", id1);
	/* The token is kept only hashed and sealed. */
	assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE token_hash = ?",
	    jstr(r.json, "handover.token")), 0);
	resp_free(&r);

	/* In transit: still window 1's, on its way to the department; in the history. */
	k = custody_of(clerk1, no);
	assert_string_equal(jstr(k, "holder.kind"), "window");
	assert_true(json_is_true(jget(k, "in_transit")));
	assert_string_equal(jstr(k, "to.department"), "scjg");
	assert_int_equal(jint(k, "transit_handover"), id1);
	json_decref(k);
	assert_int_equal(case_history_rows(&test_db, no, "handover_sent", NULL), 1);

	/* One open sheet per case: a second one is refused, and writes nothing. */
	before = count1("SELECT COUNT(*) FROM handovers WHERE sent_at IS NOT NULL OR ? = ''", "");
	send_sheet(&r, clerk1, "{\"window\":8}", no, mats, NULL);
	assert_error(&r, 409, "HANDOVER_OPEN");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE sent_at IS NOT NULL OR ? = ''",
	    ""), before);

	/* Not the receiving side: another department's approver, another window's clerk. */
	snprintf(path, sizeof path, API "/handovers/%lld/receive", id1);
	expect_refusal("POST", path, approver_bdc, "{}", 403, "FORBIDDEN");
	expect_refusal("POST", path, clerk_b, "{}", 403, "FORBIDDEN");
	assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE id = ? AND status = 'sent'",
	    idtxt), 1);

	/* Six signatures at once from two approvers of scjg: exactly one signs. */
	assert_int_equal(pthread_barrier_init(&go, NULL, 6), 0);
	for (i = 0; i < 6; i++) {
		s[i].tok = i % 2 ? approver2 : approver1;
		s[i].path = path;
		s[i].status = 0;
		s[i].go = &go;
		assert_int_equal(pthread_create(&th[i], NULL, fire, &s[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(th[i], NULL);
		ok += s[i].status == 200;
		conflict += s[i].status == 409;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(ok, 1);
	assert_int_equal(conflict, 5);
	assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE id = ? AND status = 'received'"
	    " AND received_by IS NOT NULL", idtxt), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM handover_cases WHERE handover_id = ? AND"
	    " open_lock IS NULL", idtxt), 1);
	assert_int_equal(case_history_rows(&test_db, no, "handover_received", NULL), 1);
	signer[0] = '\0';
	assert_int_equal(db_scalar(&test_db, "SELECT s.username FROM handovers h JOIN staff s"
	    " ON s.id = h.received_by WHERE h.id = ?", DBARGS(DBS(idtxt)), signer, sizeof signer), 1);
	assert_int_equal(case_history_rows(&test_db, no, "handover_received",
	    strcmp(signer, "approver1") == 0 ? n_appr1 : n_appr2), 1);
	/* Twice: 409. */
	expect_refusal("POST", path, approver1, "{}", 409, "INVALID_STATE");

	/* The department holds it now, since its receipt, by that sheet. */
	k = custody_of(approver1, no);
	assert_string_equal(jstr(k, "holder.kind"), "department");
	assert_string_equal(jstr(k, "holder.department"), "scjg");
	assert_false(json_is_true(jget(k, "in_transit")));
	assert_int_equal(jint(k, "handover"), id1);
	json_decref(k);
	k = get_member(NULL, "case", API "/track/%s", tok);
	assert_non_null(strstr(jstr(k, "custody.where"), "市场监督管理局"));
	json_decref(k);

	/* The window no longer holds it: it cannot hand it over (409), and nothing is written. */
	before = count1("SELECT COUNT(*) FROM handovers WHERE ? = ''", "");
	send_sheet(&r, clerk1, "{\"window\":8}", no, mats, NULL);
	assert_error(&r, 409, "NOT_IN_CUSTODY");
	resp_free(&r);
	assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE ? = ''", ""), before);

	/* The back office decides, then sends the file and the result to the pickup window. */
	case_act(&r, approver1, no, "{\"action\":\"assign\"}");
	expect_status(&r, 200);
	resp_free(&r);
	case_act(&r, approver1, no, "{\"action\":\"approve\",\"note\":\"准予许可\"}");
	expect_status(&r, 200);
	resp_free(&r);
	sheet_materials(ITEM, 3, "{\"code\":\"RESULT\",\"pages\":1}", mats, sizeof mats);
	send_sheet(&r, approver1, "{\"window\":8}", no, mats, NULL);
	expect_status(&r, 201);
	id2 = jint(r.json, "handover.id");
	snprintf(sheet_tok, sizeof sheet_tok, "%s", jstr(r.json, "handover.token"));
	assert_non_null(strstr(jstr(r.json, "handover.receive_url"), sheet_tok));
	resp_free(&r);

	/* The pickup window's clerk scans the QR (a scanner types the whole URL) and notes a
	 * page short and the result's note. */
	snprintf(body, sizeof body, "{\"token\":\"https://x.example/staff/handover-receive.html#t=%s\","
	    "\"discrepancies\":[{\"no\":\"%s\",\"code\":\"%s\",\"pages_received\":2,"
	    "\"note\":\"" ODD_NOTE "\"}]}", sheet_tok, no, code);
	expect_refusal("POST", API "/handovers/receive", approver1, body, 403, "FORBIDDEN");
	assert_int_equal(http_json(&r, "POST", API "/handovers/receive", pickup, body), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "handover.status"), "received_with_discrepancies");
	assert_int_equal(jint(r.json, "handover.totals.discrepancies"), 1);
	h = jget(r.json, "handover.cases.0.materials");
	for (j = 0, i = 0; j < json_array_size(h); j++) {
		json_t *m = json_array_get(h, j);

		if (strcmp(json_string_value(json_object_get(m, "code")), code) == 0) {
			assert_int_equal(json_integer_value(json_object_get(m, "pages_received")), 2);
			assert_string_equal(json_string_value(json_object_get(m, "note")),
			    ODD_NOTE_PLAIN);
			i = 1;
		}
	}
	assert_int_equal(i, 1);
	assert_string_equal(jstr(r.json, "handover.received_by.name"), n_pick);
	resp_free(&r);
	snprintf(idtxt, sizeof idtxt, "%lld", id2);
	assert_int_equal(count1("SELECT COUNT(*) FROM handover_materials WHERE handover_id = ? AND"
	    " pages_received = 2", idtxt), 1);
	/* The discrepancy is on the case's history, signed by the pickup clerk. */
	assert_int_equal(case_history_rows(&test_db, no, "handover_discrepancy", n_pick), 1);
	h = get_member(clerk1, "case.history", API "/cases/%s", no);
	for (j = 0, i = 0; j < json_array_size(h); j++) {
		json_t *e = json_array_get(h, j);

		if (strcmp(json_string_value(json_object_get(e, "action")),
		    "handover_discrepancy") == 0) {
			assert_non_null(strstr(json_string_value(json_object_get(e, "note")), code));
			assert_non_null(strstr(json_string_value(json_object_get(e, "note")), "𠮷"));
			i++;
		}
	}
	assert_int_equal(i, 1);
	json_decref(h);

	/* Window 8 holds it; the tracking page says where in plain words, no staff names. */
	held_by(pickup, no, "window", "8", -1);
	assert_int_equal(http_json(&r, "GET", API "/track/abc", NULL, NULL), 0);
	resp_free(&r);
	snprintf(path, sizeof path, API "/track/%s", tok);
	assert_int_equal(http_json(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_non_null(strstr(jstr(r.json, "case.custody.where"), "8号窗口"));
	assert_null(strstr(r.body, n_pick));
	assert_null(strstr(r.body, n_appr1));
	assert_null(strstr(r.body, n_appr2));
	resp_free(&r);

	/* The lists of each side. */
	assert_int_equal(http_json(&r, "GET", API "/handovers?direction=in&status="
	    "received_with_discrepancies", pickup, NULL), 0);
	expect_status(&r, 200);
	for (j = 0, i = 0; j < json_array_size(jget(r.json, "handovers")); j++)
		i += jint(json_array_get(jget(r.json, "handovers"), j), "id") == id2;
	assert_int_equal(i, 1);
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", API "/handovers?direction=out", approver1, NULL), 0);
	expect_status(&r, 200);
	for (j = 0, i = 0; j < json_array_size(jget(r.json, "handovers")); j++) {
		json_t *o = json_array_get(jget(r.json, "handovers"), j);

		i += jint(o, "id") == id2;
		assert_true(jint(o, "id") != id1);	/* id1 came in to scjg, not out of it */
	}
	assert_int_equal(i, 1);
	resp_free(&r);
}

/* ---------------------------------------------------------------- refusals */

TEST(bad_input_names_fields_and_changes_nothing)
{
	char no[64], tok[64], body[2048], code[16];
	struct resp r;
	long long before;

	clock_at("2026-12-16T10:00:00+08:00");
	case_accept(NULL, clerk1, ITEM, APPLICANT, no, tok);
	first_code(code, sizeof code);
	before = count1("SELECT COUNT(*) FROM handovers WHERE ? = ''", "");

	/* Shape: every field named at once. */
	expect_invalid("POST", API "/handovers", clerk1,
	    "{\"to\":{\"window\":0},\"cases\":[{\"no\":\"\",\"materials\":[{\"code\":\"M1\","
	    "\"pages\":0}]}]}", "to.window cases[0].no cases[0].materials[0].pages");
	expect_invalid("POST", API "/handovers", clerk1, "{\"to\":{}}", "to cases");

	/* Against the record: an unknown case, a material that is not the case's, a window and a
	 * department that do not exist, the result before a decision. */
	snprintf(body, sizeof body, "{\"to\":{\"window\":99},\"cases\":[{\"no\":\"NO-SUCH-CASE\","
	    "\"materials\":[{\"code\":\"%s\",\"pages\":1}]},{\"no\":\"%s\",\"materials\":"
	    "[{\"code\":\"ZZ9\",\"pages\":1},{\"code\":\"RESULT\",\"pages\":1}]}]}", code, no);
	expect_invalid("POST", API "/handovers", clerk1, body,
	    "to.window cases[0].no cases[1].materials[0].code cases[1].materials[1].code");
	snprintf(body, sizeof body, "{\"to\":{\"department\":\"nodept\"},\"cases\":[{\"no\":\"%s\","
	    "\"materials\":[{\"code\":\"%s\",\"pages\":1}]}]}", no, code);
	expect_invalid("POST", API "/handovers", clerk1, body, "to.department");
	/* To itself. */
	snprintf(body, sizeof body, "{\"to\":{\"window\":1},\"cases\":[{\"no\":\"%s\","
	    "\"materials\":[{\"code\":\"%s\",\"pages\":1}]}]}", no, code);
	expect_invalid("POST", API "/handovers", clerk1, body, "to");
	/* Another window's clerk does not hold it. */
	snprintf(body, sizeof body, "{\"to\":{\"window\":8},\"cases\":[{\"no\":\"%s\","
	    "\"materials\":[{\"code\":\"%s\",\"pages\":1}]}]}", no, code);
	expect_refusal("POST", API "/handovers", clerk_b, body, 409, "NOT_IN_CUSTODY");
	assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE ? = ''", ""), before);
	assert_int_equal(case_history_rows(&test_db, no, "handover_sent", NULL), 0);

	/* A receipt naming a case or a material not on the sheet: 400, still to be signed. */
	send_sheet(&r, clerk1, "{\"window\":8}", no, "[{\"code\":\"RESULT\",\"pages\":1}]", NULL);
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
	snprintf(body, sizeof body, "[{\"code\":\"%s\",\"pages\":4}]", code);
	send_sheet(&r, clerk1, "{\"window\":8}", no, body, NULL);
	expect_status(&r, 201);
	{
		char path[96], idtxt[24];
		long long id = jint(r.json, "handover.id");

		resp_free(&r);
		snprintf(path, sizeof path, API "/handovers/%lld/receive", id);
		snprintf(idtxt, sizeof idtxt, "%lld", id);
		snprintf(body, sizeof body, "{\"discrepancies\":[{\"no\":\"%s\",\"code\":\"ZZ9\","
		    "\"missing\":true},{\"no\":\"OTHER-CASE\",\"missing\":true},{\"no\":\"%s\","
		    "\"code\":\"%s\",\"pages_received\":4},{\"no\":\"%s\",\"code\":\"%s\"}]}",
		    no, no, code, no, code);
		expect_invalid("POST", path, pickup, body, "discrepancies[3]");
		snprintf(body, sizeof body, "{\"discrepancies\":[{\"no\":\"%s\",\"code\":\"ZZ9\","
		    "\"missing\":true},{\"no\":\"OTHER-CASE\",\"missing\":true},{\"no\":\"%s\","
		    "\"code\":\"%s\",\"pages_received\":4}]}", no, no, code);
		assert_int_equal(http_json(&r, "POST", path, pickup, body), 0);
		assert_invalid(&r, "discrepancies[0].code discrepancies[1].no");
		assert_non_null(json_object_get(jget(r.json, "error.fields"),
		    "discrepancies[2].pages_received"));
		resp_free(&r);
		assert_int_equal(count1("SELECT COUNT(*) FROM handovers WHERE id = ? AND"
		    " status = 'sent'", idtxt), 1);
		/* The whole file missing: recorded, and the file stays the sender's. */
		snprintf(body, sizeof body, "{\"discrepancies\":[{\"no\":\"%s\",\"missing\":true,"
		    "\"note\":\"袋内无此卷\"}]}", no);
		assert_int_equal(http_json(&r, "POST", path, pickup, body), 0);
		expect_status(&r, 200);
		assert_string_equal(jstr(r.json, "handover.status"), "received_with_discrepancies");
		assert_true(json_is_true(jget(r.json, "handover.cases.0.missing")));
		resp_free(&r);
		held_by(clerk1, no, "window", "1", 0);
		assert_int_equal(case_history_rows(&test_db, no, "handover_discrepancy", NULL), 1);
	}
}

/* The same Idempotency-Key again: the first answer (same sheet, same token), one sheet. */
TEST(idempotency_key_replays)
{
	char no[64], tok[64], mats[2048], body[4096], key[80], auth[256];
	const char *h[4];
	struct resp a, b;

	clock_at("2026-12-16T10:00:00+08:00");
	case_accept(NULL, clerk1, ITEM, APPLICANT, no, tok);
	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"to\":{\"department\":\"scjg\"},\"cases\":[{\"no\":\"%s\","
	    "\"materials\":%s}]}", no, mats);
	http_idem_headers(h, auth, key, clerk1, "it-handover");
	assert_int_equal(http(&a, "POST", API "/handovers", body, h), 0);
	expect_status(&a, 201);
	assert_int_equal(http(&b, "POST", API "/handovers", body, h), 0);
	expect_status(&b, 201);
	assert_int_equal(jint(b.json, "handover.id"), jint(a.json, "handover.id"));
	assert_string_equal(jstr(b.json, "handover.token"), jstr(a.json, "handover.token"));
	resp_free(&b);
	assert_int_equal(case_rows("handover_cases hc", no, NULL), 1);
	assert_int_equal(case_history_rows(&test_db, no, "handover_sent", NULL), 1);
	/* Another body with the same key. */
	snprintf(body, sizeof body, "{\"to\":{\"department\":\"scjg\"},\"cases\":[{\"no\":\"%s\","
	    "\"materials\":%s}],\"note\":\"x\"}", no, mats);
	assert_int_equal(http(&b, "POST", API "/handovers", body, h), 0);
	assert_error(&b, 409, "IDEMPOTENCY_MISMATCH");
	resp_free(&b);
	resp_free(&a);
}

/* ---------------------------------------------------------------- hall → hall */

TEST(hall_to_hall)
{
	char no[64], tok[64], mats[2048];
	struct resp r;
	long long id;
	int i;

	clock_at("2026-12-16T10:00:00+08:00");
	test_hall_make();
	for (i = 0; i < 50; i++) {
		char body[200];

		snprintf(body, sizeof body, "{\"hall\":\"zz-hand\",\"username\":\"zzclerk\","
		    "\"password\":\"yichuang-demo\",\"window\":1}");
		assert_int_equal(http_json(&r, "POST", API "/staff/login", NULL, body), 0);
		if (r.status == 200) {
			snprintf(zz_clerk, sizeof zz_clerk, "%s", jstr(r.json, "token"));
			resp_free(&r);
			break;
		}
		resp_free(&r);
		usleep(100 * 1000);
	}
	assert_true(zz_clerk[0] != '\0');
	case_accept(NULL, clerk1, ITEM, APPLICANT, no, tok);
	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	send_sheet(&r, clerk1, "{\"hall\":\"zz-hand\"}", no, mats, NULL);
	expect_status(&r, 201);
	id = jint(r.json, "handover.id");
	assert_string_equal(jstr(r.json, "handover.to.hall_name"), "交接测试分中心");
	resp_free(&r);
	/* The other hall's clerk sees it coming in; the sending hall's clerk cannot sign. */
	assert_int_equal(http_json(&r, "GET", API "/handovers?direction=in&status=sent", zz_clerk,
	    NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "handovers.0.id"), id);
	resp_free(&r);
	receive_as(id, clerk_b, zz_clerk);
	held_by(clerk1, no, "hall", "zz-hand", -1);
	tracked_at(tok, "交接测试分中心");
}

/* ---------------------------------------------------------------- another province */

/* To another province's office and back: the hall's clerks record the office's receipt and
 * what it sends back; custody follows (office, then the window it came back to). */
TEST(office_and_back)
{
	char no[64], tok[64], mats[2048], body[2400];
	struct resp r;
	long long id;

	clock_at("2026-12-16T10:00:00+08:00");
	case_accept(NULL, clerk1, ITEM, APPLICANT, no, tok);
	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	send_sheet(&r, clerk1, "{\"office\":\"   \"}", no, mats, NULL);
	assert_invalid(&r, "to.office");
	resp_free(&r);
	send_sheet(&r, clerk1, "{\"office\":\"广东省广州市天河区政务服务中心\"}", no, mats, NULL);
	expect_status(&r, 201);
	id = jint(r.json, "handover.id");
	assert_string_equal(jstr(r.json, "handover.to.kind"), "office");
	resp_free(&r);
	/* An approver does not act for the office; a clerk of the hall records its receipt. */
	receive_as(id, approver1, clerk_b);
	held_by(clerk1, no, "office", "广东省广州市天河区政务服务中心", -1);
	tracked_at(tok, "广东省广州市天河区政务服务中心");
	/* The office sends the file back to window 7 (recorded by a clerk of the hall). */
	snprintf(body, sizeof body, "{\"to\":{\"window\":7},\"cases\":[{\"no\":\"%s\","
	    "\"materials\":%s}]}", no, mats);
	assert_int_equal(http_json(&r, "POST", API "/handovers", clerk_b, body), 0);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "handover.from.kind"), "office");
	id = jint(r.json, "handover.id");
	resp_free(&r);
	{
		char w7[128];

		staff_in("clerk7", 7, w7, sizeof w7);
		receive_as(id, clerk_b, w7);	/* clerk_b is at window 2, not 7 */
	}
	held_by(clerk1, no, "window", "7", -1);
	assert_int_equal(case_history_rows(&test_db, no, "handover_received", NULL), 2);
}

/* ---------------------------------------------------------------- overdue */

TEST(overdue_sheet_alerts_once_and_receipt_clears_it)
{
	char no[64], tok[64], mats[2048], key[48], path[96];
	struct resp r;
	long long id;
	json_t *alerts;
	size_t j;
	int seen;

	clock_at("2026-12-16T10:00:00+08:00");
	case_accept(NULL, clerk1, ITEM, APPLICANT, no, tok);
	sheet_materials(ITEM, 3, NULL, mats, sizeof mats);
	send_sheet(&r, clerk1, "{\"department\":\"scjg\"}", no, mats, NULL);
	expect_status(&r, 201);
	id = jint(r.json, "handover.id");
	resp_free(&r);
	snprintf(key, sizeof key, "handover:%lld", id);
	/* 10:00 → 13:45: 2 h of the morning + 15 min: under 4 working hours. */
	clock_at("2026-12-16T13:45:00+08:00");
	assert_int_equal(job_handover_overdue(&test_db), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_alerts WHERE akey = ?", key), 0);
	/* 15:31: 2 h + 2 h 1 min of working time: overdue; once however often the job runs. */
	clock_at("2026-12-16T15:31:00+08:00");
	assert_int_equal(job_handover_overdue(&test_db), 0);
	assert_int_equal(job_handover_overdue(&test_db), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_alerts WHERE akey = ? AND hall = 'demo'"
	    " AND cleared_at IS NULL", key), 1);
	assert_int_equal(count1("SELECT COUNT(*) FROM audit_log WHERE action = 'handover.overdue'"
	    " AND target = ?", key), 1);
	/* On the manager's dashboard. */
	alerts = get_member(manager, "alerts", API "/halls/demo/stats?from=2026-12-16&to=2026-12-16");
	for (j = 0, seen = 0; j < json_array_size(alerts); j++)
		seen += strcmp(jstr(json_array_get(alerts, j), "key"), key) == 0;
	assert_int_equal(seen, 1);
	json_decref(alerts);
	/* Received: the alert clears at the next run. */
	snprintf(path, sizeof path, API "/handovers/%lld/receive", id);
	expect_reply("POST", path, approver1, "{}", 200);
	assert_int_equal(job_handover_overdue(&test_db), 0);
	assert_int_equal(count1("SELECT COUNT(*) FROM hall_alerts WHERE akey = ? AND"
	    " cleared_at IS NULL", key), 0);
	clock_at("2026-12-16T10:00:00+08:00");
}

SUITE_MAIN("handover", setup, teardown)
