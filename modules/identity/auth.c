/*
 * auth.c — staff sign-in, sign-out and "who am I".
 *
 * Routes: POST /staff/login, POST /auth/logout, GET /me
 * Tables: staff, windows, citizens (GET /me of a citizen), departments (GET /me: the name), audit_log
 * Redis:  sess:<hash> (see fcgi/session.c), staff:sessions:<staff id> (identity.c), the
 *         sign-in throttle {signin:<hall>}:* (signin_guard.c)
 *
 * A wrong password, an unknown (or disabled) account and a locked one get the same answer —
 * 401 UNAUTHENTICATED — after the same work: one argon2id check, against the account's hash
 * or, when the account is unknown or locked, against a fixed hash nobody's password matches.
 * Failures are counted per account and client address (signin_guard.h) before the password
 * is checked, so no more passwords are checked than the rules allow however many requests
 * arrive at once; a locked answer says so and carries Retry-After.  The counts are kept per
 * hall and user name whether or not the account exists, so they tell nothing either.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../hall/catalog.h"
#include "../hall/staff.h"
#include "identity.h"
#include "../shared/pii.h"
#include "signin_guard.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/session.h"

#include "../../fcgi/log.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define STAFF_IDLE_SECONDS (30 * 60)
#define KIOSK_IDLE_SECONDS (16 * 3600)

struct staff_row {
	int	 found;
	char	 id[24];
	char	 role[16];
	char	 dept[40];
	char	 hash[256];
	long long window;
	int	 disabled;
	int	 must_change;	/* the password was set by an admin: a new one is needed */
};

/*
 * An argon2id string (the cost staff_hash_password uses: 64 MiB, 2 passes) of a random
 * password nobody has: checked instead of an account's hash when the account is unknown or
 * locked, so every refusal costs the same time.  Fixed, so the first refusal after a start
 * costs no hashing either.
 */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$PRNFxsRpztHRcFxPARW2pg$"
    "MI+4aNiu7U5a7PIxk7qpF6xdQCi9vU1LhTxpVdNjWl4";

static const struct db_col staff_cols[] = {
	DBC_S(struct staff_row, id), DBC_S(struct staff_row, role), DBC_S(struct staff_row, dept),
	DBC_S(struct staff_row, hash), DBC_I(struct staff_row, window, 0, 9999),
	DBC_B(struct staff_row, disabled), DBC_B(struct staff_row, must_change),
};

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

static int
refused(struct req *r)
{
	return req_err_msg(r, E_UNAUTHENTICATED, "用户名或密码错误");
}

/* The same 401, saying how long this device must wait (a lock behaves alike for every
 * name, known or not, so saying so tells nothing). */
static int
refused_locked(struct req *r, int seconds)
{
	char ra[16], msg[192];
	int minutes = (seconds + 59) / 60;

	fmt(ra, sizeof ra, "%d", seconds);
	req_header(r, "Retry-After", ra);
	fmt(msg, sizeof msg, "登录失败次数过多，已暂停登录，请 %d 分钟后再试，或请中心管理员解锁",
	    minutes < 1 ? 1 : minutes);
	return req_err_msg(r, E_UNAUTHENTICATED, msg);
}

/* The clerk's window: the one asked for or their usual one, and the hall must have it.
 * 0 with *window set, or the status of the reply. */
static int
clerk_window(struct req *r, const char *hall, const struct staff_row *s, long long *window)
{
	char one[4];
	int rc;

	if (*window == 0)
		*window = s->window;
	if (*window == 0)
		return req_fail_field(r, "window", "请选择窗口"), req_invalid(r);
	rc = db_scalar(r->ctx, "SELECT retired_at IS NOT NULL FROM windows WHERE hall = ? AND"
	    " number = ?", DBARGS(DBS(hall), DBI(*window)), one, sizeof one);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail_field(r, "window", "本中心没有这个窗口"), req_invalid(r);
	if (one[0] == '1')	/* retired by the administration (admin/hall_windows.c) */
		return req_fail_field(r, "window", "该窗口已停用，请选择其他窗口"), req_invalid(r);
	return 0;
}

/*
 * A password set by the hall's admin (a new account, a reset) signs in only together with a
 * new one of the person's own: at least STAFF_PASSWORD_MIN characters and not the one given.
 * It is stored (argon2id) and the mark cleared before the session is made.  0, or the
 * status of the reply (403 PASSWORD_CHANGE_REQUIRED when none was sent, 400 naming
 * new_password).
 */
