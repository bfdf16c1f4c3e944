/*
 * queue_int.h — what the queue room's own files share.  Other rooms use queue.h.
 *
 * Layers inside the room (README.md has the file list):
 *   ticket_api.c, window_api.c, board.c   the handlers: parse, call the domain, reply
 *   take.c, ticket_ops.c, window.c        the domain: one transaction per change, MariaDB
 *                                         first or Redis first as each file says
 *   tickets.c                             the ticket row, its history, how the API shows it
 *   lines.c, rebuild.c                    the Redis state: scripts, marker, rebuild
 *   hall_config.c, order.c, queue_time.c  the hall's cached set-up, the pure rules, the clock
 * Domain functions take a struct ctx * and return 0, a DB_* code (< 0) or an E_* kind
 * (fcgi/errors.h, > 0); with a kind they may point *why at the message the citizen or clerk
 * reads (a static string), or leave it NULL for the kind's own.  Only the handlers reply.
 */
#ifndef YC_QUEUE_INT_H
#define YC_QUEUE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "queue.h"
#include "../../fcgi/errors.h"
#include "../../fcgi/yc.h"
#include "../../fcgi/kv.h"

#define Q_MAX_CATS   26
#define Q_MAX_WINDOWS 64
#define Q_MAX_HOURS  8
#define Q_MAX_SEQ    999		/* three digits: A001 … A999 per letter and day */
#define Q_TOKEN_BYTES 18		/* 144 random bits → 24 characters */

#define Q_NO_HALL    "没有这个政务服务中心"
#define Q_NO_TICKET  "没有这个号码"
#define Q_NO_WINDOW  "没有这个窗口"

/* ------------------------------------------------------------------ hall_config.c */

/* The hall as the queue needs it, cached per process (refreshed every minute). */
struct q_cat {
	char	 code;
	char	 name[208];
	int	 avg_min;		/* categories.avg_service_minutes: the estimate's seed */
	int	 nwin;			/* windows that serve it */
	int	 consult;		/* kind 'consult': 咨询导办 tickets */
	int	 retired;		/* retired: no new numbers; those waiting are called */
};
struct q_win {
	int	 number;
	char	 name[208];
	unsigned mask;			/* bit i: serves category 'A' + i */
	int	 consult;		/* kind 'consult': 办结 carries a consultation record */
	char	 kind[16];		/* windows.kind: comprehensive, pickup, consult */
};
struct q_hall {
	char	 code[33];
	char	 name[408];
	int	 ncat;
	struct q_cat cats[Q_MAX_CATS];
	int	 nwin;
	struct q_win wins[Q_MAX_WINDOWS];
	int	 nhours;
	int	 open_s[Q_MAX_HOURS], close_s[Q_MAX_HOURS];	/* seconds after midnight */
};

/* 1 found (copied into h), 0 no such hall, or a DB_* code.  Cached. */
int	q_hall_get(struct ctx *c, const char *code, struct q_hall *h);
/* The same straight from MariaDB, no cache and no lock (what the cache loads). */
int	q_hall_load(struct ctx *c, const char *code, struct q_hall *h);
const struct q_cat *q_hall_cat(const struct q_hall *h, char code);
const struct q_win *q_hall_win(const struct q_hall *h, int number);

/* ------------------------------------------------------------------ queue_time.c */

/* The day as the hall sees it: "2026-11-23" (11 bytes) and the ms since its midnight. */
void	q_today(int64_t now_ms, char day[11], int64_t *day_ms);
/* DATETIME(3) text in hall time: "2026-11-23 09:30:00.123" (24 bytes). */
void	q_dt(int64_t ms, char out[24]);
/* ms of such a text (hall time); 0 when unreadable. */
int64_t	q_dt_ms(const char *dt);
/* DATETIME text from MariaDB → RFC 3339 with the hall offset ("" stays ""). */
void	q_rfc3339(const char *dt, char *out, size_t osz);

/* ------------------------------------------------------------------ order.c (pure) */

/* The line a ticket of this priority waits in: 'p' (priority class) or 'n' (ordinary). */
char	q_line_of(enum q_priority p);
/* The order score of a rejoin: behind every score handed out so far (last), and never
 * before the day's own scale (day_ms × 1000 + 999). */
