/*
 * online.c — 全程网办: a citizen applies from the phone, a clerk pre-reviews online (网上预审).
 *
 * Routes: POST /cases                  citizen → submitted (clerks go on to cases_accept.c)
 *         POST /cases/{no}/actions     clerk pre_accept | return; citizen resubmit
 *                                      (every other action goes on to cases_actions.c)
 *         GET  /me/cases, GET /me/cases/{no}       citizen: what they applied for or follow
 *         GET  /me/reusable-materials  citizen: the material names "reuse" would find
 *         GET  /cases/{no}/uploads     staff of the hall: the applicant's files, for pre-review
 * Tables: cases, case_parts, case_materials, case_history, case_tracking, case_notices,
 *         case_counters, online_materials, uploads, citizens (the caller's phone hash),
 *         bundles/items/item_materials (bundles.c), calendar_* (calendar.c), hall_alerts,
 *         outbox, audit_log, idempotency_keys
 * Redis:  idem:<scope> (idempotency.c)
 *
 *   action      who                from                to
 *   (create)    citizen            —                   submitted
 *   return      clerk              submitted           returned     every problem at once
 *   resubmit    citizen (filer)    returned            submitted
 *   pre_accept  clerk              submitted           accepted     same as the window
 *
 * Each change is one transaction: the guarded UPDATE … WHERE status = ?, the history row, the
 * outbox rows (applicant and agent) and the audit row.  Acceptance does what a window does
 * (cases_accept.c): deadline by the holiday calendar (a year not loaded → 422
 * CALENDAR_MISSING and a hall alert), tracking token, 受理通知书 row, case_accepted SMS.  A
 * bundle's parts each get their own deadline; the case's is the longest part's.  Material
 * reuse: "reuse" for a material takes, with the applicant's consent given by that very
 * answer, the file the same citizen gave for a material of the same name in an earlier
 * accepted case.
 */
#include "handlers.h"
#include "../shared/audit.h"
#include "../hall/calendar.h"
#include "../cases/cases.h"
#include "../shared/idempotency.h"
#include "../identity/identity.h"
#include "../notify/notify.h"
#include "online.h"
#include "../shared/pii.h"
#include "../identity/realname.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../cases/handlers.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_TRIES 3
#define CONFLICT 409
#define ID_LOST  1	/* create_tx: another account bound the applicant's ID number first */

/* What the applicant gave for one material of the form. */
struct given {
	int	 set;
	int	 reused;
	char	 upload[UPLOAD_ID_MAX];
	long long size;
};

struct online {
	struct form	 form;
	struct given	 given[FORM_MAX_MATS];
	const char	*name, *id_number, *phone, *address;
	const char	*agent_name, *agent_phone;
	int		 mail;
	char		 now[20];
	char		 case_no[CASE_NO_MAX];
	long long	 case_id;
	long long	 cid;		/* the filing citizen */
	struct rn_use	 rn;		/* the applicant's ID number: own, first use or proxy */
};

/* ---------------------------------------------------------------- helpers */

static int
guarded(uint64_t affected, int rc)
{
	if (rc != 0)
		return rc;
	return affected == 1 ? 0 : CONFLICT;
}

static int
sub_str(struct req *r, json_t *obj, const char *key, const char *field, int required,
    size_t minc, size_t maxc, const char **out)
{
	json_t *tmp = json_object();
	int rc;

	json_object_set(tmp, field, obj ? json_object_get(obj, key) : NULL);
	rc = in_str(r, tmp, field, required, minc, maxc, out);
	json_decref(tmp);
	return rc;
}

static int
seal_into(const char *plain, unsigned char *out, size_t osz, struct dbv *v)
{
	int n = pii_seal(plain, out, osz);

	if (n < 0)
		return -1;
	*v = DBSN((const char *)out, (size_t)n);
	return 0;
}

static struct form_mat *
form_mat(struct form *f, const char *code, size_t *idx)
{
	size_t i;

	for (i = 0; i < f->nmats; i++)
		if (strcmp(f->mats[i].code, code) == 0) {
			if (idx)
				*idx = i;
			return &f->mats[i];
		}
	return NULL;
}

/* The file this citizen gave for a material of this name in an earlier accepted case. */
static int
reuse_find(struct req *r, const char *name, char *out, size_t osz)
{
	return db_scalar(r->ctx, "SELECT om.upload_id FROM online_materials om"
	    " JOIN cases c ON c.id = om.case_id JOIN uploads u ON u.id = om.upload_id"
	    " WHERE c.citizen = ? AND om.name = ? AND om.state = 'given'"
	    " AND c.status NOT IN ('submitted', 'returned') AND u.owner_kind = 'citizen'"
	    " AND u.owner = ? ORDER BY c.accepted_at DESC, c.id DESC LIMIT 1",
	    DBARGS(DBS(r->sess.subject), DBS(name), DBS(r->sess.subject)), out, osz);
}

/*
 * The "materials" object: {"<code>": "<upload id>" | "reuse"}.  Each named upload must be the
 * caller's.  Field errors are "materials.<code>".  0, or a DB_* code.
 */
static int
materials_parse(struct req *r, struct form *f, struct given *g, int partial)
{
	json_t *obj = json_object_get(r->body, "materials"), *v;
	const char *code;
	char field[80];	/* "materials." and up to 16 characters */
	int rc;

	(void)partial;
	if (!json_is_object(obj) || json_object_size(obj) > FORM_MAX_MATS) {
		req_fail_field(r, "materials", "须为 {材料编号: 上传文件编号 或 \"reuse\"}");
		return 0;
	}
	json_object_foreach(obj, code, v) {
		struct form_mat *m;
		struct upload_info ui;
		size_t idx = 0;
		const char *s = json_string_value(v);

		fmt(field, sizeof field, "materials.%.*s",
		    (int)utf8_cut(code, strlen(code), 16, SIZE_MAX), code);
		if ((m = form_mat(f, code, &idx)) == NULL) {
			req_fail_field(r, field, "该申请没有这项材料");
			continue;
		}
		if (s == NULL || *s == '\0') {
			req_fail_field(r, field, "须为上传文件编号或 \"reuse\"");
			continue;
		}
		if (strcmp(s, "reuse") == 0) {
			rc = reuse_find(r, m->name, g[idx].upload, sizeof g[idx].upload);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				req_fail_field(r, field, "没有可复用的既往材料，请上传");
				continue;
			}
			g[idx].reused = 1;
			s = g[idx].upload;
		} else if (!token_ok(s, UPLOAD_ID_MAX - 1)) {
			req_fail_field(r, field, "不是有效的上传文件编号");
			continue;
		}
		if ((rc = upload_info(r->ctx, s, &ui)) < 0)
			return rc;
		if (!ui.found || strcmp(ui.owner_kind, "citizen") != 0 ||
		    strcmp(ui.owner, r->sess.subject) != 0) {
			req_fail_field(r, field, "文件不存在，请重新上传");
			continue;
		}
		str_copy(g[idx].upload, sizeof g[idx].upload, s);
		g[idx].size = ui.size;
		g[idx].set = 1;
	}
	return 0;
}

