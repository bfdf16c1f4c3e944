/*
 * it_install.c — yichuang installed as services (docs/INSTALL.md), tested the way an
 * operator meets it: `make install` into a scratch root (DESTDIR), systemd-analyze on the
 * installed units, and the installed programs started from there against the test stack's
 * MariaDB (a database of their own, made by the installed yichuang-admin migrate: the
 * stack's worker never sees their outbox) and Redis (their key file is their own, so the
 * keys they derive from phones are too), behind nginx serving the installed production
 * site file over TLS.  Then what keeps a hall from running
 * half-installed: a schema behind the release, templates missing, two migrates at once, a
 * migration that fails.
 *
 * Scratch: var/<instance>/install (wiped with the stack).  The installed nginx listens on
 * 127.0.0.1:(YICHUANG_PORT + 5), its port-80 server on a unix socket.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/suite.h"
#include "../lib/http.h"
#include "../lib/proc.h"

#define HOST "hall.example.gov.cn"

static char S[256];		/* scratch */
static char R[300];		/* DESTDIR of the PREFIX=/usr install */
static char CONF[320];		/* the installed programs' configuration */
static int port;
static int notify_fd = -1;

/* ------------------------------------------------------------------ helpers */

static int
file_has(const char *path, const char *text)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static int
is_exec(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

static int
mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

/*
 * What an installed tree holds: a path below its root and what it must be there: a program,
 * a file or folder of a mode (ABSENT: not there), and/or a file that says has.
 */
#define PROGRAM	(-2)
#define ABSENT	(-1)
#define ANY	0
struct placed {
	const char	*path;
	int		 mode;	/* PROGRAM, ABSENT, ANY (has alone is checked) or a mode */
	const char	*has;	/* text the file holds, or NULL */
};

static void
check_placed(const char *root, const struct placed *t, size_t n)
{
	char p[900];
	size_t i;
	int m;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof p, "%s%s", root, t[i].path);
		m = mode_of(p);
		if (t[i].mode == PROGRAM && !is_exec(p))
			fail_msg("%s is not a program", p);
		if (t[i].mode != PROGRAM && t[i].mode != ANY && m != t[i].mode)
			fail_msg("%s: mode %s%o, want %s%o", p, m < 0 ? "none " : "0",
			    m < 0 ? 0u : (unsigned)m, t[i].mode < 0 ? "none " : "0",
			    t[i].mode < 0 ? 0u : (unsigned)t[i].mode);
		if (t[i].has && !file_has(p, t[i].has))
			fail_msg("%s does not say \"%s\"", p, t[i].has);
	}
}

