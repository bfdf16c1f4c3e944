/*
 * it_cluster.c — the several-host deployment of `make cluster` (ops/cluster.sh) losing one
 * host at a time under load (issue 25).  Clients take numbers through the balancer
 * (YICHUANG_BASE_URL, http://10.77.0.40) from several threads while:
 *
 *   galera_node_killed      kill -9 one Galera node (the one app1 prefers), restart it: it
 *                           rejoins by IST; meanwhile the app hosts go on through the others.
 *   redis_primary_killed    kill -9 the Redis primary while numbers are taken and a slot is
 *                           booked up: the Sentinels promote the replica and the app follows
 *                           by itself; the old primary comes back as a replica.
 *   app_host_cut            app1's namespace taken off the network, then back: the balancer
 *                           serves from app2 and takes app1 again once healthy.
 *   outbox_once_across_nodes  the two workers, on two Galera nodes, deliver a burst of SMS:
 *                           each one exactly once (row locks do not cross nodes; the claim's
 *                           write does, by certification).
 *   idempotency_across_nodes  the same Idempotency-Key sent at once to both app hosts (two
 *                           Galera nodes): one ticket, one answer.
 *   case_numbers_across_nodes  two clerks accept cases at once through the two app hosts (two
 *                           Galera nodes, one counter row): every case number once, in the
 *                           record.
 *
 * After every fault, as it_faults.c after its own: every ticket a client got a 201 for is
 * in the record with the number it was told; no number twice; no two clients told the same
 * number; rows nobody was told about at most the failed requests; every Galera node holds
 * the same rows; the next number is above every number told.  The time to recover — from
 * the fault to the first number issued to a request sent after it — is printed.
 *
 * Runs against a running `make cluster` (root: it kills and cuts hosts through
 * ops/cluster.sh); YICHUANG_INSTANCE=cluster (var/cluster/yichuang.conf, var/cluster/clock).
 * YICHUANG_CLUSTER_LONG=1 runs longer phases with more threads (`make cluster-test`);
 * YICHUANG_CLUSTER_ONLY=<glob> runs only the tests whose names match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/http.h"
#include "../lib/stackproc.h"
#include "../../fcgi/clock.h"
#include "../../fcgi/ctx.h"
#include "../../fcgi/db.h"
#include "../../fcgi/session.h"
#include "../../fcgi/util.h"
#include "../../modules/notify/outbox.h"
#include "../lib/expect.h"
#include "../lib/flows.h"
#include "../lib/load.h"
#include "../lib/records.h"
#include "../lib/suite.h"

static char kiosk[128];
static int long_mode;

/* ops/cluster.sh VERB…: its output goes to var/cluster/test-ops.log.  Exit status. */
static int
cluster(const char *verb)
{
	char cmd[256];
	int rc;

	snprintf(cmd, sizeof cmd, "bash ops/cluster.sh %s >>var/cluster/test-ops.log 2>&1", verb);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* The first line ops/cluster.sh VERB prints, into out. 0 or -1. */
static int
cluster_out(const char *verb, char *out, size_t osz)
{
	char cmd[512];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof cmd, "bash ops/cluster.sh %s 2>>var/cluster/test-ops.log", verb);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(out, (int)osz, p) != NULL;
	pclose(p);
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	return ok ? 0 : -1;
}

/* GET /api/v1/health of one host (not through the balancer) answers 200. */
static int
host_healthy(const char *addr)
{
	char url[128];
	struct resp r;
	void *h;
	int ok;

	snprintf(url, sizeof url, "http://%s:8080/api/v1/health", addr);
	if ((h = http_handle(&r, "GET", url, 3)) == NULL)
		return 0;
	ok = curl_easy_perform(h) == CURLE_OK;
	if (ok)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_cleanup(h);
	ok = ok && r.status == 200;
	resp_free(&r);
	return ok;
}

/* ------------------------------------------------------------------ load: take numbers */

/* A 201 is followed by a pause (shorter in long mode), a refusal or no reply by 50 ms.  The
 * checks afterwards may land on the node just killed: 50 tries, 200 ms apart. */
