/*
 * log.h — one line per event on stderr (the stack script sends it to var/<instance>/log/),
 * and the access log: one line per request with time, method, route pattern, status and
 * milliseconds.  Nothing personal goes into either: callers log ids and codes, never phone
 * numbers, ID numbers, tokens or SMS codes.
 */
#ifndef YC_LOG_H
#define YC_LOG_H

void	log_open_access(const char *path);
void	log_msg(const char *level, const char *func, const char *f, ...)
	    __attribute__((format(printf, 3, 4)));
void	log_access(const char *method, const char *route, int status, long ms);
/*
 * A thread that calls log_access_buffered(1) collects its access lines and writes them
 * together: when 8 KiB are waiting, when the oldest is a second old at the next line, or
 * when it calls log_access_flush() (its idle wait wakes for that: log_access_pending()).
 * Threads that do not ask write each line at once.
 */
void	log_access_buffered(int on);
int	log_access_pending(void);
void	log_access_flush(void);

#define log_info(...) log_msg("info", __func__, __VA_ARGS__)
#define log_warn(...) log_msg("warn", __func__, __VA_ARGS__)
#define log_err(...)  log_msg("error", __func__, __VA_ARGS__)

#endif
