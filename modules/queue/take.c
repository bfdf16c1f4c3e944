/*
 * take.c — taking a number (取号): the checks, the number from Redis, the row in MariaDB.
 *
 * Routes: none here; POST /halls/{hall}/tickets (ticket_api.c) and the appointment check-in
 *         (appointments, through queue_take in ticket_api.c) come here.
 * Tables: queue_tickets, queue_ticket_history, citizens (the sealed phone, read and copied
 *         sealed), calendar_* (working day) through hall/calendar.h.
 * Redis:  the take, requeue and remove scripts (lines.c).
 *
 * Redis goes first: the take script hands out the number and puts the member in its line;
 * the row follows in one transaction — one CALL of queue_take_record when nothing else runs
 * in it (take_call), db_tx otherwise — and a failed insert takes the member back out
 * (take_undo).  A number MariaDB already holds (the lines were behind the record after a
 * wipe) makes the script go on above the day's highest; a wipe between the script and the
 * commit puts this ticket into the new lines (q_rebuilt_since).
 */
#include "queue_int.h"
#include "../hall/calendar.h"
#include "../shared/audit.h"
#include "../hall/hall_hours.h"
#include "../shared/pii.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/config.h"
#include "../../fcgi/db.h"
#include "../../fcgi/log.h"
#include "../../fcgi/util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define Q_TAKE_TRIES 8		/* script runs: numbers already in the record, rebuilds */
#define TAKE_AGAIN (-100)	/* take_number: the lines were rebuilt, run the script again */

/* One take as it goes: what the script handed out, and what the transaction writes. */
struct take_ctx {
	struct q_take	*q;
	const struct queue_take_args *a;
	char		 token[40];
	char		 day[11];
	int64_t		 now, day_ms;
	char		 now_dt[24];
	char		 epoch[32];
	char		 number[8];
	char		 member[80];
	char		 old_member[80];	/* a member to drop at the next try ("" none) */
	int		 seq, min_seq;
	char		 score[24];
	char		 line;
	int		 has_phone;
	unsigned char	 sealed[PII_SEALED_MAX];
	size_t		 sealed_len;	/* > 0: a phone given at the kiosk, sealed here */
	int		 hook_failed;	/* in_tx refused: its value is returned as it is */
	/* Group commit (take_record): what the audit row says, and the answer of the batch
	 * this take was written in (TB_QUEUED, then TB_WRITING until then). */
	struct audit_values av;
	int		 batch_rc;
	pthread_cond_t	*cv;		/* its thread's (tb_cv): its batch was written, or it
					 * may write one */
	/* The lines' epoch read once after the batch's commit by its writer, for every take
	 * of the batch (epoch_after[0] == '\0': not read, the take reads it itself). */
	char		 epoch_after[32];
};

/* Is the hall issuing numbers now?  0, E_HALL_CLOSED (why set) or a DB_* code.  The day's
 * opening is hall_day_hours's (the week's hours on a working day, or the date's own: a
 * Saturday opening, evening hours, a working day closed); on a day it opens the hall's
 * hours in t->q->h become the day's, for the reply that says when it opens. */
