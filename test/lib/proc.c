/*
 * proc.c — see proc.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "proc.h"
#include "stackproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPAWNED 64

static pid_t spawned[MAX_SPAWNED];
static int nspawned;

static int
status_of(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

static int
vrun(char *out, size_t osz, const char *fmt, va_list ap)
{
	char body[8192], cmd[8212];
	size_t len = 0, n;
	FILE *p;
	int st;

	if (vsnprintf(body, sizeof body, fmt, ap) >= (int)sizeof body)
		return -1;
	snprintf(cmd, sizeof cmd, "{ %s\n} 2>&1", body);
	if (out && osz)
		out[0] = '\0';
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	for (;;) {
		char buf[4096];

		if ((n = fread(buf, 1, sizeof buf, p)) == 0)
			break;
		if (out && len + 1 < osz) {
			size_t k = n < osz - 1 - len ? n : osz - 1 - len;

			memcpy(out + len, buf, k);
			len += k;
			out[len] = '\0';
		}
	}
	st = pclose(p);
	return st < 0 ? -1 : status_of(st);
}

void
proc_temp_file(const char *tag, const void *p, size_t n, const char *suffix, char out[64])
{
	FILE *f;
	int fd;

	snprintf(out, 64, "/tmp/%s_XXXXXX%s", tag, suffix);
	fd = mkstemps(out, (int)strlen(suffix));
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

int
proc_admin(const char *args, const char *input, char *out, size_t osz)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "%s/yichuang-admin -c var/%s/yichuang.conf %s", proc_build(),
	    test_instance(), args);
	return proc_pipe(cmd, input, out, osz);
}

void
proc_run_ok(char *out, size_t osz, const char *cmd)
{
	int rc = proc_run(out, osz, "%s", cmd);

	if (rc != 0)
		fprintf(stderr, "%s\n-> exit %d\n%s\n", cmd, rc, out);
	assert_int_equal(rc, 0);
}

int
proc_pipe(const char *cmd, const char *input, char *out, size_t osz)
{
	char full[4800], tmp[600];
	FILE *p;
	size_t n;
	int st;

	snprintf(tmp, sizeof tmp, "%s/pipe-%ld.out", proc_var(), (long)getpid());
	if (snprintf(full, sizeof full, "(%s) > '%s' 2>&1%s", cmd, tmp,
	    input ? "" : " </dev/null") >= (int)sizeof full)
		return -1;
	if ((p = popen(full, "w")) == NULL)
		return -1;
	if (input)
		fputs(input, p);
	st = pclose(p);
	if (out && osz) {
		FILE *f = fopen(tmp, "r");

		out[0] = '\0';
		if (f) {
			n = fread(out, 1, osz - 1, f);
			out[n] = '\0';
			fclose(f);
		}
	}
	unlink(tmp);
	return st < 0 ? -1 : status_of(st);
}

int
proc_run(char *out, size_t osz, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vrun(out, osz, fmt, ap);
	va_end(ap);
	return rc;
}

pid_t
proc_spawn(const char *const *argv, const char *cwd, const char *const *env,
    const char *log)
{
	pid_t pid;

	if (nspawned == MAX_SPAWNED)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);

		setsid();
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
			dup2(fd, 0);
			close(fd);
		}
		for (; env && *env; env++)
			putenv((char *)*env);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	spawned[nspawned++] = pid;
	{
		char path[600];
		FILE *f;

		snprintf(path, sizeof path, "%s/spawned.pids", proc_var());
		if ((f = fopen(path, "a")) != NULL) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
	}
	return pid;
}

int
proc_wait(pid_t pid, int ms)
{
	int st, i;

	for (i = 0; i <= ms / 20; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid) {
			int k;

			for (k = 0; k < nspawned; k++)
				if (spawned[k] == pid)
					spawned[k] = 0;
			return status_of(st);
		}
		if (r < 0)
			return -1;
		usleep(20 * 1000);
	}
	return -1;
}

int
proc_stop(pid_t pid, int ms)
{
	int rc;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	if ((rc = proc_wait(pid, ms)) >= 0)
		return rc;
	kill(-pid, SIGKILL);	/* its session's group: a master and its workers */
	kill(pid, SIGKILL);
	return proc_wait(pid, 5000);
}

void
proc_stop_all(void)
{
	int i;

	char path[600];

	for (i = nspawned - 1; i >= 0; i--)
		if (spawned[i] > 0)
			proc_stop(spawned[i], 15000);
	nspawned = 0;
	snprintf(path, sizeof path, "%s/spawned.pids", proc_var());
	unlink(path);
}

