/*
 * test_lpjb.c - tests of benchmarks/c: the pure parts, and a live baseline server.
 *
 *   test_lpjb                     unit tests: buffer, framing, replies, histogram
 *   test_lpjb --port N [--host H] the same requests against a server, over TCP:
 *
 *     connection 1  every probe below in one write, pipelined, then a half-close:
 *                   one response each, in order, then the end of the stream
 *     connection 2  a ping and an oversized prefix (1048577) in one write:
 *                   a pong, frame-too-large, then the end of the stream
 *     connection 3  a ping and 2 octets of a prefix, then a half-close:
 *                   a pong, then the end of the stream (nothing for the cut frame)
 *
 * Prints "ok NAME: RESPONSE" or "FAIL NAME: ..." per check, then
 * "N passed, N failed". Exit status 0 when nothing failed, 1 otherwise, 2 on
 * a usage error or when the server cannot be reached.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lpjb_buffer.h"
#include "lpjb_frame.h"
#include "lpjb_histogram.h"
#include "lpjb_net.h"
#include "lpjb_reply.h"

static int passed, failed;

static void check(int ok, const char *name, const char *detail) {
    if (ok) passed++;
    else failed++;
    printf("%s %s%s%s\n", ok ? "ok" : "FAIL", name, detail && *detail ? ": " : "", detail ? detail : "");
}

/* ---- The probes: a request body and what must come back ------------------------- */

typedef struct probe {
    const char *name;
    const char *body;
    size_t size;          /* octets of body (it may hold a NUL) */
    const char *expect;   /* the exact response body, or NULL: an error response with code */
    const char *code;
} probe;

#define TEXT(s) s, sizeof s - 1

static const probe probes[] = {
    {"ping", TEXT("{\"in\":\"ping\",\"params\":\"ireader 0\"}"), "{\"out\":\"pong\",\"result\":\"ireader 0\"}", NULL},
    {"ping, params first, nested", TEXT("{\"params\":{\"a\":[1,2.5,{\"b\":null}],\"s\":\"\\u00e9\"},\"in\":\"ping\"}"),
     "{\"out\":\"pong\",\"result\":{\"a\":[1,2.5,{\"b\":null}],\"s\":\"\xc3\xa9\"}}", NULL},
    {"invalid JSON", TEXT("{\"in\":\"ping\","), NULL, "invalid-json"},
    {"empty body", TEXT(""), NULL, "invalid-json"},
    {"not an object", TEXT("[1]"), NULL, "invalid-request"},
    {"in not a string", TEXT("{\"in\":1,\"params\":2}"), NULL, "invalid-request"},
    {"no params", TEXT("{\"in\":\"ping\"}"), NULL, "invalid-request"},
    {"unknown method", TEXT("{\"in\":\"frob\",\"params\":null}"), NULL, "unknown-method"},
    {"method names are case-sensitive", TEXT("{\"in\":\"Ping\",\"params\":1}"), NULL, "unknown-method"},
    {"method name with U+0000", TEXT("{\"in\":\"ping\\u0000\",\"params\":1}"), NULL, "unknown-method"},
    {"invalid UTF-8", TEXT("{\"in\":\"\xff\",\"params\":1}"), NULL, "invalid-utf8"},
    {"ping after errors", TEXT("{\"in\":\"ping\",\"params\":[null,true,\"\"]}"),
     "{\"out\":\"pong\",\"result\":[null,true,\"\"]}", NULL},
};
#define PROBES (sizeof probes / sizeof probes[0])

/* A ping whose body is exactly the 1 MiB limit, and its pong. */
static char *big_ping(size_t *size, char **pong, size_t *pong_size) {
    static const char head[] = "{\"in\":\"ping\",\"params\":\"", tail[] = "\"}", pong_head[] = "{\"out\":\"pong\",\"result\":\"";
    const size_t fill = LPJB_FRAME_LIMIT - (sizeof head - 1) - (sizeof tail - 1);
    char *body = malloc(LPJB_FRAME_LIMIT);
    *pong_size = sizeof pong_head - 1 + fill + sizeof tail - 1;
    *pong = malloc(*pong_size);
    if (body == NULL || *pong == NULL) abort();
    memcpy(body, head, sizeof head - 1);
    memset(body + sizeof head - 1, 'x', fill);
    memcpy(body + LPJB_FRAME_LIMIT - (sizeof tail - 1), tail, sizeof tail - 1);
    memcpy(*pong, pong_head, sizeof pong_head - 1);
    memset(*pong + sizeof pong_head - 1, 'x', fill);
    memcpy(*pong + *pong_size - (sizeof tail - 1), tail, sizeof tail - 1);
    *size = LPJB_FRAME_LIMIT;
    return body;
}

