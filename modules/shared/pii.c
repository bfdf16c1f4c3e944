/*
 * pii.c — sealing, hashing and masking personal data (see pii.h).
 */
#include "pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/keyfile.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char seal_key[crypto_secretbox_KEYBYTES];
static unsigned char hash_key[crypto_generichash_KEYBYTES];
static int pii_ready;

_Static_assert(KEYFILE_BYTES == crypto_kdf_KEYBYTES, "the instance key is a KDF master key");

int
pii_init(void)
{
	unsigned char master[KEYFILE_BYTES];
	const char *path = config_get("key_file", "");
	int rc = keyfile_load(path, master);

	if (rc == KEYFILE_UNREADABLE) {
		log_err("key_file %s cannot be read", path);
		return -1;
	}
	if (rc != KEYFILE_OK) {
		log_err("key_file must hold %d bytes as hex", KEYFILE_BYTES);
		return -1;
	}
	crypto_kdf_derive_from_key(seal_key, sizeof seal_key, 1, "yc-seal_", master);
	crypto_kdf_derive_from_key(hash_key, sizeof hash_key, 2, "yc-hash_", master);
	sodium_memzero(master, sizeof master);
	pii_ready = 1;
	return 0;
}

void
pii_sealed_keep(struct pii_sealed *s, const char *v, size_t len)
{
	s->n = 0;
	if (v && len <= sizeof s->b) {
		memcpy(s->b, v, len);
		s->n = len;
	}
}

int
pii_sealed_open(const struct pii_sealed *s, char *out, size_t osz)
{
	return s->n ? pii_open(s->b, s->n, out, osz) : -1;
}

int
pii_seal(const char *plain, unsigned char *out, size_t osz)
{
	size_t n = strlen(plain);

	if (!pii_ready || n > PII_PLAIN_MAX ||
	    osz < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n)
		return -1;
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
	    out, seal_key);
	return (int)(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n);
}

int
pii_open(const unsigned char *in, size_t n, char *out, size_t osz)
{
	size_t plen;

	if (!pii_ready || n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	plen = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (plen + 1 > osz)
		return -1;
	if (crypto_secretbox_open_easy((unsigned char *)out, in + crypto_secretbox_NONCEBYTES,
	    n - crypto_secretbox_NONCEBYTES, in, seal_key) != 0)
		return -1;
	out[plen] = '\0';
	return 0;
}

int
pii_phones_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct pii_phones *p = arg;

	(void)ncol;
	if (p->n == PII_PHONES)
		return 1;
	if (pii_open((const unsigned char *)v[0], lens[0], p->list[p->n], sizeof p->list[0]) == 0)
		p->n++;
	return 0;
}

int
pii_seal_blob(const char *plain, size_t n, unsigned char **out)
{
	size_t sz = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	unsigned char *b;

	*out = NULL;
	if (!pii_ready || n > PII_BLOB_MAX || (b = malloc(sz)) == NULL)
		return -1;
	randombytes_buf(b, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(b + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
	    b, seal_key);
	*out = b;
	return (int)sz;
}

int
pii_open_blob(const unsigned char *in, size_t n, char **out, size_t *len)
{
	size_t plen;
	char *b;

	*out = NULL;
	*len = 0;
	if (!pii_ready || n < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return -1;
	plen = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (plen > PII_BLOB_MAX || (b = malloc(plen + 1)) == NULL)
		return -1;
	if (crypto_secretbox_open_easy((unsigned char *)b, in + crypto_secretbox_NONCEBYTES,
	    n - crypto_secretbox_NONCEBYTES, in, seal_key) != 0) {
		free(b);
		return -1;
	}
	b[plen] = '\0';
	*out = b;
	*len = plen;
	return 0;
}

void
pii_hash(const char *kind, const char *plain, char out[PII_HASH_HEX])
{
	crypto_generichash_state st;
	unsigned char d[32];
	char norm[256];
	size_t i;

	str_copy(norm, sizeof norm, plain);
	for (i = 0; norm[i]; i++)
		if (norm[i] == 'x')
			norm[i] = 'X';
	crypto_generichash_init(&st, hash_key, sizeof hash_key, sizeof d);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)norm, strlen(norm));
	crypto_generichash_final(&st, d, sizeof d);
	hex_encode(out, d, sizeof d);
}

/* The first `head` and the last `tail` characters of s with `stars` between, by characters
 * (a phone or ID number is checked ASCII where it is taken, but a mask never splits a
 * character whatever it is given); "****"-like `fallback` when s is too short. */
static void
mask_ends(const char *s, size_t head, const char *stars, size_t tail, size_t min,
    const char *fallback, char *out, size_t osz)
{
	size_t n = strlen(s), cps = utf8_len(s, n), h, t;

	if (cps < min) {
		str_copy(out, osz, fallback);
		return;
	}
	h = utf8_cut(s, n, head, SIZE_MAX);
	t = utf8_cut(s, n, cps - tail, SIZE_MAX);
	if (fmt(out, osz, "%.*s%s%s", (int)h, s, stars, s + t) < 0)
		str_copy(out, osz, fallback);
}

void
mask_phone(const char *p, char *out, size_t osz)
{
	mask_ends(p, 3, "****", 4, 7, "****", out, osz);
}

void
mask_id(const char *id, char *out, size_t osz)
{
	if (utf8_len(id, strlen(id)) != 18) {
		str_copy(out, osz, "******");
		return;
	}
	mask_ends(id, 6, "********", 4, 18, "******", out, osz);
}

void
mask_name(const char *name, char *out, size_t osz)
{
	size_t cps = utf8_len(name, strlen(name));

	/* Out of room, a mask keeps what fitted (whole characters); nothing fitted: "*". */
	if (utf8_mask(out, osz, name, cps >= 4 ? 2 : 1, NULL) != 0 && out[0] == '\0')
		str_copy(out, osz, "*");
}

void
mask_address(const char *address, char *out, size_t osz)
{
	size_t cps = utf8_len(address, strlen(address)), keep = cps / 2;

	if (keep > ADDRESS_MASK_KEEP)
		keep = ADDRESS_MASK_KEEP;
	if (utf8_mask(out, osz, address, keep, "****") != 0)
		str_copy(out, osz, "****");
}

int
phone_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9')
		return 0;
	for (i = 0; i < 11; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
idnum_ok(const char *s)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char check[] = "10X98765432";
	char date[11];
	int64_t days;
	int sum = 0, i;

	if (strlen(s) != 18)
		return 0;
	for (i = 0; i < 17; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		sum += (s[i] - '0') * w[i];
	}
	if (s[17] != check[sum % 11] && !(check[sum % 11] == 'X' && s[17] == 'x'))
		return 0;
	if (s[0] == '0')
		return 0;
	snprintf(date, sizeof date, "%.4s-%.2s-%.2s", s + 6, s + 10, s + 12);
	if (date_parse(date, &days) != 0 || days > hall_day(hall_now()))
		return 0;
	return 1;
}