static int
count_files(const char *dir, const char *suffix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);

		if (l > sl && strcmp(de->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* Write a configuration: the installed yichuang.conf, then the lines given (the last value
 * of a key counts). */
static void
write_conf(const char *path, const char *extra)
{
	char base[700], text[65536];
	size_t n = 0;
	FILE *f;

	snprintf(base, sizeof base, "%s/etc/yichuang/yichuang.conf", R);
	assert_non_null(f = fopen(base, "r"));
	n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "%s\n# ---- it_install\n"
	    "sms_templates_dir = %s/usr/share/yichuang/sms-templates\n"
	    "migrations_dir = %s/usr/share/yichuang/migrations\n"
	    "app_socket = %s/run/app.sock\n"
	    "app_board_socket = %s/run/board.sock\n"
	    "push_publisher = %s/run/push.sock\n"
	    "app_processes = 2\napp_threads = 4\napp_board_threads = 4\n"
	    "mysql_socket = %s\nmysql_password = %s\nmysql_db = yichuang_install\n"
	    "migrate_user = %s\n"
	    "redis_socket = %s\n"
	    "public_base_url = https://" HOST ":%d\n"
	    "key_file = %s/secret.key\nupload_dir = %s/uploads\naccess_log = %s/log/access.log\n"
	    "sms_provider = log\nsms_log = %s/sms.log\n"
	    "clock_base = %s\nclock_real = %s\n%s\n",
	    text, R, R, S, S, S, stack_conf("mysql_socket"), stack_conf("mysql_password"),
	    stack_conf("migrate_user"), stack_conf("redis_socket"), port, S, S, S, S,
	    stack_conf("clock_base"),
	    stack_conf("clock_real"), extra ? extra : "");
	fclose(f);
}

static pid_t
start_installed(const char *prog, const char *conf, int notify)
{
	char bin[700], env[700], log[700];
	const char *argv[] = { bin, "-c", conf, NULL };
	const char *envv[] = { env, NULL };

	snprintf(bin, sizeof bin, "%s/usr/bin/%s", R, prog);
	snprintf(env, sizeof env, "NOTIFY_SOCKET=%s/run/notify.sock", S);
	snprintf(log, sizeof log, "%s/log/%s.log", S, prog);
	/* From "/": nothing may be found relative to the repository. */
	return proc_spawn(argv, "/", notify ? envv : NULL, log);
}

static long
log_size(const char *prog)
{
	char path[700];
	struct stat st;

	snprintf(path, sizeof path, "%s/log/%s.log", S, prog);
	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* The program's log written since offset contains text. */
static int
log_has(const char *prog, long since, const char *text)
{
	char path[700], buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/log/%s.log", S, prog);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	fseek(f, since, SEEK_SET);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (strstr(buf, text) == NULL) {
		fprintf(stderr, "%s.log does not say \"%s\":\n%s\n", prog, text, buf);
		return 0;
	}
	return 1;
}

/* The installed prog on conf refuses to start (exit 1), its log saying why (and why2, when
 * not NULL). */
static void
refuses_to_start(const char *prog, const char *conf, const char *why, const char *why2)
{
	long mark = log_size(prog);
	pid_t pid;

	assert_true((pid = start_installed(prog, conf, 0)) > 0);
	assert_int_equal(proc_wait(pid, 20000), 1);
	assert_true(log_has(prog, mark, why));
	if (why2)
		assert_true(log_has(prog, mark, why2));
}

/* ---- https to the installed site, as a browser that trusts its certificate */

/* unix_http: the port-80 server (on its unix socket) instead of TLS. */
static int
site(struct resp *r, const char *method, const char *path, const char *body, int unix_http)
{
	CURL *c;
	struct curl_slist *hl = NULL, *res = NULL;
	char url[1024], resolve[128], ca[700], sock[700];
	CURLcode rc;

	snprintf(resolve, sizeof resolve, HOST ":%d:127.0.0.1", port);
	snprintf(ca, sizeof ca, "%s/tls/cert.pem", S);
	snprintf(sock, sizeof sock, "%s/run/http.sock", S);
	if (unix_http)
		snprintf(url, sizeof url, "http://" HOST "%s", path);
	else
		snprintf(url, sizeof url, "https://" HOST ":%d%s", port, path);
	c = http_handle(r, method, url, 20L);
	assert_non_null(c);
	if (unix_http)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	else {
		res = curl_slist_append(res, resolve);
		curl_easy_setopt(c, CURLOPT_RESOLVE, res);
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	}
	if (body) {
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		fprintf(stderr, "%s %s: %s\n", method, url, curl_easy_strerror(rc));
	curl_slist_free_all(hl);
	curl_slist_free_all(res);
	curl_easy_cleanup(c);
	if (rc == CURLE_OK && r->body)
		r->json = json_loadb(r->body, r->len, 0, NULL);
	return rc == CURLE_OK ? 0 : -1;
}

/* ------------------------------------------------------------------ set-up */

FIXTURE(setup)
{
	char out[4096];
	const char *p = getenv("YICHUANG_PORT");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	port = (p && *p ? (int)strtol(p, NULL, 10) : 18080) + 5;
	snprintf(S, sizeof S, "%s/install", proc_var());
	snprintf(R, sizeof R, "%s/root", S);
	snprintf(CONF, sizeof CONF, "%s/yichuang.conf", S);
	proc_stop_stale(S);
	if (proc_run(out, sizeof out, "rm -rf '%s' && mkdir -p '%s/run' '%s/log' '%s/tls' "
	    "'%s/uploads' '%s/nginx' && chmod 700 '%s'", S, S, S, S, S, S, S) != 0)
		return -1;
	return 0;
}

FIXTURE(teardown)
{
	char out[256];

	proc_stop_all();
	dba_sql(NULL, out, sizeof out, "DROP DATABASE IF EXISTS yichuang_install; "
	    "DROP DATABASE IF EXISTS yichuang_install2;");
	return 0;
}

/* ------------------------------------------------------------------ make install */

/*
 * make install PREFIX=/usr DESTDIR=<scratch>: every file in its FHS place, the units and
 * the configuration naming those places; PREFIX=/usr/local moves programs, data and units;
 * an operator's yichuang.conf survives the next install (the new default lands beside it),
 * a file the release no longer ships leaves the site, make uninstall keeps /etc and /var.
 */
TEST(make_install_places_files)
{
	static const struct placed usr[] = {
		{ "/usr/bin/yichuang-app", PROGRAM, NULL },
		{ "/usr/bin/yichuang-worker", PROGRAM, NULL },
		{ "/usr/bin/yichuang-admin", PROGRAM, NULL },
		{ "/usr/share/yichuang/site/index.html", 0644, NULL },
		{ "/usr/share/yichuang/sms-templates/login_code.tmpl", 0644, NULL },
		{ "/usr/share/yichuang/calendar/cn-holidays-2026.json", 0644, NULL },
		{ "/usr/share/yichuang/nginx/hsts.conf", ANY, "Strict-Transport-Security" },
		{ "/usr/lib/sysusers.d/yichuang.conf", ANY, "u yichuang" },
		{ "/usr/lib/systemd/system/yichuang-app.service", ANY,
		  "\nExecStart=/usr/bin/yichuang-app -c /etc/yichuang/yichuang.conf\n" },
		{ "/usr/lib/systemd/system/yichuang-worker.service", ANY,
		  "\nExecStart=/usr/bin/yichuang-worker -c /etc/yichuang/yichuang.conf\n" },
		{ "/etc/yichuang/yichuang.conf", 0640,
		  "\nsms_templates_dir = /usr/share/yichuang/sms-templates\n" },
		{ "/etc/yichuang/yichuang.conf", ANY,
		  "\nmigrations_dir = /usr/share/yichuang/migrations\n" },
		{ "/etc/yichuang/yichuang.conf", ANY, "\napp_socket = /run/yichuang/app.sock\n" },
		{ "/etc/yichuang/yichuang.conf", ANY, "\nupload_dir = /var/lib/yichuang/uploads\n" },
		{ "/etc/nginx/sites-available/yichuang", ANY, "root /usr/share/yichuang/site;" },
		{ "/etc/nginx/sites-available/yichuang", ANY, "server unix:/run/yichuang/app.sock;" },
		{ "/var/lib/yichuang/uploads", 0750, NULL },
		{ "/var/log/yichuang", 0750, NULL },
	}, usr_local[] = {
		{ "/usr/local/bin/yichuang-app", PROGRAM, NULL },
		{ "/usr/local/lib/systemd/system/yichuang-app.service", ANY,
		  "\nExecStart=/usr/local/bin/yichuang-app -c /etc/yichuang/yichuang.conf\n" },
		{ "/etc/yichuang/yichuang.conf", ANY,
		  "\nsms_templates_dir = /usr/local/share/yichuang/sms-templates\n" },
		{ "/etc/nginx/sites-available/yichuang", ANY, "root /usr/local/share/yichuang/site;" },
	}, uninstalled[] = {
		{ "/usr/local/bin/yichuang-app", ABSENT, NULL },
		{ "/usr/local/share/yichuang", ABSENT, NULL },
		{ "/etc/yichuang/yichuang.conf", 0640, NULL },
	};
	char cmd[8192], out[16384], p[900], L[600];

	snprintf(cmd, sizeof cmd, "make -s install DESTDIR='%s' PREFIX=/usr B='%s'", R,
	    proc_build());
	proc_run_ok(out, sizeof out, cmd);

	check_placed(R, usr, sizeof usr / sizeof usr[0]);
	snprintf(p, sizeof p, "%s/usr/share/yichuang/migrations", R);
	assert_int_equal(count_files(p, ".sql"), count_files("sql/migrations", ".sql"));

	/* The operator's configuration stays; so does nothing the release dropped. */
	snprintf(cmd, sizeof cmd, "echo 'app_threads = 3 # the operator' >> '%s/etc/yichuang/yichuang.conf'"
	    " && echo old > '%s/usr/share/yichuang/site/dropped.html'"
	    " && make -s install DESTDIR='%s' PREFIX=/usr B='%s'", R, R, R, proc_build());
	proc_run_ok(out, sizeof out, cmd);
	assert_non_null(strstr(out, "kept /etc/yichuang/yichuang.conf"));
	snprintf(p, sizeof p, "%s/etc/yichuang/yichuang.conf", R);
	assert_true(file_has(p, "app_threads = 3 # the operator"));
	snprintf(p, sizeof p, "%s/etc/yichuang/yichuang.conf.dist", R);
	assert_true(file_has(p, "migrations_dir = /usr/share/yichuang/migrations"));
	assert_false(file_has(p, "# the operator"));
	snprintf(p, sizeof p, "%s/usr/share/yichuang/site/dropped.html", R);
	assert_int_equal(mode_of(p), -1);

	/* PREFIX=/usr/local: programs, data and units move; /etc and /var do not. */
	snprintf(L, sizeof L, "%s/root-local", S);
	snprintf(cmd, sizeof cmd, "make -s install DESTDIR='%s' PREFIX=/usr/local B='%s'", L,
	    proc_build());
	proc_run_ok(out, sizeof out, cmd);
	check_placed(L, usr_local, sizeof usr_local / sizeof usr_local[0]);
	/* Uninstalled: programs and data gone, the operator's configuration kept. */
	snprintf(cmd, sizeof cmd, "make -s uninstall DESTDIR='%s' PREFIX=/usr/local", L);
	proc_run_ok(out, sizeof out, cmd);
	check_placed(L, uninstalled, sizeof uninstalled / sizeof uninstalled[0]);
}

/* ------------------------------------------------------------------ the units */

/*
 * systemd-analyze verify on the installed units, in the scratch root (the host's own units
 * copied beside them, so targets resolve and ExecStart= is checked inside the root): no
 * complaint at all.  A unit with a misspelt key, verified the same way, is complained
 * about — so a silent verify means something.  Then the hardening: the directives the issue
 * asks for are there, and systemd-analyze security rates each unit's exposure at most 2.0.
 */
TEST(installed_units_verify)
{
	static const char *must[] = { "\nType=notify\n", "\nRestart=on-failure\n",
	    "\nUser=yichuang\n", "\nProtectSystem=strict\n", "\nPrivateTmp=yes\n",
	    "\nNoNewPrivileges=yes\n", "\nCapabilityBoundingSet=\n", "\nStateDirectory=yichuang",
	    "\nReadWritePaths=/var/lib/yichuang /var/log/yichuang" };
	static const char *units[] = { "yichuang-app.service", "yichuang-worker.service" };
	char out[16384], cmd[2048], p[900];
	size_t i, u;

	if (proc_run(out, sizeof out, "command -v systemd-analyze") != 0)
		fail_msg("systemd-analyze is missing: install the systemd package (ops/deps.sh test)");
	snprintf(cmd, sizeof cmd, "cp -rn /usr/lib/systemd/system/. '%s/usr/lib/systemd/system/'", R);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(cmd, sizeof cmd, "systemd-analyze verify --root='%s' yichuang-app.service "
	    "yichuang-worker.service", R);
	proc_run_ok(out, sizeof out, cmd);
	if (out[0] != '\0')
		fprintf(stderr, "systemd-analyze verify:\n%s\n", out);
	assert_string_equal(out, "");

	snprintf(cmd, sizeof cmd, "sed 's/^ProtectSystem=/ProtectSytem=/' "
	    "'%s/usr/lib/systemd/system/yichuang-worker.service' > "
	    "'%s/usr/lib/systemd/system/yichuang-misspelt.service' && systemd-analyze verify "
	    "--root='%s' yichuang-misspelt.service; rm -f "
	    "'%s/usr/lib/systemd/system/yichuang-misspelt.service'", R, R, R, R);
	proc_run(out, sizeof out, "%s", cmd);
	assert_non_null(strstr(out, "ProtectSytem"));

	snprintf(p, sizeof p, "%s/usr/lib/systemd/system/yichuang-app.service", R);
	assert_true(file_has(p, "\nRuntimeDirectory=yichuang\n"));
	assert_true(file_has(p, "\nKillMode=mixed\n"));
	for (u = 0; u < sizeof units / sizeof units[0]; u++) {
		char *lvl;
		double exposure;

		snprintf(p, sizeof p, "%s/usr/lib/systemd/system/%s", R, units[u]);
		for (i = 0; i < sizeof must / sizeof must[0]; i++)
			if (!file_has(p, must[i]))
				fail_msg("%s lacks %s", units[u], must[i] + 1);
		snprintf(cmd, sizeof cmd, "systemd-analyze security --offline=true --root='%s' %s "
		    "| grep 'Overall exposure level'", R, units[u]);
		proc_run_ok(out, sizeof out, cmd);
		assert_non_null(lvl = strstr(out, ".service: "));
		exposure = strtod(lvl + 10, NULL);
		if (exposure > 2.0 || exposure <= 0.0)
			fail_msg("%s: %s", units[u], out);
	}
}

/*
 * The production site file has every location of the development template (nginx.conf.in,
 * which every other test goes through): a route added to one and not the other would work
 * in tests and fail in a hall.
 */
TEST(site_file_matches_template)
{
	char a[8192], b[8192], cmd[1200];
	const char *extract = "sed -n 's/^[[:space:]]*\\(location[^{]*\\){.*/\\1/p' '%s' | "
	    "sed 's/[[:space:]]*$//; s/[[:space:]][[:space:]]*/ /g' | LC_ALL=C sort";

	snprintf(cmd, sizeof cmd, extract, "nginx/nginx.conf.in");
	proc_run_ok(a, sizeof a, cmd);
	snprintf(cmd, sizeof cmd, extract, "nginx/yichuang-site.conf.in");
	proc_run_ok(b, sizeof b, cmd);
	assert_true(strlen(a) > 100);
	if (strcmp(a, b) != 0)
		fprintf(stderr, "nginx.conf.in:\n%s\nyichuang-site.conf.in:\n%s\n", a, b);
	assert_string_equal(a, b);
}

/* ------------------------------------------------------------------ the installed programs */

static pid_t nginx_pid = -1;

/*
 * nginx with the installed site file, as an operator fills it in: the host name kept, a
 * certificate for it, the TLS port on 127.0.0.1:port, the port-80 server on a unix socket,
 * the paths of the scratch root; inside an http { } block like Debian's nginx.conf.
 */
static void
start_nginx(void)
{
	char cmd[8192], out[4096], site_conf[700], main_conf[700], log[700];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	FILE *f;
	int i;

	snprintf(cmd, sizeof cmd, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
	    "-nodes -keyout '%s/tls/key.pem' -out '%s/tls/cert.pem' -days 2 -subj /CN=" HOST
	    " -addext subjectAltName=DNS:" HOST, S, S);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(site_conf, sizeof site_conf, "%s/site.conf", S);
	snprintf(cmd, sizeof cmd, "sed -e 's|/run/yichuang/|%s/run/|g' "
	    "-e 's|/usr/share/yichuang/|%s/usr/share/yichuang/|g' "
	    "-e 's|/etc/yichuang/tls/fullchain.pem|%s/tls/cert.pem|' "
	    "-e 's|/etc/yichuang/tls/privkey.pem|%s/tls/key.pem|' "
	    "-e 's|listen 443 ssl http2;|listen 127.0.0.1:%d ssl http2;|' "
	    "-e '/listen \\[::\\]/d' -e 's|listen 80;|listen unix:%s/run/http.sock;|' "
	    "-e 's|listen 127.0.0.1:8089;|listen unix:%s/run/push.sock;|' "
	    "-e 's|/var/log/nginx/|%s/log/|g' '%s/etc/nginx/sites-available/yichuang' > '%s'",
	    S, R, S, S, port, S, S, S, R, site_conf);
	proc_run_ok(out, sizeof out, cmd);
	assert_false(file_has(site_conf, " /run/yichuang"));
	assert_false(file_has(site_conf, "/etc/yichuang/tls"));
	snprintf(main_conf, sizeof main_conf, "%s/nginx.conf", S);
	assert_non_null(f = fopen(main_conf, "w"));
	/* Debian's nginx.conf loads nchan through modules-enabled/; this one names it. */
	fprintf(f, "%s\nload_module /usr/lib/nginx/modules/ngx_nchan_module.so;\n"
	    "daemon off;\nworker_processes 1;\npid %s/run/nginx.pid;\n"
	    "error_log %s/log/nginx-error.log warn;\nevents { worker_connections 256; }\n"
	    "http {\n include %s/nginx/mime.types;\n default_type application/octet-stream;\n"
	    " client_body_temp_path %s/nginx/body;\n fastcgi_temp_path %s/nginx/fastcgi;\n"
	    " proxy_temp_path %s/nginx/proxy;\n uwsgi_temp_path %s/nginx/uwsgi;\n"
	    " scgi_temp_path %s/nginx/scgi;\n include %s;\n}\n",
	    getuid() == 0 ? "user root;" : "", S, S, getcwd(log, sizeof log), S, S, S, S, S, site_conf);
	fclose(f);
	snprintf(log, sizeof log, "%s/log/nginx-error.log", S);
	snprintf(cmd, sizeof cmd, "nginx -t -p '%s/nginx/' -e '%s' -c '%s'", S, log, main_conf);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(cmd, sizeof cmd, "exec nginx -p '%s/nginx/' -e '%s' -c '%s'", S, log, main_conf);
	assert_true((nginx_pid = proc_spawn(argv, NULL, NULL, log)) > 0);
	for (i = 0; i < 100; i++) {
		struct resp r;

		if (site(&r, "GET", "/", NULL, 0) == 0 && r.status == 200) {
			resp_free(&r);
			return;
		}
		resp_free(&r);
		usleep(100 * 1000);
	}
	fail_msg("nginx did not serve the site");
}

/* The newest sms.log line for phone, waiting up to 20 s for the worker. */
static json_t *
sms_line(const char *phone)
{
	char path[700], line[4096];
	json_t *found = NULL;
	int i;

	snprintf(path, sizeof path, "%s/sms.log", S);
	for (i = 0; i < 200 && found == NULL; i++) {
		FILE *f = fopen(path, "r");

		while (f && fgets(line, sizeof line, f)) {
			json_t *j = json_loads(line, 0, NULL);
			const char *p = json_string_value(json_object_get(j, "phone"));

			if (p && strcmp(p, phone) == 0) {
				json_decref(found);
				found = j;
			} else
				json_decref(j);
		}
		if (f)
			fclose(f);
		if (found == NULL)
			usleep(100 * 1000);
	}
	return found;
}

/*
 * A fresh install comes up: the installed yichuang-admin migrate makes the database from
 * the installed migrations and grants the app's account; nginx with the installed site
 * answers for the app (503 in the API's shape until it runs, HSTS on every answer); the
 * installed app and worker, started from "/" with only the configuration to go by, tell
 * systemd READY=1 from their main process — the app only once it serves — answer /health
 * over TLS, and deliver a citizen's sign-in SMS rendered from the installed templates; on
 * SIGTERM each says STOPPING=1 and exits 0.
 */
TEST(installed_programs_serve)
{
	char cmd[8192], out[16384], p[900], note[700];
	pid_t app = -1, worker = -1;
	struct resp r;
	json_t *sms;
	const char *code, *text;
	int nmig;

	snprintf(p, sizeof p, "%s/secret.key", S);
	snprintf(cmd, sizeof cmd, "head -c 32 /dev/urandom | od -An -v -tx1 | tr -d ' \\n' > '%s'"
	    " && chmod 600 '%s'", p, p);
	proc_run_ok(out, sizeof out, cmd);
	write_conf(CONF, NULL);
	dba_sql(NULL, out, sizeof out, "DROP DATABASE IF EXISTS yichuang_install;");

	snprintf(cmd, sizeof cmd, "'%s/usr/bin/yichuang-admin' -c '%s' migrate", R, CONF);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(p, sizeof p, "%s/usr/share/yichuang/migrations", R);
	nmig = count_files(p, ".sql");
	snprintf(note, sizeof note, "migrate: %d applied, none pending", nmig);
	assert_non_null(strstr(out, note));
	assert_non_null(strstr(out, "grants: "));
	assert_int_equal(dba_sql("yichuang_install", out, sizeof out,
	    "SELECT COUNT(*) FROM schema_migrations;"), 0);
	assert_int_equal(strtol(out, NULL, 10), nmig);
	/* Each is recorded with the SHA-256 of the file applied and the release applying it. */
	snprintf(cmd, sizeof cmd, "sha256sum '%s/usr/share/yichuang/migrations/001_foundation.sql'"
	    " | cut -c1-64", R);
	proc_run_ok(note, sizeof note, cmd);
	note[strcspn(note, "\n")] = '\0';
	assert_int_equal(dba_sql("yichuang_install", out, sizeof out, "SELECT checksum, applied_by "
	    "<> '' FROM schema_migrations WHERE version = '001_foundation';"), 0);
	assert_int_equal(strlen(note), 64);
	assert_non_null(strstr(out, note));
	assert_non_null(strstr(out, "\t1"));

	start_nginx();
	assert_int_equal(site(&r, "GET", "/api/v1/health", NULL, 0), 0);
	assert_int_equal(r.status, 503);
	assert_string_equal(jstr(r.json, "error.code"), "UNAVAILABLE");
	assert_non_null(resp_header(&r, "Strict-Transport-Security", note, sizeof note));
	resp_free(&r);

	snprintf(p, sizeof p, "%s/run/notify.sock", S);
	assert_true((notify_fd = notify_open(p)) >= 0);
	assert_true((app = start_installed("yichuang-app", CONF, 1)) > 0);
	if (notify_wait(notify_fd, "READY=1", app, 30000) != 0)
		fail_msg("no READY=1 from the app's main process (log %s/log/yichuang-app.log)", S);
	/* Ready means serving: the first request after READY=1 is answered. */
	assert_int_equal(site(&r, "GET", "/api/v1/health", NULL, 0), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(jstr(r.json, "status"), "ok");
	assert_string_equal(jstr(r.json, "mysql"), "ok");
	assert_string_equal(jstr(r.json, "redis"), "ok");
	assert_string_equal(resp_header(&r, "Strict-Transport-Security", note, sizeof note),
	    "max-age=31536000; includeSubDomains");
	assert_string_equal(resp_header(&r, "X-Content-Type-Options", note, sizeof note), "nosniff");
	resp_free(&r);

	/* The site from the installed folder; plain http only redirects. */
	assert_int_equal(site(&r, "GET", "/", NULL, 0), 0);
	assert_int_equal(r.status, 200);
	snprintf(p, sizeof p, "%s/usr/share/yichuang/site/index.html", R);
	{
		char first[200];
		FILE *f = fopen(p, "r");

		assert_non_null(f);
		assert_non_null(fgets(first, sizeof first, f));
		fclose(f);
		assert_non_null(strstr(r.body, first));
	}
	resp_free(&r);
	assert_int_equal(site(&r, "GET", "/api/v1/health", NULL, 1), 0);
	assert_int_equal(r.status, 301);
	assert_string_equal(resp_header(&r, "Location", note, sizeof note),
	    "https://" HOST "/api/v1/health");
	resp_free(&r);

	assert_true((worker = start_installed("yichuang-worker", CONF, 1)) > 0);
	if (notify_wait(notify_fd, "READY=1", worker, 30000) != 0)
		fail_msg("no READY=1 from the worker (log %s/log/yichuang-worker.log)", S);

	assert_int_equal(site(&r, "POST", "/api/v1/auth/sms-code", "{\"phone\":\"13900139001\"}", 0), 0);
	assert_int_equal(r.status, 202);
	resp_free(&r);
	if ((sms = sms_line("13900139001")) == NULL)
		fail_msg("the installed worker delivered no SMS to %s/sms.log", S);
	assert_string_equal(json_string_value(json_object_get(sms, "template")), "login_code");
	assert_non_null(code = json_string_value(json_object_get(json_object_get(sms, "params"), "code")));
	assert_non_null(text = json_string_value(json_object_get(sms, "text")));
	assert_true(strncmp(text, "【一窗政务】", strlen("【一窗政务】")) == 0);
	assert_non_null(strstr(text, code));
	assert_int_equal(dba_sql("yichuang_install", out, sizeof out, "SELECT status FROM outbox "
	    "WHERE id = %lld;", (long long)json_integer_value(json_object_get(sms, "id"))), 0);
	assert_string_equal(out, "sent");
	json_decref(sms);

	/* SIGTERM: STOPPING=1, requests in flight finish, exit 0, the sockets go. */
	kill(app, SIGTERM);
	assert_int_equal(notify_wait(notify_fd, "STOPPING=1", app, 20000), 0);
	assert_int_equal(proc_wait(app, 30000), 0);
	snprintf(p, sizeof p, "%s/run/app.sock", S);
	assert_int_equal(access(p, F_OK), -1);
	kill(worker, SIGTERM);
	assert_int_equal(notify_wait(notify_fd, "STOPPING=1", worker, 20000), 0);
	assert_int_equal(proc_wait(worker, 30000), 0);
}

/* ------------------------------------------------------------------ a broken install */

/*
 * The programs of a release refuse to start on a database that lacks one of its migrations
 * (they would fail request by request on what it adds), naming it and the way out; once
 * yichuang-admin migrate has applied it, the app starts.  Without SMS templates neither
 * starts either, naming sms_templates_dir.  (Exit 1: systemd's Restart=on-failure tries
 * again, and the journal says why.)
 */
TEST(programs_refuse_a_broken_install)
{
	char cmd[8192], out[8192], conf2[700], conf3[700], extra[2048];
	pid_t app;

	snprintf(cmd, sizeof cmd, "rm -rf '%s/mig2' '%s/no-templates' && mkdir '%s/no-templates' && "
	    "cp -r '%s/usr/share/yichuang/migrations' '%s/mig2' && printf 'CREATE TABLE "
	    "upgrade_probe (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;\\n' > "
	    "'%s/mig2/999_upgrade_probe.sql'", S, S, S, R, S, S);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(conf2, sizeof conf2, "%s/behind.conf", S);
	snprintf(extra, sizeof extra, "migrations_dir = %s/mig2", S);
	write_conf(conf2, extra);

	refuses_to_start("yichuang-app", conf2, "999_upgrade_probe", "run yichuang-admin migrate");
	refuses_to_start("yichuang-worker", conf2, "999_upgrade_probe", NULL);

	snprintf(cmd, sizeof cmd, "'%s/usr/bin/yichuang-admin' -c '%s' migrate", R, conf2);
	proc_run_ok(out, sizeof out, cmd);
	assert_non_null(strstr(out, "applied 999_upgrade_probe"));
	assert_non_null(strstr(out, "migrate: 1 applied, none pending"));
	assert_true((app = start_installed("yichuang-app", conf2, 1)) > 0);
	assert_int_equal(notify_wait(notify_fd, "READY=1", app, 30000), 0);
	assert_int_equal(proc_stop(app, 30000), 0);

	snprintf(conf3, sizeof conf3, "%s/no-templates.conf", S);
	snprintf(extra, sizeof extra, "sms_templates_dir = %s/no-templates", S);
	write_conf(conf3, extra);
	refuses_to_start("yichuang-app", conf3, "sms_templates_dir", NULL);
	refuses_to_start("yichuang-worker", conf3, "sms_templates_dir", NULL);
}

/* ------------------------------------------------------------------ migrate */

/*
 * Two yichuang-admin migrate at once, for real: the second starts while the first is
 * inside a migration that takes four seconds.  The second stops at once with exit 3 and
 * says why, having applied nothing; the first finishes; every migration is recorded once.
 * A third finds nothing to do.
 */
TEST(migrate_runs_one_at_a_time)
{
	char cmd[8192], out[8192], line[1024], conf4[700], extra[2048], got[16384] = "";
	int nfiles, rc, seen = 0;
	FILE *a;

	snprintf(cmd, sizeof cmd, "rm -rf '%s/mig3' && cp -r '%s/usr/share/yichuang/migrations' "
	    "'%s/mig3' && printf 'SELECT SLEEP(4);\\nCREATE TABLE slow_probe (id INT NOT NULL "
	    "PRIMARY KEY) ENGINE=InnoDB;\\n' > '%s/mig3/998_slow.sql'", S, R, S, S);
	proc_run_ok(out, sizeof out, cmd);
	snprintf(line, sizeof line, "%s/mig3", S);
	nfiles = count_files(line, ".sql");
	snprintf(conf4, sizeof conf4, "%s/twice.conf", S);
	snprintf(extra, sizeof extra, "migrations_dir = %s/mig3\nmysql_db = yichuang_install2", S);
	write_conf(conf4, extra);
	dba_sql(NULL, out, sizeof out, "DROP DATABASE IF EXISTS yichuang_install2;");

	snprintf(cmd, sizeof cmd, "'%s/usr/bin/yichuang-admin' -c '%s' migrate 2>&1; echo exit=$?",
	    R, conf4);
	assert_non_null(a = popen(cmd, "r"));
	while (fgets(line, sizeof line, a)) {
		strncat(got, line, sizeof got - strlen(got) - 1);
		if (strstr(line, "applying 998_slow")) {
			seen = 1;
			break;
		}
	}
	assert_true(seen);
	snprintf(cmd, sizeof cmd, "'%s/usr/bin/yichuang-admin' -c '%s' migrate", R, conf4);
	rc = proc_run(out, sizeof out, "%s", cmd);
	if (rc != 3)
		fprintf(stderr, "second migrate: exit %d\n%s\n", rc, out);
	assert_int_equal(rc, 3);
	assert_non_null(strstr(out, "another yichuang-admin migrate is running"));
	assert_non_null(strstr(out, "nothing was done"));
	assert_null(strstr(out, "applying"));
	while (fgets(line, sizeof line, a))
		strncat(got, line, sizeof got - strlen(got) - 1);
	pclose(a);
	if (strstr(got, "exit=0") == NULL)
		fprintf(stderr, "first migrate:\n%s\n", got);
	assert_non_null(strstr(got, "applied 998_slow"));
	assert_non_null(strstr(got, "exit=0"));

	assert_int_equal(dba_sql("yichuang_install2", out, sizeof out, "SELECT COUNT(*), "
	    "COUNT(DISTINCT version) FROM schema_migrations WHERE version NOT LIKE 'seed:%%';"), 0);
	snprintf(line, sizeof line, "%d\t%d", nfiles, nfiles);
	assert_string_equal(out, line);
	proc_run_ok(out, sizeof out, cmd);
	assert_non_null(strstr(out, "migrate: 0 applied, none pending"));
	assert_null(strstr(out, "warning"));

	/* A released migration edited afterwards: migrate says so (and applies nothing). */
	snprintf(line, sizeof line, "%s/mig3/998_slow.sql", S);
	assert_non_null(a = fopen(line, "a"));
	fputs("-- edited after it was applied\n", a);
	fclose(a);
	proc_run_ok(out, sizeof out, cmd);
	assert_non_null(strstr(out, "warning: 998_slow.sql has changed since it was applied"));
	assert_non_null(strstr(out, "migrate: 0 applied, none pending"));
}

/*
 * A migration that fails is not recorded, the error names the file and the statement, and
 * the ones before it stay applied; once fixed (written to run again: IF NOT EXISTS), the
 * next migrate applies it.  MariaDB out of reach: exit 4; no migrations folder: exit 2.
 */
TEST(migrate_failure_is_not_recorded)
{
	char cmd[8192], out[8192], conf5[700], extra[2048], f[700];
	FILE *w;
	int rc;

	snprintf(f, sizeof f, "%s/mig3/999_broken.sql", S);
	assert_non_null(w = fopen(f, "w"));
	fputs("CREATE TABLE broken_probe (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n"
	    "ALTER TABLE no_such_table ADD COLUMN x INT;\n", w);
	fclose(w);
	snprintf(conf5, sizeof conf5, "%s/twice.conf", S);
	snprintf(cmd, sizeof cmd, "'%s/usr/bin/yichuang-admin' -c '%s' migrate", R, conf5);
	rc = proc_run(out, sizeof out, "%s", cmd);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "999_broken.sql: statement 2 failed"));
	assert_non_null(strstr(out, "999_broken is not recorded"));
	assert_int_equal(dba_sql("yichuang_install2", out, sizeof out, "SELECT COUNT(*) FROM "
	    "schema_migrations WHERE version = '999_broken';"), 0);
	assert_string_equal(out, "0");

	assert_non_null(w = fopen(f, "w"));
	fputs("CREATE TABLE IF NOT EXISTS broken_probe (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;\n"
	    "-- fixed\nALTER TABLE broken_probe ADD COLUMN IF NOT EXISTS x INT;\n", w);
	fclose(w);
	proc_run_ok(out, sizeof out, cmd);
	assert_non_null(strstr(out, "applied 999_broken"));
	assert_int_equal(dba_sql("yichuang_install2", out, sizeof out, "SELECT COUNT(*) FROM "
	    "information_schema.columns WHERE table_schema = 'yichuang_install2' AND table_name = "
	    "'broken_probe' AND column_name = 'x';"), 0);
	assert_string_equal(out, "1");

	snprintf(conf5, sizeof conf5, "%s/down.conf", S);
	snprintf(extra, sizeof extra, "migrations_dir = %s/mig3\nmysql_db = yichuang_install2\n"
	    "mysql_socket = %s/run/no-such.sock", S, S);
	write_conf(conf5, extra);
	snprintf(cmd, sizeof cmd, "'%s/usr/bin/yichuang-admin' -c '%s' migrate", R, conf5);
	assert_int_equal(proc_run(out, sizeof out, "%s", cmd), 4);
	assert_non_null(strstr(out, "cannot connect to MariaDB"));
	snprintf(extra, sizeof extra, "migrations_dir = %s/no-such-folder", S);
	write_conf(conf5, extra);
	assert_int_equal(proc_run(out, sizeof out, "%s", cmd), 2);
	assert_non_null(strstr(out, "no-such-folder"));
}

SUITE_MAIN("install", setup, teardown)
