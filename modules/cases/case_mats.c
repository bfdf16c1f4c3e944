/*
 * case_mats.c — the one loader of application materials' rows (case_mats.h).
 *
 * Tables: none of its own (the callers' queries read item_materials, case_materials,
 *         online_materials, uploads).  Redis: none.
 */
#include "case_mats.h"
#include "../../fcgi/util.h"

#include <stdint.h>
#include <string.h>

int
case_mat_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct case_mats *l = arg;
	struct case_mat *m;

	(void)lens;
	if (ncol < 11 || l->n == (l->cap ? l->cap : CASE_MATS_MAX))
		return 1;
	m = &l->rows[l->n++];
	memset(m, 0, sizeof *m);
	str_copy(m->code, sizeof m->code, v[0]);
	str_copy(m->name, sizeof m->name, v[1]);
	m->required = v[2] && v[2][0] == '1';
	m->waivable = v[3] && v[3][0] == '1';
	str_copy(m->form, sizeof m->form, v[4] ? v[4] : "");
	parse_ll(v[5] ? v[5] : "0", 0, 255, &m->copies);
	str_copy(m->note, sizeof m->note, v[6] ? v[6] : "");
	str_copy(m->state, sizeof m->state, v[7] ? v[7] : "");
	str_copy(m->parts, sizeof m->parts, v[8] ? v[8] : "");
	str_copy(m->upload, sizeof m->upload, v[9] ? v[9] : "");
	parse_ll(v[10] ? v[10] : "0", 0, INT64_MAX, &m->size);
	m->promise_allowed = ncol > 11 && v[11] && v[11][0] == '1';
	return 0;
}

struct case_mat *
case_mats_find(struct case_mats *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].code, code) == 0)
			return &l->rows[i];
	return NULL;
}

static const char *const form_labels[][2] = {
	{ "original", "原件" }, { "copy", "复印件" }, { "original_and_copy", "原件及复印件" },
	{ "electronic", "电子件" },
};

const char *
case_mat_form_label(const char *form)
{
	size_t i;

	for (i = 0; i < sizeof form_labels / sizeof form_labels[0]; i++)
		if (strcmp(form_labels[i][0], form) == 0)
			return form_labels[i][1];
	return form;
}

void
case_names_start(struct case_names *n, char *out, size_t osz, size_t max_chars)
{
	memset(n, 0, sizeof *n);
	n->out = out;
	n->osz = osz;
	n->max_chars = max_chars;
	out[0] = '\0';
}

int
case_names_add(struct case_names *n, const char *name)
{
	size_t len = strlen(n->out), chars = utf8_len(name, strlen(name));

	if (n->full)
		return 0;
	if ((n->max_chars && n->shown > 0 && n->chars + chars + 1 > n->max_chars) ||
	    len + strlen(name) + 4 >= n->osz) {
		n->full = 1;
		return 0;
	}
	if (n->shown > 0)
		str_copy(n->out + len, n->osz - len, "、");
	len = strlen(n->out);
	str_copy(n->out + len, n->osz - len, name);
	n->chars += chars + 1;
	n->shown++;
	return 1;
}

void
case_names_end(struct case_names *n, size_t total)
{
	char tail[32];
	size_t len = strlen(n->out);

	if (n->shown < total) {
		fmt(tail, sizeof tail, "等%zu项", total);
		str_copy(n->out + len, n->osz - len, tail);
	}
}
