/*
 * auth.c — staff sign-in, sign-out and "who am I".
 *
 * Routes: POST /staff/login, POST /auth/logout, GET /me
 * Tables: staff (failed_logins, locked_until), windows, citizens (GET /me of a citizen),
 *         audit_log
 * Redis:  sess:<hash> (see fcgi/session.c), staff:sessions:<staff id> (identity.c)
 *
 * Five wrong passwords lock an account for 15 minutes (423 LOCKED).  An unknown user costs
 * the same argon2id verification as a known one, so timing does not tell which names exist.
 */
#include "handlers.h"
#include "audit.h"
#include "catalog.h"
#include "identity.h"
#include "pii.h"
#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/db.h"
#include "../fcgi/session.h"

#include "../fcgi/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define STAFF_MAX_FAILURES 5
#define STAFF_LOCK_MINUTES 15
#define STAFF_IDLE_SECONDS (30 * 60)
#define KIOSK_IDLE_SECONDS (16 * 3600)

struct staff_row {
	int	 found;
	char	 id[24];
	char	 role[16];
	char	 dept[40];
	char	 hash[256];
	long long window;
	long long failures;
	int	 locked;
	int	 disabled;
};

/* A valid argon2id string for a password nobody has, to spend the same time. */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
	char pw[48];

	token_new(pw, sizeof pw, 24);
	if (crypto_pwhash_str(dummy, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		log_err("cannot hash the dummy password");
}

static int
staff_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct staff_row *s = arg;

	(void)ncol;
	(void)lens;
	s->found = 1;
	str_copy(s->id, sizeof s->id, v[0]);
	str_copy(s->role, sizeof s->role, v[1]);
	str_copy(s->dept, sizeof s->dept, v[2] ? v[2] : "");
	str_copy(s->hash, sizeof s->hash, v[3]);
	s->window = 0;
	if (v[4])
		parse_ll(v[4], 0, 9999, &s->window);
	parse_ll(v[5], 0, 255, &s->failures);
	s->locked = v[6][0] == '1';
	s->disabled = v[7][0] == '1';
	return 1;
}

/* The cookie is Secure when the site is served over https (public_base_url): a browser then
 * never sends it over plain http, where anyone on the hall's Wi-Fi could read it. */
static void
set_session_cookie(struct req *r, const char *token, int max_age)
{
	char c[256];

	if (fmt(c, sizeof c, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
	    SESSION_COOKIE, token, max_age,
	    strncasecmp(config_get("public_base_url", ""), "https://", 8) == 0 ? "; Secure" : "") >= 0)
		req_header(r, "Set-Cookie", c);
}

