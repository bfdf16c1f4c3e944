/*
 * it_appointments.c — appointments (预约) against the live stack: the slot plan and the
 * calendar, real-name booking and its rules, Idempotency-Key, cancel and reschedule,
 * check-in into the queue, the no-show and reminder jobs, and the booking rush with real
 * concurrent clients (pthreads, each request its own libcurl handle): 500 citizens for 20
 * places, one citizen racing itself, and Redis wiped after the bookings.
 *
 * Citizens sign in by SMS (citizen_login) — except the 500 of the rush, whose sessions are
 * written straight into the stack's Redis (session_create) for citizens inserted into
 * MariaDB: the thing under test there is booking, not 500 sign-ins.
 *
 * Every test puts the hall clock where it needs it (Monday 2026-11-23 unless it says
 * otherwise) and back at the end.  Slots used: A/B/C/D of 23–27 November 2026.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/session.h"
#include "../../modules/shared/pii.h"
#include "../lib/records.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/race.h"
#include "../lib/steps.h"

#define MONDAY   "2026-11-23T09:40:00+08:00"
#define API      "/api/v1"

/* ------------------------------------------------------------------ helpers */

/* POST /appointments with an optional Idempotency-Key. */
static int
book(struct resp *r, const char *tok, const char *slot, const char *name, const char *id,
    const char *idem)
{
	char body[512], auth[256], key[128];
	const char *h[4];
	int n = 0;

	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"%c\",\"slot\":\"%s\","
	    "\"name\":\"%s\",\"id_number\":\"%s\"}", slot[0], slot, name, id);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok);
	h[n++] = auth;
	h[n++] = "Content-Type: application/json";
	if (idem) {
		snprintf(key, sizeof key, "Idempotency-Key: %s", idem);
		h[n++] = key;
	}
	h[n] = NULL;
	return http(r, "POST", API "/appointments", body, h);
}

/* A booking (no Idempotency-Key) whose reply must be status, and the error code when code
 * is not NULL; the reply is freed. */
static void
book_expect(const char *tok, const char *slot, const char *name, const char *id, long status,
    const char *code)
{
	struct resp r;

	assert_int_equal(book(&r, tok, slot, name, id, NULL), 0);
	if (code)
		assert_error(&r, status, code);
	else
		expect_status(&r, status);
	resp_free(&r);
}

/* Book and keep the token; the booking must succeed. */
static void
book_ok(const char *tok, const char *slot, const char *id, char *appt, size_t asz)
{
	struct resp r;

	assert_int_equal(book(&r, tok, slot, "李四", id, NULL), 0);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "appointment.slot"), slot);
	snprintf(appt, asz, "%s", jstr(r.json, "appointment.token"));
	resp_free(&r);
}

/* Remaining places and capacity of one slot (GET /halls/demo/slots). -1 when not listed. */
static int
remaining(const char *slot, int *cap)
{
	struct resp r;
	char path[160], date[11];
	json_t *s;
	size_t i;
	int rem = -1;

	snprintf(date, sizeof date, "%.4s-%.2s-%.2s", slot + 2, slot + 6, slot + 8);
	snprintf(path, sizeof path, API "/halls/demo/slots?category=%c&date=%s", slot[0], date);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "slots"), i, s)
		if (strcmp(jstr(s, "id"), slot) == 0) {
			rem = (int)jint(s, "remaining");
			if (cap)
				*cap = (int)jint(s, "capacity");
		}
	resp_free(&r);
	return rem;
}

static void
set_capacity(const char *mgr, const char *slot, int cap)
{
	struct resp r;
	char path[128], body[64];

	snprintf(path, sizeof path, API "/halls/demo/slots/%s", slot);
	snprintf(body, sizeof body, "{\"capacity\":%d}", cap);
	assert_int_equal(http_json(&r, "PATCH", path, mgr, body), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "slot.capacity"), cap);
	resp_free(&r);
}

/* What appointments keeps of a booking's token: its SHA-256, hex. */
static void
token_hash(const char *token, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, d, sizeof d);
}

/* Rows of the booking a client was told about (its token) that are live in slot start
 * ("HH:MM") of day and category: 1 when the record agrees with the client. */
static long long
booked_as_told(const char *token, const char *day, char cat, const char *start)
{
	char h[65], out[32], c[2] = { cat, 0 };

	token_hash(token, h);
	assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM appointments WHERE token_hash = ?"
	    " AND day = ? AND category = ? AND start_time = ? AND status = 'booked'"
	    " AND seat IS NOT NULL", DBARGS(DBS(h), DBS(day), DBS(c), DBS(start)), out,
	    sizeof out), 1);
	return strtoll(out, NULL, 10);
}

/* Citizens for the rush: rows in MariaDB and sessions written into Redis (see the top). */
static void
make_citizens(int n, char (*tokens)[SESSION_TOKEN_MAX + 1])
{
	int i;

	for (i = 0; i < n; i++)
		citizen_session(tokens[i], SESSION_TOKEN_MAX + 1);
}

/* ------------------------------------------------------------------ concurrent clients */

struct booker {
	const char	*tok;
	const char	*slot;
	char		 id[19];
	long		 status;
	char		 code[40];
	char		 appt[64];	/* appointment.token of a 201 */
};

static void *
fire(void *arg)
{
	struct booker *s = arg;
	struct resp r;

	if (book(&r, s->tok, s->slot, "王五", s->id, NULL) == 0) {
		s->status = r.status;
		snprintf(s->code, sizeof s->code, "%s",
		    r.status == 201 ? "OK" : jstr(r.json, "error.code") ? jstr(r.json, "error.code") :
		    "?");
		if (r.status == 201 && jstr(r.json, "appointment.token"))
			snprintf(s->appt, sizeof s->appt, "%s", jstr(r.json, "appointment.token"));
	}
	resp_free(&r);
	return NULL;
}

