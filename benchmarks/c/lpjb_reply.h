/*
 * lpjb_reply.h - the baseline server's work for one request: body in, frame out.
 *
 *   22 00 00 00 {"in":"ping","params":"ireader 0"}      request body, 34 octets
 *        | json_loadb()      -> json_t object; "in" a string, "params" present
 *        | json_object()     -> {"out": "pong", "result": <params, the same json_t>}
 *        | json_dumpb()      -> compact text, straight into the write buffer
 *   23 00 00 00 {"out":"pong","result":"ireader 0"}     response frame, appended
 *
 * Every request is parsed and every response built and serialized by
 * jansson, the work a real JSON server does per message. Anything else gets
 * an error response (code, message, rule, offset):
 *
 *   empty body                         invalid-json     frame.zero-length, offset 0
 *   jansson refuses the text           invalid-json     body.json-text, offset = jansson's position
 *     ... because of its UTF-8         invalid-utf8     body.utf8
 *   not an object                      invalid-request  body.object
 *   "in" not a string, no "params"     invalid-request  msg.request
 *   "in" other than "ping"             unknown-method   msg.unknown-method
 *   length over the limit              frame-too-large  frame.oversize-close (no offset)
 *
 * This is a benchmark peer, not a conformance server: jansson's reading is
 * taken as it is (duplicate "in" or "params" members are not detected, the
 * depth limit is jansson's 2048 rather than 512, integers beyond int64 and
 * numbers beyond binary64 are refused, numbers are echoed as jansson prints
 * them). Pure: no sockets.
 */
#ifndef LPJB_REPLY_H
#define LPJB_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "lpjb_buffer.h"

/* Appends to out the response frame for the request body[0 .. size).
 * Returns 0, or -1 when memory runs out (out may then hold a partial frame:
 * the caller drops the connection). */
int lpjb_reply_append(lpjb_buffer *out, const unsigned char *body, size_t size);

/* Appends the frame-too-large error response for a prefix that announced
 * length octets over limit. Returns 0 or -1 (no memory). */
int lpjb_reply_append_too_large(lpjb_buffer *out, uint32_t length, uint32_t limit);

#endif /* LPJB_REPLY_H */
