/*
 * cases.c — what the case handlers share: statuses, tokens, the rows every change writes,
 * loading a case, and the case as staff see it.  (Routes live in cases_accept.c,
 * cases_actions.c and cases_view.c; see cases.h.)
 *
 * Tables: cases, case_parts, case_materials, case_history, case_supplements, case_tracking,
 *         case_notices, items, departments, staff, windows, hall_alerts, outbox (outbox.c)
 * Redis:  none — everything about a case is promised to a citizen, so it lives in MariaDB.
 */
#include "cases.h"
#include "../notify/outbox.h"
#include "../shared/pii.h"
#include "../hall/calendar.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const case_status_names[CS__MAX + 1] = {
	"submitted", "returned", "accepted", "processing", "supplement_needed", "approved",
	"rejected", "ready", "mailed", "closed", NULL
};

static const char *const case_status_labels[CS__MAX] = {
	"已提交", "已退回", "已受理", "审批中", "待补正", "已办结（准予）", "已办结（不予）",
	"待领取", "已寄出", "已完结"
};

int
case_status_parse(const char *s)
{
	int i;

	for (i = 0; i < CS__MAX; i++)
		if (strcmp(s, case_status_names[i]) == 0)
			return i;
	return -1;
}

const char *
case_status_label(const char *status)
{
	int i = case_status_parse(status);

	return i < 0 ? status : case_status_labels[i];
}

void
case_now(char out[20])
{
	char t[32];

	time_format(hall_now(), t, sizeof t);
	t[10] = ' ';
	t[19] = '\0';
	memcpy(out, t, 20);
}

int64_t
case_today(void)
{
	return hall_day(hall_now());
}

void
case_token_hash(const char *token, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)token, strlen(token));
	hex_encode(out, d, sizeof d);
}

void
case_pickup_hash(const char *case_no, const char *code, char out[65])
{
	char bound[80];

	fmt(bound, sizeof bound, "%s:%s", case_no, code);
	pii_hash("pickup", bound, out);
	sodium_memzero(bound, sizeof bound);
}

int
case_token_new(char tok[CASE_TOKEN_MAX], char hash[65], unsigned char *sealed, size_t ssz)
{
	if (token_new(tok, CASE_TOKEN_MAX, CASE_TOKEN_BYTES) != 0)
		return -1;
	case_token_hash(tok, hash);
	return pii_seal(tok, sealed, ssz);
}

void
case_notice_url(const char *token, char *out, size_t osz)
{
	if (fmt(out, osz, "/staff/notice.html?n=%s", token) < 0)
		out[0] = '\0';
}

void
case_track_abs(const char *token, char *out, size_t osz)
{
	const char *base = config_get("public_base_url", "");
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	if (fmt(out, osz, "%.*s/t/%s", (int)n, base, token) < 0)
		out[0] = '\0';
}

/* ---------------------------------------------------------------- loading */

struct load {
	struct case_row	*cr;
	int		 bad;
};

static int
load_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct load *l = arg;
	struct case_row *cr = l->cr;

	(void)ncol;
	parse_ll(v[0], 1, INT64_MAX, &cr->id);
	str_copy(cr->no, sizeof cr->no, v[1]);
	str_copy(cr->hall, sizeof cr->hall, v[2]);
	str_copy(cr->item, sizeof cr->item, v[3] ? v[3] : "");
	str_copy(cr->title, sizeof cr->title, v[4]);
	str_copy(cr->status, sizeof cr->status, v[5]);
	str_copy(cr->deadline, sizeof cr->deadline, v[6] ? v[6] : "");
	str_copy(cr->paused_since, sizeof cr->paused_since, v[7] ? v[7] : "");
	parse_ll(v[8], 0, 100000, &cr->paused_days);
	str_copy(cr->warning, sizeof cr->warning, v[9]);
	str_copy(cr->delivery, sizeof cr->delivery, v[10]);
	str_copy(cr->kind, sizeof cr->kind, v[11] ? v[11] : "promised");
	cr->cross_province = v[12][0] == '1';
	str_copy(cr->office, sizeof cr->office, v[13] ? v[13] : "");
	if (pii_open((const unsigned char *)v[14], lens[14], cr->phone, sizeof cr->phone) != 0)
		l->bad = 1;
	str_copy(cr->pickup_hash, sizeof cr->pickup_hash, v[15] ? v[15] : "");
	parse_ll(v[16], 0, INT64_MAX, &cr->version);
	str_copy(cr->departments, sizeof cr->departments, v[17] ? v[17] : ",");
	return 1;
}

