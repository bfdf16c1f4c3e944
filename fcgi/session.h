/*
 * session.h — bearer-token sessions kept in Redis.
 *
 * The token (256 random bits, base64url) is given to the client once; Redis stores only its
 * SHA-256 under sess:<hex>, as a hash with the session fields and an idle expiry that each
 * use renews.  API clients send "Authorization: Bearer <token>"; the H5 site may use the
 * yc_session HttpOnly cookie, and then unsafe methods must carry X-CSRF-Token.
 */
#ifndef YC_SESSION_H
#define YC_SESSION_H

#include "yc.h"

#define SESSION_COOKIE "yc_session"
#define SESSION_TOKEN_MAX 64

/* Create a session; writes the token (≥ 44 bytes) and s->csrf/s->id.  0, or -1 if Redis is down. */
int	session_create(struct ctx *c, struct session *s, int idle_seconds, char *token,
	    size_t tsz);
/* Resolve r's token into r->sess.  0 ok, 401 no/unknown token, 503 Redis down. */
int	session_load(struct req *r);
/* Kill the session of r (logout). 0 or -1. */
int	session_destroy(struct req *r);
/* Kill every session of a subject (password reset, lock). */
void	session_hash(const char *token, char out[65]);

#endif
