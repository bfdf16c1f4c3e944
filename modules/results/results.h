/*
 * results.h — results you can trust (issue 23): the licence, permit, certificate or decision a
 * case ends with, its signed verification QR, and its PDF.
 *
 * What other rooms (cases, tracking) and yichuang-admin use of the room; the room's own
 * domain is results_int.h, its layout modules/results/README.md.  results_sign.c (the
 * Ed25519 signature and the QR text) and results_pdf.c (A4 PDFs with cairo) need no database,
 * so yichuang-admin verify-result and the unit tests use them offline.
 * Tables: results, result_downloads (sql/migrations/111_results.sql), items.result_*.
 */
#ifndef YC_RESULTS_H
#define YC_RESULTS_H

#include <stddef.h>

#include "../../fcgi/util.h"

struct ctx;

#define RESULT_VID_LEN   20	/* hex of 10 random bytes */
#define RESULT_QR_MAX    900	/* the QR text: base URL + signed payload */
#define RESULT_PK_B64    48	/* base64url of the 32-byte public key, with the NUL */

/* The essential fields the signature covers, as printed on the result. */
struct result_fields {
	char	vid[RESULT_VID_LEN + 1];
	char	kind[16];		/* licence permit certificate decision refusal */
	char	title[184];		/* up to 60 characters */
	char	number[68];
	char	holder[68];		/* masked name */
	char	issuer[304];		/* up to 100 characters */
	char	issued_on[12];		/* YYYY-MM-DD */
	char	valid_until[12];	/* YYYY-MM-DD or "" (no end date) */
};

/* The instance key: loaded from result_key_file (64 hex characters, the Ed25519 seed that
 * ops/stack.sh makes once per instance).  0 or -1 (file missing or malformed). */
int	result_key_load(void);
/* The public key, raw (32 bytes); -1 when no key is loaded. */
int	result_public_key(unsigned char pk[32]);
/* Its base64url (no padding) and its id: the first 8 bytes of its SHA-256, hex. */
int	result_public_key_b64(char out[RESULT_PK_B64], char id[17]);

/*
 * The signed message: "YCR1\n" then the fields in struct order, each followed by "\n".
 * The QR text: "<public_base_url>/v.html#<base64url(message)>.<base64url(signature)>".
 * 0, or -1 (no key, a field with a newline, or too long).
 */
int	result_qr_text(const struct result_fields *f, char *out, size_t osz);

enum result_check {
	RC_GENUINE = 0,		/* signed by the key */
	RC_MALFORMED = -1,	/* not a result QR at all */
	RC_FORGED = -2		/* well formed, but the signature does not match this key */
};
/* Check a QR text (the whole URL, or just what follows '#') against a public key; on
 * RC_GENUINE (and RC_FORGED) the fields are filled in. */
enum result_check result_qr_check(const char *qr, const unsigned char pk[32],
	    struct result_fields *f);
/* base64url text of a public key → raw. 0 or -1. */
int	result_pk_parse(const char *b64, unsigned char pk[32]);

/* Kind → the label a citizen reads (营业执照 is the title; this is 证照/许可证/…). */
const char *result_kind_label(const char *kind);

/*
 * Inside the caller's transaction: record the results of a case just decided (the hook of
 * case_results_record, cases.h, set at start by programs/assembly.c).  approved:
 * one per part (permits joined to the case's licence); else one 不予许可决定书 for the part
 * of department.  0 or a DB_* code.
 */
int	results_record(struct ctx *c, long long case_id, const char *now, int approved,
	    const char *department);
/* The case's results as its tracking page shows them: kind, title, number, dates, status,
 * electronic, verify_url (the QR text); no PDF link, no holder.  0 or a DB_* code.
 * (results_view.c; ctx-based, so the tracking room calls it as it is.) */
struct json_t;
int	results_track_json(struct ctx *c, long long case_id, struct json_t **out);

/* PDFs (results_pdf.c).  lines: label/value pairs (NULL-terminated pairs); qr: text to
 * encode, or NULL.  The page is A4, one page; 0 or -1.  out is bounded by its max. */
int	pdf_document(const char *heading, const char *const *lines, const char *qr_text,
	    const char *qr_caption, const char *footer, struct buf *out);

#endif