/* n clients at once; counts[0] = 201, counts[1] = SLOT_FULL, counts[2] = ALREADY_BOOKED,
 * counts[3] = anything else. */
static void
rush(struct booker *shots, int n, int counts[4])
{
	int i;

	race_run(n, fire, shots, sizeof *shots);
	memset(counts, 0, 4 * sizeof *counts);
	for (i = 0; i < n; i++) {
		if (shots[i].status == 201)
			counts[0]++;
		else if (strcmp(shots[i].code, "SLOT_FULL") == 0 && shots[i].status == 409)
			counts[1]++;
		else if (strcmp(shots[i].code, "ALREADY_BOOKED") == 0 && shots[i].status == 409)
			counts[2]++;
		else {
			counts[3]++;
			fprintf(stderr, "unexpected answer %ld %s\n", shots[i].status, shots[i].code);
		}
	}
}

/* ------------------------------------------------------------------ state shared by tests */

static char c1[128], c2[128], c8[128];	/* citizens' session tokens */
static char idem_body_token[64];	/* the booking made with an Idempotency-Key */
static const char *const IDEM_KEY = "it-appointments-key-1";
static char id_ban[19];			/* the ID number banned for no-shows */
#define RUSH_SLOT "C-20261126-1400"
#define RUSH_N    500
#define RUSH_CAP  20

/* ------------------------------------------------------------------ tests */

TEST(slots_and_calendar)
{
	struct resp r;
	json_t *s;
	size_t i;
	int cap;

	clock_at(MONDAY);
	/* A working day: 15 half-hour slots of 6 places in A, 08:30 … 17:00. */
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=A&date=2026-11-24", NULL,
	    NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(jget(r.json, "slots")), 15);
	assert_string_equal(jstr(r.json, "slots.0.id"), "A-20261124-0830");
	assert_string_equal(jstr(r.json, "slots.0.start"), "2026-11-24T08:30:00+08:00");
	assert_string_equal(jstr(r.json, "slots.0.end"), "2026-11-24T09:00:00+08:00");
	assert_string_equal(jstr(r.json, "slots.14.start"), "2026-11-24T17:00:00+08:00");
	json_array_foreach(jget(r.json, "slots"), i, s) {
		assert_string_equal(jstr(s, "category"), "A");
		assert_int_equal(jint(s, "capacity"), 6);
		assert_int_equal(jint(s, "remaining"), 6);
	}
	resp_free(&r);
	/* Today: only slots that have not begun (09:40 → from 10:00). */
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=B&date=2026-11-23", NULL,
	    NULL), 0);
	assert_string_equal(jstr(r.json, "slots.0.id"), "B-20261123-1000");
	assert_int_equal(jint(r.json, "slots.0.capacity"), 4);
	resp_free(&r);
	/* Saturday: no slots.  Beyond the 7 days ahead: none. */
	assert_int_equal(slot_count("category=A&date=2026-11-28"), 0);
	assert_int_equal(slot_count("category=A&date=2026-12-02"), 0);
	/* Without a date: every bookable day, Monday 23rd to Monday 30th (no weekend). */
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=D", NULL, NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(jget(r.json, "slots")), 12 + 5 * 15);
	json_array_foreach(jget(r.json, "slots"), i, s) {
		assert_true(strcmp(jstr(s, "date"), "2026-11-28") != 0);
		assert_true(strcmp(jstr(s, "date"), "2026-11-29") != 0);
	}
	assert_null(jget(r.json, "calendar_missing"));
	resp_free(&r);
	assert_int_equal(remaining("E-20261125-0900", &cap), 4);
	assert_int_equal(cap, 4);

	/* Bad input and an unknown hall. */
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?date=2026-02-30&category=a", NULL,
	    NULL), 0);
	assert_invalid(&r, "date category");
	resp_free(&r);
	expect_refusal("GET", API "/halls/nowhere/slots", NULL, NULL, 404, "NOT_FOUND");

	/* Late December: the 2027 holiday notice is not loaded.  Since issue 19 the days of
	 * 2027 run on the provisional calendar (weekends and 元旦 off): bookable from Monday
	 * 4 January, never on 1 January; no "calendar_missing". */
	clock_at("2026-12-28T09:00:00+08:00");
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=A", NULL, NULL), 0);
	expect_status(&r, 200);
	assert_null(jget(r.json, "calendar_missing"));
	{
		int in2027 = 0;

		json_array_foreach(jget(r.json, "slots"), i, s) {
			assert_true(strcmp(jstr(s, "date"), "2027-01-01") != 0);
			in2027 |= strncmp(jstr(s, "date"), "2027-", 5) == 0;
		}
		assert_true(in2027);
	}
	resp_free(&r);
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=A&date=2027-01-04", NULL,
	    NULL), 0);
	expect_status(&r, 200);
	assert_true(json_array_size(jget(r.json, "slots")) > 0);
	assert_null(jget(r.json, "calendar_missing"));
	resp_free(&r);
	set_clock(NULL);
}

