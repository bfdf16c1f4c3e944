/*
 * cases.c — what the room's files share: statuses, tokens, loading a case and who may see
 * it, the rows every change writes (history, SMS, case numbers), the deadline light and the
 * alert of a missing holiday year.  No routes (README.md says which file serves which).
 *
 * Tables: cases, case_parts, case_materials, case_history, case_supplements, case_tracking,
 *         case_notices, items, departments, staff, windows, hall_alerts, outbox (outbox.c)
 * Redis:  none — everything about a case is promised to a citizen, so it lives in MariaDB.
 */
#include "cases.h"
#include "../notify/outbox.h"
#include "../shared/alerts.h"
#include "../shared/pii.h"
#include "case_deadline.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../hall/calendar.h"

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
	return str_index(case_status_names, s);
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
	hex_sha256(token, strlen(token), out);
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
	config_public_url("/t/", token, out, osz);
}

void
case_review_abs(const char *token, char *out, size_t osz)
{
	config_public_url("/review.html?case=", token, out, osz);
}

void
case_results_abs(char *out, size_t osz)
{
	config_public_url("/my-cases.html", "", out, osz);
}

/* ---------------------------------------------------------------- loading */

struct load {
	struct case_row	*cr;
	int		 bad;
};

#define CR_S(m)	DBC_S(struct case_row, m)
static const struct db_col case_cols[] = {
	DBC_I(struct case_row, id, 1, INT64_MAX), CR_S(no), CR_S(hall), CR_S(item), CR_S(title),
	CR_S(status), CR_S(deadline), CR_S(paused_since),
	DBC_I(struct case_row, paused_days, 0, 100000), CR_S(warning), CR_S(delivery),
	CR_S(kind), DBC_B(struct case_row, cross_province), CR_S(office),
	DBC_NONE,	/* the applicant's phone: opened below */
	CR_S(pickup_hash), DBC_I(struct case_row, version, 0, INT64_MAX), CR_S(departments),
	CR_S(decide_hall), CR_S(pickup_hall), DBC_B(struct case_row, in_states),
};
#undef CR_S

static int
load_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct load *l = arg;
	struct case_row *cr = l->cr;

	db_row_fill(cr, DB_COLS(case_cols), ncol, v);
	if (pii_open((const unsigned char *)v[14], lens[14], cr->phone, sizeof cr->phone) != 0)
		l->bad = 1;
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
	    " c.paused_days, c.warning, c.delivery, COALESCE(i.kind, 'promised'),"
	    " c.cross_province, c.processing_office, c.applicant_phone_enc, c.pickup_code_hash,"
	    " c.version, COALESCE((SELECT CONCAT(',', GROUP_CONCAT(p.department ORDER BY p.seq),"
	    " ',') FROM case_parts p WHERE p.case_id = c.id), ','),"
	    " COALESCE(c.decide_hall, c.hall), c.pickup_hall,"
	    " EXISTS (SELECT 1 FROM xprov_cases x WHERE x.case_id = c.id)"
	    " FROM cases c LEFT JOIN items i ON i.id = c.item"
	    " WHERE c.no = ? AND ? IN (c.hall, COALESCE(c.decide_hall, c.hall), c.pickup_hall)",
	    DBARGS(DBS(no), DBS(hall)), load_row, &l);
	if (rc < 0)
		return rc;
	if (rc > 0 && l.bad) {
		log_err("case %s: the applicant's phone cannot be opened", out->no);
		return DB_FAIL;
	}
	return rc > 0;
}

/* ---------------------------------------------------------------- rows of a change */

static ctx_after_fn case_change_hook;

void
cases_on_change(ctx_after_fn fn)
{
	case_change_hook = fn;
}

void
case_changed(struct ctx *c, long long case_id)
{
	if (case_id > 0 && case_change_hook != NULL)
		db_after_tx(c, case_change_hook, case_id);
}

static case_decided_fn case_decided_hook;

void
cases_on_decided(case_decided_fn fn)
{
	case_decided_hook = fn;
}