static int
take_hours(struct ctx *c, struct take_ctx *t)
{
	int64_t s = t->now / 1000, d = hall_day(s);
	int sec = (int)(s - hall_day_start(d)), rc, i;
	struct hall_day hd;

	rc = hall_day_hours(c, t->a->hall, d, &hd);
	if (rc < 0 && rc != CAL_MISSING)
		return rc;
	if (rc == 1) {	/* a closed day's reply keeps the week's hours */
		t->q->h.nhours = 0;
		for (i = 0; i < hd.n && i < Q_MAX_HOURS; i++) {
			t->q->h.open_s[i] = hd.open_min[i] * 60;
			t->q->h.close_s[i] = hd.close_min[i] * 60;
			t->q->h.nhours++;
		}
	}
	if (rc == 1 && q_hours_open(&t->q->h, sec))
		return 0;
	/* A booking checks in from its check-in window, even before the windows open: its
	 * ticket waits, first of the priority class, until they call. */
	if (rc == 1 && t->a->source == Q_SRC_APPOINTMENT &&
	    q_hours_checkin(&t->q->h, sec, q_checkin_early_s()))
		return 0;
	if (rc == CAL_MISSING) {
		t->q->calendar_missing = 1;
		t->q->why = "今年的节假日安排尚未导入，暂停取号，请咨询大厅工作人员";
	} else if (rc == 0 && hd.closed)
		t->q->why = "本中心今天不办公";
	else if (rc == 0)
		t->q->why = "今天是休息日，大厅不办公";
	else {
		/* The day's own hours (a date's 延时服务 till 20:00, a Saturday morning), named. */
		char p[24];
		size_t len;

		str_copy(t->q->why_buf, sizeof t->q->why_buf, "当前不在取号时间，今天的取号时间为 ");
		for (i = 0; i < t->q->h.nhours; i++) {
			fmt(p, sizeof p, "%s%02d:%02d–%02d:%02d", i ? "、" : "",
			    t->q->h.open_s[i] / 3600, t->q->h.open_s[i] / 60 % 60,
			    t->q->h.close_s[i] / 3600, t->q->h.close_s[i] / 60 % 60);
			len = strlen(t->q->why_buf);
			if (len + strlen(p) + 1 > sizeof t->q->why_buf)
				break;
			memcpy(t->q->why_buf + len, p, strlen(p) + 1);
		}
		t->q->why = t->q->why_buf;
	}
	return E_HALL_CLOSED;
}

/* Everything checked before a number is taken: hall, category, hours, the citizen's one
 * active ticket, the phone for the reminder.  0, a kind or a DB_* code. */
static int
take_check(struct ctx *c, struct take_ctx *t)
{
	const struct queue_take_args *a = t->a;
	const struct q_cat *cat;
	char tok[40], one[4];
	int rc;

	if ((rc = q_hall_get(c, a->hall, &t->q->h)) < 0)
		return rc;
	if (rc == 0) {
		t->q->why = Q_NO_HALL;
		return E_NOT_FOUND;
	}
	if ((cat = q_hall_cat(&t->q->h, a->category)) == NULL) {
		t->q->why = "本中心没有这个类别";
		return E_INVALID_INPUT;
	}
	/* A retired category takes no new number; a booking made before it was retired still
	 * checks in (its citizen was promised a place). */
	if (cat->retired && a->source != Q_SRC_APPOINTMENT) {
		t->q->why = "该业务类别已停止取号，请咨询大厅工作人员";
		return E_INVALID_INPUT;
	}
	if ((rc = take_hours(c, t)) != 0)
		return rc;
	if (a->source == Q_SRC_CITIZEN && a->citizen == NULL) {
		log_err("take: a citizen ticket without a citizen");
		return E_INTERNAL;
	}
	if (a->citizen) {
		/* One active ticket per citizen and hall (the unique key decides a race). */
		rc = db_scalar(c, "SELECT token FROM queue_tickets WHERE hall = ? AND day = ?"
		    " AND active_citizen = ?", DBARGS(DBS(a->hall), DBS(t->day), DBS(a->citizen)),
		    tok, sizeof tok);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			t->q->why = "您在本中心已有排队中的号码，请先办理或取消后再取号";
			return E_ALREADY_QUEUED;
		}
	}
	if (a->source == Q_SRC_CITIZEN) {
		/* The reminder goes to the account's phone (sealed in citizens, copied sealed). */
		rc = db_scalar(c, "SELECT 1 FROM citizens WHERE id = ? AND phone_enc IS NOT NULL",
		    DBARGS(DBS(a->citizen)), one, sizeof one);
		if (rc < 0)
			return rc;
		t->has_phone = rc == 1;
	} else if (a->phone) {
		int n = pii_seal(a->phone, t->sealed, sizeof t->sealed);

		if (n < 0) {
			log_err("take: cannot seal a phone");
			return E_INTERNAL;
		}
		t->sealed_len = (size_t)n;
		t->has_phone = 1;
	}
	return 0;
}

