/*
 * it_foundation.c — the runtime against the live test stack: health, the catalog, the
 * error shape for bad requests, staff sign-in, and recovery when Redis, MariaDB or the
 * app itself goes away and comes back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/expect.h"
#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/stackproc.h"

TEST(health_ok)
{
	struct resp r;

	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "status"), "ok");
	assert_string_equal(jstr(r.json, "redis"), "ok");
	assert_string_equal(jstr(r.json, "mysql"), "ok");
	assert_non_null(jstr(r.json, "version"));
	resp_free(&r);
}

TEST(halls_and_categories)
{
	static const char *codes[] = { "A", "B", "C", "D", "E", "F", "Z" };
	static const char *names[] = { "无差别受理", "市场准入", "建设工程", "不动产登记", "社会事务",
	    "跨省通办", "咨询导办" };
	struct resp r;
	json_t *cats;
	size_t i;

	assert_int_equal(http(&r, "GET", "/api/v1/halls", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "halls.0.code"), "demo");
	assert_string_equal(jstr(r.json, "halls.0.open"), "08:30");
	assert_string_equal(jstr(r.json, "halls.0.close"), "17:30");
	assert_int_equal(json_array_size(jget(r.json, "halls.0.hours")), 2);
	assert_string_equal(jstr(r.json, "halls.0.hours.0.close"), "12:00");
	assert_true(strlen(jstr(r.json, "halls.0.name")) > 0);
	resp_free(&r);

	assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	cats = jget(r.json, "categories");
	assert_int_equal(json_array_size(cats), 7);
	for (i = 0; i < 7; i++) {
		json_t *c = json_array_get(cats, i);

		assert_string_equal(jstr(c, "code"), codes[i]);
		assert_string_equal(jstr(c, "kind"), i < 6 ? "service" : "consult");
		assert_string_equal(jstr(c, "name"), names[i]);
		assert_true(json_is_integer(jget(c, "waiting")));
		assert_true(json_is_integer(jget(c, "eta_minutes")));
	}
	resp_free(&r);

	expect_refusal("GET", "/api/v1/halls/nowhere/categories", NULL, NULL, 404, "NOT_FOUND");
}

TEST(items_guide)
{
	struct resp r;
	json_t *items, *it;
	size_t i, total;
	char path[256], id[64], name[256];

	assert_int_equal(http(&r, "GET", "/api/v1/items?hall=demo", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	items = jget(r.json, "items");
	total = json_array_size(items);
	assert_true(total >= 20);
	json_array_foreach(items, i, it) {
		const char *kind = jstr(it, "kind");

		assert_true(json_array_size(jget(it, "materials")) >= 2);
		assert_non_null(jstr(it, "materials.0.code"));
		assert_true(json_is_boolean(jget(it, "materials.0.required")));
		assert_true(json_is_boolean(jget(it, "materials.0.waivable")));
		assert_true(strcmp(kind, "instant") == 0 || strcmp(kind, "promised") == 0);
		assert_true(json_is_boolean(jget(it, "cross_province")));
		if (strcmp(kind, "promised") == 0)
			assert_true(jint(it, "promised_days") > 0);
	}
	snprintf(id, sizeof id, "%s", jstr(items, "3.id"));
	snprintf(name, sizeof name, "%s", jstr(items, "3.name"));
	resp_free(&r);

	/* Category filter: only B, and fewer than all. */
	assert_int_equal(http(&r, "GET", "/api/v1/items?hall=demo&category=B", NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	items = jget(r.json, "items");
	assert_true(json_array_size(items) > 0 && json_array_size(items) < total);
	json_array_foreach(items, i, it)
		assert_string_equal(jstr(it, "category"), "B");
	resp_free(&r);

	/* Search by a word of a name (URL-encoded UTF-8). */
	assert_int_equal(http(&r, "GET", "/api/v1/items?hall=demo&q=%E4%B8%8D%E5%8A%A8%E4%BA%A7",
	    NULL, NULL), 0);	/* 不动产 */
	items = jget(r.json, "items");
	assert_true(json_array_size(items) > 0 && json_array_size(items) < total);
	json_array_foreach(items, i, it)
		assert_non_null(strstr(jstr(it, "name"), "不动产"));
	resp_free(&r);

	/* Search by what people call it: 营业执照 is no item's name, but the items that issue
	 * one (设立登记) are keyed with it, and they come with their materials. */
	{
		static const struct {
			const char *q, *label;
			const char *want[4];
		} kw[] = {
			{ "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7", "营业执照",	/* …and 营业执照变更 */
			  { "IT-B-001", "IT-B-002", "IT-B-004", NULL } },
			{ "%E6%89%A7%E7%85%A7", "执照",	/* a part of keywords */
			  { "IT-B-001", "IT-B-002", "IT-B-004", NULL } },
			{ "%E6%88%91%E8%A6%81%E5%8A%9E%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",
			  "我要办营业执照", { "IT-B-001", "IT-B-002", NULL } },	/* a keyword inside */
			{ "%E8%BF%87%E6%88%B7", "过户", { "IT-D-001", NULL } },
		};
		size_t k, w;

		for (k = 0; k < sizeof kw / sizeof kw[0]; k++) {
			snprintf(path, sizeof path, "/api/v1/items?hall=demo&q=%s", kw[k].q);
			assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
			assert_int_equal(r.status, 200);
			items = jget(r.json, "items");
			for (w = 0; kw[k].want[w]; w++)
				;
			if (json_array_size(items) != w)
				fail_msg("q=%s: %zu items, want %zu", kw[k].label,
				    json_array_size(items), w);
			json_array_foreach(items, i, it) {
				assert_string_equal(jstr(it, "id"), kw[k].want[i]);
				assert_true(json_array_size(jget(it, "materials")) >= 2);
			}
			resp_free(&r);
		}
	}

	/* A search with LIKE wildcards matches literally: nothing has "%%" in its name. */
	assert_int_equal(http(&r, "GET", "/api/v1/items?hall=demo&q=%25%25", NULL, NULL), 0);
	assert_int_equal(json_array_size(jget(r.json, "items")), 0);
	resp_free(&r);

	snprintf(path, sizeof path, "/api/v1/items/%s", id);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "item.id"), id);
	assert_string_equal(jstr(r.json, "item.name"), name);
	assert_true(json_array_size(jget(r.json, "item.materials")) >= 2);
	resp_free(&r);

	expect_refusal("GET", "/api/v1/items/NO-SUCH-ITEM", NULL, NULL, 404, "NOT_FOUND");

	assert_int_equal(http(&r, "GET", "/api/v1/items?category=abc", NULL, NULL), 0);
	assert_invalid(&r, "category");
	resp_free(&r);
}

