/*
 * lpjb_net.h - TCP sockets for both programs: listen, accept, connect, options.
 *
 *   lpj-baseline   lpjb_net_listen("127.0.0.1", 0) -> fd, "127.0.0.1:43117"
 *                  lpjb_net_accept(fd) -> non-blocking, TCP_NODELAY
 *   lpj-load       lpjb_net_connect("127.0.0.1", 43117) -> non-blocking, TCP_NODELAY
 *
 * Every socket is close-on-exec and non-blocking; connections have Nagle's
 * algorithm off, so a frame leaves as soon as it is written. Failures return
 * -1 and put a sentence into the caller's text buffer.
 */
#ifndef LPJB_NET_H
#define LPJB_NET_H

#include <stddef.h>

/* Binds host:port (port 0: the kernel picks) with SO_REUSEADDR and listens.
 * Writes the bound address as "ADDRESS:PORT" ("[ADDRESS]:PORT" for IPv6)
 * into where. Returns the listening socket, or -1 with why filled in. */
int lpjb_net_listen(const char *host, int port, char *where, size_t where_size, char *why, size_t why_size);

/* Accepts one connection from a non-blocking listener. Returns its socket,
 * or -1 with errno set (EAGAIN: none waiting). */
int lpjb_net_accept(int listener);

/* Connects to host:port (a blocking connect, then non-blocking). Returns the
 * socket, or -1 with why filled in ("connection refused", ...). */
int lpjb_net_connect(const char *host, int port, char *why, size_t why_size);

/* Sets O_NONBLOCK and TCP_NODELAY on a connected socket. Returns 0 or -1. */
int lpjb_net_tune(int fd);

#endif /* LPJB_NET_H */