TEST(booking_validation)
{
	struct resp r;
	char clerk[128], id[19];

	clock_at(MONDAY);
	citizen_in("13900000001", c1, sizeof c1);
	expect_invalid("POST", API "/appointments", c1, "{}", "hall category slot name id_number");
	/* A wrong check digit (…0021 instead of …002X) and a name with digits. */
	assert_int_equal(book(&r, c1, "A-20261124-1000", "张三3", "110105194912310021", NULL), 0);
	assert_invalid(&r, "id_number name");
	resp_free(&r);
	make_id(id, "19900101", 1);
	/* The slot's letter must be the category's. */
	expect_invalid("POST", API "/appointments", c1, "{\"hall\":\"demo\","
	    "\"category\":\"B\",\"slot\":\"A-20261124-1000\",\"name\":\"张三\","
	    "\"id_number\":\"11010519491231002X\"}", "slot");
	/* Begun already; beyond the days ahead; a Saturday (no such slot). */
	book_expect(c1, "A-20261123-0900", "张三", id, 422, "SLOT_UNAVAILABLE");
	book_expect(c1, "A-20261202-0900", "张三", id, 422, "SLOT_UNAVAILABLE");
	book_expect(c1, "A-20261128-0900", "张三", id, 404, "NOT_FOUND");
	/* Signed out, or not a citizen. */
	book_expect("not-a-session", "A-20261124-1000", "张三", id, 401, "UNAUTHENTICATED");
	staff_in("clerk1", 1, clerk, sizeof clerk);
	book_expect(clerk, "A-20261124-1000", "张三", id, 403, "FORBIDDEN");
	/* Nothing was taken by any of it. */
	assert_int_equal(remaining("A-20261124-1000", NULL), 6);
	set_clock(NULL);
}

TEST(book_see_and_rules)
{
	struct resp r;
	char id1[19], id2[19], tok[64], path[128], clerk[128], code[8], masked[24];
	long since;
	json_t *line = NULL, *list, *a;
	size_t i;
	int found = 0;

	clock_at(MONDAY);
	citizen_in("13900000001", c1, sizeof c1);
	citizen_in("13900000002", c2, sizeof c2);
	make_id(id1, "19900101", 11);
	make_id(id2, "19900101", 12);

	since = sms_log_size();
	assert_int_equal(book(&r, c1, "A-20261124-1000", "张三", id1, NULL), 0);
	expect_status(&r, 201);
	a = jget(r.json, "appointment");
	assert_string_equal(jstr(a, "status"), "booked");
	assert_string_equal(jstr(a, "hall"), "demo");
	assert_string_equal(jstr(a, "category"), "A");
	assert_string_equal(jstr(a, "start"), "2026-11-24T10:00:00+08:00");
	assert_string_equal(jstr(a, "end"), "2026-11-24T10:30:00+08:00");
	assert_string_equal(jstr(a, "name"), "张*");
	snprintf(masked, sizeof masked, "%.6s********%s", id1, id1 + 14);
	assert_string_equal(jstr(a, "id_number"), masked);
	assert_int_equal(strlen(jstr(a, "code")), 6);
	assert_true(strlen(jstr(a, "token")) >= 22);
	snprintf(tok, sizeof tok, "%s", jstr(a, "token"));
	snprintf(code, sizeof code, "%s", jstr(a, "code"));
	resp_free(&r);
	assert_int_equal(remaining("A-20261124-1000", NULL), 5);

	/* The confirmation SMS, queued with the booking and delivered by the worker. */
	assert_int_equal(sms_log_find_since(since, "13900000001", "appointment_booked", &line,
	    20000), 0);
	assert_string_equal(jstr(line, "params.code"), code);
	assert_string_equal(jstr(line, "params.time"), "10:00");
	assert_string_equal(jstr(line, "params.date"), "2026年11月24日");
	assert_string_equal(jstr(line, "params.category"), "无差别受理");
	assert_non_null(strstr(jstr(line, "text"), code));
	json_decref(line);

	/* The holder sees it; another citizen does not; the hall's staff do. */
	assert_int_equal(http_json(&r, "GET", API "/me/appointments", c1, NULL), 0);
	expect_status(&r, 200);
	list = jget(r.json, "appointments");
	json_array_foreach(list, i, a)
		if (strcmp(jstr(a, "token"), tok) == 0)
			found = 1;
	assert_true(found);
	resp_free(&r);
	snprintf(path, sizeof path, API "/appointments/%s", tok);
	assert_int_equal(http_json(&r, "GET", path, c1, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "appointment.code"), code);
	resp_free(&r);
	expect_refusal("GET", path, c2, NULL, 403, "FORBIDDEN");
	staff_in("clerk2", 2, clerk, sizeof clerk);
	expect_reply("GET", path, clerk, NULL, 200);
	expect_refusal("GET", API "/appointments/AAAAAAAAAAAAAAAAAAAAAAAA", c1,
	    NULL, 404, "NOT_FOUND");

	/* One live booking per citizen per hall per day. */
	book_expect(c1, "B-20261124-1400", "张三", id1, 409, "ALREADY_BOOKED");
	/* … and per ID number, whoever books it.  Another account books for it only through a
	 * proxy relation (实名, it_realname): refused until a clerk registers c2 for it. */
	book_expect(c2, "B-20261124-1400", "张三", id1, 409, "ID_BOUND_ELSEWHERE");
	{
		char body[256];

		snprintf(body, sizeof body, "{\"name\":\"张三\",\"id_number\":\"%s\","
		    "\"proxy_phone\":\"13900000002\"}", id1);
		assert_int_equal(http_json(&r, "POST", API "/identity-bindings/proxies", clerk, body),
		    0);
		expect_status(&r, 201);
		resp_free(&r);
	}
	book_expect(c2, "B-20261124-1400", "张三", id1, 409, "ALREADY_BOOKED");
	/* At most 2 a week per ID number: Tuesday, Wednesday, then Thursday is refused, even
	 * when another citizen (its proxy) books for that ID number. */
	book_expect(c1, "A-20261125-1000", "张三", id1, 201, NULL);
	assert_int_equal(book(&r, c1, "A-20261126-1000", "张三", id1, NULL), 0);
	assert_error(&r, 429, "BOOKING_LIMIT");
	assert_string_equal(jstr(r.json, "error.limit"), "week");
	resp_free(&r);
	book_expect(c2, "A-20261127-1000", "张三", id1, 429, "BOOKING_LIMIT");
	/* Next week is another week. */
	book_expect(c1, "A-20261130-1000", "张三", id1, 201, NULL);
	(void)id2;
	set_clock(NULL);
}

