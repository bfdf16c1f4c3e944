/*
 * sdnotify.h — tell systemd how a service is doing (Type=notify units, ops/systemd/).
 *
 * systemd passes the address of its notification socket in $NOTIFY_SOCKET; the service
 * sends it one datagram per state change ("READY=1", "STOPPING=1", "STATUS=…").  Without
 * $NOTIFY_SOCKET (make run, the tests) every call does nothing.
 *
 * Why not libsystemd's sd_notify(): the protocol is one datagram on a unix socket, which
 * systemd documents as stable and meant to be spoken without its library (sd_notify(3),
 * "Standalone Implementations"); writing it here keeps libsystemd out of the link of
 * programs that also run where there is no systemd (make run, containers), and the
 * datagram is the whole of what libsystemd would do for us.
 */
#ifndef YC_SDNOTIFY_H
#define YC_SDNOTIFY_H

/* Send state (e.g. "READY=1\nSTATUS=serving").  0 sent, 1 no $NOTIFY_SOCKET, -1 error. */
int	sd_state(const char *state);

#endif
