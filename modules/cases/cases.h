/*
 * cases.h — cases (办件): what the files of the room share (README.md lists them).
 *
 * Domain functions here take a connection (struct ctx *), the acting session (who acts:
 * role, subject, hall, department — the runtime's struct session, never the request) and
 * values, and return 0 / 1 found, a DB_* code (negative) or an E_* kind (positive, a
 * refusal, errors.h).  Only the h_* handlers speak HTTP; case_reply.h has their shared
 * replies.
 *
 * Personal data: applicant name, ID number and phone are sealed (pii_seal) with keyed hashes
 * pii_hash("id_number", …) and pii_hash("phone", …) for lookups; responses show masks.
 */
#ifndef YC_CASES_H
#define YC_CASES_H

#include <stdint.h>

#include <jansson.h>

#include "../../fcgi/db.h"
#include "../../fcgi/yc.h"
#include "../shared/pii.h"

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
/* A new tracking token of holder ("applicant", "agent") for the case, inside the caller's
 * transaction: its case_tracking row written and the token into tok (the caller zeroes it
 * once used).  0 or a DB_* code. */
int	case_track_new(struct ctx *c, long long case_id, const char *holder, const char *now,
	    char tok[CASE_TOKEN_MAX]);
/* The keyed hash cases.pickup_code_hash keeps of a pickup code (bound to the case). */
void	case_pickup_hash(const char *case_no, const char *code, char out[65]);
/* "/staff/notice.html?n=<token>" */
void	case_notice_url(const char *token, char *out, size_t osz);
/* Absolute tracking URL from public_base_url. */
void	case_track_abs(const char *token, char *out, size_t osz);
/* Absolute review link (一事一评): <public_base_url>/review.html?case=<tracking token>. */
void	case_review_abs(const char *token, char *out, size_t osz);
/* Where the applicant downloads electronic results: <public_base_url>/my-cases.html. */
void	case_results_abs(char *out, size_t osz);

/*
 * A person of a case (applicant, agent) as the cases row keeps them: sealed (the dbv point
 * into the struct's own buffers: do not copy it), keyed hashes and masks.  A NULL id number
 * or address leaves its dbv NULL and its hash/mask "".
 */
struct case_person {
	unsigned char	 s_name[PII_SEALED_MAX], s_id[PII_SEALED_MAX], s_phone[PII_SEALED_MAX],
			 s_addr[PII_SEALED_MAX];
	struct dbv	 name, id, phone, addr;
	char		 h_id[PII_HASH_HEX], h_phone[PII_HASH_HEX];
	char		 m_name[64], m_id[32], m_phone[32], m_addr[100];
};

/* Seal, hash and mask name, idnum, phone and address into p.  0, or -1 (sealing failed). */
int	case_person_seal(const char *name, const char *idnum, const char *phone,
	    const char *address, struct case_person *p);

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
	char		 decide_hall[32];	/* the deciding hall (全市通办, case_route.h) */
	char		 pickup_hall[32];	/* where the result is handed out; "" mailed */
	int		 in_states;		/* 跨省通办 收受分离 under way (modules/xprov/) */
};

/* Load by number, for a hall the case touches (accepting, deciding or pickup hall:
 * case_route.h). 1 found, 0 not, or a DB_* code (-1 from pii). */
int	case_load(struct ctx *c, const char *hall, const char *no, struct case_row *out);
/* Whether who may see the case: staff of a hall it touches; approvers of the deciding hall
 * and of one of its departments (case_route.c, beside the halls a case touches). */
int	case_visible(const struct session *who, const struct case_row *cr);

/*
 * The history row every change writes, inside the caller's transaction; who acted (a
 * citizen, staff, or the system when who->role is 0).  It also drops the case's cached
 * tracking page once the transaction ends (case_changed below); other writes a tracking
 * page shows call case_changed themselves.  0 or a DB_* code.
 */
