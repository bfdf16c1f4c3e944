/*
 * track_cache.c — the Redis copy of a case's public tracking page (track_cache.h).
 *
 * Tables: case_tracking (read: the hashes of the case's tokens not revoked)
 * Redis:  trk:tok:<hash> → case id; {case:<id>}:trk (the page, cached), {case:<id>}:trkv
 *         (its version, bumped by track_forget)
 */
#include "track_cache.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 *   trk:tok:<hash>     the case a token belongs to (tokens never move to another case)
 *   {case:<id>}:trkv   the page's version: track_forget() bumps it once the writing
 *                      transaction has ended (case_changed, cases.h), whatever its outcome
 *   {case:<id>}:trk    {"v": version, "tokens": [the hashes not revoked], "case": {…},
 *                      "deadline", "paused"}: the page as MariaDB had it at that version
 *
 * A copy is served only when its version is the current one and the token is among its
 * tokens (revoking a token changes the case: the next copy leaves it out).  A copy is
 * written only if the version read before MariaDB was asked is still the current one, so
 * a change that commits in between is never hidden behind an older page.  The warning light
 * depends on today and is worked out at each answer.  Copies live TRACK_DOC_TTL seconds;
 * Redis away, every lookup asks MariaDB.
 */
#define TRACK_DOC_TTL 60
#define TRACK_MAP_TTL 86400
#define TRACK_VER_TTL 86400	/* longer than any copy: a version never comes round again */

static struct kv_script s_track_fill = { "track_fill",
	"if (redis.call('GET', KEYS[2]) or '') == ARGV[1] then\n"
	"  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])\n"
	"end\n"
	"return 1\n", "" };
static pthread_once_t track_once = PTHREAD_ONCE_INIT;

static void
track_scripts(void)
{
	kv_script_init(&s_track_fill);
}

void
track_forget(struct ctx *c, long long id)
{
	redisReply *rep;

	if ((rep = kv_cmd(c, "INCR {case:%lld}:trkv", id)) != NULL)
		freeReplyObject(rep);
	if ((rep = kv_cmd(c, "EXPIRE {case:%lld}:trkv %d", id, TRACK_VER_TTL)) != NULL)
		freeReplyObject(rep);
	if ((rep = kv_cmd(c, "DEL {case:%lld}:trk", id)) != NULL)
		freeReplyObject(rep);
}

json_t *
track_cached(struct ctx *c, const char *hash, struct track_probe *p)
{
	redisReply *rep;
	json_t *env = NULL, *tok;
	const char *v;
	size_t i;
	int ok = 0;

	memset(p, 0, sizeof *p);
	if ((rep = kv_cmd(c, "GET trk:tok:%s", hash)) == NULL)
		return NULL;
	p->redis_ok = 1;
	if (rep->type == REDIS_REPLY_STRING)
		parse_ll(rep->str, 1, INT64_MAX, &p->id);
	freeReplyObject(rep);
	if (p->id == 0)
		return NULL;
	if ((rep = kv_cmd(c, "MGET {case:%lld}:trk {case:%lld}:trkv", p->id, p->id)) == NULL) {
		p->redis_ok = 0;
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2) {
		if (rep->element[1]->type == REDIS_REPLY_STRING)
			str_copy(p->ver, sizeof p->ver, rep->element[1]->str);
		if (rep->element[0]->type == REDIS_REPLY_STRING)
			env = json_loadb(rep->element[0]->str, rep->element[0]->len, 0, NULL);
	}
	freeReplyObject(rep);
	v = json_string_value(json_object_get(env, "v"));
	if (v && strcmp(v, p->ver) == 0)
		json_array_foreach(json_object_get(env, "tokens"), i, tok)
			if (json_is_string(tok) && strcmp(json_string_value(tok), hash) == 0) {
				ok = 1;
				break;
			}
	if (!ok || !json_is_object(json_object_get(env, "case"))) {
		json_decref(env);
		return NULL;
	}
	return env;
}

void
track_remember(struct ctx *c, const char *hash, const struct track_probe *p, long long id,
    const char *deadline, const char *paused, json_t *o)
{
	json_t *env, *tokens;
	const char *args[5];
	char ttl[16], *text;
	redisReply *rep;

	if (!p->redis_ok)
		return;
	if (p->id != id) {	/* first sight of this token: which case is it */
		if ((rep = kv_cmd(c, "SET trk:tok:%s %lld EX %d", hash, id, TRACK_MAP_TTL)) != NULL)
			freeReplyObject(rep);
		return;
	}
	tokens = json_array();
	if (db_query(c, "SELECT token_hash FROM case_tracking WHERE case_id = ?"
	    " AND revoked_at IS NULL", DBARGS(DBI(id)), db_str_row, tokens) < 0) {
		json_decref(tokens);
		return;
	}
	env = json_pack("{s:s,s:o,s:O,s:s,s:s}", "v", p->ver, "tokens", tokens, "case", o,
	    "deadline", deadline, "paused", paused);
	text = env ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	if (text == NULL)
		return;
	{
		char kdoc[64], kver[64];

		snprintf(kdoc, sizeof kdoc, "{case:%lld}:trk", id);
		snprintf(kver, sizeof kver, "{case:%lld}:trkv", id);
		snprintf(ttl, sizeof ttl, "%d", TRACK_DOC_TTL);
		args[0] = kdoc;
		args[1] = kver;
		args[2] = p->ver;
		args[3] = text;
		args[4] = ttl;
		pthread_once(&track_once, track_scripts);
		if ((rep = kv_eval(c, &s_track_fill, 2, 5, args, NULL)) != NULL)
			freeReplyObject(rep);
	}
	free(text);
}
