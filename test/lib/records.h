/*
 * records.h — the integration tests' look into the record (MariaDB), through a ctx of their
 * own (test_conf_load, then ctx_init): what a reply promised must be in the rows.
 */
#ifndef YC_TEST_RECORDS_H
#define YC_TEST_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct ctx;
struct dbv;

/* A db_query row callback for one number: the first column of the row into *(long long *)arg
 * (NULL counts as 0); it stops after the first row. */
int	 db_count_row(void *arg, size_t ncol, char **v, const size_t *lens);

/* The number in the first column of the first row of sql, with one string argument arg (NULL:
 * no argument); -1 when there is no row.  The query failing fails the test. */
long long db_count(struct ctx *c, const char *sql, const char *arg);

/* A day of its own for a phase of a test under load (it_faults, it_cluster): the first
 * Monday–Thursday from 2026-11-24 on (Friday, the next day, is a working day too: the booking
 * slot) that this run has not used and that holds few tickets (earlier runs on the same
 * database).  day, the hall clock's instant at 10:00 that day, and the next day; the test
 * fails, saying hint (how to start afresh), when none is left. */
void	 pick_day(struct ctx *c, char day[11], char when[32], char next[11], const char *hint);

/* How many history rows case no has of action, and signed by `by` when it is not NULL. */
long long case_history_rows(struct ctx *c, const char *no, const char *action, const char *by);
/* The outbox (the worker's queue of SMS and WeChat messages). */
/* The parameter param of the newest message of template tmpl about case no into out ("" when
 * there is none). */
void	 case_outbox_param(struct ctx *c, const char *tmpl, const char *no, const char *param,
	     char *out, size_t osz);

/* 139 + four random digits + last4: a fresh citizen per run, the fake provider's scenario
 * (test/fake/provider.mjs) in its last four digits. */
void	 phone_with(char out[12], const char *last4);

/* Queue a message as the modules do (outbox_add in its own transaction): channel "sms" or
 * "wechat", template, recipient, params (taken: decref'd here), ref_kind and ref_id, urgent.
 * Its id. */
uint64_t outbox_queue(struct ctx *c, const char *channel, const char *tmpl, const char *to,
	     json_t *params, const char *kind, const char *ref, int urgent);
/* The same with sql_after (one argument: the new row's id; NULL: none) run in the same
 * transaction, to age or shape the row before the worker can see it. */
uint64_t outbox_queue_sql(struct ctx *c, const char *sql_after, const char *channel,
	     const char *tmpl, const char *to, json_t *params, const char *kind, const char *ref,
	     int urgent);

/* One outbox row as the worker left it ("" for a NULL text, -1 for a NULL number). */
struct outbox_row {
	char		 status[16];
	long long	 attempts;
	char		 last_error[256];
	char		 provider[16];
	char		 msg_id[128];
	char		 delivery[64];
	long long	 segments;
	char		 next_at[32];	/* next_attempt_at, "YYYY-MM-DD HH:MM:SS" */
};
void	 outbox_row(struct ctx *c, uint64_t id, struct outbox_row *s);

/* db_count with any arguments, given as DBARGS(...) (DBNOARGS: none): the number in the first
 * column of the first row, -1 when there is no row; the query failing fails the test. */
long long db_count_with(struct ctx *c, const char *sql, const struct dbv *args, size_t nargs);

#endif
