/*
 * identity.c — the citizens' store and sessions (see identity.h; the access-control helpers
 * every room's handlers use are shared/access.c).
 *
 * Routes: none of its own (the handlers are in identity_sms.c, identity_wx.c and auth.c).
 * Tables: citizens (phone, name, ID number sealed; keyed hashes for lookup), audit_log.
 * Redis:  sess:<hash> (fcgi/session.c), staff:sessions:<staff id> (set of that account's
 *         session ids, so a password reset or a disabled account ends them all).
 */
#include "identity.h"
#include "../shared/audit.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/session.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CITIZEN_IDLE_DEFAULT (7 * 86400)

/* ------------------------------------------------------------------ citizens */

void
identity_now(char *out, size_t osz)
{
	char s[32];

	sql_now(s, sizeof s);
	s[19] = '\0';	/* whole seconds */
	str_copy(out, osz, s);
}

int
citizen_by_phone(struct ctx *c, const char *phone, int create, long long *id)
{
	unsigned char sealed[PII_SEALED_MAX];
	char h[PII_HASH_HEX], idtxt[24], now[32];
	uint64_t newid = 0;
	int rc, n, tries;

	pii_hash("phone", phone, h);
	for (tries = 0; tries < 3; tries++) {
		rc = db_scalar(c, "SELECT id FROM citizens WHERE phone_hash = ?", DBARGS(DBS(h)),
		    idtxt, sizeof idtxt);
		if (rc < 0)
			return rc;
		if (rc == 1)
			return parse_ll(idtxt, 1, INT64_MAX, id) == 0 ? 1 : DB_FAIL;
		if (!create)
			return 0;
		if ((n = pii_seal(phone, sealed, sizeof sealed)) < 0) {
			log_err("cannot seal a phone");
			return DB_FAIL;
		}
		identity_now(now, sizeof now);
		rc = db_exec(c, "INSERT INTO citizens (phone_enc, phone_hash, created_at)"
		    " VALUES (?, ?, ?)", DBARGS(DBSN((const char *)sealed, (size_t)n), DBS(h),
		    DBS(now)), NULL, &newid);
		if (rc == 0) {
			*id = (long long)newid;
			return 1;
		}
		if (rc != DB_DUP)
			return rc;
		/* Someone created it at the same moment: read theirs. */
	}
	return DB_FAIL;
}

struct citizen_row {
	int		 found;
	long long	 id;
	long long	 merged;
	struct pii_sealed phone, name, idnum;
};

static int
citizen_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct citizen_row *c = arg;

	(void)ncol;
	c->found = 1;
	parse_ll(v[0], 1, INT64_MAX, &c->id);
	c->merged = 0;
	if (v[1])
		parse_ll(v[1], 1, INT64_MAX, &c->merged);
	pii_sealed_keep(&c->phone, v[2], lens[2]);
	pii_sealed_keep(&c->name, v[3], lens[3]);
	pii_sealed_keep(&c->idnum, v[4], lens[4]);
	return 1;
}

int
citizen_get(struct ctx *c, long long id, struct citizen *out)
{
	struct citizen_row row;
	int rc, hops;

	memset(out, 0, sizeof *out);
	for (hops = 0; hops < 4; hops++) {
		memset(&row, 0, sizeof row);
		rc = db_query(c, "SELECT id, merged_into, phone_enc, name_enc, idnum_enc"
		    " FROM citizens WHERE id = ?", DBARGS(DBI(id)), citizen_row, &row);
		if (rc < 0)
			return rc;
		if (!row.found)
			return 0;
		if (row.merged == 0)
			break;
		id = row.merged;
	}
	if (row.merged != 0)
		return DB_FAIL;
	out->id = row.id;
	if ((row.phone.n && pii_sealed_open(&row.phone, out->phone, sizeof out->phone) != 0) ||
	    (row.name.n && pii_sealed_open(&row.name, out->name, sizeof out->name) != 0) ||
	    (row.idnum.n && pii_sealed_open(&row.idnum, out->id_number,
	    sizeof out->id_number) != 0)) {
		log_err("citizen %lld: a sealed value does not open (key changed?)", row.id);
		sodium_memzero(out, sizeof *out);
		return DB_FAIL;
	}
	return 1;
}

int
citizen_set_identity(struct ctx *c, long long id, const char *name, const char *id_number)
{
	unsigned char sn[PII_SEALED_MAX], si[PII_SEALED_MAX];
	char hn[PII_HASH_HEX], hi[PII_HASH_HEX];
	int nn = 0, ni = 0, rc;

	if ((name && ((nn = pii_seal(name, sn, sizeof sn)) < 0)) ||
	    (id_number && ((ni = pii_seal(id_number, si, sizeof si)) < 0))) {
		log_err("cannot seal a name or ID number");
		return DB_FAIL;
	}
	if (name)
		pii_hash("name", name, hn);
	if (id_number)
		pii_hash("idnum", id_number, hi);
	if (name && id_number)
		rc = db_exec(c, "UPDATE citizens SET name_enc = ?, name_hash = ?, idnum_enc = ?,"
		    " idnum_hash = ? WHERE id = ?", DBARGS(DBSN((const char *)sn, (size_t)nn),
		    DBS(hn), DBSN((const char *)si, (size_t)ni), DBS(hi), DBI(id)), NULL, NULL);
	else if (name)
		rc = db_exec(c, "UPDATE citizens SET name_enc = ?, name_hash = ? WHERE id = ?",
		    DBARGS(DBSN((const char *)sn, (size_t)nn), DBS(hn), DBI(id)), NULL, NULL);
	else if (id_number)
		rc = db_exec(c, "UPDATE citizens SET idnum_enc = ?, idnum_hash = ? WHERE id = ?",
		    DBARGS(DBSN((const char *)si, (size_t)ni), DBS(hi), DBI(id)), NULL, NULL);
	else
		rc = 0;
	return rc;
}

