/*
 * case_json.h — the case as staff see it, the actions a page offers, and a case's sealed
 * tokens opened (case_json.c).
 */
#ifndef YC_CASE_JSON_H
#define YC_CASE_JSON_H

#include <jansson.h>

#include "cases.h"

/*
 * Everything a case page shows, PII masked unless reveal; "actions" lists what who may do
 * now (case_rules.h).  1 found, 0 not, or a DB_* code.
 */
int	case_json(struct ctx *c, const struct session *who, const struct case_row *cr,
	    int reveal, json_t **out);
/* The actions a page offers who (names, case_rules.h): online pre-review ones or the others. */
json_t	*case_actions_json(const struct session *who, const struct case_row *cr, int online);
/*
 * The newest tracking token of the case not revoked (of holder "applicant"/"agent", or any
 * when holder is NULL), and the newest notice token of kind, opened into out ("" none).
 * 0 or a DB_* code.  The caller wipes out after use.
 */
int	case_track_token(struct ctx *c, long long case_id, const char *holder,
	    char out[CASE_TOKEN_MAX]);
int	case_notice_token(struct ctx *c, long long case_id, const char *kind,
	    char out[CASE_TOKEN_MAX]);

#endif
