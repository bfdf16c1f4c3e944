/*
 * it_consult.c — 咨询导办 and 首问负责 against the live stack (issue 19 item 6): a consult
 * ticket taken at the kiosk and on the phone, called at the consult window (9 in the demo
 * hall), finished with its consultation record; the referral stays with the first-asked
 * clerk until the receiver accepts it, the manager sees the open ones, and concurrent accepts
 * give exactly one acceptance in the record.
 *
 * The hall clock is moved to Wed 2026-12-16 10:00 (a working day of this suite) and put back.
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

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/race.h"

#define API "/api/v1"

static void
take_z(const char *tok, char *number, char *token)
{
	struct resp r;

	assert_int_equal(http_json(&r, "POST", API "/halls/demo/tickets", tok,
	    "{\"category\":\"Z\"}"), 0);
	expect_status(&r, 201);
	snprintf(number, 8, "%s", jstr(r.json, "ticket.number"));
	snprintf(token, 40, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
}

/* call-next at window 9: the number called. */
static void
call9(const char *tok, char *number)
{
	struct resp r;

	assert_int_equal(http_json(&r, "POST", API "/windows/9/call-next", tok, NULL), 0);
	expect_status(&r, 200);
	snprintf(number, 8, "%s", jstr(r.json, "ticket.number"));
	resp_free(&r);
}

/* Whatever an interrupted earlier run left at window 9 ends as 未到 (no record needed). */
static void
drain9(const char *tok)
{
	struct resp r;
	int more = 1;

	assert_int_equal(http_json(&r, "GET", API "/windows/9", tok, NULL), 0);
	expect_status(&r, 200);
	if (json_is_object(jget(r.json, "current")) &&
	    strcmp(jstr(r.json, "current.status"), "serving") == 0)
		fail_msg("window 9 holds a ticket in service from an earlier run");
	if (json_is_object(jget(r.json, "current")))
		expect_reply("POST", API "/windows/9/finish", tok, "{\"outcome\":\"no_show\"}", 200);
	resp_free(&r);
	while (more) {
		assert_int_equal(http_json(&r, "POST", API "/windows/9/call-next", tok, NULL), 0);
		more = r.status == 200;
		resp_free(&r);
		if (more)
			expect_reply("POST", API "/windows/9/finish", tok,
			    "{\"outcome\":\"no_show\"}", 200);
	}
}

static long long
records_of(const char *ticket_token)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM consult_records c JOIN queue_tickets t"
	    " ON t.id = c.ticket_id WHERE t.token = ?", ticket_token);
}

/* The record of a ticket: its id, and ref_status ("" none). */
static long long
record_id(const char *ticket_token, char *status, size_t ssz)
{
	char id[24] = "";

	assert_int_equal(db_scalar(&test_db, "SELECT c.id FROM consult_records c JOIN"
	    " queue_tickets t ON t.id = c.ticket_id WHERE t.token = ?", DBARGS(DBS(ticket_token)),
	    id, sizeof id), 1);
	status[0] = '\0';
	db_scalar(&test_db, "SELECT COALESCE(ref_status, '') FROM consult_records WHERE id = ?",
	    DBARGS(DBS(id)), status, ssz);
	return strtoll(id, NULL, 10);
}

/* Is the record `id` in the list `name` of GET /consult/referrals for tok? */
static int
listed(const char *tok, const char *name, long long id)
{
	struct resp r;
	json_t *list;
	size_t i;
	int found = 0;

	assert_int_equal(http_json(&r, "GET", API "/consult/referrals", tok, NULL), 0);
	expect_status(&r, 200);
	list = jget(r.json, name);
	assert_true(json_is_array(list));
	for (i = 0; i < json_array_size(list); i++)
		if (json_integer_value(json_object_get(json_array_get(list, i), "id")) == id)
			found = 1;
	resp_free(&r);
	return found;
}

