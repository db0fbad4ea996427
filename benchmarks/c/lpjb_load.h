/*
 * lpjb_load.h - lpj-load's run: N connections, D requests in flight on each.
 *
 *   t0 ------------ warm-up ------------ t0+W ------------ measured ------------ t0+W+S
 *      responses checked, not counted         responses counted, latencies recorded
 *
 *   connection i:  send D x [22 00 00 00 {"in":"ping","params":{}}]   (one write)
 *                  each response -> check it, record now - its send time,
 *                                   send one more request (until t0+W+S)
 *
 * One thread, one epoll set, non-blocking sockets with TCP_NODELAY. Requests
 * are pipelined: exactly D are outstanding on each connection, and the send
 * times wait in a FIFO per connection, since responses come back in request
 * order. The responses of one read are answered together in one write. A
 * response counts as an error unless jansson reads it as an object whose
 * "out" is "pong" and which has a "result". A connection that the server
 * closes or resets, or that sends a response over 2 MiB, is reported on
 * standard error and its outstanding requests count as errors; so do the
 * requests that were sent before the measured time and are still
 * unanswered at its end.
 */
#ifndef LPJB_LOAD_H
#define LPJB_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "lpjb_histogram.h"

typedef struct lpjb_load_config {
    const char *host;
    int port;
    int connections;             /* >= 1 */
    int depth;                   /* >= 1: requests in flight per connection */
    double warmup;               /* seconds, >= 0 */
    double duration;             /* seconds measured, > 0 */
    const unsigned char *request; /* one request body, sent over and over */
    size_t request_size;
} lpjb_load_config;

typedef struct lpjb_load_result {
    double seconds;          /* measured time: the duration, or less if every connection failed */
    uint64_t requests;       /* responses that arrived in the measured time, errors included */
    uint64_t errors;         /* of those, the ones that are not a pong; plus requests lost with a connection,
                                and requests sent before the measured time and unanswered at its end */
    uint64_t warmup_errors;  /* the same, during the warm-up (not in errors) */
    int connections_lost;    /* connections closed, reset or broken before the end */
    lpjb_histogram latency;  /* nanoseconds, for every response counted in requests */
} lpjb_load_result;

/* Connects every connection, then runs the warm-up and the measured time.
 * Returns 0 with *result filled in, or -1 when a connection could not be
 * made (why says which and why; nothing was measured). */
int lpjb_load_run(const lpjb_load_config *config, lpjb_load_result *result, char *why, size_t why_size);

#endif /* LPJB_LOAD_H */
