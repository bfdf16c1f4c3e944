/*
 * idempotency.c — Idempotency-Key replay for POST routes (see idempotency.h).
 *
 * Routes: none of its own; used by POST /appointments and the appointment actions, and open
 *         to every POST that creates something.
 * Redis:  idem:<scope> hash {s: P (running) | D (done), h: request hash, c: status,
 *         b: sealed body}; P lives 30 s, D a day.
 * Tables: idempotency_keys (successes, written in the caller's transaction).
 *
 * The sealing key is derived from the instance key file (crypto_kdf subkey 3, context
 * "yc-idem_"), independent of the keys pii.c derives for personal data.
 */
#include "idempotency.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/keyfile.h"
#include "../../fcgi/db.h"
#include "../../fcgi/kv.h"
#include "../../fcgi/log.h"
#include "../../fcgi/errors.h"
#include "../rooms.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IDEM_PENDING_MS   30000
#define IDEM_DONE_MS      (24LL * 3600 * 1000)
#define IDEM_WAIT_STEPS   50		/* × 100 ms for a running twin */
#define IDEM_BODY_MAX     (256 * 1024)

static unsigned char idem_key[crypto_secretbox_KEYBYTES];
static int idem_key_ok;
static pthread_once_t idem_once = PTHREAD_ONCE_INIT;

static void
idem_key_init(void)
{
	unsigned char master[KEYFILE_BYTES];
	int rc = keyfile_load(config_get("key_file", ""), master);

	if (rc == KEYFILE_OK) {
		crypto_kdf_derive_from_key(idem_key, sizeof idem_key, 3, "yc-idem_", master);
		idem_key_ok = 1;
	} else if (rc == KEYFILE_UNREADABLE)
		log_err("key_file cannot be read: idempotent replies are not kept");
	else
		log_err("key_file is not %d bytes of hex", KEYFILE_BYTES);
	sodium_memzero(master, sizeof master);
}

