/*
 * it_signin.c — guessing, against the live stack.
 *
 * Staff sign-in (POST /staff/login): failures are counted per account and client address;
 * however many wrong passwords arrive at once, no more than five are checked before the
 * lock; an unknown account, a locked one and a wrong password get the same status, code and
 * about the same time; a locked address does not keep the clerk at another address out;
 * many addresses together lock the account to addresses it does not know; a manager lists
 * the locks and lifts them (audited), as does yichuang-admin; the lock runs out on the hall
 * clock; a success starts the count afresh.
 *
 * Check-in by the 6-digit booking code (POST /halls/{hall}/appointments/check-in): misses
 * are throttled per kiosk or clerk session and per hall (429 RATE_LIMITED, Retry-After),
 * a correct code still works at another kiosk, concurrent tries cannot overshoot, and the
 * window slides on the hall clock.
 *
 * Client addresses: requests leave from other loopback addresses (127.0.0.x, bound with
 * CURLOPT_INTERFACE), so nginx sees different clients and passes their addresses on.
 * Accounts: each sign-in test makes its own clerk with yichuang-admin, so the locks it
 * leaves behind touch nobody else's tests; the check-in tests delete their throttle keys.
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
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "../lib/expect.h"
#include "../lib/http.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/session.h"
#include "../lib/suite.h"
#include "../lib/flows.h"
#include "../lib/race.h"
#include "../lib/proc.h"

#define API "/api/v1"
#define TEST_PASSWORD "signin-test-password"

/* ------------------------------------------------------------------ helpers */

/* POST /staff/login for hall demo from ip. */
static void
login(struct resp *r, const char *ip, const char *user, const char *password)
{
	char body[256];

	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\",\"password\":\"%s\"}",
	    user, password);
	assert_int_equal(http_from(r, ip, "POST", API "/staff/login", NULL, body), 0);
}

/* The refusal every failed sign-in gets; locked says whether it must be the locked one
 * (Retry-After, a wait in the message) or must not. */
static void
expect_refused(struct resp *r, int locked)
{
	char ra[16];
	long long secs = 0;

	assert_error(r, 401, "UNAUTHENTICATED");
	if (locked) {
		assert_non_null(resp_header(r, "Retry-After", ra, sizeof ra));
		assert_int_equal(parse_ll(ra, 1, 86400, &secs), 0);
		assert_non_null(strstr(jstr(r->json, "error.message"), "登录失败次数过多"));
	} else {
		assert_null(resp_header(r, "Retry-After", ra, sizeof ra));
		assert_string_equal(jstr(r->json, "error.message"), "用户名或密码错误");
	}
}

static void
login_fails(const char *ip, const char *user, const char *password, int locked)
{
	struct resp r;

	login(&r, ip, user, password);
	expect_refused(&r, locked);
	resp_free(&r);
}

static void
login_ok(const char *ip, const char *user)
{
	struct resp r;

	login(&r, ip, user, TEST_PASSWORD);
	if (r.status != 200)
		fprintf(stderr, "sign-in of %s from %s: %ld %s\n", user, ip ? ip : "127.0.0.1",
		    r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 200);
	assert_non_null(jstr(r.json, "token"));
	resp_free(&r);
}

/* A clerk of its own (usual window 5), so its locks reach no other test. */
static void
new_clerk(char *user, size_t usz)
{
	char args[128], out[1024];

	snprintf(user, usz, "sg%08u", (unsigned)randombytes_uniform(100000000));
	snprintf(args, sizeof args, "staff-create --password-final demo %s clerk 测试 5", user);
	if (proc_admin(args, TEST_PASSWORD "\n", out, sizeof out) != 0)
		fail_msg("staff-create %s: %s", user, out);
}

static long long
sql_count(const char *sql, const struct dbv *args, size_t nargs)
{
	char v[32];
	long long n = -1;

	assert_int_equal(db_scalar(&test_db, sql, args, nargs, v, sizeof v), 1);
	assert_int_equal(parse_ll(v, 0, INT64_MAX, &n), 0);
	return n;
}

static long long
last_audit_id(void)
{
	return sql_count("SELECT COALESCE(MAX(id), 0) FROM audit_log", DBNOARGS);
}