/* Take a member back out of its line after a failed insert (best effort). */
static void
take_undo(struct ctx *c, const struct take_ctx *t)
{
	char member[80];
	redisReply *rep;

	fmt(member, sizeof member, "%s %s", t->number, t->token);
	rep = q_script_remove(c, t->a->hall, t->day, t->a->category, member);
	if (rep)
		freeReplyObject(rep);
}

/* Run the take script once: 0 with the number in t and the ticket as shown in
 * t->q->ticket; TAKE_AGAIN when the lines had to be rebuilt first; or a kind. */
static int
take_number(struct ctx *c, struct take_ctx *t)
{
	const struct queue_take_args *a = t->a;
	struct q_take_in in;
	struct q_ticket v;
	long long ahead;
	redisReply *rep;
	int rc, eta;

	memset(&in, 0, sizeof in);
	in.hall = a->hall;
	in.day = t->day;
	in.cat = a->category;
	in.line = t->line;
	in.token = t->token;
	in.day_ms = t->day_ms;
	in.min_seq = t->min_seq;
	in.notify = t->has_phone;
	in.old_member = t->old_member;
	rep = q_script_take(c, &in);
	if (!q_reply_ok(rep, 1)) {
		if (rep)
			freeReplyObject(rep);
		return E_UNAVAILABLE;
	}
	if (strcmp(rep->element[0]->str, "NOTREADY") == 0) {
		freeReplyObject(rep);
		rc = q_ready(c, a->hall, t->day, t->epoch, sizeof t->epoch, &t->q->why);
		return rc != 0 ? rc : TAKE_AGAIN;
	}
	if (strcmp(rep->element[0]->str, "FULL") == 0) {
		freeReplyObject(rep);
		if (t->old_member[0])
			take_undo(c, t);
		return E_QUEUE_FULL;
	}
	if (rep->elements < 7) {
		freeReplyObject(rep);
		log_err("take: short reply");
		return E_INTERNAL;
	}
	str_copy(t->epoch, sizeof t->epoch, rep->element[1]->str ? rep->element[1]->str : "");
	t->seq = (int)rep->element[2]->integer;
	str_copy(t->score, sizeof t->score, rep->element[3]->str ? rep->element[3]->str : "0");
	ahead = rep->element[4]->integer;
	eta = q_eta_of(&t->q->h, a->category, ahead, rep->element[5], rep->element[6], t->now);
	freeReplyObject(rep);
	fmt(t->number, sizeof t->number, "%c%03d", a->category, t->seq);
	fmt(t->member, sizeof t->member, "%s %s", t->number, t->token);

	memset(&v, 0, sizeof v);
	str_copy(v.token, sizeof v.token, t->token);
	str_copy(v.hall, sizeof v.hall, a->hall);
	str_copy(v.day, sizeof v.day, t->day);
	str_copy(v.number, sizeof v.number, t->number);
	v.category = v.num_cat = a->category;
	v.line = t->line;
	str_copy(v.priority, sizeof v.priority, q_priority_names[a->priority]);
	str_copy(v.status, sizeof v.status, "waiting");
	str_copy(v.taken_at, sizeof v.taken_at, t->now_dt);
	v.has_phone = t->has_phone;
	json_decref(t->q->ticket);
	t->q->ticket = q_ticket_json(&t->q->h, &v, ahead, eta);
	return 0;
}

