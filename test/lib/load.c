/*
 * load.c — clients taking numbers under faults, and the record checked against them
 * (see load.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"
#include "http.h"
#include "stackproc.h"
#include "expect.h"
#include "flows.h"
#include "suite.h"

#include "../../fcgi/ctx.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"

/* A 201's number and token kept, under L->mu. */
static void
load_keep(struct load *L, const struct resp *r)
{
	if (L->ntold == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 1024;
		L->told = realloc(L->told, L->cap * sizeof *L->told);
		if (L->told == NULL)
			abort();
	}
	str_copy(L->told[L->ntold].token, sizeof L->told[0].token, jstr(r->json, "ticket.token"));
	str_copy(L->told[L->ntold].number, sizeof L->told[0].number,
	    jstr(r->json, "ticket.number"));
	L->ntold++;
	L->n201++;
}

static void *
load_thread(void *arg)
{
	struct load *L = arg;
	struct resp r;
	char body[64];
	int64_t t0, f, zero;
	int k, ok;

	while (!atomic_load(&L->stop) && atomic_load(&L->issued) < L->max) {
		k = atomic_fetch_add(&L->sent, 1);
		snprintf(body, sizeof body, "{\"category\":\"%c\"}", "ABCDEF"[k % 6]);
		t0 = now_ms();
		if (http_json(&r, "POST", "/api/v1/halls/demo/tickets", L->kiosk, body) != 0) {
			pthread_mutex_lock(&L->mu);
			L->nnet++;
			pthread_mutex_unlock(&L->mu);
			resp_free(&r);
			pause_ms(L->pace.net_ms);
			continue;
		}
		ok = r.status == 201 && jstr(r.json, "ticket.token") &&
		    jstr(r.json, "ticket.number");
		pthread_mutex_lock(&L->mu);
		if (ok) {
			load_keep(L, &r);
			atomic_fetch_add(&L->issued, 1);
			f = atomic_load(&L->fault_at);
			zero = 0;
			if (f > 0 && t0 >= f)
				atomic_compare_exchange_strong(&L->back_at, &zero, now_ms());
		} else if (r.status == 503) {
			L->n503++;
		} else if (r.status == 504) {
			L->n504++;
		} else {
			L->nother++;
			L->last_other = (int)r.status;
			fprintf(stderr, "  take: %ld %.*s\n", r.status,
			    r.body ? (int)(r.len > 160 ? 160 : r.len) : 0, r.body ? r.body : "");
		}
		pthread_mutex_unlock(&L->mu);
		resp_free(&r);
		if (!ok)
			pause_ms(L->pace.refused_ms);	/* each refused take may use a number up:
							 * see the report of issue 10 */
		else if (L->pace.ok_ms > 0)
			pause_ms(L->pace.ok_ms);
	}
	return NULL;
}

void
load_start(struct load *L, const char *kiosk, const struct load_pace *pace, int threads, int max)
{
	int i;

	assert_true(threads > 0 && threads <= (int)(sizeof L->th / sizeof L->th[0]));
	memset(L, 0, sizeof *L);
	pthread_mutex_init(&L->mu, NULL);
	L->kiosk = kiosk;
	L->pace = *pace;
	L->nth = threads;
	L->max = max;
	for (i = 0; i < threads; i++)
		assert_int_equal(pthread_create(&L->th[i], NULL, load_thread, L), 0);
}

int
load_n201(struct load *L)
{
	int n;

	pthread_mutex_lock(&L->mu);
	n = L->n201;
	pthread_mutex_unlock(&L->mu);
	return n;
}

void
load_fault(struct load *L)
{
	pthread_mutex_lock(&L->mu);
	L->n201_mark = L->n201;
	pthread_mutex_unlock(&L->mu);
	atomic_store(&L->fault_at, now_ms());
}

double
load_recovery(struct load *L, const char *what, int ms)
{
	int64_t t0 = now_ms(), b;
	double s;

	while ((b = atomic_load(&L->back_at)) == 0 && now_ms() - t0 < ms)
		pause_ms(20);
	if (b == 0) {
		printf("  recovery after %s: none within %d ms\n", what, ms);
		return -1;
	}
	s = (double)(b - atomic_load(&L->fault_at)) / 1000.0;
	printf("  recovery after %s: take-a-number answered again %.2f s after the fault\n",
	    what, s);
	return s;
}

