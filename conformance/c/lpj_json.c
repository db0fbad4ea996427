/* lpj_json.c - jansson values from checked bodies. */
#include "lpj_json.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lpj_scan.h"

/* ---- The token builder, for what json_loadb() refuses -------------------- */

typedef struct builder {
    json_t *root;
    json_t **open;      /* open containers, innermost last */
    size_t depth;
    char *name;         /* the member name waiting for its value */
    size_t name_length;
} builder;

static int out_of_memory(lpj_error_t *err) {
    return lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory while building a jansson value");
}

/* int64 when the token is an integer that fits; otherwise the nearest
 * binary64, clamped to the finite range. */
static json_t *number(const unsigned char *text, size_t length) {
    char *copy = malloc(length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    json_t *value = NULL;
    if (strpbrk(copy, ".eE") == NULL) {
        errno = 0;
        const long long integer = strtoll(copy, NULL, 10);
        if (errno != ERANGE) value = json_integer((json_int_t)integer);
    }
    if (value == NULL) {
        double real = strtod(copy, NULL);
        if (isinf(real)) real = real > 0 ? DBL_MAX : -DBL_MAX;
        value = json_real(real);
    }
    free(copy);
    return value;
}

static char *decode_name(const unsigned char *body, const lpj_token *token, size_t *length) {
    char *text = malloc(token->length - 1);
    if (text != NULL) *length = lpj_string_decode(body + token->offset, token->length, (unsigned char *)text);
    return text;
}

static int on_token(void *context, const unsigned char *body, const lpj_token *token, lpj_error_t *err) {
    builder *b = context;
    json_t *value = NULL;
    switch (token->type) {
    case LPJ_TOKEN_OBJECT_END:
    case LPJ_TOKEN_ARRAY_END:
        b->depth--;
        return 0;
    case LPJ_TOKEN_KEY:
        b->name = decode_name(body, token, &b->name_length);
        return b->name == NULL ? out_of_memory(err) : 0;
    case LPJ_TOKEN_OBJECT_BEGIN: value = json_object(); break;
    case LPJ_TOKEN_ARRAY_BEGIN: value = json_array(); break;
    case LPJ_TOKEN_TRUE: value = json_true(); break;
    case LPJ_TOKEN_FALSE: value = json_false(); break;
    case LPJ_TOKEN_NULL: value = json_null(); break;
    case LPJ_TOKEN_NUMBER: value = number(body + token->offset, token->length); break;
    case LPJ_TOKEN_STRING: {
        size_t length;
        char *text = decode_name(body, token, &length);
        if (text != NULL) value = json_stringn(text, length);
        free(text);
        break;
    }
    }
    if (value == NULL) return out_of_memory(err);
    int status = 0;
    if (b->depth == 0) {
        b->root = value;
    } else {
        json_t *parent = b->open[b->depth - 1];
        if (json_is_array(parent)) {
            status = json_array_append(parent, value);
        } else {
            status = json_object_setn(parent, b->name, b->name_length, value);
            free(b->name);
            b->name = NULL;
        }
        json_decref(value); /* the parent holds it now */
    }
    if (status != 0) return out_of_memory(err);
    if (json_is_object(value) || json_is_array(value)) b->open[b->depth++] = value;
    return 0;
}

static json_t *build_from_tokens(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err) {
    builder b = {NULL, NULL, 0, NULL, 0};
    const size_t depth_limit = max_depth == 0 ? LPJ_SCAN_DEFAULT_MAX_DEPTH
                               : max_depth > LPJ_SCAN_LARGEST_MAX_DEPTH ? LPJ_SCAN_LARGEST_MAX_DEPTH
                                                                         : max_depth;
    b.open = malloc(depth_limit * sizeof *b.open);
    if (b.open == NULL) {
        out_of_memory(err);
        return NULL;
    }
    if (lpj_scan(body, size, max_depth, on_token, &b, err) != 0) {
        json_decref(b.root);
        b.root = NULL;
    }
    free(b.name);
    free(b.open);
    return b.root;
}

/* ---- The entry points ------------------------------------------------------ */

json_t *lpj_json_build(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err) {
    json_error_t jerr;
    json_t *value = json_loadb((const char *)body, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (value != NULL) return value;
    const enum json_error_code code = json_error_code(&jerr);
    if (code == json_error_numeric_overflow || code == json_error_null_byte_in_key) {
        return build_from_tokens(body, size, max_depth, err);
    }
    if (code == json_error_out_of_memory) {
        out_of_memory(err);
        return NULL;
    }
    lpj_error_set(err, LPJ_ERR_INTERNAL_ERROR, "body.json-text", jerr.position,
                  "jansson refused a body the strict check accepted: %s", jerr.text);
    return NULL;
}

json_t *lpj_json_loadb(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err) {
    if (lpj_scan(body, size, max_depth, NULL, NULL, err) != 0) return NULL;
    return lpj_json_build(body, size, max_depth, err);
}
