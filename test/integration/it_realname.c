/*
 * it_realname.c — 实名，一证一号 against the live stack: an ID number belongs to one citizen
 * account (bound by its first use), another account using it is refused with a message that
 * says how to fix it, a clerk who saw the ID card rebinds it (and the wrong holder's bookings
 * go), and others act for it only through a proxy relation (亲友代办) — confirmed by an SMS
 * code to the holder's own phone, or registered by a clerk — with the caps and no-show bans
 * counting against the principal, never the proxy.  Bookings (POST /appointments) and online
 * applications (POST /cases as a citizen) follow the rule; a clerk's window acceptance does
 * not.  Two accounts racing for one number: real concurrent clients, then the rows.
 *
 * Every test puts the hall clock where it needs it (Monday 2026-11-23 09:40 unless it says
 * otherwise) and back.  Slots used: E and F of 23–27 and 30 November 2026 (A–D belong to
 * it_appointments), a few B and C places on the 30th.  ID numbers: 110105 + 1960–1969 birth
 * dates, used nowhere else.
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
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/steps.h"
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

#define MONDAY "2026-11-23T09:40:00+08:00"
#define API    "/api/v1"

/* ------------------------------------------------------------------ helpers */

/* The keyed hashes the app keeps: "idnum" for the binding and bookings, "id_number" for
 * cases, "phone" for accounts. */
static void
hash_of(const char *kind, const char *v, char out[PII_HASH_HEX])
{
	pii_hash(kind, v, out);
}

/* What the record says about an ID number or a phone, looked up by the keyed hash the app
 * keeps: the account that holds an ID number (0 none), how many accounts hold it, the
 * account of a phone (0 none), the live bookings of an ID number. */
enum fact { HOLDER_OF, ACCOUNTS_HOLDING, ACCOUNT_OF_PHONE, LIVE_BOOKINGS, FACT__MAX };

static const struct {
	const char	*kind;
	const char	*sql;
} facts[FACT__MAX] = {
	[HOLDER_OF] = { "idnum",
	    "SELECT COALESCE(MAX(id), 0) FROM citizens WHERE idnum_hash = ?" },
	[ACCOUNTS_HOLDING] = { "idnum", "SELECT COUNT(*) FROM citizens WHERE idnum_hash = ?" },
	[ACCOUNT_OF_PHONE] = { "phone",
	    "SELECT COALESCE(MAX(id), 0) FROM citizens WHERE phone_hash = ?" },
	[LIVE_BOOKINGS] = { "idnum", "SELECT COUNT(*) FROM appointments WHERE idnum_hash = ?"
	    " AND status IN ('booked', 'checked_in')" },
};

static long long
fact(enum fact f, const char *v)
{
	char h[PII_HASH_HEX];

	hash_of(facts[f].kind, v, h);
	return db_count(&test_db, facts[f].sql, h);
}

static void
book_body(char *out, size_t osz, const char *slot, const char *name, const char *id)
{
	snprintf(out, osz, "{\"hall\":\"demo\",\"category\":\"%c\",\"slot\":\"%s\","
	    "\"name\":\"%s\",\"id_number\":\"%s\"}", slot[0], slot, name, id);
}

static void
book(struct resp *r, const char *tok, const char *slot, const char *name, const char *id)
{
	char body[512];

	book_body(body, sizeof body, slot, name, id);
	assert_int_equal(http_json(r, "POST", API "/appointments", tok, body), 0);
}

/* Book; must succeed.  The appointment's token into appt (may be NULL). */
static void
book_ok(const char *tok, const char *slot, const char *name, const char *id, char *appt,
    size_t asz)
{
	struct resp r;

	book(&r, tok, slot, name, id);
	expect_status(&r, 201);
	if (appt)
		snprintf(appt, asz, "%s", jstr(r.json, "appointment.token"));
	resp_free(&r);
}

/* Book; must be refused with status and code. */
static void
book_refused(const char *tok, const char *slot, const char *name, const char *id, long status,
    const char *code)
{
	struct resp r;

	book(&r, tok, slot, name, id);
	assert_error(&r, status, code);
	resp_free(&r);
}

/* Remaining places of one slot. */
static int
remaining(const char *slot)
{
	struct resp r;
	char path[160];
	json_t *s;
	size_t i;
	int rem = -1;

	snprintf(path, sizeof path, API "/halls/demo/slots?category=%c&date=%.4s-%.2s-%.2s",
	    slot[0], slot + 2, slot + 6, slot + 8);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	expect_status(&r, 200);
	json_array_foreach(jget(r.json, "slots"), i, s)
		if (strcmp(jstr(s, "id"), slot) == 0)
			rem = (int)jint(s, "remaining");
	resp_free(&r);
	return rem;
}