long long q_rejoin_score(long long last, int64_t day_ms);
/* Is second sec after midnight inside the hall's opening hours? */
int	q_hours_open(const struct q_hall *h, int sec);
/* The same for an appointment check-in: also from early_s seconds before each opening
 * period (the booking waits, first of its class, until the windows call). */
int	q_hours_checkin(const struct q_hall *h, int sec, int early_s);
/* Configuration: queue_checkin_before_open_minutes [30], in seconds. */
int	q_checkin_early_s(void);
/* Estimated minutes for `ahead` tickets of cat, from the reply of take/place. */
int	q_eta(const struct q_hall *h, char cat, long long ahead, const redisReply *svc,
	    const redisReply *const *open, size_t nopen, int64_t now_ms);
/* The same from the svc and open members of a take/place reply. */
int	q_eta_of(const struct q_hall *h, char cat, long long ahead, const redisReply *svc,
	    const redisReply *open, int64_t now_ms);
/* Configuration (yichuang.conf): queue_fair_ratio. */
int	q_fair_ratio(void);
/* Configuration: queue_turn_near_ahead [3], the turn-near SMS goes when this many or fewer
 * are ahead. */
int	q_near_ahead(void);

/* ------------------------------------------------------------------ lines.c */

/*
 * Redis keys: "{hall:<code>}:<suffix>" so every key of a hall lands in one cluster slot.
 *   ready         marker "<day>:<epoch>": the lines of that day are loaded (the epoch is
 *                 new at every load, so a request can tell that a rebuild happened)
 *   lock          the rebuild lock (SET NX PX, value: the holder's random id)
 *   seq           hash letter → last number issued today
 *   ord           last order score handed out (scores only grow)
 *   L:<c>:p, L:<c>:n   the waiting lines of category c: priority class and ordinary,
 *                 sorted sets of "A005 <token>" by order score
 *   waiting       hash category → waiting tickets (read by GET /halls/{hall}/categories)
 *   win:<n>       hash: streak (priority calls in a row at window n, for the fairness ratio)
 *   open          hash window → ms of the clerk's last action there (windows open now)
 *   calls         hash window → "<call id>|<number>|<ms>": the latest call of each window
 *   callseq       call ids (a recall is a new call id: the board speaks it again)
 *   ver           the board's version; bumps with every change the board shows
 *   notify        set of tokens still owed a turn-near SMS
 *   svc           hash category → recent average service seconds (moving average)
 */
int	q_key(char *out, size_t osz, const char *hall, const char *suffix);

/* The scripts.  Each returns the reply (caller frees) or NULL: Redis down. */
struct q_take_in {
	const char	*hall, *day;
	char		 cat;
	char		 line;		/* 'p' or 'n' */
	const char	*token;
	int64_t		 day_ms;
	int		 min_seq;	/* a number already taken in MariaDB: continue above it */
	int		 notify;	/* owed a turn-near SMS once near */
	const char	*old_member;	/* a retry: drop this member first ("" none) */
};
redisReply *q_script_take(struct ctx *c, const struct q_take_in *in);
/* Pop the next ticket for a window serving cats (letters). */
redisReply *q_script_pop(struct ctx *c, const char *hall, const char *day, int window,
	    const char *cats);
/* Put a member (back) into a line with score ("" = a new score at the back); an explicit
 * score past the hall's last one becomes the last one. */
redisReply *q_script_requeue(struct ctx *c, const char *hall, const char *day, char cat,
	    char line, const char *member, const char *score, int64_t day_ms, int notify,
	    char num_cat, int seq);
/* The same, for callers that only need it done (best effort: a failure is repaired by the
 * next read of the ticket or the reconcile job). */
void	q_requeue(struct ctx *c, const char *hall, const char *day, char cat, char line,
	    const char *member, const char *score, int64_t day_ms, int notify, char num_cat,
	    int seq);
/* Take a member out of both lines of cat; then look who is near the front now. */
redisReply *q_script_remove(struct ctx *c, const char *hall, const char *day, char cat,
	    const char *member);
/* Show a call on the board; then look who is near the front of cats now. */
redisReply *q_script_announce(struct ctx *c, const char *hall, const char *day, int window,
	    const char *number, int64_t at_ms, const char *cats);
/* Who of category cat is owed the turn-near SMS now: {'OK', epoch, "token ahead"…}. */
redisReply *q_script_nearscan(struct ctx *c, const char *hall, const char *day, char cat);
/* Place of a member: {rank or -1, ahead, svc seconds or "", open windows flat …}. */
redisReply *q_script_place(struct ctx *c, const char *hall, char cat, char line,
	    const char *member);
