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
 * One transaction (db_tx): the case number, the case with its parts and materials, the applicant's
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

#include "../cases/case_agent.h"
#include "../cases/case_route.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_LOST  1	/* create_tx: another account bound the applicant's ID number first */

struct online {
	struct form	 form;
	struct given	 given[FORM_MAX_MATS];
	const char	*name, *id_number, *phone, *address;
	const char	*agent_name, *agent_phone;
	const char	*pickup_hall;	/* where the result is picked up (NULL: the form's hall) */
	char		 decide_hall[32];	/* who decides (全市通办); "" the form's hall */
	const char	*office;	/* 跨省通办: the processing office the applicant names */
	int		 cross_province;	/* the item is 跨省通办 (cases.cross_province) */
	int		 mail;
	char		 now[20];
	char		 case_no[CASE_NO_MAX];
	long long	 case_id;
	long long	 cid;		/* the filing citizen */
	struct rn_use	 rn;		/* the applicant's ID number: own, first use or proxy */
};

/* ---------------------------------------------------------------- POST /cases (citizen) */

static int
create_parse(struct req *r, struct online *o)
{
	const char *item = NULL, *bundle = NULL;
	json_t *agent;
	int rc;

	in_str(r, r->body, "item", 0, 1, 40, &item);
	in_str(r, r->body, "bundle", 0, 1, 40, &bundle);
	if ((item == NULL) == (bundle == NULL) && !in_has_errors(r))
		req_fail_field(r, item ? "bundle" : "item", "须选择一个事项（item）或一件事（bundle）");
	case_applicant_parse(r, &o->name, &o->id_number, &o->phone);
	agent = json_object_get(r->body, "agent");
	if (agent && !json_is_null(agent)) {
		if (!json_is_object(agent))
			req_fail_field(r, "agent", "代办人须填写姓名和手机号");
		else {
			in_sub_str(r, agent, "name", "agent.name", 1, 1, 20, &o->agent_name);
			if (in_sub_str(r, agent, "phone", "agent.phone", 1, 11, 11, &o->agent_phone) == 0 &&
			    !phone_ok(o->agent_phone))
				req_fail_field(r, "agent.phone", "手机号码无效");
			if (o->agent_phone && o->phone && strcmp(o->agent_phone, o->phone) == 0)
				req_fail_field(r, "agent.phone", "代办人不能是申请人本人");
		}
	}
	case_delivery_parse(r, &o->mail, &o->address, &o->pickup_hall);
	if (in_has_errors(r))
		return req_invalid(r);
	if ((rc = form_load(r->ctx, item, bundle, &o->form)) < 0)
		return db_fail(r, rc);
	if (!o->form.found)
		return req_fail_field(r, item ? "item" : "bundle", "没有这个事项"), req_invalid(r);
	/* 全市通办: picked up at any hall of the city that hands out results; decided where
	 * the item is decided (case_route.h). */
	if ((rc = case_pickup_check(r, o->form.hall, o->pickup_hall)) != 0)
		return rc;
	if (item) {
		int accepts = 0;

		if ((rc = case_item_route(r->ctx, o->form.hall, item, &accepts, o->decide_hall,
		    sizeof o->decide_hall)) < 0)
			return db_fail(r, rc);
	}
	if ((rc = online_must_attend(r, &o->form)) != 0)	/* in person only: book instead */
		return rc;
	/* 跨省通办 (收受分离): the case keeps the flag and names the office that decides. */
	if (item) {
		char x[8] = "";

		if ((rc = db_scalar(r->ctx, "SELECT cross_province FROM items WHERE id = ?",
		    DBARGS(DBS(item)), x, sizeof x)) < 0)
			return db_fail(r, rc);
		o->cross_province = x[0] == '1';
	}
	in_str(r, r->body, "processing_office", 0, 2, 100, &o->office);
	if (o->cross_province && o->office == NULL && !in_has_errors(r))
		req_fail_field(r, "processing_office", "跨省通办事项须填写办理地（受理地收件、办理地审批）");
	if (!o->cross_province && o->office != NULL)
		req_fail_field(r, "processing_office", "该事项不是跨省通办事项");
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
	int have[FORM_MAX_MATS];
	size_t i;

	for (i = 0; i < o->form.nmats; i++)
		have[i] = o->given[i].set || o->given[i].promised;
	return case_reply_missing_n(r, E_MATERIALS_INCOMPLETE,
	    "还缺 %zu 项必需材料，请一次上传齐全后再提交", form_missing(&o->form, have));
}

