/*
 * load.h — clients that keep taking numbers while something breaks (it_faults on one host,
 * it_cluster on several), and the check of the record against what every client was told.
 *
 * Threads POST /api/v1/halls/demo/tickets with the kiosk's token, categories A to F in turn,
 * until load_stop or until max numbers were issued (an outage's refusals do not use the
 * budget up).  Every 201's token and number is kept; every other answer is counted.  Each
 * test gives its own pacing and how patient its checks are afterwards (struct load_pace).
 * The checks read the record through test_db (suite.h).
 */
#ifndef YC_TEST_LOAD_H
#define YC_TEST_LOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* How a test's clients pace themselves, and how long its checks wait for the record. */
struct load_pace {
	int	 net_ms;	/* after a request that got no reply */
	int	 ok_ms;		/* after a 201 (0: at once) */
	int	 refused_ms;	/* after any other answer: retry, but do not spin */
	int	 tries;		/* the checks' reads and their next number: attempts, 200 ms
				 * apart (1: the first answer must be the good one) */
};

/* A number a client was told, with its ticket's token. */
struct told {
	char	 token[48];
	char	 number[8];
};

struct load {
	pthread_t	 th[16];
	int		 nth;
	atomic_int	 stop;
	atomic_int	 sent;
	atomic_int	 issued;
	int		 max;
	struct load_pace pace;
	const char	*kiosk;		/* bearer token of the clients */
	pthread_mutex_t	 mu;
	struct told	*told;
	size_t		 ntold, cap;
	int		 n201, n503, n504, nother, nnet, last_other;
	int		 n201_mark;	/* n201 when load_fault was called */
	_Atomic int64_t	 fault_at;	/* now_ms of the fault (0: none yet) */
	_Atomic int64_t	 back_at;	/* first 201 to a request sent after it */
};

/* Start threads (at most 16) taking numbers with kiosk's token until max were issued. */
void	 load_start(struct load *L, const char *kiosk, const struct load_pace *pace, int threads,
	     int max);
/* The 201s so far. */
int	 load_n201(struct load *L);
/* The fault happens now: n201_mark and the instant load_recovery counts from. */
void	 load_fault(struct load *L);
/* Wait (up to ms) for the first number issued to a request sent after load_fault; prints
 * and returns the seconds it took (-1: none). */
double	 load_recovery(struct load *L, const char *what, int ms);
/* Stop and join the threads; prints what they got. */
void	 load_stop(struct load *L);
/* Requests that did not end in a number: 503, 504, any other answer, or no reply. */
int	 load_failed(const struct load *L);
void	 load_free(struct load *L);

/* The day's tickets in the record, read up to tries times 200 ms apart. */
int	 load_rows(const char *day, int tries);
/*
 * The record of day against what the clients were told: each ticket a client got a 201 for
 * is in queue_tickets with the number told; no two clients were told the same number; no
 * number is in the record twice; rows nobody was told about (the request's process was
 * killed after the commit) are at most the failed requests.  Returns the day's rows.
 */
int	 load_check_told(struct load *L, const char *day, int rows_before);
/* One more number of category A after the fault: above every A number told before. */
void	 load_check_numbering_continues(struct load *L);

/*
 * Citizens booking one slot while something breaks: n citizens, each signed in (a session
 * in Redis) with an ID number of their own, book the slot C 16:30 of a day, which has
 * free_places places left, from three threads, each until a definite answer (a 503 or no
 * reply is tried again 50 ms later), trickle_ms between one citizen and the next.
 */
#define BOOKERS_MAX 60
struct bookers {
	int		 n;
	int		 trickle_ms;
	int		 retry_504;	/* a 504 (the balancer's timeout) is tried again too */
	char		 day[11];
	char		 slot[24];	/* C-YYYYMMDD-1630 */
	int		 live0, places;	/* places taken before; the capacity set */
	char		 token[BOOKERS_MAX][64];
	char		 idnum[BOOKERS_MAX][20];
	atomic_int	 next;
	pthread_mutex_t	 mu;
	pthread_t	 th[3];
	int		 booked, full, n503, other, last_other;
};

/* Set the slot's capacity (as manager1) and sign the n citizens in. */
void	 bookers_prepare(struct bookers *B, const char *day, int n,
	     int free_places, int trickle_ms, int retry_504);
void	 bookers_start(struct bookers *B);
void	 bookers_join(struct bookers *B);
/* The slot afterwards: exactly its places taken, no more, every citizen told booked or
 * full, nothing else. */
void	 bookers_check(struct bookers *B);
void	 bookers_free(struct bookers *B);

/* The group set-up of a suite under load (it_faults, it_cluster): SIGPIPE ignored, *long_mode
 * set when the environment variable long_var is "1" (the long form), suite_setup, and the
 * kiosk signed in (its token into kiosk).  0 or -1. */
int	 load_suite_setup(void **st, const char *long_var, int *long_mode, char *kiosk,
	     size_t ksz);

#endif
