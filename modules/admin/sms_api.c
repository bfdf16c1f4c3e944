/*
 * sms_api.c — the SMS providers' template codes, as an admin sets them once the provider
 * has approved a template's text (the text itself stays in sms-templates/).
 *
 * Routes: GET /admin/sms-templates            admin (of any hall of the instance)
 *         PUT /admin/sms-templates/{name}     admin: {"aliyun"?, "tencent"?} (null: back
 *                                              to the file's code)
 * Tables: sms_template_codes, audit_log (admin.sms_codes, before and after).
 * Redis:  none.
 *
 * The provider account, its signature and so its approved templates belong to the
 * instance, not to one hall: any hall's admin sets them, for every hall.  The outbox worker
 * reads them through notify/sms_codes.c: the next message of every worker uses a new code
 * within SMS_CODES_TTL_MS.
 */
#include "handlers.h"
#include "../identity/identity.h"
#include "../notify/notify.h"
#include "../shared/audit.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/util.h"

#include <stdlib.h>
#include <string.h>

static int
aliyun_ok(const char *s)
{
	return strncmp(s, "SMS_", 4) == 0 && str_in_set(s + 4, 6, 20, CH_DIGIT);
}

static int
tencent_ok(const char *s)
{
	return str_in_set(s, 1, 12, CH_DIGIT);
}

struct set_codes {
	char	 aliyun[64], tencent[64];
	char	 by_aliyun[48], by_tencent[48];
	char	 at_aliyun[32], at_tencent[32];
};

static int
set_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct set_codes *k = arg;
	int t = strcmp(v[0], "tencent") == 0;

	(void)ncol;
	(void)lens;
	str_copy(t ? k->tencent : k->aliyun, 64, v[1]);
	str_copy(t ? k->by_tencent : k->by_aliyun, 48, v[2]);
	str_copy(t ? k->at_tencent : k->at_aliyun, 32, v[3]);
	return 0;
}

static int
set_get(struct ctx *c, const char *name, struct set_codes *k)
{
	memset(k, 0, sizeof *k);
	return db_query(c, "SELECT provider, code, updated_by, DATE_FORMAT(updated_at,"
	    " '%Y-%m-%dT%H:%i:%s+08:00') FROM sms_template_codes WHERE template = ?",
	    DBARGS(DBS(name)), set_row, k);
}

static json_t *
one_json(const struct tmpl *t, const struct set_codes *k)
{
	json_t *set = json_object();

	if (k->aliyun[0])
		json_object_set_new(set, "aliyun", json_pack("{s:s,s:s,s:s}", "code", k->aliyun,
		    "updated_by", k->by_aliyun, "updated_at", k->at_aliyun));
	if (k->tencent[0])
		json_object_set_new(set, "tencent", json_pack("{s:s,s:s,s:s}", "code", k->tencent,
		    "updated_by", k->by_tencent, "updated_at", k->at_tencent));
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:o,s:{s:s,s:s}}", "name", t->name,
	    "title", t->title, "text", t->text,
	    "file", "aliyun", t->aliyun, "tencent", t->tencent_id,
	    "set", set,
	    "in_use", "aliyun", k->aliyun[0] ? k->aliyun : t->aliyun,
	    "tencent", k->tencent[0] ? k->tencent : t->tencent_id);
}

int
h_admin_sms_list(struct req *r)
{
	const struct tmpl *t;
	struct set_codes k;
	json_t *list = json_array();
	int i, rc;

	if ((rc = require_role(r, ROLE_ADMIN)) != 0) {
		json_decref(list);
		return rc;
	}
	for (i = 0; (t = tmpl_at(i)) != NULL; i++) {
		if ((rc = set_get(r->ctx, t->name, &k)) < 0) {
			json_decref(list);
			return db_fail(r, rc);
		}
		json_array_append_new(list, one_json(t, &k));
	}
	return req_ok(r, 200, json_pack("{s:o}", "templates", list));
}