/* 413 when the files of the case together are over the limit. */
static int
case_size_ok(struct req *r, const struct form *f, const struct given *g)
{
	long long total = 0, max = upload_case_max_bytes();
	size_t i, j;
	char msg[160];

	for (i = 0; i < f->nmats; i++) {
		if (!g[i].set)
			continue;
		for (j = 0; j < i; j++)
			if (g[j].set && strcmp(g[j].upload, g[i].upload) == 0)
				break;
		if (j == i)
			total += g[i].size;
	}
	if (total <= max)
		return 0;
	fmt(msg, sizeof msg, "本次申请的文件合计不能超过 %lld MB，请压缩后重新上传",
	    max / (1024 * 1024));
	return req_fail(r, 413, "TOO_LARGE", msg);
}

/* The caller's phone hash (citizens), "" when none. */
static void
my_phone_hash(struct req *r, char out[PII_HASH_HEX])
{
	out[0] = '\0';
	if (db_scalar(r->ctx, "SELECT phone_hash FROM citizens WHERE id = ?",
	    DBARGS(DBS(r->sess.subject)), out, PII_HASH_HEX) <= 0)
		out[0] = '\0';
}

/* ---------------------------------------------------------------- the citizen's view */

static int
token_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char *out = arg;

	(void)ncol;
	if (pii_open((const unsigned char *)v[0], lens[0], out, CASE_TOKEN_MAX) != 0)
		out[0] = '\0';
	return 1;
}

/* An online case as its applicant (or agent) sees it. 1, 0 not found, or a DB_* code. */
static int
my_case_json(struct req *r, long long id, const char *holder, json_t **out)
{
	static const char *const main_cols[] = { "no", "hall", "channel", "item", "bundle", "title",
	    "status", "applicant", "agent", "delivery", "submitted_at", "accepted_at",
	    "promised_days", "deadline" };
	static const char *const part_cols[] = { "item", "item_name", "department",
	    "department_name", "status", "promised_days", "deadline" };
	static const char *const mat_cols[] = { "code", "name", "required", "upload_id", "reused",
	    "state", "reason", "type", "size" };
	static const char *const step_cols[] = { "at", "status", "note" };
	json_t *rows = json_array(), *parts = json_array(), *mats = json_array(),
	    *steps = json_array(), *o;
	char tok[CASE_TOKEN_MAX] = "", url[160];
	int rc;

	*out = NULL;
	rc = db_rows_json(r->ctx,
	    "SELECT c.no, c.hall, c.channel, c.item, c.bundle, c.title, c.status,"
	    " c.applicant_name_mask, c.agent_name_mask, c.delivery,"
	    " DATE_FORMAT(c.submitted_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(c.accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), c.promised_days,"
	    " DATE_FORMAT(c.deadline, '%Y-%m-%d') FROM cases c WHERE c.id = ?",
	    DBARGS(DBI(id)), main_cols, "sssSSsssSsSSiS", rows);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT p.item, i.name, p.department, d.name, p.status, p.promised_days,"
		    " DATE_FORMAT(p.deadline, '%Y-%m-%d') FROM case_parts p"
		    " JOIN items i ON i.id = p.item JOIN departments d ON d.code = p.department"
		    " WHERE p.case_id = ? ORDER BY p.seq", DBARGS(DBI(id)), part_cols, "ssssSiS", parts);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT om.code, om.name, om.required, om.upload_id, om.reused, om.state,"
		    " om.reason, u.type, u.size FROM online_materials om"
		    " LEFT JOIN uploads u ON u.id = om.upload_id WHERE om.case_id = ?"
		    " ORDER BY LENGTH(om.code), om.code", DBARGS(DBI(id)), mat_cols, "ssbSbssSI", mats);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT DATE_FORMAT(at, '%Y-%m-%dT%H:%i:%s+08:00'), to_status, public_note"
		    " FROM case_history WHERE case_id = ? ORDER BY id", DBARGS(DBI(id)),
		    step_cols, "sss", steps);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT token_enc FROM case_tracking WHERE case_id = ?"
		    " AND holder = ? AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
		    DBARGS(DBI(id), DBS(holder)), token_row, tok);
	if (rc < 0 || json_array_size(rows) != 1) {
		json_decref(rows);
		json_decref(parts);
		json_decref(mats);
		json_decref(steps);
		return rc < 0 ? rc : 0;
	}
	o = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	json_object_set_new(o, "status_label",
	    json_string(case_status_label(json_string_value(json_object_get(o, "status")))));
	json_object_set_new(o, "role", json_string(holder));
	json_object_set_new(o, "parts", parts);
	json_object_set_new(o, "materials", mats);
	json_object_set_new(o, "steps", steps);
	if (tok[0]) {
		fmt(url, sizeof url, "/t/%s", tok);
		json_object_set_new(o, "track_url", json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	*out = o;
	return 1;
}

struct mine {
	long long	 id;
	char		 holder[12];
};

static int
mine_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct mine *m = arg;

	(void)ncol;
	(void)lens;
	parse_ll(v[0], 1, INT64_MAX, &m->id);
	str_copy(m->holder, sizeof m->holder, v[1]);
	return 1;
}

/* The case no if the caller filed it or follows it (as applicant or agent). 1, 0, DB_*. */
static int
my_case_find(struct req *r, const char *no, struct mine *m)
{
	char ph[PII_HASH_HEX];

	memset(m, 0, sizeof *m);
	if (strlen(no) >= CASE_NO_MAX)
		return 0;
	my_phone_hash(r, ph);
	return db_query(r->ctx, "SELECT id, CASE WHEN citizen = ? OR applicant_phone_hash = ?"
	    " THEN 'applicant' ELSE 'agent' END FROM cases WHERE no = ?"
	    " AND (citizen = ? OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?)))",
	    DBARGS(DBS(r->sess.subject), DBS(ph), DBS(no), DBS(r->sess.subject), DBS(ph), DBS(ph),
	    DBS(ph)), mine_row, m);
}

/*
 * The names of the materials "reuse" would find for this citizen (reuse_find's rule): the
 * form offers 复用 only for those, and says nothing of reuse to a first-time applicant.
 */
