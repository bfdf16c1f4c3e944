/*
 * results_int.h — the results room's domain, private to the room: a result as its row,
 * loading it, its JSON, revoking and replacing it, and its PDF.  Functions take a ctx and
 * values and return 0 (or 1/0 found), a DB_* code, or an E_* kind; the handlers
 * (results_api.c, results_notice.c) alone reply.
 */
#ifndef YC_RESULTS_INT_H
#define YC_RESULTS_INT_H

#include <stdint.h>

#include <jansson.h>

#include "results.h"
#include "../cases/cases.h"

struct result_row {
	long long		 id, case_id, licence_id, replaced_by, replaces_id;
	struct result_fields	 f;
	char			 hall[32];
	char			 department[32];
	char			 item[48];
	char			 status[12];
	char			 case_no[CASE_NO_MAX];
	int			 electronic;
	char			 changed_at[20];
	char			 change_reason[604];
	char			 replaced_by_number[68];
	char			 case_status[24];
};

/* results_record.c */
/* A new public id: 10 random bytes, hex. */
void	result_vid_new(char out[RESULT_VID_LEN + 1]);

/* results_view.c */
/* valid → 有效, revoked → 已撤销, replaced → 已被替换, else 无效. */
const char *result_status_label(const char *status);
/* One result by its public id.  1, 0 or a DB_* code. */
int	result_load(struct ctx *c, const char *vid, struct result_row *out);
/* The same, for staff of hall (and of department, when not NULL: an approver). */
int	result_load_staff(struct ctx *c, const char *vid, const char *hall,
	    const char *department, struct result_row *out);
/* The fields a verify page shows (no PII but the mask). */
json_t	*result_fields_json(const struct result_row *x);
/* Permits joined to a licence ("permits"), or the licence a permit is joined to
 * ("licence"), added to o (一照通).  0 or a DB_* code. */
int	result_add_joined(struct ctx *c, const struct result_row *x, json_t *o);
/* Everything a holder or staff sees of a result, the QR text included.  0 or a DB_* code. */
int	result_json(struct ctx *c, const struct result_row *x, json_t **out);
/* The results of a case, oldest first, each with pdf_url for the citizen (citizen 1) when
 * it is electronic and valid.  0 or a DB_* code. */
int	results_case_json(struct ctx *c, long long case_id, int citizen, json_t **out);
/* The case id (1) if the citizen applied for it or follows it (applicant's or agent's
 * phone); 0 not; or a DB_* code. */
int	results_my_case(struct ctx *c, const char *citizen, const char *no, long long *id);
/* The PDF of a result into out, and its download recorded (citizen or staff).  0, a DB_*
 * code, E_UNAVAILABLE (no signing key loaded) or E_INTERNAL (the PDF could not be made). */
int	result_pdf_make(struct ctx *c, const struct result_row *x, const char *citizen,
	    long long staff, struct buf *out);

/* results_change.c */
struct result_change {
	const char	*reason;
	const char	*valid_until;	/* replace: YYYY-MM-DD or NULL (keep) */
	char		 now[20];
	long long	 staff;
	uint64_t	 new_id;
	char		 new_vid[RESULT_VID_LEN + 1];
};
/* 1 when a valid_until of 10 characters reads as a date a replacement may carry
 * (YYYY-MM-DD, years 2000–2199). */
int	result_valid_until_ok(const char *s);
/* Whether the result may be changed now: 0, E_RESULT_NOT_VALID (revoked or replaced), or
 * E_RESULT_NOT_REPLACEABLE (a refusal cannot be replaced). */
int	result_change_allowed(const struct result_row *x, int replace);
/* Inside the caller's transaction (its case history row is the caller's): 撤销 or 换发.
 * 0, E_RESULT_NOT_VALID (another change came first) or a DB_* code. */
int	result_revoke(struct ctx *c, const struct result_row *x, struct result_change *ch);
int	result_replace(struct ctx *c, const struct result_row *x, struct result_change *ch);

#endif
