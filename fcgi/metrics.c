/*
 * metrics.c — the app's counters in shared memory and their part of the Prometheus
 * exposition (see metrics.h; the gauges read from the record, and the listener, are in
 * metrics_scrape.c).
 *
 * Why shared memory: the app is a master and N worker processes (plus the one that serves
 * the scrape).  Per-process counters with a `process` label would need the scraper to sum
 * them and would start new series at every restart of a worker (its pid changes); a scrape
 * of one process would see only its share.  One MAP_SHARED block, mapped by the master before
 * the first fork, holds every counter; processes add with lock-free atomics (no lock, no
 * system call on the request path); the scrape reads the sums.
 *
 * Low cardinality by construction: labels are route patterns and methods from the route
 * table, status codes, a fixed set of pools, kinds and providers, and hall and category
 * codes from the hall's own tables — never a path, a token, an id or a phone number.
 *
 */
#include "metrics.h"
#include "log.h"
#include "util.h"
#include "yc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#ifndef YC_VERSION
#define YC_VERSION "dev"
#endif

static const int statuses[] = {
	200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409, 410, 413, 414, 415, 422, 423,
	429, 431, 500, 502, 503, 504
};
#define NSTATUS (NELEM(statuses) + 1)	/* the last: any other status */

/* Upper bounds of the latency buckets, microseconds (rendered in seconds).  The last finite
 * one is above the board's 25 s long poll. */
static const int64_t bucket_us[] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	10000000, 30000000
};
static const char *const bucket_le[] = {
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"
};
#define NBUCKET (NELEM(bucket_us) + 1)	/* the last: +Inf */

struct met_route {
	atomic_ullong	 status[NSTATUS];
	atomic_ullong	 bucket[NBUCKET];	/* not cumulative; the exposition sums them */
	atomic_ullong	 sum_us;
};

struct met_proc {
	atomic_int	 pid;
	atomic_int	 threads[MET_POOL__MAX];
	atomic_int	 busy[MET_POOL__MAX];
};

struct met_shm {
	atomic_ullong	 redis_errors;
	atomic_ullong	 db_errors[MET_DB__MAX];
	atomic_ullong	 log_dropped[LOG__MAX];
	struct met_proc	 proc[MET_MAX_PROCS];
	size_t		 nroutes;
	struct met_route route[];	/* nroutes + 1: the last counts requests no route matched */
};

static struct met_shm *shm;
static const struct route *route_table;	/* the labels: metrics_init */
static int self_slot = -1;
static _Thread_local int thread_pool = -1;

int
metrics_init(const struct route *routes, size_t nroute)
{
	size_t sz = sizeof *shm + (nroute + 1) * sizeof(struct met_route);
	void *p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_err("shared memory for the metrics (%zu bytes): %s", sz, strerror(errno));
		return -1;
	}
	memset(p, 0, sz);	/* all-zero is a valid state for every atomic here */
	shm = p;
	shm->nroutes = nroute;
	route_table = routes;
	log_on_dropped(metrics_log_dropped);
	return 0;
}

void
metrics_proc_set(int slot, int pid)
{
	int i;

	if (shm == NULL || slot < 0 || slot >= MET_MAX_PROCS)
		return;
	if (pid == 0)
		for (i = 0; i < MET_POOL__MAX; i++) {
			/* Its requests in flight will never end: they are not busy any more. */
			atomic_store(&shm->proc[slot].busy[i], 0);
			atomic_store(&shm->proc[slot].threads[i], 0);
		}
	atomic_store(&shm->proc[slot].pid, pid);
}

void
metrics_proc_self(int slot, int api_threads, int board_threads)
{
	if (shm == NULL || slot < 0 || slot >= MET_MAX_PROCS)
		return;
	self_slot = slot;
	atomic_store(&shm->proc[slot].threads[MET_POOL_API], api_threads);
	atomic_store(&shm->proc[slot].threads[MET_POOL_BOARD], board_threads);
}

void
metrics_thread_pool(enum met_pool pool)
{
	thread_pool = (int)pool;
}

void
metrics_busy(int delta)
{
	if (shm == NULL || self_slot < 0 || thread_pool < 0)
		return;
	atomic_fetch_add(&shm->proc[self_slot].busy[thread_pool], delta);
}

void
metrics_request(size_t route, int status, int64_t us)
{
	struct met_route *m;
	size_t s, b;

	if (shm == NULL)
		return;
	if (route > shm->nroutes)
		route = shm->nroutes;
	m = &shm->route[route];
	for (s = 0; s < NSTATUS - 1 && statuses[s] != status; s++)
		;
	if (us < 0)
		us = 0;
	for (b = 0; b < NBUCKET - 1 && us > bucket_us[b]; b++)
		;
	atomic_fetch_add_explicit(&m->status[s], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)us, memory_order_relaxed);
}

void
metrics_redis_error(void)
{
	if (shm)
		atomic_fetch_add(&shm->redis_errors, 1);
}

void
metrics_db_error(enum met_db kind)
{
	if (shm && kind < MET_DB__MAX)
		atomic_fetch_add(&shm->db_errors[kind], 1);
}

void
metrics_log_dropped(int stream, uint64_t lines)
{
	if (shm && stream >= 0 && stream < LOG__MAX)
		atomic_fetch_add(&shm->log_dropped[stream], lines);
}

/* ------------------------------------------------------------------ exposition */

/* A label value: backslash, double quote and newline escaped as the format wants. */
void
metrics_label(struct buf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_adds(b, "\\\\");
		else if (*v == '"')
			buf_adds(b, "\\\"");
		else if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_add(b, v, 1);
	}
}

