/*
 * race.c — concurrent clients released together (race.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "http.h"
#include "race.h"

struct runner {
	pthread_barrier_t	*go;
	void			*(*fn)(void *);
	void			*arg;
};

static void *
runner_main(void *arg)
{
	struct runner *u = arg;

	pthread_barrier_wait(u->go);
	return u->fn(u->arg);
}

void
race_run(int n, void *(*fn)(void *), void *args, size_t argsz)
{
	pthread_t *th = calloc((size_t)n, sizeof *th);
	struct runner *u = calloc((size_t)n, sizeof *u);
	pthread_barrier_t go;
	pthread_attr_t at;
	int i;

	assert_true(n > 0);
	assert_non_null(th);
	assert_non_null(u);
	assert_int_equal(pthread_barrier_init(&go, NULL, (unsigned)n), 0);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 256 * 1024);
	for (i = 0; i < n; i++) {
		u[i].go = &go;
		u[i].fn = fn;
		u[i].arg = (char *)args + (size_t)i * argsz;
		assert_int_equal(pthread_create(&th[i], &at, runner_main, &u[i]), 0);
	}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_attr_destroy(&at);
	pthread_barrier_destroy(&go);
	free(u);
	free(th);
}

static void *
shot_fire(void *arg)
{
	struct shot *s = arg;
	struct resp r;
	const char *code, *v;

	s->status = -1;
	s->code[0] = '\0';
	s->value[0] = '\0';
	if (http_from(&r, s->from, s->method ? s->method : "POST", s->path, s->token,
	    s->body) == 0) {
		s->status = r.status;
		code = jstr(r.json, "error.code");
		snprintf(s->code, sizeof s->code, "%s", r.status < 300 ? "OK" : code ? code : "?");
		if (s->member && (v = jstr(r.json, s->member)) != NULL)
			snprintf(s->value, sizeof s->value, "%s", v);
	}
	resp_free(&r);
	return NULL;
}

void
race_http(struct shot *shots, int n)
{
	RACE(n, shot_fire, shots);
}

int
shots_with(const struct shot *shots, int n, long status)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		k += shots[i].status == status;
	return k;
}
