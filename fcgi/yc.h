/*
 * yc.h — the request, the per-thread context and the handler contract.
 *
 * A request flows one way: the runtime parses and bounds everything into struct req, the
 * router finds the route and checks the role, the handler validates its inputs into typed
 * values, makes one module call, and sets either r->reply (success) or an error through
 * req_fail()/req_invalid().  The handler returns the HTTP status; reply_send() renders it.
 * Everything a request allocates belongs to the request and is freed once by req_free().
 */
#ifndef YC_H
#define YC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util.h"

struct FCGX_Request;
struct ctx;
struct route;

enum method {
	M_GET,
	M_POST,
	M_PUT,
	M_PATCH,
	M_DELETE,
	M_HEAD,
	M_OPTIONS,
	M__MAX
};

/* Roles, as a bit set on each route.  ROLE_ANY: no session needed. */
enum role {
	ROLE_CITIZEN = 1u << 0,
	ROLE_KIOSK = 1u << 1,
	ROLE_CLERK = 1u << 2,
	ROLE_APPROVER = 1u << 3,
	ROLE_MANAGER = 1u << 4,
	ROLE_ADMIN = 1u << 5,
	ROLE_HELPER = 1u << 6,		/* 帮办代办: files and follows cases for citizens */
	ROLE_REGION_ADMIN = 1u << 7,	/* the region's catalog (事项实施清单) and bundles */
	ROLE_CITY_MANAGER = 1u << 8,	/* reads every hall's figures of the region (市级) */
	ROLE__MAX = 9
};
#define ROLE_ANY    0u
#define ROLE_STAFF  (ROLE_CLERK | ROLE_APPROVER | ROLE_MANAGER | ROLE_ADMIN)
#define ROLE_ALL    (ROLE_CITIZEN | ROLE_KIOSK | ROLE_STAFF | ROLE_HELPER | ROLE_REGION_ADMIN | \
		     ROLE_CITY_MANAGER)

const char *role_name(unsigned role);
unsigned    role_parse(const char *s);

/* The signed-in party, filled by the session layer for routes that need one. */
struct session {
	unsigned role;			/* one ROLE_* bit, 0 when anonymous */
	char	 id[72];		/* session id (hash of the token), never the token */
	char	 subject[48];		/* citizen id or staff id */
	char	 hall[32];		/* staff and kiosks: their hall */
	int	 window;		/* clerk: the window signed in at, else 0 */
	char	 department[32];	/* approver: department code */
	char	 csrf[48];		/* expected X-CSRF-Token for cookie sessions */
	int	 via_cookie;
};

#define REQ_MAX_QUERY    32
#define REQ_MAX_COOKIES  16
#define REQ_MAX_PATHV    4
#define REQ_MAX_PATH     512
#define REQ_BODY_DEFAULT (64 * 1024)
#define REQ_ID_LEN       24

struct kv {
	const char *k;
	const char *v;
};

struct req {
	struct FCGX_Request *fx;	/* NULL when built by tests */
	struct ctx	*ctx;
	enum method	 method;
	const char	*method_str;
	char		 path[REQ_MAX_PATH];	/* decoded, below /api/v1 */
	struct kv	 query[REQ_MAX_QUERY];
	size_t		 nquery;
	struct kv	 cookies[REQ_MAX_COOKIES];
	size_t		 ncookies;
	const char	*content_type;
	const char	*authorization;
	const char	*idempotency_key;
	const char	*csrf_header;
	const char	*if_none_match;
	const char	*accept;		/* Accept header (stats: text/csv) */
	const char	*remote_addr;
	const char	*pathv[REQ_MAX_PATHV];	/* {param} values of the route pattern */
	size_t		 npathv;
	const struct route *route;
	struct session	 sess;

	char		*raw_body;	/* owned; NUL-terminated */
	size_t		 body_len;
	json_t		*body;		/* owned; a JSON object for JSON requests */

	/* The reply. */
	int		 status;
	json_t		*reply;		/* owned */
	struct buf	 raw_reply;	/* non-JSON body (SVG, PNG, CSV, HTML) */
	const char	*raw_type;
	const char	*err_code;
	char		 err_msg[256];
	json_t		*err_fields;	/* owned; field → message */
	json_t		*err_extra;	/* owned; more members of "error" */
	struct buf	 headers;	/* extra response header lines */
	char		 rid[REQ_ID_LEN + 1];	/* request id (X-Request-Id, the logs) */
	int64_t		 t_start_ms;
	int		 audited;	/* set by audit(): this request has its audit row */

	/* Arena for strings parsed out of the request. */
	char		*arena;
	size_t		 arena_len;
	size_t		 arena_cap;
};