int
h_my_reusable(struct req *r)
{
	static const char *const cols[] = { "name" };
	json_t *rows = json_array(), *names = json_array(), *v;
	size_t i;
	int rc;

	rc = db_rows_json(r->ctx, "SELECT DISTINCT om.name FROM online_materials om"
	    " JOIN cases c ON c.id = om.case_id JOIN uploads u ON u.id = om.upload_id"
	    " WHERE c.citizen = ? AND om.state = 'given'"
	    " AND c.status NOT IN ('submitted', 'returned') AND u.owner_kind = 'citizen'"
	    " AND u.owner = ? ORDER BY om.name LIMIT 200",
	    DBARGS(DBS(r->sess.subject), DBS(r->sess.subject)), cols, "s", rows);
	if (rc < 0) {
		json_decref(rows);
		json_decref(names);
		return db_fail(r, rc);
	}
	json_array_foreach(rows, i, v)
		json_array_append(names, json_object_get(v, "name"));
	json_decref(rows);
	return req_ok(r, 200, json_pack("{s:o}", "materials", names));
}

int
h_my_cases(struct req *r)
{
	static const char *const cols[] = { "no", "title", "bundle", "status", "channel",
	    "submitted_at", "accepted_at", "deadline", "role" };
	char ph[PII_HASH_HEX];
	json_t *list = json_array(), *v;
	size_t i;
	int rc;

	my_phone_hash(r, ph);
	rc = db_rows_json(r->ctx,
	    "SELECT no, title, bundle, status, channel,"
	    " DATE_FORMAT(submitted_at, '%Y-%m-%dT%H:%i:%s+08:00'),"
	    " DATE_FORMAT(accepted_at, '%Y-%m-%dT%H:%i:%s+08:00'), DATE_FORMAT(deadline, '%Y-%m-%d'),"
	    " CASE WHEN citizen = ? OR applicant_phone_hash = ? THEN 'applicant' ELSE 'agent' END"
	    " FROM cases WHERE citizen = ?"
	    " OR (? <> '' AND (applicant_phone_hash = ? OR agent_phone_hash = ?))"
	    " ORDER BY id DESC LIMIT 100",
	    DBARGS(DBS(r->sess.subject), DBS(ph), DBS(r->sess.subject), DBS(ph), DBS(ph), DBS(ph)),
	    cols, "ssSssSSSs", list);
	if (rc < 0) {
		json_decref(list);
		return db_fail(r, rc);
	}
	json_array_foreach(list, i, v)
		json_object_set_new(v, "status_label",
		    json_string(case_status_label(json_string_value(json_object_get(v, "status")))));
	return req_ok(r, 200, json_pack("{s:o}", "cases", list));
}

static int
reply_mine(struct req *r, long long id, const char *holder, int status)
{
	json_t *o;
	int rc = my_case_json(r, id, holder, &o);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	return req_ok(r, status, json_pack("{s:o}", "case", o));
}

int
h_my_case(struct req *r)
{
	struct mine m;
	int rc = my_case_find(r, r->pathv[0], &m);

	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	return reply_mine(r, m.id, m.holder, 200);
}

/* GET /cases/{no}/uploads: the applicant's files for pre-review, side by side. */
int
h_case_uploads(struct req *r)
{
	static const char *const cols[] = { "code", "name", "required", "parts", "upload_id",
	    "reused", "state", "reason", "type", "size" };
	struct case_row cr;
	json_t *mats = json_array(), *acts = json_array();
	int rc;

	rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
	if (rc > 0 && !case_visible(r, &cr))
		rc = 0;
	if (rc > 0)
		rc = db_rows_json(r->ctx,
		    "SELECT om.code, om.name, om.required, om.parts, om.upload_id, om.reused,"
		    " om.state, om.reason, u.type, u.size FROM online_materials om"
		    " LEFT JOIN uploads u ON u.id = om.upload_id WHERE om.case_id = ?"
		    " ORDER BY LENGTH(om.code), om.code", DBARGS(DBI(cr.id)), cols, "ssbsSbssSI", mats);
	if (rc <= 0) {
		json_decref(mats);
		json_decref(acts);
		return rc < 0 ? db_fail(r, rc) : req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	}
	if (strcmp(cr.status, "submitted") == 0 && r->sess.role == ROLE_CLERK) {
		json_array_append_new(acts, json_string("pre_accept"));
		json_array_append_new(acts, json_string("return"));
	}
	sodium_memzero(cr.phone, sizeof cr.phone);
	return req_ok(r, 200, json_pack("{s:s,s:s,s:o,s:o}", "no", cr.no, "status", cr.status,
	    "materials", mats, "actions", acts));
}

/* ---------------------------------------------------------------- POST /cases (citizen) */

static int
create_parse(struct req *r, struct online *o)
{
	static const char *const deliveries[] = { "pickup", "mail", NULL };
	const char *item = NULL, *bundle = NULL;
	json_t *app, *agent;
	int delivery = 0, rc;

	in_str(r, r->body, "item", 0, 1, 40, &item);
	in_str(r, r->body, "bundle", 0, 1, 40, &bundle);
	if ((item == NULL) == (bundle == NULL) && !in_has_errors(r))
		req_fail_field(r, item ? "bundle" : "item", "须选择一个事项（item）或一件事（bundle）");
	app = json_object_get(r->body, "applicant");
	if (!json_is_object(app))
		req_fail_field(r, "applicant", "须填写申请人姓名、身份证号和手机号");
	else {
		sub_str(r, app, "name", "applicant.name", 1, 1, 20, &o->name);
		if (sub_str(r, app, "id_number", "applicant.id_number", 1, 18, 18, &o->id_number) == 0 &&
		    !idnum_ok(o->id_number))
			req_fail_field(r, "applicant.id_number", "身份证号码无效");
		if (sub_str(r, app, "phone", "applicant.phone", 1, 11, 11, &o->phone) == 0 &&
		    !phone_ok(o->phone))
			req_fail_field(r, "applicant.phone", "手机号码无效");
	}
	agent = json_object_get(r->body, "agent");
	if (agent && !json_is_null(agent)) {
		if (!json_is_object(agent))
			req_fail_field(r, "agent", "代办人须填写姓名和手机号");
		else {
			sub_str(r, agent, "name", "agent.name", 1, 1, 20, &o->agent_name);
			if (sub_str(r, agent, "phone", "agent.phone", 1, 11, 11, &o->agent_phone) == 0 &&
			    !phone_ok(o->agent_phone))
				req_fail_field(r, "agent.phone", "手机号码无效");
			if (o->agent_phone && o->phone && strcmp(o->agent_phone, o->phone) == 0)
				req_fail_field(r, "agent.phone", "代办人不能是申请人本人");
		}
	}
	in_enum(r, r->body, "delivery", 0, deliveries, &delivery);
	o->mail = delivery == 1;
	in_str(r, r->body, "address", o->mail, 5, 60, &o->address);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = form_load(r->ctx, item, bundle, &o->form)) < 0)
		return db_fail(r, rc);
	if (!o->form.found)
		return req_fail_field(r, item ? "item" : "bundle", "没有这个事项"), req_invalid(r);
	if ((rc = materials_parse(r, &o->form, o->given, 0)) < 0)
		return db_fail(r, rc);
	if (in_has_errors(r))
		return req_invalid(r);
	return 0;
}

