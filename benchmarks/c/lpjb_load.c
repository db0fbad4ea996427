/* lpjb_load.c - the load generator's connections and event loop. */
#define _GNU_SOURCE /* MSG_NOSIGNAL, epoll */

#include "lpjb_load.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lpjb_buffer.h"
#include "lpjb_frame.h"
#include "lpjb_net.h"

#define READ_CHUNK 65536
#define RESPONSE_LIMIT (2 * LPJB_FRAME_LIMIT) /* a pong repeats its params: a little over the request */
#define MAX_EVENTS 256
#define SHOWN 200 /* octets of an unexpected response shown on standard error */

typedef struct channel {
    int fd;             /* -1 once closed */
    int number;         /* 1 .. connections, for messages */
    lpjb_buffer in;     /* response octets not yet taken */
    lpjb_buffer out;    /* request frames not yet sent */
    uint64_t *sent;     /* ring of send times (ns), capacity depth: the FIFO of outstanding requests */
    size_t head;        /* oldest outstanding request */
    size_t outstanding;
    uint32_t events;    /* registered epoll interest */
} channel;

typedef struct run {
    const lpjb_load_config *config;
    lpjb_load_result *result;
    int epoll;
    channel *channels;
    int open;           /* channels still connected */
    uint64_t warm_end;  /* ns: counting starts */
    uint64_t end;       /* ns: counting and sending stop */
    int shown_bad;      /* an unexpected response was already shown */
} run;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- Counting ---------------------------------------------------------------- */