/* Judges one response body: the exact text, or an error response with the
 * code, string message and rule, and for invalid-json and invalid-utf8 an
 * offset within the request body. */
static void judge(const char *name, const char *expect, const char *code, size_t request_size,
                  const unsigned char *body, size_t size) {
    char detail[200];
    snprintf(detail, sizeof detail, "%.*s%s", size > 150 ? 150 : (int)size, (const char *)body, size > 150 ? "..." : "");
    if (expect != NULL) {
        check(size == strlen(expect) && memcmp(body, expect, size) == 0, name, detail);
        return;
    }
    json_t *response = json_loadb((const char *)body, size, JSON_ALLOW_NUL, NULL);
    const json_t *result = json_object_get(response, "result");
    const json_t *offset = json_object_get(result, "offset");
    int ok = json_is_string(json_object_get(response, "out")) &&
             strcmp(json_string_value(json_object_get(response, "out")), "error") == 0 &&
             json_is_string(json_object_get(result, "code")) &&
             strcmp(json_string_value(json_object_get(result, "code")), code) == 0 &&
             json_is_string(json_object_get(result, "message")) && json_is_string(json_object_get(result, "rule"));
    if (strcmp(code, "invalid-json") == 0 || strcmp(code, "invalid-utf8") == 0) {
        ok = ok && json_is_integer(offset) && json_integer_value(offset) >= 0 &&
             (size_t)json_integer_value(offset) <= request_size;
    }
    json_decref(response);
    check(ok, name, detail);
}

/* ---- Unit tests ------------------------------------------------------------------- */