TEST(month_limit)
{
	struct resp r;
	char id[19], h[PII_HASH_HEX];
	redisReply *rep;

	/* Six bookings in one month take four weeks of clock moves (and would turn into
	 * no-shows on the way); the monthly check is shown with the month's counter itself:
	 * this ID number has had six in November.  November's counters are loaded (the tests
	 * above booked in November), so the script reads this one. */
	clock_at(MONDAY);
	make_id(id, "19900101", 21);
	pii_hash("idnum", id, h);
	rep = kv_cmd(&test_db, "HSET {hall:demo}:appt:mo:202611 %s 6", h);
	assert_non_null(rep);
	freeReplyObject(rep);
	assert_int_equal(book(&r, c2, "A-20261124-1030", "赵六", id, NULL), 0);
	assert_error(&r, 429, "BOOKING_LIMIT");
	assert_string_equal(jstr(r.json, "error.limit"), "month");
	resp_free(&r);
	rep = kv_cmd(&test_db, "HDEL {hall:demo}:appt:mo:202611 %s", h);
	freeReplyObject(rep);
	set_clock(NULL);
}

TEST(idempotency_key)
{
	struct resp r, r2;
	char id[19], id2[19];

	clock_at(MONDAY);
	citizen_in("13900000002", c2, sizeof c2);
	make_id(id, "19900101", 31);
	make_id(id2, "19900101", 32);
	assert_int_equal(book(&r, c2, "E-20261126-0900", "周七", id, IDEM_KEY), 0);
	expect_status(&r, 201);
	snprintf(idem_body_token, sizeof idem_body_token, "%s", jstr(r.json, "appointment.token"));
	/* Again: the same answer, nothing more. */
	assert_int_equal(book(&r2, c2, "E-20261126-0900", "周七", id, IDEM_KEY), 0);
	expect_status(&r2, 201);
	assert_string_equal(r.body, r2.body);
	resp_free(&r2);
	assert_int_equal(remaining("E-20261126-0900", NULL), 3);
	/* The same key with another body. */
	assert_int_equal(book(&r2, c2, "E-20261126-0930", "周七", id2, IDEM_KEY), 0);
	assert_error(&r2, 409, "IDEMPOTENCY_MISMATCH");
	resp_free(&r2);
	assert_int_equal(remaining("E-20261126-0930", NULL), 4);
	/* A bad key. */
	{
		const char *h[] = { "Content-Type: application/json", "Idempotency-Key: ",
		    NULL, NULL };
		char auth[200];

		snprintf(auth, sizeof auth, "Authorization: Bearer %s", c2);
		h[2] = auth;
		assert_int_equal(http(&r2, "POST", API "/appointments", "{}", h), 0);
		assert_int_equal(r2.status, 400);
		resp_free(&r2);
	}
	resp_free(&r);
	set_clock(NULL);
}

