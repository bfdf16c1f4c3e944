/*
 * log.c — the event log and the access log (see log.h).
 *
 * Each line is written with one write(2) and O_APPEND, so lines from many threads and
 * processes never interleave.  In async mode (the app's processes) request threads only copy
 * their line into a ring buffer under a mutex — no system call, no disk — and one writer
 * thread per process empties the rings every LOG_WRITE_MS, or sooner when one is a quarter
 * full.  A full ring drops the new line; a write the disk refuses (ENOSPC, EIO, a pipe with
 * no reader) loses what it carried.  Both are counted (yichuang_log_lines_dropped_total) and
 * reported on the event log by the writer as soon as that takes a line again — never by a
 * request waiting.
 */
#include "log.h"
#include "clock.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_RING_BYTES	(1024 * 1024)	/* per stream and process: seconds of a busy hall */
#define LOG_CHUNK	(64 * 1024)	/* the most one write(2) carries */
#define LOG_WRITE_MS	200

static const char *const stream_names[LOG__MAX] = { "event", "access" };

static int fds[LOG__MAX] = { STDERR_FILENO, -1 };
static char paths[LOG__MAX][512];
static void (*on_dropped)(int stream, uint64_t lines);	/* log_on_dropped */

void
log_on_dropped(void (*fn)(int stream, uint64_t lines))
{
	on_dropped = fn;
}

struct ring {
	char		*buf;
	size_t		 head, len;
	uint64_t	 lost;		/* lines lost since the last notice */
	char		 why[64];	/* and the latest reason */
	int		 broken;	/* the last write ended inside a line */
};

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv, done_cv;
	pthread_t	 tid;
	int		 on, stop, done, waiting;
	atomic_int	 reopen;
	struct ring	 r[LOG__MAX];
} aq = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER,
	.done_cv = PTHREAD_COND_INITIALIZER };

/* ------------------------------------------------------------------ files */

/* Open path for appending and put it on descriptor *fd (dup2 keeps the number, so stderr
 * stays stderr for whatever else writes there).  0 or -1 with errno. */
static int
open_on(const char *path, int *fd)
{
	int nfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);

	if (nfd < 0)
		return -1;
	/* O_NONBLOCK only so that opening a FIFO never waits for a reader; writes block
	 * (they happen on the writer thread in the app). */
	(void)fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) & ~O_NONBLOCK);
	if (*fd < 0) {
		*fd = nfd;
		return 0;
	}
	if (dup2(nfd, *fd) < 0) {
		int e = errno;

		close(nfd);
		errno = e;
		return -1;
	}
	close(nfd);
	return 0;
}

static void
open_stream(int s, const char *path)
{
	if (path == NULL || *path == '\0')
		return;
	str_copy(paths[s], sizeof paths[s], path);
	if (open_on(paths[s], &fds[s]) != 0)
		log_err("cannot open the %s log %s: %s", stream_names[s], path, strerror(errno));
}

void
log_open_access(const char *path)
{
	open_stream(LOG_ACCESS, path);
}

void
log_open_error(const char *path)
{
	open_stream(LOG_EVENT, path);
}

static void
reopen_all(void)
{
	int s;

	for (s = 0; s < LOG__MAX; s++)
		if (paths[s][0] && open_on(paths[s], &fds[s]) != 0)
			log_err("cannot reopen the %s log %s: %s (still writing to the old file)",
			    stream_names[s], paths[s], strerror(errno));
}

/* ------------------------------------------------------------------ writing */

