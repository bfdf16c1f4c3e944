/*
 * results_sign.c — the verification QR of a result: an Ed25519 signature (libsodium) over its
 * essential fields, made with the instance's key, checkable by anyone who holds the public key
 * and nothing else (no server, no network).
 *
 * Config: result_key_file — 64 hex characters, the 32-byte Ed25519 seed; ops/stack.sh makes
 *         it once per instance (var/<inst>/result-sign.key, mode 600) and it never leaves there.
 *         The public key is derived from it and published (GET /results/public-key).
 *
 * Why the fields travel in the QR (not only the id): an offline check needs them.  A reader
 * that verifies the signature knows the issuer, kind, number, masked holder and dates are the
 * ones this instance signed; the server then adds what can change (revoked, replaced).  The
 * message is plain text so the JavaScript on the verify page and a third party's tool can
 * rebuild and read it without this code:
 *
 *   YCR1\n<vid>\n<kind>\n<title>\n<number>\n<holder>\n<issuer>\n<issued_on>\n<valid_until>\n
 *
 * carried as base64url(message) "." base64url(signature) after the '#' of the verify page's
 * URL (a fragment: browsers do not send it, so it stays out of access logs).
 */
#include "results.h"
#include "../../fcgi/config.h"
#include "../../fcgi/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MSG_MAX 1100

static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char key_sk[crypto_sign_SECRETKEYBYTES];
static unsigned char key_pk[crypto_sign_PUBLICKEYBYTES];
static int key_loaded;

int
result_key_load(void)
{
	unsigned char seed[crypto_sign_SEEDBYTES];
	char hex[2 * crypto_sign_SEEDBYTES + 8];
	const char *path = config_get("result_key_file", "");
	size_t n, bin = 0;
	FILE *f;
	int rc = -1;

	pthread_mutex_lock(&key_lock);
	if (key_loaded) {
		pthread_mutex_unlock(&key_lock);
		return 0;
	}
	if (path[0] == '\0' || (f = fopen(path, "r")) == NULL) {
		pthread_mutex_unlock(&key_lock);
		log_err("result_key_file is not set or cannot be read");
		return -1;
	}
	n = fread(hex, 1, sizeof hex - 1, f);
	fclose(f);
	while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
		n--;
	hex[n] = '\0';
	if (n == 2 * crypto_sign_SEEDBYTES && sodium_hex2bin(seed, sizeof seed, hex, n, NULL,
	    &bin, NULL) == 0 && bin == sizeof seed &&
	    crypto_sign_seed_keypair(key_pk, key_sk, seed) == 0) {
		key_loaded = 1;
		rc = 0;
	} else
		log_err("result_key_file is not 64 hex characters");
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(hex, sizeof hex);
	pthread_mutex_unlock(&key_lock);
	return rc;
}

int
result_public_key(unsigned char pk[32])
{
	if (result_key_load() != 0)
		return -1;
	memcpy(pk, key_pk, sizeof key_pk);
	return 0;
}

