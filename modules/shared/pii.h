/*
 * pii.h — personal data at rest and on screen.
 *
 * Phones and ID numbers are stored sealed (XSalsa20-Poly1305 with a key derived from the
 * instance's key file) and found again through a keyed hash (BLAKE2b with another derived
 * key), so the database alone reveals neither.  Responses, pages and logs show them masked.
 */
#ifndef YC_PII_H
#define YC_PII_H

#include <stddef.h>

/* The longest value sealed: an address of 60 characters, each up to 4 bytes in UTF-8
 * (𠮷, emoji).  Sealing adds a 24-byte nonce and a 16-byte tag. */
#define PII_PLAIN_MAX  240
#define PII_SEALED_MAX 288	/* ≥ PII_PLAIN_MAX + 40 */
#define PII_HASH_HEX   65

/* A sealed value as a result row gives it (the reader every row callback shares). */
struct pii_sealed {
	unsigned char	 b[PII_SEALED_MAX];
	size_t		 n;		/* 0: SQL NULL, or longer than a sealed value can be */
};
void	pii_sealed_keep(struct pii_sealed *s, const char *v, size_t len);
/* Open s into out: 0, or -1 when there is none or it does not open. */
int	pii_sealed_open(const struct pii_sealed *s, char *out, size_t osz);

/* Phones to tell (staff work phones): a db_query row reader opening each row's first column,
 * a sealed phone, into list; at most PII_PHONES (then it stops), and a row that does not
 * open is skipped.  Start from a zeroed struct. */
#define PII_PHONES 8
struct pii_phones {
	char		 list[PII_PHONES][32];
	size_t		 n;
};
int	pii_phones_row(void *arg, size_t ncol, char **v, const size_t *lens);

/* Load the key file named by key_file.  0 or -1. */
int	pii_init(void);
/* Seal plain (≤ PII_PLAIN_MAX bytes) into out; returns the sealed length or -1. */
int	pii_seal(const char *plain, unsigned char *out, size_t osz);
/* Open a sealed value into out (NUL-terminated). 0 or -1. */
int	pii_open(const unsigned char *in, size_t n, char *out, size_t osz);
/* The same for a longer text (up to PII_BLOB_MAX bytes: an SMS's variables), into a new
 * allocation the caller frees.  pii_seal_blob returns the sealed length or -1;
 * pii_open_blob 0 (a NUL-terminated text of *len bytes) or -1. */
#define PII_BLOB_MAX (64 * 1024)
int	pii_seal_blob(const char *plain, size_t n, unsigned char **out);
int	pii_open_blob(const unsigned char *in, size_t n, char **out, size_t *len);
/* Keyed hash of a normalised value (upper-case X in ID numbers), hex. */
void	pii_hash(const char *kind, const char *plain, char out[PII_HASH_HEX]);
/* 138****5678 */
void	mask_phone(const char *phone, char *out, size_t osz);
/* 110105********002X */
void	mask_id(const char *id, char *out, size_t osz);
/* 张* / 欧阳** (the first character, or the first two of a name of four or more characters,
 * then one * for each character left out; by characters, so 𠮷 or · is never split). */
void	mask_name(const char *name, char *out, size_t osz);
/* 1号楼2单元****: the first 6 characters of an address, never more than half of them,
 * then ****. */
#define ADDRESS_MASK_KEEP 6
void	mask_address(const char *address, char *out, size_t osz);
/* Mainland mobile number: 11 digits starting 1[3-9]. */
int	phone_ok(const char *s);
/* 18-character resident ID number with a valid GB 11643 check digit and birth date. */
int	idnum_ok(const char *s);

#endif
