/*
 * app.c — the FastCGI application: a master process that forks workers, each running a
 * fixed pool of threads that accept on the shared unix socket.
 *
 * The master only watches: a worker that dies (a crash, kill -9) is replaced, and SIGTERM
 * is passed on to the workers, which finish the requests in flight and exit.
 *
 * Shutdown has a trap: libfcgi's accept loop retries on EINTR unless the request was
 * initialised with FCGI_FAIL_ACCEPT_ON_INTR, and the process-wide signal disposition it
 * installs only sets a flag.  So each worker blocks the signals in every thread, one thread
 * waits for them with sigwait(), and then pokes the idle threads (those inside accept) with
 * SIGUSR2, whose empty handler makes accept fail with EINTR.  A thread busy with a request
 * is never interrupted; it sees the stop flag when it comes back to accept.
 *
 * Two pools.  The API's threads accept on app_socket.  Requests that wait on purpose (the
 * display board's long poll, up to 25 s each) come in on app_board_socket, which nginx routes
 * /api/v1/halls/{hall}/board to, and are served by a second, larger pool (app_board_threads):
 * however many screens hold a request, the API's own threads stay free.  Both pools stop the
 * same way; app_request_stop() also tells a held long poll to answer at once.
 */
#include "../yc.h"
#include "../app.h"
#include "../clock.h"
#include "../config.h"
#include "../ctx.h"
#include "../log.h"

#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256		/* per pool */
#define MAX_PROCS   64

struct worker_thread {
	pthread_t	 tid;
	int		 index;
	int		 fd;		/* the socket this thread accepts on */
	atomic_int	 in_accept;
	atomic_int	 done;
};

static int listen_fd = -1, board_fd = -1;
static atomic_int stopping;
static struct worker_thread threads[2 * MAX_THREADS];
static int nthreads;

static const char *
fx_param(void *arg, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

/* Read exactly the declared body, refusing more than the route allows. */
static int
read_body(struct req *r, FCGX_Request *fx, char **out, size_t *olen)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fx->envp);
	size_t limit = r->route && r->route->body_limit ? r->route->body_limit : REQ_BODY_DEFAULT;
	long long n = 0;
	char *b;
	int got;

	*out = NULL;
	*olen = 0;
	if (cl && *cl && parse_ll(cl, 0, (long long)1 << 40, &n) != 0)
		return req_fail(r, 400, "INVALID_INPUT", "Content-Length 无效");
	if ((size_t)n > limit)
		return req_fail(r, 413, "TOO_LARGE", "请求内容过大");
	if ((b = malloc((size_t)n + 1)) == NULL)
		return req_unavailable(r);
	got = n > 0 ? FCGX_GetStr(b, (int)n, fx->in) : 0;
	if (got != n) {
		free(b);
		return req_fail(r, 400, "INVALID_INPUT", "请求内容不完整");
	}
	b[n] = '\0';
	*out = b;
	*olen = (size_t)n;
	return 0;
}

void
app_handle(FCGX_Request *fx, struct ctx *ctx)
{
	struct req r;
	char *body = NULL;
	size_t blen = 0;
	int64_t t0 = hall_now_ms();

	req_init(&r, ctx);
	r.fx = (struct FCGX_Request *)fx;
	r.t_start_ms = t0;
	if (req_parse_head(&r, fx_param, fx) == 0 &&
	    router_match(&r, routes, nroutes) == 0 &&
	    read_body(&r, fx, &body, &blen) == 0 &&
	    req_parse_body(&r, body, blen, (r.route->flags & RF_RAW_BODY) != 0) == 0)
		router_dispatch(&r);
	else if (body && r.raw_body == NULL)
		free(body);
	if (r.status == 0)
		req_bug(&r, "handler set no status");
	reply_send(&r);
	log_access(r.method_str, r.route ? r.route->pattern : "-", r.status,
	    (long)(hall_now_ms() - t0));
	req_free(&r);
}

static void *
thread_main(void *arg)
{
	struct worker_thread *t = arg;
	FCGX_Request fx;
	struct ctx ctx;

	ctx_init(&ctx, t->index);
	FCGX_InitRequest(&fx, t->fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!atomic_load(&stopping)) {
		int rc;

		atomic_store(&t->in_accept, 1);
		if (atomic_load(&stopping)) {
			atomic_store(&t->in_accept, 0);
			break;
		}
		rc = FCGX_Accept_r(&fx);
		atomic_store(&t->in_accept, 0);
		if (rc < 0) {
			if (atomic_load(&stopping))
				break;
			if (rc == -EINTR || errno == EINTR)
				continue;
			/* A client that went away during accept: keep serving. */
			continue;
		}
		app_handle(&fx, &ctx);
		FCGX_Finish_r(&fx);
	}
	FCGX_Free(&fx, 0);
	ctx_close(&ctx);
	atomic_store(&t->done, 1);
	return NULL;
}