static const struct load_pace pace_short = { 50, 25, 50, 50 }, pace_long = { 50, 10, 50, 50 };

static const struct load_pace *
pace(void)
{
	return long_mode ? &pace_long : &pace_short;
}

/* The day's tickets as each Galera node has them: all the same, and the same as rows. */
static void
check_nodes(const char *day, int rows)
{
	char verb[256], out[64];
	const char *node[] = { "db1", "db2", "db3" };
	long long n;
	int i, k;

	for (i = 0; i < 3; i++) {
		/* A node that just rejoined is Synced; wsrep_sync_wait makes it answer only after
		 * it has applied everything before the query. */
		snprintf(verb, sizeof verb, "sql %s \"SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*)"
		    " FROM yichuang.queue_tickets WHERE hall = 'demo' AND day = '%s'\"", node[i], day);
		for (k = 0; k < 50 && cluster_out(verb, out, sizeof out) != 0; k++)
			pause_ms(200);
		assert_int_equal(parse_ll(out, 0, INT64_MAX, &n), 0);
		if (n != rows)
			fail_msg("%s holds %lld tickets of %s, the cluster %d", node[i], n, day, rows);
	}
	printf("  nodes: db1, db2 and db3 each hold the %d tickets of the day\n", rows);
}

/* The record against what the clients were told (see the top of the file), on every node. */
static void
check_told(struct load *L, const char *day, int rows_before)
{
	check_nodes(day, load_check_told(L, day, rows_before));
}

/* ------------------------------------------------------------------ days */

/* ------------------------------------------------------------------ Galera node killed */

static int	teardown(void **);

TEST_WITH(galera_node_killed, NULL, teardown)
{
	struct load L;
	char day[11], when[32], next[11];
	const char *log = "var/cluster/db1/log/mariadb.log";
	long ist0 = file_lines_with(log, "IST received");
	int before;

	pick_day(&test_db, day, when, next, "make cluster-down, make cluster");
	assert_int_equal(set_clock(when), 0);
	before = load_rows(day, 50);
	load_start(&L, kiosk, pace(), long_mode ? 8 : 4, long_mode ? 4000 : 2000);
	pause_ms(long_mode ? 2000 : 1000);
	assert_true(load_n201(&L) > 0);
	assert_int_equal(cluster("kill db1"), 0);
	load_fault(&L);		/* from the moment the process is gone */
	assert_true(load_recovery(&L, "a Galera node's kill -9", 20000) >= 0);
	pause_ms(long_mode ? 4000 : 1500);
	/* Back under load: the node rejoins by IST (its gcache position recovered). */
	assert_int_equal(cluster("start db1"), 0);
	pause_ms(long_mode ? 3000 : 1000);
	load_stop(&L);
	assert_true(L.n201 > L.n201_mark + 20);		/* numbers went on being issued */
	assert_int_equal(L.nother, 0);
	assert_true(file_lines_with(log, "IST received") > ist0);
	printf("  db1: rejoined by IST (no full state copy)\n");
	check_told(&L, day, before);
	load_check_numbering_continues(&L);
	load_free(&L);
}

/* ------------------------------------------------------------------ Redis primary killed */