/* Sign-in audit rows of user since audit id a0 with that result (ok, denied, locked). */
static long long
login_audits(const char *user, const char *result, long long a0)
{
	return sql_count("SELECT COUNT(*) FROM audit_log WHERE id > ? AND action = 'staff.login'"
	    " AND target = ? AND result = ?", DBARGS(DBI(a0), DBS(user), DBS(result)));
}

/* The manager's view of user's sign-in (GET /halls/demo/staff): a new reference. */
static json_t *
sign_in_of(const char *mgr, const char *user)
{
	struct resp r;
	json_t *list, *o, *found = NULL;
	size_t i;

	assert_int_equal(http_json(&r, "GET", API "/halls/demo/staff", mgr, NULL), 0);
	assert_int_equal(r.status, 200);
	list = jget(r.json, "staff");
	assert_true(json_array_size(list) >= 12);	/* the demo accounts at least */
	json_array_foreach(list, i, o)
		if (strcmp(jstr(o, "username"), user) == 0)
			found = json_incref(jget(o, "sign_in"));
	resp_free(&r);
	assert_non_null(found);
	return found;
}

static int64_t
timed_login(const char *ip, const char *user, const char *password, int locked)
{
	struct resp r;
	int64_t t0 = now_ms(), t;

	login(&r, ip, user, password);
	t = now_ms() - t0;
	expect_refused(&r, locked);
	resp_free(&r);
	return t;
}

static int64_t
min3(int64_t a, int64_t b, int64_t c)
{
	return a < b ? (a < c ? a : c) : (b < c ? b : c);
}

/* ------------------------------------------------------------------ sign-in */

/*
 * A wrong password, an unknown account and a locked account: the same status and code, and
 * each costs one password check (the fastest of three tries of each kind within a factor of
 * 3 of the others; skipping the check made a locked answer 30 times faster).
 */
TEST(refusals_look_alike)
{
	char user[16], nobody[24];
	int64_t wrong[3], unknown[3], locked[3], lo, hi, m[3];
	int i;

	new_clerk(user, sizeof user);
	snprintf(nobody, sizeof nobody, "nobody%08u", (unsigned)randombytes_uniform(100000000));
	for (i = 0; i < 5; i++)
		login_fails("127.0.0.21", user, "wrong-password", 0);
	login_fails("127.0.0.21", user, TEST_PASSWORD, 1);
	for (i = 0; i < 3; i++) {
		wrong[i] = timed_login("127.0.0.22", user, "wrong-password", 0);
		unknown[i] = timed_login("127.0.0.23", nobody, "wrong-password", 0);
		locked[i] = timed_login("127.0.0.21", user, TEST_PASSWORD, 1);
	}
	m[0] = min3(wrong[0], wrong[1], wrong[2]);
	m[1] = min3(unknown[0], unknown[1], unknown[2]);
	m[2] = min3(locked[0], locked[1], locked[2]);
	lo = min3(m[0], m[1], m[2]);
	hi = m[0] > m[1] ? (m[0] > m[2] ? m[0] : m[2]) : (m[1] > m[2] ? m[1] : m[2]);
	fprintf(stderr, "fastest refusal: wrong password %lld ms, unknown account %lld ms,"
	    " locked account %lld ms\n", (long long)m[0], (long long)m[1], (long long)m[2]);
	assert_true(lo > 0);
	assert_true(hi <= 3 * lo);

	/* An unknown name locks like a real one: nothing tells them apart. */
	login_fails("127.0.0.23", nobody, "wrong-password", 0);
	login_fails("127.0.0.23", nobody, "wrong-password", 0);
	login_fails("127.0.0.23", nobody, "wrong-password", 1);
}

/*
 * 18 wrong passwords at once from one address: every one is refused alike, exactly five
 * passwords are checked (the audit rows say which were checked and which were turned away
 * locked), the right password from that address is refused, and the clerk at another
 * address signs in.
 */
