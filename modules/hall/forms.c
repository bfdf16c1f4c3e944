/*
 * forms.c — the application form of an item or a bundle (一件事一次办): its parts and the
 * union of their materials, read from the catalog (forms.h).
 *
 * Routes: none (GET /bundles, online/bundles.c, and the applications of the online and
 * window rooms read forms here).
 * Tables: bundles, bundle_items, items, item_materials, departments (read)
 * Redis:  none
 *
 * A bundle's form is its items' materials with duplicates (the same material name) merged:
 * the applicant hands in each once, answered by a bundle code B1, B2 … in the order of first
 * appearance; "parts" says which item materials it stands for.  A material is required when
 * any of its items requires it.  The bundle's promised days are its longest part's.  A bundle
 * is offered only when every one of its items exists in the hall.
 */
#include "forms.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* item, name, department, kind, promised days, the hall (the form's), must attend, queue
 * category: the part queries' columns. */
static const struct db_col part_cols[] = {
	DBC_S(struct form_part, item), DBC_S(struct form_part, name),
	DBC_S(struct form_part, department), DBC_S(struct form_part, kind),
	DBC_I(struct form_part, promised_days, 0, 10000), DBC_NONE,
	DBC_B(struct form_part, must_attend), DBC_S(struct form_part, category),
};

static int
part_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct form *f = arg;
	struct form_part *p;

	(void)lens;
	if (f->nparts == FORM_MAX_PARTS)
		return 1;
	p = &f->parts[f->nparts++];
	db_row_fill(p, DB_COLS(part_cols), ncol, v);
	str_copy(f->hall, sizeof f->hall, v[5]);
	if (p->promised_days > f->promised_days)
		f->promised_days = p->promised_days;
	return 0;
}

struct mat_ctx {
	struct form	*f;
	const char	*item;
};

static int
mat_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct mat_ctx *mc = arg;
	struct form *f = mc->f;
	struct form_mat *m = NULL;
	char part[80];
	size_t i;

	(void)ncol;
	(void)lens;
	fmt(part, sizeof part, "%s:%s", mc->item, v[0]);
	if (f->bundle[0])
		for (i = 0; i < f->nmats; i++)
			if (strcmp(f->mats[i].name, v[1]) == 0)
				m = &f->mats[i];
	if (m == NULL) {
		if (f->nmats == FORM_MAX_MATS)
			return 1;
		m = &f->mats[f->nmats++];
		memset(m, 0, sizeof *m);
		if (f->bundle[0])
			fmt(m->code, sizeof m->code, "B%zu", f->nmats);
		else
			str_copy(m->code, sizeof m->code, v[0]);
		str_copy(m->name, sizeof m->name, v[1]);
		str_copy(m->note, sizeof m->note, v[3]);
		m->promise_allowed = 1;	/* until a part it stands for does not allow it */
	} else if (strlen(m->parts) + strlen(part) + 2 > sizeof m->parts)
		return 0;
	if (v[2][0] == '1')
		m->required = 1;
	if (ncol < 5 || v[4] == NULL || v[4][0] != '1')
		m->promise_allowed = 0;
	if (m->parts[0])
		str_copy(m->parts + strlen(m->parts), sizeof m->parts - strlen(m->parts), ",");
	str_copy(m->parts + strlen(m->parts), sizeof m->parts - strlen(m->parts), part);
	return 0;
}

