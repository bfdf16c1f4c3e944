/*
 * sms_sign.c — the providers' request signatures (see notify_sms.h).
 *
 * Aliyun RPC (SignatureVersion 1.0): sort the parameters by name (byte order), percent-
 * encode names and values (RFC 3986), join as a=b&c=d, then sign
 *     METHOD & %2F & percentEncode(that query)
 * with HMAC-SHA1 under "AccessKeySecret&", base64.
 *
 * Tencent Cloud API 3.0 (TC3-HMAC-SHA256): a canonical request (method, "/", empty query,
 * the signed headers content-type and host, the payload's SHA-256) hashed into the string
 * to sign "TC3-HMAC-SHA256\n<timestamp>\n<date>/<service>/tc3_request\n<hash>", signed with
 * the key derived as HMAC("TC3"+SecretKey, date) → service → "tc3_request".
 *
 * test/unit/test_notify.c checks both against the examples the providers publish.
 */
#include "notify_sms.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

struct pair {
	const char	*k;
	const char	*v;
};

static int
pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pair *)a)->k, ((const struct pair *)b)->k);
}

int
aliyun_sign(const char *method, const char *const *keys, const char *const *vals, size_t n,
    const char *secret, char *sig, size_t sigsz, struct buf *query)
{
	struct pair p[32];
	struct buf q, sts, key;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	size_t i;
	int rc = -1;

	if (n > NELEM(p) || sigsz < 29)
		return -1;
	for (i = 0; i < n; i++) {
		p[i].k = keys[i];
		p[i].v = vals[i];
	}
	qsort(p, n, sizeof p[0], pair_cmp);
	buf_init(&q, 64 * 1024);
	buf_init(&sts, 128 * 1024);
	buf_init(&key, 1024);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(&q, "&");
		http_escape(&q, p[i].k);
		buf_adds(&q, "=");
		http_escape(&q, p[i].v);
	}
	buf_adds(&sts, method);
	buf_adds(&sts, "&%2F&");
	if (q.data)
		http_escape(&sts, q.data);
	buf_adds(&key, secret);
	buf_adds(&key, "&");
	if (q.overflow || sts.overflow || key.overflow || q.data == NULL)
		goto out;
	if (HMAC(EVP_sha1(), key.data, (int)key.len, (const unsigned char *)sts.data, sts.len,
	    mac, &maclen) == NULL)
		goto out;
	EVP_EncodeBlock((unsigned char *)sig, mac, (int)maclen);	/* 20 bytes → 28 chars */
	if (query) {
		buf_add(query, q.data, q.len);
		buf_adds(query, "&Signature=");
		http_escape(query, sig);
		if (query->overflow)
			goto out;
	}
	rc = 0;
out:
	buf_free(&q);
	buf_free(&sts);
	if (key.data)
		memset(key.data, 0, key.len);
	buf_free(&key);
	return rc;
}

static int
hmac256(const void *key, size_t klen, const char *msg, size_t mlen, unsigned char out[32])
{
	unsigned int n = 0;

	return HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &n) ==
	    NULL || n != 32 ? -1 : 0;
}

int
tc3_authorization(const char *secret_id, const char *secret_key, const char *service,
    const char *host, const char *ct, const char *payload, size_t plen, int64_t timestamp,
    char *out, size_t osz)
{
	char phash[65], chash[65], date[16], kbuf[160], sts[512], sighex[65];
	unsigned char k1[32], k2[32], k3[32], sig[32];
	struct buf cr;
	int rc = -1;

	utc_date(timestamp, date, sizeof date);
	hex_sha256(payload, plen, phash);
	buf_init(&cr, 4096);
	buf_addf(&cr, "POST\n/\n\ncontent-type:%s\nhost:%s\n\ncontent-type;host\n%s", ct, host,
	    phash);
	if (cr.overflow || cr.data == NULL) {
		buf_free(&cr);
		return -1;
	}
	hex_sha256(cr.data, cr.len, chash);
	buf_free(&cr);
	if (fmt(sts, sizeof sts, "TC3-HMAC-SHA256\n%lld\n%s/%s/tc3_request\n%s",
	    (long long)timestamp, date, service, chash) < 0 ||
	    fmt(kbuf, sizeof kbuf, "TC3%s", secret_key) < 0)
		goto out;
	if (hmac256(kbuf, strlen(kbuf), date, strlen(date), k1) != 0 ||
	    hmac256(k1, 32, service, strlen(service), k2) != 0 ||
	    hmac256(k2, 32, "tc3_request", 11, k3) != 0 ||
	    hmac256(k3, 32, sts, strlen(sts), sig) != 0)
		goto out;
	hex_encode(sighex, sig, 32);
	if (fmt(out, osz, "TC3-HMAC-SHA256 Credential=%s/%s/%s/tc3_request, "
	    "SignedHeaders=content-type;host, Signature=%s", secret_id, date, service, sighex) < 0)
		goto out;
	rc = 0;
out:
	memset(kbuf, 0, sizeof kbuf);
	memset(k1, 0, sizeof k1);
	memset(k2, 0, sizeof k2);
	memset(k3, 0, sizeof k3);
	return rc;
}
