/*
 * app.c — the FastCGI application: a master process that forks workers, each running two
 * fixed pools of threads.
 *
 * The master only watches: a worker that dies (a crash, kill -9) is replaced, and SIGTERM
 * is passed on to the workers, which finish the requests in flight and exit.
 *
 * The API pool keeps nginx's connections.  nginx reuses its FastCGI connections
 * (fastcgi_keep_conn on, upstream keepalive), which saves a socket set-up and tear-down on
 * both sides of every request.  libfcgi on its own would pin a thread to each kept
 * connection, blocked reading it until nginx sends the next request: with more kept
 * connections than threads, a request on a fresh connection would wait in the listen
 * backlog behind idle ones.  So no thread waits on one connection here.  Each worker
 * process has one epoll set holding the listening socket and every connection it accepted,
 * each armed once (EPOLLONESHOT).  One thread waits in that set: it accepts new connections
 * and queues each connection with a request on it, first come first served; the API's
 * threads take descriptors from that queue, hand each to libfcgi (FCGX_Request.ipcFd),
 * answer, and arm it again.  (The API threads used to wait in the set themselves: under
 * overload the kernel puts events that arrive while another thread collects its own ahead of
 * older ones, and a request could wait ten seconds behind newer ones.)  An idle connection
 * costs a descriptor, not a thread.  A connection is only ever closed by nginx (or when the
 * process ends), so nginx never sends a request on a connection the app is closing.
 *
 * The second pool serves requests that wait on purpose: the display board's long poll,
 * which holds a request for up to 25 s, comes in on app_board_socket (nginx routes
 * /api/v1/halls/{hall}/board there, without keep-alive) and is served by a larger pool
 * (app_board_threads) blocked in libfcgi's own accept: however many screens hold a
 * request, the API's threads stay free.
 *
 * Shutdown: each worker blocks the signals in every thread, one thread waits for them with
 * sigwait(), sets the stop flag and pokes the idle threads (inside epoll_wait or accept)
 * with SIGUSR2, whose empty handler makes the wait fail with EINTR (libfcgi's accept needs
 * FCGI_FAIL_ACCEPT_ON_INTR for that).  A thread busy with a request is never interrupted.
 * On the way out the epoll thread queues every request already waiting on its process's
 * connections and the API threads answer them all; app_request_stop() also tells a held
 * long poll to answer at once.
 *
 * Readiness (systemd Type=notify, ops/systemd/yichuang-app.service): each worker process
 * writes one byte to a pipe once its threads run; when every one of the first workers has,
 * the master tells systemd READY=1 (so a unit ordered after this one, or a rolling restart
 * waiting on it, starts only when requests are really served).  A worker that ends before
 * it is ready makes the master stop its others and exit 1, for systemd to start it again.
 *
 * Elsewhere: one request from its parameters to its reply is fcgi/serve.c (app_handle);
 * the allocator's settings are fcgi/memory.c.
 */
#include "../fcgi/yc.h"
#include "../fcgi/init.h"
#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/ctx.h"
#include "../fcgi/log.h"
#include "../fcgi/sdnotify.h"
#include "../fcgi/metrics.h"
#include "assembly.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <fcgiapp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
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
static int ready_fd[2] = { -1, -1 };	/* workers' "my threads run", read by the master */
static int api_epfd = -1;	/* this process's: the listening socket and its kept connections */
static atomic_int stopping;
static struct worker_thread threads[2 * MAX_THREADS + 1];
static int nthreads;

/*
 * Connections with a request waiting, oldest first.  A connection is in the set armed once
 * (EPOLLONESHOT), so it is queued at most once at a time: the ring holds more descriptors
 * than a process can have.
 */
#define READY_MAX 65536

static struct {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 fd[READY_MAX];
	size_t		 head, n;
	int		 closed;	/* stopping: nothing more will be queued */
	int		 idle;		/* API threads waiting for a request */
	int		 listen_out;	/* the listening socket is out of the set (busy) */
	int64_t		 listen_out_ms;	/* since when (mono_ms) */
	int		 listen_force;	/* take the next connection even while busy */
} ready = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, { 0 }, 0, 0, 0, 0, 0, 0, 0 };

