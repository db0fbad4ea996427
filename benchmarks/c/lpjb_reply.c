/* lpjb_reply.c - parse a request with jansson, build and serialize its response. */
#include "lpjb_reply.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "lpjb_frame.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)
#define LOAD_FLAGS (JSON_DECODE_ANY | JSON_ALLOW_NUL)
#define FIRST_ROOM 512 /* room asked for before the first json_dumpb() */
#define NAME_SHOWN 200 /* octets of a method name quoted in a message, at most */

/* Serializes value into out as one frame: the prefix slot, then json_dumpb()
 * into the free space after it; if the text did not fit, grows the buffer to
 * the size json_dumpb() reported and dumps once more. */
static int append_json(lpjb_buffer *out, const json_t *value) {
    if (lpjb_buffer_reserve(out, 4 + FIRST_ROOM) != 0) return -1;
    size_t room = out->capacity - out->end - 4;
    size_t size = json_dumpb(value, (char *)out->data + out->end + 4, room, DUMP_FLAGS);
    if (size == 0 || size > UINT32_MAX) return -1;
    if (size > room) {
        if (lpjb_buffer_reserve(out, 4 + size) != 0) return -1;
        room = out->capacity - out->end - 4;
        if (json_dumpb(value, (char *)out->data + out->end + 4, room, DUMP_FLAGS) != size) return -1;
    }
    lpjb_frame_write_prefix((uint32_t)size, out->data + out->end);
    out->end += 4 + size;
    return 0;
}

/* Replaces every octet that is not printable ASCII with '?': jansson's error
 * texts may quote the offending input, which need not be UTF-8. */
static void make_printable(char *text) {
    for (; *text != '\0'; text++) {
        if ((unsigned char)*text < 0x20 || (unsigned char)*text > 0x7e) *text = '?';
    }
}

/* {"out":"error","result":{"code":..,"message":..,"rule":..[,"offset":..]}};
 * message is message_size octets of UTF-8; offset < 0 leaves it out. */
static int append_error(lpjb_buffer *out, const char *code, const char *message, size_t message_size,
                        const char *rule, long long offset) {
    json_t *result = json_object();
    json_t *response = json_object();
    int failed = result == NULL || response == NULL;
    failed |= json_object_set_new(result, "code", json_string(code));
    failed |= json_object_set_new(result, "message", json_stringn(message, message_size));
    failed |= json_object_set_new(result, "rule", json_string(rule));
    if (offset >= 0) failed |= json_object_set_new(result, "offset", json_integer(offset));
    failed |= json_object_set_new(response, "out", json_string("error"));
    failed |= json_object_set_new(response, "result", result); /* steals result, even on failure */
    if (!failed) failed = append_json(out, response);
    json_decref(response);
    return failed ? -1 : 0;
}

static int append_error_text(lpjb_buffer *out, const char *code, const char *message, const char *rule,
                             long long offset) {
    return append_error(out, code, message, strlen(message), rule, offset);
}

/* The unknown-method message, naming the method: at most NAME_SHOWN octets
 * of it, cut at a UTF-8 sequence boundary so the text stays UTF-8. */
static int append_unknown_method(lpjb_buffer *out, const json_t *in) {
    static const char before[] = "unknown method \"";
    const char *name = json_string_value(in);
    size_t size = json_string_length(in);
    if (size > NAME_SHOWN) {
        size = NAME_SHOWN;
        while (size > 0 && ((unsigned char)name[size] & 0xc0) == 0x80) size--;
    }
    char message[sizeof before + NAME_SHOWN + 8];
    size_t used = sizeof before - 1;
    memcpy(message, before, used);
    memcpy(message + used, name, size);
    used += size;
    message[used++] = '"';
    return append_error(out, "unknown-method", message, used, "msg.unknown-method", -1);
}

static int append_pong(lpjb_buffer *out, json_t *params) {
    json_t *response = json_object();
    int failed = response == NULL;
    failed |= json_object_set_new(response, "out", json_string("pong"));
    failed |= json_object_set(response, "result", params);
    if (!failed) failed = append_json(out, response);
    json_decref(response);
    return failed ? -1 : 0;
}

int lpjb_reply_append(lpjb_buffer *out, const unsigned char *body, size_t size) {
    if (size == 0) {
        return append_error_text(out, "invalid-json", "empty body: expected a JSON value", "frame.zero-length", 0);
    }
    json_error_t error;
    json_t *request = json_loadb((const char *)body, size, LOAD_FLAGS, &error);
    if (request == NULL) {
        const int utf8 = json_error_code(&error) == json_error_invalid_utf8;
        long long offset = error.position < 0 ? 0 : error.position;
        if ((size_t)offset > size) offset = (long long)size;
        make_printable(error.text);
        return append_error_text(out, utf8 ? "invalid-utf8" : "invalid-json", error.text,
                                 utf8 ? "body.utf8" : "body.json-text", offset);
    }
    int status;
    const json_t *in = json_object_get(request, "in");
    json_t *params = json_object_get(request, "params");
    if (!json_is_object(request)) {
        status = append_error_text(out, "invalid-request", "the body is not a JSON object", "body.object", -1);
    } else if (!json_is_string(in) || params == NULL) {
        status = append_error_text(out, "invalid-request",
                                   "a request needs \"in\" (a string) and \"params\"", "msg.request", -1);
    } else if (json_string_length(in) == 4 && memcmp(json_string_value(in), "ping", 4) == 0) {
        status = append_pong(out, params);
    } else {
        status = append_unknown_method(out, in);
    }
    json_decref(request);
    return status;
}

int lpjb_reply_append_too_large(lpjb_buffer *out, uint32_t length, uint32_t limit) {
    char message[160];
    snprintf(message, sizeof message, "length prefix says %lu octets, over the limit of %lu",
             (unsigned long)length, (unsigned long)limit);
    return append_error_text(out, "frame-too-large", message, "frame.oversize-close", -1);
}