void
load_stop(struct load *L)
{
	int i;

	atomic_store(&L->stop, 1);
	for (i = 0; i < L->nth; i++)
		pthread_join(L->th[i], NULL);
	printf("  load: %d × 201, %d × 503, %d × 504, %d other (last %d), %d without a reply\n",
	    L->n201, L->n503, L->n504, L->nother, L->last_other, L->nnet);
}

int
load_failed(const struct load *L)
{
	return L->n503 + L->n504 + L->nother + L->nnet;
}

void
load_free(struct load *L)
{
	free(L->told);
	pthread_mutex_destroy(&L->mu);
}

static int
cmp_told(const void *a, const void *b)
{
	return strcmp(((const struct told *)a)->number, ((const struct told *)b)->number);
}

int
load_rows(const char *day, int tries)
{
	char out[24];
	long long n = -1;
	int i, rc = DB_DOWN;

	for (i = 0; i < tries && (rc = db_scalar(&test_db, "SELECT COUNT(*) FROM queue_tickets"
	    " WHERE hall = 'demo' AND day = ?", DBARGS(DBS(day)), out, sizeof out)) != 1; i++)
		if (i + 1 < tries)
			pause_ms(200);	/* the test's own node may be the one just killed */
	assert_int_equal(rc, 1);
	assert_int_equal(parse_ll(out, 0, INT64_MAX, &n), 0);
	return (int)n;
}

int
load_check_told(struct load *L, const char *day, int rows_before)
{
	char num[16];
	size_t i;
	int rows, rc, untold;

	/* db_ping reconnects the test's own connection after a MariaDB restart. */
	for (i = 0; i < 100 && db_ping(&test_db) != 0; i++)
		pause_ms(100);
	for (i = 0; i < L->ntold; i++) {
		rc = db_scalar(&test_db, "SELECT number FROM queue_tickets WHERE token = ?",
		    DBARGS(DBS(L->told[i].token)), num, sizeof num);
		if (rc != 1)
			fail_msg("ticket %s told to a client is not in the record (%d)",
			    L->told[i].number, rc);
		assert_string_equal(num, L->told[i].number);
	}
	qsort(L->told, L->ntold, sizeof *L->told, cmp_told);
	for (i = 1; i < L->ntold; i++)
		if (strcmp(L->told[i - 1].number, L->told[i].number) == 0)
			fail_msg("number %s told to two clients", L->told[i].number);
	rc = db_scalar(&test_db, "SELECT COUNT(*) FROM (SELECT number FROM queue_tickets WHERE"
	    " hall = 'demo' AND day = ? GROUP BY number HAVING COUNT(*) > 1) x",
	    DBARGS(DBS(day)), num, sizeof num);
	assert_int_equal(rc, 1);
	assert_string_equal(num, "0");
	rows = load_rows(day, L->pace.tries);
	untold = rows - rows_before - (int)L->ntold;
	printf("  record: %d new rows for %d tickets told, %d nobody was told about\n",
	    rows - rows_before, (int)L->ntold, untold);
	assert_true(untold >= 0);
	assert_true(untold <= load_failed(L));
	return rows;
}

void
load_check_numbering_continues(struct load *L)
{
	struct resp r;
	size_t i;
	long long next = 0, top = 0, v;
	int k;

	for (k = 1;; k++) {	/* the first attempt always; more while pace.tries allows */
		assert_int_equal(http_json(&r, "POST", "/api/v1/halls/demo/tickets", L->kiosk,
		    "{\"category\":\"A\"}"), 0);
		if (r.status == 201 || k >= L->pace.tries)
			break;
		resp_free(&r);
		pause_ms(200);
	}
	assert_int_equal(r.status, 201);
	assert_int_equal(parse_ll(jstr(r.json, "ticket.number") + 1, 0, 999, &next), 0);
	resp_free(&r);
	for (i = 0; i < L->ntold; i++)
		if (L->told[i].number[0] == 'A' && parse_ll(L->told[i].number + 1, 0, 999, &v) == 0 &&
		    v > top)
			top = v;
	printf("  numbering: A%03lld after A%03lld\n", next, top);
	assert_true(next > top);
}

/* Places of the slot C 16:30 of day taken (not cancelled) in the record. */
static int
slot_live(const char *day)
{
	char out[24];
	long long n = -1;

	assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM appointments WHERE"
	    " hall = 'demo' AND day = ? AND category = 'C' AND start_time = '16:30:00' AND"
	    " status <> 'cancelled'",
	    DBARGS(DBS(day)), out, sizeof out), 1);
	assert_int_equal(parse_ll(out, 0, INT64_MAX, &n), 0);
	return (int)n;
}

