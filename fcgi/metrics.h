/*
 * metrics.h — what the app counts for GET /metrics (Prometheus text format), and the small
 * HTTP listener that serves it.  metrics.c holds the counters (below the storage layer: db.c
 * and kv.c count their errors, the log its dropped lines); metrics_scrape.c the exposition,
 * which reads the record through the storage layer, and the listener.
 *
 * The app runs several processes (programs/app.c).  Their counters live in one block of
 * shared memory that the master maps before it forks, updated with atomic adds: a scrape sees
 * the sum of every process, a process that dies and is replaced loses none of what it
 * counted, and no label carries a process id (which would change with every restart).  The
 * counters start at zero when the master starts, as Prometheus expects of a counter reset.
 *
 * Programs that never call metrics_init (the worker, the admin tool, the tests) keep no
 * counters: every metrics_* call is then a cheap no-op.  The worker's SMS results are counted
 * in Redis instead (metrics_sms_count), since the worker is another program, possibly on
 * another host; the scrape reads them from there.
 *
 * Gauges that describe the hall rather than the process — outbox depth and the age of the
 * oldest unsent message, tickets waiting, cases near or past their deadline — are read from
 * MariaDB at scrape time, so they are right whichever process or host changed them.
 */
#ifndef YC_METRICS_H
#define YC_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct ctx;
struct buf;
struct route;

enum met_pool { MET_POOL_API, MET_POOL_BOARD, MET_POOL__MAX };
enum met_db { MET_DB_DOWN, MET_DB_RETRY, MET_DB_FAIL, MET_DB__MAX };

#define MET_MAX_PROCS 64

/* Master, before forking: room for the nroute routes of routes (their labels).  0 or -1. */
int	metrics_init(const struct route *routes, size_t nroute);
/* Master: process slot i now runs pid (0: it ended; its busy threads are cleared). */
void	metrics_proc_set(int slot, int pid);
/* Child: this process is slot i with these pools. */
void	metrics_proc_self(int slot, int api_threads, int board_threads);
/* Thread: which pool it serves (busy counts). */
void	metrics_thread_pool(enum met_pool pool);
/* A request starts / ends on this thread. */
void	metrics_busy(int delta);
/* One answered request: route index (nroutes for "no route matched"), status, duration. */
void	metrics_request(size_t route, int status, int64_t us);
void	metrics_redis_error(void);
void	metrics_db_error(enum met_db kind);
void	metrics_log_dropped(int stream, uint64_t lines);

/*
 * The worker: one SMS result for provider ("sent", "retry": failed and will be tried again,
 * "failed": failed for good).  HINCRBY on the Redis hash metrics:sms; a Redis outage loses
 * the count, never the message.
 */
void	metrics_sms_count(struct ctx *c, const char *provider, const char *result);

/* The exposition: everything above plus the gauges read through c. 0, or -1 on overflow
 * (metrics_scrape.c). */
int	metrics_render(struct ctx *c, struct buf *out);
/* The counters' part of it: the build, requests, processes, errors (metrics.c). */
void	metrics_render_counters(struct buf *out);
/* A "# HELP / # TYPE" head, and a label value escaped as the text format wants. */
void	metrics_family(struct buf *b, const char *name, const char *type, const char *help);
void	metrics_label(struct buf *b, const char *v);

/*
 * The listener (metrics_listen = host:port; metrics_allow = the client addresses allowed,
 * as a list of IPv4/IPv6 addresses or CIDR blocks, default loopback only).  metrics_listen_open
 * runs in the master (a bad address or a port in use stops the start-up); metrics_serve runs
 * in a process of its own until SIGTERM.
 */
int	metrics_listen_open(const char *spec);
int	metrics_serve(int fd);

#endif
