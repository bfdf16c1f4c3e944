/*
 * worker.c — yichuang-worker: runs the periodic jobs of every room (programs/assembly.c).
 *
 * Several workers may run at once (on one host or many): every job claims its rows with
 * guarded updates or SKIP LOCKED, so running twice is harmless.  SIGTERM lets the current
 * job finish, then exits.  Under systemd (Type=notify) it reports READY=1 once its
 * configuration, templates and schema are checked, and STOPPING=1 on the way out.
 * SIGHUP reopens its log (error_log in the configuration; logrotate).
 */
#include "../fcgi/init.h"
#include "../fcgi/clock.h"
#include "../fcgi/config.h"
#include "../fcgi/ctx.h"
#include "../fcgi/log.h"
#include "../fcgi/sdnotify.h"
#include "../fcgi/util.h"
#include "../fcgi/jobs.h"
#include "assembly.h"

#include <mysql.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop, hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		stop = 1;
}

int
main(int argc, char **argv)
{
	const char *conf = NULL;
	struct sigaction sa;
	struct ctx ctx;
	int64_t next[64];
	const struct job *jobs;
	size_t njobs;
	int ch;
	size_t i;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch == 'c')
			conf = optarg;
		else
			return 2;
	}
	if (conf == NULL || config_load(conf) != 0)
		return 2;
	log_open_error(config_get("error_log", NULL));
	if (app_init_global() != 0 || rooms_init() != 0)
		return 2;
	jobs = rooms_jobs(&njobs);
	if (rooms_check_install() != 0)
		return 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	app_init_process();
	ctx_init(&ctx, 0);
	memset(next, 0, sizeof next);
	log_info("worker started with %zu jobs", njobs);
	{
		char status[96];

		fmt(status, sizeof status, "READY=1\nSTATUS=running %zu jobs", njobs);
		sd_state(status);
	}
	while (!stop) {
		int64_t now = mono_ms(), wait = 1000;

		if (hup) {
			hup = 0;
			log_reopen();
		}

		for (i = 0; i < njobs && i < 64 && !stop; i++) {
			if (now < next[i]) {
				if (next[i] - now < wait)
					wait = next[i] - now;
				continue;
			}
			if (jobs[i].run(&ctx) != 0) {
				log_warn("%s failed; retrying soon", jobs[i].name);
				next[i] = mono_ms() + 2000;
			} else
				next[i] = mono_ms() + jobs[i].every_ms;
		}
		if (wait > 0 && !stop) {
			struct timespec ts = { wait / 1000, (wait % 1000) * 1000000 };

			nanosleep(&ts, NULL);
		}
	}
	sd_state("STOPPING=1");
	ctx_close(&ctx);
	app_fini_process();
	mysql_library_end();
	log_info("worker stopped");
	return 0;
}