/* 422 MATERIALS_INCOMPLETE naming every required material not given, or 0. */
static int
missing_check(struct req *r, struct online *o)
{
	json_t *missing = json_array();
	size_t i;
	char msg[160];

	for (i = 0; i < o->form.nmats; i++)
		if (o->form.mats[i].required && !o->given[i].set)
			json_array_append_new(missing, json_pack("{s:s,s:s,s:s}", "code",
			    o->form.mats[i].code, "name", o->form.mats[i].name, "note",
			    o->form.mats[i].note));
	if (json_array_size(missing) == 0) {
		json_decref(missing);
		return 0;
	}
	fmt(msg, sizeof msg, "还缺 %zu 项必需材料，请一次上传齐全后再提交", json_array_size(missing));
	req_fail(r, 422, "MATERIALS_INCOMPLETE", msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:o}", "missing", missing);
	return 422;
}

/* case_materials rows for one form material (each item material it stands for). */
static int
item_materials_set(struct req *r, long long case_id, const struct form_mat *m,
    const char *upload, const char *now, int insert)
{
	char buf[500], *s, *save = NULL, *colon;
	int rc = 0;

	str_copy(buf, sizeof buf, m->parts);
	for (s = strtok_r(buf, ",", &save); rc == 0 && s; s = strtok_r(NULL, ",", &save)) {
		if ((colon = strchr(s, ':')) == NULL)
			continue;
		*colon = '\0';
		if (insert)
			rc = db_exec(r->ctx, "INSERT INTO case_materials (case_id, item, code, name,"
			    " required, state, received_at, upload_id)"
			    " SELECT ?, item, code, name, required, 'received', ?, ? FROM item_materials"
			    " WHERE item = ? AND code = ?",
			    DBARGS(DBI(case_id), DBS(now), DBS(upload), DBS(s), DBS(colon + 1)),
			    NULL, NULL);
		else
			rc = db_exec(r->ctx, "UPDATE case_materials SET state = ?, received_at = ?,"
			    " upload_id = COALESCE(?, upload_id) WHERE case_id = ? AND item = ? AND code = ?",
			    DBARGS(DBS(upload ? "received" : "requested"), upload ? DBS(now) : DBN,
			    DBSO(upload), DBI(case_id), DBS(s), DBS(colon + 1)), NULL, NULL);
	}
	return rc;
}

static int
create_tx(struct req *r, struct online *o, struct idem *im, json_t **reply)
{
	unsigned char s_name[PII_SEALED_MAX], s_id[PII_SEALED_MAX], s_phone[PII_SEALED_MAX],
	    s_addr[PII_SEALED_MAX], s_aname[PII_SEALED_MAX], s_aphone[PII_SEALED_MAX];
	struct dbv v_name, v_id, v_phone, v_addr = DBN, v_aname = DBN, v_aphone = DBN;
	char h_id[PII_HASH_HEX], h_phone[PII_HASH_HEX], h_aphone[PII_HASH_HEX], m_name[64],
	    m_id[32], m_phone[32], m_addr[100] = "", m_aname[64], m_aphone[32];
	struct form *f = &o->form;
	uint64_t id = 0;
	size_t i;
	int rc;

	if (seal_into(o->name, s_name, sizeof s_name, &v_name) ||
	    seal_into(o->id_number, s_id, sizeof s_id, &v_id) ||
	    seal_into(o->phone, s_phone, sizeof s_phone, &v_phone) ||
	    (o->mail && seal_into(o->address, s_addr, sizeof s_addr, &v_addr)) ||
	    (o->agent_name && (seal_into(o->agent_name, s_aname, sizeof s_aname, &v_aname) ||
	    seal_into(o->agent_phone, s_aphone, sizeof s_aphone, &v_aphone))))
		return DB_FAIL;
	pii_hash("id_number", o->id_number, h_id);
	pii_hash("phone", o->phone, h_phone);
	mask_name(o->name, m_name, sizeof m_name);
	mask_id(o->id_number, m_id, sizeof m_id);
	mask_phone(o->phone, m_phone, sizeof m_phone);
	if (o->mail)
		mask_address(o->address, m_addr, sizeof m_addr);
	if (o->agent_name) {
		pii_hash("phone", o->agent_phone, h_aphone);
		mask_name(o->agent_name, m_aname, sizeof m_aname);
		mask_phone(o->agent_phone, m_aphone, sizeof m_aphone);
	}

	if ((rc = db_begin(r->ctx)) != 0)
		return rc;
	rc = case_no_next(r->ctx, f->hall, case_today(), o->case_no, sizeof o->case_no);
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO cases (no, hall, channel, item, bundle, title, status,"
		    " applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
		    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash,"
		    " applicant_phone_mask, citizen, delivery, address_enc, address_mask,"
		    " promised_days, agent_name_enc, agent_name_mask, agent_phone_enc,"
		    " agent_phone_hash, agent_phone_mask, submitted_at, created_at, updated_at,"
		    " proxy_id)"
		    " VALUES (?, ?, 'online', ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(o->case_no), DBS(f->hall), f->item[0] ? DBS(f->item) : DBN,
		    f->bundle[0] ? DBS(f->bundle) : DBN, DBS(f->title), v_name, DBS(m_name), v_id,
		    DBS(h_id), DBS(m_id), v_phone, DBS(h_phone), DBS(m_phone), DBS(r->sess.subject),
		    DBS(o->mail ? "mail" : "pickup"), v_addr, o->mail ? DBS(m_addr) : DBN,
		    DBI(f->promised_days), v_aname, o->agent_name ? DBS(m_aname) : DBN, v_aphone,
		    o->agent_name ? DBS(h_aphone) : DBN, o->agent_name ? DBS(m_aphone) : DBN,
		    DBS(o->now), DBS(o->now), DBS(o->now),
		    o->rn.proxy_id ? DBI(o->rn.proxy_id) : DBN), NULL, &id);
	o->case_id = (long long)id;
	/* The applicant's ID number is bound to the filer with the case, or not at all. */
	if (rc == 0 && (rc = realname_bind_tx(r, o->cid, o->name, o->id_number, &o->rn)) ==
	    RN_LOST) {
		db_rollback(r->ctx);
		return ID_LOST;
	}
	for (i = 0; rc == 0 && i < f->nparts; i++)
		rc = db_exec(r->ctx, "INSERT INTO case_parts (case_id, seq, item, department, status,"
		    " promised_days) VALUES (?, ?, ?, ?, 'pending', ?)",
		    DBARGS(DBI(id), DBI(i + 1), DBS(f->parts[i].item), DBS(f->parts[i].department),
		    DBI(f->parts[i].promised_days)), NULL, NULL);
	for (i = 0; rc == 0 && i < f->nmats; i++) {
		const struct given *g = &o->given[i];

		if (!g->set && !f->mats[i].required)
			continue;	/* an optional material not given is simply not part of it */
		rc = db_exec(r->ctx, "INSERT INTO online_materials (case_id, code, name, required,"
		    " parts, upload_id, reused, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBI(id), DBS(f->mats[i].code), DBS(f->mats[i].name),
		    DBI(f->mats[i].required), DBS(f->mats[i].parts), g->set ? DBS(g->upload) : DBN,
		    DBI(g->reused), DBS(g->set ? "given" : "absent"), DBS(o->now)), NULL, NULL);
		if (rc == 0 && g->set)
			rc = item_materials_set(r, (long long)id, &f->mats[i], g->upload, o->now, 1);
	}
	if (rc == 0)
		rc = case_history_add(r, (long long)id, o->now, "submit", NULL, "submitted",
		    NULL, o->agent_name ? "代办" : "",
		    "网上申请已提交，等待预审");
	if (rc == 0) {
		rc = my_case_json(r, (long long)id, "applicant", reply);
		if (rc == 1) {
			json_t *b = json_pack("{s:O}", "case", *reply);

			json_decref(*reply);
			*reply = b;
			rc = idem_save_tx(r, im, 201, b);
		} else if (rc == 0)
			rc = DB_FAIL;
	}
	if (rc == 0) {
		audit(r, "case.submit", o->case_no, "ok", f->bundle[0] ? f->bundle : f->item);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	return rc == -1 ? DB_FAIL : rc;
}

