/* lpj_message.c - request and response checks (msg.*), request encoding. */
#include "lpj_message.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpj_json.h"
#include "lpj_scan.h"
#include "lpj_utf8.h"

/* ---- Duplicate envelope members (msg.duplicate-members) ------------------- */

typedef struct envelope_names {
    const char *names[2]; /* "in" and "params", or "out" and "result" */
    size_t counts[2];
    int top_is_object;
} envelope_names;

/* Counts the message object's members named like the envelope's, comparing
 * unescaped names. A name token longer than 2 + 6 * 6 octets cannot unescape
 * to a six-letter name, so it is skipped without decoding. */
static int count_envelope(void *context, const unsigned char *body, const lpj_token *token, lpj_error_t *err) {
    (void)err;
    envelope_names *e = context;
    if (token->type == LPJ_TOKEN_OBJECT_BEGIN && token->depth == 1) e->top_is_object = 1;
    if (token->type != LPJ_TOKEN_KEY || token->depth != 1 || token->length > 38) return 0;
    unsigned char name[38];
    const size_t length = lpj_string_decode(body + token->offset, token->length, name);
    for (int k = 0; k < 2; k++) {
        if (length == strlen(e->names[k]) && memcmp(name, e->names[k], length) == 0) e->counts[k]++;
    }
    return 0;
}

/* Steps 1 to 5 common to both directions: scan with duplicate counting, build
 * the jansson value, require an object, refuse duplicated envelope names. */
static json_t *decode_envelope(const unsigned char *body, size_t size, size_t max_depth, const char *first,
                               const char *second, lpj_code message_code, const char *what,
                               lpj_error_t *err) {
    envelope_names e = {{first, second}, {0, 0}, 0};
    if (lpj_scan(body, size, max_depth, count_envelope, &e, err) != 0) return NULL;
    if (!e.top_is_object) {
        lpj_error_set(err, message_code, "body.object", 0, "a %s must be a JSON object", what);
        return NULL;
    }
    for (int k = 0; k < 2; k++) {
        if (e.counts[k] > 1) {
            lpj_error_set(err, message_code, "msg.duplicate-members", -1, "member \"%s\" appears %zu times",
                          e.names[k], e.counts[k]);
            return NULL;
        }
    }
    return lpj_json_build(body, size, max_depth, err);
}

/* ---- Requests ----------------------------------------------------------- */

int lpj_request_decode(const unsigned char *body, size_t size, size_t max_depth, lpj_request *request,
                       lpj_error_t *err) {
    memset(request, 0, sizeof *request);
    json_t *json = decode_envelope(body, size, max_depth, "in", "params", LPJ_ERR_INVALID_REQUEST, "request", err);
    if (json == NULL) return -1;
    json_t *method = json_object_get(json, "in");
    json_t *params = json_object_get(json, "params");
    if (method == NULL) {
        json_decref(json);
        return lpj_error_set(err, LPJ_ERR_INVALID_REQUEST, "msg.request", -1,
                             "a request needs an \"in\" member naming the method");
    }
    if (!json_is_string(method)) {
        json_decref(json);
        return lpj_error_set(err, LPJ_ERR_INVALID_REQUEST, "msg.request", -1,
                             "member \"in\" must be a string");
    }
    if (params == NULL) {
        json_decref(json);
        return lpj_error_set(err, LPJ_ERR_INVALID_REQUEST, "msg.request", -1,
                             "a request needs a \"params\" member (null is allowed)");
    }
    request->json = json;
    request->method = json_string_value(method);
    request->method_length = json_string_length(method);
    request->params = params;
    return 0;
}

void lpj_request_clear(lpj_request *request) {
    json_decref(request->json);
    memset(request, 0, sizeof *request);
}

/* ---- Responses ---------------------------------------------------------- */

static int invalid_response(json_t *json, const char *rule, const char *text, lpj_error_t *err) {
    json_decref(json);
    return lpj_error_set(err, LPJ_ERR_INVALID_RESPONSE, rule, -1, "%s", text);
}

