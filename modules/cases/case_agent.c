/*
 * case_agent.c — 代办 at the window (case_agent.h): the agent of POST /cases by a clerk or
 * helper, the 授权委托书 the checklist gains with it, and the agent's part of the acceptance.
 *
 * Routes: none of its own (POST /cases, GET /cases/{no}, GET /case-notices use it)
 * Tables: cases (agent_* columns), case_tracking, outbox (through case_sms)
 * Redis:  none
 *
 * Why the online columns: an online agent (080_online.sql) already follows its case under
 * /me/cases by the keyed hash of its phone and gets the case's SMS (case_actions.c reads
 * case_agent_phone).  A window agent written into the same columns is the same agent to
 * every later step; only what the clerk reads from the agent's ID card is new (116).
 */
#include "case_agent.h"
#include "cases.h"
#include "../shared/pii.h"
#include "../../fcgi/db.h"

#include <sodium.h>
#include <string.h>

const char *const case_agent_relations[] = {
	"spouse", "parent", "child", "relative", "employee", "other", NULL
};
static const char *const relation_labels[] = {
	"配偶", "父母", "子女", "其他亲属", "单位员工", "其他受托人"
};

void
case_applicant_parse(struct req *r, const char **name, const char **id_number,
    const char **phone)
{
	json_t *app = json_object_get(r->body, "applicant");

	if (!json_is_object(app)) {
		req_fail_field(r, "applicant", "须填写申请人姓名、身份证号和手机号");
		return;
	}
	in_sub_str(r, app, "name", "applicant.name", 1, 1, 20, name);
	if (in_sub_str(r, app, "id_number", "applicant.id_number", 1, 18, 18, id_number) == 0 &&
	    !idnum_ok(*id_number))
		req_fail_field(r, "applicant.id_number", "身份证号码无效");
	if (in_sub_str(r, app, "phone", "applicant.phone", 1, 11, 11, phone) == 0 &&
	    !phone_ok(*phone))
		req_fail_field(r, "applicant.phone", "手机号码无效");
}

int
case_agent_parse(struct req *r, const char *applicant_id, const char *applicant_phone,
    struct case_agent *ag)
{
	json_t *o = json_object_get(r->body, "agent"), *tmp;
	int bad = 0;

	memset(ag, 0, sizeof *ag);
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return req_fail_field(r, "agent", "代办人须填写姓名、身份证号、手机号和与申请人的关系");
	ag->present = 1;
	bad |= in_sub_str(r, o, "name", "agent.name", 1, 1, 20, &ag->name);
	if (in_sub_str(r, o, "id_number", "agent.id_number", 1, 18, 18, &ag->id_number) == 0) {
		if (!idnum_ok(ag->id_number))
			bad |= req_fail_field(r, "agent.id_number", "身份证号码无效");
		else if (applicant_id && strcmp(applicant_id, ag->id_number) == 0)
			bad |= req_fail_field(r, "agent.id_number", "代办人不能是申请人本人");
	} else
		bad = -1;
	if (in_sub_str(r, o, "phone", "agent.phone", 1, 11, 11, &ag->phone) == 0) {
		if (!phone_ok(ag->phone))
			bad |= req_fail_field(r, "agent.phone", "手机号码无效");
		else if (applicant_phone && strcmp(applicant_phone, ag->phone) == 0)
			bad |= req_fail_field(r, "agent.phone", "代办人手机号不能与申请人相同");
	} else
		bad = -1;
	tmp = json_object();
	json_object_set(tmp, "agent.relation", json_object_get(o, "relation"));
	if (in_enum(r, tmp, "agent.relation", 1, case_agent_relations, &ag->relation) != 0)
		bad = -1;
	json_decref(tmp);
	return bad ? -1 : 0;
}