/*
 * The case's public tracking page changed (status, steps, deadline, pickup, mail, its
 * tokens): the hook set by cases_on_change runs once the caller's transaction ends
 * (db_after_tx), whatever its outcome, or at once outside a transaction.  The tracking room
 * sets it at start (programs/assembly.c) to drop its cached copy of the page; unset, nothing.
 */
void	case_changed(struct ctx *c, long long case_id);
void	cases_on_change(ctx_after_fn fn);

/*
 * Inside the caller's transaction, a case just decided: its results recorded (approved: one
 * per part; else the 不予许可决定书 of department) by the results room's results_record,
 * hooked at start (programs/assembly.c).  0 (nothing to do without a hook) or a DB_* code.
 */
typedef int (*case_decided_fn)(struct ctx *c, long long case_id, const char *now,
    int approved, const char *department);
void	cases_on_decided(case_decided_fn fn);
int	case_results_record(struct ctx *c, long long case_id, const char *now, int approved,
	    const char *department);

/*
 * Who holds the case's paper file now, as the case JSON ("custody") and the tracking page
 * show it (public_view: the citizen's plain words): the handover room's answer, its
 * handover_custody_json hooked at start (programs/assembly.c).  *out a new object, or NULL
 * when no hook is set.  0 or a DB_* code.
 */
typedef int (*case_custody_fn)(struct ctx *c, long long case_id, int public_view,
    json_t **out);
void	cases_on_custody(case_custody_fn fn);
int	case_custody_json(struct ctx *c, long long case_id, int public_view, json_t **out);

/*
 * The two routes a window and the online hall share (cases_post.c): POST /cases by a
 * citizen (apply) and the actions pre_accept, return and resubmit of POST /cases/{no}/actions
 * (review) are the online room's handlers (online/online_api.h), handed in at start
 * (programs/assembly.c), so the online room, above this one, is never named here.
 */
/* Fresh secrets for a case's notice resent by staff (case_resend.c), handed to the notify
 * room at start (notify_on_resend, notify.h): a new pickup code (result_ready.pickup_code;
 * the old one stops working), the case's tracking or review link as it is now (url). */
struct notice_ref;
int	case_renew_pickup(struct req *r, const struct notice_ref *n, char *out, size_t osz,
	    const char **msg);
int	case_renew_track_url(struct req *r, const struct notice_ref *n, char *out, size_t osz,
	    const char **msg);

void	cases_on_online(int (*apply)(struct req *r),
	    int (*review)(struct req *r, const char *action));

int	case_history_add(struct ctx *c, const struct session *who, long long case_id,
	    const char *at, const char *action, const char *from, const char *to,
	    const char *department, const char *note, const char *public_note);
/* The result of a guarded UPDATE … WHERE status = ? (rc its db_exec answer): 0 when it
 * changed the one row, E_INVALID_TRANSITION when it found none (someone acted first). */
int	case_guarded(uint64_t affected, int rc);
/* Queue an SMS about case no to phone. 0, -1 (seal) or a DB_* code. */
int	case_sms(struct ctx *c, const char *hall, const char *template, const char *phone,
	    json_t *params, const char *case_no);
/* The case_accepted SMS about case_no (its title and deadline) to phone, with the tracking
 * link of token (the applicant's or the agent's).  0 or a DB_* code. */
int	case_sms_accepted(struct ctx *c, const char *hall, const char *token, const char *case_no,
	    const char *title, const char *deadline, const char *phone);

/* Who is an approver of one of the case's departments (case_route.c). */
int	case_in_department(const struct session *who, const struct case_row *cr);

/*
 * A deadline reaches a year whose holidays are not loaded: raise the hall_alerts row that
 * tells the managers (outside any transaction, so it stays although nothing else is saved).
 * Returns E_CALENDAR_MISSING (the handler replies with case_reply_calendar).
 */
