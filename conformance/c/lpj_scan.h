/*
 * lpj_scan.h - the strict body check: one JSON text, as spec/lpj.md Section 4
 * defines it, in one pass, without recursion.
 *
 *   ef bb bf 7b 7d            invalid-json  body.no-bom            offset 0
 *   {"a":01}                  invalid-json  body.json-text         offset 6
 *   {"x":"\ud800"}            invalid-json  body.no-lone-surrogates offset 6
 *   {"x":NaN}                 invalid-json  body.no-nonfinite      offset 5
 *   {"x":"caf" e9 "}          invalid-utf8  body.utf8              offset 9
 *   512 + 1 nested [          invalid-json  body.nesting-limit     offset of that [
 *   (empty)                   invalid-json  frame.zero-length      offset 0
 *
 * Steps 1 to 3 of the spec's check table: well-formed UTF-8 (body.utf8), no
 * byte order mark (body.no-bom), exactly one RFC 8259 JSON text
 * (body.json-text) with paired surrogate escapes (body.no-lone-surrogates), no
 * NaN or Infinity (body.no-nonfinite) and a depth within the limit
 * (body.nesting-limit). Numbers of any size and precision are valid
 * (body.numbers); duplicate member names are not a grammar error
 * (body.nested-duplicates).
 *
 * When a body has defects of several kinds, the one that begins earliest
 * wins, and a UTF-8 defect wins a tie (body.utf8): the scanner meets the
 * octets in order and checks each UTF-8 sequence where it stands. Offsets are
 * the error point or the first octet of the token (string escape, number,
 * literal) holding it, as msg.error-response allows; they agree with the
 * reference parser on every fixture.
 *
 * The scanner keeps no tree: it reports each token to a handler, which can
 * build whatever it wants (lpj_value.h builds an exact tree; lpj_json.h a
 * jansson value). Its memory is a fixed bit stack of LPJ_SCAN_LARGEST_MAX_DEPTH
 * bits: no input, however deep, can overflow the C stack.
 */
#ifndef LPJ_SCAN_H
#define LPJ_SCAN_H

#include <stddef.h>

#include "lpj_error.h"

/* The reference depth limit (body.nesting-limit); the message object is depth 1. */
#define LPJ_SCAN_DEFAULT_MAX_DEPTH 512
/* The largest limit that can be configured (jansson's own parser stops at 2048). */
#define LPJ_SCAN_LARGEST_MAX_DEPTH 2048

typedef enum lpj_token_type {
    LPJ_TOKEN_OBJECT_BEGIN,
    LPJ_TOKEN_OBJECT_END,
    LPJ_TOKEN_ARRAY_BEGIN,
    LPJ_TOKEN_ARRAY_END,
    LPJ_TOKEN_KEY,    /* a member name, quotes included */
    LPJ_TOKEN_STRING, /* a string value, quotes included */
    LPJ_TOKEN_NUMBER,
    LPJ_TOKEN_TRUE,
    LPJ_TOKEN_FALSE,
    LPJ_TOKEN_NULL
} lpj_token_type;

typedef struct lpj_token {
    lpj_token_type type;
    size_t offset; /* the token's first octet in the body */
    size_t length; /* its octets: the whole string with quotes, 1 for a bracket */
    /* Open arrays and objects around the token, counting its own for BEGIN
     * and END: the message object's BEGIN, END and member names are depth 1,
     * a top-level scalar is depth 0. */
    size_t depth;
} lpj_token;

/* Called for every token in body order. Returns 0 to go on, or -1 (having
 * filled err) to stop the scan, which then returns -1 with that error. */
typedef int (*lpj_token_handler)(void *context, const unsigned char *body, const lpj_token *token,
                                 lpj_error_t *err);

/*
 * Checks that body[0 .. size) is one acceptable JSON text, reporting each
 * token to handler (which may be NULL) as it goes. max_depth 0 means
 * LPJ_SCAN_DEFAULT_MAX_DEPTH; values above LPJ_SCAN_LARGEST_MAX_DEPTH are
 * lowered to it. Returns 0, or -1 with err set (LPJ_ERR_INVALID_UTF8 or
 * LPJ_ERR_INVALID_JSON, rule, body offset, text). Tokens reported before an
 * error are not retracted: a handler's work is to be discarded on -1.
 */
int lpj_scan(const unsigned char *body, size_t size, size_t max_depth, lpj_token_handler handler,
             void *context, lpj_error_t *err);

/* The characters of a string or key token that lpj_scan() accepted, unescaped
 * to UTF-8 into out (body.escapes-equal), which needs room for length - 2
 * octets: unescaping never makes a string longer. Returns the octets written.
 * \u0000 becomes a 00 octet: the result is counted, not NUL-terminated. */
size_t lpj_string_decode(const unsigned char *token, size_t length, unsigned char *out);

#endif /* LPJ_SCAN_H */