int
case_load(struct ctx *c, const char *hall, const char *no, struct case_row *out)
{
	struct load l = { out, 0 };
	int rc;

	memset(out, 0, sizeof *out);
	if (strlen(no) >= CASE_NO_MAX)
		return 0;
	rc = db_query(c,
	    "SELECT c.id, c.no, c.hall, c.item, c.title, c.status,"
	    " DATE_FORMAT(c.deadline, '%Y-%m-%d'), DATE_FORMAT(c.paused_since, '%Y-%m-%d'),"
	    " c.paused_days, c.warning, c.delivery, i.kind, c.cross_province,"
	    " c.processing_office, c.applicant_phone_enc, c.pickup_code_hash, c.version,"
	    " (SELECT CONCAT(',', GROUP_CONCAT(p.department ORDER BY p.seq), ',')"
	    "  FROM case_parts p WHERE p.case_id = c.id)"
	    " FROM cases c LEFT JOIN items i ON i.id = c.item WHERE c.hall = ? AND c.no = ?",
	    DBARGS(DBS(hall), DBS(no)), load_row, &l);
	if (rc < 0)
		return rc;
	if (rc > 0 && l.bad) {
		log_err("case %s: the applicant's phone cannot be opened", out->no);
		return DB_FAIL;
	}
	return rc > 0;
}

int
case_in_department(const struct req *r, const struct case_row *cr)
{
	char needle[40];

	if (r->sess.department[0] == '\0' ||
	    fmt(needle, sizeof needle, ",%s,", r->sess.department) < 0)
		return 0;
	return strstr(cr->departments, needle) != NULL;
}

int
case_visible(const struct req *r, const struct case_row *cr)
{
	if (strcmp(r->sess.hall, cr->hall) != 0)
		return 0;
	if (r->sess.role == ROLE_APPROVER)
		return case_in_department(r, cr);
	return (r->sess.role & ROLE_STAFF) != 0;
}

/* ---------------------------------------------------------------- rows of a change */

int
case_history_add(struct req *r, long long case_id, const char *at, const char *action,
    const char *from, const char *to, const char *department, const char *note,
    const char *public_note)
{
	const char *kind = r->sess.role == ROLE_CITIZEN ? "citizen" :
	    r->sess.role ? "staff" : "system";
	long long staff_id = 0;
	int rc;

	if (strcmp(kind, "staff") == 0)
		parse_ll(r->sess.subject, 1, INT64_MAX, &staff_id);
	rc = db_exec(r->ctx,
	    "INSERT INTO case_history (case_id, at, action, from_status, to_status, department,"
	    " actor_kind, actor, actor_name, note, public_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	    " COALESCE((SELECT s.name FROM staff s WHERE s.id = ?), ''), ?, ?)",
	    DBARGS(DBI(case_id), DBS(at), DBS(action), DBSO(from), DBS(to), DBSO(department),
	    DBS(kind), DBS(r->sess.subject), DBI(staff_id), DBS(note ? note : ""),
	    DBS(public_note ? public_note : "")), NULL, NULL);
	case_changed(r->ctx, case_id);	/* after the write: outside a transaction it runs now */
	return rc;
}

/*
 * What the cases tables (050_cases.sql, 080_online.sql) can refuse of a client's input, by
 * the field the client sent.  The handlers check all of it first; this is the net under them.
 */
