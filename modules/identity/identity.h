/*
 * identity.h — who the caller is and what they may touch; the citizens' store.
 *
 * Access control.  The route table says which roles reach a handler; these helpers say
 * whether THIS caller may act on THIS hall, window, department or citizen's record.  Each
 * returns 0 when the caller may go on; otherwise it sets the error on r (401
 * UNAUTHENTICATED when nobody is signed in, 403 FORBIDDEN otherwise) and returns that status:
 *
 *	if ((rc = require_clerk_at_window(r, window)) != 0)
 *		return rc;
 *
 * They read only r->sess (no I/O).  Every 401/403 a request ends with is written to the
 * audit trail once by the router (audit_refusal), so handlers need not audit refusals.
 *
 * Citizens.  A citizen is one row of `citizens`; r->sess.subject of a citizen session is its
 * id in decimal (use require_citizen / session_citizen, never parse it yourself — staff
 * subjects are numbers too).  Phone, name and ID number are sealed at rest (pii.h) and
 * found through keyed hashes; citizen_get() opens them for the modules that must use them
 * (an SMS recipient, a printed notice).  Responses show them masked.
 */
#ifndef YC_IDENTITY_H
#define YC_IDENTITY_H

#include <stddef.h>

#include "../../fcgi/yc.h"
#include "../shared/access.h"

/* DATETIME text of hall time now, whole seconds ("2026-11-23 09:30:00"; out ≥ 20): the
 * room's rows keep seconds, not clock.h's milliseconds (identity.c). */
void	identity_now(char *out, size_t osz);

/* ---- access control: shared/access.h, included above ---- */

/* ---- citizens (identity.c) ---- */

struct citizen {
	long long	 id;		/* after merges: the citizen now in charge */
	char		 phone[16];	/* "" when none bound */
	char		 name[128];	/* "" when not given; up to 30 characters */
	char		 id_number[20];	/* "" when not given */
};

/* These return DB_* codes for failures (map them with db_fail()): DB_DOWN → 503; a value
 * that cannot be sealed or opened (the key file changed: a bug to fix) is DB_FAIL → 500. */

/* The citizen of a phone (valid per phone_ok).  create: make one when there is none.
 * 1 found or created (*id set), 0 none (create == 0), or a DB_* code. */
int	citizen_by_phone(struct ctx *c, const char *phone, int create, long long *id);
/* Read a citizen with phone, name and ID number opened; a merged citizen is followed to the
 * one it was merged into.  1 found, 0 not, or a DB_* code. */
int	citizen_get(struct ctx *c, long long id, struct citizen *out);
/* Record the real name and/or ID number a citizen gave (NULL: leave as is); the caller
 * checks idnum_ok() first.  0 or a DB_* code. */
int	citizen_set_identity(struct ctx *c, long long id, const char *name, const char *id_number);
/* A citizen's phone masked (138****8000) into out, "" when none is bound. 0 or a DB_* code. */
int	citizen_phone_masked(struct ctx *c, long long id, char *out, size_t osz);

/* ---- sessions of citizens and staff (identity.c) ---- */

/* Citizen session idle timeout in seconds (config citizen_session_idle, default 7 days). */
int	citizen_session_idle(void);
/* Sign a citizen in: a new session, audited.  Fills token and *expires_at (hall time). 0 or
 * -1 (Redis down). */
int	citizen_session_start(struct req *r, long long citizen_id, const char *how,
	    char *token, size_t tsz, long long *expires_at);
/* Remember a staff session under its account, and end them all (password reset, account
 * disabled).  kill returns the number ended or -1 when Redis is down. */
int	staff_session_track(struct ctx *c, const char *staff_id, const char *session_id,
	    int idle_seconds);
int	staff_sessions_kill(struct ctx *c, const char *staff_id);
/* Has the account a live session signed in at window of hall?  1 yes, 0 no, -1 Redis down
 * (a window retired must not strand a clerk working at it). */
int	staff_session_at_window(struct ctx *c, const char *staff_id, const char *hall,
	    int window);

/* ---- SMS sign-in (identity_sms.c) ---- */

/* The Redis key of a phone's login code (which = "code"), for the tests that look at it.
 * The send limits are notify's (notify_code_allowed). */
void	identity_sms_key(const char *phone, const char *which, char *out, size_t osz);

/* One-time SMS codes kept as a keyed hash under a Redis key (login codes here, proxy
 * confirmation codes in realname.c).  store: replaces any earlier code of the key, lives ttl
 * seconds; 0 or -1 (Redis down).  check: 1 right (the code is used up), 0 wrong, expired or
 * none, -1 wrong and now dead (max_tries wrong answers), -2 Redis down. */
int	identity_code_store(struct ctx *c, const char *key, const char *hash, int ttl);
int	identity_code_check(struct ctx *c, const char *key, const char *hash, int max_tries);
/* The body's field name: a mainland mobile number (11 digits), else the field error msg.
 * *phone NULL when absent (a field error too: it is required). */
void	identity_phone_in(struct req *r, const char *name, const char *msg, const char **phone);
/* The body's "code": 6 digits, else the field error "<what>为 6 位数字" (what: 验证码,
 * 确认码). */
void	identity_code_in(struct req *r, const char *what, const char **code);
/* 429 RATE_LIMITED with Retry-After and a message that says how long to wait. */
int	identity_code_rate_limited(struct req *r, int seconds);

#endif
