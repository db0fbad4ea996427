/* lpj_client.c - the socket part: connect, write frames or raw octets, half-close, read frames. */
#define _POSIX_C_SOURCE 200809L

#include "lpj_client.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "lpj_message.h"
#include "lpj_scan.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* SO_NOSIGPIPE is set instead where it exists */
#endif

#define CHUNK_SIZE 65536

struct lpj_client {
    int fd;                      /* -1 once closed after a failure */
    lpj_byte_order order;        /* as configured: little, big or native */
    int timeout_ms;
    size_t max_depth;
    char peer[320];              /* "host:port", for messages */
    lpj_frame_decoder decoder;
    size_t chunk_used;           /* octets of chunk fed to the decoder */
    size_t chunk_have;           /* octets of chunk received */
    unsigned char chunk[CHUNK_SIZE];
};

/* ---- Time ---------------------------------------------------------------- */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes: 1 ready, 0 timed
 * out, -1 error (errno set). */
static int wait_for(int fd, short events, long long deadline) {
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return 0;
        struct pollfd p = {fd, events, 0};
        const int n = poll(&p, 1, left > 1000000000 ? 1000000000 : (int)left);
        if (n > 0) return 1;
        if (n == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

/* ---- Connecting ------------------------------------------------------------ */

/* Starts a non-blocking connect to one address and waits for it. Returns the
 * socket, or -1 with the failure in err. */
static int connect_one(const struct addrinfo *ai, long long deadline, const char *peer, lpj_error_t *err) {
    const int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        lpj_error_set(err, LPJ_ERR_IO, NULL, -1, "socket: %s", strerror(errno));
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int error = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        error = errno;
        if (error == EINPROGRESS || error == EINTR) {
            const int ready = wait_for(fd, POLLOUT, deadline);
            if (ready == 0) {
                close(fd);
                lpj_error_set(err, LPJ_ERR_TIMED_OUT, NULL, -1, "connecting to %s timed out", peer);
                return -1;
            }
            socklen_t length = sizeof error;
            if (ready < 0) {
                error = errno;
            } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
                error = errno;
            }
        }
    }
    if (error == 0) return fd;
    close(fd);
    if (error == ECONNREFUSED) {
        lpj_error_set(err, LPJ_ERR_REFUSED, NULL, -1, "connection to %s refused: is a server listening?", peer);
    } else {
        lpj_error_set(err, LPJ_ERR_IO, NULL, -1, "connecting to %s: %s", peer, strerror(error));
    }
    return -1;
}