static void test_frame(void) {
    unsigned char p[4];
    lpjb_frame_write_prefix(37, p);
    check(p[0] == 0x25 && p[1] == 0 && p[2] == 0 && p[3] == 0, "frame: 37 is 25 00 00 00", NULL);
    const unsigned char big[4] = {0x01, 0x02, 0x03, 0x04};
    check(lpjb_frame_read_prefix(big) == 0x04030201u, "frame: 01 02 03 04 is 0x04030201", NULL);

    unsigned char stream[16] = {3, 0, 0, 0, '1', '2', '3', 0, 0, 0, 0};
    uint32_t length;
    check(lpjb_frame_scan(stream, 3, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_NEED_MORE && length == 0,
          "frame: 3 octets of a prefix need more", NULL);
    check(lpjb_frame_scan(stream, 6, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_NEED_MORE && length == 3,
          "frame: a partial body needs more", NULL);
    check(lpjb_frame_scan(stream, 11, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_READY && length == 3,
          "frame: a whole frame is ready", NULL);
    check(lpjb_frame_scan(stream + 7, 4, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_READY && length == 0,
          "frame: length 0 is a frame", NULL);
    lpjb_frame_write_prefix(LPJB_FRAME_LIMIT, p);
    check(lpjb_frame_scan(p, 4, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_NEED_MORE, "frame: the limit is accepted", NULL);
    lpjb_frame_write_prefix(LPJB_FRAME_LIMIT + 1, p);
    check(lpjb_frame_scan(p, 4, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_TOO_LARGE && length == LPJB_FRAME_LIMIT + 1,
          "frame: limit + 1 is too large from the prefix alone", NULL);
    const unsigned char most[4] = {0xff, 0xff, 0xff, 0xff};
    check(lpjb_frame_scan(most, 4, LPJB_FRAME_LIMIT, &length) == LPJB_FRAME_TOO_LARGE, "frame: ff ff ff ff is too large",
          NULL);

    lpjb_buffer b;
    lpjb_buffer_init(&b);
    check(lpjb_frame_append(&b, "{}", 2) == 0 && lpjb_buffer_pending(&b) == 6 &&
              memcmp(b.data, "\x02\x00\x00\x00{}", 6) == 0,
          "frame: append writes prefix and body", NULL);
    lpjb_buffer_consume(&b, 6);
    check(b.start == 0 && b.end == 0, "buffer: consuming everything rewinds", NULL);
    for (int i = 0; i < 3000; i++) lpjb_buffer_append(&b, "0123456789", 10);
    lpjb_buffer_consume(&b, 29995);
    check(lpjb_buffer_pending(&b) == 5 && memcmp(b.data + b.start, "56789", 5) == 0, "buffer: growth keeps the octets",
          NULL);
    const size_t capacity = b.capacity;
    check(lpjb_buffer_reserve(&b, capacity - 5) == 0 && b.capacity == capacity && b.start == 0 &&
              memcmp(b.data, "56789", 5) == 0,
          "buffer: reserve compacts before it grows", NULL);
    lpjb_buffer_free(&b);
}

static void test_replies(void) {
    for (size_t i = 0; i < PROBES; i++) {
        lpjb_buffer out;
        lpjb_buffer_init(&out);
        char name[120];
        snprintf(name, sizeof name, "reply: %s", probes[i].name);
        if (lpjb_reply_append(&out, (const unsigned char *)probes[i].body, probes[i].size) != 0 ||
            lpjb_buffer_pending(&out) < 4 || lpjb_frame_read_prefix(out.data) != lpjb_buffer_pending(&out) - 4) {
            check(0, name, "no whole frame appended");
        } else {
            judge(name, probes[i].expect, probes[i].code, probes[i].size, out.data + 4, lpjb_buffer_pending(&out) - 4);
        }
        lpjb_buffer_free(&out);
    }
    size_t size, pong_size;
    char *pong;
    char *body = big_ping(&size, &pong, &pong_size);
    lpjb_buffer out;
    lpjb_buffer_init(&out);
    check(lpjb_reply_append(&out, (const unsigned char *)body, size) == 0 &&
              lpjb_buffer_pending(&out) == 4 + pong_size && memcmp(out.data + 4, pong, pong_size) == 0,
          "reply: a ping of exactly 1048576 octets", NULL);
    lpjb_buffer_free(&out);
    free(body);
    free(pong);
    check(lpjb_reply_append_too_large(&out, LPJB_FRAME_LIMIT + 1, LPJB_FRAME_LIMIT) == 0, "reply: too large", NULL);
    judge("reply: frame-too-large", NULL, "frame-too-large", 0, out.data + 4, lpjb_buffer_pending(&out) - 4);
    lpjb_buffer_free(&out);
}

static void test_histogram(void) {
    static lpjb_histogram h;
    lpjb_histogram_init(&h);
    check(lpjb_histogram_quantile(&h, 0.5) == 0, "histogram: empty is 0", NULL);
    for (uint64_t v = 1; v <= 100000; v++) lpjb_histogram_record(&h, v * 1000);
    const uint64_t p50 = lpjb_histogram_quantile(&h, 0.50), p99 = lpjb_histogram_quantile(&h, 0.99);
    char detail[120];
    snprintf(detail, sizeof detail, "p50 %llu, p99 %llu, max %llu", (unsigned long long)p50, (unsigned long long)p99,
             (unsigned long long)h.max);
    check(p50 > 49600000 && p50 < 50400000 && p99 > 98200000 && p99 < 99800000 && h.max == 100000000 &&
              lpjb_histogram_quantile(&h, 1.0) == 100000000,
          "histogram: quantiles within 0.8 %", detail);
    lpjb_histogram_init(&h);
    lpjb_histogram_record(&h, UINT64_MAX);
    lpjb_histogram_record(&h, 0);
    check(lpjb_histogram_quantile(&h, 1.0) == UINT64_MAX && lpjb_histogram_quantile(&h, 0.5) == 0,
          "histogram: the extremes", NULL);
}

/* ---- Live tests --------------------------------------------------------------------- */

static int send_all(int fd, const void *data, size_t size) {
    const unsigned char *p = data;
    while (size > 0) {
        const ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Reads exactly size octets: 1, 0 at the end of the stream before any, -1 otherwise. */
static int receive_exactly(int fd, void *data, size_t size) {
    unsigned char *p = data;
    size_t have = 0;
    while (have < size) {
        const ssize_t n = recv(fd, p + have, size - have, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0 && have == 0) return 0;
        if (n <= 0) return -1;
        have += (size_t)n;
    }
    return 1;
}

/* Reads one response frame into *body (free() it). 1 a frame, 0 end of stream, -1 error. */
static int receive_frame(int fd, unsigned char **body, size_t *size) {
    unsigned char prefix[4];
    const int status = receive_exactly(fd, prefix, 4);
    if (status <= 0) return status;
    *size = lpjb_frame_read_prefix(prefix);
    if (*size > 2 * LPJB_FRAME_LIMIT) return -1;
    *body = malloc(*size + 1);
    if (*body == NULL) return -1;
    if (receive_exactly(fd, *body, *size) != 1 && *size > 0) {
        free(*body);
        return -1;
    }
    return 1;
}

static int connect_to(const char *host, int port) {
    char why[256];
    const int fd = lpjb_net_connect(host, port, why, sizeof why);
    if (fd < 0) {
        fprintf(stderr, "test_lpjb: %s\n", why);
        return -1;
    }
    const int flags = fcntl(fd, F_GETFL); /* back to blocking, with a time-out on every receive */
    struct timeval timeout = {5, 0};
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void expect_response(int fd, const char *name, const char *expect, const char *code, size_t request_size) {
    unsigned char *body = NULL;
    size_t size = 0;
    const int status = receive_frame(fd, &body, &size);
    if (status != 1) {
        check(0, name, status == 0 ? "the server closed the connection" : "no whole response (time-out or reset)");
        return;
    }
    judge(name, expect, code, request_size, body, size);
    free(body);
}

static void expect_end(int fd, const char *name) {
    unsigned char octet;
    const ssize_t n = recv(fd, &octet, 1, 0);
    check(n == 0, name, n == 0 ? NULL : n > 0 ? "more octets" : strerror(errno));
}

static void frame_into(lpjb_buffer *b, const void *body, size_t size) {
    if (lpjb_frame_append(b, body, size) != 0) abort();
}

static int test_live(const char *host, int port) {
    /* 1: every probe, and the 1 MiB ping, pipelined in one write; then a half-close. */
    int fd = connect_to(host, port);
    if (fd < 0) return -1;
    lpjb_buffer requests;
    lpjb_buffer_init(&requests);
    for (size_t i = 0; i < PROBES; i++) frame_into(&requests, probes[i].body, probes[i].size);
    size_t big_size, pong_size;
    char *pong;
    char *big = big_ping(&big_size, &pong, &pong_size);
    frame_into(&requests, big, big_size);
    frame_into(&requests, probes[0].body, probes[0].size);
    const int sent = send_all(fd, requests.data, lpjb_buffer_pending(&requests));
    lpjb_buffer_free(&requests);
    free(big);
    check(sent == 0 && shutdown(fd, SHUT_WR) == 0, "live: every request sent in one write, then a half-close", NULL);
    for (size_t i = 0; i < PROBES; i++) {
        char name[120];
        snprintf(name, sizeof name, "live: %s", probes[i].name);
        expect_response(fd, name, probes[i].expect, probes[i].code, probes[i].size);
    }
    unsigned char *body = NULL;
    size_t size = 0;
    check(receive_frame(fd, &body, &size) == 1 && size == pong_size && memcmp(body, pong, size) == 0,
          "live: a ping of exactly 1048576 octets", NULL);
    free(body);
    free(pong);
    expect_response(fd, "live: a ping after the big one", probes[0].expect, NULL, 0);
    expect_end(fd, "live: the server closes after answering a half-closed stream");
    close(fd);

    /* 2: a ping, then an oversized prefix and a few octets, in one write. */
    if ((fd = connect_to(host, port)) < 0) return -1;
    lpjb_buffer_init(&requests);
    frame_into(&requests, probes[0].body, probes[0].size);
    unsigned char oversized[4 + 64];
    memset(oversized, '{', sizeof oversized);
    lpjb_frame_write_prefix(LPJB_FRAME_LIMIT + 1, oversized);
    lpjb_buffer_append(&requests, oversized, sizeof oversized);
    check(send_all(fd, requests.data, lpjb_buffer_pending(&requests)) == 0, "live: a ping and an oversized prefix sent",
          NULL);
    lpjb_buffer_free(&requests);
    expect_response(fd, "live: the ping before the oversized prefix", probes[0].expect, NULL, 0);
    expect_response(fd, "live: an oversized prefix gets frame-too-large", NULL, "frame-too-large", 0);
    expect_end(fd, "live: the server closes after frame-too-large");
    close(fd);

    /* 3: a ping, then 2 octets of a prefix, then a half-close. */
    if ((fd = connect_to(host, port)) < 0) return -1;
    lpjb_buffer_init(&requests);
    frame_into(&requests, probes[0].body, probes[0].size);
    lpjb_buffer_append(&requests, "\x05\x00", 2);
    check(send_all(fd, requests.data, lpjb_buffer_pending(&requests)) == 0 && shutdown(fd, SHUT_WR) == 0,
          "live: a ping and 2 octets of a prefix sent, then a half-close", NULL);
    lpjb_buffer_free(&requests);
    expect_response(fd, "live: the ping before the cut frame", probes[0].expect, NULL, 0);
    expect_end(fd, "live: the server closes without answering the cut frame");
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
            host = argv[++i];
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: test_lpjb [--port N [--host H]]\n");
            return 2;
        }
    }
    if (port < 0) {
        test_frame();
        test_replies();
        test_histogram();
    } else if (test_live(host, port) != 0) {
        return 2;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
