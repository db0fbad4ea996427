/*
 * lpj_json.h - a body as a jansson value, after the strict checks.
 *
 *   body octets --lpj_scan()--> checked --json_loadb()--> json_t *
 *                                  (strict)     (length-aware, never json_loads)
 *
 * lpj_scan() decides whether the body is acceptable; jansson only builds the
 * value, with JSON_DECODE_ANY | JSON_ALLOW_NUL (so "\u0000" survives,
 * body.escapes-equal). jansson parses from the body's length, never from a
 * terminating NUL.
 *
 * Numbers (body.numbers, choice 3 of the spec): an integer that fits int64 is
 * a json_integer; every other number is a json_real, the binary64 value
 * strtod() rounds it to; a number beyond binary64's range (1e400) becomes the
 * nearest finite value, +-1.7976931348623157e308, and one below it 0 or -0.
 * Duplicate member names inside params and result keep the last member
 * (jansson's behaviour; body.nested-duplicates, behaviour 2). For exact
 * numbers and every duplicate, use lpj_value.h, which keeps the text.
 *
 * jansson's own parser refuses two things that are valid LPJ: numbers it
 * cannot hold ("real number overflow", "too big integer") and member names
 * containing U+0000 ("NUL byte in object key not supported"). For exactly
 * those bodies, the value is built from lpj_scan()'s tokens instead, with
 * json_object_setn_new(), which takes counted names.
 */
#ifndef LPJ_JSON_H
#define LPJ_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "lpj_error.h"

/* Checks body[0 .. size) with lpj_scan() (max_depth as there) and returns it
 * as a new jansson value (any JSON type), or NULL with err set. */
json_t *lpj_json_loadb(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err);

/* The same for a body that lpj_scan() has already accepted. */
json_t *lpj_json_build(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err);

#endif /* LPJ_JSON_H */