/* Accounts without a phone, signed in by writing their sessions into Redis (as
 * it_appointments' rush does): the race is about binding, not about signing in. */
static void
fresh_accounts(int n, char (*tokens)[SESSION_TOKEN_MAX + 1], long long *ids)
{
	int i;

	for (i = 0; i < n; i++) {
		uint64_t id = citizen_session(tokens[i], SESSION_TOKEN_MAX + 1);

		if (ids)
			ids[i] = (long long)id;
	}
}

/* ---- uploads and online applications (POST /cases as a citizen) ---- */

/* Upload a small PDF as token; its id into out. */
static void
upload_pdf(const char *token, int seed, char *out, size_t osz)
{
	unsigned char buf[1024];

	upload_file(token, "application/pdf", buf, make_pdf(buf, seed), out, osz);
}

#define ITEM "IT-A-001"		/* one required material: the cheapest online application */

/* The codes of ITEM's required materials, as a JSON array of strings (owned). */
static json_t *
required_codes(void)
{
	json_t *codes = material_codes(ITEM, 1, 0);

	assert_true(json_array_size(codes) > 0);
	return codes;
}

/* The body of an online application by token for applicant (name, id), each required
 * material a fresh upload of token's. */
static void
apply_body(char *out, size_t osz, const char *token, const char *name, const char *id,
    int seed)
{
	json_t *codes = required_codes(), *c;
	size_t i;
	char up[64];

	snprintf(out, osz, "{\"item\":\"" ITEM "\",\"applicant\":{\"name\":\"%s\","
	    "\"id_number\":\"%s\",\"phone\":\"13966660001\"},\"delivery\":\"pickup\","
	    "\"materials\":{", name, id);
	json_array_foreach(codes, i, c) {
		upload_pdf(token, seed + (int)i, up, sizeof up);
		snprintf(out + strlen(out), osz - strlen(out), "%s\"%s\":\"%s\"", i ? "," : "",
		    json_string_value(c), up);
	}
	snprintf(out + strlen(out), osz - strlen(out), "}}");
	json_decref(codes);
}

/* The audit trail has a row of action about target (LIKE pattern). */
static long long
audited(const char *action, const char *target_like)
{
	char out[32];
	int rc;

	rc = db_scalar(&test_db, "SELECT COUNT(*) FROM audit_log WHERE action = ? AND target LIKE ?",
	    DBARGS(DBS(action), DBS(target_like)), out, sizeof out);
	assert_true(rc == 1);
	return strtoll(out, NULL, 10);
}

/* ------------------------------------------------------------------ tests */

/*
 * The case of the issue: B used A's ID number, and A got 429 BOOKING_LIMIT.  Now the first
 * use binds the number to A; B is refused with a message that says where to go; nothing of
 * B's attempts counts against A, who still books twice in the week.
 */
