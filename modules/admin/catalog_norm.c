/*
 * catalog_norm.c — an item of the region's catalog checked and normalized before it is
 * written (catalog_admin.h: cat_item_norm and the helpers the bundles and the import share).
 * Pure: no database, no Redis.  Every problem is noted at once in errs, field → message.
 */
#include "catalog_admin.h"
#include "../../fcgi/util.h"

#include <string.h>

static const char *const kinds[] = { "instant", "promised", NULL };
static const char *const forms[] = { "original", "copy", "original_and_copy", "electronic",
	NULL };
static const char *const result_kinds[] = { "licence", "permit", "certificate", "decision",
	NULL };

void
cat_problem(json_t *errs, const char *pfx, const char *field, const char *msg)
{
	char key[160];

	if (fmt(key, sizeof key, "%s%s", pfx ? pfx : "", field) < 0)
		str_copy(key, sizeof key, field);
	if (json_object_get(errs, key) == NULL)
		json_object_set_new(errs, key, json_string(msg));
}

int
cat_listed(const json_t *list, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
			return 1;
	return 0;
}

json_t *
cat_norm_end(json_t *o, const json_t *errs, size_t before)
{
	if (json_object_size(errs) == before)
		return o;
	json_decref(o);
	return NULL;
}

int
cat_id_ok(const char *s)
{
	return str_in_set(s, 1, 40, CH_LOWER CH_UPPER CH_DIGIT "_.-");
}

void
cat_norm_id(json_t *in, const char *id, const char *pfx, json_t *errs, json_t *o,
    const char *other)
{
	json_t *v = json_object_get(in, "id");
	const char *given = json_is_string(v) ? json_string_value(v) : NULL;

	if (id == NULL && given == NULL)
		cat_problem(errs, pfx, "id", "必填");
	else if ((v != NULL && !json_is_null(v) && (given == NULL || !cat_id_ok(given))) ||
	    (id != NULL && !cat_id_ok(id)))
		cat_problem(errs, pfx, "id", "编号为 1–40 位字母、数字或 _ . -");
	else if (id != NULL && given != NULL && strcmp(id, given) != 0)
		cat_problem(errs, pfx, "id", other);
	else
		json_object_set_new(o, "id", json_string(id ? id : given));
}

/* ------------------------------------------------------------ checking (pure) */

/*
 * The member name of in, or NULL when it is absent or null: then dflt (taken) goes to out
 * as the value, or when dflt is NULL (the member is required) a problem is noted, and *rc
 * says which (0 or -1).
 */
static json_t *
norm_member(json_t *in, json_t *out, const char *name, const char *pfx, json_t *errs,
    json_t *dflt, int *rc)
{
	json_t *v = json_object_get(in, name);

	if (v != NULL && !json_is_null(v)) {
		json_decref(dflt);
		return v;
	}
	*rc = 0;
	if (dflt == NULL) {
		cat_problem(errs, pfx, name, "必填");
		*rc = -1;
	} else
		json_object_set_new(out, name, dflt);
	return NULL;
}

/*
 * One member of an object to check and copy to out: its kind, its bounds (characters of a
 * text, the range of an integer), its choices (NF_ENUM) and what it is when absent or null:
 * a problem ("必填") when required, else the default (sdef: text and choices; idef: integers
 * and booleans).
 */
enum nf_kind { NF_STR, NF_INT, NF_BOOL, NF_ENUM };
struct norm_field {
	enum nf_kind	 kind;
	const char	*name;
	long long	 min, max;
	int		 required;
	const char	*sdef;
	long long	 idef;
	const char *const *choices;
};

/* A text of f's bounds, in valid UTF-8: the problem, or NULL when there is none. */
static const char *
norm_text_problem(json_t *v, const struct norm_field *f)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), n;

	if (!json_is_string(v))
		return "须为文本";
	if (!utf8_ok(s, len) || memchr(s, '\0', len))
		return "含有无效字符";
	n = utf8_len(s, len);
	if (n < (size_t)f->min)
		return f->min <= 1 ? "不能为空" : "内容过短";
	return n > (size_t)f->max ? "内容过长" : NULL;
}

/* The value v of f, checked: its copy for out, or NULL with *why the problem. */
static json_t *
norm_value(json_t *v, const struct norm_field *f, const char **why)
{
	size_t i;

	*why = NULL;
	switch (f->kind) {
	case NF_STR:
		if ((*why = norm_text_problem(v, f)) != NULL)
			return NULL;
		return json_string(json_string_value(v));
	case NF_INT:
		*why = !json_is_integer(v) ? "须为整数" : json_integer_value(v) < f->min ||
		    json_integer_value(v) > f->max ? "超出允许范围" : NULL;
		return *why ? NULL : json_integer(json_integer_value(v));
	case NF_BOOL:
		*why = json_is_boolean(v) ? NULL : "须为 true 或 false";
		return *why ? NULL : json_boolean(json_is_true(v));
	case NF_ENUM:
		for (i = 0; json_is_string(v) && f->choices[i]; i++)
			if (strcmp(f->choices[i], json_string_value(v)) == 0)
				return json_string(f->choices[i]);
		break;
	}
	*why = "不是允许的取值";
	return NULL;
}