redisReply *q_script_board(struct ctx *c, const char *hall, const char *day);
/* Release the rebuild lock if `me` still holds it. */
void	 q_unlock(struct ctx *c, const char *lock, const char *me);
/* Drop the waiting counts when the loaded lines are not of `day`. 0, or -1 (Redis down). */
int	 q_clear_stale(struct ctx *c, const char *hall, const char *day);
/* Fold one service duration into the category's moving average. */
void	 q_svc_add(struct ctx *c, const char *hall, char cat, long long seconds);
/* Note that a clerk works at the window now. */
void	 q_window_open(struct ctx *c, const char *hall, int window, int64_t now_ms);
/* The last order score handed out in the hall (0 none), -1 when Redis is down. */
long long q_last_score(struct ctx *c, const char *hall);
/* Board long-poll version read (NULL: Redis down; nil reply: not ready). */
redisReply *q_board_version(struct ctx *c, const char *hall);
/* Is this a script reply {status, …} whose status is a string?  (A NULL or error reply
 * means Redis is down or refused.) */
int	 q_reply_ok(const redisReply *rep, size_t min_elements);

/* ------------------------------------------------------------------ rebuild.c */

/* The current epoch ("" when the marker is missing); -1 when Redis is down. */
int	q_epoch(struct ctx *c, const char *hall, const char *day, char *epoch, size_t esz);
/*
 * Make sure today's lines of the hall are in Redis: when the marker is missing (Redis
 * wiped or restarted empty, or a new day), rebuild them from MariaDB under a lock before
 * anything is served.  0 with the epoch (≥ 16 bytes); E_NOT_FOUND (no such hall, *why
 * says so), E_UNAVAILABLE (Redis) or a DB_* code.
 */
int	q_ready(struct ctx *c, const char *hall, const char *day, char *epoch, size_t esz,
	    const char **why);
/* Waiting rows as the lines are made of them (the rebuild, and the reconcile job). */
struct q_wait {
	char	 token[40];
	char	 member[48];	/* "A005 <token>" */
	char	 cat;
	char	 line;
	char	 score[24];
	int	 notify;	/* owed a turn-near SMS */
	char	 num_cat;	/* with the optional columns: */
	int	 seq;
	int	 settled;	/* unchanged for a while (the reconcile job's own column) */
};
struct q_waits {
	struct q_wait	*r;	/* owned: free(r) */
	size_t		 n, cap;
	int		 oom;	/* more rows than memory (or 100000): the list stops short */
};
/* db_row_fn: columns token, number, category, line, rank_score, notify, then optionally
 * num_cat, seq, settled.  A row of no category letter is skipped. */
int	q_wait_row(void *arg, size_t ncol, char **v, const size_t *lens);

/* After a commit: did a rebuild (a new epoch) happen since `epoch`?  Then the lines are
 * ready again (best effort) and 1 is returned: the caller re-applies its own change. */
int	q_rebuilt_since(struct ctx *c, const char *hall, const char *day, const char *epoch);

/* ------------------------------------------------------------------ tickets.c */

/* Who acts: for the history rows, and the audit trail in the caller's name. */
struct audit_values;

struct q_actor {
	const char	*kind;		/* queue_ticket_history.actor_kind */
	const char	*subject;	/* the staff id, citizen id, or "" */
	/* Record an audit event (inside the transaction of the change); NULL: none. */
	void		(*audit)(void *arg, const char *action, const char *target,
			    const char *detail);
	/* The same event as the values of its audit_log row (shared/audit.h), for a change
	 * that writes the row in its own statement (take.c); NULL: none. */
	void		(*audit_values)(void *arg, const char *action, const char *target,
			    const char *detail, struct audit_values *out);
	void		*arg;
};

struct q_ticket {
	int		 found;
	unsigned long long id;
	char		 token[40];
	char		 hall[33];
	char		 day[11];
	char		 number[8];
	char		 num_cat;
	int		 seq;
	char		 category;
	char		 line;
	char		 score[24];
	char		 priority[16];
	char		 source[16];
	char		 status[12];
	char		 outcome[10];
	char		 citizen[48];
	int		 window;
	int		 rejoined;
	int		 transfers;
	int		 calls;
	int		 near_notified;
	int		 has_phone;
	char		 taken_at[24], called_at[24], started_at[24], finished_at[24], updated_at[24];
	char		 case_no[41];
};