TEST_WITH(redis_primary_killed, NULL, teardown)
{
	static struct bookers B;
	struct load L;
	char day[11], when[32], bday[11], path[96], out[24];
	char old[16], now_primary[16];
	int before;

	pick_day(&test_db, day, when, bday, "make cluster-down, make cluster");
	assert_int_equal(set_clock(when), 0);
	before = load_rows(day, 50);
	assert_int_equal(cluster_out("primary", old, sizeof old), 0);

	/* A slot tomorrow with 15 places left; 40 citizens signed in (sessions in Redis). */
	bookers_prepare(&B, bday, 40, 15, long_mode ? 150 : 60, 1);
	/* The sessions have reached the replica (asynchronous replication: milliseconds). */
	pause_ms(1000);

	load_start(&L, kiosk, pace(), long_mode ? 8 : 4, long_mode ? 4000 : 2000);
	bookers_start(&B);
	pause_ms(long_mode ? 2000 : 700);
	assert_true(load_n201(&L) > 0);
	snprintf(path, sizeof path, "kill %s", old);
	assert_int_equal(cluster(path), 0);
	load_fault(&L);
	assert_true(load_recovery(&L, "the Redis primary's kill -9 (Sentinel failover)",
	    30000) >= 0);
	assert_int_equal(cluster_out("primary", now_primary, sizeof now_primary), 0);
	printf("  redis: primary %s → %s\n", old, now_primary);
	assert_string_not_equal(now_primary, old);
	/* The old primary back: a replica of the new one (Sentinel keeps the role where it is). */
	snprintf(path, sizeof path, "start %s", old);
	assert_int_equal(cluster(path), 0);
	pause_ms(long_mode ? 3000 : 1000);
	load_stop(&L);
	bookers_join(&B);
	assert_int_equal(cluster_out("primary", out, sizeof out), 0);
	assert_string_equal(out, now_primary);

	assert_int_equal(L.nother, 0);
	assert_true(L.n201 > L.n201_mark);
	check_told(&L, day, before);
	load_check_numbering_continues(&L);
	load_free(&L);

	/* The slot: exactly its places taken, no more, every 201 in the record. */
	bookers_check(&B);
	bookers_free(&B);
}

/* ------------------------------------------------------------------ app host cut off */

TEST_WITH(app_host_cut, NULL, teardown)
{
	struct load L;
	char day[11], when[32], next[11];
	const char *alog = "var/cluster/app1/log/nginx-access.log";
	long served;
	int before, i;

	pick_day(&test_db, day, when, next, "make cluster-down, make cluster");
	assert_int_equal(set_clock(when), 0);
	before = load_rows(day, 50);
	assert_true(host_healthy("10.77.0.31") && host_healthy("10.77.0.32"));
	load_start(&L, kiosk, pace(), long_mode ? 8 : 4, long_mode ? 4000 : 2000);
	pause_ms(long_mode ? 2000 : 1000);
	assert_true(load_n201(&L) > 0);
	assert_int_equal(cluster("cut app1"), 0);
	load_fault(&L);
	assert_true(load_recovery(&L, "app1 cut off (the balancer serving from app2)",
	    20000) >= 0);
	pause_ms(long_mode ? 5000 : 3000);	/* the balancer has taken app1 out: app2 alone */
	served = file_lines_with(alog, "/api/v1/halls/demo/tickets");
	assert_int_equal(cluster("mend app1"), 0);
	for (i = 0; i < 100 && !host_healthy("10.77.0.31"); i++)
		pause_ms(100);
	assert_true(host_healthy("10.77.0.31"));
	/* The balancer takes it back after two good health checks (a second apart). */
	for (i = 0; i < 100 && file_lines_with(alog, "/api/v1/halls/demo/tickets") == served; i++)
		pause_ms(100);
	load_stop(&L);
	printf("  app1: serving again through the balancer\n");
	assert_true(file_lines_with(alog, "/api/v1/halls/demo/tickets") > served);
	/* A request in flight on the host that went silent gets 504 from the balancer (its
	 * outcome unknown to the client); nothing else fails. */
	assert_int_equal(L.nother, 0);
	assert_true(L.n504 <= 2 * L.nth);
	check_told(&L, day, before);
	load_check_numbering_continues(&L);
	load_free(&L);
}

/* ------------------------------------------------------------------ outbox on two nodes */

#define NOTICES 200

/* How many lines of an SMS log name outbox row id, for every id in ids. */
static void
sms_ids(const char *path, const uint64_t *ids, int n, int *count, int *total)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	json_t *j;
	long long id;
	int i;

	*total = 0;
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f)) {
		if ((j = json_loads(line, 0, NULL)) == NULL)
			continue;
		id = json_integer_value(json_object_get(j, "id"));
		for (i = 0; i < n; i++)
			if ((long long)ids[i] == id) {
				count[i]++;
				(*total)++;
			}
		json_decref(j);
	}
	fclose(f);
}