static int
take_tx(struct ctx *c, void *arg)
{
	struct take_ctx *t = arg;
	const struct queue_take_args *a = t->a;
	struct q_ticket row;
	char cat[2] = { a->category, 0 }, detail[64];
	uint64_t id = 0;
	int rc;

	t->hook_failed = 0;
	if (a->source == Q_SRC_CITIZEN)
		rc = db_exec(c, "INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number,"
		    " category, priority, line, rank_score, source, citizen, phone_enc, appointment,"
		    " taken_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " (SELECT c.phone_enc FROM citizens c WHERE c.id = ?), ?, ?, ?)",
		    DBARGS(DBS(t->token), DBS(a->hall), DBS(t->day), DBS(cat), DBI(t->seq),
		    DBS(t->number), DBS(cat), DBS(q_priority_names[a->priority]), DBSN(&t->line, 1),
		    DBS(t->score), DBS(q_source_names[a->source]), DBS(a->citizen), DBS(a->citizen),
		    DBSO(a->appointment), DBS(t->now_dt), DBS(t->now_dt)), NULL, &id);
	else
		rc = db_exec(c, "INSERT INTO queue_tickets (token, hall, day, num_cat, seq, number,"
		    " category, priority, line, rank_score, source, citizen, phone_enc, appointment,"
		    " taken_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(t->token), DBS(a->hall), DBS(t->day), DBS(cat), DBI(t->seq),
		    DBS(t->number), DBS(cat), DBS(q_priority_names[a->priority]), DBSN(&t->line, 1),
		    DBS(t->score), DBS(q_source_names[a->source]), DBSO(a->citizen),
		    t->sealed_len ? DBSN((const char *)t->sealed, t->sealed_len) : DBN,
		    DBSO(a->appointment), DBS(t->now_dt), DBS(t->now_dt)), NULL, &id);
	if (rc != 0)
		return rc;
	fmt(detail, sizeof detail, "%s %s", q_source_names[a->source], q_priority_names[a->priority]);
	if ((rc = q_hist(c, t->q->who, id, "take", NULL, "waiting", 0, detail, t->now_dt)) != 0)
		return rc;
	memset(&row, 0, sizeof row);
	str_copy(row.hall, sizeof row.hall, a->hall);
	str_copy(row.day, sizeof row.day, t->day);
	str_copy(row.number, sizeof row.number, t->number);
	q_audit(t->q->who, "queue.take", &row, detail);
	if (t->q->in_tx && (rc = t->q->in_tx(t->q->in_tx_arg, id, t->q->ticket)) != 0)
		t->hook_failed = 1;
	return rc;
}

/* What one take writes besides its number: detail and audit target. */
static void
take_words(const struct take_ctx *t, char *detail, size_t dsz, char *target, size_t tsz)
{
	fmt(detail, dsz, "%s %s", q_source_names[t->a->source], q_priority_names[t->a->priority]);
	fmt(target, tsz, "%s/%s/%s", t->a->hall, t->day, t->number);
}

/*
 * take_tx's transaction in one round trip: the CALL of queue_take_record
 * (sql/migrations/134_queue_take_record.sql) writes the row, its history and its audit row
 * in one transaction on the server (five round trips in take_tx).  For a take with nothing
 * else to do in the transaction (no in_tx hook) by an actor whose audit row can be written
 * by value.  0 or a DB_* code (DB_DUP as take_tx's).
 */
static int
take_call(struct ctx *c, struct take_ctx *t)
{
	const struct queue_take_args *a = t->a;
	const struct q_actor *who = t->q->who;
	char cat[2] = { a->category, 0 }, detail[64], target[96];
	int citizen_phone = a->source == Q_SRC_CITIZEN, i, rc = DB_RETRY;

	take_words(t, detail, sizeof detail, target, sizeof target);
	for (i = 0; i < 3 && rc == DB_RETRY; i++) {	/* a deadlock: as db_tx, again */
		who->audit_values(who->arg, "queue.take", target, detail, &t->av);
		rc = db_exec(c, "CALL queue_take_record(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    DBARGS(DBS(t->token), DBS(a->hall), DBS(t->day), DBS(cat), DBI(t->seq),
		    DBS(t->number), DBS(q_priority_names[a->priority]), DBSN(&t->line, 1),
		    DBS(t->score), DBS(q_source_names[a->source]), DBSO(a->citizen),
		    !citizen_phone && t->sealed_len ?
		    DBSN((const char *)t->sealed, t->sealed_len) : DBN, DBI(citizen_phone),
		    DBSO(a->appointment), DBS(t->now_dt), DBS(who->kind), DBS(who->subject),
		    DBS(detail), t->av.v[0], t->av.v[1], t->av.v[2], t->av.v[3], t->av.v[4],
		    t->av.v[5], t->av.v[6], t->av.v[7], t->av.v[8]), NULL, NULL);
	}
	return rc;
}

