/*
 * log.c — event and access logs (see log.h).  Each line is written with one write(2) so
 * lines from many threads and processes never interleave.
 */
#include "log.h"
#include "clock.h"
#include "util.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int access_fd = -1;

void
log_open_access(const char *path)
{
	if (path == NULL || *path == '\0')
		return;
	access_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (access_fd < 0)
		log_err("cannot open access log %s", path);
}

static void
stamp(char *out, size_t osz)
{
	struct timespec ts;
	struct tm tm;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = ts.tv_sec + 8 * 3600;	/* logs read in the hall's zone */
	gmtime_r(&t, &tm);
	snprintf(out, osz, "%04d-%02d-%02dT%02d:%02d:%02d.%03ld+08:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    ts.tv_nsec / 1000000);
}

void
log_msg(const char *level, const char *func, const char *f, ...)
{
	char line[1024], ts[64];
	va_list ap;
	int n, m;

	stamp(ts, sizeof ts);
	n = snprintf(line, sizeof line, "%s [%d] %s %s: ", ts, (int)getpid(), level, func);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	va_start(ap, f);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, f, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 2)	/* cut: never inside a character */
		n = (int)utf8_cut(line, sizeof line - 2, SIZE_MAX, sizeof line - 2);
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

/* Per thread: the lines not written yet (see log.h). */
static _Thread_local struct {
	int	buffered;
	size_t	len;
	int64_t	first;		/* mono_ms() of the oldest line waiting */
	char	buf[8192];
} acc;

void
log_access_buffered(int on)
{
	acc.buffered = on;
}

int
log_access_pending(void)
{
	return acc.len > 0;
}

void
log_access_flush(void)
{
	if (acc.len > 0 && access_fd >= 0)
		(void)!write(access_fd, acc.buf, acc.len);	/* whole lines: O_APPEND keeps them apart */
	acc.len = 0;
}

void
log_access(const char *method, const char *route, int status, long ms)
{
	char line[512], ts[64];
	int64_t now;
	int n;

	if (access_fd < 0)
		return;
	stamp(ts, sizeof ts);
	n = snprintf(line, sizeof line, "%s %s %s %d %ldms\n", ts, method, route, status, ms);
	if (n <= 0 || (size_t)n >= sizeof line)
		return;
	if (!acc.buffered) {
		(void)!write(access_fd, line, (size_t)n);
		return;
	}
	now = mono_ms();
	if (acc.len + (size_t)n > sizeof acc.buf)
		log_access_flush();
	if (acc.len == 0)
		acc.first = now;
	memcpy(acc.buf + acc.len, line, (size_t)n);
	acc.len += (size_t)n;
	if (now - acc.first >= 1000)
		log_access_flush();
}
