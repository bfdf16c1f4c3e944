/*
 * race.h — concurrent clients for the tests that claim something holds under concurrency
 * (one acceptance of a double tap, exactly N passwords checked, no slot booked twice): n
 * threads that wait at one barrier and then send their requests at the same moment, the
 * test checking the replies and then the database rows.
 */
#ifndef YC_TEST_RACE_H
#define YC_TEST_RACE_H

#include <stddef.h>

/*
 * Run fn on each of n argument blocks (args, each argsz bytes: an array of the test's own
 * struct), every one in a thread of its own; the threads are all started before any calls
 * fn, and race_run returns when every fn has returned.  Fails the test when a thread cannot
 * be started.
 */
void	race_run(int n, void *(*fn)(void *), void *args, size_t argsz);
#define RACE(n, fn, arr)	race_run((n), (fn), (arr), sizeof (arr)[0])

/* One client's request in race_http and what came back. */
struct shot {
	const char	*from;		/* local source address (http_from); NULL: the default */
	const char	*method;	/* NULL: POST */
	const char	*path;
	const char	*token;		/* bearer, or NULL */
	const char	*body;		/* JSON, or NULL */
	const char	*member;	/* a reply member kept in value ("case.no"), or NULL */
	long		 status;	/* the reply's status; -1 when no reply came */
	char		 code[40];	/* "OK" below 300, else the reply's error.code, else "?" */
	char		 value[64];	/* member's text in the reply; "" when absent */
};

/* Send the n shots at once (race_run); each one's status and code filled in. */
void	race_http(struct shot *shots, int n);
/* How many of the n shots were answered with status. */
int	shots_with(const struct shot *shots, int n, long status);

#endif
