/*
 * online.h — online applications (全程网办), uploads, material reuse and bundles (一件事一次办).
 *
 *   uploads.c   POST /uploads, GET /uploads/{id}: files checked by their bytes, stored by
 *               content hash outside the web root
 *   bundles.c   GET /bundles; the application form of an item or a bundle (its parts and the
 *               union of their materials)
 *   online.c    POST /cases by a citizen (→ submitted), the pre-review actions
 *               (pre_accept, return, resubmit), GET /me/cases, GET /me/cases/{no},
 *               GET /cases/{no}/uploads
 *
 * Everything else about a case (numbers, history, notices, SMS, the back office) is the
 * cases module's (cases.h); an online case is a cases row with channel 'online'.
 */
#ifndef YC_ONLINE_H
#define YC_ONLINE_H

#include <stdint.h>

#include "../../fcgi/yc.h"

#define UPLOAD_ID_MAX    44	/* 32 random bytes, base64url: 43 characters */
#define FORM_MAX_PARTS   8
#define FORM_MAX_MATS    48

struct form_part {
	char		 item[48];
	char		 name[204];
	char		 department[32];
	char		 kind[12];
	long long	 promised_days;
	int		 must_attend;	/* the applicant must come in person: not online */
	char		 category[4];	/* the queue category, for booking instead */
};

struct form_mat {
	char		 code[16];	/* what the applicant answers to: M1… */
	char		 name[204];
	int		 required;
	char		 note[304];
	char		 parts[500];	/* "IT-B-002:M1,IT-A-002:M1" */
	int		 promise_allowed;	/* 告知承诺: every item material it stands for allows it */
};

/* An application form: one item, or a bundle's items with the union of their materials. */
struct form {
	int		 found;
	char		 hall[32];
	char		 item[48];	/* "" for a bundle */
	char		 bundle[48];	/* "" for an item */
	char		 title[204];
	long long	 promised_days;	/* the longest part's */
	struct form_part parts[FORM_MAX_PARTS];
	size_t		 nparts;
	struct form_mat	 mats[FORM_MAX_MATS];
	size_t		 nmats;
};

/* Load the form of an item or (item == NULL) a bundle.  0 (see f->found) or a DB_* code. */
int	form_load(struct ctx *c, const char *item, const char *bundle, struct form *f);
/* The form as JSON for GET /bundles and the apply page. */
json_t	*form_json(const struct form *f);
/* The form's required materials not in hand (have[i] == 0) as a 422 MATERIALS_INCOMPLETE
 * lists them: {code, name, note} each.  A new array, empty when nothing is missing. */
json_t	*form_missing(const struct form *f, const int *have);

/* One upload's facts, for a case that names it. */
struct upload_info {
	int		 found;
	char		 owner_kind[12];
	char		 owner[48];
	char		 type[24];
	long long	 size;
};
int	upload_info(struct ctx *c, const char *id, struct upload_info *out);
/* Per-file and per-case limits (config upload_max_bytes, upload_case_max_bytes). */
long long upload_max_bytes(void);
long long upload_case_max_bytes(void);

#endif
