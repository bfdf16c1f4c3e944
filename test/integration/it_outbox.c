/*
 * it_outbox.c — the outbox sends each message exactly once, tested over the lease (issue 27).
 *
 * Workers of the test's own run against the test stack's database with the stack's short
 * lease (ops/test.sh: sms_lease_seconds = 4 with sms_timeout_ms = 1000, so a claim holds a
 * row for 4 s) and send through test/fake/provider.mjs (Aliyun protocol, signatures
 * checked), which records every request it receives per outbox id (OutId) and whether it
 * accepted ("sent") it.  The stack's own worker is stopped meanwhile, so that no other
 * worker takes these rows, and started again at the end.
 *
 *   sent_once_over_many_leases     two workers side by side; notices queued in a trickle
 *                                  for three and a half leases, so claims keep running
 *                                  while rows sent earlier are past their lease; then a
 *                                  lease and a half more.  Every notice reached the
 *                                  provider exactly once, in one attempt.
 *   killed_between_claim_and_send  a worker claims a row, and is killed (SIGKILL) while
 *                                  the provider holds its request unanswered and unsent
 *                                  (scenario 0006: the fake says "held" the moment it has
 *                                  the request, so the kill falls in that window every
 *                                  time, with no hook in the worker).  The next worker
 *                                  leaves the row alone while the lease runs, sends it
 *                                  once when the lease is out, and never again.
 * A worker killed after the provider accepted a message and before it was recorded is
 * it_notify's killed_worker_resends_same_id (sent again with the same OutId).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/stackproc.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/util.h"
#include "../../modules/notify/outbox.h"
#include "../lib/records.h"

#define LEASE_MS	4000
/* The stack's lease, said again for the test's own workers (the last value of a key wins),
 * so that the timing below holds whatever else the stack's file says. */
#define WORKER_CONF	PROVIDER_CONF \
	"sms_provider = aliyun\n" \
	"sms_lease_seconds = 4\n" \
	"sms_timeout_ms = 1000\n" \
	"sms_retry_base_ms = 200\n" \
	"sms_retry_max_ms = 800\n"
#define MAX_NOTICES	200

static struct ctx C;
static struct fake F;
static pid_t mine[4];
static int nmine;

static void
worker(const char *tag)
{
	char extra[1024];
	pid_t pid;

	snprintf(extra, sizeof extra, "%ssms_base_url = http://127.0.0.1:%d/\n", WORKER_CONF,
	    F.port);
	assert_true(nmine < (int)NELEM(mine));
	pid = worker_spawn(tag, extra);
	if (pid <= 0)
		fail_msg("worker %s did not start (var/%s/log/%s-worker.log)", tag,
		    test_instance(), tag);
	mine[nmine++] = pid;
}

static void
workers_end(int sig)
{
	while (nmine > 0)
		worker_end(mine[--nmine], sig);
}

/* A notice queued the way the modules queue them: outbox_add in a transaction. */
static uint64_t
queue(const char *last4, const char *ref)
{
	char phone[12];

	phone_with(phone, last4);
	return outbox_queue(&C, "sms", "turn_near", phone, json_pack("{s:s,s:s,s:s}", "number",
	    "A012", "ahead", "3", "hall_name", "示范区政务服务中心"), "ticket", ref, 1);
}

/* Wait until the row is sent; the time it was seen sent (now_ms). */
static int64_t
wait_sent(uint64_t id, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	struct outbox_row s;

	for (;;) {
		outbox_row(&C, id, &s);
		if (strcmp(s.status, "sent") == 0)
			return now_ms();
		if (now_ms() > end)
			fail_msg("outbox %llu: still %s (%s) after %d ms", (unsigned long long)id,
			    s.status, s.last_error, timeout_ms);
		pause_ms(50);
	}
}

static json_t *
stats(void)
{
	json_t *j = fake_call(&F, "GET", "/__stats");

	assert_non_null(j);
	return j;
}

/* The first request the provider received for an outbox id (borrowed), or NULL. */
static json_t *
first_request(json_t *st, uint64_t id)
{
	char want[24];
	const char *got;
	json_t *r;
	size_t i;

	snprintf(want, sizeof want, "%llu", (unsigned long long)id);
	json_array_foreach(json_object_get(st, "requests"), i, r)
		if ((got = json_string_value(json_object_get(r, "out_id"))) && strcmp(got, want) == 0)
			return r;
	return NULL;
}

/* ------------------------------------------------------------------ tests */

static int	end_workers(void **);

