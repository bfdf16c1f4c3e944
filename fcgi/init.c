/*
 * init.c — start-up shared by the app, the worker and the admin tool.
 */
#include "init.h"
#include "clock.h"
#include "config.h"
#include "ctx.h"
#include "log.h"
#include "migrate.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <mysql.h>
#include <sodium.h>

int
app_init_global(void)
{
	if (sodium_init() < 0) {
		log_err("libsodium failed to initialise");
		return -1;
	}
	if (mysql_library_init(0, NULL, NULL) != 0) {
		log_err("libmariadb failed to initialise");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_err("libcurl failed to initialise");
		return -1;
	}
	clock_init();
	/* The access log is the app's (programs/app.c opens it): the admin tool, run as root,
	 * must not create the file the app then cannot write. */
	return 0;
}

int
app_check_install(void)
{
	char first[80];
	struct ctx c;
	int n;

	ctx_init(&c, 0);
	n = migrate_pending(&c, first, sizeof first);
	ctx_close(&c);
	if (n < 0) {
		log_warn("the schema could not be checked (MariaDB down or migrations_dir "
		    "unreadable): starting anyway");
		return 0;
	}
	if (n > 0) {
		log_err("the database lacks %d migration(s) of %s, first %s: run yichuang-admin "
		    "migrate before starting this release", n,
		    config_get("migrations_dir", "sql/migrations"), first);
		return -1;
	}
	return 0;
}

void
app_init_process(void)
{
	mysql_thread_init();
}

void
app_fini_process(void)
{
	mysql_thread_end();
}

static atomic_int stop_requested;

void
app_request_stop(void)
{
	atomic_store(&stop_requested, 1);
}

int
app_stop_requested(void)
{
	return atomic_load(&stop_requested);
}