/*
 * Group commit.  Each take is a durable commit, and a commit costs MariaDB about as much
 * CPU as the rows it writes (and a flush shared with whatever commits beside it).  When
 * numbers are taken faster than one commit lasts, the takes of this process that reach
 * take_record while another take's commit is under way wait for it, and the next of them
 * then writes all of them together: one CALL of queue_take_batch (migration 143), one
 * transaction, each ticket still with its own row, history row and audit row.  Nothing
 * waits on purpose: a take that finds no commit under way writes at once, alone, with
 * queue_take_record as before, so a quiet hall sees no change and a busy one commits fewer,
 * larger transactions.  A batch the server refuses (a number already in the record, a
 * citizen's second ticket) is rolled back whole, and each of its takes is then written on
 * its own, so each gets exactly the answer it would have had alone; a MariaDB that is away
 * fails each take of the batch with DB_DOWN, as alone.  A follower waits only for the
 * writes of the batch before its own, each bounded by MariaDB's own timeouts.
 * take_batch_max [64] bounds a batch (1: every take commits on its own).
 *
 * Batches grow with the load: the takes that arrive while a batch commits make the next
 * one, and MariaDB's CPU per ticket falls with the batch (a CALL of 1 take cost it
 * 0.28-0.34 ms, of 8 takes 0.15-0.18 ms a take, of 32 takes 0.11-0.12 ms).  So a second
 * batch starts beside one being written only once take_batch_more [16] takes wait for it,
 * up to take_batch_writers [4] at once: a quiet hall's take still writes at once, alone; a
 * busy one writes batches of 12-15 takes flat out, and while one batch waits for its flush
 * another big enough to pay for its own commit may go.  (Four writers, each starting as
 * soon as one take waited, made 2.7 takes a CALL and cost MariaDB 0.27-0.30 ms a ticket;
 * one writer made batches of 15 but left the CPU idle while they were flushed: issue 24,
 * README "Take-a-number against the disk".)  A waiting take sleeps on its own condition
 * variable and is woken only for its answer or its turn to write (tb_wake_next).
 */
#define TB_MAX		64
#define TB_QUEUED	1	/* batch_rc: waiting for a batch (DB_* codes are ≤ 0) */
#define TB_WRITING	2	/* batch_rc: in a batch being written */

static struct {
	pthread_mutex_t	 mu;
	int		 writing;	/* batches being written */
	size_t		 n;
	struct take_ctx	*q[TB_MAX];	/* waiting for the next batch */
} tb = { PTHREAD_MUTEX_INITIALIZER, 0, 0, { NULL } };

/* A dbv as a JSON member of o (NULL: left out, so the procedure reads NULL). */
static int
tb_set(json_t *o, const char *key, struct dbv v)
{
	json_t *x = NULL;

	if (v.t == DBT_STR)
		x = json_stringn(v.s, v.n);
	else if (v.t == DBT_INT)
		x = json_integer(v.i);
	else
		return 0;
	return x == NULL || json_object_set_new(o, key, x) != 0 ? -1 : 0;
}