TEST_WITH(sent_once_over_many_leases, NULL, end_workers)
{
	static uint64_t ids[MAX_NOTICES];
	struct outbox_row s;
	json_t *j;
	int64_t t0, last = 0, t;
	int i, n = 0, req, got;

	json_decref(fake_call(&F, "POST", "/__reset"));
	worker("outbox-a");
	worker("outbox-b");
	/* A trickle: rows keep falling due, so both workers keep claiming while the rows sent
	 * earlier are past their lease. */
	t0 = now_ms();
	while (now_ms() - t0 < LEASE_MS * 7 / 2 && n < MAX_NOTICES) {
		ids[n++] = queue("0001", "lease-trickle");
		pause_ms(200);
	}
	for (i = 0; i < n; i++)
		if ((t = wait_sent(ids[i], 20000)) > last)
			last = t;
	/* A lease and a half after the last one went, with one more notice in the middle (a
	 * claim that would pick up anything due). */
	pause_ms(LEASE_MS * 3 / 4);
	ids[n] = queue("0001", "lease-trickle");
	wait_sent(ids[n++], 20000);
	t = now_ms() - last;
	if (t < LEASE_MS * 3 / 2)
		pause_ms((int)(LEASE_MS * 3 / 2 - t));

	j = stats();
	for (i = 0; i < n; i++) {
		req = fake_requests(j, ids[i]);
		got = fake_delivered(j, ids[i]);
		if (req != 1 || got != 1)
			fail_msg("outbox %llu reached the provider %d times (%d delivered)",
			    (unsigned long long)ids[i], req, got);
		outbox_row(&C, ids[i], &s);
		assert_string_equal(s.status, "sent");
		assert_int_equal(s.attempts, 1);
	}
	assert_int_equal(json_integer_value(json_object_get(j, "bad_signatures")), 0);
	printf("  %d notices over %lld ms (%.1f leases), each sent once\n", n,
	    (long long)(now_ms() - t0), (double)(now_ms() - t0) / LEASE_MS);
	json_decref(j);
	workers_end(SIGTERM);
}

TEST_WITH(killed_between_claim_and_send, NULL, end_workers)
{
	uint64_t id, held;
	struct outbox_row s;
	json_t *j, *first;
	int64_t t0, sent;

	json_decref(fake_call(&F, "POST", "/__reset"));
	worker("outbox-k1");
	t0 = now_ms();		/* the claim comes after this, its lease ends after t0 + lease */
	id = queue("0006", "lease-kill");
	/* The worker has claimed the row and waits for the provider, which has not sent it. */
	held = fake_held(&F, 5000);
	if (held != id)
		fail_msg("the provider held %llu, not %llu", (unsigned long long)held,
		    (unsigned long long)id);
	workers_end(SIGKILL);
	outbox_row(&C, id, &s);
	assert_string_equal(s.status, "sending");
	assert_int_equal(s.attempts, 1);
	j = stats();
	assert_int_equal(fake_requests(j, id), 1);
	assert_int_equal(fake_delivered(j, id), 0);
	json_decref(j);

	/* Another worker leaves the row alone while the lease runs … */
	worker("outbox-k2");
	pause_ms((int)(t0 + LEASE_MS / 2 - now_ms() > 0 ? t0 + LEASE_MS / 2 - now_ms() : 0));
	outbox_row(&C, id, &s);
	assert_string_equal(s.status, "sending");
	assert_int_equal(s.attempts, 1);
	j = stats();
	assert_int_equal(fake_requests(j, id), 1);
	json_decref(j);

	/* … and sends it once the lease is out: one message on the phone. */
	sent = wait_sent(id, LEASE_MS + 15000);
	printf("  sent %lld ms after it was queued (lease %d ms)\n", (long long)(sent - t0),
	    LEASE_MS);
	assert_true(sent - t0 >= LEASE_MS - 100);
	outbox_row(&C, id, &s);
	assert_int_equal(s.attempts, 2);
	j = stats();
	assert_int_equal(fake_requests(j, id), 2);
	assert_int_equal(fake_delivered(j, id), 1);
	first = first_request(j, id);
	assert_non_null(first);
	assert_string_equal(json_string_value(json_object_get(first, "answer")), "abandoned");
	json_decref(j);
	/* Sent is final: more than a lease later, still once. */
	pause_ms(LEASE_MS * 3 / 2);
	j = stats();
	assert_int_equal(fake_requests(j, id), 2);
	assert_int_equal(fake_delivered(j, id), 1);
	json_decref(j);
	outbox_row(&C, id, &s);
	assert_string_equal(s.status, "sent");
	assert_int_equal(s.attempts, 2);
	workers_end(SIGTERM);
}

/* ------------------------------------------------------------------ setup */

FIXTURE(end_workers)
{
	workers_end(SIGTERM);
	return 0;
}

FIXTURE(group_setup)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (test_conf_load() != 0)
		return -1;
	clock_init();		/* the stack's hall clock, for the rows queued here */
	ctx_init(&C, 0);
	if (stack_worker_away() != 0) {
		fprintf(stderr, "the stack's worker did not stop\n");
		return -1;
	}
	if (fake_open(&F, 0) != 0) {
		fprintf(stderr, "test/fake/provider.mjs did not start (node)\n");
		return -1;
	}
	return 0;
}

FIXTURE(group_teardown)
{
	workers_end(SIGTERM);
	fake_close(&F);
	ctx_close(&C);
	if (stack_worker_back() != 0) {
		fprintf(stderr, "the stack's worker did not start again\n");
		return -1;
	}
	return 0;
}

SUITE_MAIN("outbox", group_setup, group_teardown)