/* The n members f of in checked and copied to out, each problem noted in errs under pfx:
 * 0, or -1 when there was one. */
static int
norm_fields(json_t *in, json_t *out, const char *pfx, json_t *errs,
    const struct norm_field *f, size_t n)
{
	const char *why;
	json_t *v, *dflt;
	int bad = 0, rc;
	size_t i;

	for (i = 0; i < n; i++, f++) {
		dflt = f->required ? NULL : f->kind == NF_INT ? json_integer(f->idef) :
		    f->kind == NF_BOOL ? json_boolean(f->idef) : json_string(f->sdef);
		if ((v = norm_member(in, out, f->name, pfx, errs, dflt, &rc)) == NULL) {
			bad |= rc != 0;
			continue;
		}
		if ((v = norm_value(v, f, &why)) == NULL) {
			cat_problem(errs, pfx, f->name, why);
			bad = 1;
		} else
			json_object_set_new(out, f->name, v);
	}
	return bad ? -1 : 0;
}

static int
material_code_ok(const char *s)
{
	return s[0] == 'M' && s[1] >= '1' && s[1] <= '9' && str_in_set(s + 1, 1, 15, CH_DIGIT);
}

static const struct norm_field material_fields[] = {
	{ .kind = NF_STR, .name = "name", .min = 1, .max = 200, .required = 1 },
	{ .kind = NF_BOOL, .name = "required", .required = 1 },
	{ .kind = NF_BOOL, .name = "waivable" },
	{ .kind = NF_BOOL, .name = "promise_allowed" },
	{ .kind = NF_ENUM, .name = "form", .choices = forms, .sdef = "original" },
	{ .kind = NF_INT, .name = "copies", .min = 1, .max = 20, .idef = 1 },
	{ .kind = NF_STR, .name = "note", .max = 300, .sdef = "" },
};

static json_t *
norm_material(json_t *in, const char *pfx, json_t *errs)
{
	json_t *m = json_object(), *code = json_object_get(in, "code");
	int bad = 0;

	if (!json_is_object(in)) {
		cat_problem(errs, pfx, "", "须为对象");
		json_decref(m);
		return NULL;
	}
	if (code != NULL && !json_is_null(code)) {
		if (!json_is_string(code) || !material_code_ok(json_string_value(code))) {
			cat_problem(errs, pfx, "code", "材料编号为 M 加数字（新材料不填）");
			bad = 1;
		} else
			json_object_set(m, "code", code);
	}
	bad |= norm_fields(in, m, pfx, errs, material_fields, NELEM(material_fields)) != 0;
	if (!bad && json_is_true(json_object_get(m, "waivable")) &&
	    !json_is_true(json_object_get(m, "required"))) {
		cat_problem(errs, pfx, "waivable", "容缺只适用于必交材料");
		bad = 1;
	}
	if (bad) {
		json_decref(m);
		return NULL;
	}
	return m;
}

/* An item's members, hall and name before its category, the others after it. */
static const struct norm_field item_head[] = {
	{ .kind = NF_STR, .name = "hall", .min = 1, .max = 32, .required = 1 },
	{ .kind = NF_STR, .name = "name", .min = 1, .max = 200, .required = 1 },
};
static const struct norm_field item_fields[] = {
	{ .kind = NF_STR, .name = "department", .min = 1, .max = 32, .required = 1 },
	{ .kind = NF_ENUM, .name = "kind", .choices = kinds, .required = 1 },
	{ .kind = NF_INT, .name = "promised_days", .max = 365, .required = 1 },
	{ .kind = NF_INT, .name = "legal_days", .max = 365 },
	{ .kind = NF_BOOL, .name = "cross_province" },
	{ .kind = NF_BOOL, .name = "must_attend" },
	{ .kind = NF_STR, .name = "fee", .min = 1, .max = 100, .sdef = "不收费" },
	{ .kind = NF_STR, .name = "basis", .max = 300, .sdef = "" },
	{ .kind = NF_STR, .name = "description", .max = 500, .sdef = "" },
	{ .kind = NF_INT, .name = "sort", .max = 65535 },
	{ .kind = NF_ENUM, .name = "result_kind", .choices = result_kinds, .sdef = "decision" },
	{ .kind = NF_STR, .name = "result_name", .max = 60, .sdef = "" },
	{ .kind = NF_INT, .name = "result_valid_years", .max = 100 },
	{ .kind = NF_BOOL, .name = "result_electronic" },
};

static const struct norm_field keyword_field = {
	.kind = NF_STR, .name = "k", .min = 1, .max = 50, .required = 1
};

/* The item's keywords (kws, the member as sent) checked into out's "keywords": text of 1–50
 * characters each, none twice, at most CAT_MAX_KEYWORDS. */
