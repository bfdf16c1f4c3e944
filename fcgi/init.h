/*
 * init.h — start-up hooks shared by the app, the worker and the tests.
 */
#ifndef YC_INIT_H
#define YC_INIT_H

struct FCGX_Request;
struct ctx;

/* Once per program, before any fork: config checks, clock, libraries, scripts. 0 or -1. */
int	app_init_global(void);
/*
 * The app and the worker, after app_init_global: what the installation must provide, so a
 * broken one stops at start with a message naming the configuration key rather than fail
 * request by request.  Every migration of migrations_dir must be applied (this release's code uses what they add: run
 * yichuang-admin migrate first).  A MariaDB that cannot be reached does not stop the start
 * (the API answers 503 until it is back): the schema is then not checked, and it says so.
 * 0, or -1 after logging why.
 */
int	app_check_install(void);
/* One request taken on a thread of the app: parse, route, handle, reply, log (serve.c). */
void	app_handle(struct FCGX_Request *fx, struct ctx *ctx);

/* The app's processes and glibc's allocator (memory.c): started again once without the
 * per-thread caches; a fixed mmap threshold; malloc_trim every APP_MEMORY_TRIM_S. */
#define APP_MEMORY_TRIM_S 10
void	app_malloc_tunables(char **argv);
void	app_memory_settings(void);

/* Once per process after fork. */
void	app_init_process(void);
void	app_fini_process(void);

/*
 * The process is shutting down (SIGTERM): handlers that wait on purpose (the board's long
 * poll) check this and answer at once.  Set by programs/app.c.
 */
void	app_request_stop(void);
int	app_stop_requested(void);

#endif