/* The columns q_ticket_row reads, to start each SELECT of a ticket (SQL stays a literal). */
#define T_COLS "SELECT id, token, hall, DATE_FORMAT(day, '%Y-%m-%d'), number, num_cat, seq," \
	" category, line, rank_score, priority, source, status, outcome, citizen, window_no," \
	" rejoined, transfers, calls, near_notified, phone_enc IS NOT NULL, taken_at, called_at," \
	" started_at, finished_at, updated_at, case_no FROM queue_tickets "

extern const char *const q_priority_names[Q_PRI__MAX + 1];
extern const char *const q_source_names[Q_SRC__MAX];

/* The ticket's phone, opened into out (only to hand it to the outbox, which seals it
 * again): 1, 0 when it has none that opens (logged), or a DB_* code. */
int	q_ticket_phone(struct ctx *c, unsigned long long id, char *out, size_t osz);
/* The ticket's SMS `template` with params (taken: freed here) to its phone (opened with
 * q_ticket_phone), into the outbox with the ticket as its reference; urgent 0: held during
 * quiet hours.  0 or a DB_* code. */
int	q_ticket_sms(struct ctx *c, const struct q_ticket *t, const char *phone,
	    const char *template, json_t *params, int urgent);
/* db_row_fn for T_COLS into a struct q_ticket. */
int	q_ticket_row(void *arg, size_t ncol, char **v, const size_t *lens);
/* The ticket's member in its line: "A005 <token>". */
void	q_member(const struct q_ticket *t, char *out, size_t osz);
/* One queue_ticket_history row (window 0: none).  0 or a DB_* code. */
int	q_hist(struct ctx *c, const struct q_actor *who, unsigned long long id, const char *action,
	    const char *from, const char *to, int window, const char *detail, const char *now_dt);
/* The audit event of a change; its target is the readable number, never the token. */
void	q_audit(const struct q_actor *who, const char *action, const struct q_ticket *t,
	    const char *detail);
/* The ticket as the API shows it, at `ahead` with an estimate of eta minutes. */
json_t *q_ticket_json(const struct q_hall *h, const struct q_ticket *t, long long ahead, int eta);
/* The same with its place when it waits today; a waiting ticket missing from its line for
 * a while (a failure between MariaDB and Redis) is put back.  0, or a kind / DB_* code. */
int	q_ticket_view(struct ctx *c, const struct q_hall *h, const struct q_ticket *t,
	    json_t **out, const char **why);
/* The ticket of a token and its hall.  0, E_NOT_FOUND (*why) or a DB_* code. */
int	q_ticket_load(struct ctx *c, const char *token, struct q_ticket *t, struct q_hall *h,
	    const char **why);
/* Queue the turn-near SMS for the "token ahead" entries of a script reply from `from` on. */
void	q_notify_near(struct ctx *c, const struct q_actor *who, const struct q_hall *h,
	    const redisReply *rep, size_t from);
/* After a ticket entered a line of cat (taken, transferred, rejoined): queue the turn-near
 * SMS of whoever in it is now near and still owed one (best effort: the next call looks
 * again). */
void	q_near_scan(struct ctx *c, const struct q_actor *who, const struct q_hall *h,
	    const char *day, char cat);

/* ------------------------------------------------------------------ take.c */

struct q_take {
	const struct queue_take_args *a;	/* what to take (its idem and tx_hook unused) */
	const struct q_actor *who;
	/* Runs in the ticket's transaction after its row and history (see queue.h tx_hook);
	 * its non-zero value rolls everything back and is returned as it is. */
	int		(*in_tx)(void *arg, uint64_t ticket_id, json_t *ticket);
	void		*in_tx_arg;
	json_t		*ticket;	/* out: the ticket as shown (caller owns it) */
	const char	*why;		/* out: with a refusal */
	char		 why_buf[200];	/* room for a why that names the day's hours */
	int		 calendar_missing;	/* out, with E_HALL_CLOSED: no holidays for the year */
	struct q_hall	 h;		/* out: the hall (with E_HALL_CLOSED: for its hours) */
};
/* Take a number: 0, an E_* kind (E_INVALID_INPUT: the hall has no such category;
 * E_NOT_FOUND, E_HALL_CLOSED, E_ALREADY_QUEUED, E_QUEUE_FULL, E_UNAVAILABLE, E_INTERNAL),
 * a DB_* code, or in_tx's own value. */
