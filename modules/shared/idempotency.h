/*
 * idempotency.h — the Idempotency-Key convention of API.md for any POST that creates
 * something: the same key with the same body gets the first answer again (same status, same
 * body) and nothing more happens; the same key with another body is 409 IDEMPOTENCY_MISMATCH.
 *
 * Use, in a handler, after its inputs are validated and the caller authorized:
 *
 *	struct idem im;
 *
 *	if ((rc = idem_begin(r, &im)) != 0)
 *		return rc;		// replayed, refused (409) or 503: the reply is set
 *	rc = do_the_work(r, &im);	// inside its transaction, before db_commit:
 *					//   idem_save_tx(r, &im, 201, body)
 *	idem_end(r, &im);		// always, once idem_begin returned 0
 *	return rc;
 *
 * A key belongs to the caller (session role and subject), the method and the path, so two
 * callers' keys never meet; a request without a session, or without the header, is simply
 * not idempotent.  While the first request runs, a second one with the same key waits up to
 * a few seconds for its answer, then gets 409 IDEMPOTENCY_IN_PROGRESS.
 *
 * Where answers live: Redis ("idem:<scope>", a day) for every settled answer — successes and
 * refusals (4xx) alike — and MariaDB (table idempotency_keys, written by idem_save_tx in the
 * business transaction) for successes, so a success is replayed even after Redis lost it.
 * 5xx answers are never kept: nothing happened, the client should retry.  Bodies are sealed
 * at rest in both places (answers may carry tokens).
 */
#ifndef YC_IDEMPOTENCY_H
#define YC_IDEMPOTENCY_H

#include <jansson.h>

#include "../../fcgi/yc.h"

#define IDEM_KEY_MAX 64

struct idem {
	int	 active;	/* a key was sent by a signed-in caller */
	int	 saved;		/* idem_save_tx wrote the answer in the transaction */
	char	 scope[65];	/* SHA-256 hex of caller, method, path and key */
	char	 reqhash[65];	/* SHA-256 hex of the canonical body */
};

/*
 * 0: go on and do the work (then idem_end).  Otherwise the reply is set and the status is
 * returned: the first answer replayed, 400 (a bad key), 409 IDEMPOTENCY_MISMATCH,
 * 409 IDEMPOTENCY_IN_PROGRESS or 503.
 */
int	idem_begin(struct req *r, struct idem *im);
/* Inside the transaction of the change: record the success answer.  0 or a DB_* code
 * (DB_DUP: the same key won elsewhere — roll back and call idem_replay). */
int	idem_save_tx(struct req *r, struct idem *im, int status, json_t *body);
/* After a DB_DUP from idem_save_tx (and the rollback): answer what the winner answered. */
int	idem_replay(struct req *r, struct idem *im);
/* Settle: keep the answer now on r (2xx, 4xx) or forget the key (5xx). */
void	idem_end(struct req *r, struct idem *im);

/* Worker job: forget answers older than a day (MariaDB). */
int	job_idempotency_purge(struct ctx *c);

#endif
