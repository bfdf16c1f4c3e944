/*
 * catalog_admin.h — the region's catalog as its administrators change it (issue 21, part A):
 * items with their materials (versioned), each hall's choice of items, bundles (一件事),
 * and the catalog's import and export.  Used by the admin room's handlers, yichuang-admin
 * (catalog-import, catalog-export, seed-demo) and tests.
 *
 * Functions return 0 (or what they say), a DB_* code (negative), or an E_* kind (positive,
 * fcgi/errors.h).  Problems with what was sent are collected in `errs`, a JSON object
 * field → message, where the field is the member's path with `pfx` in front
 * ("materials[2].name", or "items[4].materials[2].name" for an import): every problem at
 * once, nothing written (E_INVALID_INPUT).
 */
#ifndef YC_CATALOG_ADMIN_H
#define YC_CATALOG_ADMIN_H

#include "../../fcgi/yc.h"

#define CAT_MAX_MATERIALS 30
#define CAT_MAX_KEYWORDS  30
#define CAT_MAX_BUNDLE    10
#define CAT_IMPORT_MAX    2000	/* items (and bundles) in one import */

/* A problem: errs[pfx + field] = msg (the first problem of a field is kept). */
void	cat_problem(json_t *errs, const char *pfx, const char *field, const char *msg);
/* 1 when list, an array of strings, already holds s (a duplicate in what was sent). */
int	cat_listed(const json_t *list, const char *s);
/* A normalizer's end: o, or NULL (o freed) when errs got problems past the before it had. */
json_t *cat_norm_end(json_t *o, const json_t *errs, size_t before);
/* An id of the catalog: 1–40 of [A-Za-z0-9_.-] (what a path segment can carry). */
int	cat_id_ok(const char *s);
/* in's "id" checked against id (the path's; NULL: in's is required) into o's "id": a
 * problem when either is not an id (cat_id_ok), or other when they differ. */
void	cat_norm_id(json_t *in, const char *id, const char *pfx, json_t *errs, json_t *o,
	    const char *other);

/*
 * The item `in` checked and with every default filled in (pure: no database): a new object,
 * or NULL when errs got problems.  id: the item's id (the path's); in's own "id", when
 * present, must be the same (NULL: in's "id" is required — an import).
 */
json_t *cat_item_norm(json_t *in, const char *id, const char *pfx, json_t *errs);

/* The item as the admin API shows it: every field, its current materials with their codes,
 * keywords, version, retired_at.  1 found, 0 not, or a DB_* code; *out owned. */
int	cat_item_get(struct ctx *c, const char *id, json_t **out);

struct cat_put {
	const char	*action;	/* "created", "changed", "unchanged" */
	long long	 version;
	json_t		*after;		/* owned by the caller once set: the item after */
};

/*
 * Write the normalized item (cat_item_norm) inside the caller's transaction: create it, or
 * make a new version when it differs from the current one (a material whose content
 * changed gets a new code; the old row is retired and kept for the cases that hold it),
 * with its item_versions row and its audit_catalog row (before and after).  References
 * (hall, category, department, material codes) are checked here: problems into errs and
 * E_INVALID_INPUT.  actor: "staff:<id>", "import:<source>" or "seed".
 */
int	cat_item_put(struct ctx *c, const char *actor, json_t *norm, const char *pfx,
	    json_t *errs, struct cat_put *res);
/* Retire (on = 1) or bring back (on = 0) an item, inside the caller's transaction.
 * 0 (also when it already was), E_NOT_FOUND, E_INVALID_STATE (*why: a bundle that is not
 * retired holds the item), or a DB_* code.  *changed: 1 when something changed. */
int	cat_item_retire(struct ctx *c, const char *actor, const char *id, int on, int *changed,
	    const char **why);

/* Items for the list: id, name, hall, category, department, kind, version, retired_at,
 * materials (their number); q finds a part of the id, name or a keyword; retired too when
 * with_retired.  0 or a DB_* code. */
int	cat_item_list(struct ctx *c, const char *q, int with_retired, json_t **out);
/* The record's trail: audit_catalog rows of (kind, record), newest first (id: their order,
 * also among rows of one second), with before and after as JSON and the actor's name.
 * 0 or a DB_* code. */
int	cat_audit_trail(struct ctx *c, const char *kind, const char *record, json_t **out);
/* One audit_catalog row (inside the change's transaction). */
int	cat_audit_write(struct ctx *c, const char *actor, const char *action, const char *kind,
	    const char *record, long long version, json_t *before, json_t *after);
/* The end of cat_item_put and cat_bundle_put, the rows written with rc: when rc is 0 the
 * audit row (create, or change when found: before -> res->after); before released; then
 * res->action, or res->after released when anything failed.  0 or a DB_* code. */
int	cat_put_end(struct ctx *c, int rc, const char *actor, int found, const char *kind,
	    const char *id, long long version, json_t *before, struct cat_put *res);
/* The item's versions: [{version, at, actor}], newest first; 0 or a DB_* code. */
int	cat_item_versions(struct ctx *c, const char *id, json_t **out);
/* One version's body as it was: 1, 0 (no such version) or a DB_* code. */
int	cat_item_version(struct ctx *c, const char *id, long long version, json_t **out);

/* A hall's choice of an item (hall_items). */
struct cat_choice {
	int		 accepts;
	int		 decides;
	const char	*category;	/* NULL: the item's own category (its own hall only) */
};
/* Every item of the region with the hall's choice: accepts, decides, category, chosen
 * (0: the default, no row).  0 or a DB_* code. */
int	cat_hall_items(struct ctx *c, const char *hall, json_t **out);
/* Set the hall's choice inside the caller's transaction; problems into errs (category),
 * E_NOT_FOUND (item), E_INVALID_STATE (a retired item cannot be accepted).
 * *after: the choice as GET shows it (owned). */
int	cat_hall_choose(struct ctx *c, const char *actor, const char *hall, const char *item,
	    const struct cat_choice *ch, json_t *errs, json_t **after);

/* Bundles (bundles_admin.c). */
json_t *cat_bundle_norm(json_t *in, const char *id, const char *pfx, json_t *errs);
int	cat_bundle_get(struct ctx *c, const char *id, json_t **out);
int	cat_bundle_list(struct ctx *c, json_t **out);
int	cat_bundle_put(struct ctx *c, const char *actor, json_t *norm, const char *pfx,
	    json_t *errs, struct cat_put *res);
int	cat_bundle_retire(struct ctx *c, const char *actor, const char *id, int on,
	    int *changed);

/* Import and export (import_catalog.c). */
enum cat_format { CAT_JSON, CAT_CSV };
/*
 * Import a catalog file (JSON {"items":[…],"bundles":[…]} or CSV, one line per material)
 * in one transaction: every record checked, every problem into *problems (an array of
 * {line, record, field, message}; line 0 for JSON), and nothing written unless there is
 * none.  dry_run: everything is done and then rolled back — the preview is exactly what
 * the import would do.  *report: {dry_run, items:[{id, action, version}], bundles:[…],
 * counts}.  0, E_INVALID_INPUT (problems), or a DB_* code.
 */
int	cat_import(struct ctx *c, const char *actor, const char *text, size_t len,
	    enum cat_format f, int dry_run, json_t **report, json_t **problems);
/* The whole catalog (items with materials and keywords, retired ones marked, bundles) as
 * JSON (an object) or CSV (text, *csv owned, malloc'd).  0 or a DB_* code. */
int	cat_export_json(struct ctx *c, json_t **out);
int	cat_export_csv(struct ctx *c, char **csv, size_t *len);

#endif