static const struct db_field case_fields[] = {
	{ DBR_CHECK, "chk_cases_mail", "address", "邮寄送达须填写收件地址" },
	{ DBR_CHECK, "chk_cases_what", "item", "须选择一个事项或一件事" },
	{ DBR_NO_PARENT, "fk_cases_item", "item", "本中心没有这个事项" },
	{ DBR_NO_PARENT, "fk_case_parts_item", "item", "本中心没有这个事项" },
	{ DBR_TOO_LONG, "address_enc", "address", "地址过长" },
	{ DBR_TOO_LONG, "address_mask", "address", "地址过长" },
	{ DBR_BAD_VALUE, "address_mask", "address", "地址含有无法保存的字符" },
	{ DBR_TOO_LONG, "applicant_name_enc", "applicant.name", "姓名过长" },
	{ DBR_TOO_LONG, "applicant_name_mask", "applicant.name", "姓名过长" },
	{ DBR_BAD_VALUE, "applicant_name_mask", "applicant.name", "姓名含有无法保存的字符" },
	{ DBR_TOO_LONG, "applicant_mask", "applicant.name", "姓名过长" },
	{ DBR_BAD_VALUE, "applicant_mask", "applicant.name", "姓名含有无法保存的字符" },
	{ DBR_TOO_LONG, "agent_name_enc", "agent.name", "姓名过长" },
	{ DBR_TOO_LONG, "agent_name_mask", "agent.name", "姓名过长" },
	{ DBR_BAD_VALUE, "agent_name_mask", "agent.name", "姓名含有无法保存的字符" },
	{ DBR_TOO_LONG, "processing_office", "processing_office", "办理地过长" },
	{ DBR_BAD_VALUE, "processing_office", "processing_office", "办理地含有无法保存的字符" },
	{ DBR_TOO_LONG, "ticket", "ticket", "排队号凭证过长" },
	{ DBR_TOO_LONG, "decision_note", "reason", "理由过长" },
	{ DBR_BAD_VALUE, "decision_note", "reason", "理由含有无法保存的字符" },
	{ DBR_TOO_LONG, "mail_carrier", "carrier", "寄递企业名称过长" },
	{ DBR_BAD_VALUE, "mail_carrier", "carrier", "寄递企业名称含有无法保存的字符" },
	{ DBR_TOO_LONG, "mail_tracking_no", "tracking_no", "运单号过长" },
	{ DBR_TOO_LONG, "reason", "problems", "原因过长" },
	{ DBR_BAD_VALUE, "reason", "problems", "原因含有无法保存的字符" },
	{ DBR_TOO_LONG, "note", "note", "备注过长" },
	{ DBR_BAD_VALUE, "note", "note", "备注含有无法保存的字符" },
	{ DBR_TOO_LONG, "public_note", "note", "备注过长" },
	{ DBR_BAD_VALUE, "public_note", "note", "备注含有无法保存的字符" },
};

int
case_db_fail(struct req *r, int rc)
{
	return db_fail_map(r, rc, DB_FIELDS(case_fields));
}

int
case_sms(struct ctx *c, const char *hall, const char *template, const char *phone,
    json_t *params, const char *case_no)
{
	struct outbox_msg m;

	memset(&m, 0, sizeof m);
	m.hall = hall;
	m.template = template;
	m.recipient = phone;
	m.params = params;
	m.ref_kind = "case";
	m.ref_id = case_no;
	m.urgent = 1;
	return outbox_add(c, &m, NULL);
}

int
case_calendar_missing(struct req *r, const char *hall, int year)
{
	char key[32], msg[256], now[20], umsg[200];
	int rc;

	case_now(now);
	fmt(key, sizeof key, "calendar:%d", year);
	fmt(msg, sizeof msg, "%d 年节假日安排尚未导入：办结期限跨入 %d 年的办件无法受理。"
	    "请尽快导入国务院办公厅 %d 年节假日安排。", year, year, year);
	/* Outside any transaction: the managers hear of it although nothing else is saved. */
	rc = db_exec(r->ctx, "INSERT INTO hall_alerts (hall, akey, level, message, raised_at)"
	    " VALUES (?, ?, 'critical', ?, ?) ON DUPLICATE KEY UPDATE level = 'critical',"
	    " message = VALUES(message), raised_at = VALUES(raised_at), cleared_at = NULL",
	    DBARGS(DBS(hall), DBS(key), DBS(msg), DBS(now)), NULL, NULL);
	if (rc != 0)
		log_warn("alert %s not raised (%d)", key, rc);
	log_warn("hall %s: deadline reaches %d, whose holidays are not loaded", hall, year);
	fmt(umsg, sizeof umsg, "%d 年节假日安排尚未导入，暂无法计算办结期限，已通知中心管理人员",
	    year);
	req_fail(r, 422, "CALENDAR_MISSING", umsg);
	json_decref(r->err_extra);
	r->err_extra = json_pack("{s:i}", "year", year);
	return 422;
}