struct sms_tx {
	struct req	*r;
	const char	*name;
	const char	*code[2];	/* aliyun, tencent: NULL untouched, "" removed */
	const struct set_codes *before;
};

static int
sms_tx(struct ctx *c, void *arg)
{
	static const char *const prov[2] = { "aliyun", "tencent" };
	struct sms_tx *t = arg;
	json_t *d;
	char at[32], *txt;
	int i, rc;

	sql_now(at, sizeof at);
	at[19] = '\0';
	for (i = 0; i < 2; i++) {
		if (t->code[i] == NULL)
			continue;
		if (t->code[i][0] == '\0')
			rc = db_exec(c, "DELETE FROM sms_template_codes WHERE template = ? AND"
			    " provider = ?", DBARGS(DBS(t->name), DBS(prov[i])), NULL, NULL);
		else
			rc = db_exec(c, "INSERT INTO sms_template_codes (template, provider, code,"
			    " updated_by, updated_at) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
			    " code = VALUES(code), updated_by = VALUES(updated_by),"
			    " updated_at = VALUES(updated_at)", DBARGS(DBS(t->name), DBS(prov[i]),
			    DBS(t->code[i]), DBS(t->r->sess.subject), DBS(at)), NULL, NULL);
		if (rc != 0)
			return rc;
	}
	d = json_pack("{s:{s:s,s:s},s:{s:s,s:s}}",
	    "before", "aliyun", t->before->aliyun, "tencent", t->before->tencent,
	    "after", "aliyun", t->code[0] ? t->code[0] : t->before->aliyun,
	    "tencent", t->code[1] ? t->code[1] : t->before->tencent);
	txt = d ? json_dumps(d, JSON_COMPACT) : NULL;
	audit(t->r, "admin.sms_codes", t->name, "ok", txt ? txt : "");
	free(txt);
	json_decref(d);
	return 0;
}

/* body[name]: absent (untouched), null (back to the file's code) or a code. */
static void
code_in(struct req *r, const char *field, int (*ok)(const char *), const char *hint,
    const char **out)
{
	json_t *v = json_object_get(r->body, field);

	*out = NULL;
	if (v == NULL)
		return;
	if (json_is_null(v)) {
		*out = "";
		return;
	}
	if (!json_is_string(v) || !ok(json_string_value(v))) {
		req_fail_field(r, field, hint);
		return;
	}
	*out = json_string_value(v);
}

int
h_admin_sms_put(struct req *r)
{
	const char *name = r->pathv[0];
	const struct tmpl *t;
	struct set_codes before, after;
	struct sms_tx x;
	int rc;

	if ((rc = require_role(r, ROLE_ADMIN)) != 0)
		return rc;
	memset(&x, 0, sizeof x);
	code_in(r, "aliyun", aliyun_ok, "阿里云模板代码形如 SMS_123456789", &x.code[0]);
	code_in(r, "tencent", tencent_ok, "腾讯云模板 ID 为 1 至 12 位数字", &x.code[1]);
	if (!in_has_errors(r) && x.code[0] == NULL && x.code[1] == NULL)
		req_fail_field(r, "aliyun", "请至少设置一个服务商的模板代码");
	if (in_has_errors(r))
		return req_invalid(r);
	if ((t = tmpl_find(name)) == NULL)
		return req_err_msg(r, E_NOT_FOUND, "没有这个短信模板");
	if ((rc = set_get(r->ctx, name, &before)) < 0)
		return db_fail(r, rc);
	x.r = r;
	x.name = t->name;
	x.before = &before;
	if ((rc = db_tx(r->ctx, sms_tx, &x)) != 0)
		return db_fail(r, rc);
	sms_codes_changed();
	if ((rc = set_get(r->ctx, name, &after)) < 0)
		return db_fail(r, rc);
	return req_ok(r, 200, json_pack("{s:o}", "template", one_json(t, &after)));
}
