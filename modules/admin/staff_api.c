/*
 * staff_api.c — a hall's staff accounts as its admin manages them: create, change (name,
 * role, window, department), lock and unlock, reset the password.
 *
 * Routes: POST  /admin/halls/{hall}/staff                              admin of the hall
 *         PATCH /admin/halls/{hall}/staff/{username}                   admin of the hall
 *         POST  /admin/halls/{hall}/staff/{username}/lock              admin of the hall
 *         POST  /admin/halls/{hall}/staff/{username}/unlock            admin of the hall
 *         POST  /admin/halls/{hall}/staff/{username}/reset-password    admin of the hall
 *         (the list is GET /halls/{hall}/staff, identity/staff_api.c)
 * Tables: staff, windows, departments (read), audit_log (admin.staff.create, .change,
 *         .lock, .unlock, .reset_password; before and after).
 * Redis:  staff:sessions:<id> and sess:* (ending the account's sessions, identity.h), the
 *         sign-in throttle {signin:<hall>}:* (unlock clears it, signin_guard.h).
 *
 * A new account and a reset get a temporary password made here (CSPRNG), shown once in
 * the reply to the admin who hands it over, stored only as its argon2id hash and never
 * logged; the person signs in with it only together with a new one of their own
 * (POST /staff/login "new_password", identity/auth.c).  Locking (disabled = 1), a reset and
 * a change of role, window or department end the account's sessions: the next request of
 * its old session is 401, and the new sign-in carries the new role.
 */
#include "handlers.h"
#include "../hall/catalog.h"
#include "../hall/staff.h"
#include "../identity/identity.h"
#include "../identity/signin_guard.h"
#include "../shared/audit.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TEMP_PW_LEN 16

static const char *const roles[] = { "clerk", "approver", "manager", "admin", "kiosk",
	"helper", NULL };

struct staff_rec {
	char	 id[24];
	char	 name[204];
	char	 role[16];
	char	 department[40];
	long long window;		/* 0: none */
	int	 disabled;
	int	 must_change;
};

/* The columns of rec_get's query, in order. */
static const struct db_col rec_cols[] = {
	DBC_S(struct staff_rec, id), DBC_S(struct staff_rec, name), DBC_S(struct staff_rec, role),
	DBC_S(struct staff_rec, department), DBC_I(struct staff_rec, window, 0, 65535),
	DBC_B(struct staff_rec, disabled), DBC_B(struct staff_rec, must_change),
};

/* 1 found, 0 not, or a DB_* code. */
static int
rec_get(struct ctx *c, const char *hall, const char *user, struct staff_rec *s)
{
	memset(s, 0, sizeof *s);
	return db_row_into(c, "SELECT id, name, role, department, window_no, disabled,"
	    " must_change_password FROM staff WHERE hall = ? AND username = ?",
	    DBARGS(DBS(hall), DBS(user)), DB_COLS(rec_cols), s);
}

static json_t *
rec_json(const char *user, const struct staff_rec *s)
{
	return json_pack("{s:s,s:s,s:s,s:s?,s:o,s:b,s:b}", "username", user, "name", s->name,
	    "role", s->role, "department", s->department[0] ? s->department : NULL, "window",
	    s->window ? json_integer(s->window) : json_null(), "disabled", s->disabled,
	    "must_change_password", s->must_change);
}

/* The audit's view of an account (no password, no phone): JSON, the name cut to 20
 * characters so the row's 500 hold before and after. */
static json_t *
rec_audit(const struct staff_rec *s)
{
	size_t n = utf8_cut(s->name, strlen(s->name), 20, sizeof s->name - 1);

	return json_pack("{s:s#,s:s,s:s?,s:I,s:b}", "name", s->name, n, "role", s->role,
	    "department", s->department[0] ? s->department : NULL, "window",
	    (json_int_t)s->window, "disabled", s->disabled);
}

static void
audit_change(struct req *r, const char *action, const char *user, const struct staff_rec *b,
    const struct staff_rec *a)
{
	json_t *o = json_pack("{s:o,s:o}", "before", b ? rec_audit(b) : json_null(), "after",
	    a ? rec_audit(a) : json_null());
	char *d = o ? json_dumps(o, JSON_COMPACT) : NULL;

	audit(r, action, user, "ok", d ? d : "");
	free(d);
	json_decref(o);
}