int
citizen_phone_masked(struct ctx *c, long long id, char *out, size_t osz)
{
	struct citizen z;
	int rc;

	out[0] = '\0';
	if ((rc = citizen_get(c, id, &z)) < 0)
		return rc;
	if (rc == 1 && z.phone[0])
		mask_phone(z.phone, out, osz);
	sodium_memzero(&z, sizeof z);
	return 0;
}

/* ------------------------------------------------------------------ sessions */

int
citizen_session_idle(void)
{
	return (int)config_int("citizen_session_idle", CITIZEN_IDLE_DEFAULT, 1, 90 * 86400);
}

int
citizen_session_start(struct req *r, long long citizen_id, const char *how, char *token,
    size_t tsz, long long *expires_at)
{
	struct session s;
	int idle = citizen_session_idle();
	char now[32];

	memset(&s, 0, sizeof s);
	s.role = ROLE_CITIZEN;
	if (fmt(s.subject, sizeof s.subject, "%lld", citizen_id) < 0)
		return -1;
	if (session_create(r->ctx, &s, idle, token, tsz) != 0)
		return -1;
	r->sess = s;
	*expires_at = hall_now() + idle;
	identity_now(now, sizeof now);
	/* Best effort: the sign-in stands even if this bookkeeping fails. */
	db_exec(r->ctx, "UPDATE citizens SET last_login_at = ? WHERE id = ?",
	    DBARGS(DBS(now), DBI(citizen_id)), NULL, NULL);
	audit(r, "citizen.login", how, "ok", "");
	return 0;
}

int
staff_session_track(struct ctx *c, const char *staff_id, const char *session_id,
    int idle_seconds)
{
	char key[64];
	redisReply *rep;

	if (fmt(key, sizeof key, "staff:sessions:%s", staff_id) < 0)
		return -1;
	if ((rep = kv_cmd(c, "SADD %s %s", key, session_id)) == NULL)
		return -1;
	freeReplyObject(rep);
	/* The set outlives its longest session; dead ids in it are harmless. */
	if ((rep = kv_cmd(c, "EXPIRE %s %d", key, idle_seconds + 86400)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

/* The staff's set of session ids (into key, size 64) and, for each id still a string, fn
 * with its session key sess:<id> until fn returns non-zero.  That value, 0 when fn saw
 * every one, or -1 (Redis down). */
static int
staff_sessions_each(struct ctx *c, const char *staff_id, char *key,
    int (*fn)(struct ctx *, const char *, void *), void *arg)
{
	char sk[96];
	redisReply *rep;
	size_t i;
	int rc = 0;

	if (fmt(key, 64, "staff:sessions:%s", staff_id) < 0)
		return -1;
	if ((rep = kv_cmd(c, "SMEMBERS %s", key)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY)
		for (i = 0; i < rep->elements && rc == 0; i++)
			if (rep->element[i]->str != NULL &&
			    fmt(sk, sizeof sk, "sess:%s", rep->element[i]->str) >= 0)
				rc = fn(c, sk, arg);
	freeReplyObject(rep);
	return rc;
}

struct at_window {
	const char	*hall;
	char		 w[16];
};

/* 1 when the session sk is signed in at the window, 0 not, -1 Redis down. */
static int
session_at_window(struct ctx *c, const char *sk, void *arg)
{
	const struct at_window *a = arg;
	redisReply *d;
	int found;

	if ((d = kv_cmd(c, "HMGET %s hall window", sk)) == NULL)
		return -1;
	/* A dead id (the session expired or ended) has no fields. */
	found = d->type == REDIS_REPLY_ARRAY && d->elements == 2 &&
	    d->element[0]->str && d->element[1]->str &&
	    strcmp(d->element[0]->str, a->hall) == 0 &&
	    strcmp(d->element[1]->str, a->w) == 0;
	freeReplyObject(d);
	return found;
}

int
staff_session_at_window(struct ctx *c, const char *staff_id, const char *hall, int window)
{
	struct at_window a = { .hall = hall };
	char key[64];

	if (fmt(a.w, sizeof a.w, "%d", window) < 0)
		return -1;
	return staff_sessions_each(c, staff_id, key, session_at_window, &a);
}

/* Ends the session sk, counting it in *(int *)arg when it was live.  0, or -1 Redis down. */
static int
session_end(struct ctx *c, const char *sk, void *arg)
{
	int *n = arg;
	redisReply *d;

	if ((d = kv_cmd(c, "DEL %s", sk)) == NULL)
		return -1;
	if (d->type == REDIS_REPLY_INTEGER)
		*n += (int)d->integer;
	freeReplyObject(d);
	return 0;
}

int
staff_sessions_kill(struct ctx *c, const char *staff_id)
{
	char key[64];
	redisReply *rep;
	int n = 0;

	if (staff_sessions_each(c, staff_id, key, session_end, &n) != 0)
		return -1;
	if ((rep = kv_cmd(c, "DEL %s", key)) == NULL)
		return -1;
	freeReplyObject(rep);
	return n;
}