const char *
case_warning_for(struct ctx *c, const char *deadline, const char *paused_since, int64_t today)
{
	int64_t dl, from = today;
	int left = 0, missing = 0;
	long long yellow = config_int("case_yellow_days", 1, 0, 10);

	if (deadline == NULL || date_parse(deadline, &dl) != 0)
		return "green";
	/* While a supplement is awaited the clock stands still where it stopped. */
	if (paused_since && paused_since[0] && date_parse(paused_since, &from) != 0)
		from = today;
	if (from > dl)
		return "red";
	switch (calendar_workdays_between(c, from, dl, &left, &missing)) {
	case 0:
		break;
	case CAL_MISSING:	/* cannot count: not green (the calendar job alerts managers) */
		return "yellow";
	default:
		return NULL;
	}
	return left <= yellow ? "yellow" : "green";
}

/* ---------------------------------------------------------------- what the caller may do */

json_t *
case_allowed_actions(const struct req *r, const struct case_row *cr)
{
	json_t *a = json_array();
	int st = case_status_parse(cr->status);
	unsigned role = r->sess.role;
	int mine = role == ROLE_APPROVER && case_in_department(r, cr);

#define ADD(x) json_array_append_new(a, json_string(x))
	switch (st) {
	case CS_ACCEPTED:
		if (mine || role == ROLE_MANAGER)
			ADD("assign");
		if (role == ROLE_CLERK)
			ADD("supplement");
		break;
	case CS_PROCESSING:
		if (mine) {
			ADD("approve");
			ADD("reject");
			ADD("request_supplement");
		}
		if (role == ROLE_MANAGER)
			ADD("assign");
		if (role == ROLE_CLERK)
			ADD("supplement");
		break;
	case CS_SUPPLEMENT:
		if (role == ROLE_CLERK)
			ADD("supplement");
		break;
	case CS_APPROVED:
	case CS_REJECTED:
		if (mine || role == ROLE_CLERK || role == ROLE_MANAGER) {
			ADD("ready");
			ADD("mail");
		}
		break;
	case CS_READY:
	case CS_MAILED:
		if (role == ROLE_CLERK)
			ADD("hand_over");
		break;
	default:
		break;
	}
#undef ADD
	return a;
}

/* ---------------------------------------------------------------- the case for staff */

struct cj {
	json_t	*o;
	int	 reveal;
	int	 bad;
};

static json_t *
jstr_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* A sealed column, opened when revealing, else the mask. */
static json_t *
sealed_or_mask(struct cj *cj, const char *enc, size_t n, const char *mask)
{
	char plain[PII_PLAIN_MAX + 1];

	if (!cj->reveal || enc == NULL)
		return jstr_or_null(mask);
	if (pii_open((const unsigned char *)enc, n, plain, sizeof plain) != 0) {
		cj->bad = 1;
		return json_null();
	}
	return json_string(plain);
}