static uint64_t
count_lines(const char *p, size_t n)
{
	uint64_t k = 0;

	while (n > 0) {
		const char *nl = memchr(p, '\n', n);

		if (nl == NULL)
			break;
		k++;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	return k;
}

/* Lines lost on stream s (aq.mu held). */
static void
lost(int s, uint64_t lines, const char *why)
{
	if (lines == 0)
		return;
	aq.r[s].lost += lines;
	str_copy(aq.r[s].why, sizeof aq.r[s].why, why);
	if (on_dropped)
		on_dropped(s, lines);
}

/*
 * Write all of p to stream s (the writer thread, or a program without one).  Returns the
 * lines the file refused, with the reason in why.  A write that stopped inside a line
 * leaves that line cut: the next write starts on a new line, so every later line is whole.
 */
static uint64_t
write_all(int s, const char *p, size_t n, char *why, size_t wsz)
{
	struct ring *r = &aq.r[s];

	if (fds[s] < 0)
		return 0;
	if (r->broken) {
		if (write(fds[s], "\n", 1) != 1) {
			str_copy(why, wsz, strerror(errno));
			return count_lines(p, n);
		}
		r->broken = 0;
	}
	while (n > 0) {
		ssize_t w = write(fds[s], p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			str_copy(why, wsz, w < 0 ? strerror(errno) : "short write");
			return count_lines(p, n);
		}
		r->broken = p[w - 1] != '\n';
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Say on the event log how many lines of stream s were lost, and why (aq.mu held; released
 * while writing).  Tried at every turn of the writer until the event log takes the whole
 * line, so each process reports its losses as soon as the disk has room again, whether or not
 * it has new lines to write.
 */
static void
report_lost(int s)
{
	char line[256], ts[64], why[64];
	uint64_t n_lost = aq.r[s].lost;
	int cut = aq.r[LOG_EVENT].broken, n;
	ssize_t w;

	if (n_lost == 0 || fds[LOG_EVENT] < 0)
		return;
	str_copy(why, sizeof why, aq.r[s].why);
	pthread_mutex_unlock(&aq.mu);
	time_format(real_ms() / 1000, ts, sizeof ts);
	n = snprintf(line, sizeof line, "%s%s [%d] warn log: %llu %s log lines were not written"
	    " (%s)\n", cut ? "\n" : "", ts, (int)getpid(), (unsigned long long)n_lost,
	    stream_names[s], why);
	w = n > 0 && (size_t)n < sizeof line ? write(fds[LOG_EVENT], line, (size_t)n) : -1;
	pthread_mutex_lock(&aq.mu);
	if (w == n) {
		aq.r[s].lost -= n_lost;		/* more may have been lost meanwhile */
		aq.r[LOG_EVENT].broken = 0;
	} else if (w > 0)
		aq.r[LOG_EVENT].broken = 1;	/* cut: the next event line starts afresh */
}

/*
 * Take up to LOG_CHUNK bytes of whole lines out of ring r into out; aq.mu held.  The ring
 * holds whole lines only, so a chunk that would end inside one stops after the line before
 * it: a chunk boundary never cuts a line (write_all would take it for a cut write and start
 * the rest on a new line).
 */
static size_t
ring_take(struct ring *r, char *out)
{
	size_t n = r->len < LOG_CHUNK ? r->len : LOG_CHUNK, first;

	first = LOG_RING_BYTES - r->head;
	if (first > n)
		first = n;
	memcpy(out, r->buf + r->head, first);
	memcpy(out + first, r->buf, n - first);
	if (n < r->len) {
		const char *nl = memrchr(out, '\n', n);

		if (nl != NULL)
			n = (size_t)(nl - out) + 1;
	}
	r->head = (r->head + n) % LOG_RING_BYTES;
	r->len -= n;
	return n;
}

static void *
writer_main(void *arg)
{
	static char chunk[LOG_CHUNK];
	char why[64];
	int s, more;

	(void)arg;
	pthread_mutex_lock(&aq.mu);
	for (;;) {
		if (!aq.stop && !atomic_load(&aq.reopen)) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += LOG_WRITE_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			aq.waiting = 1;
			pthread_cond_timedwait(&aq.cv, &aq.mu, &ts);
			aq.waiting = 0;
		}
		if (atomic_exchange(&aq.reopen, 0)) {
			pthread_mutex_unlock(&aq.mu);
			reopen_all();
			pthread_mutex_lock(&aq.mu);
		}
		do {
			more = 0;
			for (s = 0; s < LOG__MAX; s++) {
				uint64_t refused;
				size_t n;

				if (aq.r[s].len == 0)
					continue;
				n = ring_take(&aq.r[s], chunk);
				pthread_mutex_unlock(&aq.mu);
				refused = write_all(s, chunk, n, why, sizeof why);
				pthread_mutex_lock(&aq.mu);
				if (refused)
					lost(s, refused, why);
				more |= aq.r[s].len > 0;
			}
		} while (more && !aq.stop);
		for (s = 0; s < LOG__MAX; s++)
			report_lost(s);
		if (aq.stop && aq.r[LOG_EVENT].len == 0 && aq.r[LOG_ACCESS].len == 0)
			break;
	}
	aq.done = 1;
	pthread_cond_broadcast(&aq.done_cv);
	pthread_mutex_unlock(&aq.mu);
	return NULL;
}

void
log_async_start(void)
{
	int s;

	if (aq.on)
		return;
	for (s = 0; s < LOG__MAX; s++) {
		free(aq.r[s].buf);
		memset(&aq.r[s], 0, sizeof aq.r[s]);
		if ((aq.r[s].buf = malloc(LOG_RING_BYTES)) == NULL)
			return;
	}
	aq.stop = aq.done = 0;
	if (pthread_create(&aq.tid, NULL, writer_main, NULL) != 0) {
		log_err("no log writer thread: lines are written by the requests");
		return;
	}
	aq.on = 1;
}

void
log_async_stop(int wait_ms)
{
	struct timespec ts;
	int done;

	if (!aq.on)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&aq.mu);
	aq.stop = 1;
	pthread_cond_signal(&aq.cv);
	while (!aq.done)
		if (pthread_cond_timedwait(&aq.done_cv, &aq.mu, &ts) == ETIMEDOUT)
			break;
	done = aq.done;
	pthread_mutex_unlock(&aq.mu);
	if (!done) {
		/* The file does not take what is left (a stalled disk): leave the writer
		 * where it is, keep new lines in memory, and let the process end. */
		pthread_detach(aq.tid);
		return;
	}
	pthread_join(aq.tid, NULL);
	aq.on = 0;
}

void
log_reopen(void)
{
	if (!aq.on) {
		reopen_all();
		return;
	}
	atomic_store(&aq.reopen, 1);
	pthread_mutex_lock(&aq.mu);
	pthread_cond_signal(&aq.cv);
	pthread_mutex_unlock(&aq.mu);
}

/* One whole line for stream s: into the ring (async), or straight to the file. */
static void
emit(int s, const char *line, size_t n)
{
	struct ring *r = &aq.r[s];
	size_t tail, first;

	if (!aq.on) {
		char why[64];

		if (write_all(s, line, n, why, sizeof why) > 0)
			if (on_dropped)
				on_dropped(s, 1);
		return;
	}
	pthread_mutex_lock(&aq.mu);
	if (r->len + n > LOG_RING_BYTES) {
		lost(s, 1, "log buffer full");
		pthread_mutex_unlock(&aq.mu);
		return;
	}
	tail = (r->head + r->len) % LOG_RING_BYTES;
	first = LOG_RING_BYTES - tail;
	if (first > n)
		first = n;
	memcpy(r->buf + tail, line, first);
	memcpy(r->buf, line + first, n - first);
	r->len += n;
	if (aq.waiting && r->len > LOG_RING_BYTES / 4)
		pthread_cond_signal(&aq.cv);
	pthread_mutex_unlock(&aq.mu);
}

/* ------------------------------------------------------------------ lines */

/*
 * The process id each line carries.  getpid() is a system call each time (glibc keeps no
 * copy), one per access line; this copy is taken once and again in a child after fork
 * (the app's master forks its workers after it has logged).
 */
static atomic_int log_pid_now;
static pthread_once_t log_pid_once = PTHREAD_ONCE_INIT;

static void
log_pid_forked(void)
{
	atomic_store(&log_pid_now, 0);
}

static void
log_pid_hook(void)
{
	pthread_atfork(NULL, NULL, log_pid_forked);
}

static int
log_pid(void)
{
	int p = atomic_load(&log_pid_now);

	if (p == 0) {
		pthread_once(&log_pid_once, log_pid_hook);
		p = (int)getpid();
		atomic_store(&log_pid_now, p);
	}
	return p;
}

void
log_msg(const char *level, const char *func, const char *f, ...)
{
	char line[1024], ts[64];
	va_list ap;
	int n, m;

	time_format_ms(real_ms(), ts, sizeof ts);	/* the machine's time, in the hall's zone */
	n = snprintf(line, sizeof line, "%s [%d] %s %s: ", ts, log_pid(), level, func);
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
	emit(LOG_EVENT, line, (size_t)n);
}

int
log_access_format(const struct access_rec *a, char *out, size_t osz)
{
	char ts[64];
	int n;

	time_format_ms(real_ms(), ts, sizeof ts);	/* the machine's time, in the hall's zone */
	n = snprintf(out, osz, "{\"time\":\"%s\",\"rid\":\"%s\",\"pid\":%d,\"method\":\"%s\","
	    "\"route\":\"%s\",\"status\":%d,\"ms\":%.3f%s%s%s%s%s%s}\n",
	    ts, a->rid ? a->rid : "", log_pid(), a->method, a->route, a->status, a->ms,
	    a->code ? ",\"code\":\"" : "", a->code ? a->code : "", a->code ? "\"" : "",
	    a->role ? ",\"role\":\"" : "", a->role ? a->role : "", a->role ? "\"" : "");
	if (n <= 0 || (size_t)n >= osz)
		return -1;
	return n;
}

void
log_access(const struct access_rec *a)
{
	char line[512];
	int n;

	if (fds[LOG_ACCESS] < 0)
		return;
	if ((n = log_access_format(a, line, sizeof line)) > 0)
		emit(LOG_ACCESS, line, (size_t)n);
}