/* Transactions Galera refused at commit (certification) or aborted for a replicated write
 * set (brute force), over the three nodes. */
static long long
galera_conflicts(void)
{
	const char *node[] = { "db1", "db2", "db3" };
	char verb[200], out[64];
	long long sum = 0, v;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(verb, sizeof verb, "sql %s \"SELECT SUM(VARIABLE_VALUE) FROM"
		    " information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN"
		    " ('WSREP_LOCAL_CERT_FAILURES', 'WSREP_LOCAL_BF_ABORTS')\"", node[i]);
		if (cluster_out(verb, out, sizeof out) == 0 && parse_ll(out, 0, INT64_MAX, &v) == 0)
			sum += v;
	}
	return sum;
}

/* One burst of NOTICES due at once: each sent exactly once; what each worker sent in n1, n2. */
static void
outbox_burst(int round, int *n1, int *n2)
{
	static uint64_t ids[NOTICES];
	static int count[NOTICES];
	char phone[12], ref[24], out[24], day[11], when[32], next[11];
	int i, k, pending = NOTICES;
	long long conflicts;
	int64_t t0;

	pick_day(&test_db, day, when, next, "make cluster-down, make cluster");
	assert_int_equal(set_clock(when), 0);	/* 10:00: no quiet hours */
	memset(count, 0, sizeof count);
	conflicts = galera_conflicts();
	/* All in one transaction: the whole burst is due at once on every node, so the two
	 * workers go for the same rows (each claims the first due ones it sees). */
	assert_int_equal(db_begin(&test_db), 0);
	for (i = 0; i < NOTICES; i++) {
		json_t *params = json_pack("{s:s,s:s,s:s}", "number", "A012", "ahead", "3",
		    "hall_name", "示范区政务服务中心");
		struct outbox_msg m = { .hall = "demo", .channel = "sms", .template = "turn_near",
		    .recipient = phone, .params = params, .ref_kind = "ticket", .ref_id = ref,
		    .urgent = 1 };

		phone_with(phone, "0000");
		snprintf(ref, sizeof ref, "cluster-%d-%d", round, i);
		assert_int_equal(outbox_add(&test_db, &m, &ids[i]), 0);
		json_decref(params);
	}
	assert_int_equal(db_commit(&test_db), 0);
	t0 = now_ms();
	for (k = 0; k < 600 && pending > 0; k++) {
		pause_ms(100);
		assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM outbox WHERE"
		    " id BETWEEN ? AND ? AND ref_id LIKE 'cluster-%' AND status <> 'sent'",
		    DBARGS(DBI(ids[0]), DBI(ids[NOTICES - 1])), out, sizeof out), 1);
		pending = (int)strtol(out, NULL, 10);
	}
	printf("  outbox: %d notices sent in %lld ms by the two workers\n", NOTICES - pending,
	    (long long)(now_ms() - t0));
	assert_int_equal(pending, 0);
	pause_ms(5000);		/* past a lease: nothing is sent a second time later */
	sms_ids("var/cluster/app1/log/sms.log", ids, NOTICES, count, n1);
	sms_ids("var/cluster/app2/log/sms.log", ids, NOTICES, count, n2);
	printf("  outbox: worker on app1 (db1) sent %d, on app2 (db2) %d; %lld transactions"
	    " refused by certification meanwhile (claims that lost)\n", *n1, *n2,
	    galera_conflicts() - conflicts);
	for (i = 0; i < NOTICES; i++)
		if (count[i] != 1)
			fail_msg("notice %llu was sent %d times", (unsigned long long)ids[i], count[i]);
}

/*
 * Both nodes' workers must take part for "sent once" to mean anything: a worker that was
 * still finding its way back after the previous test's faults may miss a burst of a second,
 * so bursts follow one another (each checked whole) until both have sent, four at most.
 */