static int
online_create(struct req *r)
{
	struct online *o;
	struct idem im;
	json_t *reply = NULL;
	int rc, tries;

	if ((o = calloc(1, sizeof *o)) == NULL)
		return req_bug(r, "out of memory");
	if ((rc = create_parse(r, o)) != 0 || (rc = missing_check(r, o)) != 0 ||
	    (rc = case_size_ok(r, &o->form, o->given)) != 0)
		goto out;
	case_now(o->now);
	if ((rc = require_citizen(r, &o->cid)) != 0)
		goto out;
	if ((rc = idem_begin(r, &im)) != 0)
		goto out;
	/* 实名: the applicant's ID number is the filer's own, or one they act for. */
	if ((rc = realname_check(r, o->cid, o->name, o->id_number, "applicant.name",
	    "applicant.id_number", &o->rn)) != 0) {
		idem_end(r, &im);
		goto out;
	}
	for (tries = 0; tries < TX_TRIES; tries++) {
		json_decref(reply);
		reply = NULL;
		if ((rc = create_tx(r, o, &im, &reply)) != DB_RETRY)
			break;
	}
	if (rc == 0) {
		log_info("case %s submitted online", o->case_no);
		req_ok(r, 201, reply);
		reply = NULL;
		rc = 201;
	} else if (rc == DB_DUP && im.active)
		rc = idem_replay(r, &im);
	else if (rc == ID_LOST)
		rc = realname_refusal(r, o->cid, o->name, o->id_number, "applicant.name",
		    "applicant.id_number");
	else
		rc = case_db_fail(r, rc);
	idem_end(r, &im);
out:
	json_decref(reply);
	sodium_memzero(o, sizeof *o);
	free(o);
	return rc;
}

int
h_cases_post(struct req *r)
{
	if (r->sess.role == ROLE_CITIZEN)
		return online_create(r);
	return h_case_create(r);
}

/* ---------------------------------------------------------------- the pre-review actions */

struct agent_row {
	char	 phone[32];
	char	 title[204];
};

static int
agent_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct agent_row *a = arg;

	(void)ncol;
	if (v[0] && pii_open((const unsigned char *)v[0], lens[0], a->phone, sizeof a->phone) != 0)
		a->phone[0] = '\0';
	str_copy(a->title, sizeof a->title, v[1]);
	return 1;
}

/* The SMS to the applicant, and to the agent when there is one. */
static int
notify_both(struct req *r, const struct case_row *cr, const char *agent_phone,
    const char *tmpl, json_t *params, json_t *agent_params)
{
	int rc = case_sms(r->ctx, cr->hall, tmpl, cr->phone, params, cr->no);

	if (rc == 0 && agent_phone && agent_phone[0])
		rc = case_sms(r->ctx, cr->hall, tmpl, agent_phone, agent_params ? agent_params : params,
		    cr->no);
	return rc == -1 ? DB_FAIL : rc;
}

struct part_dl {
	long long	 seq;
	long long	 days;
	char		 deadline[12];
};

struct accept_ctx {
	struct part_dl	 parts[FORM_MAX_PARTS];
	size_t		 nparts;
	char		 deadline[12];
	char		 first_item[48];
};

static int
pdl_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct accept_ctx *a = arg;

	(void)ncol;
	(void)lens;
	if (a->nparts == FORM_MAX_PARTS)
		return 1;
	parse_ll(v[0], 0, 255, &a->parts[a->nparts].seq);
	parse_ll(v[1], 0, 10000, &a->parts[a->nparts].days);
	if (a->nparts == 0)
		str_copy(a->first_item, sizeof a->first_item, v[2]);
	a->nparts++;
	return 0;
}

