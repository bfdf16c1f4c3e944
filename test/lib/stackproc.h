/*
 * stackproc.h — processes around the test stack, for the integration tests that take them away
 * and bring them back: the stack's own services (their pid files), workers the test starts
 * itself with a configuration of its own, and the fake SMS provider (test/fake/provider.mjs).
 *
 * Everything a test starts here is its child: a test binary that is killed (ops/test.sh's
 * time limit kills its whole process group) takes its workers and fakes with it.
 */
#ifndef YC_TEST_STACKPROC_H
#define YC_TEST_STACKPROC_H

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* The test stack's instance name (YICHUANG_INSTANCE, default "test"). */
const char *test_instance(void);
void	 pause_ms(int ms);
/* The pid in var/<instance>/run/<name>.pid ("app", "worker", "redis", "mariadb", "nginx"),
 * or 0 when there is none. */
int	 stack_pid(const char *name);
/* The process runs and is not a zombie (a zombie nobody reaps counts as gone). */
int	 pid_alive(int pid);

/* Stop the stack's own worker (SIGTERM, waits up to 15 s), so that only the test's own
 * workers take outbox rows; stack_worker_back() starts it again (ops/stack.sh app-start,
 * which starts only what is not running).  0 or -1. */
int	 stack_worker_away(void);
int	 stack_worker_back(void);

/* A worker of the test's own: var/<instance>/yichuang.conf with the lines of extra appended
 * (the last value of a key wins) written to var/<instance>/<tag>.conf, logging to
 * var/<instance>/log/<tag>-worker.log.  Its pid, or -1 when it did not start. */
pid_t	 worker_spawn(const char *tag, const char *extra);
/* Send sig (SIGTERM: finish the job; SIGKILL: as if the machine died) and reap it. */
void	 worker_end(pid_t pid, int sig);

/* The fake provider, on port (0: any free port).  Credentials and scenarios: the top of
 * test/fake/provider.mjs; PROVIDER_CONF below are the lines a worker needs to use it. */
struct fake {
	pid_t	 pid;
	int	 in;		/* its stdin: closing it ends the fake */
	int	 out;		/* its stdout: "held OUTID" lines (scenario 0006) */
	int	 port;
};
#define PROVIDER_CONF \
	"sms_access_key_id = testId\n" \
	"sms_access_key_secret = testSecret\n" \
	"tencent_secret_id = AKIDnotifytest\n" \
	"tencent_secret_key = notify-test-key\n" \
	"tencent_sdk_app_id = 1400000001\n" \
	"sms_sign_name = 一窗政务\n"
int	 fake_open(struct fake *f, int port);
/* Another fake of test/fake/ by the same rules ("test/fake/wechat.mjs"). */
int	 fake_open_as(struct fake *f, const char *script, int port);
void	 fake_close(struct fake *f);
/* A test control (GET /__stats, POST /__reset, /__down, /__up): the reply (new reference)
 * or NULL. */
json_t	*fake_call(const struct fake *f, const char *method, const char *path);
/* The same with a body (POST /__callbacks …; NULL: none). */
json_t	*fake_send(const struct fake *f, const char *method, const char *path, const char *body);
/* Requests the fake received for one outbox id (OutId / SessionContext), and how many of
 * them it accepted and "sent" (delivered). */
int	 fake_requests(json_t *stats, uint64_t id);
int	 fake_delivered(json_t *stats, uint64_t id);
/* Wait up to timeout_ms for the fake's next "held OUTID" line; the id, or 0. */
uint64_t fake_held(struct fake *f, int timeout_ms);

#endif