static void
on_usr2(int sig)
{
	(void)sig;
}

/* Runs in one worker process: threads, then wait for a stop signal. */
static int
worker_run(int nthr, int nboard)
{
	sigset_t set;
	struct sigaction sa;
	int i, sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr2;	/* no SA_RESTART: accept must fail with EINTR */
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	app_init_process();
	nthreads = nthr + (board_fd >= 0 ? nboard : 0);
	for (i = 0; i < nthreads; i++) {
		pthread_attr_t attr;

		threads[i].index = i;
		threads[i].fd = i < nthr ? listen_fd : board_fd;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1024 * 1024);
		if (pthread_create(&threads[i].tid, &attr, thread_main, &threads[i]) != 0) {
			log_err("pthread_create failed");
			return 1;
		}
		pthread_attr_destroy(&attr);
	}
	log_info("serving with %d threads (%d for long polls)", nthreads, nthreads - nthr);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP)
			continue;
		break;
	}
	log_info("signal %d: finishing requests in flight", sig);
	atomic_store(&stopping, 1);
	app_request_stop();
	FCGX_ShutdownPending();
	for (;;) {
		int alive = 0;

		for (i = 0; i < nthreads; i++) {
			if (atomic_load(&threads[i].done))
				continue;
			alive++;
			if (atomic_load(&threads[i].in_accept))
				pthread_kill(threads[i].tid, SIGUSR2);
		}
		if (alive == 0)
			break;
		{
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i].tid, NULL);
	app_fini_process();
	log_info("stopped");
	return 0;
}

static volatile sig_atomic_t master_stop;

static void
on_master_signal(int sig)
{
	(void)sig;
	master_stop = 1;
}

static pid_t
spawn(int nthr, int nboard)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		exit(worker_run(nthr, nboard));	/* exit, not _exit: LeakSanitizer checks at exit */
	}
	return pid;
}

/* Listen on a unix socket; nginx workers may run as another user: it must reach it. */
static int
listen_on(const char *sock)
{
	int fd;

	unlink(sock);
	if ((fd = FCGX_OpenSocket(sock, 1024)) < 0) {
		log_err("cannot listen on %s", sock);
		return -1;
	}
	chmod(sock, 0666);
	return fd;
}

static void
usage(void)
{
	fprintf(stderr, "usage: yichuang-app -c CONFIG\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *sock, *bsock;
	pid_t pids[MAX_PROCS];
	int i, nproc, nthr, nboard, ch;
	struct sigaction sa;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch == 'c')
			conf = optarg;
		else
			usage();
	}
	if (conf == NULL || config_load(conf) != 0)
		usage();
	if (app_init_global() != 0)
		return 1;
	nproc = (int)config_int("app_processes", 2, 1, MAX_PROCS);
	nthr = (int)config_int("app_threads", 8, 1, MAX_THREADS);
	nboard = (int)config_int("app_board_threads", 64, 1, MAX_THREADS);
	sock = config_get("app_socket", NULL);
	bsock = config_get("app_board_socket", "");
	if (sock == NULL || *sock == '\0') {
		log_err("app_socket is not configured");
		return 1;
	}

	FCGX_Init();
	if ((listen_fd = listen_on(sock)) < 0)
		return 1;
	log_info("listening on %s: %d processes x %d threads", sock, nproc, nthr);
	if (*bsock) {
		if ((board_fd = listen_on(bsock)) < 0)
			return 1;
		log_info("long polls on %s: %d processes x %d threads", bsock, nproc, nboard);
	}

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_master_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < nproc; i++)
		pids[i] = spawn(nthr, nboard);
	while (!master_stop) {
		int status;
		pid_t dead = waitpid(-1, &status, 0);

		if (dead < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < nproc; i++) {
			if (pids[i] != dead)
				continue;
			if (master_stop)
				break;
			log_warn("worker %d ended (status %d); starting another", (int)dead, status);
			sleep(WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL ? 1 : 0);
			pids[i] = spawn(nthr, nboard);
		}
	}
	for (i = 0; i < nproc; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (i = 0; i < nproc; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
	unlink(sock);
	if (*bsock)
		unlink(bsock);
	log_info("master stopped");
	return 0;
}
