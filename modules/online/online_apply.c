/*
 * online_apply.c — 全程网办: a citizen applies from the phone (POST /cases by a citizen;
 * the dispatcher cases/cases_post.c sends clerks to the window's acceptance).
 *
 * Routes: POST /cases (citizen) → submitted
 * Tables: cases, case_parts, online_materials, case_materials, case_history, case_counters,
 *         uploads (read), citizens and citizen_proxies (实名, realname.c), items, bundles,
 *         item_materials (bundles.c), audit_log, idempotency_keys
 * Redis:  idem:<scope> (idempotency.c)
 *
 * One transaction: the case number, the case with its parts and materials, the applicant's
 * ID number bound to the filer (or nothing), the history row, the idempotent reply and the
 * audit row.  Material reuse: "reuse" for a material takes, with the applicant's consent
 * given by that very answer, the file the same citizen gave for a material of the same name
 * in an earlier accepted case (online_materials.c).
 */
#include "online_api.h"
#include "online_int.h"
#include "../shared/audit.h"
#include "../cases/cases.h"
#include "../cases/case_reply.h"
#include "../shared/idempotency.h"
#include "../identity/identity.h"
#include "../shared/pii.h"
#include "../identity/realname.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TX_TRIES 3
#define ID_LOST  1	/* create_tx: another account bound the applicant's ID number first */

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
	if ((rc = materials_parse(r, &o->form, o->given)) < 0)
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
	return case_reply_missing(r, E_MATERIALS_INCOMPLETE, msg, missing);
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
			rc = item_materials_set(r->ctx, (long long)id, &f->mats[i], g->upload, o->now, 1);
	}
	if (rc == 0)
		rc = case_history_add(r->ctx, &r->sess, (long long)id, o->now, "submit", NULL, "submitted",
		    NULL, o->agent_name ? "代办" : "",
		    "网上申请已提交，等待预审");
	if (rc == 0) {
		rc = my_case_json(r->ctx, (long long)id, "applicant", reply);
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

int
online_apply(struct req *r)
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