/*
 * A busy process leaves new connections to the others, but not for ever: while every
 * process is busy and its queue never runs dry, a connection nginx just opened would wait
 * in the listen backlog (seen: 10 s) while requests on the kept connections, newer than
 * it, were served.  After this long out of the set the listening socket comes back and one
 * connection is taken, busy or not, and queued behind the requests already waiting.
 */
#define LISTEN_OUT_MAX_MS 20

/* Arm a connection (or the listening socket's successor) for its next request. */
static void
api_arm(int fd, int op)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd };

	if (epoll_ctl(api_epfd, op, fd, &ev) == 0)
		return;
	if (op == EPOLL_CTL_MOD && errno == ENOENT && epoll_ctl(api_epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return;
	log_warn("epoll_ctl(%d): %s", fd, strerror(errno));
	close(fd);
}

/*
 * One request from connection fd, which epoll found readable.  libfcgi reads it from the
 * descriptor it is given; keepConnection is set beforehand so that FCGX_Accept_r's opening
 * FCGX_Finish_r leaves the descriptor alone.  Should the connection fail before a request,
 * libfcgi closes it and tries the (non-blocking) listening socket once: a connection taken
 * there is served the same way and joins the set afterwards.
 */
static void
api_serve(FCGX_Request *fx, struct ctx *ctx, int fd)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN | POLLRDHUP };
	int kept;

	/* nginx closed it while it waited in the queue (its client went away): nobody is
	 * left to answer, and answering would hold up the requests queued behind it. */
	if (poll(&pf, 1, 0) == 1 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
		close(fd);
		return;
	}
	fx->ipcFd = fd;
	fx->keepConnection = 1;
	if (FCGX_Accept_r(fx) < 0) {
		/* What was waiting was not a request (libfcgi has closed the connection). */
		log_warn("connection %d closed: no FastCGI request on it", fd);
		return;
	}
	app_handle(fx, ctx);
	if (atomic_load(&stopping))
		fx->keepConnection = 0;
	FCGX_Finish_r(fx);
	if ((kept = fx->ipcFd) >= 0) {
		fx->ipcFd = -1;
		api_arm(kept, EPOLL_CTL_MOD);
	}
}

static void
ready_push(int fd)
{
	pthread_mutex_lock(&ready.mu);
	if (ready.n == READY_MAX) {
		pthread_mutex_unlock(&ready.mu);
		log_warn("connection %d closed: %d requests already waiting", fd, READY_MAX);
		close(fd);
		return;
	}
	ready.fd[(ready.head + ready.n) % READY_MAX] = fd;
	ready.n++;
	pthread_mutex_unlock(&ready.mu);
	/* After the unlock: the woken thread does not find the mutex still held and sleep
	 * again on it (ready.cv lives as long as the process). */
	pthread_cond_signal(&ready.cv);
}

static void
ready_close(void)
{
	pthread_mutex_lock(&ready.mu);
	ready.closed = 1;
	pthread_cond_broadcast(&ready.cv);
	pthread_mutex_unlock(&ready.mu);
}

/* The listening socket out of this process's set (busy), and back in; ready.mu held. */
static void
listen_leave(void)
{
	if (!ready.listen_out && epoll_ctl(api_epfd, EPOLL_CTL_DEL, listen_fd, NULL) == 0) {
		ready.listen_out = 1;
		ready.listen_out_ms = mono_ms();
	}
}

static int
listen_back(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };

	if (epoll_ctl(api_epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0 && errno != EEXIST)
		return -1;
	ready.listen_out = 0;
	return 0;
}

/* The oldest waiting connection; -1 once stopping and none is left. */
static int
ready_pop(void)
{
	int fd = -1;

	pthread_mutex_lock(&ready.mu);
	while (ready.n == 0 && !ready.closed) {
		/* This thread is free: the process takes new connections again. */
		if (ready.listen_out)
			listen_back();
		ready.idle++;
		pthread_cond_wait(&ready.cv, &ready.mu);
		ready.idle--;
	}
	if (ready.n > 0) {
		fd = ready.fd[ready.head];
		ready.head = (ready.head + 1) % READY_MAX;
		ready.n--;
	}
	pthread_mutex_unlock(&ready.mu);
	return fd;
}