TEST(cancel_and_reschedule)
{
	struct resp r;
	char c3[128], c4[128], mgr[128], id3[19], id4[19], tok[64], path[160], other[64];
	json_t *line = NULL;
	long since;
	long long ncancelled;

	clock_at(MONDAY);
	citizen_in("13900000003", c3, sizeof c3);
	citizen_in("13900000004", c4, sizeof c4);
	staff_in("manager1", 0, mgr, sizeof mgr);
	make_id(id3, "19900101", 41);
	make_id(id4, "19900101", 42);

	book_ok(c3, "B-20261125-0900", id3, tok, sizeof tok);
	assert_int_equal(remaining("B-20261125-0900", NULL), 3);
	/* A full slot: the move is refused and the old place is kept. */
	set_capacity(mgr, "B-20261125-0930", 1);
	book_ok(c4, "B-20261125-0930", id4, other, sizeof other);
	assert_int_equal(remaining("B-20261125-0930", NULL), 0);
	snprintf(path, sizeof path, API "/appointments/%s/reschedule", tok);
	expect_refusal("POST", path, c3, "{\"slot\":\"B-20261125-0930\"}", 409, "SLOT_FULL");
	assert_int_equal(remaining("B-20261125-0900", NULL), 3);
	/* Only down to the places booked. */
	{
		char p[128];

		snprintf(p, sizeof p, API "/halls/demo/slots/B-20261125-0900");
		expect_refusal("PATCH", p, mgr, "{\"capacity\":0}", 409, "CAPACITY_BELOW_BOOKED");
		expect_refusal("PATCH", p, c3, "{\"capacity\":9}", 403, "FORBIDDEN");
	}
	/* A free slot: moved in one go; the old place is free again, the new one taken. */
	assert_int_equal(http_json(&r, "POST", path, c3, "{\"slot\":\"B-20261125-1000\"}"), 0);
	expect_strs(&r, 200, "appointment.slot", "B-20261125-1000", "appointment.token", tok,
	    NULL);
	resp_free(&r);
	assert_int_equal(remaining("B-20261125-0900", NULL), 4);
	assert_int_equal(remaining("B-20261125-1000", NULL), 3);
	/* To another day (and back to the same slot is refused). */
	expect_reply("POST", path, c3, "{\"slot\":\"B-20261126-1000\"}", 200);
	assert_int_equal(remaining("B-20261125-1000", NULL), 4);
	assert_int_equal(remaining("B-20261126-1000", NULL), 3);
	expect_refusal("POST", path, c3, "{\"slot\":\"B-20261126-1000\"}", 422, "SAME_SLOT");
	/* Someone else's appointment. */
	expect_refusal("POST", path, c4, "{\"slot\":\"B-20261126-1100\"}", 403, "FORBIDDEN");

	/* Cancel: the place is free at once; a second cancel changes nothing. */
	snprintf(path, sizeof path, API "/appointments/%s", tok);
	expect_refusal("DELETE", path, c4, NULL, 403, "FORBIDDEN");
	since = sms_log_size();
	expect_reply("DELETE", path, c3, NULL, 204);
	assert_int_equal(remaining("B-20261126-1000", NULL), 4);
	/* The citizen is told, once, with the day and time that were given up. */
	assert_int_equal(sms_log_find_since(since, "13900000003", "appointment_cancelled", &line,
	    20000), 0);
	assert_string_equal(jstr(line, "params.date"), "2026年11月26日");
	assert_string_equal(jstr(line, "params.time"), "10:00");
	assert_string_equal(jstr(line, "params.category"), "市场准入");
	assert_non_null(strstr(jstr(line, "text"), "已取消"));
	json_decref(line);
	ncancelled = db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = ?",
	    "appointment_cancelled");
	assert_true(ncancelled >= 1);
	expect_reply("DELETE", path, c3, NULL, 204);
	/* The second cancel changed nothing, so it told nobody anything. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template = ?",
	    "appointment_cancelled"), ncancelled);
	assert_int_equal(http_json(&r, "GET", path, c3, NULL), 0);
	assert_string_equal(jstr(r.json, "appointment.status"), "cancelled");
	resp_free(&r);
	snprintf(path, sizeof path, API "/appointments/%s/reschedule", tok);
	expect_refusal("POST", path, c3, "{\"slot\":\"B-20261126-1100\"}", 409, "INVALID_STATE");
	/* The day is free for the citizen again: book it anew. */
	book_ok(c3, "B-20261126-1000", id3, tok, sizeof tok);
	set_clock(NULL);
}

TEST(check_in)
{
	struct resp r;
	char c5[128], c6[128], c7[128], kiosk[128], id5[19], id6[19], id7[19];
	char t5[64], t6[64], t7[64], path[160], ticket[64], body[64], code6[8];

	clock_at(MONDAY);
	citizen_in("13900000005", c5, sizeof c5);
	citizen_in("13900000006", c6, sizeof c6);
	citizen_in("13900000007", c7, sizeof c7);
	make_id(id5, "19900101", 51);
	make_id(id6, "19900101", 52);
	make_id(id7, "19900101", 53);
	book_ok(c5, "A-20261123-1030", id5, t5, sizeof t5);
	book_ok(c6, "A-20261123-1030", id6, t6, sizeof t6);
	book_ok(c7, "A-20261123-1100", id7, t7, sizeof t7);

	/* 09:40: the 10:30 slot opens for check-in at 10:00. */
	snprintf(path, sizeof path, API "/appointments/%s/check-in", t5);
	assert_int_equal(http_json(&r, "POST", path, c5, NULL), 0);
	assert_error(&r, 422, "OUTSIDE_CHECKIN_WINDOW");
	assert_string_equal(jstr(r.json, "error.checkin_from"), "2026-11-23T10:00:00+08:00");
	assert_string_equal(jstr(r.json, "error.checkin_until"), "2026-11-23T10:45:00+08:00");
	/* The message names the day, not only the hours. */
	assert_non_null(strstr(jstr(r.json, "error.message"), "11月23日 10:00–10:45"));
	resp_free(&r);

	clock_at("2026-11-23T10:05:00+08:00");
	/* Not someone else's. */
	expect_refusal("POST", path, c6, NULL, 403, "FORBIDDEN");
	assert_int_equal(http_json(&r, "POST", path, c5, NULL), 0);
	expect_strs(&r, 201, "ticket.priority", "appointment", "ticket.category", "A",
	    "ticket.status", "waiting", NULL);
	assert_int_equal(jstr(r.json, "ticket.number")[0], 'A');
	snprintf(ticket, sizeof ticket, "%s", jstr(r.json, "ticket.token"));
	resp_free(&r);
	/* Twice: the same ticket, not a second one. */
	assert_int_equal(http_json(&r, "POST", path, c5, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "ticket.token"), ticket);
	resp_free(&r);
	snprintf(path, sizeof path, API "/tickets/%s", ticket);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "ticket.priority"), "appointment");
	resp_free(&r);
	snprintf(path, sizeof path, API "/appointments/%s", t5);
	assert_int_equal(http_json(&r, "GET", path, c5, NULL), 0);
	assert_string_equal(jstr(r.json, "appointment.status"), "checked_in");
	assert_string_equal(jstr(r.json, "appointment.ticket.token"), ticket);
	resp_free(&r);
	/* Checked in: no cancelling any more. */
	expect_refusal("DELETE", path, c5, NULL, 409, "INVALID_STATE");

	/* At the kiosk with the 6-digit code of the SMS. */
	staff_in("kiosk1", 0, kiosk, sizeof kiosk);
	snprintf(path, sizeof path, API "/appointments/%s", t6);
	assert_int_equal(http_json(&r, "GET", path, c6, NULL), 0);
	snprintf(code6, sizeof code6, "%s", jstr(r.json, "appointment.code"));
	resp_free(&r);
	expect_refusal("POST", API "/halls/demo/appointments/check-in", kiosk,
	    "{\"code\":\"12345x\"}", 400, "INVALID_INPUT");
	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code6);
	assert_int_equal(http_json(&r, "POST", API "/halls/demo/appointments/check-in", kiosk,
	    body), 0);
	expect_strs(&r, 201, "ticket.priority", "appointment", "appointment.status", "checked_in",
	    NULL);
	resp_free(&r);

	/* Too late: the 11:00 slot closes for check-in at 11:15. */
	clock_at("2026-11-23T11:20:00+08:00");
	snprintf(path, sizeof path, API "/appointments/%s/check-in", t7);
	expect_refusal("POST", path, kiosk, NULL, 422, "OUTSIDE_CHECKIN_WINDOW");
	set_clock(NULL);
}