/* The cases row of the application, numbered from the hall's daily counter (domain). */
static int
online_insert_case(struct ctx *c, const struct session *who, struct online *o)
{
	struct case_person p, ag;
	struct form *f = &o->form;
	uint64_t id = 0;
	int rc;

	memset(&ag, 0, sizeof ag);
	ag.name = ag.phone = DBN;
	if (case_person_seal(o->name, o->id_number, o->phone, o->mail ? o->address : NULL,
	    &p) != 0 || (o->agent_name &&
	    case_person_seal(o->agent_name, NULL, o->agent_phone, NULL, &ag) != 0))
		return DB_FAIL;
	rc = case_no_next(c, f->hall, case_today(), o->case_no, sizeof o->case_no);
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO cases (no, hall, channel, item, bundle, title, status,"
		    " applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
		    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash,"
		    " applicant_phone_mask, citizen, delivery, address_enc, address_mask,"
		    " promised_days, agent_name_enc, agent_name_mask, agent_phone_enc,"
		    " agent_phone_hash, agent_phone_mask, submitted_at, created_at, updated_at,"
		    " proxy_id, decide_hall, pickup_hall, cross_province, processing_office)"
		    " VALUES (?, ?, 'online', ?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(o->case_no), DBS(f->hall), f->item[0] ? DBS(f->item) : DBN,
		    f->bundle[0] ? DBS(f->bundle) : DBN, DBS(f->title), p.name, DBS(p.m_name), p.id,
		    DBS(p.h_id), DBS(p.m_id), p.phone, DBS(p.h_phone), DBS(p.m_phone),
		    DBS(who->subject), DBS(o->mail ? "mail" : "pickup"), p.addr,
		    o->mail ? DBS(p.m_addr) : DBN, DBI(f->promised_days), ag.name,
		    o->agent_name ? DBS(ag.m_name) : DBN, ag.phone,
		    o->agent_name ? DBS(ag.h_phone) : DBN, o->agent_name ? DBS(ag.m_phone) : DBN,
		    DBS(o->now), DBS(o->now), DBS(o->now),
		    o->rn.proxy_id ? DBI(o->rn.proxy_id) : DBN,
		    o->decide_hall[0] ? DBS(o->decide_hall) : DBN,
		    !o->mail && o->pickup_hall ? DBS(o->pickup_hall) : DBN,
		    DBI(o->cross_province), DBSO(o->office)), NULL, &id);
	o->case_id = (long long)id;
	sodium_memzero(&p, sizeof p);
	sodium_memzero(&ag, sizeof ag);
	return rc;
}

/* Its parts, its materials (online_materials and the case_materials they stand for) and
 * the history row (domain). */
static int
online_insert_rows(struct ctx *c, const struct session *who, struct online *o)
{
	struct form *f = &o->form;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < f->nparts; i++)
		rc = db_exec(c, "INSERT INTO case_parts (case_id, seq, item, department, status,"
		    " promised_days) VALUES (?, ?, ?, ?, 'pending', ?)",
		    DBARGS(DBI(o->case_id), DBI(i + 1), DBS(f->parts[i].item),
		    DBS(f->parts[i].department), DBI(f->parts[i].promised_days)), NULL, NULL);
	for (i = 0; rc == 0 && i < f->nmats; i++) {
		const struct given *g = &o->given[i];

		if (!g->set && !g->promised && !f->mats[i].required)
			continue;	/* an optional material not given is simply not part of it */
		rc = db_exec(c, "INSERT INTO online_materials (case_id, code, name, required,"
		    " parts, upload_id, reused, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBI(o->case_id), DBS(f->mats[i].code), DBS(f->mats[i].name),
		    DBI(f->mats[i].required), DBS(f->mats[i].parts), g->set ? DBS(g->upload) : DBN,
		    DBI(g->reused), DBS(g->set ? "given" : g->promised ? "promised" : "absent"),
		    DBS(o->now)), NULL, NULL);
		if (rc == 0 && g->set)
			rc = item_materials_set(c, o->case_id, &f->mats[i], g->upload, o->now, 1);
		else if (rc == 0 && g->promised)	/* 告知承诺 (online_promise.c) */
			rc = online_promise_rows(c, o->case_id, &f->mats[i]);
	}
	if (rc == 0)
		rc = case_history_add(c, who, o->case_id, o->now, "submit", NULL, "submitted",
		    NULL, o->agent_name ? "代办" : "", "网上申请已提交，等待预审");
	return rc;
}

struct create_tx {
	struct req	*r;
	struct online	*o;
	struct idem	*im;
	json_t		*reply;		/* the 201 body */
};

/*
 * One try of the application's transaction (db_tx retries): the case, the applicant's ID
 * number bound to the filer (realname.c, which needs the request) between the case and its
 * rows, the reply and its idempotent copy, the audit row.  0, ID_LOST or a DB_* code.
 */
static int
create_tx(struct ctx *c, void *arg)
{
	struct create_tx *t = arg;
	struct online *o = t->o;
	json_t *mine = NULL;
	int rc;

	json_decref(t->reply);
	t->reply = NULL;
	rc = online_insert_case(c, &t->r->sess, o);
	/* The applicant's ID number is bound to the filer with the case, or not at all. */
	if (rc == 0 && (rc = realname_bind_tx(t->r, o->cid, o->name, o->id_number, &o->rn)) ==
	    RN_LOST)
		return ID_LOST;
	if (rc == 0)
		rc = online_insert_rows(c, &t->r->sess, o);
	if (rc == 0) {
		rc = my_case_json(c, o->case_id, "applicant", &mine);
		if (rc == 1) {
			t->reply = json_pack("{s:o}", "case", mine);
			rc = idem_save_tx(t->r, t->im, 201, t->reply);
		} else if (rc == 0)
			rc = DB_FAIL;
	}
	if (rc == 0)
		audit(t->r, "case.submit", o->case_no, "ok",
		    o->form.bundle[0] ? o->form.bundle : o->form.item);
	return rc == -1 ? DB_FAIL : rc;
}

int
online_apply(struct req *r)
{
	struct online *o;
	struct create_tx t = { r, NULL, NULL, NULL };
	struct idem im;
	int rc;

	if ((o = calloc(1, sizeof *o)) == NULL)
		return req_bug(r, "out of memory");
	t.o = o;
	t.im = &im;
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
	rc = db_tx(r->ctx, create_tx, &t);
	if (rc == 0) {
		log_info("case %s submitted online", o->case_no);
		req_ok(r, 201, t.reply);
		t.reply = NULL;
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
	json_decref(t.reply);
	sodium_memzero(o, sizeof *o);
	free(o);
	return rc;
}