TEST_WITH(outbox_once_across_nodes, NULL, teardown)
{
	int round, n1 = 0, n2 = 0, s1 = 0, s2 = 0;

	for (round = 0; round < 4 && (s1 == 0 || s2 == 0); round++) {
		if (round > 0)
			pause_ms(3000);
		outbox_burst(round, &n1, &n2);
		s1 += n1;
		s2 += n2;
	}
	assert_true(s1 > 0 && s2 > 0);	/* both nodes' workers took part */
}

/* ------------------------------------------------------------------ idempotency on two nodes */

struct idem_try {
	const char	*host;
	const char	*key;
	long		 status;
	char		 token[48];
};

static void *
idem_thread(void *arg)
{
	struct idem_try *t = arg;
	struct curl_slist *h = NULL;
	struct resp r;
	char url[128], line[300];
	void *c;

	snprintf(url, sizeof url, "http://%s:8080/api/v1/halls/demo/tickets", t->host);
	if ((c = http_handle(&r, "POST", url, 20)) == NULL)
		return NULL;
	snprintf(line, sizeof line, "Authorization: Bearer %s", kiosk);
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(line, sizeof line, "Idempotency-Key: %s", t->key);
	h = curl_slist_append(h, line);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{\"category\":\"B\"}");
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &t->status);
		if (r.body && (r.json = json_loadb(r.body, r.len, 0, NULL)) != NULL &&
		    jstr(r.json, "ticket.token"))
			str_copy(t->token, sizeof t->token, jstr(r.json, "ticket.token"));
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	resp_free(&r);
	return NULL;
}

TEST_WITH(idempotency_across_nodes, NULL, teardown)
{
	char day[11], when[32], next[11], key[64];
	struct idem_try t[2];
	pthread_t th[2];
	int round, i, before, created = 0, replayed = 0;

	pick_day(&test_db, day, when, next, "make cluster-down, make cluster");
	assert_int_equal(set_clock(when), 0);
	before = load_rows(day, 50);
	for (round = 0; round < 15; round++) {
		snprintf(key, sizeof key, "cluster-%lld-%d", (long long)now_ms(), round);
		memset(t, 0, sizeof t);
		t[0].host = "10.77.0.31";	/* app1: Galera node db1 */
		t[1].host = "10.77.0.32";	/* app2: Galera node db2 */
		for (i = 0; i < 2; i++) {
			t[i].key = key;
			assert_int_equal(pthread_create(&th[i], NULL, idem_thread, &t[i]), 0);
		}
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		/* One ticket: both 201 with the same ticket, or one 201 and one 409
		 * IDEMPOTENCY_IN_PROGRESS (the other still running). */
		assert_int_equal(t[0].status == 201 || t[1].status == 201, 1);
		for (i = 0; i < 2; i++)
			assert_true(t[i].status == 201 || t[i].status == 409);
		if (t[0].status == 201 && t[1].status == 201) {
			assert_string_equal(t[0].token, t[1].token);
			replayed++;
		}
		created++;
	}
	printf("  idempotency: %d keys sent to both hosts at once, %d answered twice with the"
	    " same ticket\n", created, replayed);
	assert_int_equal(load_rows(day, 50) - before, created);
	check_nodes(day, load_rows(day, 50));
}

/* ------------------------------------------------------------------ case numbers on two nodes */

#define CASES_EACH 12

struct acceptor {
	const char	*host;
	const char	*user;
	int		 window;
	const char	*body;
	char		 no[CASES_EACH][40];
	int		 n, other;
};

