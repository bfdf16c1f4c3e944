/*
 * realname_me.c — what a citizen sees and ends of their own 实名 binding and proxy relations
 * (the rule itself, asking for and registering relations: realname.c).
 *
 * Routes: GET    /me/identity          citizen: own binding, principals, proxies  h_me_identity
 *         DELETE /me/principals/{id}   citizen: stop acting for someone           h_principal_drop
 *         DELETE /me/proxies/{id}      citizen: withdraw someone's right to act   h_proxy_drop
 * Tables: citizens (name_enc, idnum_enc, idnum_*), citizen_proxies, audit_log.
 * Redis:  none.
 */
#include "handlers.h"
#include "realname_int.h"
#include "../shared/audit.h"
#include "../shared/pii.h"
#include "identity.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"

#include <sodium.h>
#include <string.h>

#define MSG_NO_RELATION "没有这个代办关系"

/* ------------------------------------------------------------------ GET /me/identity */

struct sealed2 {
	int		 found;
	struct pii_sealed a, b;
	char		 c[40], d[40], hash[PII_HASH_HEX];
};

static int
sealed2_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct sealed2 *s = arg;

	s->found = 1;
	pii_sealed_keep(&s->a, v[0], lens[0]);
	pii_sealed_keep(&s->b, v[1], lens[1]);
	str_copy(s->c, sizeof s->c, ncol > 2 && v[2] ? v[2] : "");
	str_copy(s->d, sizeof s->d, ncol > 3 && v[3] ? v[3] : "");
	str_copy(s->hash, sizeof s->hash, ncol > 4 && v[4] ? v[4] : "");
	return 1;
}

/* Masked "name" and "id_number" of two sealed values; NULL members when they do not open. */
static void
masked_pair(const struct sealed2 *s, char *name, size_t nsz, char *id, size_t isz)
{
	char plain[64];

	name[0] = id[0] = '\0';
	if (pii_sealed_open(&s->a, plain, sizeof plain) == 0)
		mask_name(plain, name, nsz);
	if (pii_sealed_open(&s->b, plain, sizeof plain) == 0)
		mask_id(plain, id, isz);
	sodium_memzero(plain, sizeof plain);
}

struct list_ctx {
	json_t	*arr;
	int	 phones;	/* column 1 is a phone (proxies), else an ID number (principals) */
};

/* id, name_enc, idnum_enc|phone_enc, how, since */
static int
rel_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct list_ctx *l = arg;
	struct pii_sealed a, b;
	char plain[64], name[64] = "", other[32] = "";
	long long id = 0;
	json_t *o;

	(void)ncol;
	parse_ll(v[0], 1, INT64_MAX, &id);
	pii_sealed_keep(&a, v[1], lens[1]);
	pii_sealed_keep(&b, v[2], lens[2]);
	if (pii_sealed_open(&a, plain, sizeof plain) == 0)
		mask_name(plain, name, sizeof name);
	if (pii_sealed_open(&b, plain, sizeof plain) == 0) {
		if (l->phones)
			mask_phone(plain, other, sizeof other);
		else
			mask_id(plain, other, sizeof other);
	}
	sodium_memzero(plain, sizeof plain);
	o = json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "name", name, "how", v[3],
	    "since", v[4]);
	json_object_set_new(o, l->phones ? "phone" : "id_number", json_string(other));
	json_array_append_new(l->arr, o);
	return 0;
}

/* What GET /me/identity shows of citizen cid (masked), as a new object in *out.  0 or a
 * DB_* code. */
static int
identity_view(struct ctx *c, long long cid, json_t **out)
{
	struct sealed2 me;
	struct list_ctx pl = { NULL, 0 }, xl = { NULL, 1 };
	char name[64], id[32];
	json_t *identity = json_null();
	int rc;

	*out = NULL;
	memset(&me, 0, sizeof me);
	rc = db_query(c, "SELECT name_enc, idnum_enc, " RFC3339("idnum_bound_at") ","
	    " idnum_bound_how, idnum_hash FROM citizens WHERE id = ? AND idnum_hash IS NOT NULL",
	    DBARGS(DBI(cid)), sealed2_row, &me);
	if (rc < 0)
		return rc;
	if (me.found) {
		masked_pair(&me, name, sizeof name, id, sizeof id);
		json_decref(identity);
		identity = json_pack("{s:s,s:s,s:s?,s:s?}", "name", name, "id_number", id,
		    "bound_at", me.c[0] ? me.c : NULL, "how", me.d[0] ? me.d : NULL);
	}
	pl.arr = json_array();
	xl.arr = json_array();
	rc = db_query(c, "SELECT id, name_enc, idnum_enc, how, " RFC3339("created_at")
	    " FROM citizen_proxies WHERE proxy_citizen = ? AND live = 1 ORDER BY id",
	    DBARGS(DBI(cid)), rel_row, &pl);
	if (rc >= 0 && me.found)
		rc = db_query(c, "SELECT p.id, c.name_enc, c.phone_enc, p.how, "
		    RFC3339("p.created_at") " FROM citizen_proxies p"
		    " JOIN citizens c ON c.id = p.proxy_citizen"
		    " WHERE p.idnum_hash = ? AND p.live = 1 ORDER BY p.id",
		    DBARGS(DBS(me.hash)), rel_row, &xl);
	sodium_memzero(&me, sizeof me);
	if (rc < 0) {
		json_decref(identity);
		json_decref(pl.arr);
		json_decref(xl.arr);
		return rc;
	}
	*out = json_pack("{s:o,s:o,s:o,s:i}", "identity", identity, "principals", pl.arr,
	    "proxies", xl.arr, "max_principals", rn_proxy_max());
	return 0;
}

