/* lpjb_server.c - epoll, accepting, reading, answering and writing for lpj-baseline. */
#define _GNU_SOURCE /* EPOLLEXCLUSIVE, signalfd */

#include "lpjb_server.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lpjb_buffer.h"
#include "lpjb_frame.h"
#include "lpjb_net.h"
#include "lpjb_reply.h"

#define READ_CHUNK 65536          /* free space offered to each recv() */
#define READS_PER_EVENT 4         /* recv() calls per readiness event, at most */
#define HIGH_WATER (4u << 20)     /* write-buffer octets above which reading pauses */
#define MAX_EVENTS 256
#define RETRY_MS 100              /* accepting again after running out of descriptors */

enum handle_kind { KIND_LISTENER, KIND_SIGNALS, KIND_CONNECTION };

/* What epoll's data.ptr points at: the first member of each watched thing. */
typedef struct handle {
    enum handle_kind kind;
    int fd;
} handle;

typedef struct connection {
    handle h;
    lpjb_buffer in;   /* octets read and not yet answered: at most one partial frame, */
    lpjb_buffer out;  /* ... unless out is over HIGH_WATER; responses not yet sent */
    uint32_t events;  /* the interest registered with epoll */
    int eof;          /* the peer half-closed: answer what is whole, then close */
    int finishing;    /* an oversized prefix: send what is answered, then close */
    struct connection *prev, *next;
} connection;

typedef struct server {
    int epoll;
    int exclusive;
    int accepting;        /* the listener is registered */
    int accept_warned;
    handle listener;
    handle signals;
    connection *connections;
} server;

/* ---- Connections --------------------------------------------------------- */

static int watch_listener(server *s) {
    struct epoll_event event = {.events = EPOLLIN | (s->exclusive ? EPOLLEXCLUSIVE : 0),
                                .data.ptr = &s->listener};
    if (epoll_ctl(s->epoll, EPOLL_CTL_ADD, s->listener.fd, &event) != 0) return -1;
    s->accepting = 1;
    return 0;
}

/* Out of descriptors or memory: stop watching the listener until a
 * connection closes, or for RETRY_MS (a level-triggered listener would wake
 * us forever). */
static void pause_accepting(server *s, int error) {
    if (!s->accept_warned) {
        fprintf(stderr, "lpj-baseline: accept: %s; not accepting until a connection closes\n", strerror(error));
        s->accept_warned = 1;
    }
    epoll_ctl(s->epoll, EPOLL_CTL_DEL, s->listener.fd, NULL);
    s->accepting = 0;
}

static void accept_one(server *s) {
    const int fd = lpjb_net_accept(s->listener.fd);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) pause_accepting(s, errno);
        return; /* EAGAIN: another worker took it; ECONNABORTED, EINTR: nothing to do */
    }
    connection *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return;
    }
    c->h.kind = KIND_CONNECTION;
    c->h.fd = fd;
    lpjb_buffer_init(&c->in);
    lpjb_buffer_init(&c->out);
    c->events = EPOLLIN;
    struct epoll_event event = {.events = c->events, .data.ptr = c};
    if (epoll_ctl(s->epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
        close(fd);
        free(c);
        return;
    }
    c->next = s->connections;
    if (c->next != NULL) c->next->prev = c;
    s->connections = c;
    if (s->exclusive) {
        /* Take turns: the kernel offers a new connection to the exclusive
         * waiters in the order they registered, so the first one would win
         * nearly every connection while it is idle. Registering again puts
         * this worker last. */
        epoll_ctl(s->epoll, EPOLL_CTL_DEL, s->listener.fd, NULL);
        if (watch_listener(s) != 0) s->accepting = 0;
    }
}

static void drop(server *s, connection *c) {
    close(c->h.fd); /* also removes it from the epoll set */
    if (c->prev != NULL) c->prev->next = c->next;
    else s->connections = c->next;
    if (c->next != NULL) c->next->prev = c->prev;
    lpjb_buffer_free(&c->in);
    lpjb_buffer_free(&c->out);
    free(c);
    if (!s->accepting) watch_listener(s);
}

/* ---- Reading, answering, writing ------------------------------------------ */

/* Answers every whole frame in c->in while the write buffer is under
 * HIGH_WATER. Returns 0, or -1 when memory ran out. */
static int answer(connection *c) {
    while (!c->finishing && lpjb_buffer_pending(&c->out) < HIGH_WATER) {
        const size_t have = lpjb_buffer_pending(&c->in);
        if (have < 4) break;
        const unsigned char *at = c->in.data + c->in.start;
        uint32_t length;
        const int found = lpjb_frame_scan(at, have, LPJB_FRAME_LIMIT, &length);
        if (found == LPJB_FRAME_NEED_MORE) break;
        if (found == LPJB_FRAME_TOO_LARGE) {
            c->finishing = 1;
            lpjb_buffer_free(&c->in); /* nothing after the prefix is read or kept */
            return lpjb_reply_append_too_large(&c->out, length, LPJB_FRAME_LIMIT);
        }
        if (lpjb_reply_append(&c->out, at + 4, length) != 0) return -1;
        lpjb_buffer_consume(&c->in, 4 + (size_t)length);
    }
    return 0;
}