/* A temporary password: TEMP_PW_LEN characters of an alphabet without look-alikes. */
static void
temp_password(char out[TEMP_PW_LEN + 1])
{
	static const char abc[] = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
	int i;

	for (i = 0; i < TEMP_PW_LEN; i++)
		out[i] = abc[randombytes_uniform(sizeof abc - 1)];
	out[TEMP_PW_LEN] = '\0';
}

static int
username_ok(const char *u)
{
	return str_in_set(u, 1, 32, CH_LOWER CH_UPPER CH_DIGIT "_.-");
}

/* The window (of the hall) and the department named exist; field errors otherwise.
 * 0, or a DB_* code. */
static int
refs_check(struct req *r, const char *hall, long long window, const char *dept)
{
	char one[4];
	int rc;

	if (window > 0) {
		if ((rc = db_scalar(r->ctx, "SELECT 1 FROM windows WHERE hall = ? AND number = ?",
		    DBARGS(DBS(hall), DBI(window)), one, sizeof one)) < 0)
			return rc;
		if (rc == 0)
			req_fail_field(r, "window", "本中心没有这个窗口");
	}
	if (dept && *dept) {
		if ((rc = db_scalar(r->ctx, "SELECT 1 FROM departments WHERE code = ?",
		    DBARGS(DBS(dept)), one, sizeof one)) < 0)
			return rc;
		if (rc == 0)
			req_fail_field(r, "department", "没有这个部门");
	}
	return 0;
}

/* End every session of the account.  0, or -1 (Redis down). */
static int
sessions_end(struct ctx *c, const char *id)
{
	return staff_sessions_kill(c, id) < 0 ? -1 : 0;
}

/* The account user of hall into *s: 0, or the reply set (404, 503) and its status. */
static int
rec_find(struct req *r, const char *hall, const char *user, struct staff_rec *s)
{
	return db_found(r, rec_get(r->ctx, hall, user, s), "本中心没有这个工作人员账号");
}

/* The same for the lock, unlock and reset buttons, after checking the caller is an admin
 * of hall (403 otherwise). */
static int
staff_of_hall(struct req *r, const char *hall, const char *user, struct staff_rec *s)
{
	int rc;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	return rec_find(r, hall, user, s);
}

/* ------------------------------------------------------------------ create */

int
h_admin_staff_create(struct req *r)
{
	const char *hall = r->pathv[0], *user = NULL, *name = NULL, *dept = NULL;
	char pw[TEMP_PW_LEN + 1], hash[crypto_pwhash_STRBYTES];
	struct staff_rec s;
	long long window = 0;
	int role = -1, rc;

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	in_str(r, r->body, "username", 1, 1, 32, &user);
	in_str(r, r->body, "name", 1, 1, 50, &name);
	in_enum(r, r->body, "role", 1, roles, &role);
	in_int(r, r->body, "window", 0, 1, 999, &window);
	in_str(r, r->body, "department", 0, 1, 32, &dept);
	if (user && !username_ok(user))
		req_fail_field(r, "username", "须为 1 至 32 个字母、数字或 _ . -");
	if (role == 1 && (dept == NULL || !*dept))
		req_fail_field(r, "department", "审批人员须指定部门");
	if (role >= 0 && role != 1 && dept)
		req_fail_field(r, "department", "只有审批人员属于部门");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = hall_find(r, hall)) != 0)
		return rc;
	if ((rc = refs_check(r, hall, window, dept)) < 0)
		return db_fail(r, rc);
	if ((rc = staff_exists(r->ctx, hall, user)) < 0)
		return db_fail(r, rc);
	if (rc == 1)
		req_fail_field(r, "username", "本中心已有这个用户名");
	if (in_has_errors(r))
		return req_invalid(r);
	temp_password(pw);
	if (staff_hash_password(pw, hash, sizeof hash) != 0) {
		sodium_memzero(pw, sizeof pw);
		return req_bug(r, "out of memory hashing a password");
	}
	rc = db_exec(r->ctx, "INSERT INTO staff (hall, username, name, role, department,"
	    " window_no, password_hash, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
	    DBARGS(DBS(hall), DBS(user), DBS(name), DBS(roles[role]), DBSO(dept),
	    window > 0 ? DBI(window) : DBN, DBS(hash)), NULL, NULL);
	sodium_memzero(hash, sizeof hash);
	if (rc == DB_DUP) {
		sodium_memzero(pw, sizeof pw);
		return req_fail_field(r, "username", "本中心已有这个用户名"), req_invalid(r);
	}
	if (rc != 0) {
		sodium_memzero(pw, sizeof pw);
		return db_fail(r, rc);
	}
	if ((rc = rec_get(r->ctx, hall, user, &s)) != 1) {
		sodium_memzero(pw, sizeof pw);
		return rc < 0 ? db_fail(r, rc) : req_bug(r, "staff row gone after insert");
	}
	audit_change(r, "admin.staff.create", user, NULL, &s);
	{
		json_t *o = json_pack("{s:o,s:s}", "staff", rec_json(user, &s),
		    "temporary_password", pw);

		sodium_memzero(pw, sizeof pw);
		return req_ok(r, 201, o);
	}
}

