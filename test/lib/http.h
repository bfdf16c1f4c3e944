/*
 * http.h — the integration tests' client: real HTTP through libcurl to the test stack's
 * nginx (YICHUANG_BASE_URL), JSON through jansson.  Like kcgi's regress/ programs: each
 * test says what a client sends and what it must get back.
 */
#ifndef YC_TEST_HTTP_H
#define YC_TEST_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct resp {
	long	 status;
	char	*body;
	size_t	 len;
	char	 headers[8192];
	json_t	*json;		/* parsed body when it is JSON, else NULL */
};

const char *base_url(void);
/* Milliseconds on the monotonic clock, for timing what a client waits. */
int64_t	 now_ms(void);
/* method, path (below the site root, e.g. "/api/v1/health"), optional body and headers
 * (NULL-terminated "Name: value" list).  Returns 0 when a reply came back. */
int	 http(struct resp *out, const char *method, const char *path, const char *body,
	     const char *const *headers);
/* The same with a body of blen bytes (binary: an upload) and no limit on the path's length. */
int	 http_bin(struct resp *out, const char *method, const char *path, const void *body,
	     size_t blen, const char *const *headers);
/* A curl handle for one request whose reply goes into r (zeroed): method, url, the
 * callbacks below, timeout in seconds.  NULL when curl cannot make one. */
void	*http_handle(struct resp *r, const char *method, const char *url, long timeout);
/* The headers http_json sends: a bearer token (NULL: none) written into auth (256 bytes),
 * a JSON content type when there is a body; h (room for 4) NULL-terminated. */
void	 http_json_headers(const char *h[4], char auth[256], const char *token,
	     const char *body);
/* The same with an Idempotency-Key of its own ("<tag>-<time>-<pid>": new each run) written
 * into key (80 bytes), for a POST with a JSON body sent again on purpose. */
void	 http_idem_headers(const char *h[4], char auth[256], char key[80], const char *token,
	     const char *tag);
/* libcurl callbacks that gather a reply's body and headers into a struct resp, for tests
 * that drive a curl handle of their own (another host, TLS, a unix socket). */
size_t	 http_on_body(char *p, size_t sz, size_t n, void *arg);
size_t	 http_on_header(char *p, size_t sz, size_t n, void *arg);
/* Send this thread's requests from another local address, as another client would (the
 * whole of 127/8 is this machine: "127.0.0.2"); NULL goes back to the default. */
void	 http_source(const char *addr);
/* Shorthands with a bearer token (may be NULL). */
int	 http_json(struct resp *out, const char *method, const char *path, const char *token,
	     const char *body);
/* http_json from another local address (NULL: the default), as another client would. */
int	 http_from(struct resp *out, const char *from, const char *method, const char *path,
	     const char *token, const char *body);
void	 resp_free(struct resp *r);
/* Dotted lookup: "error.code", "halls.0.name". */
json_t	*jget(json_t *root, const char *path);
const char *jstr(json_t *root, const char *path);
long long jint(json_t *root, const char *path);
/* The first object of the array arr whose member key is the string val; NULL when none. */
json_t	*jfind(json_t *arr, const char *key, const char *val);
/* Value of a response header (case-insensitive), copied into out; NULL when absent. */
const char *resp_header(const struct resp *r, const char *name, char *out, size_t osz);
/* Run ops/stack.sh VERB on the test instance (e.g. "redis-stop"). Exit status. */
int	 stack(const char *verb);
/* Move the test stack's hall clock to an RFC 3339 instant (it runs on from there);
 * NULL puts it back where the stack started it. 0 or -1. */
int	 set_clock(const char *when);
/* Lines of the instance's app log (var/<instance>/log/app.log) that contain text. */
long	 app_log_count(const char *text);
/* Lines of the file at path (a server's log) that contain text; 0 when it cannot be read. */
long	 file_lines_with(const char *path, const char *text);
/* Sign in a staff member of the demo hall / of hall (password yichuang-demo), at a window
 * when > 0; returns a token in out. 0 or -1. */
int	 staff_login(const char *user, int window, char *out, size_t osz);
int	 staff_login_at(const char *hall, const char *user, int window, char *out, size_t osz);

/* Citizens (identity).  citizen_login signs a citizen in by SMS the way a phone does: asks
 * for a code (POST /auth/sms-code), waits for the worker to deliver it to the SMS log, and
 * signs in (POST /auth/sms-login).  The same phone again in the same process returns the
 * earlier token while it is alive; when the per-phone send limits (1 a minute, 5 an hour,
 * 10 a day) refuse, it clears them first — the test stack's Redis, never a real one.
 * Each phone is its own citizen: use different phones for "another citizen". 0 or -1. */
int	 citizen_login(const char *phone, char *token, size_t tsz);
/* The newest login code sent to phone in the SMS log after byte offset since (see
 * sms_log_size), waiting up to 15 s for the worker.  0 or -1. */
int	 sms_code_wait(const char *phone, long since, char *code, size_t csz);
/* Current size of var/<instance>/sms.log (0 when absent). */
long	 sms_log_size(void);
/* Load var/<instance>/yichuang.conf and the data key into this process, for tests that look
 * at Redis or MariaDB themselves (kv.h, db.h with a ctx of their own).  0 or -1. */
int	 test_conf_load(void);
/* Forget the phone's SMS send limits in the test stack's Redis. 0 or -1. */
int	 sms_limits_reset(const char *phone);

/* SMS log (notify).  With sms_provider = log (the default) the worker appends one JSON line
 * per message to var/<instance>/sms.log, in this order:
 *   {"id":42,"phone":"13800138000","template":"login_code","params":{"code":"123456"},
 *    "text":"【一窗政务】您的登录验证码为123456，5分钟内有效。如非本人操作，请忽略本短信。"}
 * id is the outbox row id; params are the template variables as queued; text is the whole
 * message with its 【signature】.  WeChat rows (when no wechat_base_url is configured) have
 * "openid" instead of "phone" and "channel":"wechat".
 * sms_log_find waits up to timeout_ms for a line for phone and template (NULL: any) and
 * gives the newest one's params (a new reference; may be NULL).  0 found, -1 not. */
int	 sms_log_find(const char *phone, const char *template, json_t **out_params,
	     int timeout_ms);
/* The same over lines written after byte offset since (sms_log_size() before the action),
 * giving the whole line (a new reference).  0 or -1. */
int	 sms_log_find_since(long since, const char *phone, const char *template,
	     json_t **out_line, int timeout_ms);

#endif
