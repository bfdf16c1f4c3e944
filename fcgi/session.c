/*
 * session.c — bearer-token sessions in Redis (see session.h).
 *
 * Keys: sess:<sha256(token) hex> → hash {role, subject, hall, window, dept, csrf, idle, seen}.
 *
 * The idle timeout slides: a use renews the key's expiry.  Not on every request, which would
 * be a second round trip to Redis each time, but when the last renewal ("seen", real Unix
 * seconds) is older than a tenth of the idle time (at most a minute): a session ends
 * between idle - 60 s and idle after its last use.
 */
#include "session.h"
#include "kv.h"
#include "log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The roles a session holds (yc.h ROLE_*), by the names sessions store and the API shows. */
static const char *const role_names[ROLE__MAX] = {
	"citizen", "kiosk", "clerk", "approver", "manager", "admin", "helper", "region_admin",
	"city_manager"
};

const char *
role_name(unsigned role)
{
	int i;

	for (i = 0; i < ROLE__MAX; i++)
		if (role == (1u << i))
			return role_names[i];
	return "";
}

unsigned
role_parse(const char *s)
{
	int i;

	for (i = 0; i < ROLE__MAX; i++)
		if (strcmp(s, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

void
session_hash(const char *token, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)token, strlen(token));
	hex_encode(out, d, sizeof d);
}

int
session_create(struct ctx *c, struct session *s, int idle_seconds, char *token, size_t tsz)
{
	char h[65], key[80], win[16], idle[16];
	redisReply *rep;

	if (token_new(token, tsz, 32) != 0 || token_new(s->csrf, sizeof s->csrf, 24) != 0)
		return -1;
	session_hash(token, h);
	str_copy(s->id, sizeof s->id, h);
	snprintf(key, sizeof key, "sess:%s", h);
	snprintf(win, sizeof win, "%d", s->window);
	snprintf(idle, sizeof idle, "%d", idle_seconds);
	rep = kv_cmd(c, "HSET %s role %s subject %s hall %s window %s dept %s csrf %s idle %s"
	    " seen %lld", key, role_name(s->role), s->subject, s->hall, win, s->department,
	    s->csrf, idle, (long long)time(NULL));
	if (rep == NULL || rep->type == REDIS_REPLY_ERROR) {
		if (rep)
			freeReplyObject(rep);
		return -1;
	}
	freeReplyObject(rep);
	if ((rep = kv_cmd(c, "EXPIRE %s %s", key, idle)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}

static const char *
bearer(const struct req *r, int *via_cookie)
{
	const char *a = r->authorization;

	*via_cookie = 0;
	if (a && strncmp(a, "Bearer ", 7) == 0)
		return a + 7;
	if (a)
		return "";	/* some other scheme: treated as a bad token */
	if ((a = req_cookie(r, SESSION_COOKIE)) != NULL) {
		*via_cookie = 1;
		return a;
	}
	return NULL;
}

int
session_load(struct req *r)
{
	const char *tok;
	char h[65], key[80];
	redisReply *rep;
	long long idle = 0, w = 0, seen = 0, now, gap;
	size_t i;
	int via_cookie;

	if ((tok = bearer(r, &via_cookie)) == NULL)
		return req_fail(r, 401, "UNAUTHENTICATED", "请先登录");
	if (!token_ok(tok, SESSION_TOKEN_MAX))
		return req_fail(r, 401, "UNAUTHENTICATED", "登录已失效，请重新登录");
	session_hash(tok, h);
	snprintf(key, sizeof key, "sess:%s", h);
	rep = kv_cmd(r->ctx, "HGETALL %s", key);
	if (rep == NULL)
		return req_unavailable(r);
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements == 0) {
		freeReplyObject(rep);
		return req_fail(r, 401, "UNAUTHENTICATED", "登录已失效，请重新登录");
	}
	memset(&r->sess, 0, sizeof r->sess);
	str_copy(r->sess.id, sizeof r->sess.id, h);
	r->sess.via_cookie = via_cookie;
	for (i = 0; i + 1 < rep->elements; i += 2) {
		const char *f = rep->element[i]->str, *v = rep->element[i + 1]->str;

		if (f == NULL || v == NULL)
			continue;
		if (strcmp(f, "role") == 0)
			r->sess.role = role_parse(v);
		else if (strcmp(f, "subject") == 0)
			str_copy(r->sess.subject, sizeof r->sess.subject, v);
		else if (strcmp(f, "hall") == 0)
			str_copy(r->sess.hall, sizeof r->sess.hall, v);
		else if (strcmp(f, "window") == 0 && parse_ll(v, 0, 9999, &w) == 0)
			r->sess.window = (int)w;
		else if (strcmp(f, "dept") == 0)
			str_copy(r->sess.department, sizeof r->sess.department, v);
		else if (strcmp(f, "csrf") == 0)
			str_copy(r->sess.csrf, sizeof r->sess.csrf, v);
		else if (strcmp(f, "idle") == 0)
			parse_ll(v, 1, 86400 * 90, &idle);
		else if (strcmp(f, "seen") == 0)
			parse_ll(v, 0, INT64_MAX, &seen);
	}
	freeReplyObject(rep);
	if (r->sess.role == 0)
		return req_fail(r, 401, "UNAUTHENTICATED", "登录已失效，请重新登录");
	now = (long long)time(NULL);
	gap = idle / 10 < 60 ? idle / 10 : 60;
	if (idle > 0 && (now - seen >= gap || seen > now)) {
		/* Sliding idle timeout (see the top of this file). */
		rep = kv_cmd(r->ctx, "HSET %s seen %lld", key, now);
		if (rep)
			freeReplyObject(rep);
		rep = kv_cmd(r->ctx, "EXPIRE %s %lld", key, idle);	/* after: never a key without */
		if (rep)
			freeReplyObject(rep);
	}
	return 0;
}

int
session_destroy(struct req *r)
{
	char key[80];
	redisReply *rep;

	if (r->sess.id[0] == '\0')
		return -1;
	snprintf(key, sizeof key, "sess:%s", r->sess.id);
	if ((rep = kv_cmd(r->ctx, "DEL %s", key)) == NULL)
		return -1;
	freeReplyObject(rep);
	return 0;
}