typedef int (*handler_fn)(struct req *);

/* Route flags. */
#define RF_RAW_BODY  0x1	/* body is not JSON (uploads, provider callbacks) */
#define RF_NO_CSRF   0x2	/* provider callbacks */

struct route {
	enum method	 method;
	const char	*pattern;	/* "/halls/{hall}/categories", below /api/v1 */
	handler_fn	 fn;
	unsigned	 roles;		/* ROLE_ANY or a set of ROLE_* */
	size_t		 body_limit;	/* 0: REQ_BODY_DEFAULT */
	unsigned	 flags;
};

/* Request lifecycle (request.c). */
typedef const char *(*param_fn)(void *arg, const char *name);
void	 req_init(struct req *r, struct ctx *ctx);
/* Parse method, path, query, headers and cookies from CGI-style parameters. 0 or status. */
int	 req_parse_head(struct req *r, param_fn get, void *arg);
/* Take ownership of a body and parse JSON when the route wants JSON. 0 or status. */
int	 req_parse_body(struct req *r, char *body, size_t len, int raw);
void	 req_free(struct req *r);
char	*req_strdup(struct req *r, const char *s, size_t n);
const char *req_query(const struct req *r, const char *name);
const char *req_cookie(const struct req *r, const char *name);
/* The web server has closed the request's connection (its client went away). */
int	 req_peer_gone(const struct req *r);
int	 url_decode(char *s, size_t *len, int plus_space);

/* Replies and errors (reply.c).  The fail helpers return the status for `return`. */
int	 req_fail(struct req *r, int status, const char *code, const char *msg);
int	 req_fail_field(struct req *r, const char *field, const char *msg);
int	 req_invalid(struct req *r);	/* 400 INVALID_INPUT with the fields collected */
int	 req_unavailable(struct req *r);	/* 503 UNAVAILABLE */
int	 req_bug(struct req *r, const char *what);	/* 500, logged */
int	 req_ok(struct req *r, int status, json_t *body);	/* steals body */
void	 req_header(struct req *r, const char *name, const char *value);
void	 reply_send(struct req *r);
/* Render the reply head and body into out (used by reply_send and tests). */
int	 reply_render(struct req *r, struct buf *out);

/* Input helpers (input.c): each records a field error and returns -1, else 0. */
int	 in_str(struct req *r, json_t *obj, const char *name, int required, size_t minc,
	     size_t maxc, const char **out);
int	 in_int(struct req *r, json_t *obj, const char *name, int required, long long min,
	     long long max, long long *out);
int	 in_bool(struct req *r, json_t *obj, const char *name, int required, int *out);
int	 in_enum(struct req *r, json_t *obj, const char *name, int required,
	     const char *const *choices, int *out);
int	 q_str(struct req *r, const char *name, int required, size_t maxc, const char **out);
int	 q_int(struct req *r, const char *name, int required, long long min, long long max,
	     long long *out);
/* A query parameter that, when given, must be one of choices (NULL-terminated): its index
 * into *out (untouched when absent); otherwise the field error says msg (the choices). */
int	 q_enum(struct req *r, const char *name, const char *const *choices, const char *msg,
	     int *out);
/* A report's from and to (YYYY-MM-DD) into days, both included: either alone is that one
 * day, neither is today; to not before from, at most max_days days.  0, or -1 with the
 * fields noted (none when other fields were already in error: their 400 comes first). */
int	 q_days(struct req *r, int64_t today, int64_t max_days, int64_t *df, int64_t *dt);
int	 in_has_errors(const struct req *r);
/* in_str of obj[key] (obj NULL: absent), its errors named field ("applicant.phone"). */
int	 in_sub_str(struct req *r, json_t *obj, const char *key, const char *field,
	     int required, size_t minc, size_t maxc, const char **out);

/* Router (router.c).  The programs hand it the rooms' routes at start (programs/assembly.c). */
void	 router_set_routes(const struct route *table, size_t n);
const struct route *router_routes(size_t *n);
/* Called with every request refused 401 or 403, after its reply is set (the audit trail). */
void	 router_on_refusal(void (*fn)(struct req *));
/* Find the route for r->method and r->path. 0, 404 or 405 (and sets Allow). */
int	 router_match(struct req *r, const struct route *table, size_t n);
/* 1 when the route r matched has a pattern ending in suffix ("/retire"): one handler that
 * serves a pair of routes (retire and restore) tells them apart by it.  0 otherwise. */
int	 req_route_ends(const struct req *r, const char *suffix);
/* Run the whole request: match, authorize, handle. Returns the status. */
int	 router_dispatch(struct req *r);

#endif