/* Seal text into a new buffer (*out, caller frees). 0 or -1. */
static int
seal(const char *text, size_t n, unsigned char **out, size_t *olen)
{
	size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *b;

	pthread_once(&idem_once, idem_key_init);
	if (!idem_key_ok || n > IDEM_BODY_MAX || (b = malloc(len)) == NULL)
		return -1;
	randombytes_buf(b, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(b + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, n, b,
	    idem_key);
	*out = b;
	*olen = len;
	return 0;
}

/* Open a sealed body into a new NUL-terminated string (caller frees). NULL on failure. */
static char *
unseal(const unsigned char *in, size_t n)
{
	size_t plen;
	char *out;

	pthread_once(&idem_once, idem_key_init);
	if (!idem_key_ok || n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return NULL;
	plen = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if ((out = malloc(plen + 1)) == NULL)
		return NULL;
	if (crypto_secretbox_open_easy((unsigned char *)out, in + crypto_secretbox_NONCEBYTES,
	    n - crypto_secretbox_NONCEBYTES, in, idem_key) != 0) {
		free(out);
		return NULL;
	}
	out[plen] = '\0';
	return out;
}

/* Start, or see how an earlier request with the key went: {"GO"} or {s, h, c, b}. */
static struct kv_script s_begin = { "idem_begin",
	"local v = redis.call('HMGET', KEYS[1], 's', 'h', 'c', 'b')\n"
	"if not v[1] then\n"
	"  redis.call('HSET', KEYS[1], 's', 'P', 'h', ARGV[1])\n"
	"  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
	"  return {'GO'}\n"
	"end\n"
	"return {v[1], v[2] or '', v[3] or '', v[4] or ''}\n", "" };

/* Keep the answer, unless another request (another body) owns the key by now. */
static struct kv_script s_settle = { "idem_settle",
	"local v = redis.call('HMGET', KEYS[1], 's', 'h')\n"
	"if v[1] == 'D' then return 0 end\n"
	"if v[1] and v[2] ~= ARGV[1] then return 0 end\n"
	"redis.call('HSET', KEYS[1], 's', 'D', 'h', ARGV[1], 'c', ARGV[2], 'b', ARGV[3])\n"
	"redis.call('PEXPIRE', KEYS[1], ARGV[4])\n"
	"return 1\n", "" };

/* Forget a running key of ours (the request failed: it may be tried again). */
static struct kv_script s_forget = { "idem_forget",
	"local v = redis.call('HMGET', KEYS[1], 's', 'h')\n"
	"if v[1] == 'P' and v[2] == ARGV[1] then redis.call('DEL', KEYS[1]) end\n"
	"return 0\n", "" };

static pthread_once_t scripts_once = PTHREAD_ONCE_INIT;

static void
scripts_init(void)
{
	kv_script_init(&s_begin);
	kv_script_init(&s_settle);
	kv_script_init(&s_forget);
}

static void
rkey(const struct idem *im, char out[80])
{
	snprintf(out, 80, "idem:%s", im->scope);
}

static int
key_ok(const char *k)
{
	size_t i, n = strlen(k);

	if (n < 1 || n > IDEM_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

static int
mismatch(struct req *r)
{
	return req_err_msg(r, E_IDEMPOTENCY_MISMATCH,
	    "该请求编号已用于另一份内容不同的请求，请刷新页面后重新提交");
}

/* Answer with a kept reply (status + JSON text, "" for none). */
static int
replay(struct req *r, long long status, const char *text)
{
	json_t *body = NULL;

	if (text[0] != '\0' && (body = json_loads(text, 0, NULL)) == NULL)
		return req_bug(r, "kept idempotent reply is not JSON");
	req_header(r, "Idempotent-Replayed", "true");
	return req_ok(r, (int)status, body);
}

/* Cache a settled answer in Redis (best effort: MariaDB has the successes). */
static void
settle(struct req *r, struct idem *im, int status, const char *text)
{
	unsigned char *sealed;
	size_t slen;
	char key[80], st[16], ttl[24];
	const char *args[5];
	size_t lens[5];
	redisReply *rep;

	if (seal(text, strlen(text), &sealed, &slen) != 0)
		return;
	rkey(im, key);
	snprintf(st, sizeof st, "%d", status);
	snprintf(ttl, sizeof ttl, "%lld", IDEM_DONE_MS);
	args[0] = key;
	args[1] = im->reqhash;
	args[2] = st;
	args[3] = (const char *)sealed;
	args[4] = ttl;
	lens[0] = strlen(key);
	lens[1] = strlen(im->reqhash);
	lens[2] = strlen(st);
	lens[3] = slen;
	lens[4] = strlen(ttl);
	if ((rep = kv_eval(r->ctx, &s_settle, 1, 5, args, lens)) != NULL)
		freeReplyObject(rep);
	free(sealed);
}

struct kept {
	int	 found;
	char	 hash[65];
	long long status;
	unsigned char *body;
	size_t	 blen;
};

static int
kept_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct kept *k = arg;

	(void)ncol;
	k->found = 1;
	str_copy(k->hash, sizeof k->hash, v[0]);
	parse_ll(v[1], 100, 599, &k->status);
	if ((k->body = malloc(lens[2] ? lens[2] : 1)) != NULL) {
		memcpy(k->body, v[2], lens[2]);
		k->blen = lens[2];
	}
	return 1;
}

/* Look the key up in MariaDB.  1 answered (replay or mismatch set on r), 0 not kept,
 * or a DB_* code. */
static int
from_db(struct req *r, struct idem *im)
{
	struct kept k;
	char *text;
	int rc;

	memset(&k, 0, sizeof k);
	rc = db_query(r->ctx, "SELECT request_hash, status, body_enc FROM idempotency_keys"
	    " WHERE scope = ?", DBARGS(DBS(im->scope)), kept_row, &k);
	if (rc < 0 || !k.found) {
		free(k.body);
		return rc < 0 ? rc : 0;
	}
	if (strcmp(k.hash, im->reqhash) != 0) {
		free(k.body);
		mismatch(r);
		return 1;
	}
	text = k.body ? unseal(k.body, k.blen) : NULL;
	free(k.body);
	if (text == NULL) {
		req_bug(r, "kept idempotent reply does not open");
		return 1;
	}
	settle(r, im, (int)k.status, text);
	replay(r, k.status, text);
	free(text);
	return 1;
}

int
idem_begin(struct req *r, struct idem *im)
{
	char key[80], pend[24], *canon, *material;
	const char *args[3];
	size_t lens[3];
	int i, rc;

	memset(im, 0, sizeof *im);
	if (r->idempotency_key == NULL)
		return 0;
	if (!key_ok(r->idempotency_key)) {
		req_fail_field(r, "Idempotency-Key", "须为 1–64 个可见字符");
		return req_invalid(r);
	}
	if (r->sess.role == 0 || r->sess.subject[0] == '\0')
		return 0;	/* nobody to scope the key to: not idempotent */
	pthread_once(&scripts_once, scripts_init);

	if (asprintf(&material, "%s\n%s\n%s\n%s\n%s", role_name(r->sess.role), r->sess.subject,
	    r->method_str ? r->method_str : "", r->path, r->idempotency_key) < 0)
		return req_bug(r, "out of memory");
	hex_sha256(material, strlen(material), im->scope);
	free(material);
	if (r->body)
		canon = json_dumps(r->body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	else
		canon = strdup(r->raw_body ? r->raw_body : "");
	if (canon == NULL)
		return req_bug(r, "out of memory");
	hex_sha256(canon, strlen(canon), im->reqhash);
	free(canon);

	rkey(im, key);
	snprintf(pend, sizeof pend, "%d", IDEM_PENDING_MS);
	args[0] = key;
	args[1] = im->reqhash;
	args[2] = pend;
	for (i = 0; i < 3; i++)
		lens[i] = strlen(args[i]);
	for (i = 0; i < IDEM_WAIT_STEPS; i++) {
		redisReply *rep = kv_eval(r->ctx, &s_begin, 1, 3, args, lens);
		const char *s;

		if (rep == NULL)
			return req_unavailable(r);
		if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 1 ||
		    rep->element[0]->type != REDIS_REPLY_STRING) {
			freeReplyObject(rep);
			return req_bug(r, "idem_begin script");
		}
		s = rep->element[0]->str;
		if (strcmp(s, "GO") == 0) {
			freeReplyObject(rep);
			/* Redis may have lost a success that MariaDB kept. */
			if ((rc = from_db(r, im)) != 0) {
				if ((rep = kv_eval(r->ctx, &s_forget, 1, 2, args, lens)) != NULL)
					freeReplyObject(rep);
				return rc < 0 ? db_fail(r, rc) : r->status;
			}
			im->active = 1;
			return 0;
		}
		if (rep->elements < 4) {
			freeReplyObject(rep);
			return req_bug(r, "idem_begin script");
		}
		if (strcmp(rep->element[1]->str, im->reqhash) != 0) {
			freeReplyObject(rep);
			return mismatch(r);
		}
		if (strcmp(s, "D") == 0) {
			long long st = 0;
			char *text = unseal((const unsigned char *)rep->element[3]->str,
			    rep->element[3]->len);

			parse_ll(rep->element[2]->str, 100, 599, &st);
			freeReplyObject(rep);
			if (text == NULL || st == 0) {
				free(text);
				return req_bug(r, "kept idempotent reply does not open");
			}
			rc = replay(r, st, text);
			free(text);
			return rc;
		}
		/* The same request is running: wait for its answer. */
		freeReplyObject(rep);
		{
			struct timespec ts = { 0, 100 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	req_header(r, "Retry-After", "1");
	return req_err(r, E_IDEMPOTENCY_IN_PROGRESS);
}

int
idem_save_tx(struct req *r, struct idem *im, int status, json_t *body)
{
	unsigned char *sealed;
	size_t slen;
	char *text, now[32];
	int rc;

	if (!im->active)
		return 0;
	text = body ? json_dumps(body, JSON_COMPACT) : strdup("");
	if (text == NULL)
		return DB_FAIL;
	rc = seal(text, strlen(text), &sealed, &slen);
	free(text);
	if (rc != 0)
		return DB_FAIL;
	sql_now(now, sizeof now);
	now[19] = '\0';	/* whole seconds */
	rc = db_exec(r->ctx, "INSERT INTO idempotency_keys (scope, request_hash, status, body_enc,"
	    " created_at) VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(im->scope), DBS(im->reqhash),
	    DBI(status), DBSN((const char *)sealed, slen), DBS(now)), NULL, NULL);
	free(sealed);
	if (rc == 0)
		im->saved = 1;
	return rc;
}

int
idem_replay(struct req *r, struct idem *im)
{
	int rc = from_db(r, im);

	im->active = 0;	/* settled by from_db */
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)	/* the winner rolled back after all: the client may try again */
		return req_err(r, E_IDEMPOTENCY_IN_PROGRESS);
	return r->status;
}

/* The error object exactly as reply.c renders it. */
static char *
error_text(const struct req *r)
{
	json_t *e = json_object(), *top = json_object();
	char *s;

	json_object_set_new(e, "code", json_string(r->err_code));
	json_object_set_new(e, "message", json_string(r->err_msg));
	if (r->err_fields && json_object_size(r->err_fields) > 0)
		json_object_set(e, "fields", r->err_fields);
	if (r->err_extra)
		json_object_update(e, r->err_extra);
	json_object_set_new(top, "error", e);
	s = json_dumps(top, JSON_COMPACT);
	json_decref(top);
	return s;
}

void
idem_end(struct req *r, struct idem *im)
{
	char key[80], *text = NULL;
	const char *args[2];
	redisReply *rep;
	int st = r->status;

	if (!im->active)
		return;
	im->active = 0;
	if (st >= 200 && st < 300 && r->err_code == NULL)
		text = r->reply ? json_dumps(r->reply, JSON_COMPACT) : strdup("");
	else if (st >= 400 && st < 500 && r->err_code != NULL && st != 401 && st != 403 &&
	    strcmp(r->err_code, "RATE_LIMITED") != 0 &&
	    strncmp(r->err_code, "IDEMPOTENCY_", 12) != 0)
		text = error_text(r);	/* a refusal: nothing was written, the answer stands */
	if (text != NULL) {
		settle(r, im, st, text);
		free(text);
		return;
	}
	rkey(im, key);
	args[0] = key;
	args[1] = im->reqhash;
	if ((rep = kv_eval(r->ctx, &s_forget, 1, 2, args, NULL)) != NULL)
		freeReplyObject(rep);
}

int
job_idempotency_purge(struct ctx *c)
{
	char before[32];

	sql_datetime((hall_now() - 24 * 3600) * 1000, before, sizeof before);
	before[19] = '\0';	/* whole seconds */
	return db_exec(c, "DELETE FROM idempotency_keys WHERE created_at < ? LIMIT 5000",
	    DBARGS(DBS(before)), NULL, NULL);
}

const struct job shared_jobs[] = {
	{ "idempotency-purge", 3600 * 1000, job_idempotency_purge },
};
const size_t shared_njobs = NELEM(shared_jobs);