TEST(first_use_binds_and_others_are_refused)
{
	struct resp r;
	char a[128], b[128], c[128], idA[19], idB[19], idZ[19], path[128];
	long long aid;
	int before;

	clock_at(MONDAY);
	citizen_in("13960000001", a, sizeof a);
	citizen_in("13960000002", b, sizeof b);
	make_id(idA, "19600101", 1);
	make_id(idB, "19600101", 2);
	aid = fact(ACCOUNT_OF_PHONE, "13960000001");
	assert_true(aid > 0);

	/* Nothing bound yet: GET /me/identity says so. */
	assert_int_equal(http_json(&r, "GET", API "/me/identity", a, NULL), 0);
	expect_status(&r, 200);
	assert_true(json_is_null(jget(r.json, "identity")));
	resp_free(&r);

	/* A's first booking binds the number and its name to A's account. */
	book_ok(a, "E-20261124-0900", "张三", idA, NULL, 0);
	assert_int_equal(fact(HOLDER_OF, idA), aid);
	assert_int_equal(fact(ACCOUNTS_HOLDING, idA), 1);
	assert_int_equal(http_json(&r, "GET", API "/me/identity", a, NULL), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "identity.name"), "张*");
	{
		char masked[24];

		snprintf(masked, sizeof masked, "%.6s********%s", idA, idA + 14);
		assert_string_equal(jstr(r.json, "identity.id_number"), masked);
	}
	assert_string_equal(jstr(r.json, "identity.how"), "first_use");
	assert_null(strstr(r.body, idA));
	resp_free(&r);

	/* B with A's number, twice: refused, said how to fix it, nothing taken or counted. */
	before = remaining("E-20261125-0900");
	book(&r, b, "E-20261125-0900", "张三", idA);
	assert_error(&r, 409, "ID_BOUND_ELSEWHERE");
	assert_non_null(strstr(jstr(r.json, "error.message"), "窗口"));
	assert_non_null(strstr(jstr(r.json, "error.message"), "改绑"));
	assert_non_null(strstr(jstr(r.json, "error.message"), "代办"));
	assert_non_null(jget(r.json, "error.fields.id_number"));
	resp_free(&r);
	book_refused(b, "E-20261126-0900", "张三", idA, 409, "ID_BOUND_ELSEWHERE");
	assert_int_equal(remaining("E-20261125-0900"), before);
	assert_int_equal(fact(LIVE_BOOKINGS, idA), 1);
	assert_int_equal(fact(HOLDER_OF, idA), aid);
	/* … so A still has the week's second booking (the cap is 2), then the cap. */
	book_ok(a, "E-20261125-0930", "张三", idA, NULL, 0);
	book_refused(a, "E-20261126-0930", "张三", idA, 429, "BOOKING_LIMIT");

	/* The name goes with the number: another name is refused, naming the field. */
	book(&r, a, "E-20261130-0900", "张四", idA);
	assert_fields(&r, "name");
	resp_free(&r);
	/* One account, one identity: A with another number needs a proxy relation. */
	book(&r, a, "E-20261130-0900", "李四", idB);
	assert_error(&r, 409, "PROXY_REQUIRED");
	assert_non_null(strstr(jstr(r.json, "error.message"), "代办"));
	resp_free(&r);
	assert_int_equal(fact(ACCOUNTS_HOLDING, idB), 0);
	assert_int_equal(fact(LIVE_BOOKINGS, idB), 0);

	/* A first use that ends in a refusal binds nothing: a full slot. */
	citizen_in("13960000003", c, sizeof c);
	make_id(idZ, "19600101", 3);
	{
		char mgr[128];

		staff_in("manager1", 0, mgr, sizeof mgr);
		snprintf(path, sizeof path, API "/halls/demo/slots/E-20261127-1600");
		expect_reply("PATCH", path, mgr, "{\"capacity\":0}", 200);
	}
	book_refused(c, "E-20261127-1600", "王五", idZ, 409, "SLOT_FULL");
	assert_int_equal(fact(ACCOUNTS_HOLDING, idZ), 0);
	/* … and so B may still make it B's own. */
	book_ok(b, "E-20261127-1530", "王五", idZ, NULL, 0);
	assert_int_equal(fact(HOLDER_OF, idZ), fact(ACCOUNT_OF_PHONE, "13960000002"));
	set_clock(NULL);
}

/* Online applications follow the same rule; a clerk's window acceptance does not. */
TEST(online_applications_follow_the_rule)
{
	struct resp r;
	char a[128], b[128], clerk[128], idA[19], idN[19], body[2048], h[PII_HASH_HEX];
	json_t *codes;
	char *codes_text;
	long long before;

	clock_at(MONDAY);
	citizen_in("13960000001", a, sizeof a);
	citizen_in("13960000002", b, sizeof b);
	make_id(idA, "19600101", 1);		/* A's, bound by the test above */
	make_id(idN, "19600101", 4);
	hash_of("id_number", idA, h);
	before = db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE applicant_id_hash = ?", h);

	/* B files for A's number: refused naming applicant.id_number; no case. */
	apply_body(body, sizeof body, b, "张三", idA, 100);
	assert_int_equal(http_json(&r, "POST", API "/cases", b, body), 0);
	assert_error(&r, 409, "ID_BOUND_ELSEWHERE");
	assert_non_null(json_object_get(jget(r.json, "error.fields"), "applicant.id_number"));
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE applicant_id_hash = ?", h),
	    before);
	/* A files for A's own number; with a wrong name, no. */
	apply_body(body, sizeof body, a, "张四", idA, 110);
	expect_fields("POST", API "/cases", a, body, "applicant.name");
	apply_body(body, sizeof body, a, "张三", idA, 120);
	assert_int_equal(http_json(&r, "POST", API "/cases", a, body), 0);
	expect_status(&r, 201);
	assert_string_equal(jstr(r.json, "case.status"), "submitted");
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE applicant_id_hash = ?", h),
	    before + 1);
	/* A's first online application for a new number would make it A's second identity. */
	apply_body(body, sizeof body, a, "赵六", idN, 130);
	expect_refusal("POST", API "/cases", a, body, 409, "PROXY_REQUIRED");
	assert_int_equal(fact(ACCOUNTS_HOLDING, idN), 0);

	/* At the window a clerk accepts for any number (not a citizen account: not bound). */
	staff_in("clerk1", 1, clerk, sizeof clerk);
	codes = required_codes();
	codes_text = json_dumps(codes, JSON_COMPACT);
	snprintf(body, sizeof body, "{\"item\":\"" ITEM "\",\"applicant\":{\"name\":\"赵六\","
	    "\"id_number\":\"%s\",\"phone\":\"13966660002\"},\"materials\":%s}", idN, codes_text);
	free(codes_text);
	json_decref(codes);
	expect_reply("POST", API "/cases", clerk, body, 201);
	assert_int_equal(fact(ACCOUNTS_HOLDING, idN), 0);
	set_clock(NULL);
}