static int
password_change(struct req *r, const struct staff_row *s, const char *user, const char *pw,
    const char *npw)
{
	char hash[crypto_pwhash_STRBYTES];
	size_t n;
	int rc;

	if (npw == NULL) {
		audit(r, "staff.login", user, "denied", "password change required");
		return req_err(r, E_PASSWORD_CHANGE_REQUIRED);
	}
	n = strlen(npw);
	if (utf8_len(npw, n) < STAFF_PASSWORD_MIN)
		return req_fail_field(r, "new_password", "新密码至少 12 个字符"), req_invalid(r);
	if (strcmp(npw, pw) == 0)
		return req_fail_field(r, "new_password", "新密码不能与管理员给的临时密码相同"),
		    req_invalid(r);
	if (staff_hash_password(npw, hash, sizeof hash) != 0)
		return req_bug(r, "out of memory hashing a password");
	rc = db_exec(r->ctx, "UPDATE staff SET password_hash = ?, must_change_password = 0"
	    " WHERE id = ? AND must_change_password = 1", DBARGS(DBS(hash), DBS(s->id)), NULL,
	    NULL);
	sodium_memzero(hash, sizeof hash);
	if (rc != 0)
		return db_fail(r, rc);
	audit(r, "staff.password_change", user, "ok", "at sign-in, after an admin's reset");
	return 0;
}

int
h_staff_login(struct req *r)
{
	const char *hall, *user, *pw, *hash, *npw = NULL;
	long long window = 0;
	struct staff_row s;
	struct signin_attempt at;
	char token[SESSION_TOKEN_MAX + 1];
	struct session sess;
	int rc, ok, idle, verdict, wait = 0, locked = 0;

	in_str(r, r->body, "hall", 1, 1, 32, &hall);
	in_str(r, r->body, "username", 1, 1, 32, &user);
	in_str(r, r->body, "password", 1, 1, 128, &pw);
	in_int(r, r->body, "window", 0, 1, 999, &window);
	in_str(r, r->body, "new_password", 0, 1, 128, &npw);
	if (in_has_errors(r))
		return req_invalid(r);
	if (!hall_code_ok(hall))
		return req_fail_field(r, "hall", "不是有效的中心编码"), req_invalid(r);

	/* A place in the counts first: no password is checked without one. */
	verdict = signin_begin(r->ctx, hall, user, r->remote_addr, &at, &wait);
	if (verdict == SIGNIN_DOWN)
		return req_unavailable(r);
	memset(&s, 0, sizeof s);
	rc = db_row_into(r->ctx, "SELECT id, role, department, password_hash, window_no,"
	    " disabled, must_change_password FROM staff WHERE hall = ? AND username = ?",
	    DBARGS(DBS(hall), DBS(user)), DB_COLS(staff_cols), &s);
	if (rc < 0) {
		signin_settle(r->ctx, &at, SIGNIN_CANCEL, NULL);
		return db_fail(r, rc);
	}
	s.found = rc == 1;
	str_copy(r->sess.hall, sizeof r->sess.hall, hall);
	if (s.found)
		str_copy(r->sess.subject, sizeof r->sess.subject, s.id);

	/* One argon2id check on every path: the account's hash only when it may be tried. */
	hash = verdict == SIGNIN_GO && s.found && !s.disabled ? s.hash : dummy_hash;
	ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0 && hash != dummy_hash;
	sodium_memzero(s.hash, sizeof s.hash);

	if (verdict != SIGNIN_GO) {
		audit(r, "staff.login", user, "locked",
		    verdict == SIGNIN_ACCOUNT_LOCKED ? "account locked to new addresses" :
		    "address locked");
		return refused_locked(r, wait);
	}
	if (signin_settle(r->ctx, &at, ok ? SIGNIN_OK : SIGNIN_FAILED, &locked) != 0)
		return req_unavailable(r);
	if (!ok) {
		audit(r, "staff.login", user, "denied", !s.found || s.disabled ?
		    (locked ? "unknown or disabled account; now locked" :
		    "unknown or disabled account") :
		    (locked ? "wrong password; now locked" : "wrong password"));
		return refused(r);
	}

	if (strcmp(s.role, "clerk") == 0) {
		if ((rc = clerk_window(r, hall, &s, &window)) != 0)
			return rc;
	} else
		window = 0;
	if (s.must_change && (rc = password_change(r, &s, user, pw, npw)) != 0)
		return rc;

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
		return req_err_msg(r, E_UNAUTHENTICATED, "登录已失效，请重新登录");
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
	if (r->sess.department[0]) {
		char dname[404];	/* departments.name: up to 100 characters */

		json_object_set_new(o, "department", json_string(r->sess.department));
		/* The staff header shows the name.  Without the database the session still
		 * answers (the code alone): the pages show the code rather than sign out. */
		if (db_scalar(r->ctx, "SELECT name FROM departments WHERE code = ?",
		    DBARGS(DBS(r->sess.department)), dname, sizeof dname) == 1)
			json_object_set_new(o, "department_name", json_string(dname));
	}
	return req_ok(r, 200, o);
}