void
proc_stop_stale(const char *scratch)
{
	char path[600], line[64], cmd[4096];
	FILE *f, *c;
	size_t n, i;

	snprintf(path, sizeof path, "%s/spawned.pids", proc_var());
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f)) {
		long pid = strtol(line, NULL, 10);
		char proc[64];

		if (pid <= 1)
			continue;
		snprintf(proc, sizeof proc, "/proc/%ld/cmdline", pid);
		if ((c = fopen(proc, "r")) == NULL)
			continue;
		n = fread(cmd, 1, sizeof cmd - 1, c);
		fclose(c);
		for (i = 0; i < n; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		cmd[n] = '\0';
		if (strstr(cmd, scratch) == NULL)
			continue;	/* the pid is someone else's now */
		fprintf(stderr, "stopping process %ld left by an earlier run\n", pid);
		kill(-(pid_t)pid, SIGKILL);
		kill((pid_t)pid, SIGKILL);
	}
	fclose(f);
	unlink(path);
	usleep(200 * 1000);
}


const char *
proc_var(void)
{
	static char path[512];
	char cwd[400];

	if (path[0] == '\0' && getcwd(cwd, sizeof cwd) != NULL)
		snprintf(path, sizeof path, "%s/var/%s", cwd, test_instance());
	return path;
}

const char *
proc_build(void)
{
	const char *b = getenv("YICHUANG_BUILD");

	return b && *b ? b : "build";
}

const char *
stack_conf(const char *key)
{
	static char val[16][512];
	static int next;
	char path[600], line[1024];
	size_t kl = strlen(key);
	char *v = val[next++ % 16];
	FILE *f;

	v[0] = '\0';
	snprintf(path, sizeof path, "%s/yichuang.conf", proc_var());
	if ((f = fopen(path, "r")) == NULL)
		return v;
	while (fgets(line, sizeof line, f)) {
		char *p = line;

		if (strncmp(p, key, kl) != 0)
			continue;
		p += kl;
		p += strspn(p, " \t");
		if (*p != '=')
			continue;
		p++;
		p += strspn(p, " \t");
		p[strcspn(p, "\r\n")] = '\0';
		snprintf(v, 512, "%s", p);	/* the last one counts, as in config.c */
	}
	fclose(f);
	return v;
}

int
dba_sql(const char *db, char *out, size_t osz, const char *fmt, ...)
{
	char sql[6000], file[600];
	va_list ap;
	FILE *f;
	int rc;

	va_start(ap, fmt);
	rc = vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	if (rc < 0 || rc >= (int)sizeof sql)
		return -1;
	/* Through a file: no quoting of the SQL through the shell. */
	snprintf(file, sizeof file, "%s/dba-%d.sql", proc_var(), (int)getpid());
	if ((f = fopen(file, "w")) == NULL)
		return -1;
	fputs(sql, f);
	fclose(f);
	rc = proc_run(out, osz, "mariadb --no-defaults --socket='%s' -u'%s' "
	    "--default-character-set=utf8mb4 --batch --skip-column-names %s < '%s'",
	    stack_conf("mysql_socket"), *stack_conf("migrate_user") ? stack_conf("migrate_user") :
	    "root", db ? db : "", file);
	unlink(file);
	if (out && osz) {
		size_t n = strlen(out);

		while (n > 0 && out[n - 1] == '\n')
			out[--n] = '\0';
	}
	return rc;
}

int
notify_open(const char *path)
{
	struct sockaddr_un sa;
	int fd, on = 1;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, strlen(path));
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	chmod(path, 0666);
	return fd;
}

int
notify_recv(int fd, char *out, size_t osz, pid_t *pid, int ms)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = { out, osz - 1 };
	struct msghdr m;
	struct cmsghdr *c;
	ssize_t n;

	*pid = 0;
	if (poll(&pf, 1, ms) != 1)
		return -1;
	memset(&m, 0, sizeof m);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.b;
	m.msg_controllen = sizeof ctl.b;
	if ((n = recvmsg(fd, &m, 0)) < 0)
		return -1;
	out[n] = '\0';
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(c), sizeof u);
			*pid = u.pid;
		}
	return 0;
}

int
notify_wait(int fd, const char *want, pid_t pid, int ms)
{
	struct timespec t0, t;
	char msg[1024];
	pid_t from;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long left;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return -1;
		if (notify_recv(fd, msg, sizeof msg, &from, (int)left) != 0)
			return -1;
		if (from == pid && strstr(msg, want) != NULL)
			return 0;
		fprintf(stderr, "notify: \"%s\" from pid %d (waiting for \"%s\" from %d)\n", msg,
		    (int)from, want, (int)pid);
	}
}
