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

#define log_info(...) log_msg("info", __func__, __VA_ARGS__)
#define log_warn(...) log_msg("warn", __func__, __VA_ARGS__)
#define log_err(...)  log_msg("error", __func__, __VA_ARGS__)

#endif