/* One event from the set: new connections, a request, or a connection nginx closed. */
static void
api_event(const struct epoll_event *ev)
{
	int fd = ev->data.fd;

	if (fd == listen_fd) {
		int c, busy;

		/*
		 * A new connection is taken only while a thread here is free for its request;
		 * otherwise the listening socket leaves the set (until a thread is free again,
		 * ready_pop, or LISTEN_OUT_MAX_MS has passed, listen_due) and the other
		 * processes take it — as when every thread here waited in the set itself and a
		 * busy one took nothing.
		 */
		pthread_mutex_lock(&ready.mu);
		busy = ready.n >= (size_t)ready.idle && !ready.listen_force;
		ready.listen_force = 0;
		if (busy)
			listen_leave();
		pthread_mutex_unlock(&ready.mu);
		if (busy)
			return;
		if ((c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
			api_arm(c, EPOLL_CTL_ADD);
		else if (errno == EMFILE || errno == ENFILE) {
			/* Out of descriptors: the connection stays in the backlog for the other
			 * processes, and this one tries again later rather than at once for ever. */
			log_warn("accept: %s", strerror(errno));
			pthread_mutex_lock(&ready.mu);
			listen_leave();
			pthread_mutex_unlock(&ready.mu);
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	/* nginx closes a kept connection only while no request is on it. */
	if (ev->events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		close(fd);
		return;
	}
	ready_push(fd);
}

/* How long epoll_wait may sleep: for ever, until the listening socket is due back
 * (LISTEN_OUT_MAX_MS), or not at all once it is back (the force applies to a connection
 * waiting then, not to one that comes later). */
static int
listen_due(void)
{
	int wait = -1;

	pthread_mutex_lock(&ready.mu);
	if (ready.listen_out) {
		int64_t left = ready.listen_out_ms + LISTEN_OUT_MAX_MS - mono_ms();

		if (left > 0)
			wait = (int)left;
		else if (listen_back() == 0) {
			ready.listen_force = 1;
			wait = 0;	/* a connection waiting now is reported now */
		} else
			wait = LISTEN_OUT_MAX_MS;
	}
	pthread_mutex_unlock(&ready.mu);
	return wait;
}

/* The process's one thread in its epoll set. */
static void *
api_epoll_main(void *arg)
{
	struct worker_thread *t = arg;
	struct epoll_event ev[64];
	int n, i, wait;

	while (!atomic_load(&stopping)) {
		wait = listen_due();
		atomic_store(&t->in_accept, 1);
		if (atomic_load(&stopping)) {
			atomic_store(&t->in_accept, 0);
			break;
		}
		n = epoll_wait(api_epfd, ev, 64, wait);
		atomic_store(&t->in_accept, 0);
		if (n < 0) {
			if (errno != EINTR)
				log_warn("epoll_wait: %s", strerror(errno));
			continue;
		}
		for (i = 0; i < n; i++)
			api_event(&ev[i]);
		if (wait == 0) {
			/* Put back (listen_due) with nothing waiting on it: the next new
			 * connection goes by the usual rule. */
			pthread_mutex_lock(&ready.mu);
			ready.listen_force = 0;
			pthread_mutex_unlock(&ready.mu);
		}
	}
	/* Stopping: what already waits on this process's connections is still answered. */
	while ((n = epoll_wait(api_epfd, ev, 64, 0)) > 0)
		for (i = 0; i < n; i++)
			if (ev[i].data.fd != listen_fd)
				api_event(&ev[i]);
	ready_close();
	atomic_store(&t->done, 1);
	return NULL;
}

static void *
api_thread_main(void *arg)
{
	struct worker_thread *t = arg;
	FCGX_Request fx;
	struct ctx ctx;
	int fd;

	ctx_init(&ctx, t->index);
	metrics_thread_pool(MET_POOL_API);
	FCGX_InitRequest(&fx, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while ((fd = ready_pop()) != -1)
		api_serve(&fx, &ctx, fd);
	FCGX_Free(&fx, 0);
	ctx_close(&ctx);
	atomic_store(&t->done, 1);
	return NULL;
}

/* The board's pool: libfcgi's blocking accept, one connection per request. */
static void *
thread_main(void *arg)
{
	struct worker_thread *t = arg;
	FCGX_Request fx;
	struct ctx ctx;

	ctx_init(&ctx, t->index);
	metrics_thread_pool(MET_POOL_BOARD);
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

/* This process's epoll set, holding the (non-blocking) listening socket to begin with. */
static int
api_open_set(void)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.fd = listen_fd };
	int fl = fcntl(listen_fd, F_GETFL);

	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
	    (api_epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(api_epfd, EPOLL_CTL_ADD, listen_fd, &ev) != 0) {
		log_err("epoll set: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Runs in one worker process (metrics slot `slot`): threads, then wait for a stop signal;
 * SIGHUP reopens the logs. */
static int
worker_run(int slot, int nthr, int nboard)
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

	app_memory_settings();
	app_init_process();
	log_async_start();
	metrics_proc_self(slot, nthr, board_fd >= 0 ? nboard : 0);
	if (api_open_set() != 0)
		return 1;
	nthreads = nthr + (board_fd >= 0 ? nboard : 0) + 1;	/* the last: the epoll thread */
	for (i = 0; i < nthreads; i++) {
		pthread_attr_t attr;
		void *(*fn)(void *) = i < nthr ? api_thread_main : i == nthreads - 1 ?
		    api_epoll_main : thread_main;

		threads[i].index = i;
		threads[i].fd = i < nthr ? listen_fd : board_fd;
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 1024 * 1024);
		if (pthread_create(&threads[i].tid, &attr, fn, &threads[i]) != 0) {
			log_err("pthread_create failed");
			return 1;
		}
		pthread_attr_destroy(&attr);
	}
	log_info("serving with %d threads (%d for long polls)", nthreads - 1, nthreads - 1 - nthr);
	if (ready_fd[1] >= 0) {		/* one of the first workers: tell the master */
		if (write(ready_fd[1], "r", 1) != 1)
			log_warn("readiness pipe: %s", strerror(errno));
		close(ready_fd[1]);
		ready_fd[1] = -1;
	}
	for (;;) {
		struct timespec every = { APP_MEMORY_TRIM_S, 0 };

		if ((sig = sigtimedwait(&set, NULL, &every)) < 0) {
			if (errno == EAGAIN)
				malloc_trim(0);	/* see fcgi/memory.c */
			continue;
		}
		if (sig == SIGHUP) {
			log_reopen();
			continue;
		}
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
	log_async_stop(2000);
	return 0;
}

/* The master waits for its signals with sigwaitinfo (they are blocked in it); a child
 * starts with none blocked. */
static sigset_t master_signals;

static void
on_sigchld(int sig)
{
	(void)sig;	/* a handler, not SIG_IGN (that would reap the children for us) */
}

static void
child_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGCHLD, SIG_DFL);
}

static pid_t
spawn(int slot, int nthr, int nboard)
{
	pid_t pid = fork();

	if (pid == 0) {
		child_signals();
		if (ready_fd[0] >= 0)
			close(ready_fd[0]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);	/* blocked and taken by sigtimedwait in worker_run */
		exit(worker_run(slot, nthr, nboard));	/* exit, not _exit: LeakSanitizer checks at exit */
	}
	if (pid > 0)
		metrics_proc_set(slot, (int)pid);
	return pid;
}

/*
 * The process that answers GET /metrics on metrics_listen (see fcgi/metrics.h): one thread,
 * one scrape at a time, its own MariaDB and Redis connections.  Not a worker: it never sees
 * an API request, and the API's listening sockets are closed in it.
 */
static pid_t
spawn_metrics(int mfd)
{
	pid_t pid = fork();

	if (pid == 0) {
		int rc;

		child_signals();
		/* Not one of the workers the master waits for: holding the pipe would hide a
		 * worker that ended before it was ready. */
		if (ready_fd[0] >= 0)
			close(ready_fd[0]);
		if (ready_fd[1] >= 0)
			close(ready_fd[1]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);	/* metrics_serve reopens the logs on it */
		close(listen_fd);
		if (board_fd >= 0)
			close(board_fd);
		app_init_process();
		rc = metrics_serve(mfd);
		app_fini_process();
		exit(rc);
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

/*
 * Each kept nginx connection is a descriptor (up to 256 idle per nginx worker, see
 * nginx.conf.in), so the soft limit on open files, often 1024, is raised to the hard one —
 * at most READY_MAX, which the queue of ready connections is sized for.
 */
static void
files_limit(void)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	want = rl.rlim_max < READY_MAX ? rl.rlim_max : READY_MAX;
	if (rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("open files limit stays as it is: %s", strerror(errno));
}

/* Every one of the n first workers has its threads running: 0; one ended first: -1.  The
 * master's signals are blocked meanwhile (sigwaitinfo takes them afterwards), so a SIGTERM
 * during start-up is acted on once the workers are ready or one has failed. */
static int
ready_wait(int n)
{
	char b[MAX_PROCS];
	int got = 0;

	while (got < n) {
		ssize_t r = read(ready_fd[0], b, sizeof b);

		if (r > 0)
			got += (int)r;
		else if (r == 0 || errno != EINTR)
			break;		/* every write end closed: a worker ended unready */
	}
	close(ready_fd[0]);
	ready_fd[0] = -1;
	return got >= n ? 0 : -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: yichuang-app -c CONFIG\n");
	exit(2);
}

/* What the master runs and watches. */
static struct {
	const char	*sock, *bsock;		/* app_socket, app_board_socket */
	int		 nproc, nthr, nboard;
	int		 mfd;			/* the metrics listener, or -1 */
	pid_t		 pids[MAX_PROCS];	/* the workers */
	pid_t		 mpid;			/* the metrics process, or -1 */
} m = { .mfd = -1, .mpid = -1 };

/* Configuration, sockets and the shared counters, before the first fork.  0 or -1. */
static int
master_setup(void)
{
	const struct route *routes;
	const char *mlisten;
	size_t nroutes;

	log_open_access(config_get("access_log", NULL));
	m.nproc = (int)config_int("app_processes", 2, 1, MAX_PROCS);
	m.nthr = (int)config_int("app_threads", 32, 1, MAX_THREADS);
	m.nboard = (int)config_int("app_board_threads", 64, 1, MAX_THREADS);
	m.sock = config_get("app_socket", NULL);
	m.bsock = config_get("app_board_socket", "");
	if (m.sock == NULL || *m.sock == '\0') {
		log_err("app_socket is not configured");
		return -1;
	}
	/* Unix sockets only: nginx runs on the app's host, and the app's own accept (epoll)
	 * does not apply libfcgi's TCP allow-list (FCGI_WEB_SERVER_ADDRS). */
	if (m.sock[0] != '/' || (*m.bsock && m.bsock[0] != '/')) {
		log_err("app_socket and app_board_socket must be unix socket paths (absolute)");
		return -1;
	}

	FCGX_Init();
	if ((listen_fd = listen_on(m.sock)) < 0)
		return -1;
	log_info("listening on %s: %d processes x %d threads", m.sock, m.nproc, m.nthr);
	if (*m.bsock) {
		if ((board_fd = listen_on(m.bsock)) < 0)
			return -1;
		log_info("long polls on %s: %d processes x %d threads", m.bsock, m.nproc,
		    m.nboard);
	}
	/* The counters every process adds to (fcgi/metrics.h), mapped before the first fork. */
	routes = router_routes(&nroutes);
	if (metrics_init(routes, nroutes) != 0)
		return -1;
	mlisten = config_get("metrics_listen", "");
	if (*mlisten) {
		if ((m.mfd = metrics_listen_open(mlisten)) < 0)
			return -1;
		log_info("metrics on http://%s/metrics (allowed: %s)", mlisten,
		    config_get("metrics_allow", "127.0.0.0/8 ::1"));
	}
	return 0;
}

/* SIGTERM/SIGINT stop, SIGHUP reopens the logs (logrotate), SIGCHLD: a child ended.
 * Blocked and taken one at a time by sigwaitinfo, so none is lost between checks. */
static void
master_signals_block(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigchld;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&master_signals);
	sigaddset(&master_signals, SIGTERM);
	sigaddset(&master_signals, SIGINT);
	sigaddset(&master_signals, SIGHUP);
	sigaddset(&master_signals, SIGCHLD);
	sigprocmask(SIG_BLOCK, &master_signals, NULL);
}

/* The first workers, and READY=1 once each of them serves.  0, or 1 when one ended first. */
static int
master_start(void)
{
	char state[256];
	int i;

	if (pipe2(ready_fd, O_CLOEXEC) != 0) {
		log_err("pipe: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < m.nproc; i++)
		m.pids[i] = spawn(i, m.nthr, m.nboard);
	close(ready_fd[1]);		/* workers started later have nobody to tell */
	ready_fd[1] = -1;
	if (ready_wait(m.nproc) != 0) {
		log_err("a worker process ended during start-up: stopping");
		return 1;
	}
	fmt(state, sizeof state, "READY=1\nSTATUS=serving on %s: %d processes x %d "
	    "threads", m.sock, m.nproc, m.nthr);
	sd_state(state);
	if (m.mfd >= 0)
		m.mpid = spawn_metrics(m.mfd);
	return 0;
}

/* Children that ended are replaced. */
static void
master_reap(void)
{
	pid_t dead;
	int status, i;

	while ((dead = waitpid(-1, &status, WNOHANG)) > 0) {
		if (dead == m.mpid) {
			log_warn("metrics process %d ended (status %d); starting another",
			    (int)dead, status);
			sleep(1);
			m.mpid = spawn_metrics(m.mfd);
			continue;
		}
		for (i = 0; i < m.nproc; i++) {
			if (m.pids[i] != dead)
				continue;
			metrics_proc_set(i, 0);
			log_warn("worker %d ended (status %d); starting another", (int)dead, status);
			sleep(WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL ? 1 : 0);
			m.pids[i] = spawn(i, m.nthr, m.nboard);
		}
	}
}

/* Until SIGTERM or SIGINT: replace children that end, pass SIGHUP on. */
static void
master_watch(void)
{
	int i;

	for (;;) {
		int sig = sigwaitinfo(&master_signals, NULL);

		if (sig < 0)
			continue;
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP) {
			/* logrotate moved the logs away: reopen ours, and tell every process. */
			log_reopen();
			for (i = 0; i < m.nproc; i++)
				if (m.pids[i] > 0)
					kill(m.pids[i], SIGHUP);
			if (m.mpid > 0)
				kill(m.mpid, SIGHUP);
			log_info("SIGHUP: logs reopened");
			continue;
		}
		master_reap();
	}
}

/* Every child finishes what it serves and ends; the sockets go. */
static void
master_stop(void)
{
	int i;

	sd_state("STOPPING=1");
	for (i = 0; i < m.nproc; i++)
		if (m.pids[i] > 0)
			kill(m.pids[i], SIGTERM);
	if (m.mpid > 0)
		kill(m.mpid, SIGTERM);
	for (i = 0; i < m.nproc; i++)
		if (m.pids[i] > 0)
			waitpid(m.pids[i], NULL, 0);
	if (m.mpid > 0)
		waitpid(m.mpid, NULL, 0);
	unlink(m.sock);
	if (*m.bsock)
		unlink(m.bsock);
	log_info("master stopped");
}

int
main(int argc, char **argv)
{
	const char *conf = NULL;
	int ch, rc;

	app_malloc_tunables(argv);
	files_limit();
	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch == 'c')
			conf = optarg;
		else
			usage();
	}
	if (conf == NULL || config_load(conf) != 0)
		usage();
	log_open_error(config_get("error_log", NULL));
	if (app_init_global() != 0 || rooms_init() != 0 || rooms_check_install() != 0)
		return 1;
	if (master_setup() != 0)
		return 1;
	master_signals_block();
	if ((rc = master_start()) == 0)
		master_watch();
	master_stop();
	return rc;
}