/*
 * Two accounts cannot bind one number, however they race.  16 new accounts book the same
 * unbound number at once (each a different slot and day); then 12 more accounts file an
 * online application for another unbound number at once.  Exactly one of each wins, the
 * others are refused (409 ID_BOUND_ELSEWHERE, or the number's own rules: one booking a day,
 * two a week), nobody gets a 5xx; the rows say the same: one account holds each number, and
 * holds the one booking or case; the losers' places are free again.
 */
TEST(binding_races)
{
	static char tokens[28][SESSION_TOKEN_MAX + 1];
	static struct shot shots[28];
	static char bodies[28][1024];
	static const char *const slots[16] = {
		"F-20261124-0900", "F-20261124-0930", "F-20261124-1000", "F-20261124-1030",
		"F-20261125-0900", "F-20261125-0930", "F-20261125-1000", "F-20261125-1030",
		"F-20261126-0900", "F-20261126-0930", "F-20261126-1000", "F-20261126-1030",
		"F-20261127-0900", "F-20261127-0930", "F-20261127-1000", "F-20261127-1030",
	};
	long long ids[28], holder;
	int before[16], i, wins = 0, bound = 0, won = -1;
	char idW[19], idV[19], h[PII_HASH_HEX], who[24];

	clock_at(MONDAY);
	fresh_accounts(28, tokens, ids);
	make_id(idW, "19600202", 1);
	make_id(idV, "19600202", 2);

	/* Bookings. */
	for (i = 0; i < 16; i++) {
		before[i] = remaining(slots[i]);
		assert_true(before[i] > 0);
		memset(&shots[i], 0, sizeof shots[i]);
		shots[i].token = tokens[i];
		shots[i].path = API "/appointments";
		book_body(bodies[i], sizeof bodies[i], slots[i], "钱七", idW);
		shots[i].body = bodies[i];
	}
	race_http(shots, 16);
	for (i = 0; i < 16; i++) {
		assert_true(shots[i].status > 0 && shots[i].status < 500);
		if (shots[i].status == 201) {
			wins++;
			won = i;
		} else {
			assert_true(strcmp(shots[i].code, "ID_BOUND_ELSEWHERE") == 0 ||
			    strcmp(shots[i].code, "ALREADY_BOOKED") == 0 ||
			    strcmp(shots[i].code, "BOOKING_LIMIT") == 0);
			bound += strcmp(shots[i].code, "ID_BOUND_ELSEWHERE") == 0;
		}
	}
	fprintf(stderr, "binding race (bookings): %d booked, %d ID_BOUND_ELSEWHERE\n", wins,
	    bound);
	assert_int_equal(wins, 1);
	assert_int_equal(fact(ACCOUNTS_HOLDING, idW), 1);
	holder = fact(HOLDER_OF, idW);
	assert_int_equal(holder, ids[won]);
	assert_int_equal(fact(LIVE_BOOKINGS, idW), 1);
	hash_of("idnum", idW, h);
	snprintf(who, sizeof who, "%lld", holder);
	{
		char out[32];

		assert_int_equal(db_scalar(&test_db, "SELECT citizen_id FROM appointments"
		    " WHERE idnum_hash = ? AND status = 'booked'", DBARGS(DBS(h)), out, sizeof out), 1);
		assert_string_equal(out, who);
	}
	/* Every place but the winner's is free again in Redis: nobody else kept one. */
	for (i = 0; i < 16; i++)
		assert_int_equal(remaining(slots[i]), before[i] - (i == won ? 1 : 0));

	/* Online applications. */
	for (i = 0; i < 12; i++) {
		memset(&shots[16 + i], 0, sizeof shots[16 + i]);
		shots[16 + i].token = tokens[16 + i];
		shots[16 + i].path = API "/cases";
		apply_body(bodies[16 + i], sizeof bodies[16 + i], tokens[16 + i], "孙八", idV,
		    200 + 10 * i);
		shots[16 + i].body = bodies[16 + i];
	}
	race_http(shots + 16, 12);
	wins = 0;
	for (i = 16; i < 28; i++) {
		if (shots[i].status == 201) {
			wins++;
			won = i;
		} else {
			if (shots[i].status != 409 || strcmp(shots[i].code, "ID_BOUND_ELSEWHERE") != 0)
				fprintf(stderr, "unexpected %ld %s\n", shots[i].status, shots[i].code);
			assert_int_equal(shots[i].status, 409);
			assert_string_equal(shots[i].code, "ID_BOUND_ELSEWHERE");
		}
	}
	assert_int_equal(wins, 1);
	assert_int_equal(fact(ACCOUNTS_HOLDING, idV), 1);
	assert_int_equal(fact(HOLDER_OF, idV), ids[won]);
	hash_of("id_number", idV, h);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM cases WHERE applicant_id_hash = ?", h), 1);
	snprintf(who, sizeof who, "%lld", ids[won]);
	{
		char out[32];

		assert_int_equal(db_scalar(&test_db, "SELECT citizen FROM cases WHERE applicant_id_hash = ?",
		    DBARGS(DBS(h)), out, sizeof out), 1);
		assert_string_equal(out, who);
	}
	set_clock(NULL);
}