TEST(bad_requests)
{
	const char *json[] = { "Content-Type: application/json", NULL };
	struct resp r;
	char *big;
	char allow[64];

	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":", json), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);

	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\"}", json), 0);
	assert_invalid(&r, "username password");
	resp_free(&r);

	big = malloc(1024 * 1024 + 1);
	memset(big, 'a', 1024 * 1024);
	big[1024 * 1024] = '\0';
	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", big, json), 0);
	assert_error(&r, 413, "TOO_LARGE");
	resp_free(&r);
	free(big);

	expect_refusal("GET", "/api/v1/no/such/route", NULL, NULL, 404, "NOT_FOUND");

	assert_int_equal(http(&r, "DELETE", "/api/v1/halls", NULL, NULL), 0);
	assert_error(&r, 405, "METHOD_NOT_ALLOWED");
	assert_non_null(resp_header(&r, "Allow", allow, sizeof allow));
	assert_string_equal(allow, "GET, HEAD");
	resp_free(&r);

	/* Security headers from nginx on API replies too. */
	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	assert_non_null(resp_header(&r, "X-Content-Type-Options", allow, sizeof allow));
	resp_free(&r);

	/* And the app keeps serving. */
	health_ok(st);
}

/*
 * nginx keeps its connections to the app and sends the next request on one of them: what a
 * request leaves unread (a body no route took) must not spill into the next.
 */
TEST(kept_connections_start_clean)
{
	const char *json[] = { "Content-Type: application/json", NULL };
	struct resp r;
	char *body;
	long before;
	int i;

	before = app_log_count("no FastCGI request");
	/* Larger than libfcgi reads at once, small enough for nginx to have sent all of it (so
	 * it keeps the connection). */
	body = malloc(40001);
	assert_non_null(body);
	memset(body, ' ', 40000);
	body[0] = '{';
	body[39999] = '}';
	body[40000] = '\0';
	for (i = 0; i < 40; i++) {
		assert_int_equal(http(&r, "POST", "/api/v1/no/such/route", body, json), 0);
		assert_error(&r, 404, "NOT_FOUND");
		resp_free(&r);
		assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
		assert_int_equal(r.status, 200);
		assert_string_equal(jstr(r.json, "status"), "ok");
		resp_free(&r);
		/* A POST, which nginx never sends twice: it must land on a clean connection. */
		assert_int_equal(http(&r, "POST", "/api/v1/halls/demo/tickets",
		    "{\"category\":\"A\"}", json), 0);
		assert_error(&r, 401, "UNAUTHENTICATED");
		resp_free(&r);
	}
	free(body);
	/* And no connection had to be given up for what a request left behind. */
	assert_int_equal(app_log_count("no FastCGI request"), before);
}