TEST(jobs_noshow_ban_reminder)
{
	struct resp r;
	char c9[128], id9[19], t1[64], t2[64], t9[64], path[160], code9[8];
	long since;
	json_t *line = NULL;
	int i;

	clock_at(MONDAY);
	citizen_in("13900000008", c8, sizeof c8);
	citizen_in("13900000009", c9, sizeof c9);
	make_id(id_ban, "19900101", 61);
	make_id(id9, "19900101", 62);
	/* Two bookings of one ID number that nobody will come to: today 11:30 and tomorrow
	 * 08:30.  And one for Wednesday that gets its reminder on Tuesday. */
	book_ok(c8, "D-20261123-1130", id_ban, t1, sizeof t1);
	book_ok(c8, "D-20261124-0830", id_ban, t2, sizeof t2);
	book_ok(c9, "D-20261125-1400", id9, t9, sizeof t9);
	snprintf(path, sizeof path, API "/appointments/%s", t9);
	assert_int_equal(http_json(&r, "GET", path, c9, NULL), 0);
	snprintf(code9, sizeof code9, "%s", jstr(r.json, "appointment.code"));
	resp_free(&r);

	since = sms_log_size();
	clock_at("2026-11-24T10:00:00+08:00");
	/* The worker marks both no-shows (every 30 s) … */
	for (i = 0; i < 90; i++) {
		long long n = db_count(&test_db, "SELECT COUNT(*) FROM appointments a JOIN appointment_bans b"
		    " ON b.hall = a.hall AND b.idnum_hash = a.idnum_hash WHERE a.status = 'no_show'"
		    " AND a.day IN ('2026-11-23', '2026-11-24') AND a.category = ?", "D");

		if (n == 2)
			break;
		usleep(500 * 1000);
	}
	expect_str_at("GET", c8, NULL, 200, "appointment.status", "no_show",
	    API "/appointments/%s", t1);
	expect_str_at("GET", c8, NULL, 200, "appointment.status", "no_show",
	    API "/appointments/%s", t2);
	/* … and two no-shows within 90 days stop that ID number booking for 90 days. */
	assert_int_equal(book(&r, c8, "D-20261127-0900", "李四", id_ban, NULL), 0);
	assert_error(&r, 403, "NO_SHOW_BANNED");
	assert_string_equal(jstr(r.json, "error.until"), "2027-02-22");
	resp_free(&r);

	/* The reminder for Wednesday, the day before: non-urgent, delivered by day. */
	assert_int_equal(sms_log_find_since(since, "13900000009", "appointment_reminder", &line,
	    40000), 0);
	assert_string_equal(jstr(line, "params.code"), code9);
	assert_string_equal(jstr(line, "params.time"), "14:00");
	json_decref(line);
	/* Exactly one reminder for this booking, queued as not urgent (held at night). */
	{
		char h[65], id[32];

		token_hash(t9, h);
		assert_int_equal(db_scalar(&test_db, "SELECT id FROM appointments WHERE token_hash = ?",
		    DBARGS(DBS(h)), id, sizeof id), 1);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
		    " 'appointment_reminder' AND ref_kind = 'appointment' AND ref_id = ?", id), 1);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM outbox WHERE template ="
		    " 'appointment_reminder' AND ref_kind = 'appointment' AND urgent = 0"
		    " AND ref_id = ?", id), 1);
	}
	set_clock(NULL);
}

TEST(rush_500_for_20)
{
	static char tokens[RUSH_N][SESSION_TOKEN_MAX + 1];
	static struct booker shots[RUSH_N];
	char mgr[128];
	int counts[4], i;

	clock_at(MONDAY);
	staff_in("manager1", 0, mgr, sizeof mgr);
	set_capacity(mgr, RUSH_SLOT, RUSH_CAP);
	assert_int_equal(remaining(RUSH_SLOT, NULL), RUSH_CAP);
	make_citizens(RUSH_N, tokens);
	for (i = 0; i < RUSH_N; i++) {
		memset(&shots[i], 0, sizeof shots[i]);
		shots[i].tok = tokens[i];
		shots[i].slot = RUSH_SLOT;
		make_id(shots[i].id, "19700101", i);
	}
	rush(shots, RUSH_N, counts);
	fprintf(stderr, "rush: %d booked, %d SLOT_FULL, %d ALREADY_BOOKED, %d other\n",
	    counts[0], counts[1], counts[2], counts[3]);
	assert_int_equal(counts[0], RUSH_CAP);
	assert_int_equal(counts[1], RUSH_N - RUSH_CAP);
	assert_int_equal(counts[3], 0);
	assert_int_equal(remaining(RUSH_SLOT, NULL), 0);
	/* The record agrees: 20 live bookings on 20 different places 1…20. */
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND"
	    " day = '2026-11-26' AND category = 'C' AND start_time = '14:00' AND"
	    " status = 'booked' AND seat BETWEEN 1 AND 20 AND code <> ?", "x"), RUSH_CAP);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(DISTINCT seat) FROM appointments WHERE"
	    " hall = 'demo' AND day = '2026-11-26' AND category = 'C' AND start_time = '14:00'"
	    " AND status <> ?", "cancelled"), RUSH_CAP);
	/* … and they are the 20 citizens who were told so: each 201 is one live booking. */
	for (i = 0; i < RUSH_N; i++)
		if (shots[i].status == 201 &&
		    booked_as_told(shots[i].appt, "2026-11-26", 'C', "14:00") != 1)
			fail_msg("citizen %d was told booked; the record disagrees", i);
	set_clock(NULL);
}