/* The batch as queue_take_batch's JSON array.  NULL when out of memory. */
static char *
tb_json(struct take_ctx **b, size_t n)
{
	static const char *const akeys[AUDIT_NVALUES] = {
		"a_at", "a_hall", "a_kind", "a_actor", "a_action", "a_target", "a_result",
		"a_addr", "a_detail",
	};
	json_t *arr = json_array(), *o;
	char cat[2], detail[64], target[96], hex[2 * PII_SEALED_MAX + 1];
	char *out = NULL;
	size_t i, k;
	int bad = arr == NULL;

	for (i = 0; i < n && !bad; i++) {
		struct take_ctx *t = b[i];
		const struct queue_take_args *a = t->a;
		int citizen_phone = a->source == Q_SRC_CITIZEN;

		cat[0] = a->category;
		cat[1] = '\0';
		take_words(t, detail, sizeof detail, target, sizeof target);
		if ((o = json_object()) == NULL || json_array_append_new(arr, o) != 0) {
			bad = 1;
			break;
		}
		bad |= tb_set(o, "token", DBS(t->token)) | tb_set(o, "hall", DBS(a->hall)) |
		    tb_set(o, "day", DBS(t->day)) | tb_set(o, "cat", DBS(cat)) |
		    tb_set(o, "seq", DBI(t->seq)) | tb_set(o, "number", DBS(t->number)) |
		    tb_set(o, "priority", DBS(q_priority_names[a->priority])) |
		    tb_set(o, "line", DBSN(&t->line, 1)) | tb_set(o, "rank", DBS(t->score)) |
		    tb_set(o, "source", DBS(q_source_names[a->source])) |
		    tb_set(o, "citizen", DBSO(a->citizen)) |
		    tb_set(o, "citizen_phone", DBI(citizen_phone)) |
		    tb_set(o, "appointment", DBSO(a->appointment)) |
		    tb_set(o, "at", DBS(t->now_dt)) | tb_set(o, "actor_kind", DBS(t->q->who->kind)) |
		    tb_set(o, "actor", DBS(t->q->who->subject)) | tb_set(o, "detail", DBS(detail));
		if (!citizen_phone && t->sealed_len) {
			hex_encode(hex, t->sealed, t->sealed_len);
			bad |= tb_set(o, "phone_hex", DBS(hex));
		}
		t->q->who->audit_values(t->q->who->arg, "queue.take", target, detail, &t->av);
		for (k = 0; k < AUDIT_NVALUES; k++)
			bad |= tb_set(o, akeys[k], t->av.v[k]);
	}
	if (!bad)
		out = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return out;
}

/*
 * After a batch's commit, the lines' epoch of its (hall, day) — read once for all its takes
 * instead of once by each (q_rebuilt_since, a Redis round trip a number): a take whose epoch
 * still matches knows the lines were not rebuilt between its script and its commit.  A take
 * of another hall or day, or a failed read, is left to read it itself.
 */
static void
tb_epochs(struct ctx *c, struct take_ctx **b, size_t n)
{
	char e[32];
	size_t i;

	if (q_epoch(c, b[0]->a->hall, b[0]->day, e, sizeof e) != 0)
		return;
	for (i = 0; i < n; i++)
		if (strcmp(b[i]->a->hall, b[0]->a->hall) == 0 && strcmp(b[i]->day, b[0]->day) == 0)
			str_copy(b[i]->epoch_after, sizeof b[i]->epoch_after, e);
}

/* Write the batch: rc[i] gets the answer of b[i] (set into the takes under tb.mu by the
 * caller, so a waiting take never reads its answer while it is being written). */
static void
tb_write(struct ctx *c, struct take_ctx **b, size_t n, int *rcs)
{
	char *js = NULL;
	size_t i;
	int rc = DB_RETRY, k;

	if (n > 1 && (js = tb_json(b, n)) != NULL) {
		for (k = 0; k < 3 && rc == DB_RETRY; k++)	/* a deadlock: again */
			rc = db_exec(c, "CALL queue_take_batch(?)", DBARGS(DBS(js)), NULL, NULL);
		free(js);
		if (rc == 0 || rc == DB_DOWN) {
			for (i = 0; i < n; i++)
				rcs[i] = rc;
			if (rc == 0)
				tb_epochs(c, b, n);
			return;
		}
		log_info("take: a batch of %zu refused (%d); each written on its own", n, rc);
	}
	for (i = 0; i < n; i++)
		rcs[i] = take_call(c, b[i]);
}

