/*
 * stackproc.c — processes around the test stack (see proc.h).
 */
#include "stackproc.h"
#include "http.h"
#include "../../fcgi/util.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *
test_instance(void)
{
	const char *i = getenv("YICHUANG_INSTANCE");

	return i && *i ? i : "test";
}

void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A decimal number (a pid, a port) from a line, or 0. */
static int
pid_from(char *s)
{
	long long v;

	s[strcspn(s, "\r\n")] = '\0';
	if (parse_ll(s, 2, 1 << 30, &v) != 0)
		return 0;
	return (int)v;
}

int
stack_pid(const char *name)
{
	char path[256], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof path, "var/%s/run/%s.pid", test_instance(), name);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return pid_from(buf);
}

int
pid_alive(int pid)
{
	char path[64], st[512];
	FILE *f;
	char *p;
	int ok = 0;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(st, sizeof st, f) && (p = strrchr(st, ')')) != NULL && p[1] == ' ' &&
	    p[2] != '\0' && p[2] != 'Z')
		ok = 1;
	fclose(f);
	return ok;
}

int
stack_worker_away(void)
{
	int pid = stack_pid("worker"), i;

	if (!pid_alive(pid))
		return 0;
	if (kill(pid, SIGTERM) != 0)
		return -1;
	for (i = 0; i < 150 && pid_alive(pid); i++)
		pause_ms(100);
	return pid_alive(pid) ? -1 : 0;
}

int
stack_worker_back(void)
{
	return stack("app-start") == 0 && pid_alive(stack_pid("worker")) ? 0 : -1;
}

pid_t
worker_spawn(const char *tag, const char *extra)
{
	char src[256], dst[256], bin[256], logp[256], buf[4096];
	const char *build = getenv("YICHUANG_BUILD");
	FILE *in, *out;
	size_t n;
	pid_t pid;

	snprintf(src, sizeof src, "var/%s/yichuang.conf", test_instance());
	snprintf(dst, sizeof dst, "var/%s/%s.conf", test_instance(), tag);
	snprintf(logp, sizeof logp, "var/%s/log/%s-worker.log", test_instance(), tag);
	snprintf(bin, sizeof bin, "%s/yichuang-worker", build && *build ? build : "build");
	if ((in = fopen(src, "r")) == NULL)
		return -1;
	if ((out = fopen(dst, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fprintf(out, "\n# %s (a test's own worker)\n%s\n", tag, extra ? extra : "");
	if (fclose(out) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int fd = open(logp, O_WRONLY | O_APPEND | O_CREAT, 0600);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(bin, bin, "-c", dst, (char *)NULL);
		_exit(127);
	}
	pause_ms(300);		/* a start-up failure shows by now */
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return -1;
	return pid;
}

void
worker_end(pid_t pid, int sig)
{
	if (pid <= 0)
		return;
	kill(pid, sig);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int
fake_open(struct fake *f, int port)
{
	return fake_open_as(f, "test/fake/provider.mjs", port);
}

int
fake_open_as(struct fake *f, const char *script, int port)
{
	int in[2], outp[2];
	char buf[32], portarg[16];
	ssize_t n;
	size_t got = 0;

	memset(f, 0, sizeof *f);
	f->in = f->out = -1;
	/* Close-on-exec: a worker forked later must not hold the fake's pipes open. */
	if (pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	snprintf(portarg, sizeof portarg, "%d", port);
	if ((f->pid = fork()) < 0) {
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		return -1;
	}
	if (f->pid == 0) {
		dup2(in[0], 0);		/* dup2 clears close-on-exec on 0 and 1 */
		dup2(outp[1], 1);
		execlp("node", "node", script, portarg, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	f->in = in[1];
	f->out = outp[0];
	/* "PORT\n" once it listens: read up to the newline, byte by byte, so that a "held"
	 * line written later stays in the pipe for fake_held. */
	while (got + 1 < sizeof buf && (n = read(f->out, buf + got, 1)) == 1 && buf[got] != '\n')
		got++;
	buf[got] = '\0';
	f->port = pid_from(buf);
	if (f->port <= 0) {
		fake_close(f);
		return -1;
	}
	return 0;
}

void
fake_close(struct fake *f)
{
	if (f->pid <= 0)
		return;		/* never opened (or closed already) */
	if (f->in >= 0)
		close(f->in);	/* it exits when its stdin closes */
	while (waitpid(f->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (f->out >= 0)
		close(f->out);
	f->pid = 0;
	f->in = f->out = -1;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	buf_add(arg, p, sz * n);
	return sz * n;
}

json_t *
fake_call(const struct fake *f, const char *method, const char *path)
{
	return fake_send(f, method, path, NULL);
}

json_t *
fake_send(const struct fake *f, const char *method, const char *path, const char *body)
{
	CURL *c = curl_easy_init();
	char url[256];
	struct buf b;
	json_t *j = NULL;

	if (c == NULL)
		return NULL;
	buf_init(&b, 16 << 20);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", f->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (curl_easy_perform(c) == CURLE_OK && b.data)
		j = json_loadb(b.data, b.len, 0, NULL);
	curl_easy_cleanup(c);
	buf_free(&b);
	return j;
}

static int
count_for(json_t *stats, uint64_t id, int delivered_only)
{
	char want[24];
	const char *got;
	json_t *r;
	size_t i;
	int n = 0;

	snprintf(want, sizeof want, "%llu", (unsigned long long)id);
	json_array_foreach(json_object_get(stats, "requests"), i, r) {
		got = json_string_value(json_object_get(r, "out_id"));
		if (got && strcmp(got, want) == 0 &&
		    (!delivered_only || json_is_true(json_object_get(r, "delivered"))))
			n++;
	}
	return n;
}

int
fake_requests(json_t *stats, uint64_t id)
{
	return count_for(stats, id, 0);
}

int
fake_delivered(json_t *stats, uint64_t id)
{
	return count_for(stats, id, 1);
}

uint64_t
fake_held(struct fake *f, int timeout_ms)
{
	char line[64];
	size_t got = 0;
	int64_t end = now_ms() + timeout_ms;
	struct pollfd p = { f->out, POLLIN, 0 };
	long long id;
	ssize_t n;

	while (got + 1 < sizeof line) {
		int left = (int)(end - now_ms());

		if (left <= 0 || poll(&p, 1, left) != 1)
			return 0;
		if ((n = read(f->out, line + got, 1)) != 1)
			return 0;
		if (line[got] == '\n')
			break;
		got++;
	}
	line[got] = '\0';
	if (strncmp(line, "held ", 5) != 0 || parse_ll(line + 5, 1, INT64_MAX, &id) != 0)
		return 0;
	return (uint64_t)id;
}