TEST(same_citizen_races_itself)
{
	static struct booker shots[20];
	char c10[128];
	int counts[4], i;

	clock_at(MONDAY);
	citizen_in("13900000010", c10, sizeof c10);
	for (i = 0; i < 20; i++) {
		memset(&shots[i], 0, sizeof shots[i]);
		shots[i].tok = c10;
		shots[i].slot = "D-20261126-0900";
		make_id(shots[i].id, "19900101", 70);
	}
	rush(shots, 20, counts);
	assert_int_equal(counts[0], 1);
	assert_int_equal(counts[2], 19);
	assert_int_equal(counts[3], 0);
	assert_int_equal(remaining("D-20261126-0900", NULL), 3);
	/* The record: the one booking the citizen was told about, and no other that day. */
	for (i = 0; i < 20; i++)
		if (shots[i].status == 201) {
			char h[65], out[32];

			assert_int_equal(booked_as_told(shots[i].appt, "2026-11-26", 'D', "09:00"), 1);
			token_hash(shots[i].appt, h);
			assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM appointments a JOIN"
			    " appointments b ON b.idnum_hash = a.idnum_hash AND b.day = a.day"
			    " WHERE a.token_hash = ? AND b.status <> 'cancelled'", DBARGS(DBS(h)),
			    out, sizeof out), 1);
			assert_string_equal(out, "1");
		}
	set_clock(NULL);
}

/* Every live booking on a place within its slot's capacity, and no place twice. */
static long long
over_capacity(void)
{
	return db_count(&test_db, "SELECT COUNT(*) FROM (SELECT a.hall, a.day, a.category, a.start_time,"
	    " COUNT(*) AS n, MAX(a.seat) AS top, COALESCE(o.capacity, t.capacity) AS cap"
	    " FROM appointments a JOIN appointment_slot_templates t ON t.hall = a.hall AND"
	    "  t.category = a.category AND t.start_time = a.start_time"
	    " LEFT JOIN appointment_slot_overrides o ON o.hall = a.hall AND o.category = a.category"
	    "  AND o.start_time = a.start_time AND o.day = a.day"
	    " WHERE a.status <> 'cancelled' AND a.hall = ?"
	    " GROUP BY a.hall, a.day, a.category, a.start_time, o.capacity, t.capacity"
	    " HAVING n > cap OR top > cap) x", "demo");
}

TEST(redis_wiped)
{
	static const char *const cats = "ABCDE";
	static char tokens[100][SESSION_TOKEN_MAX + 1];
	static struct booker shots[100];
	struct resp before[5], after[5], r;
	char path[128], id[19];
	redisReply *rep;
	int counts[4], i;

	clock_at(MONDAY);
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof path, API "/halls/demo/slots?category=%c", cats[i]);
		assert_int_equal(http(&before[i], "GET", path, NULL, NULL), 0);
		expect_status(&before[i], 200);
	}
	assert_int_equal(over_capacity(), 0);

	/* Everything Redis held is gone (sessions too). */
	rep = kv_cmd(&test_db, "FLUSHALL");
	assert_non_null(rep);
	freeReplyObject(rep);

	/* Rebuilt from MariaDB before it is served: every slot of every day as before. */
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof path, API "/halls/demo/slots?category=%c", cats[i]);
		assert_int_equal(http(&after[i], "GET", path, NULL, NULL), 0);
		expect_status(&after[i], 200);
		assert_string_equal(before[i].body, after[i].body);
		resp_free(&before[i]);
		resp_free(&after[i]);
	}
	assert_int_equal(remaining(RUSH_SLOT, NULL), 0);

	/* The rush slot stays full: 100 more at once, none gets in. */
	make_citizens(100, tokens);
	for (i = 0; i < 100; i++) {
		memset(&shots[i], 0, sizeof shots[i]);
		shots[i].tok = tokens[i];
		shots[i].slot = RUSH_SLOT;
		make_id(shots[i].id, "19700102", i);
	}
	rush(shots, 100, counts);
	assert_int_equal(counts[0], 0);
	assert_int_equal(counts[1], 100);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM appointments WHERE day = '2026-11-26'"
	    " AND category = 'C' AND start_time = '14:00' AND status <> ?", "cancelled"), RUSH_CAP);
	assert_int_equal(over_capacity(), 0);

	/* The per-citizen state came back too: the ban, and the day already booked. */
	citizen_in("13900000008", c8, sizeof c8);
	book_expect(c8, "D-20261127-0900", "李四", id_ban, 403, "NO_SHOW_BANNED");
	citizen_in("13900000001", c1, sizeof c1);
	make_id(id, "19900101", 11);
	book_expect(c1, "B-20261124-1500", "张三", id, 409, "ALREADY_BOOKED");
	/* And an Idempotency-Key's first answer, kept in MariaDB with the booking. */
	citizen_in("13900000002", c2, sizeof c2);
	make_id(id, "19900101", 31);
	assert_int_equal(book(&r, c2, "E-20261126-0900", "周七", id, IDEM_KEY), 0);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "appointment.token"), idem_body_token);
	resp_free(&r);
	set_clock(NULL);
}