int	case_calendar_missing(struct ctx *c, const char *hall, int year);
/* The audit row of a worker's job (actor system/worker, result ok).  0 or a DB_* code. */
int	case_job_audit(struct ctx *c, const char *now, const char *hall, const char *action,
	    const char *target, const char *detail);

/* The working-day warning of an active case: "green", "yellow" or "red"; NULL when the
 * calendar cannot be read. */
const char *case_warning_for(struct ctx *c, const char *deadline, const char *paused_since,
	    int64_t today);
/*
 * The live light of a case in status, as of today (the worker's stored one may be a minute
 * old): for a running case (accepted, processing, supplement_needed — paused from
 * paused_since) its warning, else NULL (keep the stored one).
 */
const char *case_live_warning(struct ctx *c, const char *status, const char *deadline,
	    const char *paused_since);

/*
 * The printable notice of a notice token (cases_view.c), as GET /case-notices shows it:
 * 1 with *out (the caller's), 0 no such notice, or a DB_* code.
 */
int	case_notice_json(struct ctx *c, const char *token, json_t **out);

/* cases_jobs.c: the 电子监察 scan (its table: cases_jobs.c). */
int	job_cases_supervise(struct ctx *c);
/* case_waivers.c: 容缺 due dates watched — reminders and overdue notices (job cases-waivers). */
int	job_cases_waivers(struct ctx *c);

/* The first column of sql's first row, a sealed value (a token, a phone), opened into out
 * (osz bytes): "" when there is no row, it is NULL or it does not open.  0 or a DB_* code. */
int	case_sealed_get(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs,
	    char *out, size_t osz);
/* 1 when the case has an electronic result (全程网办 to the end: the result_online SMS says
 * where its PDF is), 0 when not, or a DB_* code. */
int	case_result_electronic(struct ctx *c, long long case_id);
/* The phone of the case's authorised agent (亲友代办), "" when none. 0 or a DB_* code. */
int	case_agent_phone(struct ctx *c, long long case_id, char out[32]);
/* A work notice (held through the night) of template about case case_no to each of the
 * phones: one outbox row per phone, with params (not taken), inside the caller's
 * transaction.  0 or a DB_* code. */
int	case_tell_staff(struct ctx *c, const char *hall, const char *case_no,
	    const char *template, const struct pii_phones *phones, json_t *params);
/* The next case number of the hall's day, inside the caller's transaction. 0 or DB_*. */
int	case_no_next(struct ctx *c, const char *hall, int64_t day, char *out, size_t osz);

/* A case accepted at a window (一窗受理) of who's hall: an item, or a bundle (一件事). */
struct case_window_new {
	const char	*item, *bundle;		/* one of them; the other NULL */
	const char	*title;
	const char	*name, *id_number, *phone;
	const char	*address;		/* to be mailed; NULL: picked up */
	const char	*ticket, *office;	/* NULL: none */
	const char	*decide_hall, *pickup_hall;	/* NULL: none */
	long long	 promised_days, staff;	/* staff 0: none */
	int		 cross_province;
	const char	*deadline, *now;
};
/* Its cases row, numbered from the hall's day (no, nosz) and inserted with the person
 * sealed, inside the caller's transaction: its id into *id.  0 or a DB_* code. */
int	case_window_insert(struct ctx *c, const struct session *who, int64_t day,
	    const struct case_window_new *n, char *no, size_t nosz, long long *id);
/*
 * The papers of a window acceptance, inside the caller's transaction: the applicant's
 * tracking token (into track) and the 受理通知书 row under item with note (its token into
 * notice; NULL: not kept), name masked on it, by staff (0: none) of who's window at now.
 * 0 or a DB_* code.
 */
int	case_window_papers(struct ctx *c, const struct session *who, long long staff,
	    const char *now, long long case_id, const char *name, const char *item,
	    const char *note, char track[CASE_TOKEN_MAX], char *notice);

#endif
