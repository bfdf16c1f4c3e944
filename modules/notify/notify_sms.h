/*
 * notify_sms.h — the delivery channels behind one interface (used by notify.c):
 * sms_log.c (local file), sms_aliyun.c, sms_tencent.c, notify_wechat.c, and the
 * HTTP client settings and signatures they share (sms_http.c, sms_sign.c).
 *
 * A send never blocks longer than config sms_timeout_ms (default 5000) and classifies its
 * result: SEND_OK (the provider accepted the message; msg_id is its id), SEND_RETRY (may
 * succeed later: network, 5xx, throttling, the provider's own transient codes), SEND_FAIL
 * (permanent for this message: code says why).  `unreachable` marks failures that say
 * nothing about the message but about the provider (network, 5xx): the worker then pauses
 * that channel instead of burning every queued row's attempts.
 */
#ifndef YC_NOTIFY_SMS_H
#define YC_NOTIFY_SMS_H

#include <stddef.h>
#include <stdint.h>

#include "notify.h"
#include "../../fcgi/http_client.h"
#include "../../fcgi/util.h"

enum send_outcome { SEND_OK = 0, SEND_RETRY = 1, SEND_FAIL = 2 };

struct send_result {
	enum send_outcome outcome;
	int	 unreachable;
	char	 code[64];	/* provider code, NETWORK, HTTP_500 … (never personal data) */
	char	 msg_id[128];	/* BizId / SerialNo / msgid */
};

struct sms_out {
	uint64_t		 id;		/* outbox row id: the dedup id at the provider */
	const char		*to;		/* phone, or openid for WeChat */
	const struct tmpl	*t;
	json_t			*params;	/* as queued */
	const struct rendered	*r;		/* rendered for this provider */
};

void	sms_log_send(const struct sms_out *m, const char *channel, struct send_result *res);
void	sms_aliyun_send(const struct sms_out *m, struct send_result *res);
void	sms_tencent_send(const struct sms_out *m, struct send_result *res);
/* WeChat subscribe message; needs Redis for the cached access token. */
struct ctx;
void	wechat_send(struct ctx *c, const struct sms_out *m, struct send_result *res);

/* ------------------------------------------------------------------ HTTP (sms_http.c) */

/* POST body to url with the given "Name: value" headers (NULL-terminated), within
 * sms_timeout_ms, taking at most 256 KiB of reply.  Returns 0 when an HTTP reply came back
 * (any status), -1 otherwise (network, or a reply too large: reply->reason says which).
 * reply->body must be freed with buf_free. */
int	sms_http_post(const char *url, const char *const *headers, const char *body,
	    size_t len, struct http_reply *reply);
/* No reply came (network, or a reply too large): the message is retried later and the
 * channel counts as unreachable (code NETWORK; the reason logged under who). */
void	sms_no_reply(const char *who, const struct http_reply *rep, struct send_result *res);
/* A reply the channel cannot read, of HTTP status: a 2xx may have been sent, so it is tried
 * again (at worst a duplicate with the same message id); anything else fails.  Code
 * HTTP_<status>. */
void	sms_unreadable(long status, struct send_result *res);
/* The provider is busy (a 5xx, or a rate limit it gave no code for): tried again later, the
 * channel counting as unreachable on a 5xx.  Code HTTP_<status>. */
void	sms_busy(long status, struct send_result *res);
/* The provider took the message under its id (NULL: it gave none). */
void	sms_sent(const char *msg_id, struct send_result *res);
/* The provider refused the message with its code: tried again later when the code is
 * transient (the provider's own list), failed otherwise. */
void	sms_refused(const char *code, int transient, struct send_result *res);
/* Real UTC time for provider protocols (signatures must be within minutes of the real
 * clock, whatever the hall clock says): "2017-07-12T02:42:19Z" and "2019-02-25". */
void	utc_iso8601(int64_t t, char *out, size_t osz);
void	utc_date(int64_t t, char *out, size_t osz);

/* Aliyun RPC signature (SignatureVersion 1.0, HMAC-SHA1): over the n parameters (any
 * order; "Signature" itself must not be among them) for method "GET" or "POST".  Writes
 * the base64 signature into sig.  With query non-NULL, also appends the canonical query
 * followed by &Signature=… (ready to send).  0 or -1. */
int	aliyun_sign(const char *method, const char *const *keys, const char *const *vals,
	    size_t n, const char *secret, char *sig, size_t sigsz, struct buf *query);

/* Tencent Cloud API 3.0 TC3-HMAC-SHA256 Authorization header value for a POST to host
 * with content type ct and payload, at timestamp (seconds, UTC), for service (e.g.
 * "sms").  Signed headers: content-type;host.  0 or -1. */
int	tc3_authorization(const char *secret_id, const char *secret_key, const char *service,
	    const char *host, const char *ct, const char *payload, size_t plen,
	    int64_t timestamp, char *out, size_t osz);

#endif
