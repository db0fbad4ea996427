/* lpj_scan.c - the strict, non-recursive JSON body scanner of lpj_scan.h. */
#include "lpj_scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lpj_utf8.h"

typedef struct scanner {
    const unsigned char *s;
    size_t n;     /* body size */
    size_t i;     /* cursor */
    size_t depth; /* open containers */
    size_t max_depth;
    /* Bit d-1 says whether the container at depth d is an object (1) or an array (0). */
    unsigned char objects[LPJ_SCAN_LARGEST_MAX_DEPTH / 8];
    lpj_token_handler handler;
    void *context;
    lpj_error_t *err;
} scanner;

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static void skip_whitespace(scanner *sc) {
    while (sc->i < sc->n) {
        const unsigned char c = sc->s[sc->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
        sc->i++;
    }
}

static int has_literal(const scanner *sc, size_t at, const char *literal) {
    const size_t length = strlen(literal);
    return at <= sc->n && sc->n - at >= length && memcmp(sc->s + at, literal, length) == 0;
}

/* What stands at `at`, for a message: 'x', U+00E9, octet 0x0a, the end of the body. */
static const char *describe(const scanner *sc, size_t at, char *buffer, size_t size) {
    if (at >= sc->n) return "the end of the body";
    const unsigned char c = sc->s[at];
    if (c >= 0x21 && c < 0x7f) {
        snprintf(buffer, size, "'%c'", c);
    } else if (c >= 0x80 && lpj_utf8_sequence_length(sc->s, sc->n, at) > 0) {
        unsigned char decoded[4];
        const size_t length = lpj_utf8_sequence_length(sc->s, sc->n, at);
        memcpy(decoded, sc->s + at, length);
        unsigned long code_point = length == 2   ? (decoded[0] & 0x1fu)
                                   : length == 3 ? (decoded[0] & 0x0fu)
                                                 : (decoded[0] & 0x07u);
        for (size_t k = 1; k < length; k++) code_point = code_point << 6 | (decoded[k] & 0x3fu);
        snprintf(buffer, size, "U+%04lX", code_point);
    } else {
        snprintf(buffer, size, "octet 0x%02x", c);
    }
    return buffer;
}

/* A defect at `at`. A grammar error at an octet that begins an ill-formed
 * UTF-8 sequence is a UTF-8 defect at the same offset, and those win ties. */
static int fail(scanner *sc, const char *rule, size_t at, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail(scanner *sc, const char *rule, size_t at, const char *format, ...) {
    if (strcmp(rule, "body.json-text") == 0 && at < sc->n && sc->s[at] >= 0x80 &&
        lpj_utf8_sequence_length(sc->s, sc->n, at) == 0) {
        return lpj_error_set(sc->err, LPJ_ERR_INVALID_UTF8, "body.utf8", (long long)at,
                             "invalid UTF-8 sequence starting with octet 0x%02x", sc->s[at]);
    }
    char text[LPJ_ERROR_TEXT_LENGTH];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    return lpj_error_set(sc->err, LPJ_ERR_INVALID_JSON, rule, (long long)at, "%s", text);
}

static int fail_utf8(scanner *sc, size_t at) {
    char shown[16] = "";
    for (size_t k = at; k < sc->n && k < at + 4; k++) {
        snprintf(shown + strlen(shown), sizeof shown - strlen(shown), k == at ? "%02x" : " %02x",
                 sc->s[k]);
    }
    return lpj_error_set(sc->err, LPJ_ERR_INVALID_UTF8, "body.utf8", (long long)at,
                         "invalid UTF-8 sequence starting with octets %s", shown);
}

static int emit(scanner *sc, lpj_token_type type, size_t offset, size_t length) {
    if (sc->handler == NULL) return 0;
    const lpj_token token = {type, offset, length, sc->depth};
    return sc->handler(sc->context, sc->s, &token, sc->err) == 0 ? 0 : -1;
}

/* ---- Strings ------------------------------------------------------------ */

/* Four hex digits at `at`; -1 on error. */
static long hex4(scanner *sc, size_t at) {
    long value = 0;
    for (size_t k = at; k < at + 4; k++) {
        if (k >= sc->n) return fail(sc, "body.json-text", sc->n, "the body ended inside a \\u escape");
        const unsigned char c = sc->s[k];
        int digit;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            char here[24];
            return fail(sc, "body.json-text", k, "expected a hex digit in a \\u escape, found %s",
                        describe(sc, k, here, sizeof here));
        }
        value = value << 4 | digit;
    }
    return value;
}

/* \uXXXX or a surrogate pair at sc->i (on the backslash); moves past it. */
static int unicode_escape(scanner *sc) {
    const size_t start = sc->i;
    const long high = hex4(sc, start + 2);
    if (high < 0) return -1;
    if (high >= 0xdc00 && high <= 0xdfff) {
        return fail(sc, "body.no-lone-surrogates", start,
                    "low surrogate \\u%04lX without a high surrogate before it", high);
    }
    if (high < 0xd800 || high > 0xdbff) {
        sc->i = start + 6;
        return 0;
    }
    if (!has_literal(sc, start + 6, "\\u")) {
        return fail(sc, "body.no-lone-surrogates", start,
                    "high surrogate \\u%04lX is not followed by a low surrogate", high);
    }
    const long low = hex4(sc, start + 8);
    if (low < 0) return -1;
    if (low < 0xdc00 || low > 0xdfff) {
        return fail(sc, "body.no-lone-surrogates", start,
                    "high surrogate \\u%04lX is followed by \\u%04lX, not a low surrogate", high, low);
    }
    sc->i = start + 12;
    return 0;
}

/* A string with the cursor on its opening quote; reports it as `type`. */
static int scan_string(scanner *sc, lpj_token_type type) {
    const size_t start = sc->i;
    sc->i++;
    while (sc->i < sc->n) {
        const unsigned char c = sc->s[sc->i];
        if (c == '"') {
            sc->i++;
            return emit(sc, type, start, sc->i - start);
        }
        if (c == '\\') {
            if (sc->i + 1 >= sc->n) return fail(sc, "body.json-text", sc->n, "the body ended inside an escape");
            const unsigned char e = sc->s[sc->i + 1];
            if (e == 'u') {
                if (unicode_escape(sc) != 0) return -1;
            } else if (strchr("\"\\/bfnrt", e) != NULL && e != '\0') {
                sc->i += 2;
            } else {
                char here[24];
                return fail(sc, "body.json-text", sc->i, "invalid escape '\\' then %s in a string",
                            describe(sc, sc->i + 1, here, sizeof here));
            }
        } else if (c < 0x20) {
            return fail(sc, "body.json-text", sc->i, "unescaped control character octet 0x%02x in a string", c);
        } else if (c < 0x80) {
            sc->i++;
        } else {
            const size_t length = lpj_utf8_sequence_length(sc->s, sc->n, sc->i);
            if (length == 0) return fail_utf8(sc, sc->i);
            sc->i += length;
        }
    }
    return fail(sc, "body.json-text", sc->n, "the body ended inside a string that began at offset %zu", start);
}

/* ---- Numbers and literals ---------------------------------------------- */

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, any size (body.numbers). */
static int scan_number(scanner *sc) {
    const size_t start = sc->i;
    char here[24];
    if (sc->s[sc->i] == '-') {
        sc->i++;
        if (has_literal(sc, sc->i, "Infinity")) {
            return fail(sc, "body.no-nonfinite", start, "-Infinity is not a JSON number");
        }
    }
    if (sc->i >= sc->n || !is_digit(sc->s[sc->i])) {
        return fail(sc, "body.json-text", sc->i, "expected a digit in a number, found %s",
                    describe(sc, sc->i, here, sizeof here));
    }
    if (sc->s[sc->i] == '0') {
        sc->i++;
        if (sc->i < sc->n && is_digit(sc->s[sc->i])) {
            return fail(sc, "body.json-text", sc->i, "a number must not have a leading zero");
        }
    } else {
        while (sc->i < sc->n && is_digit(sc->s[sc->i])) sc->i++;
    }
    if (sc->i < sc->n && sc->s[sc->i] == '.') {
        sc->i++;
        if (sc->i >= sc->n || !is_digit(sc->s[sc->i])) {
            return fail(sc, "body.json-text", sc->i, "expected a digit after the decimal point, found %s",
                        describe(sc, sc->i, here, sizeof here));
        }
        while (sc->i < sc->n && is_digit(sc->s[sc->i])) sc->i++;
    }
    if (sc->i < sc->n && (sc->s[sc->i] == 'e' || sc->s[sc->i] == 'E')) {
        sc->i++;
        if (sc->i < sc->n && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-')) sc->i++;
        if (sc->i >= sc->n || !is_digit(sc->s[sc->i])) {
            return fail(sc, "body.json-text", sc->i, "expected a digit in an exponent, found %s",
                        describe(sc, sc->i, here, sizeof here));
        }
        while (sc->i < sc->n && is_digit(sc->s[sc->i])) sc->i++;
    }
    return emit(sc, LPJ_TOKEN_NUMBER, start, sc->i - start);
}

static int scan_literal(scanner *sc, const char *literal, lpj_token_type type) {
    if (!has_literal(sc, sc->i, literal)) {
        char here[24];
        return fail(sc, "body.json-text", sc->i, "expected '%s', found %s", literal,
                    describe(sc, sc->i, here, sizeof here));
    }
    const size_t start = sc->i;
    sc->i += strlen(literal);
    return emit(sc, type, start, sc->i - start);
}

/* A value that is not an array or object, with the cursor on its first octet. */
static int scan_scalar(scanner *sc) {
    char here[24];
    if (sc->i >= sc->n) return fail(sc, "body.json-text", sc->n, "expected a value, found the end of the body");
    const unsigned char c = sc->s[sc->i];
    if (c == '"') return scan_string(sc, LPJ_TOKEN_STRING);
    if (c == '-' || is_digit(c)) return scan_number(sc);
    if (c == 't') return scan_literal(sc, "true", LPJ_TOKEN_TRUE);
    if (c == 'f') return scan_literal(sc, "false", LPJ_TOKEN_FALSE);
    if (c == 'n') return scan_literal(sc, "null", LPJ_TOKEN_NULL);
    if (has_literal(sc, sc->i, "NaN") || has_literal(sc, sc->i, "Infinity")) {
        return fail(sc, "body.no-nonfinite", sc->i, "NaN and Infinity are not JSON numbers");
    }
    return fail(sc, "body.json-text", sc->i, "expected a value, found %s", describe(sc, sc->i, here, sizeof here));
}

/* ---- Structure ---------------------------------------------------------- */

static int top_is_object(const scanner *sc) {
    const size_t bit = sc->depth - 1;
    return sc->objects[bit / 8] >> (bit % 8) & 1;
}

/* `"name" :` with the cursor on the opening quote; leaves it after the colon. */
static int scan_member_name(scanner *sc) {
    char here[24];
    if (sc->i >= sc->n || sc->s[sc->i] != '"') {
        return fail(sc, "body.json-text", sc->i, "expected a member name in double quotes, found %s",
                    describe(sc, sc->i, here, sizeof here));
    }
    if (scan_string(sc, LPJ_TOKEN_KEY) != 0) return -1;
    skip_whitespace(sc);
    if (sc->i >= sc->n || sc->s[sc->i] != ':') {
        return fail(sc, "body.json-text", sc->i, "expected ':' after a member name, found %s",
                    describe(sc, sc->i, here, sizeof here));
    }
    sc->i++;
    return 0;
}

/* '{' or '[' at the cursor: opens a container. Returns 1 when it is empty
 * and already closed (a complete value), 0 when a member or element follows. */
static int open_container(scanner *sc) {
    const unsigned char c = sc->s[sc->i];
    const int object = c == '{';
    if (sc->depth + 1 > sc->max_depth) {
        return fail(sc, "body.nesting-limit", sc->i, "nesting depth exceeds %zu", sc->max_depth);
    }
    const size_t bit = sc->depth;
    if (object) {
        sc->objects[bit / 8] = (unsigned char)(sc->objects[bit / 8] | 1u << (bit % 8));
    } else {
        sc->objects[bit / 8] = (unsigned char)(sc->objects[bit / 8] & ~(1u << (bit % 8)));
    }
    sc->depth++;
    if (emit(sc, object ? LPJ_TOKEN_OBJECT_BEGIN : LPJ_TOKEN_ARRAY_BEGIN, sc->i, 1) != 0) return -1;
    sc->i++;
    skip_whitespace(sc);
    if (sc->i < sc->n && sc->s[sc->i] == (object ? '}' : ']')) {
        if (emit(sc, object ? LPJ_TOKEN_OBJECT_END : LPJ_TOKEN_ARRAY_END, sc->i, 1) != 0) return -1;
        sc->depth--;
        sc->i++;
        return 1;
    }
    if (object && scan_member_name(sc) != 0) return -1;
    return 0;
}

/* A value has just ended: close every container that ends here. Returns 0
 * when another value follows, 1 at the end of the body, -1 on an error. */
static int after_value(scanner *sc) {
    char here[24];
    for (;;) {
        skip_whitespace(sc);
        if (sc->depth == 0) {
            if (sc->i == sc->n) return 1;
            return fail(sc, "body.json-text", sc->i, "expected the end of the body after one JSON value, found %s",
                        describe(sc, sc->i, here, sizeof here));
        }
        const int object = top_is_object(sc);
        const unsigned char c = sc->i < sc->n ? sc->s[sc->i] : 0;
        if (c == ',') {
            sc->i++;
            if (object) {
                skip_whitespace(sc);
                if (scan_member_name(sc) != 0) return -1;
            }
            return 0;
        }
        if (c == (object ? '}' : ']')) {
            if (emit(sc, object ? LPJ_TOKEN_OBJECT_END : LPJ_TOKEN_ARRAY_END, sc->i, 1) != 0) return -1;
            sc->depth--;
            sc->i++;
            continue;
        }
        return fail(sc, "body.json-text", sc->i, object ? "expected ',' or '}' in an object, found %s"
                                                         : "expected ',' or ']' in an array, found %s",
                    describe(sc, sc->i, here, sizeof here));
    }
}

int lpj_scan(const unsigned char *body, size_t size, size_t max_depth, lpj_token_handler handler,
             void *context, lpj_error_t *err) {
    scanner sc;
    memset(&sc, 0, sizeof sc);
    sc.s = body;
    sc.n = size;
    sc.max_depth = max_depth == 0 ? LPJ_SCAN_DEFAULT_MAX_DEPTH
                   : max_depth > LPJ_SCAN_LARGEST_MAX_DEPTH ? LPJ_SCAN_LARGEST_MAX_DEPTH
                                                             : max_depth;
    sc.handler = handler;
    sc.context = context;
    sc.err = err;
    lpj_error_clear(err);

    if (size == 0) {
        return lpj_error_set(err, LPJ_ERR_INVALID_JSON, "frame.zero-length", 0,
                             "the body is empty: expected a JSON value");
    }
    if (size >= 3 && body[0] == 0xef && body[1] == 0xbb && body[2] == 0xbf) {
        return lpj_error_set(err, LPJ_ERR_INVALID_JSON, "body.no-bom", 0,
                             "the body starts with a byte order mark (ef bb bf)");
    }
    for (;;) {
        skip_whitespace(&sc);
        int status;
        if (sc.i < sc.n && (sc.s[sc.i] == '{' || sc.s[sc.i] == '[')) {
            status = open_container(&sc);
            if (status < 0) return -1;
            if (status == 0) continue; /* a member value or an element follows */
        } else if (scan_scalar(&sc) != 0) {
            return -1;
        }
        status = after_value(&sc);
        if (status < 0) return -1;
        if (status == 1) return 0;
    }
}

/* ---- Unescaping ---------------------------------------------------------- */

static unsigned long hex_value(const unsigned char *p) {
    unsigned long value = 0;
    for (int k = 0; k < 4; k++) {
        const unsigned char c = p[k];
        const unsigned long digit = c <= '9' ? (unsigned long)(c - '0')
                                    : c <= 'F' ? (unsigned long)(c - 'A' + 10)
                                               : (unsigned long)(c - 'a' + 10);
        value = value << 4 | digit;
    }
    return value;
}

size_t lpj_string_decode(const unsigned char *token, size_t length, unsigned char *out) {
    size_t o = 0;
    size_t i = 1;
    const size_t end = length - 1; /* the closing quote */
    while (i < end) {
        const unsigned char c = token[i];
        if (c != '\\') {
            out[o++] = c;
            i++;
            continue;
        }
        const unsigned char e = token[i + 1];
        switch (e) {
        case 'b': out[o++] = 0x08; i += 2; break;
        case 'f': out[o++] = 0x0c; i += 2; break;
        case 'n': out[o++] = 0x0a; i += 2; break;
        case 'r': out[o++] = 0x0d; i += 2; break;
        case 't': out[o++] = 0x09; i += 2; break;
        case 'u': {
            unsigned long code_point = hex_value(token + i + 2);
            i += 6;
            if (code_point >= 0xd800 && code_point <= 0xdbff) { /* the scan checked the pair */
                code_point = 0x10000 + ((code_point - 0xd800) << 10) + (hex_value(token + i + 2) - 0xdc00);
                i += 6;
            }
            o += lpj_utf8_encode((uint32_t)code_point, out + o);
            break;
        }
        default: out[o++] = e; i += 2; break; /* " \ / */
        }
    }
    return o;
}