/*
 * After a dependency came back, each app thread finds out on its next request that its old
 * connection is dead (that request is a 503), then reconnects.  Touch every thread (reads of
 * both MariaDB and Redis) until a long run of answers is clean, so the tests and pages that
 * come after this one do not meet a leftover dead connection.
 */
static void
heal(void)
{
	struct resp r;
	int i, clean = 0;

	for (i = 0; i < 400 && clean < 64; i++) {
		assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=E&date=2026-11-27",
		    NULL, NULL), 0);
		clean = r.status == 200 ? clean + 1 : 0;
		resp_free(&r);
		if (clean == 0)
			usleep(50 * 1000);
	}
	assert_true(clean >= 64);
}

TEST(outages)
{
	struct resp r;
	char c11[128], id[19];

	clock_at(MONDAY);
	citizen_in("13900000011", c11, sizeof c11);
	make_id(id, "19900101", 81);
	/* MariaDB down: 503, and no place is lost. */
	assert_int_equal(remaining("E-20261127-1000", NULL), 4);
	assert_int_equal(stack("mysql-stop"), 0);
	book_expect(c11, "E-20261127-1000", "孙八", id, 503, "UNAVAILABLE");
	assert_int_equal(stack("mysql-start"), 0);
	wait_health(200, 15000);
	heal();
	assert_int_equal(remaining("E-20261127-1000", NULL), 4);
	/* Redis down: 503 for the slots and for booking. */
	assert_int_equal(stack("redis-stop"), 0);
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=E&date=2026-11-27", NULL,
	    NULL), 0);
	assert_error(&r, 503, "UNAVAILABLE");
	resp_free(&r);
	book_expect(c11, "E-20261127-1000", "孙八", id, 503, "UNAVAILABLE");
	assert_int_equal(stack("redis-start"), 0);
	wait_health(200, 15000);
	heal();
	citizen_in("13900000011", c11, sizeof c11);
	book_expect(c11, "E-20261127-1000", "孙八", id, 201, NULL);
	assert_int_equal(remaining("E-20261127-1000", NULL), 3);
	set_clock(NULL);
}

/*
 * A full slot is refused from Redis alone (book_peek): in a rush nearly every request is a
 * refusal, and none of them waits on MariaDB, even when it is away.  16 asks first, so both
 * app processes hold the slot's plan; then MariaDB stops and the refusals stay 409 SLOT_FULL
 * (before, the ID number's record was read first: 503).
 */
TEST(full_slot_refused_from_redis)
{
	char mgr[128], c12[128], id[19];
	int i;

	clock_at(MONDAY);
	staff_in("manager1", 0, mgr, sizeof mgr);
	set_capacity(mgr, "E-20261127-1430", 0);
	citizen_in("13900000012", c12, sizeof c12);
	make_id(id, "19881212", 12);
	for (i = 0; i < 16; i++)
		book_expect(c12, "E-20261127-1430", "郑十二", id, 409, "SLOT_FULL");
	assert_int_equal(stack("mysql-stop"), 0);
	for (i = 0; i < 8; i++)
		book_expect(c12, "E-20261127-1430", "郑十二", id, 409, "SLOT_FULL");
	assert_int_equal(stack("mysql-start"), 0);
	wait_health(200, 15000);
	heal();
	set_clock(NULL);
}

/*
 * appointment_release_time [08:00]: the last bookable day (Monday 30 November, 7 days ahead
 * of Monday 23rd) opens at 08:00 on the 23rd, every slot of it at that one instant.  At
 * 07:59 it is neither listed nor bookable (422, nothing written); at 08:00 it is both.
 */
TEST(release_at_eight)
{
	struct resp r;
	char c[SESSION_TOKEN_MAX + 1], id[19];
	const char *count = "SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND"
	    " day = '2026-11-30' AND category = 'A' AND start_time = ? AND status = 'booked'";
	long long before;

	clock_at("2026-11-23T07:59:30+08:00");
	citizen_session(c, sizeof c);
	make_id(id, "19660606", 808);
	before = db_count(&test_db, count, "09:00");
	assert_int_equal(http(&r, "GET", API "/halls/demo/slots?category=A&date=2026-11-30", NULL,
	    NULL), 0);
	expect_status(&r, 200);
	assert_int_equal(json_array_size(jget(r.json, "slots")), 0);
	assert_string_equal(jstr(r.json, "release_time"), "08:00");
	resp_free(&r);
	/* The day before it was released yesterday: listed. */
	assert_int_equal(remaining("A-20261127-0900", NULL) >= 0, 1);
	book_expect(c, "A-20261130-0900", "周九", id, 422, "SLOT_UNAVAILABLE");
	assert_int_equal(db_count(&test_db, count, "09:00"), before);

	clock_at("2026-11-23T08:00:00+08:00");
	assert_int_equal(slot_count("category=A&date=2026-11-30"), 15);
	book_expect(c, "A-20261130-0900", "周九", id, 201, NULL);
	assert_int_equal(db_count(&test_db, count, "09:00"), before + 1);
	set_clock(NULL);
}

SUITE_MAIN("appointments", suite_setup, suite_teardown)