/* Reads what the socket has (a few recv() calls at most), answering after
 * each. Returns 0, or -1 when the connection failed (reset, no memory). */
static int receive(connection *c) {
    for (int reads = 0; reads < READS_PER_EVENT; reads++) {
        if (c->eof || c->finishing || lpjb_buffer_pending(&c->out) >= HIGH_WATER) return 0;
        if (lpjb_buffer_reserve(&c->in, READ_CHUNK) != 0) return -1;
        const size_t room = c->in.capacity - c->in.end;
        const ssize_t n = recv(c->h.fd, c->in.data + c->in.end, room, 0);
        if (n == 0) {
            c->eof = 1;
            return 0;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->in.end += (size_t)n;
        if (answer(c) != 0) return -1;
        if ((size_t)n < room) return 0; /* the socket is drained */
    }
    return 0;
}

/* Sends as much of c->out as the socket takes. Returns 0, or -1 when the
 * peer is gone. */
static int transmit(connection *c) {
    while (lpjb_buffer_pending(&c->out) > 0) {
        const ssize_t n = send(c->h.fd, c->out.data + c->out.start, lpjb_buffer_pending(&c->out), MSG_NOSIGNAL);
        if (n > 0) {
            lpjb_buffer_consume(&c->out, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
    }
    return 0;
}

/* One readiness event: read and answer, then write and answer what waited
 * for room, until nothing more moves; then close, or register the interest
 * the buffers call for. */
static void serve(server *s, connection *c, uint32_t ready) {
    if (ready & EPOLLERR) goto failed;
    if ((ready & (EPOLLIN | EPOLLHUP)) && receive(c) != 0) goto failed;
    for (;;) {
        if (transmit(c) != 0) goto failed;
        if (c->finishing || lpjb_buffer_pending(&c->out) >= HIGH_WATER) break;
        const size_t before = lpjb_buffer_pending(&c->in);
        if (answer(c) != 0) goto failed;
        if (lpjb_buffer_pending(&c->in) == before && !c->finishing) break; /* nothing answered */
    }
    if (lpjb_buffer_pending(&c->out) == 0 && (c->eof || c->finishing)) goto failed; /* done: close */
    uint32_t events = 0;
    if (!c->eof && !c->finishing && lpjb_buffer_pending(&c->out) < HIGH_WATER) events |= EPOLLIN;
    if (lpjb_buffer_pending(&c->out) > 0) events |= EPOLLOUT;
    if (events != c->events) {
        struct epoll_event event = {.events = events, .data.ptr = c};
        if (epoll_ctl(s->epoll, EPOLL_CTL_MOD, c->h.fd, &event) != 0) goto failed;
        c->events = events;
    }
    return;
failed:
    drop(s, c);
}

/* ---- The loop -------------------------------------------------------------- */

int lpjb_server_run(int listener, int exclusive, const sigset_t *stop) {
    server s;
    memset(&s, 0, sizeof s);
    s.exclusive = exclusive;
    s.listener = (handle){KIND_LISTENER, listener};
    s.signals = (handle){KIND_SIGNALS, signalfd(-1, stop, SFD_NONBLOCK | SFD_CLOEXEC)};
    s.epoll = epoll_create1(EPOLL_CLOEXEC);
    int status = 1;
    struct epoll_event signal_event = {.events = EPOLLIN, .data.ptr = &s.signals};
    if (s.signals.fd < 0 || s.epoll < 0 || epoll_ctl(s.epoll, EPOLL_CTL_ADD, s.signals.fd, &signal_event) != 0 ||
        watch_listener(&s) != 0) {
        fprintf(stderr, "lpj-baseline: cannot set up epoll: %s\n", strerror(errno));
        goto done;
    }
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        const int n = epoll_wait(s.epoll, events, MAX_EVENTS, s.accepting ? -1 : RETRY_MS);
        if (n == 0 && !s.accepting) watch_listener(&s); /* paused for RETRY_MS: try again */
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "lpj-baseline: epoll_wait: %s\n", strerror(errno));
            goto done;
        }
        for (int i = 0; i < n; i++) {
            handle *h = events[i].data.ptr;
            if (h->kind == KIND_LISTENER) {
                accept_one(&s);
            } else if (h->kind == KIND_SIGNALS) {
                status = 0;
                goto done;
            } else {
                serve(&s, (connection *)h, events[i].events);
            }
        }
    }
done:
    s.accepting = 1; /* closing connections must not re-register the listener */
    while (s.connections != NULL) drop(&s, s.connections);
    if (s.signals.fd >= 0) close(s.signals.fd);
    if (s.epoll >= 0) close(s.epoll);
    return status;
}
