/*
 * qr_api.c — QR code images for everything a citizen follows by token (public).
 *
 * Routes: GET /track/{token}/qr.svg, GET /track/{token}/qr.png      → <base>/t/<token>
 *         GET /tickets/{token}/qr.svg, GET /tickets/{token}/qr.png  → <base>/q/<token>
 *         GET /appointments/{token}/qr.svg, …/qr.png                → <base>/a/<token>
 *         GET /case-notices/qr.svg?n=<token>, …/qr.png  → <base>/staff/notice.html?n=<token>
 *           (the printed 一次性告知书 / 补正告知书 again, on the applicant's phone)
 *         query: px (pixels per module, 1–20; PNG default 6, SVG default 4)
 * Tables: case_tracking (read: the token's hash, not revoked), queue_tickets (read: token),
 *         appointments (read: the token's hash, booked or checked in), case_notices (read:
 *         the token's hash)
 * Redis:  none.  Per-client rate limits on /api/v1/track/ are nginx's (zone "track").
 *
 * The JSON lookup GET /track/{token} is track_api.c; the H5 page
 * that shows it is nginx/site/t.html.
 *
 * The QR text is always the absolute URL built from public_base_url (production:
 * https://<host>), so a phone's camera opens the page directly.  An image depends only on
 * that text, the format and the module size, so it carries a strong ETag derived from them
 * and may be cached by anyone for a day; an unknown or revoked token is a 404 that says
 * nothing about why.
 */
#include "handlers.h"
#include "../cases/cases.h"
#include "qr.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"

#include <string.h>

#define TRACK_TOKEN_MAX 64

enum qr_target { QT_CASE, QT_TICKET, QT_APPOINTMENT, QT_NOTICE };

static const char *const target_path[] = { "/t/", "/q/", "/a/", NULL };

static int
not_found(struct req *r)
{
	return req_fail(r, 404, "NOT_FOUND", "未找到该记录，请核对二维码或链接");
}

/*
 * "<public_base_url><prefix><token>" without a doubled slash. 0 or -1.  A case's URL is the
 * cases module's own (case_track_abs), so the QR says exactly what the notice prints.
 */
static int
qr_url(enum qr_target t, const char *token, char *out, size_t osz)
{
	const char *base = config_get("public_base_url", "");
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (n == 0)
		return -1;
	if (t == QT_CASE) {
		case_track_abs(token, out, osz);
		return out[0] == '\0' ? -1 : 0;
	}
	if (t == QT_NOTICE) {
		char path[160];

		case_notice_url(token, path, sizeof path);
		return path[0] == '\0' || fmt(out, osz, "%.*s%s", (int)n, base, path) < 0 ? -1 : 0;
	}
	return fmt(out, osz, "%.*s%s%s", (int)n, base, target_path[t], token) < 0 ? -1 : 0;
}

/* 1 when the token names something that may show a QR code, 0 when not, or a DB_* code. */
static int
qr_token_known(struct ctx *c, enum qr_target t, const char *token)
{
	char one[4], hash[65];

	switch (t) {
	case QT_CASE:
		case_token_hash(token, hash);	/* what case_tracking keeps */
		return db_scalar(c, "SELECT 1 FROM case_tracking WHERE token_hash = ?"
		    " AND revoked_at IS NULL", DBARGS(DBS(hash)), one, sizeof one);
	case QT_TICKET:
		/* The column's collation ignores case; a token's case is part of it. */
		return db_scalar(c, "SELECT 1 FROM queue_tickets WHERE token = ? AND BINARY token = ?",
		    DBARGS(DBS(token), DBS(token)), one, sizeof one);
	case QT_NOTICE:
		case_token_hash(token, hash);
		return db_scalar(c, "SELECT 1 FROM case_notices WHERE token_hash = ?",
		    DBARGS(DBS(hash)), one, sizeof one);
	case QT_APPOINTMENT:
		/* Only a live booking has anything to check in with. */
		hex_sha256(token, strlen(token), hash);	/* what appointments keep */
		return db_scalar(c, "SELECT 1 FROM appointments WHERE token_hash = ?"
		    " AND status IN ('booked', 'checked_in')", DBARGS(DBS(hash)), one, sizeof one);
	}
	return 0;
}

/*
 * The one flow of every QR route: validate, check the token, answer 304 when the client
 * holds this very image, else render it.
 */
static int
qr_reply(struct req *r, enum qr_target t, enum qr_format f)
{
	const char *token = NULL;
	char url[QR_TEXT_MAX + 1], etag[QR_ETAG_SIZE];
	long long px = f == QR_PNG ? QR_PX_DEFAULT : 4;
	int rc;

	/* Notices keep their token in the query, like GET /case-notices?n= (out of the logs). */
	if (t == QT_NOTICE)
		q_str(r, "n", 1, 128, &token);
	else
		token = r->pathv[0];
	q_int(r, "px", 0, QR_PX_MIN, QR_PX_MAX, &px);
	if (in_has_errors(r))
		return req_invalid(r);
	/* A malformed token is just one we do not know: no hint of what a good one looks like. */
	if (!token_ok(token, TRACK_TOKEN_MAX))
		return not_found(r);
	rc = qr_token_known(r->ctx, t, token);
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return not_found(r);
	if (qr_url(t, token, url, sizeof url) != 0)
		return req_bug(r, "public_base_url is not set");

	qr_etag(f, url, (int)px, etag);
	if (qr_etag_match(r->if_none_match, etag)) {
		r->status = 304;
	} else {
		if (qr_render(f, url, (int)px, &r->raw_reply) != 0)
			return req_bug(r, "QR rendering failed");
		r->raw_type = f == QR_PNG ? "image/png" : "image/svg+xml";
		r->status = 200;
	}
	req_header(r, "ETag", etag);
	req_header(r, "Cache-Control", "public, max-age=86400");
	return r->status;
}

/* Which token each route's pattern starts with (the format is its ending: qr.svg, qr.png). */
static const struct {
	const char	*prefix;
	enum qr_target	 t;
} qr_routes[] = {
	{ "/track/", QT_CASE }, { "/tickets/", QT_TICKET },
	{ "/appointments/", QT_APPOINTMENT }, { "/case-notices/", QT_NOTICE },
};

/* Every QR route of routes.c: the target and format its pattern names. */
int
h_qr(struct req *r)
{
	const char *p = r->route->pattern;
	size_t i, n = strlen(p);
	enum qr_format f = n > 4 && strcmp(p + n - 4, ".png") == 0 ? QR_PNG : QR_SVG;

	for (i = 0; i < NELEM(qr_routes); i++)
		if (strncmp(p, qr_routes[i].prefix, strlen(qr_routes[i].prefix)) == 0)
			return qr_reply(r, qr_routes[i].t, f);
	return req_bug(r, "a QR route of no known target");
}