/* Whether body is a pong: an object, "out" the string "pong", and a "result". */
static int is_pong(const unsigned char *body, size_t size) {
    json_t *response = json_loadb((const char *)body, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    const json_t *out = json_object_get(response, "out");
    const int pong = json_is_string(out) && json_string_length(out) == 4 &&
                     memcmp(json_string_value(out), "pong", 4) == 0 && json_object_get(response, "result") != NULL;
    json_decref(response);
    return pong;
}

static void show_bad(run *r, const channel *ch, const unsigned char *body, size_t size) {
    if (r->shown_bad) return;
    r->shown_bad = 1;
    const int shown = size > SHOWN ? SHOWN : (int)size;
    fprintf(stderr, "lpj-load: connection %d: not a pong (only the first such response is shown): %.*s%s\n",
            ch->number, shown, (const char *)body, size > SHOWN ? "..." : "");
}

/* Counts errors at time now: in errors during the measured time, in
 * warmup_errors before it, nowhere after it. */
static void count_errors(run *r, uint64_t now, uint64_t errors) {
    if (now < r->warm_end) r->result->warmup_errors += errors;
    else if (now < r->end) r->result->errors += errors;
}

/* ---- One connection ------------------------------------------------------------ */

/* Closes ch for good, its outstanding requests failed. */
static void lose(run *r, channel *ch, const char *what) {
    fprintf(stderr, "lpj-load: connection %d: %s; %zu request(s) outstanding counted as errors\n", ch->number, what,
            ch->outstanding);
    count_errors(r, now_ns(), ch->outstanding);
    close(ch->fd);
    ch->fd = -1;
    ch->outstanding = 0;
    r->open--;
    r->result->connections_lost++;
}

/* Queues count requests sent at time sent. Returns 0 or -1 (no memory). */
static int queue(run *r, channel *ch, int count, uint64_t sent) {
    for (int i = 0; i < count; i++) {
        if (lpjb_frame_append(&ch->out, r->config->request, r->config->request_size) != 0) return -1;
        ch->sent[(ch->head + ch->outstanding) % (size_t)r->config->depth] = sent;
        ch->outstanding++;
    }
    return 0;
}

/* Sends what the socket takes. Returns 0, or -1 with ch lost. */
static int transmit(run *r, channel *ch) {
    while (lpjb_buffer_pending(&ch->out) > 0) {
        const ssize_t n = send(ch->fd, ch->out.data + ch->out.start, lpjb_buffer_pending(&ch->out), MSG_NOSIGNAL);
        if (n > 0) {
            lpjb_buffer_consume(&ch->out, (size_t)n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return 0;
        } else {
            char what[160];
            snprintf(what, sizeof what, "send failed: %s", n < 0 ? strerror(errno) : "no progress");
            lose(r, ch, what);
            return -1;
        }
    }
    return 0;
}

/* Takes every whole response in ch->in that arrived at time arrived.
 * Returns how many, or -1 with ch lost. */
static int take_responses(run *r, channel *ch, uint64_t arrived) {
    int taken = 0;
    for (;;) {
        const size_t have = lpjb_buffer_pending(&ch->in);
        if (have < 4) return taken;
        const unsigned char *at = ch->in.data + ch->in.start;
        uint32_t length;
        const int found = lpjb_frame_scan(at, have, RESPONSE_LIMIT, &length);
        if (found == LPJB_FRAME_NEED_MORE) return taken;
        if (found == LPJB_FRAME_TOO_LARGE) {
            char what[160];
            snprintf(what, sizeof what, "a response length of %lu octets, over %lu", (unsigned long)length,
                     (unsigned long)RESPONSE_LIMIT);
            lose(r, ch, what);
            return -1;
        }
        if (ch->outstanding == 0) {
            lose(r, ch, "a response with no request outstanding");
            return -1;
        }
        const uint64_t sent = ch->sent[ch->head];
        ch->head = (ch->head + 1) % (size_t)r->config->depth;
        ch->outstanding--;
        const int pong = is_pong(at + 4, length);
        if (!pong) show_bad(r, ch, at + 4, length);
        if (arrived >= r->warm_end && arrived < r->end) {
            r->result->requests++;
            if (!pong) r->result->errors++;
            lpjb_histogram_record(&r->result->latency, arrived - sent);
        } else if (!pong) {
            count_errors(r, arrived, 1);
        }
        lpjb_buffer_consume(&ch->in, 4 + (size_t)length);
        taken++;
    }
}

/* Reads what the socket has; for each read, takes the responses and sends
 * as many new requests (before the end). Returns 0, or -1 with ch lost. */
static int receive(run *r, channel *ch) {
    for (;;) {
        if (lpjb_buffer_reserve(&ch->in, READ_CHUNK) != 0) {
            lose(r, ch, "out of memory");
            return -1;
        }
        const size_t room = ch->in.capacity - ch->in.end;
        const ssize_t n = recv(ch->fd, ch->in.data + ch->in.end, room, 0);
        if (n == 0) {
            lose(r, ch, "the server closed the connection");
            return -1;
        }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            char what[160];
            snprintf(what, sizeof what, "receive failed: %s", strerror(errno));
            lose(r, ch, what);
            return -1;
        }
        ch->in.end += (size_t)n;
        const int taken = take_responses(r, ch, now_ns());
        if (taken < 0) return -1;
        const uint64_t now = now_ns();
        if (taken > 0 && now < r->end) {
            if (queue(r, ch, taken, now) != 0) {
                lose(r, ch, "out of memory");
                return -1;
            }
            if (transmit(r, ch) != 0) return -1;
        }
        if ((size_t)n < room) return 0;
    }
}

/* Registers the interest ch's buffers call for. Returns 0, or -1 with ch lost. */
static int watch(run *r, channel *ch, int operation) {
    const uint32_t events = EPOLLIN | (lpjb_buffer_pending(&ch->out) > 0 ? EPOLLOUT : 0);
    if (operation == EPOLL_CTL_MOD && events == ch->events) return 0;
    struct epoll_event event = {.events = events, .data.ptr = ch};
    if (epoll_ctl(r->epoll, operation, ch->fd, &event) != 0) {
        lose(r, ch, "epoll_ctl failed");
        return -1;
    }
    ch->events = events;
    return 0;
}

/* ---- The run --------------------------------------------------------------------- */

/* At the end: a request sent before the measured time began and still
 * unanswered waited through all of it, so it counts as an error (a server
 * that never answers a connection would otherwise go unnoticed). */
static void count_unanswered(run *r) {
    uint64_t unanswered = 0;
    int connections = 0;
    for (int i = 0; i < r->config->connections; i++) {
        const channel *ch = &r->channels[i];
        uint64_t here = 0;
        for (size_t k = 0; ch->fd >= 0 && k < ch->outstanding; k++) {
            if (ch->sent[(ch->head + k) % (size_t)r->config->depth] <= r->warm_end) here++;
        }
        unanswered += here;
        connections += here > 0;
    }
    if (unanswered == 0) return;
    fprintf(stderr, "lpj-load: %llu request(s) on %d connection(s) got no response in the whole measured time;"
                    " counted as errors\n", (unsigned long long)unanswered, connections);
    r->result->errors += unanswered;
}

static void close_all(run *r) {
    for (int i = 0; r->channels != NULL && i < r->config->connections; i++) {
        channel *ch = &r->channels[i];
        if (ch->fd >= 0) close(ch->fd);
        lpjb_buffer_free(&ch->in);
        lpjb_buffer_free(&ch->out);
        free(ch->sent);
    }
    free(r->channels);
    if (r->epoll >= 0) close(r->epoll);
}

int lpjb_load_run(const lpjb_load_config *config, lpjb_load_result *result, char *why, size_t why_size) {
    run r;
    memset(&r, 0, sizeof r);
    r.config = config;
    r.result = result;
    memset(result, 0, sizeof *result);
    lpjb_histogram_init(&result->latency);
    r.epoll = epoll_create1(EPOLL_CLOEXEC);
    r.channels = calloc((size_t)config->connections, sizeof *r.channels);
    if (r.epoll < 0 || r.channels == NULL) {
        snprintf(why, why_size, "cannot set up: %s", strerror(errno));
        close_all(&r);
        return -1;
    }
    for (int i = 0; i < config->connections; i++) {
        channel *ch = &r.channels[i];
        ch->number = i + 1;
        ch->fd = -1;
        lpjb_buffer_init(&ch->in);
        lpjb_buffer_init(&ch->out);
    }
    for (int i = 0; i < config->connections; i++) {
        channel *ch = &r.channels[i];
        ch->sent = malloc((size_t)config->depth * sizeof *ch->sent);
        if (ch->sent == NULL) {
            snprintf(why, why_size, "out of memory");
            close_all(&r);
            return -1;
        }
        ch->fd = lpjb_net_connect(config->host, config->port, why, why_size);
        if (ch->fd < 0) {
            close_all(&r);
            return -1;
        }
        r.open++;
    }

    const uint64_t start = now_ns();
    r.warm_end = start + (uint64_t)(config->warmup * 1e9);
    r.end = r.warm_end + (uint64_t)(config->duration * 1e9);
    for (int i = 0; i < config->connections; i++) {
        channel *ch = &r.channels[i];
        if (queue(&r, ch, config->depth, now_ns()) != 0) {
            lose(&r, ch, "out of memory");
            continue;
        }
        if (transmit(&r, ch) == 0) watch(&r, ch, EPOLL_CTL_ADD);
    }

    struct epoll_event events[MAX_EVENTS];
    uint64_t now = now_ns();
    while (now < r.end && r.open > 0) {
        const uint64_t left = r.end - now;
        const int timeout = (int)((left + 999999) / 1000000);
        const int n = epoll_wait(r.epoll, events, MAX_EVENTS, timeout);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "lpj-load: epoll_wait: %s\n", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            channel *ch = events[i].data.ptr;
            if (ch->fd < 0) continue;
            if ((events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && receive(&r, ch) != 0) continue;
            if ((events[i].events & EPOLLOUT) && transmit(&r, ch) != 0) continue;
            watch(&r, ch, EPOLL_CTL_MOD);
        }
        now = now_ns();
    }
    const uint64_t stop = now < r.end ? now : r.end;
    result->seconds = stop > r.warm_end ? (double)(stop - r.warm_end) / 1e9 : 0.0;
    if (now >= r.end) count_unanswered(&r);
    close_all(&r);
    return 0;
}
