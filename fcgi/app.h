/*
 * app.h — start-up hooks shared by the app, the worker and the tests.
 */
#ifndef YC_APP_H
#define YC_APP_H

struct FCGX_Request;
struct ctx;

/* Once per program, before any fork: config checks, clock, libraries, scripts. 0 or -1. */
int	app_init_global(void);
/* Once per process after fork. */
void	app_init_process(void);
void	app_fini_process(void);

/*
 * The process is shutting down (SIGTERM): handlers that wait on purpose (the board's long
 * poll) check this and answer at once.  Set by fcgi/bin/app.c.
 */
void	app_request_stop(void);
int	app_stop_requested(void);

#endif
