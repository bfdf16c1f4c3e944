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

/*
 * A person's name, ID number and phone, as the applicant and the agent of POST /cases both
 * give them: each column's length, its check, and what is refused when the agent's value is
 * the applicant's own.
 */
enum { PERSON_NAME, PERSON_ID, PERSON_PHONE, PERSON__MAX };
static const struct person_field {
	const char	*key;
	size_t		 minc, maxc;
	int		(*ok)(const char *);
	const char	*bad, *same;
} person_fields[PERSON__MAX] = {
	[PERSON_NAME] = { "name", 1, 20, NULL, NULL, NULL },
	[PERSON_ID] = { "id_number", 18, 18, idnum_ok, "身份证号码无效",
	    "代办人不能是申请人本人" },
	[PERSON_PHONE] = { "phone", 11, 11, phone_ok, "手机号码无效",
	    "代办人手机号不能与申请人相同" },
};

/* The fields of person object o, named <who>.<key>, into out (NULL when missing); a
 * value equal to its non-NULL same_as is refused.  0, or -1 with the refusals recorded. */
static int
person_parse(struct req *r, json_t *o, const char *who, const char *const same_as[PERSON__MAX],
    const char **out[PERSON__MAX])
{
	const struct person_field *pf;
	char field[32];
	int i, bad = 0;

	for (i = 0; i < PERSON__MAX; i++) {
		pf = &person_fields[i];
		fmt(field, sizeof field, "%s.%s", who, pf->key);
		if (in_sub_str(r, o, pf->key, field, 1, pf->minc, pf->maxc, out[i]) != 0)
			bad = -1;
		else if (pf->ok && !pf->ok(*out[i]))
			bad = req_fail_field(r, field, pf->bad);
		else if (pf->same && same_as[i] && strcmp(same_as[i], *out[i]) == 0)
			bad = req_fail_field(r, field, pf->same);
	}
	return bad;
}

void
case_applicant_parse(struct req *r, const char **name, const char **id_number,
    const char **phone)
{
	static const char *const none[PERSON__MAX];
	json_t *app = json_object_get(r->body, "applicant");
	const char **out[PERSON__MAX] = { name, id_number, phone };

	if (!json_is_object(app)) {
		req_fail_field(r, "applicant", "须填写申请人姓名、身份证号和手机号");
		return;
	}
	person_parse(r, app, "applicant", none, out);
}

int
case_agent_parse(struct req *r, const char *applicant_id, const char *applicant_phone,
    struct case_agent *ag)
{
	json_t *o = json_object_get(r->body, "agent"), *tmp;
	const char *const same_as[PERSON__MAX] = { NULL, applicant_id, applicant_phone };
	const char **out[PERSON__MAX] = { &ag->name, &ag->id_number, &ag->phone };
	int bad;

	memset(ag, 0, sizeof *ag);
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return req_fail_field(r, "agent", "代办人须填写姓名、身份证号、手机号和与申请人的关系");
	ag->present = 1;
	bad = person_parse(r, o, "agent", same_as, out);
	tmp = json_object();
	json_object_set(tmp, "agent.relation", json_object_get(o, "relation"));
	if (in_enum(r, tmp, "agent.relation", 1, case_agent_relations, &ag->relation) != 0)
		bad = -1;
	json_decref(tmp);
	return bad;
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
	char tok[CASE_TOKEN_MAX];
	int rc;

	rc = case_track_new(c, case_id, "agent", now, tok);
	if (rc == 0)
		rc = case_sms_accepted(c, hall, tok, case_no, title, deadline, phone);
	sodium_memzero(tok, sizeof tok);
	return rc;
}

int
case_agent_json_add(struct ctx *c, long long case_id, json_t *o)
{
	static const char *const cols[] = { "name", "id_number", "phone", "relation" };
	json_t *rows = json_array(), *ag;
	const char *rel;
	int i, rc;

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
	if ((i = str_index(case_agent_relations, rel)) >= 0)
		json_object_set_new(ag, "relation_label", json_string(relation_labels[i]));
	json_object_set_new(o, "agent", ag);
	return 0;
}
