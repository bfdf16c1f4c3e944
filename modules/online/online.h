/*
 * online.h — online applications (全程网办), uploads, material reuse and bundles (一件事一次办).
 *
 *   uploads.c   POST /uploads, GET /uploads/{id}: files checked by their bytes, stored by
 *               content hash outside the web root
 *   bundles.c   GET /bundles: each bundle with its application form (hall/forms.h: an
 *               item's or a bundle's parts and the union of their materials)
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
#include "../hall/forms.h"

#define UPLOAD_ID_MAX    44	/* 32 random bytes, base64url: 43 characters */
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
