/*
 * lpj_message.h - requests and responses: body checks, then message shape.
 *
 *   request    {"in": METHOD, "params": ANY}
 *   response   {"out": STRING, "result": ANY}
 *   error      {"out": "error", "result": {"code": CODE, "message": TEXT,
 *                                          "rule": RULE-ID, "offset": N}}
 *
 * Decoding runs the checks of spec Section 4 in order and stops at the
 * first that fails:
 *
 *   1-3  body: UTF-8, BOM, one JSON text   lpj_scan.h      invalid-utf8 / invalid-json
 *   4    top-level value is an object      body.object     invalid-request / invalid-response
 *   5    in/params (out/result) once each  msg.duplicate-members
 *        in is a string, params present    msg.request     invalid-request
 *        out is a string, result present   msg.response    invalid-response
 *        an error's result has string      msg.error-response
 *        code and message
 *
 * Member order and unknown members are ignored (msg.member-order,
 * msg.unknown-members). Duplicates of in, params, out and result are found
 * while scanning, by comparing the unescaped names of the message object's
 * own members ("\u0069n" is "in"): jansson keeps only the last of duplicate
 * names and cannot tell. Duplicates deeper inside params or result are
 * allowed (body.nested-duplicates).
 *
 * Values are jansson values (lpj_json.h says how numbers are represented).
 */
#ifndef LPJ_MESSAGE_H
#define LPJ_MESSAGE_H

#include <jansson.h>
#include <stddef.h>

#include "lpj_error.h"

typedef struct lpj_request {
    json_t *json;         /* the message object; owns what follows */
    const char *method;   /* "in", UTF-8; may contain U+0000, so use method_length */
    size_t method_length;
    json_t *params;       /* "params", any value (null included) */
} lpj_request;

typedef struct lpj_response {
    json_t *json;         /* the message object; owns what follows */
    const char *out;      /* "out", UTF-8, counted by out_length */
    size_t out_length;
    json_t *result;       /* "result", any value */
    /* Error responses (out == "error") only: */
    int is_error;
    const char *error_code;     /* the code as sent */
    lpj_code registered_code;   /* msg.error-codes: an unknown code counts as internal-error */
    const char *error_message;
    const char *error_rule;     /* NULL when absent */
    long long error_offset;     /* -1 when absent */
} lpj_response;

/* Checks a request body and fills request, which lpj_request_clear() then
 * releases. max_depth: the depth limit (0: LPJ_SCAN_DEFAULT_MAX_DEPTH).
 * Returns 0, or -1 with err naming the code, rule and offset (offsets only
 * for body faults; message faults carry none, as the reference's). */
int lpj_request_decode(const unsigned char *body, size_t size, size_t max_depth,
                       lpj_request *request, lpj_error_t *err);
void lpj_request_clear(lpj_request *request);

/* Checks a response body the same way (codes invalid-utf8, invalid-json and
 * invalid-response). An error response decodes successfully: see is_error. */
int lpj_response_decode(const unsigned char *body, size_t size, size_t max_depth,
                        lpj_response *response, lpj_error_t *err);
void lpj_response_clear(lpj_response *response);

/* A new request body {"in":METHOD,"params":PARAMS}: method is escaped (it
 * must be UTF-8), params_json is copied verbatim after lpj_scan() accepted it,
 * so its numbers reach the server exactly as written. Stores the size in
 * *size. NULL with err set when method or params_json is not acceptable. */
unsigned char *lpj_request_encode(const char *method, const char *params_json, size_t *size,
                                  lpj_error_t *err);

#endif /* LPJ_MESSAGE_H */
