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

/* Copy src into dst (size dsz), always NUL-terminated; returns strlen(src) like strlcpy. */
size_t	 str_copy(char *dst, size_t dsz, const char *src);
/* Trim ASCII white space in place; returns the start. */
char	*str_trim(char *s);
/* Strict decimal parse of all of s within [min, max]. 0 or -1. */
int	 parse_ll(const char *s, long long min, long long max, long long *out);
/* Same for a counted string. */
int	 parse_lln(const char *s, size_t n, long long min, long long max, long long *out);
/* snprintf that reports truncation as -1 instead of silently cutting. */
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

/* Valid UTF-8 and no control characters other than \t \n \r. */
int	 utf8_ok(const char *s, size_t n);
/* Number of Unicode code points in valid UTF-8. */
size_t	 utf8_len(const char *s, size_t n);

#endif