/* May the first waiting take start a batch now (tb.mu held)?  When none is being written;
 * beside those being written (up to writers) only once `more` takes wait. */
static int
tb_may_write(int writers, size_t more)
{
	return tb.n > 0 && (tb.writing == 0 || (tb.writing < writers && tb.n >= more));
}

static void
tb_wake_next(int writers, size_t more)
{
	if (tb_may_write(writers, more))
		pthread_cond_signal(tb.q[0]->cv);
}

/*
 * The condition variable a thread's takes wait on, for the thread's whole life: a batch's
 * writer signals its takes after it has let go of tb.mu (signalled under it, each woken
 * take found the mutex still held and slept again on it), and a take may already have
 * returned by then — a signal then only wakes a later wait of that thread, which checks
 * its own condition again.  A batch's end wakes its own takes and at most one more, not
 * every thread of the process (a needless wake-up is two context switches; a flat-out run
 * made thousands a second).  Never destroyed (the app's threads live as long as the
 * process).
 */
static pthread_cond_t *
tb_cv(void)
{
	static _Thread_local pthread_cond_t cv;
	static _Thread_local int made;

	if (!made) {
		pthread_cond_init(&cv, NULL);
		made = 1;
	}
	return &cv;
}

static int
take_grouped(struct ctx *c, struct take_ctx *t)
{
	size_t max = (size_t)config_int("take_batch_max", 64, 1, TB_MAX), n, i;
	size_t more = (size_t)config_int("take_batch_more", 16, 1, TB_MAX);
	int writers = config_int("take_batch_writers", 4, 1, 64);
	struct take_ctx *b[TB_MAX];
	pthread_cond_t *cvs[TB_MAX];
	int rcs[TB_MAX];

	if (max == 1)
		return take_call(c, t);
	pthread_mutex_lock(&tb.mu);
	if (tb.n == TB_MAX) {		/* more waiting than a batch holds: alone */
		pthread_mutex_unlock(&tb.mu);
		return take_call(c, t);
	}
	t->cv = tb_cv();
	t->batch_rc = TB_QUEUED;
	tb.q[tb.n++] = t;
	if (tb.q[0] != t)
		tb_wake_next(writers, more);	/* enough wait now for another batch */
	for (;;) {
		while (t->batch_rc == TB_WRITING || (t->batch_rc == TB_QUEUED &&
		    (tb.q[0] != t || !tb_may_write(writers, more))))
			pthread_cond_wait(t->cv, &tb.mu);
		if (t->batch_rc != TB_QUEUED)
			break;
		/* First in the queue and a batch may start: this thread writes the waiting
		 * takes (its own first), up to max. */
		n = tb.n < max ? tb.n : max;
		memcpy(b, tb.q, n * sizeof b[0]);
		memmove(tb.q, tb.q + n, (tb.n - n) * sizeof tb.q[0]);
		tb.n -= n;
		for (i = 0; i < n; i++)
			b[i]->batch_rc = TB_WRITING;
		tb.writing++;
		tb_wake_next(writers, more);	/* more than a batch waited */
		pthread_mutex_unlock(&tb.mu);
		tb_write(c, b, n, rcs);
		pthread_mutex_lock(&tb.mu);
		for (i = 0; i < n; i++) {
			cvs[i] = b[i]->cv;	/* b[i] may be gone once its answer is in */
			b[i]->batch_rc = rcs[i];
		}
		tb.writing--;
		tb_wake_next(writers, more);
		pthread_mutex_unlock(&tb.mu);
		for (i = 0; i < n; i++)
			if (cvs[i] != t->cv)
				pthread_cond_signal(cvs[i]);
		pthread_mutex_lock(&tb.mu);
	}
	pthread_mutex_unlock(&tb.mu);
	return t->batch_rc;
}

/* The ticket's rows: grouped CALLs when nothing else runs in their transaction, else
 * take_tx. */