static void *
accept_thread(void *arg)
{
	struct acceptor *a = arg;
	struct curl_slist *h;
	struct resp r;
	char url[128], line[300], tok[128];
	void *c;
	int i, k;

	if (staff_login(a->user, a->window, tok, sizeof tok) != 0)
		return NULL;
	snprintf(url, sizeof url, "http://%s:8080/api/v1/cases", a->host);
	for (i = 0; i < CASES_EACH; i++) {
		for (k = 0; k < 5; k++) {	/* a 503 (nothing written) is tried again */
			long status = 0;

			if ((c = http_handle(&r, "POST", url, 20)) == NULL)
				return NULL;
			h = NULL;
			snprintf(line, sizeof line, "Authorization: Bearer %s", tok);
			h = curl_slist_append(h, line);
			h = curl_slist_append(h, "Content-Type: application/json");
			curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, a->body);
			if (curl_easy_perform(c) == CURLE_OK)
				curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
			if (status == 201 && r.body && (r.json = json_loadb(r.body, r.len, 0, NULL)) &&
			    jstr(r.json, "case.no"))
				str_copy(a->no[a->n++], sizeof a->no[0], jstr(r.json, "case.no"));
			else if (status != 503) {
				a->other++;
				fprintf(stderr, "  accept on %s: %ld %.*s\n", a->host, status,
				    r.body ? (int)(r.len > 200 ? 200 : r.len) : 0, r.body ? r.body : "");
			}
			curl_slist_free_all(h);
			curl_easy_cleanup(c);
			resp_free(&r);
			if (status != 503)
				break;
			pause_ms(100);
		}
	}
	return NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

TEST_WITH(case_numbers_across_nodes, NULL, teardown)
{
	static struct acceptor a[2];
	char mats[256], body[1024], out[64];
	const char *all[2 * CASES_EACH];
	pthread_t th[2];
	int i, n = 0;

	set_clock(NULL);
	material_codes_text("IT-B-004", 1, 0, mats, sizeof mats);
	snprintf(body, sizeof body, "{\"item\":\"IT-B-004\",\"materials\":%s,\"applicant\":"
	    "{\"name\":\"欧阳·娜娜\",\"id_number\":\"11010519491231002X\","
	    "\"phone\":\"13912340912\"}}", mats);
	memset(a, 0, sizeof a);
	a[0].host = "10.77.0.31";	/* app1: db1 */
	a[0].user = "clerk1";
	a[0].window = 1;
	a[1].host = "10.77.0.32";	/* app2: db2 */
	a[1].user = "clerk2";
	a[1].window = 2;
	for (i = 0; i < 2; i++) {
		a[i].body = body;
		assert_int_equal(pthread_create(&th[i], NULL, accept_thread, &a[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("  cases: %d accepted through app1 (db1), %d through app2 (db2), %d refused\n",
	    a[0].n, a[1].n, a[0].other + a[1].other);
	assert_int_equal(a[0].other + a[1].other, 0);
	assert_int_equal(a[0].n, CASES_EACH);
	assert_int_equal(a[1].n, CASES_EACH);
	for (i = 0; i < CASES_EACH; i++) {
		all[n++] = a[0].no[i];
		all[n++] = a[1].no[i];
	}
	qsort(all, (size_t)n, sizeof all[0], cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(all[i - 1], all[i]) == 0)
			fail_msg("case number %s given twice", all[i]);
		assert_int_equal(db_scalar(&test_db, "SELECT COUNT(*) FROM cases WHERE no = ?",
		    DBARGS(DBS(all[i])), out, sizeof out), 1);
		if (strcmp(out, "1") != 0)
			fail_msg("case %s told to a clerk is not in the record once (%s)", all[i], out);
	}
	printf("  cases: %s … %s, no number twice\n", all[0], all[n - 1]);
}

/* ------------------------------------------------------------------ main */

FIXTURE(teardown)
{
	set_clock(NULL);
	/* Whatever failed, leave the cluster whole for the tests after this one. */
	cluster("mend app1");
	cluster("start db1");
	cluster("start rd1");
	cluster("start rd2");
	return 0;
}

FIXTURE(group_setup)
{
	return load_suite_setup(st, "YICHUANG_CLUSTER_LONG", &long_mode, kiosk, sizeof kiosk);
}

/* YICHUANG_CLUSTER_ONLY=pattern runs only the tests whose names match (a glob). */
TESTS_ONLY_FROM("YICHUANG_CLUSTER_ONLY")
SUITE_MAIN("cluster", group_setup, suite_teardown)