TEST(parallel_wrong_passwords)
{
	enum { N = 18 };
	struct shot shots[N];
	char user[16], mgr[128], body[256];
	long long a0;
	json_t *s;
	int i;

	new_clerk(user, sizeof user);
	a0 = last_audit_id();
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"username\":\"%s\","
	    "\"password\":\"wrong-password\"}", user);
	memset(shots, 0, sizeof shots);
	for (i = 0; i < N; i++) {
		shots[i].from = "127.0.0.31";
		shots[i].path = API "/staff/login";
		shots[i].body = body;
	}
	race_http(shots, N);
	for (i = 0; i < N; i++) {
		assert_int_equal(shots[i].status, 401);
		assert_string_equal(shots[i].code, "UNAUTHENTICATED");
	}
	assert_int_equal(login_audits(user, "denied", a0), 5);
	assert_int_equal(login_audits(user, "locked", a0), N - 5);

	/* That address is out; the clerk at the window (another address) is not. */
	login_fails("127.0.0.31", user, TEST_PASSWORD, 1);
	login_ok("127.0.0.1", user);
	login_ok("127.0.0.32", user);

	/* The manager sees the lock: the address, its five failures and until when. */
	assert_int_equal(staff_login("manager1", 0, mgr, sizeof mgr), 0);
	s = sign_in_of(mgr, user);
	assert_true(json_is_true(jget(s, "locked")));
	assert_int_equal(json_array_size(jget(s, "addresses")), 1);
	assert_string_equal(jstr(s, "addresses.0.address"), "127.0.0.31");
	assert_int_equal(jint(s, "addresses.0.failures"), 5);
	assert_non_null(jstr(s, "addresses.0.locked_until"));
	json_decref(s);
}

/* The lock runs out after 15 minutes of the hall clock, not before. */
TEST(lock_expires)
{
	char user[16];
	int i;

	new_clerk(user, sizeof user);
	clock_at("2026-11-23T10:00:00+08:00");
	for (i = 0; i < 5; i++)
		login_fails("127.0.0.41", user, "wrong-password", 0);
	login_fails("127.0.0.41", user, TEST_PASSWORD, 1);
	clock_at("2026-11-23T10:14:00+08:00");
	login_fails("127.0.0.41", user, TEST_PASSWORD, 1);
	clock_at("2026-11-23T10:16:00+08:00");
	login_ok("127.0.0.41", user);
	/* And the count starts afresh: four more failures do not lock. */
	for (i = 0; i < 4; i++)
		login_fails("127.0.0.41", user, "wrong-password", 0);
	login_ok("127.0.0.41", user);
	set_clock(NULL);
}

/* A success starts the count afresh: 4 failures, success, 4 failures — not locked; the
 * fifth failure after the success locks. */
TEST(success_resets_count)
{
	char user[16];
	int i;

	new_clerk(user, sizeof user);
	for (i = 0; i < 4; i++)
		login_fails("127.0.0.51", user, "wrong-password", 0);
	login_ok("127.0.0.51", user);
	for (i = 0; i < 4; i++)
		login_fails("127.0.0.51", user, "wrong-password", 0);
	login_ok("127.0.0.51", user);
	for (i = 0; i < 5; i++)
		login_fails("127.0.0.51", user, "wrong-password", 0);
	login_fails("127.0.0.51", user, TEST_PASSWORD, 1);
}

/*
 * Twenty failures from four addresses lock the account to addresses it does not know; the
 * clerk's own desk (a past success) still signs in; a manager lifts every lock (audited),
 * a clerk may not; yichuang-admin staff-unlock does the same from the command line.
 */
