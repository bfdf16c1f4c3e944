/*
 * realname.h — 实名，一证一号: an ID number belongs to one citizen account, and other
 * accounts act for it only through a registered proxy relation (亲友代办).
 *
 * The rule, for every place where a citizen gives an ID number on someone's behalf (a booking,
 * an online application): the first use of a number binds it and its name to the account;
 * afterwards only that account, or an account with a live proxy relation for the number,
 * may use it, and only with the name registered with it.  An account that holds an ID number
 * of its own uses another only through a proxy relation.
 *
 *	struct rn_use u;
 *
 *	if ((rc = realname_check(r, cid, name, idnum, "name", "id_number", &u)) != 0)
 *		return rc;			// 400 / 409 / 503 set on r
 *	… in the transaction that records the use:
 *	rc = realname_bind_tx(r, cid, name, idnum, &u);
 *	if (rc == RN_LOST) { rollback; give back what was taken;
 *		return realname_refusal(r, cid, name, idnum, "name", "id_number"); }
 *
 * Clerk window acceptance is not a citizen account and is not bound this way.
 */
#ifndef YC_REALNAME_H
#define YC_REALNAME_H

#include "../../fcgi/yc.h"
#include "../shared/pii.h"

#define RN_LOST 1	/* realname_bind_tx: another account (or number) won the race */

/* How a citizen's use of an ID number stands. */
struct rn_use {
	char		 idhash[PII_HASH_HEX];	/* keyed hash ("idnum") of the ID number */
	long long	 proxy_id;		/* > 0: through this proxy relation */
	int		 bind;			/* the first use: bind it with the record */
};

/* A real name as on the ID card: 2–30 characters; letters, Chinese, "·", "." and inner
 * spaces, no digits or other punctuation. */
int	realname_name_ok(const char *name);

/*
 * May the signed-in citizen cid use this ID number (valid per idnum_ok) with this name?
 * 0: yes, and *u says how (own, first use, or through a proxy relation).  Otherwise the
 * refusal is set on r and its status returned: 400 INVALID_INPUT naming name_field (not the
 * name registered with the number), 409 ID_BOUND_ELSEWHERE (another account holds it),
 * 409 PROXY_REQUIRED (the caller holds another ID number and has no relation for this one),
 * 503.  The 409s name id_field in "fields".
 */
int	realname_check(struct req *r, long long cid, const char *name, const char *idnum,
	    const char *name_field, const char *id_field, struct rn_use *u);
/* In the caller's transaction: bind when u->bind (else nothing), with its audit row.  0 bound
 * (or already the caller's), RN_LOST, or a DB_* code.  On RN_LOST roll back and answer
 * realname_refusal. */
int	realname_bind_tx(struct req *r, long long cid, const char *name, const char *idnum,
	    const struct rn_use *u);
/* The refusal as things stand after a lost race (the transaction rolled back): 400 or 409
 * as realname_check, or 503 with Retry-After when nothing is left to refuse. */
int	realname_refusal(struct req *r, long long cid, const char *name, const char *idnum,
	    const char *name_field, const char *id_field);

/*
 * After a clerk rebinds an ID number (POST /identity-bindings/rebind) to the account holder:
 * the hook cancels the live bookings another account made for that number as its own, so
 * they give their places back (*cancelled gets the count); 0, or -1 when one could not be
 * cancelled now (then the rebind answers 503, and repeating it finishes the job).  The
 * appointments room sets it at start (programs/assembly.c, appt_cancel_identity); unset,
 * nothing is cancelled.
 */
typedef int (*realname_rebind_fn)(struct req *r, const char *idhash, long long holder,
    int *cancelled);
void	realname_on_rebind(realname_rebind_fn fn);

#endif