static int
act_pre_accept(struct req *r, struct case_row *cr, const char *now, const char *note)
{
	unsigned char s_track[PII_SEALED_MAX], s_atrack[PII_SEALED_MAX], s_notice[PII_SEALED_MAX];
	char track[CASE_TOKEN_MAX], atrack[CASE_TOKEN_MAX], notice[CASE_TOKEN_MAX], th[65], ath[65],
	    nh[65], url[320], aurl[320], m_name[64] = "";
	struct accept_ctx ac;
	struct agent_row ag;
	long long staff = 0;
	int rc, missing_year = 0, nt, nat = 0, nn;
	size_t i;
	uint64_t n = 0;
	json_t *params, *aparams = NULL;

	memset(&ac, 0, sizeof ac);
	memset(&ag, 0, sizeof ag);
	rc = db_query(r->ctx, "SELECT seq, promised_days, item FROM case_parts WHERE case_id = ?"
	    " ORDER BY seq", DBARGS(DBI(cr->id)), pdl_row, &ac);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT agent_phone_enc, title FROM cases WHERE id = ?",
		    DBARGS(DBI(cr->id)), agent_row, &ag);
	if (rc >= 0)
		rc = db_scalar(r->ctx, "SELECT applicant_name_mask FROM cases WHERE id = ?",
		    DBARGS(DBI(cr->id)), m_name, sizeof m_name);
	if (rc < 0)
		return rc;
	/* Every part's deadline from the calendar; the case's is the longest part's. */
	for (i = 0; i < ac.nparts; i++) {
		int64_t dl;

		rc = calendar_add_workdays(r->ctx, case_today(), (int)ac.parts[i].days, &dl,
		    &missing_year);
		if (rc == CAL_MISSING)
			return case_calendar_missing(r, cr->hall, missing_year);
		if (rc < 0)
			return rc;
		date_format_days(dl, ac.parts[i].deadline, sizeof ac.parts[i].deadline);
		if (strcmp(ac.parts[i].deadline, ac.deadline) > 0)
			str_copy(ac.deadline, sizeof ac.deadline, ac.parts[i].deadline);
	}
	if ((nt = case_token_new(track, th, s_track, sizeof s_track)) < 0 ||
	    (nn = case_token_new(notice, nh, s_notice, sizeof s_notice)) < 0 ||
	    (ag.phone[0] && (nat = case_token_new(atrack, ath, s_atrack, sizeof s_atrack)) < 0))
		return DB_FAIL;
	parse_ll(r->sess.subject, 1, INT64_MAX, &staff);

	if ((rc = db_begin(r->ctx)) != 0)
		return rc;
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'accepted', accepted_by = ?, accepted_at = ?,"
	    " window_no = ?, deadline = ?, version = version + 1, updated_at = ?"
	    " WHERE id = ? AND status = 'submitted'",
	    DBARGS(staff ? DBI(staff) : DBN, DBS(now), r->sess.window ? DBI(r->sess.window) : DBN,
	    DBS(ac.deadline), DBS(now), DBI(cr->id)), &n, NULL);
	rc = guarded(n, rc);
	for (i = 0; rc == 0 && i < ac.nparts; i++)
		rc = db_exec(r->ctx, "UPDATE case_parts SET deadline = ? WHERE case_id = ? AND seq = ?",
		    DBARGS(DBS(ac.parts[i].deadline), DBI(cr->id), DBI(ac.parts[i].seq)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO case_tracking (token_hash, case_id, token_enc,"
		    " holder, created_at) VALUES (?, ?, ?, 'applicant', ?)",
		    DBARGS(DBS(th), DBI(cr->id), DBSN((const char *)s_track, (size_t)nt), DBS(now)),
		    NULL, NULL);
	if (rc == 0 && ag.phone[0])
		rc = db_exec(r->ctx, "INSERT INTO case_tracking (token_hash, case_id, token_enc,"
		    " holder, created_at) VALUES (?, ?, ?, 'agent', ?)",
		    DBARGS(DBS(ath), DBI(cr->id), DBSN((const char *)s_atrack, (size_t)nat), DBS(now)),
		    NULL, NULL);
	if (rc == 0)
		rc = db_exec(r->ctx, "INSERT INTO case_notices (token_hash, token_enc, kind, hall,"
		    " item, case_id, applicant_mask, materials, note, window_no, created_by,"
		    " created_at) VALUES (?, ?, 'accepted', ?, ?, ?, ?, NULL, '网上申请', ?, ?, ?)",
		    DBARGS(DBS(nh), DBSN((const char *)s_notice, (size_t)nn), DBS(cr->hall),
		    DBS(ac.first_item), DBI(cr->id), DBS(m_name),
		    r->sess.window ? DBI(r->sess.window) : DBN, staff ? DBI(staff) : DBN, DBS(now)),
		    NULL, NULL);
	if (rc == 0)
		rc = case_history_add(r, cr->id, now, "accept", "submitted", "accepted", NULL, note,
		    "网上预审通过，予以受理");
	case_track_abs(track, url, sizeof url);
	params = json_pack("{s:s,s:s,s:s,s:s}", "case_no", cr->no, "item", ag.title,
	    "deadline", ac.deadline, "url", url);
	if (ag.phone[0]) {
		case_track_abs(atrack, aurl, sizeof aurl);
		aparams = json_pack("{s:s,s:s,s:s,s:s}", "case_no", cr->no, "item", ag.title,
		    "deadline", ac.deadline, "url", aurl);
	}
	if (rc == 0)
		rc = notify_both(r, cr, ag.phone, "case_accepted", params, aparams);
	json_decref(params);
	json_decref(aparams);
	if (rc == 0) {
		audit(r, "case.pre_accept", cr->no, "ok", ac.deadline);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	sodium_memzero(track, sizeof track);
	sodium_memzero(atrack, sizeof atrack);
	sodium_memzero(notice, sizeof notice);
	sodium_memzero(&ag, sizeof ag);
	return rc == -1 ? DB_FAIL : rc;
}

struct om_row {
	char	 code[16];
	char	 name[204];
	char	 parts[500];
	char	 state[12];
	char	 upload[UPLOAD_ID_MAX];
	long long size;
	int	 problem;		/* returned in this request */
	const char *reason;
};

struct om_list {
	struct om_row	 rows[FORM_MAX_MATS];
	size_t		 n;
};

static int
om_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct om_list *l = arg;
	struct om_row *m;

	(void)ncol;
	(void)lens;
	if (l->n == FORM_MAX_MATS)
		return 1;
	m = &l->rows[l->n++];
	memset(m, 0, sizeof *m);
	str_copy(m->code, sizeof m->code, v[0]);
	str_copy(m->name, sizeof m->name, v[1]);
	str_copy(m->parts, sizeof m->parts, v[2]);
	str_copy(m->state, sizeof m->state, v[3]);
	str_copy(m->upload, sizeof m->upload, v[4] ? v[4] : "");
	parse_ll(v[5] ? v[5] : "0", 0, INT64_MAX, &m->size);
	return 0;
}

static int
om_load(struct req *r, long long case_id, struct om_list *l)
{
	memset(l, 0, sizeof *l);
	return db_query(r->ctx, "SELECT om.code, om.name, om.parts, om.state, om.upload_id, u.size"
	    " FROM online_materials om LEFT JOIN uploads u ON u.id = om.upload_id"
	    " WHERE om.case_id = ? ORDER BY LENGTH(om.code), om.code", DBARGS(DBI(case_id)),
	    om_row, l);
}

static struct om_row *
om_find(struct om_list *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->rows[i].code, code) == 0)
			return &l->rows[i];
	return NULL;
}