TEST(consult_record_and_referral)
{
	char k[128], c9[128], c1[128], c4[128], mgr[128], cz[128], phone[16], body[700];
	char n1[8], t1[40], n2[8], t2[40], got[8], item[48] = "", status[16], path[96];
	long long id1, id2;
	struct resp r;
	size_t i;
	int seen = 0;

	assert_int_equal(set_clock("2026-12-16T10:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk8", 9, c9, sizeof c9);	/* window 9: 咨询导办, category Z */
	drain9(c9);

	/* The kiosk and the phone list Z as a consult category, and take its numbers. */
	assert_int_equal(http_json(&r, "GET", API "/halls/demo/categories", NULL, NULL), 0);
	expect_status(&r, 200);
	for (i = 0; i < json_array_size(jget(r.json, "categories")); i++) {
		json_t *c = json_array_get(jget(r.json, "categories"), i);

		if (strcmp(json_string_value(json_object_get(c, "code")), "Z") == 0) {
			assert_string_equal(json_string_value(json_object_get(c, "kind")), "consult");
			seen = 1;
		} else
			assert_string_equal(json_string_value(json_object_get(c, "kind")), "service");
	}
	assert_true(seen);
	resp_free(&r);
	snprintf(phone, sizeof phone, "131%08ld", (long)(time(NULL) % 100000000));
	citizen_in(phone, cz, sizeof cz);
	take_z(k, n1, t1);
	take_z(cz, n2, t2);
	assert_int_equal(n1[0], 'Z');

	/* The consult window says what it is, and calls the consult tickets in turn. */
	assert_int_equal(http_json(&r, "GET", API "/windows/9", c9, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "window.kind"), "consult");
	resp_free(&r);
	call9(c9, got);
	assert_string_equal(got, n1);

	/* 办结 at a consult window needs the record; a bad one changes nothing. */
	expect_invalid("POST", API "/windows/9/finish", c9, "{\"outcome\":\"done\"}", "consult");
	expect_invalid("POST", API "/windows/9/finish", c9,
	    "{\"outcome\":\"done\",\"consult\":{\"question\":\"怎么办营业执照\",\"answer\":\"   \","
	    "\"item\":\"NO-SUCH-ITEM\",\"referral\":{\"kind\":\"window\",\"to\":9}}}",
	    "consult.answer");
	expect_invalid("POST", API "/windows/9/finish", c9,
	    "{\"outcome\":\"done\",\"consult\":{\"question\":\"怎么办营业执照\",\"answer\":\"带身份证\","
	    "\"item\":\"NO-SUCH-ITEM\",\"referral\":{\"kind\":\"window\",\"to\":9}}}",
	    "consult.item consult.referral.to");
	expect_refusal("POST", API "/windows/9/finish", c9,
	    "{\"outcome\":\"done\",\"consult\":{\"question\":\"q\",\"answer\":\"a\","
	    "\"referral\":{\"kind\":\"staff\",\"to\":\"nobody-here\"}}}", 400, "INVALID_INPUT");
	assert_int_equal(records_of(t1), 0);
	{
		json_t *tk = get_member(NULL, "ticket", API "/tickets/%s", t1);

		assert_string_equal(jstr(tk, "status"), "called");
		json_decref(tk);
	}

	/* The record, referred to window 4 (市场准入), written with the finish. */
	assert_int_equal(db_scalar(&test_db, "SELECT id FROM items WHERE hall = 'demo' AND"
	    " category = 'B' ORDER BY sort, id LIMIT 1", DBNOARGS, item, sizeof item), 1);
	snprintf(body, sizeof body, "{\"outcome\":\"done\",\"consult\":{\"question\":\"个体户开饭店要办哪些证？\","
	    "\"item\":\"%s\",\"answer\":\"先办营业执照，再办食品经营许可；带身份证和经营场所证明。\","
	    "\"referral\":{\"kind\":\"window\",\"to\":4}}}", item);
	assert_int_equal(http_json(&r, "POST", API "/windows/9/finish", c9, body), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "ticket.status"), "done");
	resp_free(&r);
	id1 = record_id(t1, status, sizeof status);
	assert_string_equal(status, "open");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM consult_records c JOIN staff s"
	    " ON s.id = c.clerk WHERE s.username = 'clerk8' AND c.id = ?",
	    (snprintf(path, sizeof path, "%lld", id1), path)), 1);

	/* 首问负责: the first-asked clerk sees it open; so does the manager. */
	assert_true(listed(c9, "responsible", id1));
	staff_in("manager1", 0, mgr, sizeof mgr);
	assert_true(listed(mgr, "open", id1));

	/* Not the receiver: refused, still open. */
	staff_in("clerk1", 1, c1, sizeof c1);
	assert_false(listed(c1, "incoming", id1));
	snprintf(path, sizeof path, API "/consult/referrals/%lld/accept", id1);
	expect_refusal("POST", path, c1, NULL, 403, "FORBIDDEN");
	record_id(t1, status, sizeof status);
	assert_string_equal(status, "open");

	/* The clerk at window 4 sees it coming and accepts it. */
	staff_in("clerk4", 4, c4, sizeof c4);
	assert_true(listed(c4, "incoming", id1));
	assert_int_equal(http_json(&r, "POST", path, c4, NULL), 0);
	expect_strs(&r, 200, "record.referral.status", "accepted",
	    "record.referral.accepted_by.name", "刘洋", "record.item.id", item, NULL);
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM consult_records c JOIN staff s"
	    " ON s.id = c.accepted_by WHERE s.username = 'clerk4' AND c.ref_status = 'accepted'"
	    " AND c.id = ?", (snprintf(body, sizeof body, "%lld", id1), body)), 1);
	expect_refusal("POST", path, c4, NULL, 409, "INVALID_STATE");
	/* Taken: off the first-asked clerk's list and the manager's. */
	assert_false(listed(c9, "responsible", id1));
	assert_false(listed(mgr, "open", id1));

	/* The phone's ticket: referred to a department, nobody accepts it yet: still open,
	 * still the first-asked clerk's. */
	call9(c9, got);
	assert_string_equal(got, n2);
	expect_reply("POST", API "/windows/9/finish", c9,
	    "{\"outcome\":\"done\",\"consult\":{\"question\":\"食品经营许可多久能办好？\","
	    "\"answer\":\"承诺时限内办结，具体由市场监管局答复。\","
	    "\"referral\":{\"kind\":\"department\",\"to\":\"scjg\"}}}", 200);
	id2 = record_id(t2, status, sizeof status);
	assert_string_equal(status, "open");
	assert_true(listed(c9, "responsible", id2));
	assert_true(listed(mgr, "open", id2));
	assert_false(listed(c4, "incoming", id2));
	set_clock(NULL);
}