static int
case_main_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct cj *cj = arg;
	json_t *o = json_object(), *app = json_object(), *x;
	long long n;

	(void)ncol;
	json_object_set_new(o, "no", json_string(v[0]));
	json_object_set_new(o, "hall", json_string(v[1]));
	json_object_set_new(o, "channel", json_string(v[2]));
	json_object_set_new(o, "item", jstr_or_null(v[3]));
	json_object_set_new(o, "bundle", jstr_or_null(v[4]));
	json_object_set_new(o, "item_name", json_string(v[5]));
	json_object_set_new(o, "status", json_string(v[6]));
	json_object_set_new(o, "status_label", json_string(case_status_label(v[6])));
	json_object_set_new(o, "kind", jstr_or_null(v[7]));
	json_object_set_new(app, "name", sealed_or_mask(cj, v[8], lens[8], v[9]));
	json_object_set_new(app, "id_number", sealed_or_mask(cj, v[10], lens[10], v[11]));
	json_object_set_new(app, "phone", sealed_or_mask(cj, v[12], lens[12], v[13]));
	json_object_set_new(o, "applicant", app);
	json_object_set_new(o, "delivery", json_string(v[14]));
	if (strcmp(v[14], "mail") == 0)
		json_object_set_new(o, "address", sealed_or_mask(cj, v[15], lens[15], v[16]));
	json_object_set_new(o, "ticket", jstr_or_null(v[17]));
	json_object_set_new(o, "window", v[18] && parse_ll(v[18], 0, 9999, &n) == 0 ?
	    json_integer(n) : json_null());
	json_object_set_new(o, "accepted_by", jstr_or_null(v[19]));
	json_object_set_new(o, "accepted_at", jstr_or_null(v[20]));
	parse_ll(v[21], 0, 10000, &n);
	json_object_set_new(o, "promised_days", json_integer(n));
	json_object_set_new(o, "deadline", jstr_or_null(v[22]));
	json_object_set_new(o, "paused_since", jstr_or_null(v[23]));
	parse_ll(v[24], 0, 100000, &n);
	json_object_set_new(o, "paused_days", json_integer(n));
	json_object_set_new(o, "warning", json_string(v[25]));
	if (v[26]) {
		x = json_pack("{s:s,s:o,s:o,s:o}", "result", v[26], "at", jstr_or_null(v[27]),
		    "by", jstr_or_null(v[28]), "note", jstr_or_null(v[29]));
		json_object_set_new(o, "decision", x);
	} else
		json_object_set_new(o, "decision", json_null());
	json_object_set_new(o, "cross_province", json_boolean(v[30][0] == '1'));
	if (v[30][0] == '1')
		json_object_set_new(o, "cross", json_pack("{s:s,s:o}", "accepting_hall", v[1],
		    "processing_office", jstr_or_null(v[31])));
	if (v[32] || v[34])
		json_object_set_new(o, "pickup", json_pack("{s:o,s:o,s:o,s:o}",
		    "window", jstr_or_null(v[33]), "ready_at", jstr_or_null(v[34]),
		    "handed_over_at", jstr_or_null(v[35]), "handed_over_by", jstr_or_null(v[36])));
	if (v[37])
		json_object_set_new(o, "mail", json_pack("{s:s,s:o,s:o}", "carrier", v[37],
		    "tracking_no", jstr_or_null(v[38]), "mailed_at", jstr_or_null(v[39])));
	json_object_set_new(o, "closed_at", jstr_or_null(v[40]));
	parse_ll(v[41], 0, INT64_MAX, &n);
	json_object_set_new(o, "version", json_integer(n));
	json_object_set_new(o, "department", jstr_or_null(v[42]));
	json_object_set_new(o, "department_name", jstr_or_null(v[43]));
	cj->o = o;
	return 1;
}

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%s+08:00')"

/* The token of the newest row in a (sealed) token column, opened. 1, 0 none, or DB_*. */
static int
open_token_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char *out = arg;

	(void)ncol;
	if (pii_open((const unsigned char *)v[0], lens[0], out, CASE_TOKEN_MAX) != 0)
		out[0] = '\0';
	return 1;
}

