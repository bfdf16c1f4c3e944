/*
 * clock.c — the hall clock (see clock.h): the instant the configuration or the clock file
 * says the hall is at, running on with the machine's real time.  The arithmetic and the
 * formats of dates and instants are in dates.c, which knows nothing of this clock.
 */
#include "clock.h"
#include "config.h"
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int64_t clock_base, clock_real;
static int64_t conf_base, conf_real;	/* from the configuration, when the file is absent */
static const char *clock_file;
static pthread_mutex_t clock_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct timespec clock_file_mtime;
static off_t clock_file_size = -1;

void
clock_init(void)
{
	clock_base = config_int("clock_base", 0, 0, INT64_MAX / 2);
	clock_real = config_int("clock_real", 0, 0, INT64_MAX / 2);
	conf_base = clock_base;
	conf_real = clock_real;
	clock_file = config_get("clock_file", NULL);
	if (clock_file && *clock_file == '\0')
		clock_file = NULL;
	if (clock_base)
		log_info("hall clock starts at %lld (real %lld)", (long long)clock_base,
		    (long long)clock_real);
}

/*
 * Re-read the clock file when it changed.  It is looked at (one stat) at most every
 * CLOCK_FILE_CHECK_MS, not on every call: a busy process asks the time several times a
 * request.  A test that moves the clock waits that long before relying on it.
 */
#define CLOCK_FILE_CHECK_MS 20
static atomic_llong clock_file_checked;	/* mono_ms() */

static void
clock_follow_file(void)
{
	struct stat st;
	char buf[64];
	FILE *f;
	long long b, r, now = mono_ms(), last;

	last = atomic_load(&clock_file_checked);
	if (last != 0 && now - last < CLOCK_FILE_CHECK_MS)
		return;
	if (!atomic_compare_exchange_strong(&clock_file_checked, &last, now))
		return;		/* another thread is looking right now */
	if (stat(clock_file, &st) != 0) {
		pthread_mutex_lock(&clock_mtx);
		if (clock_file_size != -1) {
			clock_base = conf_base;
			clock_real = conf_real;
			clock_file_size = -1;
		}
		pthread_mutex_unlock(&clock_mtx);
		return;
	}
	pthread_mutex_lock(&clock_mtx);
	if (st.st_mtim.tv_sec == clock_file_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == clock_file_mtime.tv_nsec && st.st_size == clock_file_size) {
		pthread_mutex_unlock(&clock_mtx);
		return;
	}
	if ((f = fopen(clock_file, "r")) != NULL) {
		if (fgets(buf, sizeof buf, f) && sscanf(buf, "%lld %lld", &b, &r) == 2 && b >= 0 && r >= 0) {
			clock_base = b;
			clock_real = r;
		}
		fclose(f);
	}
	clock_file_mtime = st.st_mtim;
	clock_file_size = st.st_size;
	pthread_mutex_unlock(&clock_mtx);
}

int64_t
hall_now_ms(void)
{
	int64_t now = real_ms(), b, r;

	if (clock_file)
		clock_follow_file();
	pthread_mutex_lock(&clock_mtx);
	b = clock_base;
	r = clock_real;
	pthread_mutex_unlock(&clock_mtx);
	if (b == 0)
		return now;
	return b * 1000 + (now - r * 1000);
}

int64_t
hall_now(void)
{
	int64_t ms = hall_now_ms();

	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void
sql_now(char *out, size_t osz)
{
	sql_datetime(hall_now_ms(), out, osz);
}

