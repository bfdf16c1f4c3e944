/*
 * sdnotify.c — the service notification datagram (see sdnotify.h).
 */
#include "sdnotify.h"
#include "log.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
sd_state(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t plen, slen = strlen(state);
	socklen_t alen;
	ssize_t sent;
	int fd;

	if (path == NULL || *path == '\0')
		return 1;
	plen = strlen(path);
	/* An absolute path, or "@name" for the abstract namespace (a leading NUL byte). */
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sa.sun_path) {
		log_warn("NOTIFY_SOCKET is not a unix socket address: ignored");
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		log_warn("socket: %s", strerror(errno));
		return -1;
	}
	sent = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa, alen);
	if (sent < 0)
		log_warn("%s: %s", path, strerror(errno));
	close(fd);
	return sent == (ssize_t)slen ? 0 : -1;
}