int
h_me_identity(struct req *r)
{
	json_t *out;
	long long cid;
	int rc;

	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	if ((rc = identity_view(r->ctx, cid, &out)) != 0)
		return db_fail(r, rc);
	return req_ok(r, 200, out);
}

/* ------------------------------------------------------------------ ending a relation */

/*
 * End relation id for its proxy (by_principal 0: proxy_citizen = cid) or its principal (1:
 * the relation's number is the one cid holds, idhash).  0 (*ended 1 when this call ended it,
 * 0 when it had ended already), E_NOT_FOUND (not the caller's), or a DB_* code.  The
 * statements are literals: prepared statements are cached by their text's address.
 */
static int
relation_end(struct ctx *c, int by_principal, long long cid, const char *idhash,
    long long id, int *ended)
{
	char now[32], one[4];
	uint64_t n = 0;
	int rc;

	*ended = 0;
	identity_now(now, sizeof now);
	if (by_principal)
		rc = db_exec(c, "UPDATE citizen_proxies SET revoked_at = ?,"
		    " revoked_by = 'principal' WHERE id = ? AND idnum_hash = ? AND revoked_at IS NULL",
		    DBARGS(DBS(now), DBI(id), DBS(idhash)), &n, NULL);
	else
		rc = db_exec(c, "UPDATE citizen_proxies SET revoked_at = ?,"
		    " revoked_by = 'proxy' WHERE id = ? AND proxy_citizen = ? AND revoked_at IS NULL",
		    DBARGS(DBS(now), DBI(id), DBI(cid)), &n, NULL);
	if (rc != 0)
		return rc;
	if (n > 0) {
		*ended = 1;
		return 0;
	}
	if (by_principal)
		rc = db_scalar(c, "SELECT 1 FROM citizen_proxies WHERE id = ?"
		    " AND idnum_hash = ?", DBARGS(DBI(id), DBS(idhash)), one, sizeof one);
	else
		rc = db_scalar(c, "SELECT 1 FROM citizen_proxies WHERE id = ?"
		    " AND proxy_citizen = ?", DBARGS(DBI(id), DBI(cid)), one, sizeof one);
	if (rc < 0)
		return rc;
	return rc == 0 ? E_NOT_FOUND : 0;
}

/* DELETE of relation {id} (the path) by its proxy or its principal: 204 also when it had
 * ended already. */
static int
revoke(struct req *r, int by_principal, long long cid, const char *idhash)
{
	long long id;
	char target[40];
	int rc, ended;

	if (parse_ll(r->pathv[0], 1, INT64_MAX, &id) != 0)
		return req_err_msg(r, E_NOT_FOUND, MSG_NO_RELATION);
	rc = relation_end(r->ctx, by_principal, cid, idhash, id, &ended);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc > 0)
		return req_err_msg(r, rc, MSG_NO_RELATION);
	if (ended) {
		fmt(target, sizeof target, "proxy:%lld", id);
		audit(r, "identity.proxy_end", target, "ok", by_principal ? "principal" : "proxy");
	}
	return req_ok(r, 204, NULL);
}

int
h_principal_drop(struct req *r)
{
	long long cid;
	int rc;

	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	return revoke(r, 0, cid, NULL);
}

int
h_proxy_drop(struct req *r)
{
	char mine[PII_HASH_HEX];
	long long cid;
	int rc;

	if ((rc = require_citizen(r, &cid)) != 0)
		return rc;
	rc = db_scalar(r->ctx, "SELECT idnum_hash FROM citizens WHERE id = ?"
	    " AND idnum_hash IS NOT NULL", DBARGS(DBI(cid)), mine, sizeof mine);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_err_msg(r, E_NOT_FOUND, MSG_NO_RELATION);
	return revoke(r, 1, cid, mine);
}