int	q_take_run(struct ctx *c, struct q_take *t);

/* ------------------------------------------------------------------ ticket_ops.c */

/* Leave the queue (waiting or skipped → cancelled).  t: the ticket as loaded.  0 or kind. */
int	q_ticket_cancel(struct ctx *c, const struct q_actor *who, const struct q_hall *h,
	    struct q_ticket *t, const char **why);
/* Once after a skip, today: back into the ordinary line, behind everyone waiting now.  t is
 * updated to the ticket as it now stands.  0, a kind, or a DB_* code. */
int	q_ticket_rejoin(struct ctx *c, const struct q_actor *who, const struct q_hall *h,
	    struct q_ticket *t, const char **why);

/* ------------------------------------------------------------------ window.c */

struct q_window {
	struct q_hall	 h;
	const struct q_win *w;
	int		 number;
	char		 cats[Q_MAX_CATS + 1];	/* the letters the window serves */
	int64_t		 now;
	int64_t		 day_ms;
	char		 day[11];
	char		 now_dt[24];
	struct q_ticket	 t;		/* the window's current ticket (before the change) */
};
enum q_act { Q_ACT_RECALL, Q_ACT_SKIP, Q_ACT_START, Q_ACT_TRANSFER, Q_ACT_FINISH };
struct q_act_in {
	enum q_act	 act;
	char		 to_cat;	/* transfer */
	int		 outcome_done;	/* finish: done (1) or no_show (0) */
	const char	*case_no;	/* finish, or NULL */
	/* Runs in the action's transaction after its row and history (the consultation
	 * record of a finish at a consult window); non-zero rolls everything back. */
	int		(*in_tx)(struct ctx *c, void *arg, const struct q_ticket *t);
	void		*in_tx_arg;
};

/* Window `number` of hall.  0, E_NOT_FOUND (*why) or a DB_* code. */
int	q_window_load(struct ctx *c, const char *hall, int number, struct q_window *w,
	    const char **why);
/* The window's current ticket into w->t (found or not).  lock: FOR UPDATE.  0 or DB_*. */
int	q_window_current(struct ctx *c, struct q_window *w, int lock);
/* Call the next ticket: 0 with its token (≥ 40 bytes), or with "" when nobody waits;
 * E_WINDOW_BUSY, E_UNAVAILABLE, E_NOT_FOUND, E_INTERNAL or a DB_* code. */
int	q_window_call_next(struct ctx *c, const struct q_actor *who, struct q_window *w,
	    char *token, size_t tsz, const char **why);
/* One clerk action on the window's current ticket (w->t is it, as it was).  0 or kind. */
int	q_window_act(struct ctx *c, const struct q_actor *who, struct q_window *w,
	    const struct q_act_in *in, const char **why);
/* The figures of the console: done today at this window, and the waiting counts.  0 or
 * kind. */
int	q_window_figures(struct ctx *c, struct q_window *w, long long *served, json_t *counts,
	    const char **why);

/* finish_sms.c: the review link of a ticket, <public_base_url>/review.html?ticket=<token>;
 * and, in the finish's transaction, the ticket_finished SMS carrying it when the ticket has a
 * phone.  0 or a DB_* code. */
void	q_review_url(const char *token, char *out, size_t osz);
int	q_finish_sms(struct ctx *c, const struct q_window *w);


/* ------------------------------------------------------------------ board.c, push.c */

/* The board as GET …/board shows it: 0 with *out (owned), E_UNAVAILABLE, or q_ready's kind
 * with *why; rebuild 0 never rebuilds missing lines (E_UNAVAILABLE instead). */
int	q_board_build(struct ctx *c, const char *hall, const char *day, int rebuild, json_t **out,
	    const char **why);
/*
 * Tell the hall's screens and phones that its queue changed (push.c): the board as it now
 * stands, with what happened (kind: take, call, recall, skip, start, transfer, finish,
 * cancel, rejoin; window 0 and number NULL when none), published to the hall's channel.
 * Called after the change is committed.  Bounded by push_timeout_ms; never fails: a
 * publish that did not happen is logged and the clients' polling covers it.
 */
void	q_push(struct ctx *c, const char *hall, const char *kind, int window, const char *number);

#endif