int lpj_response_decode(const unsigned char *body, size_t size, size_t max_depth, lpj_response *response,
                        lpj_error_t *err) {
    memset(response, 0, sizeof *response);
    response->error_offset = -1;
    json_t *json = decode_envelope(body, size, max_depth, "out", "result", LPJ_ERR_INVALID_RESPONSE, "response", err);
    if (json == NULL) return -1;
    json_t *out = json_object_get(json, "out");
    json_t *result = json_object_get(json, "result");
    if (out == NULL) return invalid_response(json, "msg.response", "a response needs an \"out\" member", err);
    if (!json_is_string(out)) return invalid_response(json, "msg.response", "member \"out\" must be a string", err);
    if (result == NULL) return invalid_response(json, "msg.response", "a response needs a \"result\" member", err);
    response->json = json;
    response->out = json_string_value(out);
    response->out_length = json_string_length(out);
    response->result = result;
    if (response->out_length == 5 && memcmp(response->out, "error", 5) == 0) {
        json_t *code = json_object_get(result, "code"); /* NULL when result is no object */
        json_t *message = json_object_get(result, "message");
        if (!json_is_string(code) || !json_is_string(message)) {
            memset(response, 0, sizeof *response);
            response->error_offset = -1;
            return invalid_response(json, "msg.error-response",
                                    "an error response's result must be an object with string members"
                                    " \"code\" and \"message\"", err);
        }
        json_t *rule = json_object_get(result, "rule");
        json_t *offset = json_object_get(result, "offset");
        response->is_error = 1;
        response->error_code = json_string_value(code);
        response->registered_code = lpj_code_from_wire_name(response->error_code);
        response->error_message = json_string_value(message);
        response->error_rule = json_is_string(rule) ? json_string_value(rule) : NULL;
        response->error_offset = json_is_integer(offset) ? (long long)json_integer_value(offset) : -1;
    }
    return 0;
}

void lpj_response_clear(lpj_response *response) {
    json_decref(response->json);
    memset(response, 0, sizeof *response);
    response->error_offset = -1;
}

/* ---- Encoding ------------------------------------------------------------ */

unsigned char *lpj_request_encode(const char *method, const char *params_json, size_t *size, lpj_error_t *err) {
    const size_t method_length = strlen(method);
    const size_t defect = lpj_utf8_first_defect((const unsigned char *)method, method_length);
    if (defect < method_length) {
        lpj_error_set(err, LPJ_ERR_USAGE, "body.utf8", (long long)defect,
                      "the method name is not well-formed UTF-8 (octet %zu)", defect);
        return NULL;
    }
    const size_t params_length = strlen(params_json);
    lpj_error_t params_error;
    if (lpj_scan((const unsigned char *)params_json, params_length, 0, NULL, NULL, &params_error) != 0) {
        lpj_error_set(err, LPJ_ERR_USAGE, params_error.rule, params_error.offset,
                      "params is not acceptable JSON: %s", params_error.text);
        return NULL;
    }
    /* {"in":"  METHOD, escaped (6 octets at most per octet)  ","params":  PARAMS  }  NUL */
    const size_t capacity = 7 + 6 * method_length + 11 + params_length + 1 + 1;
    unsigned char *body = malloc(capacity);
    if (body == NULL) {
        lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for a request");
        return NULL;
    }
    size_t o = 0;
    memcpy(body + o, "{\"in\":\"", 7);
    o += 7;
    for (size_t i = 0; i < method_length; i++) {
        const unsigned char c = (unsigned char)method[i];
        if (c == '"' || c == '\\') {
            body[o++] = '\\';
            body[o++] = c;
        } else if (c < 0x20) {
            o += (size_t)snprintf((char *)body + o, capacity - o, "\\u%04x", c);
        } else {
            body[o++] = c;
        }
    }
    memcpy(body + o, "\",\"params\":", 11);
    o += 11;
    memcpy(body + o, params_json, params_length);
    o += params_length;
    body[o++] = '}';
    /* The whole request must pass the receiver's depth limit too. */
    if (lpj_scan(body, o, 0, NULL, NULL, &params_error) != 0) {
        free(body);
        lpj_error_set(err, LPJ_ERR_USAGE, params_error.rule, params_error.offset,
                      "the request would not be acceptable: %s", params_error.text);
        return NULL;
    }
    *size = o;
    return body;
}