int
case_results_record(struct ctx *c, long long case_id, const char *now, int approved,
    const char *department)
{
	if (case_decided_hook == NULL)
		return 0;
	return case_decided_hook(c, case_id, now, approved, department);
}

int
case_history_add(struct ctx *c, const struct session *who, long long case_id, const char *at,
    const char *action, const char *from, const char *to, const char *department,
    const char *note, const char *public_note)
{
	const char *kind = who->role == ROLE_CITIZEN ? "citizen" : who->role ? "staff" : "system";
	long long staff_id = 0;
	int rc;

	if (strcmp(kind, "staff") == 0)
		parse_ll(who->subject, 1, INT64_MAX, &staff_id);
	rc = db_exec(c,
	    "INSERT INTO case_history (case_id, at, action, from_status, to_status, department,"
	    " actor_kind, actor, actor_name, note, public_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
	    " COALESCE((SELECT s.name FROM staff s WHERE s.id = ?), ''), ?, ?)",
	    DBARGS(DBI(case_id), DBS(at), DBS(action), DBSO(from), DBS(to), DBSO(department),
	    DBS(kind), DBS(who->subject), DBI(staff_id), DBS(note ? note : ""),
	    DBS(public_note ? public_note : "")), NULL, NULL);
	case_changed(c, case_id);	/* after the write: outside a transaction it runs now */
	return rc;
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
case_sms_accepted(struct ctx *c, const char *hall, const char *token, const char *case_no,
    const char *title, const char *deadline, const char *phone)
{
	char url[320];
	json_t *params;
	int rc;

	case_track_abs(token, url, sizeof url);
	params = json_pack("{s:s,s:s,s:s,s:s}", "case_no", case_no, "item", title,
	    "deadline", deadline, "url", url);
	rc = case_sms(c, hall, "case_accepted", phone, params, case_no);
	json_decref(params);
	sodium_memzero(url, sizeof url);
	return rc == -1 ? DB_FAIL : rc;
}

int
case_calendar_missing(struct ctx *c, const char *hall, int year)
{
	char key[32], msg[256], now[20];
	int rc;

	case_now(now);
	fmt(key, sizeof key, "calendar:%d", year);
	fmt(msg, sizeof msg, "%d 年节假日安排尚未导入：办结期限跨入 %d 年的办件无法受理。"
	    "请尽快导入国务院办公厅 %d 年节假日安排。", year, year, year);
	/* Outside any transaction: the managers hear of it although nothing else is saved. */
	if ((rc = hall_alert_raise(c, hall, key, "critical", msg, now)) != 0)
		log_warn("alert %s not raised (%d)", key, rc);
	log_warn("hall %s: deadline reaches %d, whose holidays are not loaded", hall, year);
	return E_CALENDAR_MISSING;
}

int
case_job_audit(struct ctx *c, const char *now, const char *hall, const char *action,
    const char *target, const char *detail)
{
	return db_exec(c, "INSERT INTO audit_log (at, hall, actor_kind, actor, action, target,"
	    " result, remote_addr, detail) VALUES (?, ?, 'system', 'worker', ?, ?, 'ok', '', ?)",
	    DBARGS(DBS(now), DBS(hall), DBS(action), DBS(target), DBS(detail)), NULL, NULL);
}

const char *
case_warning_for(struct ctx *c, const char *deadline, const char *paused_since, int64_t today)
{
	static const char *const names[] = { "green", "yellow", "red" };
	const struct workcal *cal;
	enum deadline_light light;
	int64_t dl, since = -1;
	int rc;
	long long yellow = config_int("case_yellow_days", 1, 0, 10);

	if (deadline == NULL || date_parse(deadline, &dl) != 0)
		return "green";
	/* While a supplement is awaited the clock stands still where it stopped. */
	if (paused_since && paused_since[0] && date_parse(paused_since, &since) != 0)
		since = -1;
	if ((cal = calendar_pin(c, &rc)) == NULL)
		return NULL;
	rc = deadline_light(cal, dl, since, today, (int)yellow, &light);
	calendar_unpin(cal);
	if (rc != 0)
		return NULL;
	return names[light];
}

const char *
case_live_warning(struct ctx *c, const char *status, const char *deadline,
    const char *paused_since)
{
	int paused = status && strcmp(status, "supplement_needed") == 0;

	if (status == NULL || (!paused && strcmp(status, "accepted") != 0 &&
	    strcmp(status, "processing") != 0))
		return NULL;
	return case_warning_for(c, deadline, paused ? paused_since : NULL, case_today());
}

int
case_window_insert(struct ctx *c, const struct session *who, int64_t day,
    const struct case_window_new *n, char *no, size_t nosz, long long *id)
{
	struct case_person p;
	uint64_t got = 0;
	int rc;

	*id = 0;
	if (case_person_seal(n->name, n->id_number, n->phone, n->address, &p) != 0)
		return DB_FAIL;
	rc = case_no_next(c, who->hall, day, no, nosz);
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO cases (no, hall, channel, item, bundle, title, status,"
		    " applicant_name_enc, applicant_name_mask, applicant_id_enc, applicant_id_hash,"
		    " applicant_id_mask, applicant_phone_enc, applicant_phone_hash,"
		    " applicant_phone_mask, delivery, address_enc, address_mask, ticket, window_no,"
		    " accepted_by, accepted_at, promised_days, deadline, cross_province,"
		    " processing_office, created_at, updated_at, decide_hall, pickup_hall)"
		    " VALUES (?, ?, 'window', ?, ?, ?, 'accepted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(no), DBS(who->hall), DBSO(n->item), DBSO(n->bundle), DBS(n->title),
		    p.name, DBS(p.m_name), p.id, DBS(p.h_id), DBS(p.m_id), p.phone, DBS(p.h_phone),
		    DBS(p.m_phone), DBS(n->address ? "mail" : "pickup"), p.addr,
		    n->address ? DBS(p.m_addr) : DBN, DBSO(n->ticket),
		    who->window ? DBI(who->window) : DBN, n->staff ? DBI(n->staff) : DBN,
		    DBS(n->now), DBI(n->promised_days), DBS(n->deadline), DBI(n->cross_province),
		    DBSO(n->office), DBS(n->now), DBS(n->now), DBSO(n->decide_hall),
		    DBSO(n->pickup_hall)), NULL, &got);
	*id = (long long)got;
	sodium_memzero(&p, sizeof p);
	return rc;
}