int
h_staff_login(struct req *r)
{
	const char *hall, *user, *pw;
	long long window = 0;
	struct staff_row s;
	char token[SESSION_TOKEN_MAX + 1], now[32];
	struct session sess;
	int rc, ok, idle;

	in_str(r, r->body, "hall", 1, 1, 32, &hall);
	in_str(r, r->body, "username", 1, 1, 32, &user);
	in_str(r, r->body, "password", 1, 1, 128, &pw);
	in_int(r, r->body, "window", 0, 1, 999, &window);
	if (in_has_errors(r))
		return req_invalid(r);
	if (!hall_code_ok(hall))
		return req_fail_field(r, "hall", "不是有效的中心编码"), req_invalid(r);

	memset(&s, 0, sizeof s);
	time_format(hall_now(), now, sizeof now);
	now[19] = '\0';	/* DATETIME text in hall time */
	now[10] = ' ';
	rc = db_query(r->ctx, "SELECT id, role, department, password_hash, window_no,"
	    " failed_logins, locked_until IS NOT NULL AND locked_until > ?, disabled"
	    " FROM staff WHERE hall = ? AND username = ?",
	    DBARGS(DBS(now), DBS(hall), DBS(user)), staff_row, &s);
	if (rc < 0)
		return db_fail(r, rc);
	str_copy(r->sess.hall, sizeof r->sess.hall, hall);
	if (!s.found || s.disabled) {
		pthread_once(&dummy_once, dummy_init);
		if (crypto_pwhash_str_verify(dummy, pw, strlen(pw)) == 0)
			log_err("the dummy password matched");
		audit(r, "staff.login", user, "denied", "unknown or disabled account");
		return req_fail(r, 401, "UNAUTHENTICATED", "用户名或密码错误");
	}
	str_copy(r->sess.subject, sizeof r->sess.subject, s.id);
	if (s.locked) {
		audit(r, "staff.login", user, "locked", "");
		return req_fail(r, 423, "LOCKED", "密码错误次数过多，账号已锁定 15 分钟");
	}
	ok = crypto_pwhash_str_verify(s.hash, pw, strlen(pw)) == 0;
	if (!ok) {
		/* Count the failure and lock on the fifth, in one guarded statement. */
		rc = db_exec(r->ctx, "UPDATE staff SET failed_logins = failed_logins + 1,"
		    " locked_until = IF(failed_logins + 1 >= ?, ? + INTERVAL ? MINUTE, locked_until)"
		    " WHERE id = ?", DBARGS(DBI(STAFF_MAX_FAILURES), DBS(now),
		    DBI(STAFF_LOCK_MINUTES), DBS(s.id)), NULL, NULL);
		if (rc != 0)
			return db_fail(r, rc);
		audit(r, "staff.login", user, "denied", "wrong password");
		if (s.failures + 1 >= STAFF_MAX_FAILURES)
			return req_fail(r, 423, "LOCKED", "密码错误次数过多，账号已锁定 15 分钟");
		return req_fail(r, 401, "UNAUTHENTICATED", "用户名或密码错误");
	}
	if (strcmp(s.role, "clerk") == 0) {
		char one[4];

		if (window == 0)
			window = s.window;
		if (window == 0)
			return req_fail_field(r, "window", "请选择窗口"), req_invalid(r);
		rc = db_scalar(r->ctx, "SELECT 1 FROM windows WHERE hall = ? AND number = ?",
		    DBARGS(DBS(hall), DBI(window)), one, sizeof one);
		if (rc < 0)
			return db_fail(r, rc);
		if (rc == 0)
			return req_fail_field(r, "window", "本中心没有这个窗口"), req_invalid(r);
	} else
		window = 0;
	rc = db_exec(r->ctx, "UPDATE staff SET failed_logins = 0, locked_until = NULL WHERE id = ?",
	    DBARGS(DBS(s.id)), NULL, NULL);
	if (rc != 0)
		return db_fail(r, rc);

	memset(&sess, 0, sizeof sess);
	sess.role = role_parse(s.role);
	str_copy(sess.subject, sizeof sess.subject, s.id);
	str_copy(sess.hall, sizeof sess.hall, hall);
	str_copy(sess.department, sizeof sess.department, s.dept);
	sess.window = (int)window;
	/* Kiosks stand in the hall all day; people at desks time out after 30 idle minutes. */
	idle = sess.role == ROLE_KIOSK ? KIOSK_IDLE_SECONDS : STAFF_IDLE_SECONDS;
	if (session_create(r->ctx, &sess, idle, token, sizeof token) != 0 ||
	    staff_session_track(r->ctx, s.id, sess.id, idle) != 0)
		return req_unavailable(r);
	r->sess = sess;
	audit(r, "staff.login", user, "ok", "");
	set_session_cookie(r, token, idle);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:s,s:s,s:o}", "token", token, "csrf", sess.csrf,
	    "role", s.role, "hall", hall, "window", window ? json_integer(window) : json_null()));
}

int
h_logout(struct req *r)
{
	if (session_destroy(r) != 0)
		return req_unavailable(r);
	audit(r, "logout", "", "ok", "");
	set_session_cookie(r, "", 0);
	return req_ok(r, 204, NULL);
}

/* A citizen: the phone and name they gave, masked. */
static int
me_citizen(struct req *r)
{
	struct citizen z;
	char phone[16] = "", name[64] = "";
	int rc;

	rc = citizen_get(r->ctx, session_citizen(r), &z);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)	/* the session outlived its citizen: cannot happen, but do not guess */
		return req_fail(r, 401, "UNAUTHENTICATED", "登录已失效，请重新登录");
	if (z.phone[0])
		mask_phone(z.phone, phone, sizeof phone);
	if (z.name[0])
		mask_name(z.name, name, sizeof name);
	sodium_memzero(&z, sizeof z);
	return req_ok(r, 200, json_pack("{s:s,s:s*,s:s*,s:b}", "role", "citizen",
	    "phone", phone[0] ? phone : NULL, "name", name[0] ? name : NULL,
	    "phone_bound", phone[0] != '\0'));
}

int
h_me(struct req *r)
{
	json_t *o;

	if (r->sess.role == ROLE_CITIZEN)
		return me_citizen(r);
	o = json_object();
	json_object_set_new(o, "role", json_string(role_name(r->sess.role)));
	if (r->sess.hall[0])
		json_object_set_new(o, "hall", json_string(r->sess.hall));
	if (r->sess.window)
		json_object_set_new(o, "window", json_integer(r->sess.window));
	if (r->sess.department[0])
		json_object_set_new(o, "department", json_string(r->sess.department));
	return req_ok(r, 200, o);
}