TEST(distributed_guessing_and_unlock)
{
	static const char *const guessers[] = { "127.0.0.61", "127.0.0.62", "127.0.0.63",
	    "127.0.0.64" };
	struct resp r;
	char user[16], mgr[128], clerk[128], path[160], out[1024], args[128];
	long long a0;
	json_t *s;
	size_t g;
	int i;

	new_clerk(user, sizeof user);
	login_ok("127.0.0.1", user);			/* the clerk's desk: a known address */
	for (g = 0; g < NELEM(guessers); g++)
		for (i = 0; i < 5; i++)
			login_fails(guessers[g], user, "wrong-password", 0);
	login_fails("127.0.0.65", user, TEST_PASSWORD, 1);	/* a new address: locked out */
	login_ok("127.0.0.1", user);				/* the desk: still in */

	assert_int_equal(staff_login("manager1", 0, mgr, sizeof mgr), 0);
	s = sign_in_of(mgr, user);
	assert_true(json_is_true(jget(s, "locked")));
	assert_int_equal(jint(s, "account.failures"), 20);
	assert_non_null(jstr(s, "account.locked_until"));
	assert_int_equal(json_array_size(jget(s, "addresses")), 4);
	json_decref(s);

	/* Only a manager or admin of the hall: a clerk is refused. */
	assert_int_equal(staff_login("clerk4", 4, clerk, sizeof clerk), 0);
	snprintf(path, sizeof path, API "/halls/demo/staff/%s/unlock", user);
	expect_refusal("POST", path, clerk, NULL, 403, "FORBIDDEN");
	expect_refusal("GET", API "/halls/demo/staff", clerk, NULL, 403, "FORBIDDEN");
	expect_refusal("POST", API "/halls/demo/staff/no-such-user/unlock", mgr,
	    NULL, 404, "NOT_FOUND");
	login_fails("127.0.0.65", user, TEST_PASSWORD, 1);	/* refusals changed nothing */

	a0 = last_audit_id();
	assert_int_equal(http_json(&r, "POST", path, mgr, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "staff.username"), user);
	assert_true(json_is_false(jget(r.json, "staff.sign_in.locked")));
	assert_int_equal(json_array_size(jget(r.json, "staff.sign_in.addresses")), 0);
	resp_free(&r);
	assert_int_equal(sql_count("SELECT COUNT(*) FROM audit_log WHERE id > ? AND"
	    " action = 'staff.unlock' AND target = ? AND actor_kind = 'staff' AND result = 'ok'"
	    " AND detail = 'locked addresses 4, account locked'", DBARGS(DBI(a0), DBS(user))), 1);
	login_ok("127.0.0.65", user);
	login_ok("127.0.0.61", user);

	/* From the command line. */
	for (i = 0; i < 5; i++)
		login_fails("127.0.0.66", user, "wrong-password", 0);
	login_fails("127.0.0.66", user, TEST_PASSWORD, 1);
	snprintf(args, sizeof args, "staff-unlock demo %s", user);
	if (proc_admin(args, NULL, out, sizeof out) != 0)
		fail_msg("staff-unlock: %s", out);
	assert_non_null(strstr(out, "1 locked address"));
	login_ok("127.0.0.66", user);
}

/* ------------------------------------------------------------------ check-in by code */

#define CHECKIN_DAY "2026-11-23"
#define CHECKIN_SLOT "E-20261123-1100"

/* A new citizen books CHECKIN_SLOT; its token and 6-digit code. */
static void
booking(char *token, size_t tsz, char code[8])
{
	struct resp r;
	char phone[12], tok[128], id[19], body[256], path[128];
	int i;

	snprintf(phone, sizeof phone, "139%08u", (unsigned)randombytes_uniform(100000000));
	for (i = 0; i < 10 && citizen_login(phone, tok, sizeof tok) != 0; i++)
		usleep(500 * 1000);
	assert_true(i < 10);
	make_id(id, "19851203", (int)randombytes_uniform(1000));
	snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"E\",\"slot\":\"%s\","
	    "\"name\":\"李四\",\"id_number\":\"%s\"}", CHECKIN_SLOT, id);
	assert_int_equal(http_json(&r, "POST", API "/appointments", tok, body), 0);
	if (r.status != 201)
		fprintf(stderr, "booking: %ld %s\n", r.status, r.body ? r.body : "");
	assert_int_equal(r.status, 201);
	snprintf(token, tsz, "%s", jstr(r.json, "appointment.token"));
	resp_free(&r);
	snprintf(path, sizeof path, API "/appointments/%s", token);
	assert_int_equal(http_json(&r, "GET", path, tok, NULL), 0);
	assert_int_equal(r.status, 200);
	snprintf(code, 8, "%s", jstr(r.json, "appointment.code"));
	assert_int_equal(strlen(code), 6);
	resp_free(&r);
}