/*
 * 亲友代办 by SMS: Q asks to act for P's number; the code goes to P's phone (the phone of the
 * account that holds the number, never one Q types); with it Q books for P.  The caps count
 * against P, not Q: P's week fills up, Q's own number still books.  P can end it.
 */
TEST(proxy_confirmed_by_sms)
{
	struct resp r;
	char p[128], q[128], idP[19], idQ[19], body[256], code[16], rel[24], path[128];
	char masked[24], key[160], h[PII_HASH_HEX], pid[24];
	json_t *line = NULL;
	long since;
	redisReply *rep;

	clock_at(MONDAY);
	citizen_in("13960000011", p, sizeof p);
	citizen_in("13960000012", q, sizeof q);
	make_id(idP, "19610101", 1);
	make_id(idQ, "19610101", 2);

	/* The number must have a holder with a phone first. */
	snprintf(body, sizeof body, "{\"name\":\"周九\",\"id_number\":\"%s\"}", idP);
	assert_int_equal(http_json(&r, "POST", API "/me/principals/sms-code", q, body), 0);
	assert_error(&r, 409, "PRINCIPAL_NOT_REGISTERED");
	assert_non_null(strstr(jstr(r.json, "error.message"), "窗口"));
	resp_free(&r);
	book_ok(p, "E-20261124-1000", "周九", idP, NULL, 0);	/* P's first use: P's */
	/* Not for one's own number; not with another name. */
	expect_refusal("POST", API "/me/principals/sms-code", p, body, 409, "PROXY_IS_PRINCIPAL");
	snprintf(body, sizeof body, "{\"name\":\"周十\",\"id_number\":\"%s\"}", idP);
	expect_fields("POST", API "/me/principals/sms-code", q, body, "name");

	/* Asked: the code goes to P's phone, saying who asks; the reply names P's phone masked
	 * and never the code. */
	sms_limits_reset("13960000011");	/* P signed in by SMS a moment ago */
	since = sms_log_size();
	snprintf(body, sizeof body, "{\"name\":\"周九\",\"id_number\":\"%s\"}", idP);
	assert_int_equal(http_json(&r, "POST", API "/me/principals/sms-code", q, body), 0);
	expect_status(&r, 202);
	assert_string_equal(jstr(r.json, "phone"), "139****0011");
	resp_free(&r);
	assert_int_equal(sms_log_find_since(since, "13960000011", "proxy_code", &line, 20000), 0);
	snprintf(code, sizeof code, "%s", jstr(line, "params.code"));
	assert_int_equal(strlen(code), 6);
	assert_string_equal(jstr(line, "params.who"), "手机尾号0012的用户");
	assert_non_null(strstr(jstr(line, "text"), code));
	json_decref(line);
	/* The code is kept only as a keyed hash. */
	hash_of("idnum", idP, h);
	snprintf(pid, sizeof pid, "%lld", fact(ACCOUNT_OF_PHONE, "13960000012"));
	snprintf(key, sizeof key, "proxy:{c:%s}:%s", pid, h);
	rep = kv_cmd(&test_db, "HGET %s h", key);
	assert_non_null(rep);
	assert_int_equal(rep->type, REDIS_REPLY_STRING);
	assert_null(strstr(rep->str, code));
	freeReplyObject(rep);
	/* Not yet a proxy: Q cannot book for P. */
	book_refused(q, "E-20261125-1000", "周九", idP, 409, "ID_BOUND_ELSEWHERE");
	/* A wrong code: nothing. */
	snprintf(body, sizeof body, "{\"name\":\"周九\",\"id_number\":\"%s\",\"code\":\"%s\"}", idP,
	    strcmp(code, "000000") ? "000000" : "111111");
	expect_refusal("POST", API "/me/principals", q, body, 422, "CODE_INVALID");
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM citizen_proxies WHERE idnum_hash = ?", h), 0);
	/* The code P read out: the relation. */
	snprintf(body, sizeof body, "{\"name\":\"周九\",\"id_number\":\"%s\",\"code\":\"%s\"}", idP,
	    code);
	assert_int_equal(http_json(&r, "POST", API "/me/principals", q, body), 0);
	expect_strs(&r, 201, "principal.name", "周*", "principal.how", "sms", NULL);
	snprintf(rel, sizeof rel, "%lld", jint(r.json, "principal.id"));
	resp_free(&r);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM citizen_proxies WHERE idnum_hash = ?"
	    " AND live = 1 AND how = 'sms'", h), 1);
	/* Used up: the same code again is refused. */
	expect_refusal("POST", API "/me/principals", q, body, 422, "CODE_INVALID");
	/* Both see it: Q as a principal, P as a proxy (Q's phone masked). */
	assert_int_equal(http_json(&r, "GET", API "/me/identity", q, NULL), 0);
	snprintf(masked, sizeof masked, "%.6s********%s", idP, idP + 14);
	assert_string_equal(jstr(r.json, "principals.0.id_number"), masked);
	resp_free(&r);
	assert_int_equal(http_json(&r, "GET", API "/me/identity", p, NULL), 0);
	assert_string_equal(jstr(r.json, "proxies.0.phone"), "139****0012");
	resp_free(&r);

	/* Q books for P: P's booking, made and held by Q. */
	{
		char out[32];

		book(&r, q, "E-20261125-1000", "周九", idP);
		expect_status(&r, 201);
		assert_true(json_is_true(jget(r.json, "appointment.proxy")));
		assert_string_equal(jstr(r.json, "appointment.name"), "周*");
		resp_free(&r);
		assert_int_equal(db_scalar(&test_db, "SELECT citizen_id FROM appointments WHERE"
		    " idnum_hash = ? AND day = '2026-11-25' AND proxy_id = ?", DBARGS(DBS(h),
		    DBS(rel)), out, sizeof out), 1);
		assert_string_equal(out, pid);
	}
	/* … and for Q's own number on the same day: the day rule goes by the person. */
	book_ok(q, "E-20261125-1030", "吴十", idQ, NULL, 0);
	/* The week cap (2) counts P's: P's own third booking is refused … */
	book_refused(p, "E-20261126-1000", "周九", idP, 429, "BOOKING_LIMIT");
	book_refused(q, "E-20261126-1000", "周九", idP, 429, "BOOKING_LIMIT");
	/* … while Q's own number has used one: a second this week is fine. */
	book_ok(q, "E-20261127-1000", "吴十", idQ, NULL, 0);

	/* P ends it: Q can no longer book for P; the booking Q made stays Q's to cancel. */
	snprintf(path, sizeof path, API "/me/proxies/%s", rel);
	assert_int_equal(http_json(&r, "DELETE", path, q, NULL), 0);
	assert_error(&r, 404, "NOT_FOUND");	/* Q holds no number with that relation */
	resp_free(&r);
	expect_reply("DELETE", path, p, NULL, 204);
	book_refused(q, "E-20261130-1000", "周九", idP, 409, "ID_BOUND_ELSEWHERE");
	assert_true(audited("identity.proxy_add", "proxy:%") >= 1);
	assert_true(audited("identity.proxy_end", "proxy:%") >= 1);
	set_clock(NULL);
}

