/*
 * lpjb_server.h - the baseline server's event loop: one process, one epoll.
 *
 *   listener --accept--> connection: in buffer --frames--> lpjb_reply --> out buffer --send-->
 *
 *   recv() up to 64 KiB at a time into the connection's read buffer; every
 *   whole frame in it is answered at once (lpjb_reply_append into the write
 *   buffer), so pipelined requests are answered in order; then send() as
 *   much of the write buffer as the socket takes. EPOLLOUT is asked for only
 *   while the write buffer holds octets; EPOLLIN is dropped while it holds
 *   more than 4 MiB (a peer that does not read its responses stops being
 *   read), and after the peer half-closed or sent an oversized prefix.
 *
 * Per connection, by the rules the reference server follows:
 *
 *   end of stream at a frame boundary   answer every whole request, then close
 *   end of stream inside a frame        answer every whole request, then close; no reply for it
 *   prefix over the 1 MiB limit         answer every earlier request, then frame-too-large,
 *                                       then close; nothing after the prefix is read or kept
 *   reset, or a failed send             close at once
 *
 * The read buffer grows only while it holds part of a frame whose length
 * already passed the limit check, and only as octets arrive.
 */
#ifndef LPJB_SERVER_H
#define LPJB_SERVER_H

#include <signal.h>

/* Serves connections accepted from listener (non-blocking, listening) until
 * one of the signals in stop arrives; the caller must have blocked them (they
 * are read from a signalfd). exclusive registers the listener with
 * EPOLLEXCLUSIVE, for workers that share it: a new connection wakes one of
 * them. Each wake-up accepts one connection, so that workers take turns.
 * Closes every connection before it returns (the listener is the caller's).
 * Returns 0 after a stop signal, 1 when the loop itself failed. */
int lpjb_server_run(int listener, int exclusive, const sigset_t *stop);

#endif /* LPJB_SERVER_H */
