/*
 * case_mats.h — the materials of an application as the case rooms read them: one row shape
 * and one row loader for every query that lists them (an item's checklist, a case's item
 * materials with their state, an online case's uploaded materials), and the label of a form.
 *
 * Each query selects the columns in the order case_mat_row reads them, naming a constant
 * where it has no such column:
 *	code, name, required, waivable, form, copies, note, state, parts, upload_id, size
 * and optionally a 12th, promise_allowed (the item's checklist at the window).
 */
#ifndef YC_CASE_MATS_H
#define YC_CASE_MATS_H

#include <stddef.h>

#define CASE_MATS_MAX 48	/* the most any list holds (an online form's materials) */

struct case_mat {
	char		 code[16];
	char		 name[204];	/* up to 50 characters */
	int		 required;
	int		 waivable;	/* 容缺 allowed */
	int		 promise_allowed; /* 告知承诺 allowed (a 12th column, when selected) */
	char		 form[24];	/* original, copy, original_and_copy, electronic */
	long long	 copies;
	char		 note[304];
	char		 state[12];	/* its state in the case, "" when none */
	char		 parts[500];	/* online: "item:code,…" it stands for */
	char		 upload[48];	/* online: the upload given, "" when none */
	long long	 size;		/* online: that upload's bytes */
	/* the caller's marks, never loaded */
	int		 given, waived, problem;
	int		 promised;	/* 告知承诺: a signed promise in its place */
	const char	*reason;
};

struct case_mats {
	size_t		 cap;		/* rows kept at most: CASE_MATS_MAX when 0 */
	size_t		 n;
	struct case_mat	 rows[CASE_MATS_MAX];
};

/* db_query row callback: appends one row to the struct case_mats * (up to its cap). */
int	case_mat_row(void *arg, size_t ncol, char **v, const size_t *lens);
/* The material of code in l, or NULL. */
struct case_mat *case_mats_find(struct case_mats *l, const char *code);
/* "原件", "复印件", "原件及复印件", "电子件", or the form itself. */
const char *case_mat_form_label(const char *form);

/*
 * A list of material names for a notice or an SMS variable: "A、B、C", or "A、B等5项" when
 * not every one fits.  Names are added in order until one would pass max_chars characters
 * (counting "、"; 0: no such limit, the first name always goes in) or the buffer; from then
 * on nothing more is added.  case_names_end appends "等<total>项" when fewer were shown.
 */
struct case_names {
	char	*out;
	size_t	 osz;
	size_t	 max_chars;
	size_t	 shown, chars;
	int	 full;
};

void	case_names_start(struct case_names *n, char *out, size_t osz, size_t max_chars);
/* 1 added, 0 the list is full. */
int	case_names_add(struct case_names *n, const char *name);
void	case_names_end(struct case_names *n, size_t total);

#endif
