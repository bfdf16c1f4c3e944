/*
 * log.h — two logs, one line per record, and nothing personal in either: callers log ids,
 * route patterns and error codes, never phone numbers, ID numbers, tokens or SMS codes.
 *
 *   event log   "<time> [<pid>] <level> <function>: <text>" on stderr, or in the file named
 *               by error_log (configuration) when there is one;
 *   access log  the file named by access_log: one JSON object per request (log_access).
 *
 * The app's processes call log_async_start(): from then on no request thread ever writes to
 * a file.  Lines go into a bounded buffer in memory and one thread per process writes them
 * out, so a slow, stalled or full disk costs a request nothing: when the buffer is full, or
 * the disk refuses the write, lines are dropped and counted (metrics, and an event line as
 * soon as the event log takes one).  Other programs (worker, admin) write each line at once.
 *
 * log_reopen() (the app and the worker call it on SIGHUP) opens both files again by name, so
 * logrotate can move them away: the next line goes to a new file.
 */
#ifndef YC_LOG_H
#define YC_LOG_H

#include <stddef.h>
#include <stdint.h>

enum log_stream { LOG_EVENT, LOG_ACCESS, LOG__MAX };

/* The request as the access log records it.  Every string is a constant of the code (route
 * pattern, method, error code, role) or the request id (letters): nothing needs escaping. */
struct access_rec {
	const char	*rid;		/* request id (X-Request-Id) */
	const char	*method;
	const char	*route;		/* the route pattern, "-" when none matched */
	int		 status;
	double		 ms;		/* time spent in the app */
	const char	*code;		/* error code of a refusal, or NULL */
	const char	*role;		/* the caller's role when signed in, or NULL */
};

void	log_open_access(const char *path);
void	log_open_error(const char *path);
void	log_msg(const char *level, const char *func, const char *f, ...)
	    __attribute__((format(printf, 3, 4)));
void	log_access(const struct access_rec *a);
/* Render one access line (with its newline) into out; its length, or -1 when it does not
 * fit.  Used by log_access and by the tests. */
int	log_access_format(const struct access_rec *a, char *out, size_t osz);

/* Called with the lines dropped on a stream (the metrics count them: metrics_init sets it,
 * so the log, below the metrics, does not call them). */
void	log_on_dropped(void (*fn)(int stream, uint64_t lines));

void	log_async_start(void);
/* Write what is waiting, for at most wait_ms (a stalled disk must not hold up a shutdown),
 * and go back to writing each line at once. */
void	log_async_stop(int wait_ms);
void	log_reopen(void);

#define log_info(...) log_msg("info", __func__, __VA_ARGS__)
#define log_warn(...) log_msg("warn", __func__, __VA_ARGS__)
#define log_err(...)  log_msg("error", __func__, __VA_ARGS__)

#endif
