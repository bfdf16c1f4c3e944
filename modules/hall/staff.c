/*
 * staff.c — staff accounts (see staff.h).
 *
 * Tables: staff, audit_log (every account change is audited: create, password reset,
 *         disable, enable).  Sign-in failures and locks are not here: they are counted per
 *         account and client address in Redis (identity/signin_guard.h, lifted by
 *         identity/staff_signin.c); the staff columns failed_logins and locked_until are no
 *         longer used.
 */
#include "staff.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
staff_hash_password(const char *password, char *out, size_t osz)
{
	if (osz < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

int
staff_exists(struct ctx *c, const char *hall, const char *username)
{
	char one[4];

	return db_scalar(c, "SELECT 1 FROM staff WHERE hall = ? AND username = ?",
	    DBARGS(DBS(hall), DBS(username)), one, sizeof one);
}

static int
password_ok(const char *pw, char *err, size_t esz)
{
	size_t n = strlen(pw);

	if (n < STAFF_PASSWORD_MIN || utf8_len(pw, n) < STAFF_PASSWORD_MIN) {
		snprintf(err, esz, "password must have at least %d characters", STAFF_PASSWORD_MIN);
		return 0;
	}
	if (n > 128 || !utf8_ok(pw, n)) {
		snprintf(err, esz, "password too long or not UTF-8");
		return 0;
	}
	return 1;
}

void
staff_audit(struct ctx *c, const char *hall, const char *action, const char *user,
    const char *result, const char *detail)
{
	char at[32];

	sql_now(at, sizeof at);
	db_exec(c, "INSERT INTO audit_log (at, hall, actor_kind, actor, action, target, result,"
	    " remote_addr, detail) VALUES (?, ?, 'system', 'yichuang-admin', ?, ?, ?, 'local', ?)",
	    DBARGS(DBS(at), DBS(hall), DBS(action), DBS(user), DBS(result), DBS(detail)), NULL,
	    NULL);
}

int
staff_create(struct ctx *c, const struct staff_new *s, char *err, size_t esz)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc;

	if (!password_ok(s->password, err, esz))
		return -1;
	if (strcmp(s->role, "clerk") && strcmp(s->role, "approver") &&
	    strcmp(s->role, "manager") && strcmp(s->role, "admin") && strcmp(s->role, "kiosk") &&
	    strcmp(s->role, "helper") && strcmp(s->role, "region_admin") &&
	    strcmp(s->role, "city_manager")) {
		snprintf(err, esz, "role must be clerk, approver, manager, admin, kiosk, helper,"
		    " region_admin or city_manager");
		return -1;
	}
	if (strcmp(s->role, "approver") == 0 && (s->department == NULL || !*s->department)) {
		snprintf(err, esz, "an approver needs a department");
		return -1;
	}
	if (staff_hash_password(s->password, hash, sizeof hash) != 0) {
		snprintf(err, esz, "out of memory hashing the password");
		return -1;
	}
	rc = db_exec(c, "INSERT INTO staff (hall, username, name, role, department, window_no,"
	    " password_hash, must_change_password) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	    DBARGS(DBS(s->hall), DBS(s->username), DBS(s->name), DBS(s->role),
	    DBSO(strcmp(s->role, "approver") == 0 ? s->department : NULL),
	    s->window > 0 ? DBI(s->window) : DBN, DBS(hash), DBI(s->must_change ? 1 : 0)),
	    NULL, NULL);
	sodium_memzero(hash, sizeof hash);
	if (rc == DB_DUP) {
		snprintf(err, esz, "%s already exists in %s", s->username, s->hall);
		return -1;
	}
	if (rc != 0) {
		snprintf(err, esz, "database error %d (unknown hall, window or department?)", rc);
		return -1;
	}
	staff_audit(c, s->hall, "staff.create", s->username, "ok", "");
	return 0;
}

int
staff_set_password(struct ctx *c, const char *hall, const char *username, const char *password,
    char *err, size_t esz)
{
	char hash[crypto_pwhash_STRBYTES];
	uint64_t n = 0;
	int rc;

	if (!password_ok(password, err, esz))
		return -1;
	if (staff_hash_password(password, hash, sizeof hash) != 0) {
		snprintf(err, esz, "out of memory hashing the password");
		return -1;
	}
	rc = db_exec(c, "UPDATE staff SET password_hash = ? WHERE hall = ? AND username = ?",
	    DBARGS(DBS(hash), DBS(hall), DBS(username)), &n, NULL);
	sodium_memzero(hash, sizeof hash);
	if (rc != 0 || n == 0) {
		snprintf(err, esz, rc ? "database error" : "no such account");
		return -1;
	}
	staff_audit(c, hall, "staff.password_reset", username, "ok", "");
	return 0;
}

int
staff_id_of(struct ctx *c, const char *hall, const char *username, char *id, size_t idsz)
{
	return db_scalar(c, "SELECT id FROM staff WHERE hall = ? AND username = ?",
	    DBARGS(DBS(hall), DBS(username)), id, idsz);
}

int
staff_set_disabled(struct ctx *c, const char *hall, const char *username, int disabled,
    char *id, size_t idsz, char *err, size_t esz)
{
	uint64_t n = 0;
	int rc;

	if ((rc = staff_id_of(c, hall, username, id, idsz)) != 1) {
		snprintf(err, esz, rc == 0 ? "no such account" : "database error");
		return -1;
	}
	rc = db_exec(c, disabled ? "UPDATE staff SET disabled = 1 WHERE id = ?" :
	    "UPDATE staff SET disabled = 0 WHERE id = ?", DBARGS(DBS(id)), &n, NULL);
	if (rc != 0) {
		snprintf(err, esz, "database error");
		return -1;
	}
	staff_audit(c, hall, disabled ? "staff.disable" : "staff.enable", username, "ok",
	    "");
	return 0;
}
