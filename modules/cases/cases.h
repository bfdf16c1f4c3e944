/*
 * cases.h — cases (办件): what the case files share, and the worker's supervision job.
 *
 *   cases.c         shared helpers: the status table, tokens, history/audit/outbox rows,
 *                   loading a case, rendering it for staff
 *   cases_accept.c  POST /cases (一窗受理: complete → accepted, incomplete → 一次性告知)
 *   cases_actions.c POST /cases/{no}/actions (back office, pickup, mail), the tracking token
 *   cases_view.c    GET /cases, GET /cases/{no}, GET /track/{token},
 *                   GET /case-notices?n=<token>,
 *                   PUT /staff/me/phone
 *   cases_jobs.c    the 电子监察 job (yellow/red warnings, staff notices)
 *
 * Personal data: applicant name, ID number and phone are sealed (pii_seal) with keyed hashes
 * pii_hash("id_number", …) and pii_hash("phone", …) for lookups; responses show masks.
 */
#ifndef YC_CASES_H
#define YC_CASES_H

#include <stdint.h>

#include <jansson.h>

#include "../../fcgi/yc.h"

enum case_status {
	CS_SUBMITTED,
	CS_RETURNED,
	CS_ACCEPTED,
	CS_PROCESSING,
	CS_SUPPLEMENT,
	CS_APPROVED,
	CS_REJECTED,
	CS_READY,
	CS_MAILED,
	CS_CLOSED,
	CS__MAX
};

extern const char *const case_status_names[CS__MAX + 1];
/* Chinese label of a status for pages and notices. */
const char *case_status_label(const char *status);
/* CS_* of a status name, or -1. */
int	case_status_parse(const char *s);

#define CASE_TOKEN_BYTES 32	/* tracking and notice tokens: 256 bits */
#define CASE_TOKEN_MAX   64
#define CASE_NO_MAX      48
#define CASE_PUBLIC_NOTE_MAX 500	/* characters of case_history.public_note */

/* "YYYY-MM-DD HH:MM:SS" of the hall clock (DATETIME text), and today's hall day. */
void	case_now(char out[20]);
int64_t	case_today(void);
/* SHA-256 hex of a token (what the tables keep). */
void	case_token_hash(const char *token, char out[65]);
/* New token: 256 random bits; its hash and its sealed form.  Sealed length or -1. */
int	case_token_new(char tok[CASE_TOKEN_MAX], char hash[65], unsigned char *sealed, size_t ssz);
/* The keyed hash cases.pickup_code_hash keeps of a pickup code (bound to the case). */
void	case_pickup_hash(const char *case_no, const char *code, char out[65]);
/* "/staff/notice.html?n=<token>" */
void	case_notice_url(const char *token, char *out, size_t osz);
/* Absolute tracking URL from public_base_url. */
void	case_track_abs(const char *token, char *out, size_t osz);

/* The case as a transition needs it. */
struct case_row {
	long long	 id;
	char		 no[CASE_NO_MAX];
	char		 hall[32];
	char		 item[48];
	char		 title[256];
	char		 status[24];
	char		 deadline[12];		/* "" when none */
	char		 paused_since[12];
	long long	 paused_days;
	char		 warning[8];
	char		 delivery[8];
	char		 kind[12];		/* item kind: instant / promised */
	int		 cross_province;
	char		 office[404];		/* up to 100 characters */
	char		 phone[32];		/* applicant phone, opened */
	char		 pickup_hash[65];
	long long	 version;
	char		 departments[160];	/* ",scjg," — every part's department */
};

/* Load by number within a hall. 1 found, 0 not, or a DB_* code (-1 from pii). */
int	case_load(struct ctx *c, const char *hall, const char *no, struct case_row *out);
/* Whether the caller may see the case: staff of its hall; approvers of one of its departments. */
int	case_visible(const struct req *r, const struct case_row *cr);

/* Rows every change writes, inside the caller's transaction.  0 or a DB_* code. */
int	case_history_add(struct req *r, long long case_id, const char *at, const char *action,
	    const char *from, const char *to, const char *department, const char *note,
	    const char *public_note);
/*
 * The case's public tracking page changed (anything GET /track shows: status, steps,
 * deadline, pickup, mail, its tokens): its cached copy is dropped once the caller's
 * transaction ends (see cases_view.c).  case_history_add calls it; other writes call it
 * themselves.
 */
void	case_changed(struct ctx *c, long long case_id);
/*
 * A DB_* code as the case routes answer it (db_fail_map with the cases tables' map): what the
 * schema refuses is named by the API field the client sent (chk_cases_mail → address, a
 * column too long → its field …), never a 500.
 */
int	case_db_fail(struct req *r, int rc);
/* Queue an SMS about case no to phone. 0, -1 (seal) or a DB_* code. */
int	case_sms(struct ctx *c, const char *hall, const char *template, const char *phone,
	    json_t *params, const char *case_no);

/*
 * The case for staff: everything a case page shows, PII masked unless reveal; "actions" lists
 * what the caller may do now.  1 found, 0 not, or a DB_* code.
 */
int	case_json(struct req *r, const struct case_row *cr, int reveal, json_t **out);
/* Actions the caller's role may take from the case's status (array of names). */
json_t	*case_allowed_actions(const struct req *r, const struct case_row *cr);
/* The caller is an approver of one of the case's departments. */
int	case_in_department(const struct req *r, const struct case_row *cr);

/*
 * Raise the hall_alerts row a missing holiday year causes and set r's 422 CALENDAR_MISSING.
 * Returns 422.
 */
int	case_calendar_missing(struct req *r, const char *hall, int year);

/* The working-day warning of an active case: "green", "yellow" or "red". */
const char *case_warning_for(struct ctx *c, const char *deadline, const char *paused_since,
	    int64_t today);

/* cases_jobs.c: the 电子监察 scan (its table: cases_jobs.c). */
int	job_cases_supervise(struct ctx *c);

/* The phone of the case's authorised agent (亲友代办), "" when none. 0 or a DB_* code. */
int	case_agent_phone(struct ctx *c, long long case_id, char out[32]);
/* The next case number of the hall's day, inside the caller's transaction. 0 or DB_*. */
int	case_no_next(struct ctx *c, const char *hall, int64_t day, char *out, size_t osz);

#endif