/*
 * At the hall: a clerk who saw the ID card registers a proxy for a number nobody holds (an
 * elderly parent without a smartphone), and rebinds a number another account grabbed —
 * whose bookings under it are cancelled, so they cannot count against the real holder or
 * end as no-shows.  Both audited; citizens may not.
 */
TEST(clerk_registers_and_rebinds)
{
	struct resp r;
	char clerk[128], q[128], real[128], grab[128], mate[128], idM[19], idY[19], body[512];
	char t1[64];
	char t2[64];
	long long rel;
	int before1, before2;

	clock_at(MONDAY);
	staff_in("clerk2", 2, clerk, sizeof clerk);
	citizen_in("13960000021", q, sizeof q);
	citizen_in("13960000022", real, sizeof real);
	citizen_in("13960000023", grab, sizeof grab);
	make_id(idM, "19620101", 1);
	make_id(idY, "19620101", 2);

	/* A proxy for a number nobody holds: Q may book for it; it stays nobody's. */
	snprintf(body, sizeof body, "{\"name\":\"郑老伯\",\"id_number\":\"%s\","
	    "\"proxy_phone\":\"13960000021\"}", idM);
	expect_refusal("POST", API "/identity-bindings/proxies", q, body, 403, "FORBIDDEN");
	expect_fields("POST", API "/identity-bindings/proxies", clerk,
	    "{\"name\":\"郑1\",\"id_number\":\"110105196201010010\",\"proxy_phone\":\"123\"}",
	    "name proxy_phone");
	assert_int_equal(http_json(&r, "POST", API "/identity-bindings/proxies", clerk, body), 0);
	expect_strs(&r, 201, "proxy.how", "clerk", "proxy.phone", "139****0021", NULL);
	rel = jint(r.json, "proxy.id");
	resp_free(&r);
	/* Again: the same relation, not a second one. */
	assert_int_equal(http_json(&r, "POST", API "/identity-bindings/proxies", clerk, body), 0);
	expect_status(&r, 200);
	assert_int_equal(jint(r.json, "proxy.id"), rel);
	resp_free(&r);
	{
		char h[PII_HASH_HEX];

		hash_of("idnum", idM, h);
		assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM citizen_proxies WHERE idnum_hash = ?",
		    h), 1);
	}
	assert_true(audited("identity.proxy_register", "proxy:%") >= 1);
	book(&r, q, "F-20261130-0900", "郑老伯", idM);
	expect_status(&r, 201);
	assert_true(json_is_true(jget(r.json, "appointment.proxy")));
	resp_free(&r);
	assert_int_equal(fact(ACCOUNTS_HOLDING, idM), 0);
	/* Q's own first use later is still Q's own number, and Q still books for M the same
	 * day (different people). */
	{
		char idQ[19];

		make_id(idQ, "19620101", 3);
		book_ok(q, "F-20261130-0930", "冯十一", idQ, NULL, 0);
		assert_int_equal(fact(HOLDER_OF, idQ), fact(ACCOUNT_OF_PHONE, "13960000021"));
	}

	/* A number grabbed by the wrong account, which books with it twice, and "confirms" by
	 * SMS to its own phone that a friend of its may act for the number. */
	book_ok(grab, "F-20261124-1500", "陈十二", idY, t1, sizeof t1);
	book_ok(grab, "F-20261126-1500", "陈十二", idY, t2, sizeof t2);
	citizen_in("13960000024", mate, sizeof mate);
	{
		json_t *line = NULL;
		long since;
		char code[16];

		sms_limits_reset("13960000023");
		since = sms_log_size();
		snprintf(body, sizeof body, "{\"name\":\"陈十二\",\"id_number\":\"%s\"}", idY);
		expect_reply("POST", API "/me/principals/sms-code", mate, body, 202);
		assert_int_equal(sms_log_find_since(since, "13960000023", "proxy_code", &line, 20000),
		    0);
		snprintf(code, sizeof code, "%s", jstr(line, "params.code"));
		json_decref(line);
		snprintf(body, sizeof body, "{\"name\":\"陈十二\",\"id_number\":\"%s\","
		    "\"code\":\"%s\"}", idY, code);
		expect_reply("POST", API "/me/principals", mate, body, 201);
	}
	before1 = remaining("F-20261124-1500");
	before2 = remaining("F-20261126-1500");
	/* The real holder is refused and told to go to a window … */
	book_refused(real, "F-20261125-1500", "陈十二", idY, 409, "ID_BOUND_ELSEWHERE");
	/* … where a clerk, having seen the card, rebinds it to the real holder's phone. */
	snprintf(body, sizeof body, "{\"phone\":\"13960000022\",\"name\":\"陈十二\","
	    "\"id_number\":\"%s\"}", idY);
	expect_refusal("POST", API "/identity-bindings/rebind", real, body, 403, "FORBIDDEN");
	assert_int_equal(fact(HOLDER_OF, idY), fact(ACCOUNT_OF_PHONE, "13960000023"));
	expect_fields("POST", API "/identity-bindings/rebind", clerk,
	    "{\"phone\":\"139\",\"name\":\"陈十二\",\"id_number\":\"110105196201010021\"}",
	    "phone id_number");
	assert_int_equal(http_json(&r, "POST", API "/identity-bindings/rebind", clerk, body), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "binding.previous"), "other_account");
	assert_int_equal(jint(r.json, "binding.appointments_cancelled"), 2);
	assert_int_equal(jint(r.json, "binding.relations_ended"), 1);
	assert_string_equal(jstr(r.json, "binding.phone"), "139****0022");
	resp_free(&r);
	assert_int_equal(fact(HOLDER_OF, idY), fact(ACCOUNT_OF_PHONE, "13960000022"));
	assert_int_equal(fact(ACCOUNTS_HOLDING, idY), 1);
	assert_true(audited("identity.rebind", "citizen:%") >= 1);
	/* The grabbed bookings are cancelled and their places free. */
	expect_str_at("GET", grab, NULL, 200, "appointment.status", "cancelled",
	    API "/appointments/%s", t1);
	expect_str_at("GET", grab, NULL, 200, "appointment.status", "cancelled",
	    API "/appointments/%s", t2);
	assert_int_equal(remaining("F-20261124-1500"), before1 + 1);
	assert_int_equal(remaining("F-20261126-1500"), before2 + 1);
	assert_int_equal(fact(LIVE_BOOKINGS, idY), 0);
	/* Now it is the real holder's, with the week's two bookings, and not the grabber's. */
	book_ok(real, "F-20261125-1500", "陈十二", idY, NULL, 0);
	book_ok(real, "F-20261127-1500", "陈十二", idY, NULL, 0);
	book_refused(grab, "F-20261130-1500", "陈十二", idY, 409, "ID_BOUND_ELSEWHERE");
	/* … nor, through the relation the grabber's phone "confirmed", its friend's. */
	book_refused(mate, "F-20261130-1500", "陈十二", idY, 409, "ID_BOUND_ELSEWHERE");
	/* The grabber's account is free for its own number again. */
	assert_int_equal(http_json(&r, "GET", API "/me/identity", grab, NULL), 0);
	assert_true(json_is_null(jget(r.json, "identity")));
	resp_free(&r);
	/* Rebinding again changes nothing more (it finishes what an outage left). */
	assert_int_equal(http_json(&r, "POST", API "/identity-bindings/rebind", clerk, body), 0);
	expect_status(&r, 200);
	assert_string_equal(jstr(r.json, "binding.previous"), "none");
	assert_int_equal(jint(r.json, "binding.appointments_cancelled"), 0);
	resp_free(&r);
	assert_int_equal(fact(LIVE_BOOKINGS, idY), 2);

	/* On the 30th Q checks in its own booking and then M's: M's ticket is M's turn, not a
	 * second ticket of Q's (no ALREADY_QUEUED). */
	clock_at("2026-11-30T09:05:00+08:00");
	{
		struct resp l;
		json_t *a;
		size_t k;
		int n = 0;

		assert_int_equal(http_json(&l, "GET", API "/me/appointments", q, NULL), 0);
		expect_status(&l, 200);
		json_array_foreach(jget(l.json, "appointments"), k, a) {
			if (strncmp(jstr(a, "slot"), "F-20261130-09", 13) != 0)
				continue;
			expect_str_at("POST", q, NULL, 201, "ticket.priority", "appointment",
			    API "/appointments/%s/check-in", jstr(a, "token"));
			n++;
		}
		resp_free(&l);
		assert_int_equal(n, 2);
	}
	set_clock(NULL);
}