int
case_json(struct req *r, const struct case_row *cr, int reveal, json_t **out)
{
	static const char *const part_cols[] = { "item", "item_name", "department",
	    "department_name", "status", "promised_days", "deadline", "assigned_to" };
	static const char *const mat_cols[] = { "item", "code", "name", "required", "state", "due",
	    "received_at" };
	static const char *const hist_cols[] = { "at", "action", "from", "to", "department", "by",
	    "note", "public_note" };
	static const char *const sup_cols[] = { "requested_at", "materials", "note",
	    "received_at", "paused_days" };
	struct cj cj = { NULL, reveal, 0 };
	json_t *parts, *mats, *hist, *sups, *v;
	char tok[CASE_TOKEN_MAX] = "", url[256];
	size_t i;
	int rc;

	*out = NULL;
	rc = db_query(r->ctx,
	    "SELECT c.no, c.hall, c.channel, c.item, c.bundle, c.title, c.status, i.kind,"
	    " c.applicant_name_enc, c.applicant_name_mask, c.applicant_id_enc, c.applicant_id_mask,"
	    " c.applicant_phone_enc, c.applicant_phone_mask, c.delivery, c.address_enc,"
	    " c.address_mask, c.ticket, c.window_no, sa.name, " RFC3339("c.accepted_at") ","
	    " c.promised_days, DATE_FORMAT(c.deadline, '%Y-%m-%d'),"
	    " DATE_FORMAT(c.paused_since, '%Y-%m-%d'), c.paused_days, c.warning, c.decision,"
	    " " RFC3339("c.decided_at") ", sd.name, c.decision_note, c.cross_province,"
	    " c.processing_office, c.pickup_window, w.name, " RFC3339("c.ready_at") ","
	    " " RFC3339("c.handed_over_at") ", sh.name, c.mail_carrier, c.mail_tracking_no,"
	    " " RFC3339("c.mailed_at") ", " RFC3339("c.closed_at") ", c.version, i.department,"
	    " d.name"
	    " FROM cases c LEFT JOIN items i ON i.id = c.item"
	    " LEFT JOIN departments d ON d.code = i.department"
	    " LEFT JOIN staff sa ON sa.id = c.accepted_by"
	    " LEFT JOIN staff sd ON sd.id = c.decided_by"
	    " LEFT JOIN staff sh ON sh.id = c.handed_over_by"
	    " LEFT JOIN windows w ON w.hall = c.hall AND w.number = c.pickup_window"
	    " WHERE c.id = ?", DBARGS(DBI(cr->id)), case_main_row, &cj);
	if (rc <= 0 || cj.bad) {
		json_decref(cj.o);
		return rc < 0 ? rc : cj.bad ? DB_FAIL : 0;
	}
	parts = json_array();
	mats = json_array();
	hist = json_array();
	sups = json_array();
	rc = db_rows_json(r->ctx,
	    "SELECT p.item, i.name, p.department, d.name, p.status, p.promised_days,"
	    " DATE_FORMAT(p.deadline, '%Y-%m-%d'), s.name"
	    " FROM case_parts p JOIN items i ON i.id = p.item"
	    " JOIN departments d ON d.code = p.department"
	    " LEFT JOIN staff s ON s.id = p.assigned_to WHERE p.case_id = ? ORDER BY p.seq",
	    DBARGS(DBI(cr->id)), part_cols, "ssssSiSS", parts);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT m.item, m.code, m.name, m.required, m.state,"
		    " DATE_FORMAT(m.due, '%Y-%m-%d'), " RFC3339("m.received_at")
		    " FROM case_materials m LEFT JOIN item_materials im"
		    "  ON im.item = m.item AND im.code = m.code"
		    " WHERE m.case_id = ? ORDER BY m.item, im.sort, m.code",
		    DBARGS(DBI(cr->id)), mat_cols, "sssbsSS", mats);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT " RFC3339("at") ", action, from_status, to_status, department,"
		    " actor_name, note, public_note FROM case_history WHERE case_id = ? ORDER BY id",
		    DBARGS(DBI(cr->id)), hist_cols, "ssSsSsss", hist);
	if (rc >= 0)
		rc = db_rows_json(r->ctx,
		    "SELECT " RFC3339("requested_at") ", materials, note, " RFC3339("received_at")
		    ", paused_days FROM case_supplements WHERE case_id = ? ORDER BY id",
		    DBARGS(DBI(cr->id)), sup_cols, "sssSI", sups);
	if (rc >= 0)
		rc = db_query(r->ctx, "SELECT token_enc FROM case_tracking WHERE case_id = ?"
		    " AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
		    DBARGS(DBI(cr->id)), open_token_row, tok);
	if (rc < 0) {
		json_decref(cj.o);
		json_decref(parts);
		json_decref(mats);
		json_decref(hist);
		json_decref(sups);
		return rc;
	}
	/* The supplement lists are stored as JSON text. */
	json_array_foreach(sups, i, v) {
		json_t *m = json_loads(json_string_value(json_object_get(v, "materials")), 0, NULL);

		json_object_set_new(v, "materials", m ? m : json_array());
	}
	json_object_set_new(cj.o, "parts", parts);
	json_object_set_new(cj.o, "materials", mats);
	json_object_set_new(cj.o, "history", hist);
	json_object_set_new(cj.o, "supplements", sups);
	if (tok[0]) {
		fmt(url, sizeof url, "/t/%s", tok);
		json_object_set_new(cj.o, "track_url", json_string(url));
	}
	tok[0] = '\0';
	rc = db_query(r->ctx, "SELECT token_enc FROM case_notices WHERE case_id = ?"
	    " AND kind = 'accepted' ORDER BY created_at DESC LIMIT 1",
	    DBARGS(DBI(cr->id)), open_token_row, tok);
	if (rc < 0) {
		json_decref(cj.o);
		return rc;
	}
	if (tok[0]) {
		case_notice_url(tok, url, sizeof url);
		json_object_set_new(cj.o, "notice_url", json_string(url));
	}
	tok[0] = '\0';
	rc = db_query(r->ctx, "SELECT token_enc FROM case_notices WHERE case_id = ?"
	    " AND kind = 'supplement' ORDER BY created_at DESC LIMIT 1",
	    DBARGS(DBI(cr->id)), open_token_row, tok);
	if (rc < 0) {
		json_decref(cj.o);
		return rc;
	}
	if (tok[0]) {
		case_notice_url(tok, url, sizeof url);
		json_object_set_new(cj.o, "supplement_notice_url", json_string(url));
	}
	sodium_memzero(tok, sizeof tok);
	/* The live warning: the worker's stored one may be up to a minute old. */
	if (strcmp(cr->status, "accepted") == 0 || strcmp(cr->status, "processing") == 0 ||
	    strcmp(cr->status, "supplement_needed") == 0) {
		const char *w = case_warning_for(r->ctx, cr->deadline,
		    strcmp(cr->status, "supplement_needed") == 0 ? cr->paused_since : NULL,
		    case_today());

		if (w)
			json_object_set_new(cj.o, "warning", json_string(w));
	}
	{
		/* A clerk's "supplement" outside a 补正 only takes waived (容缺) materials. */
		json_t *acts = case_allowed_actions(r, cr), *m;
		int waived = 0;

		json_array_foreach(mats, i, m)
			if (strcmp(json_string_value(json_object_get(m, "state")), "waived") == 0)
				waived = 1;
		if (!waived && strcmp(cr->status, "supplement_needed") != 0)
			for (i = 0; i < json_array_size(acts); i++)
				if (strcmp(json_string_value(json_array_get(acts, i)), "supplement") == 0)
					json_array_remove(acts, i--);
		json_object_set_new(cj.o, "actions", acts);
	}
	*out = cj.o;
	return 1;
}

