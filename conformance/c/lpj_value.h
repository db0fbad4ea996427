/*
 * lpj_value.h - an exact JSON tree, for comparing values as the spec does
 * (msg.value-equality).
 *
 *   {"b":[1.0,"\u00e9"],"a":true}   equals   {"a":true,"b":[1,"é"]}
 *
 *   OBJECT  members in body order, duplicates kept: ("b", ARRAY) ("a", TRUE)
 *   ARRAY   NUMBER "1e0", STRING c3 a9
 *
 * jansson cannot serve here: it rounds numbers to int64 or binary64 (and
 * refuses 1e400 outright), and it keeps only the last of duplicate member
 * names. This tree keeps numbers as canonical decimal text (lpj_number.h),
 * strings as their unescaped UTF-8 (body.escapes-equal, U+0000 included), and
 * every member of an object in order (body.nested-duplicates, behaviour 1).
 *
 * It is built by lpj_scan() without recursion and freed without recursion.
 * Comparing recurses once per nesting level, so its stack use is bounded by
 * the depth limit the tree was parsed with (at most LPJ_SCAN_LARGEST_MAX_DEPTH).
 */
#ifndef LPJ_VALUE_H
#define LPJ_VALUE_H

#include <stddef.h>

#include "lpj_error.h"

typedef enum lpj_value_type {
    LPJ_VALUE_NULL,
    LPJ_VALUE_FALSE,
    LPJ_VALUE_TRUE,
    LPJ_VALUE_NUMBER,
    LPJ_VALUE_STRING,
    LPJ_VALUE_ARRAY,
    LPJ_VALUE_OBJECT
} lpj_value_type;

typedef struct lpj_value lpj_value;

typedef struct lpj_member {
    unsigned char *name; /* unescaped UTF-8, counted */
    size_t name_length;
    lpj_value *value;
} lpj_member;

struct lpj_value {
    lpj_value_type type;
    /* STRING: the characters as UTF-8 (may contain 00 octets);
     * NUMBER: the canonical text of lpj_number.h. NULL otherwise. */
    unsigned char *text;
    size_t length;
    size_t count;        /* ARRAY: elements; OBJECT: members */
    size_t capacity;
    lpj_value **items;   /* ARRAY */
    lpj_member *members; /* OBJECT, in body order */
    lpj_value *parent;   /* the enclosing array or object; NULL for the root */
};

/* Parses body[0 .. size) (checked by lpj_scan() with max_depth) into a new
 * tree. NULL with err set on a body defect or LPJ_ERR_NO_MEMORY. */
lpj_value *lpj_value_parse(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err);

/* Frees a tree that lpj_value_parse() returned (a root, not a subtree). */
void lpj_value_free(lpj_value *value);

/* msg.value-equality: same type, and strings equal as scalar sequences,
 * numbers equal as mathematical values, arrays equal element by element,
 * objects equal as multisets of (name, value) members. Returns 1 or 0; a
 * comparison of objects that runs out of memory returns -1. */
int lpj_value_equal(const lpj_value *a, const lpj_value *b);

/* The first member of object named name (NUL-terminated; compared with the
 * unescaped names), or NULL; NULL also when object is not an object. */
const lpj_value *lpj_value_member(const lpj_value *object, const char *name);

/* How many members of object are named name. */
size_t lpj_value_member_count(const lpj_value *object, const char *name);

/* Whether value is a string equal to the NUL-terminated text. */
int lpj_value_is_string(const lpj_value *value, const char *text);

/* "null", "false", "true", "number", "string", "array", "object". */
const char *lpj_value_type_name(lpj_value_type type);

#endif /* LPJ_VALUE_H */
