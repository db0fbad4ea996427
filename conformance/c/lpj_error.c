/* lpj_error.c - error codes, names and formatting. */
#include "lpj_error.h"

#include <stdio.h>
#include <string.h>

static const char *const code_names[] = {
    [LPJ_OK] = "ok",
    [LPJ_ERR_FRAME_TOO_LARGE] = "frame-too-large",
    [LPJ_ERR_INVALID_UTF8] = "invalid-utf8",
    [LPJ_ERR_INVALID_JSON] = "invalid-json",
    [LPJ_ERR_INVALID_REQUEST] = "invalid-request",
    [LPJ_ERR_UNKNOWN_METHOD] = "unknown-method",
    [LPJ_ERR_INVALID_PARAMS] = "invalid-params",
    [LPJ_ERR_INTERNAL_ERROR] = "internal-error",
    [LPJ_ERR_TIMEOUT] = "timeout",
    [LPJ_ERR_UPSTREAM_ERROR] = "upstream-error",
    [LPJ_ERR_OVERLOADED] = "overloaded",
    [LPJ_ERR_TRUNCATED_FRAME] = "truncated-frame",
    [LPJ_ERR_INVALID_RESPONSE] = "invalid-response",
    [LPJ_ERR_ERROR_RESPONSE] = "error-response",
    [LPJ_ERR_RESOLVE] = "resolve",
    [LPJ_ERR_REFUSED] = "refused",
    [LPJ_ERR_TIMED_OUT] = "timed-out",
    [LPJ_ERR_CLOSED] = "closed",
    [LPJ_ERR_IO] = "io",
    [LPJ_ERR_NO_MEMORY] = "no-memory",
    [LPJ_ERR_USAGE] = "usage",
    [LPJ_ERR_FILE] = "file",
};

const char *lpj_code_name(lpj_code code) {
    if ((unsigned)code < sizeof code_names / sizeof code_names[0] && code_names[code] != NULL) {
        return code_names[code];
    }
    return "unknown";
}

lpj_code lpj_code_from_wire_name(const char *name) {
    for (lpj_code code = LPJ_ERR_FRAME_TOO_LARGE; code <= LPJ_ERR_OVERLOADED; code++) {
        if (strcmp(code_names[code], name) == 0) return code;
    }
    return LPJ_ERR_INTERNAL_ERROR;
}

void lpj_error_clear(lpj_error_t *err) {
    if (err == NULL) return;
    err->code = LPJ_OK;
    err->rule[0] = '\0';
    err->offset = -1;
    err->text[0] = '\0';
}

int lpj_error_set(lpj_error_t *err, lpj_code code, const char *rule, long long offset,
                  const char *format, ...) {
    if (err == NULL) return -1;
    err->code = code;
    if (rule != err->rule) snprintf(err->rule, sizeof err->rule, "%s", rule != NULL ? rule : "");
    err->offset = offset;
    va_list args;
    va_start(args, format);
    vsnprintf(err->text, sizeof err->text, format, args);
    va_end(args);
    return -1;
}

void lpj_error_prefix(lpj_error_t *err, const char *context) {
    if (err == NULL) return;
    const size_t head = strlen(context) + 2; /* "context: " */
    if (head >= sizeof err->text) return;
    size_t tail = strlen(err->text);
    if (head + tail >= sizeof err->text) tail = sizeof err->text - 1 - head;
    memmove(err->text + head, err->text, tail);
    memcpy(err->text, context, head - 2);
    memcpy(err->text + head - 2, ": ", 2);
    err->text[head + tail] = '\0';
}

char *lpj_error_format(const lpj_error_t *err, char *buffer, size_t size) {
    int used = snprintf(buffer, size, "%s", lpj_code_name(err->code));
    if (used >= 0 && (size_t)used < size && err->rule[0] != '\0') {
        used += snprintf(buffer + used, size - (size_t)used, " [%s]", err->rule);
    }
    if (used >= 0 && (size_t)used < size && err->offset >= 0) {
        used += snprintf(buffer + used, size - (size_t)used, " at offset %lld", err->offset);
    }
    if (used >= 0 && (size_t)used < size && err->text[0] != '\0') {
        snprintf(buffer + used, size - (size_t)used, ": %s", err->text);
    }
    return buffer;
}