int
form_load(struct ctx *c, const char *item, const char *bundle, struct form *f)
{
	char title[204] = "", hall[32] = "", want[8];
	long long nitems = 0;
	size_t i;
	int rc;

	memset(f, 0, sizeof *f);
	if (item) {
		str_copy(f->item, sizeof f->item, item);
		rc = db_query(c, "SELECT i.id, i.name, i.department, i.kind, i.promised_days, i.hall,"
		    " i.must_attend, i.category FROM items i WHERE i.id = ? AND i.retired_at IS NULL", DBARGS(DBS(item)),
		    part_row, f);
		if (rc < 0)
			return rc;
		if (f->nparts == 1)
			str_copy(f->title, sizeof f->title, f->parts[0].name);
	} else {
		str_copy(f->bundle, sizeof f->bundle, bundle);
		rc = db_scalar(c, "SELECT name FROM bundles WHERE id = ? AND retired_at IS NULL", DBARGS(DBS(bundle)),
		    title, sizeof title);
		if (rc <= 0)
			return rc;
		rc = db_scalar(c, "SELECT hall FROM bundles WHERE id = ?", DBARGS(DBS(bundle)),
		    hall, sizeof hall);
		if (rc < 0)
			return rc;
		rc = db_scalar(c, "SELECT COUNT(*) FROM bundle_items WHERE bundle = ?",
		    DBARGS(DBS(bundle)), want, sizeof want);
		if (rc < 0)
			return rc;
		parse_ll(want, 0, 1000, &nitems);
		rc = db_query(c, "SELECT i.id, i.name, i.department, i.kind, i.promised_days, i.hall,"
		    " i.must_attend, i.category FROM bundle_items b"
		    " JOIN items i ON i.id = b.item AND i.hall = ? WHERE b.bundle = ? ORDER BY b.sort",
		    DBARGS(DBS(hall), DBS(bundle)), part_row, f);
		if (rc < 0)
			return rc;
		if ((long long)f->nparts != nitems || nitems < 1)
			return 0;
		str_copy(f->title, sizeof f->title, title);
	}
	for (i = 0; i < f->nparts; i++) {
		struct mat_ctx mc = { f, f->parts[i].item };

		rc = db_query(c, "SELECT code, name, required, note, promise_allowed FROM item_materials"
		    " WHERE item = ? AND retired_version IS NULL ORDER BY sort, code",
		    DBARGS(DBS(f->parts[i].item)), mat_row, &mc);
		if (rc < 0)
			return rc;
	}
	f->found = f->nparts > 0;
	return 0;
}

json_t *
form_missing(const struct form *f, const int *have)
{
	json_t *missing = json_array();
	size_t i;

	for (i = 0; i < f->nmats; i++)
		if (f->mats[i].required && !have[i])
			json_array_append_new(missing, json_pack("{s:s,s:s,s:s}", "code",
			    f->mats[i].code, "name", f->mats[i].name, "note", f->mats[i].note));
	return missing;
}

json_t *
form_json(const struct form *f)
{
	json_t *o = json_object(), *items = json_array(), *mats = json_array();
	size_t i;

	for (i = 0; i < f->nparts; i++)
		json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:I,s:b}", "id",
		    f->parts[i].item, "name", f->parts[i].name, "department", f->parts[i].department,
		    "kind", f->parts[i].kind, "promised_days", (json_int_t)f->parts[i].promised_days,
		    "must_attend", f->parts[i].must_attend));
	for (i = 0; i < f->nmats; i++) {
		json_t *parts = json_array();
		char buf[500], *s, *save = NULL;

		str_copy(buf, sizeof buf, f->mats[i].parts);
		for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save))
			json_array_append_new(parts, json_string(s));
		json_array_append_new(mats, json_pack("{s:s,s:s,s:b,s:s,s:o,s:b}", "code",
		    f->mats[i].code, "name", f->mats[i].name, "required", f->mats[i].required, "note",
		    f->mats[i].note, "parts", parts, "promise_allowed", f->mats[i].promise_allowed));
	}
	json_object_set_new(o, "id", json_string(f->bundle[0] ? f->bundle : f->item));
	json_object_set_new(o, "name", json_string(f->title));
	json_object_set_new(o, "hall", json_string(f->hall));
	json_object_set_new(o, "items", items);
	json_object_set_new(o, "materials", mats);
	json_object_set_new(o, "promised_days", json_integer(f->promised_days));
	return o;
}