/* "problems": [{"material","reason"}], every one a material of the case, no repeats. */
static int
problems_parse(struct req *r, struct om_list *l)
{
	json_t *a = json_object_get(r->body, "problems"), *p;
	size_t i, n = 0;
	char field[40];

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > FORM_MAX_MATS)
		return req_fail_field(r, "problems", "请逐项列出需修改的材料及原因（一次性告知）");
	json_array_foreach(a, i, p) {
		const char *code = json_string_value(json_object_get(p, "material"));
		const char *reason = json_string_value(json_object_get(p, "reason"));
		struct om_row *m;

		fmt(field, sizeof field, "problems.%zu", i);
		if (code == NULL || (m = om_find(l, code)) == NULL) {
			req_fail_field(r, field, "不是本申请的材料");
			continue;
		}
		if (m->problem) {
			req_fail_field(r, field, "同一材料只需列出一次");
			continue;
		}
		if (reason == NULL || utf8_len(reason, strlen(reason)) < 2 ||
		    utf8_len(reason, strlen(reason)) > 100 || !utf8_ok(reason, strlen(reason))) {
			req_fail_field(r, field, "请写明原因（2–100 字）");
			continue;
		}
		/* A reason is told to the applicant: the same rule as every reason a clerk
		 * types (what an SMS can carry, notify.h). */
		if (sms_text_field(r, field, reason, 1) != 0)
			continue;
		m->problem = 1;
		m->reason = reason;
		n++;
	}
	return n > 0 ? 0 : -1;
}

static int
act_return(struct req *r, struct case_row *cr, struct om_list *l, const char *now,
    const char *note)
{
	char list[120] = "", item[8];
	struct buf pub;
	struct agent_row ag;
	uint64_t n = 0;
	size_t i, count = 0;
	int rc;
	json_t *params;

	memset(&ag, 0, sizeof ag);
	rc = db_query(r->ctx, "SELECT agent_phone_enc, title FROM cases WHERE id = ?",
	    DBARGS(DBI(cr->id)), agent_row, &ag);
	if (rc < 0)
		return rc;
	/* The timeline's public note lists every problem; it is cut (by characters, with …)
	 * only where the column ends, the reasons themselves are kept whole in
	 * online_materials. */
	buf_init(&pub, 64 * 1024);
	buf_adds(&pub, "网上预审退回，请修改：");
	for (i = 0; i < l->n; i++) {
		struct om_row *m = &l->rows[i];

		if (!m->problem)
			continue;
		buf_addf(&pub, "%s%s（%s）", count ? "；" : "", m->name, m->reason);
		if (utf8_len(list, strlen(list)) + utf8_len(m->name, strlen(m->name)) < 24 &&
		    strlen(list) + strlen(m->name) + 4 < sizeof list) {
			if (list[0])
				str_copy(list + strlen(list), sizeof list - strlen(list), "、");
			str_copy(list + strlen(list), sizeof list - strlen(list), m->name);
		}
		count++;
	}
	if (list[0] == '\0')
		str_copy(list, sizeof list, "申请材料");
	(void)item;
	if (pub.data == NULL || pub.overflow) {
		buf_free(&pub);
		return DB_FAIL;
	}
	utf8_trunc(pub.data, pub.len + 1, CASE_PUBLIC_NOTE_MAX, "…");

	if ((rc = db_begin(r->ctx)) != 0) {
		buf_free(&pub);
		return rc;
	}
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'returned', version = version + 1,"
	    " updated_at = ? WHERE id = ? AND status = 'submitted'",
	    DBARGS(DBS(now), DBI(cr->id)), &n, NULL);
	rc = guarded(n, rc);
	for (i = 0; rc == 0 && i < l->n; i++) {
		struct form_mat fm;

		if (!l->rows[i].problem)
			continue;
		rc = db_exec(r->ctx, "UPDATE online_materials SET state = 'returned', reason = ?,"
		    " updated_at = ? WHERE case_id = ? AND code = ?",
		    DBARGS(DBS(l->rows[i].reason), DBS(now), DBI(cr->id), DBS(l->rows[i].code)),
		    NULL, NULL);
		memset(&fm, 0, sizeof fm);
		str_copy(fm.parts, sizeof fm.parts, l->rows[i].parts);
		if (rc == 0)
			rc = item_materials_set(r, cr->id, &fm, NULL, now, 0);
	}
	if (rc == 0)
		rc = case_history_add(r, cr->id, now, "return", "submitted", "returned", NULL, note,
		    pub.data);
	buf_free(&pub);
	params = json_pack("{s:s,s:s,s:I,s:s}", "case_no", cr->no, "item", ag.title,
	    "count", (json_int_t)count, "list", list);
	if (rc == 0)
		rc = notify_both(r, cr, ag.phone, "case_returned", params, NULL);
	json_decref(params);
	if (rc == 0) {
		char detail[32];

		fmt(detail, sizeof detail, "%zu problems", count);
		audit(r, "case.return", cr->no, "ok", detail);
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
	sodium_memzero(&ag, sizeof ag);
	return rc == -1 ? DB_FAIL : rc;
}

