/*
 * forms.h — the application form of an item or a bundle (一件事一次办): its parts and the
 * union of their materials, as the catalog has them (forms.c).  Online applications, the
 * window's bundle acceptance and GET /bundles read it.
 */
#ifndef YC_FORMS_H
#define YC_FORMS_H

#include <stddef.h>

#include "../../fcgi/yc.h"

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

#endif