static int
take_record(struct ctx *c, struct take_ctx *t)
{
	t->hook_failed = 0;
	if (t->q->in_tx == NULL && t->q->who->audit_values != NULL)
		return take_grouped(c, t);
	return db_tx(c, take_tx, t);
}

/*
 * The row refused as a duplicate.  A number already in the record (the lines were behind
 * it): 1, go on above the day's highest.  Otherwise it is the citizen's one active ticket:
 * E_ALREADY_QUEUED, or the DB_* code.
 */
static int
take_dup(struct ctx *c, struct take_ctx *t)
{
	char top[24], cat[2] = { t->a->category, 0 };
	long long mx = 0;
	int rc;

	rc = db_scalar(c, "SELECT MAX(seq) FROM queue_tickets WHERE hall = ? AND"
	    " day = ? AND num_cat = ?", DBARGS(DBS(t->a->hall), DBS(t->day), DBS(cat)),
	    top, sizeof top);
	if (rc == 1 && parse_ll(top, 0, Q_MAX_SEQ, &mx) == 0 && mx >= t->seq) {
		log_warn("hall %s: %s already issued; the lines were behind the record",
		    t->a->hall, t->number);
		t->min_seq = (int)mx;
		str_copy(t->old_member, sizeof t->old_member, t->member);
		return 1;
	}
	if (rc < 0)
		return rc;
	if (t->a->citizen) {
		t->q->why = "您在本中心已有排队中的号码，请先办理或取消后再取号";
		return E_ALREADY_QUEUED;
	}
	return DB_DUP;
}

int
q_take_run(struct ctx *c, struct q_take *q)
{
	struct take_ctx t;
	int rc, attempt;

	q->ticket = NULL;
	q->why = NULL;
	q->calendar_missing = 0;
	memset(&t, 0, sizeof t);
	t.q = q;
	t.a = q->a;
	t.line = q_line_of(q->a->priority);
	t.now = hall_now_ms();
	q_today(t.now, t.day, &t.day_ms);
	q_dt(t.now, t.now_dt);
	if ((rc = take_check(c, &t)) != 0)
		goto fail;
	if (token_new(t.token, sizeof t.token, Q_TOKEN_BYTES) != 0) {
		log_err("take: no token");
		rc = E_INTERNAL;
		goto fail;
	}
	/* No q_ready first: the take script checks the lines' marker itself and says NOTREADY
	 * (take_number then has them rebuilt), so the usual take is one Redis call, not two. */
	for (attempt = 0; ; attempt++) {
		if (attempt == Q_TAKE_TRIES) {
			take_undo(c, &t);
			log_err("take: numbers keep colliding");
			rc = E_INTERNAL;
			goto fail;
		}
		if ((rc = take_number(c, &t)) == TAKE_AGAIN)
			continue;
		if (rc != 0)
			goto fail;
		if ((rc = take_record(c, &t)) == 0)
			break;
		if (rc == DB_DUP && !t.hook_failed && (rc = take_dup(c, &t)) == 1)
			continue;
		take_undo(c, &t);
		goto fail;
	}
	/* A wipe between the script and the commit: put this ticket into the new lines.  (A
	 * batch's writer may have read the epoch after the commit already: tb_epochs.) */
	if ((t.epoch_after[0] == '\0' || strcmp(t.epoch_after, t.epoch) != 0) &&
	    q_rebuilt_since(c, q->a->hall, t.day, t.epoch))
		q_requeue(c, q->a->hall, t.day, q->a->category, t.line, t.member, t.score, t.day_ms,
		    t.has_phone, q->a->category, t.seq);
	/* Taken within reach of its turn already: the turn-near SMS goes now, not never. */
	if (t.has_phone)
		q_near_scan(c, q->who, &q->h, t.day, q->a->category);
	sodium_memzero(t.sealed, sizeof t.sealed);
	q_push(c, q->a->hall, "take", 0, t.number);
	return 0;
fail:
	sodium_memzero(t.sealed, sizeof t.sealed);
	json_decref(q->ticket);
	q->ticket = NULL;
	return rc;
}