/* Birth days the bookers of this process have had (bookers_prepare). */
static int days_used;

void
bookers_prepare(struct bookers *B, const char *day, int n, int free_places,
    int trickle_ms, int retry_504)
{
	char mgr[128], path[96], body[64], birth[16];
	int i;

	assert_true(n > 0 && n <= BOOKERS_MAX);
	memset(B, 0, sizeof *B);
	pthread_mutex_init(&B->mu, NULL);
	B->n = n;
	B->trickle_ms = trickle_ms;
	B->retry_504 = retry_504;
	str_copy(B->day, sizeof B->day, day);
	snprintf(B->slot, sizeof B->slot, "C-%.4s%.2s%.2s-1630", day, day + 5, day + 8);
	B->live0 = slot_live(day);
	B->places = B->live0 + free_places;
	assert_int_equal(staff_login("manager1", 0, mgr, sizeof mgr), 0);
	snprintf(path, sizeof path, "/api/v1/halls/demo/slots/%s", B->slot);
	snprintf(body, sizeof body, "{\"capacity\":%d}", B->places);
	expect_reply("PATCH", path, mgr, body, 200);
	/* Each booker an ID number of its own: born in 1974 (no other suite's year), on a day
	 * no earlier call of this process used, and a sequence of this process: a number bound
	 * to another account by an earlier test would be refused (409 ID_BOUND_ELSEWHERE). */
	for (i = 0; i < n; i++) {
		int d = (days_used + i) % (12 * 28);

		citizen_session(B->token[i], sizeof B->token[i]);
		snprintf(birth, sizeof birth, "1974%02d%02d", 1 + d / 28, 1 + d % 28);
		make_id(B->idnum[i], birth, (int)(getpid() % 500) * 2 + 1);
	}
	days_used += n;
}

static void *
book_thread(void *arg)
{
	struct bookers *B = arg;
	struct resp r;
	char body[256];
	int k, status, again;

	while ((k = atomic_fetch_add(&B->next, 1)) < B->n) {
		snprintf(body, sizeof body, "{\"hall\":\"demo\",\"category\":\"C\",\"slot\":\"%s\","
		    "\"name\":\"张三\",\"id_number\":\"%s\"}", B->slot, B->idnum[k]);
		do {	/* until a definite answer: 503 means "try again" */
			status = -1;
			if (http_json(&r, "POST", "/api/v1/appointments", B->token[k], body) == 0)
				status = (int)r.status;
			again = status == 503 || status == -1 || (B->retry_504 && status == 504);
			pthread_mutex_lock(&B->mu);
			if (status == 201)
				B->booked++;
			else if (status == 409 && jstr(r.json, "error.code") &&
			    strcmp(jstr(r.json, "error.code"), "SLOT_FULL") == 0)
				B->full++;
			else if (again)
				B->n503++;
			else {
				B->other++;
				B->last_other = status;
				fprintf(stderr, "  booking %d: %d %.*s\n", k, status,
				    r.body ? (int)(r.len > 200 ? 200 : r.len) : 0, r.body ? r.body : "");
			}
			pthread_mutex_unlock(&B->mu);
			resp_free(&r);
			if (again)
				pause_ms(50);
		} while (again);
		pause_ms(B->trickle_ms);	/* a trickle, so the outage falls in the middle */
	}
	return NULL;
}

void
bookers_start(struct bookers *B)
{
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&B->th[i], NULL, book_thread, B), 0);
}

void
bookers_join(struct bookers *B)
{
	int i;

	for (i = 0; i < 3; i++)
		pthread_join(B->th[i], NULL);
}

void
bookers_check(struct bookers *B)
{
	int full = slot_live(B->day);

	printf("  booking: %d booked, %d told full, %d × 503 retried, %d other; slot %d/%d\n",
	    B->booked, B->full, B->n503, B->other, full, B->places);
	assert_int_equal(B->other, 0);
	assert_int_equal(B->booked, B->places - B->live0);
	assert_int_equal(B->booked + B->full, B->n);
	assert_int_equal(full, B->places);
}

void
bookers_free(struct bookers *B)
{
	pthread_mutex_destroy(&B->mu);
}

int
load_suite_setup(void **st, const char *long_var, int *long_mode, char *kiosk, size_t ksz)
{
	const char *v = getenv(long_var);

	signal(SIGPIPE, SIG_IGN);
	*long_mode = v && strcmp(v, "1") == 0;
	if (suite_setup(st) != 0)
		return -1;
	return staff_login("kiosk1", 0, kiosk, ksz);
}