/* Make room for n more bookings in CHECKIN_SLOT (reruns on one stack fill it up). */
static void
room_for(int n)
{
	struct resp r;
	char mgr[128], body[64];
	json_t *o;
	size_t i;
	long long cap = -1, left = -1;

	assert_int_equal(http_json(&r, "GET", API "/halls/demo/slots?category=E&date="
	    CHECKIN_DAY, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	json_array_foreach(jget(r.json, "slots"), i, o)
		if (strcmp(jstr(o, "id"), CHECKIN_SLOT) == 0) {
			cap = jint(o, "capacity");
			left = jint(o, "remaining");
		}
	resp_free(&r);
	assert_true(cap >= 0 && left >= 0);
	assert_int_equal(staff_login("manager1", 0, mgr, sizeof mgr), 0);
	snprintf(body, sizeof body, "{\"capacity\":%lld}", cap - left + n);
	assert_int_equal(http_json(&r, "PATCH", API "/halls/demo/slots/" CHECKIN_SLOT, mgr, body),
	    0);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

/* A 6-digit code no booking of the hall has. */
static void
wrong_code(char code[8])
{
	do
		snprintf(code, 8, "%06u", (unsigned)randombytes_uniform(1000000));
	while (sql_count("SELECT COUNT(*) FROM appointments WHERE hall = 'demo' AND code = ?",
	    DBARGS(DBS(code))) != 0);
}

static void
check_in_code(struct resp *r, const char *kiosk, const char *code)
{
	char body[64];

	snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
	assert_int_equal(http_json(r, "POST", API "/halls/demo/appointments/check-in", kiosk,
	    body), 0);
}

static void
miss(const char *kiosk)
{
	struct resp r;
	char code[8];

	wrong_code(code);
	check_in_code(&r, kiosk, code);
	assert_error(&r, 404, "NOT_FOUND");
	resp_free(&r);
}

/* 429 RATE_LIMITED naming the limit, with a Retry-After within the window (10 minutes). */
static void
expect_throttled(struct resp *r, const char *limit)
{
	char ra[16];
	long long secs = 0;

	assert_error(r, 429, "RATE_LIMITED");
	assert_string_equal(jstr(r->json, "error.limit"), limit);
	assert_non_null(resp_header(r, "Retry-After", ra, sizeof ra));
	assert_int_equal(parse_ll(ra, 1, 600, &secs), 0);
}

/* The booking's status in MariaDB (its token is kept as a SHA-256). */
static const char *
appt_status(const char *token)
{
	static char status[16];

	status[0] = '\0';
	assert_int_equal(db_scalar(&test_db, "SELECT status FROM appointments WHERE token_hash ="
	    " SHA2(?, 256)", DBARGS(DBS(token)), status, sizeof status), 1);
	return status;
}

/* Forget the hall's and these sessions' misses (the clock goes back after the test). */
static void
forget_misses(const char *const *kiosks, size_t n)
{
	char key[160], h[65];
	redisReply *rep;
	size_t i;

	rep = kv_cmd(&test_db, "DEL %s", "{hall:demo}:checkin:misses");
	assert_non_null(rep);
	freeReplyObject(rep);
	for (i = 0; i < n; i++) {
		session_hash(kiosks[i], h);
		snprintf(key, sizeof key, "{hall:demo}:checkin:s:%s", h);
		rep = kv_cmd(&test_db, "DEL %s", key);
		assert_non_null(rep);
		freeReplyObject(rep);
	}
}

/*
 * Kiosk A misses ten times: its eleventh try is refused (429, limit "session") whatever the
 * code, while kiosk B checks a citizen in with the right code.  Thirty misses in the hall
 * refuse every kiosk (limit "hall"), the right code too, until the misses are ten minutes
 * old on the hall clock.
 */
TEST(checkin_code_throttled)
{
	char ka[128], kb[128], kc[128], kd[128], ke[128];
	const char *kiosks[] = { ka, kb, kc, kd, ke };
	char t1[64], c1[8], t2[64], c2[8], code[8];
	struct resp r;
	int i;

	clock_at(CHECKIN_DAY "T10:35:00+08:00");	/* the 11:00 slot: check-in 10:30–11:15 */
	forget_misses(NULL, 0);
	room_for(2);
	booking(t1, sizeof t1, c1);
	booking(t2, sizeof t2, c2);
	assert_int_equal(staff_login("kiosk1", 0, ka, sizeof ka), 0);
	assert_int_equal(staff_login("kiosk1", 0, kb, sizeof kb), 0);
	assert_int_equal(staff_login("kiosk1", 0, kc, sizeof kc), 0);
	assert_int_equal(staff_login("kiosk1", 0, kd, sizeof kd), 0);
	assert_int_equal(staff_login("kiosk1", 0, ke, sizeof ke), 0);

	for (i = 0; i < 10; i++)
		miss(ka);
	wrong_code(code);
	check_in_code(&r, ka, code);
	expect_throttled(&r, "session");
	resp_free(&r);
	check_in_code(&r, ka, c1);		/* the right code is not even looked up */
	expect_throttled(&r, "session");
	resp_free(&r);
	assert_string_equal(appt_status(t1), "booked");

	/* Another kiosk (its own session) is not held up. */
	check_in_code(&r, kb, c1);
	assert_int_equal(r.status, 201);
	assert_string_equal(jstr(r.json, "appointment.status"), "checked_in");
	assert_string_equal(jstr(r.json, "ticket.priority"), "appointment");
	resp_free(&r);
	assert_string_equal(appt_status(t1), "checked_in");

	/* The hall: 10 (A) + 9 (B) + 10 (C) + 1 (D) = 30 misses; then nobody's code is tried. */
	for (i = 0; i < 9; i++)
		miss(kb);
	for (i = 0; i < 10; i++)
		miss(kc);
	miss(kd);
	wrong_code(code);
	check_in_code(&r, kd, code);
	expect_throttled(&r, "hall");
	resp_free(&r);
	check_in_code(&r, ke, c2);
	expect_throttled(&r, "hall");
	resp_free(&r);
	assert_string_equal(appt_status(t2), "booked");

	/* Ten minutes on the hall clock later the misses no longer count. */
	clock_at(CHECKIN_DAY "T10:46:00+08:00");
	check_in_code(&r, ke, c2);
	assert_int_equal(r.status, 201);
	resp_free(&r);
	assert_string_equal(appt_status(t2), "checked_in");
	miss(ka);

	forget_misses(kiosks, NELEM(kiosks));
	set_clock(NULL);
}

/* 25 wrong codes at once from one kiosk: exactly ten are looked up (404), the rest refused
 * (429), and Redis holds exactly ten misses for the session and the hall. */
TEST(checkin_code_concurrent)
{
	enum { N = 25 };
	struct shot tries[N];
	char kiosk[128], h[65], key[160], code[8], bodies[N][64];
	const char *kiosks[] = { kiosk };
	redisReply *rep;
	int i, n404, n429;

	clock_at(CHECKIN_DAY "T10:35:00+08:00");
	forget_misses(NULL, 0);
	assert_int_equal(staff_login("kiosk1", 0, kiosk, sizeof kiosk), 0);
	memset(tries, 0, sizeof tries);
	for (i = 0; i < N; i++) {
		wrong_code(code);
		snprintf(bodies[i], sizeof bodies[i], "{\"code\":\"%s\"}", code);
		tries[i].path = API "/halls/demo/appointments/check-in";
		tries[i].token = kiosk;
		tries[i].body = bodies[i];
	}
	race_http(tries, N);
	n404 = shots_with(tries, N, 404);
	n429 = shots_with(tries, N, 429);
	assert_int_equal(n404, 10);
	assert_int_equal(n429, N - 10);
	session_hash(kiosk, h);
	snprintf(key, sizeof key, "{hall:demo}:checkin:s:%s", h);
	rep = kv_cmd(&test_db, "ZCARD %s", key);
	assert_non_null(rep);
	assert_int_equal(rep->integer, 10);
	freeReplyObject(rep);
	rep = kv_cmd(&test_db, "ZCARD %s", "{hall:demo}:checkin:misses");
	assert_non_null(rep);
	assert_int_equal(rep->integer, 10);
	freeReplyObject(rep);
	forget_misses(kiosks, 1);
	set_clock(NULL);
}

/* ------------------------------------------------------------------ main */

SUITE_MAIN("signin", suite_setup, suite_teardown)
