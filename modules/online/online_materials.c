/*
 * online_materials.c — the materials of an online application: the applicant's answers
 * (an upload of theirs, or "reuse" of the file they gave for a material of the same name in
 * an earlier accepted case), the size of the case's files together, and the case_materials
 * rows they stand for.
 *
 * Tables: online_materials, cases, uploads (read), case_materials, item_materials
 * Redis:  none
 */
#include "online_int.h"
#include "../cases/cases.h"
#include "../cases/case_json.h"
#include "../cases/case_reply.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
reuse_find(struct ctx *c, const char *citizen, const char *name, char *out, size_t osz)
{
	return db_scalar(c, "SELECT om.upload_id FROM online_materials om"
	    " JOIN cases c ON c.id = om.case_id JOIN uploads u ON u.id = om.upload_id"
	    " WHERE c.citizen = ? AND om.name = ? AND om.state = 'given'"
	    " AND c.status NOT IN ('submitted', 'returned') AND u.owner_kind = 'citizen'"
	    " AND u.owner = ? ORDER BY c.accepted_at DESC, c.id DESC LIMIT 1",
	    DBARGS(DBS(citizen), DBS(name), DBS(citizen)), out, osz);
}

int
materials_parse(struct req *r, struct form *f, struct given *g)
{
	json_t *obj = json_object_get(r->body, "materials"), *v;
	const char *code;
	char field[80];	/* "materials." and up to 16 characters */
	int rc;

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
		if (json_is_object(v)) {	/* {"promise":{"signed":true}}: online_promise.c */
			online_promise_given(r, m, v, field, &g[idx]);
			continue;
		}
		if (s == NULL || *s == '\0') {
			req_fail_field(r, field, "须为上传文件编号或 \"reuse\"");
			continue;
		}
		if (strcmp(s, "reuse") == 0) {
			rc = reuse_find(r->ctx, r->sess.subject, m->name, g[idx].upload, sizeof g[idx].upload);
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

int
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
	return req_err_msg(r, E_TOO_LARGE, msg);
}

int
item_materials_set(struct ctx *c, long long case_id, const struct form_mat *m,
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
			rc = db_exec(c, "INSERT INTO case_materials (case_id, item, code, name,"
			    " required, state, received_at, upload_id)"
			    " SELECT ?, item, code, name, required, 'received', ?, ? FROM item_materials"
			    " WHERE item = ? AND code = ?",
			    DBARGS(DBI(case_id), DBS(now), DBS(upload), DBS(s), DBS(colon + 1)),
			    NULL, NULL);
		else
			rc = db_exec(c, "UPDATE case_materials SET state = ?, received_at = ?,"
			    " upload_id = COALESCE(?, upload_id) WHERE case_id = ? AND item = ? AND code = ?",
			    DBARGS(DBS(upload ? "received" : "requested"), upload ? DBS(now) : DBN,
			    DBSO(upload), DBI(case_id), DBS(s), DBS(colon + 1)), NULL, NULL);
	}
	return rc;
}