/*
 * The next case number of the hall's day, "DEMO-20261123-0007": a counter row per hall and
 * day, incremented inside the caller's transaction (the row stays locked until commit, so
 * numbers have no gaps), and a unique key on cases.no behind it.  Window and online
 * acceptance share it.  0 or a DB_* code.
 */
int
case_no_next(struct ctx *c, const char *hall, int64_t day, char *out, size_t osz)
{
	char prefix[40], ymd[12], compact[9];
	uint64_t seq = 0;
	size_t i;
	int rc;

	for (i = 0; hall[i] && i + 1 < sizeof prefix; i++)
		prefix[i] = (char)(hall[i] >= 'a' && hall[i] <= 'z' ? hall[i] - 'a' + 'A' : hall[i]);
	prefix[i] = '\0';
	date_format_days(day, ymd, sizeof ymd);
	rc = db_exec(c, "INSERT INTO case_counters (hall, day, last)"
	    " VALUES (?, ?, LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE last = LAST_INSERT_ID(last + 1)",
	    DBARGS(DBS(hall), DBS(ymd)), NULL, &seq);
	if (rc != 0)
		return rc;
	if (seq == 0)
		return DB_FAIL;
	memcpy(compact, ymd, 4);
	memcpy(compact + 4, ymd + 5, 2);
	memcpy(compact + 6, ymd + 8, 2);
	compact[8] = '\0';
	if (fmt(out, osz, "%s-%s-%04llu", prefix, compact, (unsigned long long)seq) < 0)
		return DB_FAIL;
	return 0;
}

static int
agent_phone_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	char *out = arg;

	(void)ncol;
	if (v[0] == NULL || pii_open((const unsigned char *)v[0], lens[0], out, 32) != 0)
		out[0] = '\0';
	return 1;
}

int
case_agent_phone(struct ctx *c, long long case_id, char out[32])
{
	int rc;

	out[0] = '\0';
	rc = db_query(c, "SELECT agent_phone_enc FROM cases WHERE id = ?", DBARGS(DBI(case_id)),
	    agent_phone_row, out);
	return rc < 0 ? rc : 0;
}