static void
norm_keywords(json_t *kws, json_t *out, const char *pfx, json_t *errs)
{
	json_t *v = json_array();
	char sub[96];
	size_t i;

	json_object_set_new(out, "keywords", v);
	if (kws != NULL && !json_is_null(kws) && !json_is_array(kws))
		cat_problem(errs, pfx, "keywords", "须为文本的列表");
	else if (json_array_size(kws) > CAT_MAX_KEYWORDS)
		cat_problem(errs, pfx, "keywords", "检索词最多 30 个");
	else
		for (i = 0; i < json_array_size(kws); i++) {
			json_t *k = json_pack("{s:O}", "k", json_array_get(kws, i));
			json_t *tmp = json_object();

			fmt(sub, sizeof sub, "%skeywords[%zu]", pfx ? pfx : "", i);
			if (norm_fields(k, tmp, "", tmp, &keyword_field, 1) != 0)
				cat_problem(errs, sub, "",
				    json_string_value(json_object_get(tmp, "k")));
			else {
				const char *w = json_string_value(json_object_get(tmp, "k"));

				if (cat_listed(v, w))
					cat_problem(errs, sub, "", "重复的检索词");
				else
					json_array_append(v, json_object_get(tmp, "k"));
			}
			json_decref(tmp);
			json_decref(k);
		}
}

json_t *
cat_item_norm(json_t *in, const char *id, const char *pfx, json_t *errs)
{
	json_t *o, *v, *mats;
	char sub[96];
	size_t i, j, before = json_object_size(errs);

	if (!json_is_object(in)) {
		cat_problem(errs, pfx, "item", "须为对象");
		return NULL;
	}
	o = json_object();
	cat_norm_id(in, id, pfx, errs, o, "与地址中的事项编号不一致");
	norm_fields(in, o, pfx, errs, item_head, NELEM(item_head));
	v = json_object_get(in, "category");
	if (!json_is_string(v) || strlen(json_string_value(v)) != 1 ||
	    json_string_value(v)[0] < 'A' || json_string_value(v)[0] > 'Z')
		cat_problem(errs, pfx, "category", v == NULL ? "必填" : "类别为一个大写字母 A–Z");
	else
		json_object_set(o, "category", v);
	norm_fields(in, o, pfx, errs, item_fields, NELEM(item_fields));
	if (json_object_get(o, "kind") && json_object_get(o, "promised_days")) {
		int instant = strcmp(json_string_value(json_object_get(o, "kind")), "instant") == 0;
		json_int_t pd = json_integer_value(json_object_get(o, "promised_days"));

		if (instant && pd != 0)
			cat_problem(errs, pfx, "promised_days", "即办件的承诺时限为 0");
		else if (!instant && pd < 1)
			cat_problem(errs, pfx, "promised_days", "承诺件的承诺时限至少 1 个工作日");
		else if (json_object_get(o, "legal_days") &&
		    json_integer_value(json_object_get(o, "legal_days")) != 0 &&
		    json_integer_value(json_object_get(o, "legal_days")) < pd)
			cat_problem(errs, pfx, "legal_days", "法定时限不能短于承诺时限");
	}

	norm_keywords(json_object_get(in, "keywords"), o, pfx, errs);

	mats = json_object_get(in, "materials");
	v = json_array();
	json_object_set_new(o, "materials", v);
	if (mats == NULL || json_is_null(mats))
		cat_problem(errs, pfx, "materials", "必填（可为空列表）");
	else if (!json_is_array(mats))
		cat_problem(errs, pfx, "materials", "须为材料的列表");
	else if (json_array_size(mats) > CAT_MAX_MATERIALS)
		cat_problem(errs, pfx, "materials", "申请材料最多 30 项");
	else
		for (i = 0; i < json_array_size(mats); i++) {
			json_t *m;

			fmt(sub, sizeof sub, "%smaterials[%zu].", pfx ? pfx : "", i);
			if ((m = norm_material(json_array_get(mats, i), sub, errs)) == NULL)
				continue;
			for (j = 0; j < json_array_size(v); j++) {
				json_t *p = json_array_get(v, j);
				const char *pc = json_string_value(json_object_get(p, "code"));
				const char *mc = json_string_value(json_object_get(m, "code"));

				if (strcmp(json_string_value(json_object_get(p, "name")),
				    json_string_value(json_object_get(m, "name"))) == 0) {
					cat_problem(errs, sub, "name", "与前面的材料重名");
					break;
				}
				if (pc && mc && strcmp(pc, mc) == 0) {
					cat_problem(errs, sub, "code", "与前面的材料编号重复");
					break;
				}
			}
			if (j < json_array_size(v))
				json_decref(m);
			else
				json_array_append_new(v, m);
		}
	/* A body that is not an object yields its problem under the prefix itself; the
	 * "item" key above is for that. */
	return cat_norm_end(o, errs, before);
}