int
result_public_key_b64(char out[RESULT_PK_B64], char id[17])
{
	unsigned char pk[32], d[crypto_hash_sha256_BYTES];

	if (result_public_key(pk) != 0)
		return -1;
	sodium_bin2base64(out, RESULT_PK_B64, pk, sizeof pk,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_hash_sha256(d, pk, sizeof pk);
	hex_encode(id, d, 8);
	return 0;
}

int
result_pk_parse(const char *b64, unsigned char pk[32])
{
	size_t n = 0;

	if (sodium_base642bin(pk, 32, b64, strlen(b64), NULL, &n, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != 32)
		return -1;
	return 0;
}

/* The fields in their signed order. */
static const char *
field_at(const struct result_fields *f, int i)
{
	switch (i) {
	case 0: return f->vid;
	case 1: return f->kind;
	case 2: return f->title;
	case 3: return f->number;
	case 4: return f->holder;
	case 5: return f->issuer;
	case 6: return f->issued_on;
	default: return f->valid_until;
	}
}

#define NFIELDS 8

static int
message(const struct result_fields *f, struct buf *b)
{
	int i;

	buf_adds(b, "YCR1\n");
	for (i = 0; i < NFIELDS; i++) {
		const char *v = field_at(f, i);

		if (strchr(v, '\n') != NULL)
			return -1;
		buf_adds(b, v);
		buf_adds(b, "\n");
	}
	return b->overflow ? -1 : 0;
}

int
result_qr_text(const struct result_fields *f, char *out, size_t osz)
{
	unsigned char sig[crypto_sign_BYTES];
	char b64m[sodium_base64_ENCODED_LEN(MSG_MAX, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	char b64s[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	const char *base = config_get("public_base_url", "");
	size_t bn = strlen(base);
	struct buf b;
	int rc = -1;

	if (result_key_load() != 0)
		return -1;
	while (bn > 0 && base[bn - 1] == '/')
		bn--;
	buf_init(&b, MSG_MAX);
	if (message(f, &b) != 0 || b.len == 0)
		goto fail;
	crypto_sign_detached(sig, NULL, (const unsigned char *)b.data, b.len, key_sk);
	sodium_bin2base64(b64m, sizeof b64m, (const unsigned char *)b.data, b.len,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_bin2base64(b64s, sizeof b64s, sig, sizeof sig,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	rc = fmt(out, osz, "%.*s/v.html#%s.%s", (int)bn, base, b64m, b64s) < 0 ? -1 : 0;
fail:
	buf_free(&b);
	return rc;
}

/* Split the message back into fields; 0 or -1. */
static int
fields_parse(const char *m, size_t n, struct result_fields *f)
{
	char *dst[NFIELDS] = { f->vid, f->kind, f->title, f->number, f->holder, f->issuer,
	    f->issued_on, f->valid_until };
	const size_t dsz[NFIELDS] = { sizeof f->vid, sizeof f->kind, sizeof f->title,
	    sizeof f->number, sizeof f->holder, sizeof f->issuer, sizeof f->issued_on,
	    sizeof f->valid_until };
	const char *p = m, *end = m + n, *nl;
	int i;

	if (n < 5 || memcmp(m, "YCR1\n", 5) != 0 || !utf8_ok(m, n))
		return -1;
	p += 5;
	for (i = 0; i < NFIELDS; i++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return -1;
		if ((size_t)(nl - p) >= dsz[i] || memchr(p, '\0', (size_t)(nl - p)) != NULL)
			return -1;
		memcpy(dst[i], p, (size_t)(nl - p));
		dst[i][nl - p] = '\0';
		p = nl + 1;
	}
	return p == end ? 0 : -1;
}

enum result_check
result_qr_check(const char *qr, const unsigned char pk[32], struct result_fields *f)
{
	unsigned char msg[MSG_MAX], sig[crypto_sign_BYTES + 1];
	const char *hash = strrchr(qr, '#'), *dot;
	size_t mlen = 0, slen = 0;

	memset(f, 0, sizeof *f);
	if (hash != NULL)
		qr = hash + 1;
	if ((dot = strchr(qr, '.')) == NULL || strchr(dot + 1, '.') != NULL)
		return RC_MALFORMED;
	if (sodium_base642bin(msg, sizeof msg, qr, (size_t)(dot - qr), NULL, &mlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    sodium_base642bin(sig, sizeof sig, dot + 1, strlen(dot + 1), NULL, &slen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || slen != crypto_sign_BYTES)
		return RC_MALFORMED;
	if (fields_parse((const char *)msg, mlen, f) != 0)
		return RC_MALFORMED;
	if (crypto_sign_verify_detached(sig, msg, mlen, pk) != 0)
		return RC_FORGED;
	return RC_GENUINE;
}

const char *
result_kind_label(const char *kind)
{
	static const char *const k[][2] = {
		{ "licence", "营业执照" }, { "permit", "许可证" }, { "certificate", "证书" },
		{ "decision", "准予许可决定书" }, { "refusal", "不予许可决定书" },
	};
	size_t i;

	for (i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcmp(kind, k[i][0]) == 0)
			return k[i][1];
	return "办理结果";
}