/*
 * The no-show ban counts against the principal: a proxy's two missed bookings for a parent
 * ban the parent's number, not the proxy's.
 */
TEST(bans_count_against_the_principal)
{
	char clerk[128], q[128], idM[19], idQ[19], body[512], h[PII_HASH_HEX];
	int i;

	clock_at(MONDAY);
	staff_in("clerk2", 2, clerk, sizeof clerk);
	citizen_in("13960000031", q, sizeof q);
	make_id(idM, "19630101", 1);
	make_id(idQ, "19630101", 2);
	snprintf(body, sizeof body, "{\"name\":\"何老太\",\"id_number\":\"%s\","
	    "\"proxy_phone\":\"13960000031\"}", idM);
	expect_reply("POST", API "/identity-bindings/proxies", clerk, body, 201);
	/* Q's own booking, and two for M that nobody comes to: today 11:30, tomorrow 08:30. */
	book_ok(q, "F-20261123-1100", "何小", idQ, NULL, 0);
	book_ok(q, "F-20261123-1130", "何老太", idM, NULL, 0);
	book_ok(q, "F-20261124-0830", "何老太", idM, NULL, 0);
	/* Q comes to its own: checked in at 10:40 (so it is not a no-show). */
	clock_at("2026-11-23T10:40:00+08:00");
	{
		struct resp l;
		json_t *a;
		size_t k;
		char path[160];

		assert_int_equal(http_json(&l, "GET", API "/me/appointments", q, NULL), 0);
		json_array_foreach(jget(l.json, "appointments"), k, a)
			if (strcmp(jstr(a, "slot"), "F-20261123-1100") == 0) {
				snprintf(path, sizeof path, API "/appointments/%s/check-in",
				    jstr(a, "token"));
				expect_reply("POST", path, q, NULL, 201);
			}
		resp_free(&l);
	}
	clock_at("2026-11-24T10:00:00+08:00");
	hash_of("idnum", idM, h);
	for (i = 0; i < 90; i++) {
		if (db_count(&test_db, "SELECT COUNT(*) FROM appointment_bans WHERE idnum_hash = ?", h) == 1)
			break;
		usleep(500 * 1000);
	}
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM appointments WHERE idnum_hash = ?"
	    " AND status = 'no_show'", h), 2);
	/* M's number is banned, also through the proxy … */
	book_refused(q, "F-20261127-1100", "何老太", idM, 403, "NO_SHOW_BANNED");
	/* … Q's own is not. */
	hash_of("idnum", idQ, h);
	assert_int_equal(db_count(&test_db, "SELECT COUNT(*) FROM appointment_bans WHERE idnum_hash = ?", h),
	    0);
	book_ok(q, "F-20261127-1100", "何小", idQ, NULL, 0);
	set_clock(NULL);
}

SUITE_MAIN("realname", suite_setup, suite_teardown)