static int
act_resubmit(struct req *r, struct case_row *cr, struct om_list *l, const char *now)
{
	struct form *f;
	struct given *g;
	size_t i;
	int rc;
	uint64_t n = 0;
	char field[40];
	long long total = 0, max = upload_case_max_bytes();

	/* The case's own materials as a form, so the answers parse the same way. */
	if ((f = calloc(1, sizeof *f)) == NULL || (g = calloc(FORM_MAX_MATS, sizeof *g)) == NULL) {
		free(f);
		return DB_FAIL;
	}
	for (i = 0; i < l->n; i++) {
		str_copy(f->mats[i].code, sizeof f->mats[i].code, l->rows[i].code);
		str_copy(f->mats[i].name, sizeof f->mats[i].name, l->rows[i].name);
		str_copy(f->mats[i].parts, sizeof f->mats[i].parts, l->rows[i].parts);
	}
	f->nmats = l->n;
	rc = materials_parse(r, f, g, 1);
	for (i = 0; rc == 0 && i < l->n; i++)
		if (strcmp(l->rows[i].state, "returned") == 0 && !g[i].set) {
			fmt(field, sizeof field, "materials.%s", l->rows[i].code);
			req_fail_field(r, field, "退回的材料须重新上传");
		}
	if (rc == 0 && in_has_errors(r)) {
		rc = req_invalid(r);
		goto out;
	}
	if (rc < 0)
		goto out;
	/* The case's files together after the change (duplicates counted once is close enough). */
	for (i = 0; i < l->n; i++)
		total += g[i].set ? g[i].size : l->rows[i].size;
	if (total > max) {
		char msg[160];

		fmt(msg, sizeof msg, "本次申请的文件合计不能超过 %lld MB，请压缩后重新上传",
		    max / (1024 * 1024));
		rc = req_fail(r, 413, "TOO_LARGE", msg);
		goto out;
	}

	if ((rc = db_begin(r->ctx)) != 0)
		goto out;
	rc = db_exec(r->ctx, "UPDATE cases SET status = 'submitted', submitted_at = ?,"
	    " version = version + 1, updated_at = ? WHERE id = ? AND status = 'returned'",
	    DBARGS(DBS(now), DBS(now), DBI(cr->id)), &n, NULL);
	rc = guarded(n, rc);
	for (i = 0; rc == 0 && i < l->n; i++) {
		if (!g[i].set)
			continue;
		rc = db_exec(r->ctx, "UPDATE online_materials SET upload_id = ?, reused = ?,"
		    " state = 'given', reason = '', updated_at = ? WHERE case_id = ? AND code = ?",
		    DBARGS(DBS(g[i].upload), DBI(g[i].reused), DBS(now), DBI(cr->id),
		    DBS(l->rows[i].code)), NULL, NULL);
		if (rc == 0)
			rc = item_materials_set(r, cr->id, &f->mats[i], g[i].upload, now, 0);
	}
	if (rc == 0)
		rc = case_history_add(r, cr->id, now, "resubmit", "returned", "submitted", NULL, "",
		    "材料已修改并重新提交，等待预审");
	if (rc == 0) {
		audit(r, "case.resubmit", cr->no, "ok", "");
		rc = db_commit(r->ctx);
	} else
		db_rollback(r->ctx);
out:
	free(f);
	free(g);
	return rc == -1 ? DB_FAIL : rc;
}

static int
transition_refused(struct req *r, const char *status, const char *action)
{
	char msg[200];

	fmt(msg, sizeof msg, "办件当前状态为“%s”，不能进行该操作", case_status_label(status));
	req_fail(r, 409, "INVALID_TRANSITION", msg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:s,s:s}", "status", status, "action", action);
	return 409;
}

static int
online_action(struct req *r, const char *action)
{
	struct case_row cr;
	struct om_list *l = NULL;
	struct mine m = { 0, "" };
	const char *note = NULL, *from;
	char now[20], hall[32] = "";
	int citizen = r->sess.role == ROLE_CITIZEN, rc, tries;

	in_str(r, r->body, "note", 0, 1, 200, &note);
	if (in_has_errors(r))
		return req_invalid(r);
	if (citizen != (strcmp(action, "resubmit") == 0) ||
	    (!citizen && r->sess.role != ROLE_CLERK)) {
		audit(r, "case.action", r->pathv[0], "forbidden", action);
		return req_fail(r, 403, "FORBIDDEN", "您不能进行该操作");
	}
	if (citizen) {
		/* Only the citizen who filed it resubmits. */
		rc = db_scalar(r->ctx, "SELECT hall FROM cases WHERE no = ? AND citizen = ?",
		    DBARGS(DBS(r->pathv[0]), DBS(r->sess.subject)), hall, sizeof hall);
		if (rc > 0)
			rc = case_load(r->ctx, hall, r->pathv[0], &cr);
	} else {
		rc = case_load(r->ctx, r->sess.hall, r->pathv[0], &cr);
		if (rc > 0 && !case_visible(r, &cr))
			rc = 0;
	}
	if (rc < 0)
		return db_fail(r, rc);
	if (rc == 0)
		return req_fail(r, 404, "NOT_FOUND", "没有这个办件");
	from = strcmp(action, "resubmit") == 0 ? "returned" : "submitted";
	if (strcmp(cr.status, from) != 0) {
		rc = transition_refused(r, cr.status, action);
		goto out;
	}
	if ((l = malloc(sizeof *l)) == NULL) {
		rc = req_bug(r, "out of memory");
		goto out;
	}
	if ((rc = om_load(r, cr.id, l)) < 0) {
		rc = db_fail(r, rc);
		goto out;
	}
	if (strcmp(action, "return") == 0 && problems_parse(r, l) != 0) {
		rc = req_invalid(r);
		goto out;
	}
	case_now(now);
	for (tries = 0; tries < TX_TRIES; tries++) {
		if (strcmp(action, "pre_accept") == 0)
			rc = act_pre_accept(r, &cr, now, note);
		else if (strcmp(action, "return") == 0)
			rc = act_return(r, &cr, l, now, note);
		else
			rc = act_resubmit(r, &cr, l, now);
		if (rc != DB_RETRY)
			break;
	}
	if (rc == CONFLICT) {
		struct case_row again;

		if (case_load(r->ctx, cr.hall, cr.no, &again) > 0)
			str_copy(cr.status, sizeof cr.status, again.status);
		sodium_memzero(&again, sizeof again);
		rc = transition_refused(r, cr.status, action);
		goto out;
	}
	if (rc > 0 && r->status >= 400)	/* 400, 413, 422 already on r */
		goto out;
	if (rc != 0) {
		rc = case_db_fail(r, rc);
		goto out;
	}
	if (citizen) {
		m.id = cr.id;
		rc = reply_mine(r, m.id, "applicant", 200);
	} else {
		json_t *o;
		char no[CASE_NO_MAX];

		str_copy(no, sizeof no, cr.no);
		rc = case_load(r->ctx, r->sess.hall, no, &cr);
		if (rc > 0)
			rc = case_json(r, &cr, 0, &o);
		if (rc <= 0)
			rc = rc < 0 ? db_fail(r, rc) : req_bug(r, "case vanished");
		else
			rc = req_ok(r, 200, json_pack("{s:o}", "case", o));
	}
out:
	free(l);
	sodium_memzero(&cr, sizeof cr);
	return rc;
}

int
h_cases_action_any(struct req *r)
{
	const char *action = json_string_value(json_object_get(r->body, "action"));

	if (action && (strcmp(action, "pre_accept") == 0 || strcmp(action, "return") == 0 ||
	    strcmp(action, "resubmit") == 0))
		return online_action(r, action);
	if (r->sess.role == ROLE_CITIZEN) {
		if (action == NULL)
			return req_fail_field(r, "action", "必填"), req_invalid(r);
		audit(r, "case.action", r->pathv[0], "forbidden", action);
		return req_fail(r, 403, "FORBIDDEN", "您不能进行该操作");
	}
	return h_case_action(r);
}
