/*
 * lpj_client.h - a blocking LPJ client over TCP: one request, one response.
 *
 *   client                                      server
 *     |-- 22 00 00 00 {"in":"ping","params":"ireader 0"} -->|   one write
 *     |<-- 23 00 00 00 {"out":"pong","result":"ireader 0"} -|   any number of reads
 *
 * Each request goes out as prefix and body in one buffer and one write call
 * (frame.single-write), with Nagle's algorithm off (TCP_NODELAY). Responses
 * are read in a loop into a fixed 64 KiB chunk and fed to lpj_frame's decoder,
 * so a response may arrive in any number of pieces (frame.reads-are-partial);
 * its length is checked against the response limit before anything is
 * allocated for it (conn.client-limit, frame.limit-before-allocation), in the
 * byte order the requests use (order.same-both-directions). Clients never
 * auto-detect (order.auto-detect).
 *
 * Every failure is an lpj_error_t that names what happened:
 *
 *   LPJ_ERR_RESOLVE          the host name does not resolve
 *   LPJ_ERR_REFUSED          nothing listens there
 *   LPJ_ERR_TIMED_OUT        no connection, or no whole response, within the time-out
 *   LPJ_ERR_CLOSED           the server closed at a frame boundary before answering
 *   LPJ_ERR_TRUNCATED_FRAME  the server closed inside a response frame
 *   LPJ_ERR_IO               reset, unreachable, or another socket error
 *   LPJ_ERR_FRAME_TOO_LARGE  the response length is over the limit; the text
 *                            shows the prefix in hex and its byte-swapped reading
 *   LPJ_ERR_INVALID_UTF8, LPJ_ERR_INVALID_JSON, LPJ_ERR_INVALID_RESPONSE
 *                            the response body breaks a rule (rule and offset set)
 *   LPJ_ERR_ERROR_RESPONSE   the server answered with an error response: text
 *                            "<code>: <message>", rule and offset as it sent them
 *
 * After a framing fault (oversized length, end of stream inside a frame,
 * I/O error, time-out) the connection is closed and every later call fails
 * (conn.client-limit); after a body or message fault it stays usable, because
 * the frame boundaries are still known.
 */
#ifndef LPJ_CLIENT_H
#define LPJ_CLIENT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lpj_error.h"
#include "lpj_frame.h"

#define LPJ_CLIENT_DEFAULT_HOST "127.0.0.1"
#define LPJ_CLIENT_DEFAULT_PORT 8080
#define LPJ_CLIENT_DEFAULT_TIMEOUT_MS 5000

typedef struct lpj_client lpj_client;

/* Connects to host:port (a name or an address literal, IPv4 or IPv6), giving
 * up after timeout_ms milliseconds (<= 0: the default). byte_order is little,
 * big or native (resolved to the host's order). The response limit starts at
 * LPJ_FRAME_DEFAULT_LIMIT and the depth limit at LPJ_SCAN_DEFAULT_MAX_DEPTH.
 * Returns NULL with err set on failure. */
lpj_client *lpj_client_connect(const char *host, int port, lpj_byte_order byte_order, int timeout_ms,
                               lpj_error_t *err);

/* Sets the largest response body accepted; at least LPJ_FRAME_MINIMUM_LIMIT
 * (frame.max-size-minimum). Returns 0, or -1 (LPJ_ERR_USAGE). */
int lpj_client_set_limit(lpj_client *client, uint32_t limit, lpj_error_t *err);

/* Sends one frame with body[0 .. size) and reads one response frame, whose
 * body is returned in a new buffer (*response, free() it; NULL for an empty
 * body) of *response_size octets. Only the framing is checked. The time-out
 * covers the whole exchange. Returns 0, or -1 with err set. */
int lpj_client_exchange(lpj_client *client, const void *body, size_t size, unsigned char **response,
                        size_t *response_size, lpj_error_t *err);

/* Calls method with params_json (a JSON text, sent exactly as written; NULL
 * means null). On a successful response returns 0 with *out (a new
 * NUL-terminated string, free() it) and *result (a new reference,
 * json_decref() it). On an error response returns -1 with
 * LPJ_ERR_ERROR_RESPONSE and still sets *out ("error") and *result (the error
 * object). On every other failure returns -1 and sets neither. */
int lpj_client_call(lpj_client *client, const char *method, const char *params_json, char **out,
                    json_t **result, lpj_error_t *err);

/* ---- Streams: raw octets, half-close, frame by frame ----------------------
 *
 * For replaying a recorded stream (lpj_interop.h): send the octets exactly
 * as they are, half-close, then read every response until end of stream.
 *
 *   lpj_client_send_raw(c, wire, size, &err);     no prefix added, any octets
 *   lpj_client_shutdown_write(c, &err);           the server reads end of stream
 *   while (lpj_client_receive(c, &body, &n, &err) == 0) { ... free(body); }
 *   err.code == LPJ_ERR_CLOSED: a clean end of stream at a frame boundary
 */

/* Writes data[0 .. size) exactly as given, with no prefix (within the
 * time-out). A failed write does not close the connection, because the
 * server may have answered before it closed (after frame-too-large it may
 * close without reading the rest): LPJ_ERR_CLOSED when it closed or reset,
 * LPJ_ERR_TIMED_OUT, LPJ_ERR_IO. Returns 0 or -1. */
int lpj_client_send_raw(lpj_client *client, const void *data, size_t size, lpj_error_t *err);

/* Shuts down the write side (shutdown(SHUT_WR), a half-close): the server
 * reads end of stream, and responses can still be read (conn.half-close).
 * Returns 0 or -1 (LPJ_ERR_IO). */
int lpj_client_shutdown_write(lpj_client *client, lpj_error_t *err);

/* Reads the next response frame, within the time-out counted from this
 * call, into a new buffer as lpj_client_exchange() does. Only the framing
 * is checked. At end of stream at a frame boundary returns -1 with
 * LPJ_ERR_CLOSED; inside a frame LPJ_ERR_TRUNCATED_FRAME; a reset is
 * LPJ_ERR_IO. Any failure closes the connection. */
int lpj_client_receive(lpj_client *client, unsigned char **response, size_t *response_size, lpj_error_t *err);

/* Closes the connection and frees client (NULL is fine). */
void lpj_client_close(lpj_client *client);

#endif /* LPJ_CLIENT_H */