void
metrics_family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *const method_label[M__MAX] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"
};

/* {method="GET",route="/halls/{hall}/board" of route i (nroutes: none matched). */
static void
route_labels(struct buf *b, size_t i)
{
	if (i < shm->nroutes && route_table) {
		buf_addf(b, "{method=\"%s\",route=\"", method_label[route_table[i].method]);
		metrics_label(b, route_table[i].pattern);
		buf_adds(b, "\"");
	} else
		buf_adds(b, "{method=\"\",route=\"unmatched\"");
}

static void
render_requests(struct buf *b)
{
	size_t i, s, k;

	metrics_family(b, "yichuang_http_requests_total", "counter",
	    "Requests the app answered, by route pattern, method and status.");
	for (i = 0; i <= shm->nroutes; i++)
		for (s = 0; s < NSTATUS; s++) {
			unsigned long long n = atomic_load(&shm->route[i].status[s]);

			if (n == 0)
				continue;
			buf_adds(b, "yichuang_http_requests_total");
			route_labels(b, i);
			if (s < NSTATUS - 1)
				buf_addf(b, ",status=\"%d\"} %llu\n", statuses[s], n);
			else
				buf_addf(b, ",status=\"other\"} %llu\n", n);
		}
	metrics_family(b, "yichuang_http_request_duration_seconds", "histogram",
	    "Time the app took to answer, by route pattern and method.");
	for (i = 0; i <= shm->nroutes; i++) {
		unsigned long long cum = 0, v[NBUCKET];

		for (k = 0; k < NBUCKET; k++)
			v[k] = atomic_load(&shm->route[i].bucket[k]);
		for (k = 0; k < NBUCKET; k++)
			cum += v[k];
		if (cum == 0)
			continue;
		cum = 0;
		for (k = 0; k < NBUCKET; k++) {
			cum += v[k];
			buf_adds(b, "yichuang_http_request_duration_seconds_bucket");
			route_labels(b, i);
			buf_addf(b, ",le=\"%s\"} %llu\n", k < NBUCKET - 1 ? bucket_le[k] : "+Inf",
			    cum);
		}
		buf_adds(b, "yichuang_http_request_duration_seconds_sum");
		route_labels(b, i);
		buf_addf(b, "} %.6f\n", (double)atomic_load(&shm->route[i].sum_us) / 1e6);
		buf_adds(b, "yichuang_http_request_duration_seconds_count");
		route_labels(b, i);
		buf_addf(b, "} %llu\n", cum);
	}
}

static void
render_process(struct buf *b)
{
	static const char *const pool[MET_POOL__MAX] = { "api", "board" };
	static const char *const dbk[MET_DB__MAX] = { "down", "retry", "fail" };
	static const char *const streams[LOG__MAX] = { "event", "access" };
	int procs = 0, thr[MET_POOL__MAX] = { 0 }, busy[MET_POOL__MAX] = { 0 }, i, p;

	for (i = 0; i < MET_MAX_PROCS; i++) {
		if (atomic_load(&shm->proc[i].pid) == 0)
			continue;
		procs++;
		for (p = 0; p < MET_POOL__MAX; p++) {
			thr[p] += atomic_load(&shm->proc[i].threads[p]);
			busy[p] += atomic_load(&shm->proc[i].busy[p]);
		}
	}
	metrics_family(b, "yichuang_app_processes", "gauge", "App worker processes running.");
	buf_addf(b, "yichuang_app_processes %d\n", procs);
	metrics_family(b, "yichuang_app_threads", "gauge",
	    "Request threads of the running app processes, by pool.");
	for (p = 0; p < MET_POOL__MAX; p++)
		buf_addf(b, "yichuang_app_threads{pool=\"%s\"} %d\n", pool[p], thr[p]);
	metrics_family(b, "yichuang_app_threads_busy", "gauge",
	    "Request threads answering a request now, by pool (board: held long polls).");
	for (p = 0; p < MET_POOL__MAX; p++)
		buf_addf(b, "yichuang_app_threads_busy{pool=\"%s\"} %d\n", pool[p],
		    busy[p] < 0 ? 0 : busy[p]);
	metrics_family(b, "yichuang_redis_errors_total", "counter",
	    "Redis calls of the app that failed (unreachable, connection lost, loading, busy).");
	buf_addf(b, "yichuang_redis_errors_total %llu\n", atomic_load(&shm->redis_errors));
	metrics_family(b, "yichuang_mysql_errors_total", "counter",
	    "MariaDB statements of the app that failed: down (unreachable or connection lost), "
	    "retry (deadlock, lock wait timeout), fail (any other error).");
	for (i = 0; i < MET_DB__MAX; i++)
		buf_addf(b, "yichuang_mysql_errors_total{kind=\"%s\"} %llu\n", dbk[i],
		    atomic_load(&shm->db_errors[i]));
	metrics_family(b, "yichuang_log_lines_dropped_total", "counter",
	    "Log lines not written because the disk was too slow (buffer full) or refused them.");
	for (i = 0; i < LOG__MAX; i++)
		buf_addf(b, "yichuang_log_lines_dropped_total{log=\"%s\"} %llu\n", streams[i],
		    atomic_load(&shm->log_dropped[i]));
}

void
metrics_render_counters(struct buf *out)
{
	metrics_family(out, "yichuang_build_info", "gauge", "The running build.");
	buf_adds(out, "yichuang_build_info{version=\"");
	metrics_label(out, YC_VERSION);
	buf_adds(out, "\"} 1\n");
	if (shm) {
		render_requests(out);
		render_process(out);
	}
}
