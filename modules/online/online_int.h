/*
 * online_int.h — what the online room's files share (private to the room): the answers of an
 * application form, its materials' rows, and the applicant's view of a case.
 */
#ifndef YC_ONLINE_INT_H
#define YC_ONLINE_INT_H

#include <jansson.h>

#include "online.h"
#include "../../fcgi/yc.h"

/* What the applicant gave for one material of the form. */
struct given {
	int	 set;
	int	 reused;
	int	 promised;	/* 告知承诺 in its place (online_promise.c) */
	char	 upload[UPLOAD_ID_MAX];
	long long size;
};

/*
 * The "materials" object of a body: {"<code>": "<upload id>" | "reuse"}, against form f,
 * into g (one per form material).  Each named upload must be the caller's.  Field errors
 * are "materials.<code>" on r.  0, or a DB_* code.
 */
int	materials_parse(struct req *r, struct form *f, struct given *g);
/*
 * online_promise.c: 422 MUST_ATTEND (with the booking to make instead) when a part of the
 * form must be applied for in person, else 0.
 */
int	online_must_attend(struct req *r, const struct form *f);
/* A material answered {"promise":{"signed":true}} (v): g marked promised, or an error on
 * field ("materials.<code>") when the material does not allow it or the promise is not
 * signed. */
void	online_promise_given(struct req *r, const struct form_mat *m, json_t *v,
	    const char *field, struct given *g);
/* The case_materials rows of a promised form material (one per item material it stands
 * for), state 'promised', inside the caller's transaction.  0 or a DB_* code. */
int	online_promise_rows(struct ctx *c, long long case_id, const struct form_mat *m);

/* 413 TOO_LARGE when the files of the case together are over the limit, else 0. */
int	case_size_ok(struct req *r, const struct form *f, const struct given *g);
/* case_materials rows for one form material (each item material it stands for):
 * inserted as received (insert), or set received (upload) / requested (NULL).  0 or DB_*. */
int	item_materials_set(struct ctx *c, long long case_id, const struct form_mat *m,
	    const char *upload, const char *now, int insert);
/* An online case as its applicant (or agent: holder) sees it. 1, 0 not found, or DB_*. */
int	my_case_json(struct ctx *c, long long id, const char *holder, json_t **out);
/* Reply with that view (status), 404 or the DB_* failure. */
int	reply_mine(struct req *r, long long id, const char *holder, int status);

#endif
