/*
 * queue_int.h — what the queue's own files share (queue.c, queue_state.c, queue_board.c).
 * Other modules use queue.h.
 *
 * The split: queue_state.c owns everything Redis (key names, the Lua scripts, the per-day
 * marker and the rebuild from MariaDB) and the hall's cached configuration; queue.c owns the
 * ticket routes and their transactions; queue_board.c owns the board's long poll.
 */
#ifndef YC_QUEUE_INT_H
#define YC_QUEUE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "../../fcgi/yc.h"
#include "../../fcgi/kv.h"

#define Q_MAX_CATS   26
#define Q_MAX_WINDOWS 64
#define Q_MAX_HOURS  8
#define Q_MAX_SEQ    999		/* three digits: A001 … A999 per letter and day */
#define Q_NEAR       3		/* turn-near SMS when this many are ahead */
#define Q_TOKEN_BYTES 18		/* 144 random bits → 24 characters */

/* The hall as the queue needs it, cached per process (refreshed every minute). */
struct q_cat {
	char	 code;
	char	 name[208];
	int	 avg_min;		/* categories.avg_service_minutes: the estimate's seed */
	int	 nwin;			/* windows that serve it */
};
struct q_win {
	int	 number;
	char	 name[208];
	unsigned mask;			/* bit i: serves category 'A' + i */
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

/* 1 found (copied into h), 0 no such hall, or a DB_* code. */
int	q_hall_get(struct ctx *c, const char *code, struct q_hall *h);
const struct q_cat *q_hall_cat(const struct q_hall *h, char code);
const struct q_win *q_hall_win(const struct q_hall *h, int number);

/* The day as the hall sees it: "2026-11-23" (11 bytes) and the ms since its midnight. */
void	q_today(int64_t now_ms, char day[11], int64_t *day_ms);
/* DATETIME(3) text in hall time: "2026-11-23 09:30:00.123" (24 bytes). */
void	q_dt(int64_t ms, char out[24]);
/* DATETIME text from MariaDB → RFC 3339 with the hall offset ("" stays ""). */
void	q_rfc3339(const char *dt, char *out, size_t osz);

/* Configuration (yichuang.conf): queue_fair_ratio, queue_board_hold_ms. */
int	q_fair_ratio(void);

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

/*
 * Make sure today's lines of the hall are in Redis: when the marker is missing (Redis
 * wiped or restarted empty, or a new day), rebuild them from MariaDB under a lock before
 * anything is served.  0 with the epoch (≥ 16 bytes), or a status set on r (503, 404).
 */
int	q_ready(struct req *r, const char *hall, const char *day, char *epoch, size_t esz);
/* The current epoch ("" when the marker is missing); -1 when Redis is down. */
int	q_epoch(struct ctx *c, const char *hall, const char *day, char *epoch, size_t esz);

/* The scripts (queue_state.c).  Each returns the reply (caller frees) or NULL: Redis down. */
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
/* Take a member out of both lines of cat; then look who is near the front now. */
redisReply *q_script_remove(struct ctx *c, const char *hall, const char *day, char cat,
	    const char *member);
/* Show a call on the board; then look who is near the front of cats now. */
redisReply *q_script_announce(struct ctx *c, const char *hall, const char *day, int window,
	    const char *number, int64_t at_ms, const char *cats);
/* Place of a member: {rank or -1, ahead, svc seconds or "", open windows flat …}. */
redisReply *q_script_place(struct ctx *c, const char *hall, char cat, char line,
	    const char *member);
redisReply *q_script_board(struct ctx *c, const char *hall, const char *day);
/* Drop the waiting counts when the loaded lines are not of `day`. 0, or -1 (Redis down). */
int	 q_clear_stale(struct ctx *c, const char *hall, const char *day);
/* Fold one service duration into the category's moving average. */
void	 q_svc_add(struct ctx *c, const char *hall, char cat, long long seconds);
/* Note that a clerk works at the window now. */
void	 q_window_open(struct ctx *c, const char *hall, int window, int64_t now_ms);

/* Estimated minutes for `ahead` tickets of cat, from the reply of take/place. */
int	q_eta(const struct q_hall *h, char cat, long long ahead, const redisReply *svc,
	    const redisReply *const *open, size_t nopen, int64_t now_ms);

/* The last order score handed out in the hall (0 none), -1 when Redis is down. */
long long q_last_score(struct ctx *c, const char *hall);

/* Board long-poll version read (NULL: Redis down; nil reply: not ready). */
redisReply *q_board_version(struct ctx *c, const char *hall);

#endif