/* ------------------------------------------------------------------ change */

int
h_admin_staff_change(struct req *r)
{
	const char *hall = r->pathv[0], *user = r->pathv[1], *name = NULL, *dept = NULL;
	struct staff_rec b, a;
	long long window = 0;
	int role = -1, rc, clear_window = 0, relog;
	json_t *w = json_object_get(r->body, "window");

	if ((rc = require_admin_of_hall(r, hall)) != 0)
		return rc;
	in_str(r, r->body, "name", 0, 1, 50, &name);
	in_enum(r, r->body, "role", 0, roles, &role);
	if (json_is_null(w))
		clear_window = 1;
	else
		in_int(r, r->body, "window", 0, 1, 999, &window);
	if (json_is_null(json_object_get(r->body, "department")))
		dept = "";
	else
		in_str(r, r->body, "department", 0, 1, 32, &dept);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = rec_find(r, hall, user, &b)) != 0)
		return rc;
	a = b;
	if (name)
		str_copy(a.name, sizeof a.name, name);
	if (role >= 0)
		str_copy(a.role, sizeof a.role, roles[role]);
	if (clear_window)
		a.window = 0;
	else if (window > 0)
		a.window = window;
	if (dept)
		str_copy(a.department, sizeof a.department, dept);
	if (strcmp(a.role, "approver") != 0)
		a.department[0] = '\0';
	if (strcmp(a.role, "approver") == 0 && a.department[0] == '\0')
		req_fail_field(r, "department", "审批人员须指定部门");
	if (strcmp(a.role, b.role) != 0 && strcmp(b.id, r->sess.subject) == 0)
		req_fail_field(r, "role", "不能更改自己的角色");
	if ((rc = refs_check(r, hall, clear_window ? 0 : window, dept)) < 0)
		return db_fail(r, rc);
	if (in_has_errors(r))
		return req_invalid(r);
	rc = db_exec(r->ctx, "UPDATE staff SET name = ?, role = ?, department = ?, window_no = ?"
	    " WHERE id = ?", DBARGS(DBS(a.name), DBS(a.role),
	    DBSO(a.department[0] ? a.department : NULL), a.window > 0 ? DBI(a.window) : DBN,
	    DBS(a.id)), NULL, NULL);
	if (rc != 0)
		return db_fail(r, rc);
	audit_change(r, "admin.staff.change", user, &b, &a);
	/* A session carries the role, window and department it was made with. */
	relog = strcmp(a.role, b.role) != 0 || a.window != b.window ||
	    strcmp(a.department, b.department) != 0;
	if (relog && sessions_end(r->ctx, a.id) != 0)
		return req_err_msg(r, E_UNAVAILABLE, "已保存，但该账号的登录未能结束，请稍后再保存一次");
	return req_ok(r, 200, json_pack("{s:o,s:b}", "staff", rec_json(user, &a),
	    "sessions_ended", relog));
}

/* ------------------------------------------------------------------ lock, unlock, reset */

/* The account b (user) locked (disabled 1) or unlocked (0), with its trail; *a: b as it is
 * now.  0 or a DB_* code. */