int
case_agent_checklist(struct case_mats *m)
{
	struct case_mat *row;
	size_t cap = m->cap ? m->cap : CASE_MATS_MAX;

	if (m->n >= cap || m->n >= CASE_MATS_MAX)
		return -1;
	row = &m->rows[m->n++];
	memset(row, 0, sizeof *row);
	str_copy(row->code, sizeof row->code, CASE_AGENT_AUTH_CODE);
	str_copy(row->name, sizeof row->name, CASE_AGENT_AUTH_NAME);
	row->required = 1;
	str_copy(row->form, sizeof row->form, "original");
	row->copies = 1;
	str_copy(row->note, sizeof row->note, "申请人签字的授权委托书，并核验代办人身份证原件");
	return 0;
}

int
case_agent_store(struct ctx *c, long long case_id, const struct case_agent *ag)
{
	struct case_person p;
	int rc;

	if (case_person_seal(ag->name, ag->id_number, ag->phone, NULL, &p) != 0)
		return DB_FAIL;
	rc = db_exec(c, "UPDATE cases SET agent_name_enc = ?, agent_name_mask = ?,"
	    " agent_phone_enc = ?, agent_phone_hash = ?, agent_phone_mask = ?, agent_id_enc = ?,"
	    " agent_id_hash = ?, agent_id_mask = ?, agent_relation = ? WHERE id = ?",
	    DBARGS(p.name, DBS(p.m_name), p.phone, DBS(p.h_phone), DBS(p.m_phone), p.id,
	    DBS(p.h_id), DBS(p.m_id), DBS(case_agent_relations[ag->relation]), DBI(case_id)),
	    NULL, NULL);
	sodium_memzero(&p, sizeof p);
	return rc;
}

int
case_agent_accepted(struct ctx *c, const char *hall, long long case_id, const char *case_no,
    const char *title, const char *deadline, const char *now, const char *phone)
{
	unsigned char sealed[PII_SEALED_MAX];
	char tok[CASE_TOKEN_MAX], hash[65], url[320];
	json_t *params;
	int n, rc;

	if ((n = case_token_new(tok, hash, sealed, sizeof sealed)) < 0)
		return DB_FAIL;
	rc = db_exec(c, "INSERT INTO case_tracking (token_hash, case_id, token_enc, holder,"
	    " created_at) VALUES (?, ?, ?, 'agent', ?)",
	    DBARGS(DBS(hash), DBI(case_id), DBSN((const char *)sealed, (size_t)n), DBS(now)),
	    NULL, NULL);
	case_track_abs(tok, url, sizeof url);
	sodium_memzero(tok, sizeof tok);
	if (rc != 0)
		return rc;
	params = json_pack("{s:s,s:s,s:s,s:s}", "case_no", case_no, "item", title,
	    "deadline", deadline, "url", url);
	rc = case_sms(c, hall, "case_accepted", phone, params, case_no);
	json_decref(params);
	sodium_memzero(url, sizeof url);
	return rc == -1 ? DB_FAIL : rc;
}

int
case_agent_json_add(struct ctx *c, long long case_id, json_t *o)
{
	static const char *const cols[] = { "name", "id_number", "phone", "relation" };
	json_t *rows = json_array(), *ag;
	const char *rel;
	size_t i;
	int rc;

	rc = db_rows_json(c, "SELECT agent_name_mask, agent_id_mask, agent_phone_mask,"
	    " agent_relation FROM cases WHERE id = ? AND agent_phone_hash IS NOT NULL",
	    DBARGS(DBI(case_id)), cols, "sSsS", rows);
	if (rc < 0 || json_array_size(rows) != 1) {
		json_decref(rows);
		return rc < 0 ? rc : 0;
	}
	ag = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	rel = json_string_value(json_object_get(ag, "relation"));
	json_object_set_new(ag, "relation_label", json_null());
	for (i = 0; rel && case_agent_relations[i]; i++)
		if (strcmp(rel, case_agent_relations[i]) == 0)
			json_object_set_new(ag, "relation_label", json_string(relation_labels[i]));
	json_object_set_new(o, "agent", ag);
	return 0;
}