lpj_client *lpj_client_connect(const char *host, int port, lpj_byte_order byte_order, int timeout_ms,
                               lpj_error_t *err) {
    lpj_error_clear(err);
    if (port < 1 || port > 65535) {
        lpj_error_set(err, LPJ_ERR_USAGE, NULL, -1, "port %d is not in 1 to 65535", port);
        return NULL;
    }
    if (byte_order == LPJ_ORDER_AUTO) {
        lpj_error_set(err, LPJ_ERR_USAGE, "order.auto-detect", -1,
                      "clients do not auto-detect the byte order: use little, big or native");
        return NULL;
    }
    if (timeout_ms <= 0) timeout_ms = LPJ_CLIENT_DEFAULT_TIMEOUT_MS;
    lpj_client *client = calloc(1, sizeof *client);
    if (client == NULL) {
        lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for a client");
        return NULL;
    }
    client->fd = -1;
    client->order = byte_order;
    client->timeout_ms = timeout_ms;
    client->max_depth = LPJ_SCAN_DEFAULT_MAX_DEPTH;
    snprintf(client->peer, sizeof client->peer, strchr(host, ':') ? "[%s]:%d" : "%s:%d", host, port);
    lpj_frame_decoder_init(&client->decoder, byte_order, LPJ_FRAME_DEFAULT_LIMIT);

    char service[8];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints, *addresses = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    const int status = getaddrinfo(host, service, &hints, &addresses);
    if (status != 0) {
        lpj_error_set(err, LPJ_ERR_RESOLVE, NULL, -1, "cannot resolve %s: %s", host, gai_strerror(status));
        lpj_client_close(client);
        return NULL;
    }
    const long long deadline = now_ms() + timeout_ms;
    for (const struct addrinfo *ai = addresses; ai != NULL && client->fd < 0; ai = ai->ai_next) {
        client->fd = connect_one(ai, deadline, client->peer, err);
        if (client->fd < 0 && err != NULL && err->code == LPJ_ERR_TIMED_OUT) break;
    }
    freeaddrinfo(addresses);
    if (client->fd < 0) {
        lpj_client_close(client);
        return NULL;
    }
    const int one = 1; /* frame.single-write: no Nagle delay behind a request */
    setsockopt(client->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef SO_NOSIGPIPE
    setsockopt(client->fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    lpj_error_clear(err);
    return client;
}

int lpj_client_set_limit(lpj_client *client, uint32_t limit, lpj_error_t *err) {
    if (limit < LPJ_FRAME_MINIMUM_LIMIT) {
        return lpj_error_set(err, LPJ_ERR_USAGE, "frame.max-size-minimum", -1,
                             "a limit of %lu is below the minimum of %u", (unsigned long)limit,
                             LPJ_FRAME_MINIMUM_LIMIT);
    }
    client->decoder.limit = limit;
    return 0;
}

void lpj_client_close(lpj_client *client) {
    if (client == NULL) return;
    if (client->fd >= 0) close(client->fd);
    lpj_frame_decoder_free(&client->decoder);
    free(client);
}

/* ---- Exchanging frames ------------------------------------------------------ */

/* A framing-level fault: close, so that every later call fails (conn.client-limit). */
static int broken(lpj_client *client) {
    if (client->fd >= 0) close(client->fd);
    client->fd = -1;
    return -1;
}

/* Writes every octet, or fails with err set; the caller decides whether the
 * failure breaks the connection. */
static int send_all(lpj_client *client, const unsigned char *data, size_t size, long long deadline,
                    lpj_error_t *err) {
    while (size > 0) { /* the first send() normally takes the whole frame */
        const ssize_t n = send(client->fd, data, size, MSG_NOSIGNAL);
        if (n > 0) {
            data += n;
            size -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_for(client->fd, POLLOUT, deadline) == 1) continue;
            return lpj_error_set(err, LPJ_ERR_TIMED_OUT, NULL, -1, "writing to %s timed out after %d ms",
                                 client->peer, client->timeout_ms);
        }
        return lpj_error_set(err, errno == EPIPE || errno == ECONNRESET ? LPJ_ERR_CLOSED : LPJ_ERR_IO,
                             "conn.client-limit", -1, "writing to %s: %s", client->peer, strerror(errno));
    }
    return 0;
}

static int closed_before(const lpj_client *client, lpj_error_t *err) {
    return lpj_error_set(err, LPJ_ERR_CLOSED, "conn.client-limit", -1,
                         "the connection to %s was closed after an earlier failure", client->peer);
}

/* Reads until the decoder has one whole frame. */
static int receive_frame(lpj_client *client, unsigned char **response, size_t *response_size, long long deadline,
                         lpj_error_t *err) {
    for (;;) {
        if (client->chunk_used < client->chunk_have) {
            size_t consumed = 0;
            const int status = lpj_frame_decoder_feed(&client->decoder, client->chunk + client->chunk_used,
                                                      client->chunk_have - client->chunk_used, &consumed, err);
            client->chunk_used += consumed;
            if (status < 0) {
                lpj_error_prefix(err, "refused the response");
                return broken(client);
            }
            if (status == LPJ_FRAME_READY) {
                size_t length;
                const unsigned char *body = lpj_frame_decoder_body(&client->decoder, &length);
                *response = NULL;
                *response_size = length;
                if (length > 0) {
                    *response = malloc(length);
                    if (*response == NULL) {
                        return lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for a response");
                    }
                    memcpy(*response, body, length);
                }
                return 0;
            }
        }
        client->chunk_used = client->chunk_have = 0;
        const int ready = wait_for(client->fd, POLLIN, deadline);
        if (ready == 0) {
            lpj_error_set(err, LPJ_ERR_TIMED_OUT, NULL, (long long)client->decoder.stream_offset,
                          "no complete response from %s within %d ms", client->peer, client->timeout_ms);
            return broken(client);
        }
        const ssize_t n = ready < 0 ? -1 : recv(client->fd, client->chunk, sizeof client->chunk, 0);
        if (n > 0) {
            client->chunk_have = (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n == 0) { /* end of stream */
            if (lpj_frame_decoder_finish(&client->decoder, err) != 0) {
                lpj_error_prefix(err, "the server closed the connection inside a response frame");
            } else {
                lpj_error_set(err, LPJ_ERR_CLOSED, "conn.client-limit", (long long)client->decoder.stream_offset,
                              "%s closed the connection without answering (a legacy server does so"
                              " on an unknown method or a body it cannot parse)", client->peer);
            }
            return broken(client);
        }
        lpj_error_set(err, LPJ_ERR_IO, "conn.client-limit", (long long)client->decoder.stream_offset,
                      "reading from %s: %s", client->peer,
                      errno == ECONNRESET ? "the server reset the connection" : strerror(errno));
        return broken(client);
    }
}

int lpj_client_exchange(lpj_client *client, const void *body, size_t size, unsigned char **response,
                        size_t *response_size, lpj_error_t *err) {
    lpj_error_clear(err);
    *response = NULL;
    *response_size = 0;
    if (client->fd < 0) return closed_before(client, err);
    const long long deadline = now_ms() + client->timeout_ms;
    size_t frame_size;
    unsigned char *frame = lpj_frame_encode(body, size, client->order, &frame_size, err);
    if (frame == NULL) return -1;
    const int sent = send_all(client, frame, frame_size, deadline, err);
    free(frame);
    if (sent != 0) {
        lpj_error_prefix(err, "the request");
        return broken(client);
    }
    return receive_frame(client, response, response_size, deadline, err);
}

int lpj_client_send_raw(lpj_client *client, const void *data, size_t size, lpj_error_t *err) {
    lpj_error_clear(err);
    if (client->fd < 0) return closed_before(client, err);
    return send_all(client, data, size, now_ms() + client->timeout_ms, err);
}

int lpj_client_shutdown_write(lpj_client *client, lpj_error_t *err) {
    lpj_error_clear(err);
    if (client->fd < 0) return closed_before(client, err);
    if (shutdown(client->fd, SHUT_WR) != 0 && errno != ENOTCONN) {
        return lpj_error_set(err, LPJ_ERR_IO, NULL, -1, "shutting down the write side to %s: %s", client->peer,
                             strerror(errno));
    }
    return 0;
}

int lpj_client_receive(lpj_client *client, unsigned char **response, size_t *response_size, lpj_error_t *err) {
    lpj_error_clear(err);
    *response = NULL;
    *response_size = 0;
    if (client->fd < 0) return closed_before(client, err);
    return receive_frame(client, response, response_size, now_ms() + client->timeout_ms, err);
}

int lpj_client_call(lpj_client *client, const char *method, const char *params_json, char **out,
                    json_t **result, lpj_error_t *err) {
    *out = NULL;
    *result = NULL;
    size_t size;
    unsigned char *body = lpj_request_encode(method, params_json != NULL ? params_json : "null", &size, err);
    if (body == NULL) return -1;
    unsigned char *answer;
    size_t answer_size;
    const int exchanged = lpj_client_exchange(client, body, size, &answer, &answer_size, err);
    free(body);
    if (exchanged != 0) return -1;

    lpj_response response;
    const int decoded = lpj_response_decode(answer, answer_size, client->max_depth, &response, err);
    free(answer);
    if (decoded != 0) {
        lpj_error_prefix(err, "the response breaks a rule");
        return -1;
    }
    *out = malloc(response.out_length + 1);
    if (*out == NULL) {
        lpj_response_clear(&response);
        return lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for a response");
    }
    memcpy(*out, response.out, response.out_length);
    (*out)[response.out_length] = '\0';
    *result = json_incref(response.result);
    int status = 0;
    if (response.is_error) {
        status = lpj_error_set(err, LPJ_ERR_ERROR_RESPONSE, response.error_rule, response.error_offset, "%s: %s%s",
                               response.error_code, response.error_message,
                               response.registered_code == LPJ_ERR_INTERNAL_ERROR &&
                                       strcmp(response.error_code, "internal-error") != 0
                                   ? " (an unregistered code: treated as internal-error)"
                                   : "");
    }
    lpj_response_clear(&response);
    return status;
}