int
case_track_new(struct ctx *c, long long case_id, const char *holder, const char *now,
    char tok[CASE_TOKEN_MAX])
{
	unsigned char sealed[PII_SEALED_MAX];
	char hash[65];
	int n;

	if ((n = case_token_new(tok, hash, sealed, sizeof sealed)) < 0) {
		tok[0] = '\0';
		return DB_FAIL;
	}
	return db_exec(c, "INSERT INTO case_tracking (token_hash, case_id, token_enc, holder,"
	    " created_at) VALUES (?, ?, ?, ?, ?)", DBARGS(DBS(hash), DBI(case_id),
	    DBSN((const char *)sealed, (size_t)n), DBS(holder), DBS(now)), NULL, NULL);
}

int
case_window_papers(struct ctx *c, const struct session *who, long long staff,
    const char *now, long long case_id, const char *name, const char *item,
    const char *note, char track[CASE_TOKEN_MAX], char *notice)
{
	unsigned char s_track[PII_SEALED_MAX], s_notice[PII_SEALED_MAX];
	char track_hash[65], notice_hash[65], own[CASE_TOKEN_MAX], m_name[64];
	int n_track, n_notice, rc;

	if (notice == NULL)
		notice = own;
	n_track = case_token_new(track, track_hash, s_track, sizeof s_track);
	n_notice = case_token_new(notice, notice_hash, s_notice, sizeof s_notice);
	sodium_memzero(own, sizeof own);
	if (n_track < 0 || n_notice < 0)
		return DB_FAIL;
	mask_name(name, m_name, sizeof m_name);
	rc = db_exec(c, "INSERT INTO case_tracking (token_hash, case_id, token_enc, holder,"
	    " created_at) VALUES (?, ?, ?, 'applicant', ?)",
	    DBARGS(DBS(track_hash), DBI(case_id), DBSN((const char *)s_track, (size_t)n_track),
	    DBS(now)), NULL, NULL);
	if (rc == 0)
		rc = db_exec(c, "INSERT INTO case_notices (token_hash, token_enc, kind, hall,"
		    " item, case_id, applicant_mask, materials, note, window_no, created_by,"
		    " created_at) VALUES (?, ?, 'accepted', ?, ?, ?, ?, NULL, ?, ?, ?, ?)",
		    DBARGS(DBS(notice_hash), DBSN((const char *)s_notice, (size_t)n_notice),
		    DBS(who->hall), DBS(item), DBI(case_id), DBS(m_name), DBS(note),
		    who->window ? DBI(who->window) : DBN, staff ? DBI(staff) : DBN, DBS(now)),
		    NULL, NULL);
	return rc;
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

struct sealed_out {
	char	*out;
	size_t	 osz;
};

static int
sealed_row(void *arg, size_t ncol, char **v, const size_t *lens)
{
	struct sealed_out *so = arg;
	struct pii_sealed s;

	(void)ncol;
	pii_sealed_keep(&s, v[0], lens[0]);
	if (pii_sealed_open(&s, so->out, so->osz) != 0)
		so->out[0] = '\0';
	return 1;
}

int
case_sealed_get(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
    char *out, size_t osz)
{
	struct sealed_out so = { out, osz };
	int rc;

	out[0] = '\0';
	rc = db_query(c, sql, args, nargs, sealed_row, &so);
	return rc < 0 ? rc : 0;
}

int
case_result_electronic(struct ctx *c, long long case_id)
{
	char one[4];

	return db_scalar(c, "SELECT 1 FROM results WHERE case_id = ? AND electronic = 1 LIMIT 1",
	    DBARGS(DBI(case_id)), one, sizeof one);
}

int
case_agent_phone(struct ctx *c, long long case_id, char out[32])
{
	return case_sealed_get(c, "SELECT agent_phone_enc FROM cases WHERE id = ?",
	    DBARGS(DBI(case_id)), out, 32);
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

int
case_person_seal(const char *name, const char *idnum, const char *phone, const char *address,
    struct case_person *p)
{
	memset(p, 0, sizeof *p);
	p->id = p->addr = DBN;
	if (seal_into(name, p->s_name, sizeof p->s_name, &p->name) ||
	    seal_into(phone, p->s_phone, sizeof p->s_phone, &p->phone) ||
	    (idnum && seal_into(idnum, p->s_id, sizeof p->s_id, &p->id)) ||
	    (address && seal_into(address, p->s_addr, sizeof p->s_addr, &p->addr)))
		return -1;
	mask_name(name, p->m_name, sizeof p->m_name);
	pii_hash("phone", phone, p->h_phone);
	mask_phone(phone, p->m_phone, sizeof p->m_phone);
	if (idnum) {
		pii_hash("id_number", idnum, p->h_id);
		mask_id(idnum, p->m_id, sizeof p->m_id);
	}
	if (address)
		mask_address(address, p->m_addr, sizeof p->m_addr);
	return 0;
}

int
case_guarded(uint64_t affected, int rc)
{
	if (rc != 0)
		return rc;
	return affected == 1 ? 0 : E_INVALID_TRANSITION;
}

int
case_tell_staff(struct ctx *c, const char *hall, const char *case_no, const char *template,
    const struct pii_phones *phones, json_t *params)
{
	struct outbox_msg m;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < phones->n; i++) {
		memset(&m, 0, sizeof m);
		m.hall = hall;
		m.template = template;
		m.recipient = phones->list[i];
		m.params = params;
		m.ref_kind = "case";
		m.ref_id = case_no;
		m.urgent = 0;	/* a work notice: held through the night */
		rc = outbox_add(c, &m, NULL);
		if (rc == -1)
			rc = DB_FAIL;
	}
	return rc;
}
