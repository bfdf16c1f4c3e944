/*
 * util.h — small bounded string and buffer helpers used everywhere.
 *
 * The project bans sprintf/strcpy/strcat/atoi: these are the replacements.  Every growable
 * buffer has a maximum; appending past it fails and leaves the buffer marked as overflowed so
 * one check at the end catches it.
 */
#ifndef YC_UTIL_H
#define YC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Copy src into dst (size dsz), always NUL-terminated, cut at a character boundary when it
 * does not fit; returns strlen(src) like strlcpy (≥ dsz: it was cut). */
size_t	 str_copy(char *dst, size_t dsz, const char *src);
/* Trim ASCII white space in place; returns the start. */
char	*str_trim(char *s);
/* Strict decimal parse of all of s within [min, max]. 0 or -1. */
int	 parse_ll(const char *s, long long min, long long max, long long *out);
/* Same for a counted string. */
int	 parse_lln(const char *s, size_t n, long long min, long long max, long long *out);
/* snprintf that reports truncation as -1 instead of silently cutting; what it leaves in
 * dst then ends at a character boundary (never half a UTF-8 character). */
int	 fmt(char *dst, size_t dsz, const char *f, ...) __attribute__((format(printf, 3, 4)));

/* Growable buffer with a hard maximum. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
	int	 overflow;
};
void	 buf_init(struct buf *b, size_t max);
int	 buf_add(struct buf *b, const void *p, size_t n);
int	 buf_adds(struct buf *b, const char *s);
int	 buf_addf(struct buf *b, const char *f, ...) __attribute__((format(printf, 2, 3)));
void	 buf_free(struct buf *b);

/* Random token: nbytes of CSPRNG output, base64url without padding, into out (size osz). */
int	 token_new(char *out, size_t osz, size_t nbytes);
/* True when s is 1..max characters of [A-Za-z0-9_-]. */
int	 token_ok(const char *s, size_t max);
/* Lower-case hex of n bytes. out needs 2n+1. */
void	 hex_encode(char *out, const unsigned char *p, size_t n);
/* SHA-256 of n bytes at p, in lower-case hex (64 characters and the NUL). */
void	 hex_sha256(const void *p, size_t n, char out[65]);

/* Valid UTF-8 and no control characters other than \t \n \r. */
int	 utf8_ok(const char *s, size_t n);
/* Number of Unicode code points in valid UTF-8. */
size_t	 utf8_len(const char *s, size_t n);

/*
 * Cutting and masking text by characters.  Every place that shortens or masks a string goes
 * through these: a cut by bytes can end in half a character, which MariaDB refuses (utf8mb4
 * columns: "Incorrect string value"), jansson turns into NULL and a phone shows as garbage.
 * Bytes that are not UTF-8 count as one character each, so the cuts are safe on any input.
 *
 * utf8_cut: the length in bytes of the longest prefix of s (n bytes) that holds at most maxc
 * characters, is at most maxb bytes long and does not end inside a character.
 */
size_t	 utf8_cut(const char *s, size_t n, size_t maxc, size_t maxb);
/*
 * Shorten the NUL-terminated text in s (buffer size ssz) to at most maxc characters: when it
 * is longer, it is cut at a character boundary and `more` (e.g. "…", may be "") is appended,
 * the whole within maxc characters and ssz bytes.  Returns 1 when it cut, 0 when it fitted.
 */
int	 utf8_trunc(char *s, size_t ssz, size_t maxc, const char *more);
/*
 * A mask: the first keep characters of s, then `tail` when given (e.g. "****"), else one '*'
 * for each character left out.  Always NUL-terminated and whole characters only; 0, or -1
 * when out was too small (out then holds as much as fitted).
 */
int	 utf8_mask(char *out, size_t osz, const char *s, size_t keep, const char *tail);
/* 1 when s holds only spaces (ASCII blanks, or the ideographic space U+3000), or nothing. */
int	 utf8_blank(const char *s);

/*
 * 1 when s is min to max bytes long and every byte is one of set: a code's character class
 * written out, for example CH_LOWER CH_DIGIT "_-" (hall codes) or CH_DIGIT.  0 otherwise.
 */
#define CH_LOWER "abcdefghijklmnopqrstuvwxyz"
#define CH_UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define CH_DIGIT "0123456789"
int	 str_in_set(const char *s, size_t min, size_t max, const char *set);
/* The position of s in names (a NULL-terminated list: an enum's names, a field's choices),
 * or -1 when it is not there or s is NULL.  Name to enum, as the tables index them. */
int	 str_index(const char *const *names, const char *s);

#endif