static int
staff_disable(struct req *r, const char *user, const struct staff_rec *b, int disabled,
    struct staff_rec *a)
{
	int rc;

	if ((rc = db_exec(r->ctx, "UPDATE staff SET disabled = ? WHERE id = ?",
	    DBARGS(DBI(disabled), DBS(b->id)), NULL, NULL)) != 0)
		return rc;
	*a = *b;
	a->disabled = disabled;
	audit_change(r, disabled ? "admin.staff.lock" : "admin.staff.unlock", user, b, a);
	return 0;
}

/*
 * The start of a change that ends another account's sessions (lock, password reset): the
 * account user of hall into *b, refused when it is the caller's own (self_msg), and its
 * sessions ended.  They end again after the change: one made in between is ended too.
 * 0, or the status of the reply already set.
 */
static int
staff_other_begin(struct req *r, const char *hall, const char *user, struct staff_rec *b,
    const char *self_msg)
{
	int rc;

	if ((rc = staff_of_hall(r, hall, user, b)) != 0)
		return rc;
	if (strcmp(b->id, r->sess.subject) == 0)
		return req_err_msg(r, E_INVALID_STATE, self_msg);
	if (sessions_end(r->ctx, b->id) != 0)
		return req_unavailable(r);
	return 0;
}

int
h_admin_staff_lock(struct req *r)
{
	const char *hall = r->pathv[0], *user = r->pathv[1];
	struct staff_rec b, a;
	int rc;

	if ((rc = staff_other_begin(r, hall, user, &b, "不能锁定自己的账号")) != 0)
		return rc;
	if ((rc = staff_disable(r, user, &b, 1, &a)) != 0)
		return db_fail(r, rc);
	if (sessions_end(r->ctx, b.id) != 0)
		return req_err_msg(r, E_UNAVAILABLE, "已锁定，但该账号的登录未能全部结束，请再锁定一次");
	return req_ok(r, 200, json_pack("{s:o}", "staff", rec_json(user, &a)));
}

int
h_admin_staff_unlock(struct req *r)
{
	const char *hall = r->pathv[0], *user = r->pathv[1];
	struct staff_rec b, a;
	int rc, addresses = 0, account = 0;

	if ((rc = staff_of_hall(r, hall, user, &b)) != 0)
		return rc;
	/* Redis first: an outage changes nothing. */
	if (signin_clear(r->ctx, hall, user, &addresses, &account) != 0)
		return req_unavailable(r);
	if ((rc = staff_disable(r, user, &b, 0, &a)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "staff", rec_json(user, &a)));
}

int
h_admin_staff_reset(struct req *r)
{
	const char *hall = r->pathv[0], *user = r->pathv[1];
	char pw[TEMP_PW_LEN + 1], hash[crypto_pwhash_STRBYTES];
	struct staff_rec b;
	json_t *o;
	int rc;

	if ((rc = staff_other_begin(r, hall, user, &b, "不能重置自己的密码")) != 0)
		return rc;
	temp_password(pw);
	if (staff_hash_password(pw, hash, sizeof hash) != 0) {
		sodium_memzero(pw, sizeof pw);
		return req_bug(r, "out of memory hashing a password");
	}
	rc = db_exec(r->ctx, "UPDATE staff SET password_hash = ?, must_change_password = 1"
	    " WHERE id = ?", DBARGS(DBS(hash), DBS(b.id)), NULL, NULL);
	sodium_memzero(hash, sizeof hash);
	if (rc != 0) {
		sodium_memzero(pw, sizeof pw);
		return db_fail(r, rc);
	}
	audit(r, "admin.staff.reset_password", user, "ok",
	    "{\"before\":\"原密码\",\"after\":\"临时密码（下次登录须设置新密码）\"}");
	b.must_change = 1;
	o = json_pack("{s:o,s:s}", "staff", rec_json(user, &b), "temporary_password", pw);
	sodium_memzero(pw, sizeof pw);
	if (sessions_end(r->ctx, b.id) != 0) {
		json_decref(o);
		return req_err_msg(r, E_UNAVAILABLE, "密码已重置，但该账号的登录未能全部结束，请再重置一次");
	}
	return req_ok(r, 200, o);
}