/* Many accepts of one referral at once (a double tap, two tabs): one acceptance. */
TEST(concurrent_accepts)
{
	char k[128], c9[128], appr[128], n[8], t[40], got[8], status[16], path[96], idtxt[24];
	struct shot s[6];
	long long id;
	int i, ok, conflict;

	assert_int_equal(set_clock("2026-12-16T11:00:00+08:00"), 0);
	staff_in("kiosk1", 0, k, sizeof k);
	staff_in("clerk8", 9, c9, sizeof c9);
	staff_in("approver1", 0, appr, sizeof appr);
	drain9(c9);
	take_z(k, n, t);
	call9(c9, got);
	assert_string_equal(got, n);
	expect_reply("POST", API "/windows/9/finish", c9,
	    "{\"outcome\":\"done\",\"consult\":{\"question\":\"q\",\"answer\":\"a\","
	    "\"referral\":{\"kind\":\"staff\",\"to\":\"approver1\"}}}", 200);
	id = record_id(t, status, sizeof status);
	assert_true(listed(appr, "incoming", id));
	snprintf(path, sizeof path, API "/consult/referrals/%lld/accept", id);
	memset(s, 0, sizeof s);
	for (i = 0; i < 6; i++) {
		s[i].token = appr;
		s[i].path = path;
	}
	race_http(s, 6);
	ok = shots_with(s, 6, 200);
	conflict = shots_with(s, 6, 409);
	assert_int_equal(ok, 1);
	assert_int_equal(conflict, 5);
	snprintf(idtxt, sizeof idtxt, "%lld", id);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM consult_records c JOIN staff s"
	    " ON s.id = c.accepted_by WHERE s.username = 'approver1' AND c.ref_status = 'accepted'"
	    " AND c.id = ?", idtxt), 1);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action ="
	    " 'consult.accept' AND target = CONCAT('consult:', ?)", idtxt), 1);
	set_clock(NULL);
}

SUITE_MAIN("consult", suite_setup, suite_teardown)