TEST(staff_sign_in)
{
	const char *json[] = { "Content-Type: application/json", NULL };
	struct resp r;
	char tok[128], path[64];
	int i;

	assert_int_equal(staff_login("clerk2", 2, tok, sizeof tok), 0);
	assert_int_equal(http_json(&r, "GET", "/api/v1/me", tok, NULL), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "role"), "clerk");
	assert_int_equal(jint(r.json, "window"), 2);
	resp_free(&r);
	expect_reply("POST", "/api/v1/auth/logout", tok, NULL, 204);
	/* The token is dead afterwards. */
	expect_refusal("GET", "/api/v1/me", tok, NULL, 401, "UNAUTHENTICATED");
	/* A tampered token. */
	expect_refusal("GET", "/api/v1/me", "AAAAbogus", NULL, 401, "UNAUTHENTICATED");
	expect_refusal("GET", "/api/v1/me", NULL, NULL, 401, "UNAUTHENTICATED");

	/* Five wrong passwords from this address lock it out of the account: the right one is
	 * then refused with the same 401, saying how long to wait (it_signin tests the rest). */
	for (i = 0; i < 5; i++) {
		assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\","
		    "\"username\":\"clerk7\",\"password\":\"wrong-password-1\",\"window\":7}", json), 0);
		assert_error(&r, 401, "UNAUTHENTICATED");
		assert_null(resp_header(&r, "Retry-After", path, sizeof path));
		resp_free(&r);
	}
	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\","
	    "\"username\":\"clerk7\",\"password\":\"yichuang-demo\",\"window\":7}", json), 0);
	assert_error(&r, 401, "UNAUTHENTICATED");
	assert_non_null(resp_header(&r, "Retry-After", path, sizeof path));
	resp_free(&r);
	/* Unknown user: the same answer as a wrong password. */
	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\","
	    "\"username\":\"nobody\",\"password\":\"whatever-it-is\"}", json), 0);
	assert_error(&r, 401, "UNAUTHENTICATED");
	resp_free(&r);
	/* A clerk must name an existing window. */
	assert_int_equal(http(&r, "POST", "/api/v1/staff/login", "{\"hall\":\"demo\","
	    "\"username\":\"clerk3\",\"password\":\"yichuang-demo\",\"window\":99}", json), 0);
	assert_error(&r, 400, "INVALID_INPUT");
	resp_free(&r);
	snprintf(path, sizeof path, "%s", "/api/v1/me");
	(void)path;
}

/* GET /api/v1/calendar/deadline?<query>: 200 with this deadline, provisional or not. */
static void
deadline_is(const char *query, const char *want, int provisional)
{
	struct resp r;
	char path[128];
	const char *got;

	snprintf(path, sizeof path, "/api/v1/calendar/deadline?%s", query);
	assert_int_equal(http(&r, "GET", path, NULL, NULL), 0);
	assert_int_equal(r.status, 200);
	got = jstr(r.json, "deadline");
	if (got == NULL || strcmp(got, want) != 0 ||
	    json_is_true(jget(r.json, "provisional")) != provisional)
		fail_msg("%s: %s, expected deadline %s, provisional %d", query, r.body, want,
		    provisional);
	resp_free(&r);
}

TEST(deadline_calendar)
{
	/* Accepted Mon 2026-09-28 with 5 working days: 29, 30 Sep, then the National Day
	 * holiday (1–7 Oct) and 中秋 … ; Sat 10 Oct is a make-up working day: 8, 9, 10 Oct. */
	deadline_is("from=2026-09-28&days=5", "2026-10-10", 0);
	/* The notice for 2027 is not published: the provisional calendar (weekends, 元旦 …),
	 * said so — 29–31 December, 4–8 and 11, 12 January (issue 19: no longer a 422). */
	deadline_is("from=2026-12-28&days=10", "2027-01-12", 1);
	expect_refusal("GET", "/api/v1/calendar/deadline?from=2026-02-30&days=1", NULL, NULL, 400,
	    "INVALID_INPUT");
}

