/*
 * memory.c — how the app's processes use glibc's allocator: they run for months, and
 * their memory must stay flat.
 */
#include "init.h"
#include "log.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The process runs for months and its memory must not creep.  Its ~150 threads (most of them
 * waiting on the board's long polls) would each keep glibc's per-thread cache of freed blocks
 * (up to 7 per size class), which fills a little more with every new mix of requests a thread
 * serves: with it, memory grew ~5% over 600k mixed requests; without it, flat, and no slower
 * in `make bench`.  The cache can only be turned off before the process starts, through the
 * environment, so the app starts itself again once with it set (unless the operator's
 * GLIBC_TUNABLES already says how big it should be).
 */
void
app_malloc_tunables(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");
	char buf[1024], self[4096];
	int n;

	if (t != NULL && strstr(t, "glibc.malloc.tcache_count") != NULL)
		return;
	n = snprintf(buf, sizeof buf, "%s%sglibc.malloc.tcache_count=0", t ? t : "",
	    t && *t ? ":" : "");
	if (n < 0 || (size_t)n >= sizeof buf || setenv("GLIBC_TUNABLES", buf, 1) != 0)
		return;
	/* By its own path, so that the process keeps its name (ps, top, pidof, killall show
	 * "exe" for a program started as /proc/self/exe); that path when the file is gone. */
	n = (int)readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0 && (size_t)n < sizeof self - 1) {
		self[n] = '\0';
		if (access(self, X_OK) == 0)
			execv(self, argv);
	}
	execv("/proc/self/exe", argv);
	log_err("could not restart with GLIBC_TUNABLES=%s (%s): carrying on with glibc's "
	    "per-thread caches", buf, strerror(errno));
}

/*
 * glibc also raises its mmap threshold each time a large block is freed, so that large
 * replies (the service guide, a statistics export) end up carved from the arenas, whose freed
 * middles it never gives back on its own.  So the threshold is fixed (large blocks are mapped
 * and unmapped), and every APP_MEMORY_TRIM_S (init.h) the free pages inside the arenas go back
 * to the system.  (Fewer arenas than glibc's default were tried: threads sharing them
 * fragmented them faster.)
 */
void
app_memory_settings(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024);
}
