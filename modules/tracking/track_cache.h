/*
 * track_cache.h — the Redis copy of a case's public tracking page (GET /track/{token}).
 *
 * Citizens' pages poll the tracking JSON and QR codes are scanned at the counter, while a
 * case changes a few times in its life; so a lookup is answered from Redis while nothing
 * changed, and from MariaDB otherwise, with the same JSON (track_cache.c says how).
 *
 *   trk:tok:<sha256(token)>  the case a token belongs to (tokens never move to another case)
 *   {case:<id>}:trkv         the page's version, bumped by track_forget
 *   {case:<id>}:trk          the page as MariaDB had it at that version
 *
 * This file knows nothing of cases but their ids: the cases room calls case_changed
 * (cases.h) after every write a tracking page shows, which runs track_forget once the
 * transaction ends (hooked at start, programs/assembly.c); the tracking room reads and
 * fills the copy.
 */
#ifndef YC_TRACK_CACHE_H
#define YC_TRACK_CACHE_H

#include <jansson.h>

#include "../../fcgi/ctx.h"

/* Drop the cached copy of case id's page (its version bumped): the hook of case_changed. */
void	track_forget(struct ctx *c, long long id);

/* What a lookup learnt from Redis. */
struct track_probe {
	long long id;		/* the token's case, when Redis knows it */
	char	 ver[24];	/* the version before MariaDB is asked ("" none yet) */
	int	 redis_ok;
};

/*
 * The cached envelope {"v", "tokens", "case", "deadline", "paused"} of the token whose
 * SHA-256 hex is hash (owned by the caller), or NULL with p telling what is known.
 */
json_t	*track_cached(struct ctx *c, const char *hash, struct track_probe *p);
/*
 * After MariaDB answered with page o of case id (not yet sent): remember it for the next
 * lookups — the token's case at first sight, else the page, if its version is still p's.
 */
void	track_remember(struct ctx *c, const char *hash, const struct track_probe *p,
	    long long id, const char *deadline, const char *paused, json_t *o);

#endif