TEST(redis_outage)
{
	struct resp r;
	int pid_before;

	pid_before = stack_pid("app");
	assert_true(pid_before > 0);
	assert_int_equal(stack("redis-stop"), 0);
	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(jstr(r.json, "status"), "degraded");
	assert_string_equal(jstr(r.json, "redis"), "down");
	assert_string_equal(jstr(r.json, "mysql"), "ok");
	resp_free(&r);
	/* Redis-backed routes say 503 UNAVAILABLE, not 500. */
	expect_refusal("GET", "/api/v1/halls/demo/categories", NULL, NULL, 503, "UNAVAILABLE");
	assert_int_equal(stack("redis-start"), 0);
	wait_health(200, 5000);
	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	assert_string_equal(jstr(r.json, "status"), "ok");
	resp_free(&r);
	assert_int_equal(stack_pid("app"), pid_before);
}

TEST(mysql_outage)
{
	struct resp r;
	int i;

	assert_int_equal(stack("mysql-stop"), 0);
	assert_int_equal(http(&r, "GET", "/api/v1/health", NULL, NULL), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(jstr(r.json, "mysql"), "down");
	resp_free(&r);
	/* A search no process holds a copy of (a copy the processes hold is still served:
	 * the catalog cannot change while MariaDB is down). */
	expect_refusal("GET", "/api/v1/items?hall=demo&q=%E5%81%9C%E7%94%B5", NULL, NULL, 503,
	    "UNAVAILABLE");
	assert_int_equal(stack("mysql-start"), 0);
	wait_health(200, 10000);
	/* Every thread's old connection is dead: all of them must recover on their own. */
	for (i = 0; i < 40; i++) {
		expect_reply("GET", "/api/v1/items?hall=demo&category=D", NULL, NULL, 200);
	}
}

TEST(app_down_is_json_503)
{
	assert_int_equal(stack("app-stop"), 0);
	expect_refusal("GET", "/api/v1/health", NULL, NULL, 503, "UNAVAILABLE");
	assert_int_equal(stack("app-start"), 0);
	expect_reply("GET", "/api/v1/health", NULL, NULL, 200);
}

static int
parse_count(const char *s, long long *out)
{
	char *end;

	*out = strtoll(s, &end, 10);
	return end == s ? -1 : 0;
}

/* The output of the shell command made of fmt (trailing newlines and spaces cut) into out;
 * "" when it cannot be run. */
static void __attribute__((format(printf, 3, 4)))
cmd_output(char *out, size_t osz, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *p;
	size_t n = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	out[0] = '\0';
	if (p == NULL)
		return;
	n = fread(out, 1, osz - 1, p);
	out[n] = '\0';
	pclose(p);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
}

/* What was promised must survive a crash: the durability settings are part of the product. */
TEST(durability_settings)
{
	char out[256];

	cmd_output(out, sizeof out, "mariadb --socket=var/%s/run/mysql.sock -uroot -N -B -e "
	    "'SELECT @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin' 2>&1",
	    test_instance());
	assert_string_equal(out, "1\t1\t1");
	cmd_output(out, sizeof out, "redis-cli -p $(sed -n 's/^redis_port = //p' "
	    "var/%s/yichuang.conf) CONFIG GET append* 2>&1 | tr '\\n' ' '", test_instance());
	assert_non_null(strstr(out, "appendonly yes"));
	assert_non_null(strstr(out, "appendfsync everysec"));
}

/* The app speaks FastCGI, which has no authentication: it listens on unix sockets only and
 * refuses to start on a TCP address (nothing listens there afterwards). */
TEST(app_refuses_tcp_socket)
{
	char out[1024];
	const char *b = getenv("YICHUANG_BUILD");

	cmd_output(out, sizeof out, "sed 's/^app_socket = .*/app_socket = 127.0.0.1:18999/' "
	    "var/%s/yichuang.conf > var/%s/tcp-socket.conf && { timeout 20 %s/yichuang-app -c "
	    "var/%s/tcp-socket.conf; echo \"exit=$?\"; } 2>&1 | tail -2", test_instance(), test_instance(),
	    b && *b ? b : "build", test_instance());
	assert_non_null(strstr(out, "must be unix socket paths"));
	assert_non_null(strstr(out, "exit=1"));
	cmd_output(out, sizeof out, "bash -c '(exec 3<>/dev/tcp/127.0.0.1/18999) 2>/dev/null &&"
	    " echo open || echo closed'");
	assert_string_equal(out, "closed");
}

/*
 * Overload: every request is still answered in its turn.  Right after the app starts,
 * wrk keeps 96 requests for the item guide (the heaviest public read) in flight for 7 s,
 * more than the app's threads can take at once, while one client asks for /health over and
 * over.  nginx opens a connection to the app for each request in flight; a process takes a
 * new one only while it has a free thread, and one it left in the listen backlog may not
 * wait there while newer requests on the connections already taken are served (it did,
 * for the whole run, while every app process stayed busy).
 */
#define FLOOD_CLIENTS 96
#define FLOOD_S       7
#define FLOOD_MAX_MS  3000	/* the slowest answer allowed; the usual one is ~70 ms */

TEST(app_pool_serves_in_turn)
{
	char cmd[1024], out[4096];
	int64_t end, worst = 0;
	size_t n;
	long probes = 0;
	FILE *w;

	/* As after a deploy in a busy hour: the app starts again and nginx's connections to
	 * it are gone, so the flood opens all of its own at once. */
	assert_int_equal(stack("restart-app"), 0);
	snprintf(cmd, sizeof cmd, "wrk -t2 -c%d -d%ds --timeout 30s '%s/api/v1/items?hall=demo' "
	    "2>&1", FLOOD_CLIENTS, FLOOD_S, base_url());
	w = popen(cmd, "r");
	assert_non_null(w);
	end = now_ms() + (FLOOD_S - 1) * 1000;
	usleep(1000 * 1000);	/* the flood under way */
	while (now_ms() < end) {
		int64_t t0 = now_ms();

		expect_reply("GET", "/api/v1/health", NULL, NULL, 200);
		if (now_ms() - t0 > worst)
			worst = now_ms() - t0;
		probes++;
	}
	n = fread(out, 1, sizeof out - 1, w);
	out[n] = '\0';
	pclose(w);
	assert_non_null(strstr(out, "Requests/sec"));	/* the flood ran */
	print_message("%ld health calls during the flood, the slowest %lld ms\n", probes,
	    (long long)worst);
	assert_true(worst < FLOOD_MAX_MS);
}

/* The app starts itself again once (GLIBC_TUNABLES): its processes keep their name. */
TEST(app_process_names)
{
	char out[1024];

	cmd_output(out, sizeof out, "m=$(cat var/%s/run/app.pid); for p in $m $(pgrep -P $m); do "
	    "cat /proc/$p/comm; done | sort | uniq -c | tr -s ' '", test_instance());
	/* one name for the master and its worker processes: the program's */
	assert_null(strchr(out, '\n'));
	assert_non_null(strstr(out, " yichuang-app"));
	assert_true(strtol(out, NULL, 10) >= 2);
	assert_string_equal(strstr(out, " yichuang-app"), " yichuang-app");
}

/* kill -9 of one app process under traffic: the master replaces it, the others carry on. */
TEST(app_process_killed)
{
	char cmd[512], out[256];
	struct resp r;
	int master, victim, ok = 0, i;
	long long pid;

	cmd_output(out, sizeof out, "cat var/%s/run/app.pid", test_instance());
	master = (int)strtol(out, NULL, 10);
	assert_true(master > 0);
	cmd_output(out, sizeof out, "pgrep -P %d | head -1", master);
	victim = (int)strtol(out, NULL, 10);
	assert_true(victim > 0);
	snprintf(cmd, sizeof cmd, "kill -9 %d", victim);
	assert_int_equal(system(cmd), 0);
	/* Requests keep being answered; at most the ones in flight in the victim were lost. */
	for (i = 0; i < 60; i++) {
		assert_int_equal(http(&r, "GET", "/api/v1/halls/demo/categories", NULL, NULL), 0);
		ok += r.status == 200;
		resp_free(&r);
	}
	assert_true(ok >= 58);
	/* The master is the same process and has the same number of workers again. */
	cmd_output(out, sizeof out, "cat var/%s/run/app.pid", test_instance());
	assert_int_equal((int)strtol(out, NULL, 10), master);
	for (i = 0; i < 30; i++) {
		cmd_output(out, sizeof out, "pgrep -P %d | wc -l", master);
		if (parse_count(out, &pid) == 0 && pid >= 2)
			break;
		usleep(100 * 1000);
	}
	assert_true(pid >= 2);
}

SUITE_MAIN("foundation", NULL, NULL)
