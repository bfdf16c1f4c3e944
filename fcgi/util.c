/*
 * util.c — bounded strings, buffers, tokens (see util.h).
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>
#include <sodium.h>

size_t
str_copy(char *dst, size_t dsz, const char *src)
{
	size_t n = strlen(src);

	if (dsz > 0) {
		size_t c = n < dsz ? n : utf8_cut(src, n, SIZE_MAX, dsz - 1);

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

char *
str_trim(char *s)
{
	char *e;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
parse_lln(const char *s, size_t n, long long min, long long max, long long *out)
{
	long long v = 0;
	size_t i = 0;
	int neg = 0;

	if (n == 0)
		return -1;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (n == 1)
			return -1;
	}
	for (; i < n; i++) {
		int d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = s[i] - '0';
		if (v > (LLONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	return parse_lln(s, strlen(s), min, max, out);
}

int
fmt(char *dst, size_t dsz, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(dst, dsz, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= dsz) {
		/* vsnprintf cut by bytes: take back a character it split. */
		if (dsz > 0)
			dst[utf8_cut(dst, strnlen(dst, dsz - 1), SIZE_MAX, dsz - 1)] = '\0';
		return -1;
	}
	return n;
}

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

static int
buf_grow(struct buf *b, size_t need)
{
	size_t ncap;
	char *nd;

	if (b->overflow)
		return -1;
	if (need > b->max) {
		b->overflow = 1;
		return -1;
	}
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max)
		ncap = b->max;
	if ((nd = realloc(b->data, ncap)) == NULL) {
		b->overflow = 1;
		return -1;
	}
	b->data = nd;
	b->cap = ncap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, b->len + n + 1) != 0)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addf(struct buf *b, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, b->len + (size_t)n + 1) != 0)
		return -1;
	va_start(ap, f);
	vsnprintf(b->data + b->len, b->cap - b->len, f, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

int
token_new(char *out, size_t osz, size_t nbytes)
{
	unsigned char raw[64];

	if (nbytes > sizeof raw ||
	    osz < sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return -1;
	randombytes_buf(raw, nbytes);
	sodium_bin2base64(out, osz, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	return 0;
}

int
token_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= max || !(isalnum(c) || c == '_' || c == '-'))
			return 0;
	}
	return n > 0;
}

void
hex_encode(char *out, const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

void
hex_sha256(const void *p, size_t n, char out[65])
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256(p, n, d);
	hex_encode(out, d, sizeof d);
}

/* Validates UTF-8 strictly (no overlongs, no surrogates, ≤ U+10FFFF). */
int
utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t k;
		unsigned cp;

		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				return 0;
			if (c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

size_t
utf8_len(const char *s, size_t n)
{
	size_t i, cps = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			cps++;
	return cps;
}

/* Bytes of the character that starts with lead byte c (1 for anything that cannot start one). */
static size_t
utf8_seq(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 1;
}

size_t
utf8_cut(const char *s, size_t n, size_t maxc, size_t maxb)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, chars = 0;

	while (i < n && chars < maxc) {
		size_t k = utf8_seq(p[i]), j;

		/* A character cut short by the end of s (a byte budget reached inside it) is
		 * left out; a lead byte followed by something else is one (bad) character. */
		for (j = 1; j < k; j++)
			if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
				break;
		if (j < k && i + j >= n)
			break;
		if (j < k)
			k = 1;
		if (i + k > maxb)
			break;
		i += k;
		chars++;
	}
	return i;
}

int
utf8_trunc(char *s, size_t ssz, size_t maxc, const char *more)
{
	size_t n = strlen(s), keep, mlen = strlen(more), mc = utf8_len(more, mlen);

	if (utf8_len(s, n) <= maxc && n < ssz)
		return 0;
	if (mc > maxc || mlen >= ssz) {
		mc = 0;
		mlen = 0;
	}
	keep = utf8_cut(s, n, maxc - mc, ssz - 1 - mlen);
	memcpy(s + keep, more, mlen);
	s[keep + mlen] = '\0';
	return 1;
}

int
utf8_mask(char *out, size_t osz, const char *s, size_t keep, const char *tail)
{
	size_t n = strlen(s), head, o, hidden;

	if (osz == 0)
		return -1;
	head = utf8_cut(s, n, keep, osz - 1);
	memcpy(out, s, head);
	o = head;
	out[o] = '\0';
	if (head < utf8_cut(s, n, keep, SIZE_MAX))
		return -1;	/* not even the kept characters fitted */
	if (tail) {
		size_t t = strlen(tail);

		if (o + t >= osz)
			return -1;
		memcpy(out + o, tail, t + 1);
		return 0;
	}
	for (hidden = utf8_len(s + head, n - head); hidden > 0; hidden--) {
		if (o + 1 >= osz) {
			out[o] = '\0';
			return -1;
		}
		out[o++] = '*';
	}
	out[o] = '\0';
	return 0;
}

int
utf8_blank(const char *s)
{
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if ((unsigned char)s[0] == 0xe3 && (unsigned char)s[1] == 0x80 &&
		    (unsigned char)s[2] == 0x80) {
			s += 2;
			continue;
		}
		return 0;
	}
	return 1;
}

int
str_in_set(const char *s, size_t min, size_t max, const char *set)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, set) == n;
}

int
str_index(const char *const *names, const char *s)
{
	int i;

	for (i = 0; s && names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}
