/*
 * proc.h — programs and processes for the tests that run yichuang's programs themselves
 * (it_install, it_upgrade): commands with their output and exit status, servers started in
 * the background and stopped again, the test stack's MariaDB as its superuser, and the
 * systemd notification socket a Type=notify service would talk to.
 */
#ifndef YC_TEST_PROC_H
#define YC_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Run cmd with sh -c, stdout and stderr together into out (cut to osz).  Exit status, or
 * 128 + signal, or -1. */
int	proc_run(char *out, size_t osz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Run cmd with sh, input (NULL: none, /dev/null) on its standard input, its standard output
 * and error together into out (cut to osz; may be NULL).  Exit status, or -1. */
int	proc_pipe(const char *cmd, const char *input, char *out, size_t osz);
/* proc_run of cmd that must exit 0: its output is printed when it does not. */
void	proc_run_ok(char *out, size_t osz, const char *cmd);
/* The built yichuang-admin on the test stack's configuration with args, input on its
 * standard input (NULL: none), its output into out: proc_pipe's exit status. */
int	proc_admin(const char *args, const char *input, char *out, size_t osz);
/* n bytes into a new file /tmp/<tag>_XXXXXX<suffix>; its name into out (64). */
void	proc_temp_file(const char *tag, const void *p, size_t n, const char *suffix,
	    char out[64]);
/* Start argv[0] (a path) in the background: in cwd (NULL: here), with env ("K=V" strings
 * added to this process's environment, NULL-terminated, may be NULL), output appended to
 * log.  Its pid, or -1.  Every process started so is stopped by proc_stop_all(). */
pid_t	proc_spawn(const char *const *argv, const char *cwd, const char *const *env,
	    const char *log);
/* Wait up to ms for pid to exit: its exit status (128 + signal when killed), or -1 while
 * it still runs. */
int	proc_wait(pid_t pid, int ms);
/* SIGTERM, wait up to ms, then SIGKILL: the exit status as proc_wait. */
int	proc_stop(pid_t pid, int ms);
void	proc_stop_all(void);
/* Kill what an earlier run of a test left running (it crashed before proc_stop_all): the
 * process groups it recorded in var/<inst>/spawned.pids whose command line still names the
 * test's scratch folder (never the stack's own servers, whatever pid they reuse). */
void	proc_stop_stale(const char *scratch);

/* Its folder var/<inst> as an absolute path (test_instance(), stackproc.h, names it). */
const char *proc_var(void);
/* The build folder under test (YICHUANG_BUILD, default build). */
const char *proc_build(void);
/* SQL as the test stack's database superuser (its migrate_user over its unix socket), on
 * database db (NULL: none): the rows, tab-separated, one per line, into out.  Exit status of
 * the mariadb client. */
int	dba_sql(const char *db, char *out, size_t osz, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* The value of key in the test stack's yichuang.conf (static storage; "" when absent). */
const char *stack_conf(const char *key);

/* A systemd notification socket (SOCK_DGRAM, credentials passed) bound at path. fd or -1. */
int	notify_open(const char *path);
/* The next datagram within ms: its text into out, the sender's pid into *pid.  0 or -1. */
int	notify_recv(int fd, char *out, size_t osz, pid_t *pid, int ms);
/* Wait up to ms for a datagram containing want (e.g. "READY=1") from pid; others are
 * skipped.  0 or -1. */
int	notify_wait(int fd, const char *want, pid_t pid, int ms);

#endif
