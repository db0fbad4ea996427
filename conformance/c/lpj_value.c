/* lpj_value.c - the exact JSON tree: building, freeing, comparing. */
#include "lpj_value.h"

#include <stdlib.h>
#include <string.h>

#include "lpj_number.h"
#include "lpj_scan.h"

/* ---- Building ------------------------------------------------------------ */

typedef struct builder {
    lpj_value *root;
    lpj_value *open;            /* the innermost open array or object */
    unsigned char *name;        /* the member name waiting for its value */
    size_t name_length;
} builder;

static int out_of_memory(lpj_error_t *err) {
    return lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory while building a JSON tree");
}

/* Adds value to the open container (or makes it the root). */
static int attach(builder *b, lpj_value *value, lpj_error_t *err) {
    lpj_value *parent = b->open;
    value->parent = parent;
    if (parent == NULL) {
        b->root = value;
        return 0;
    }
    if (parent->count == parent->capacity) {
        const size_t capacity = parent->capacity == 0 ? 4 : parent->capacity * 2;
        if (parent->type == LPJ_VALUE_ARRAY) {
            lpj_value **items = realloc(parent->items, capacity * sizeof *items);
            if (items == NULL) return out_of_memory(err);
            parent->items = items;
        } else {
            lpj_member *members = realloc(parent->members, capacity * sizeof *members);
            if (members == NULL) return out_of_memory(err);
            parent->members = members;
        }
        parent->capacity = capacity;
    }
    if (parent->type == LPJ_VALUE_ARRAY) {
        parent->items[parent->count++] = value;
    } else {
        lpj_member *member = &parent->members[parent->count++];
        member->name = b->name;
        member->name_length = b->name_length;
        member->value = value;
        b->name = NULL;
    }
    return 0;
}

static unsigned char *decode_string(const unsigned char *body, const lpj_token *token, size_t *length) {
    unsigned char *text = malloc(token->length - 1); /* >= 1 octet, enough for the characters */
    if (text != NULL) *length = lpj_string_decode(body + token->offset, token->length, text);
    return text;
}

static int on_token(void *context, const unsigned char *body, const lpj_token *token, lpj_error_t *err) {
    builder *b = context;
    if (token->type == LPJ_TOKEN_OBJECT_END || token->type == LPJ_TOKEN_ARRAY_END) {
        b->open = b->open->parent;
        return 0;
    }
    if (token->type == LPJ_TOKEN_KEY) {
        b->name = decode_string(body, token, &b->name_length);
        return b->name == NULL ? out_of_memory(err) : 0;
    }
    lpj_value *value = calloc(1, sizeof *value);
    if (value == NULL) return out_of_memory(err);
    switch (token->type) {
    case LPJ_TOKEN_OBJECT_BEGIN: value->type = LPJ_VALUE_OBJECT; break;
    case LPJ_TOKEN_ARRAY_BEGIN: value->type = LPJ_VALUE_ARRAY; break;
    case LPJ_TOKEN_TRUE: value->type = LPJ_VALUE_TRUE; break;
    case LPJ_TOKEN_FALSE: value->type = LPJ_VALUE_FALSE; break;
    case LPJ_TOKEN_NULL: value->type = LPJ_VALUE_NULL; break;
    case LPJ_TOKEN_STRING:
        value->type = LPJ_VALUE_STRING;
        value->text = decode_string(body, token, &value->length);
        break;
    case LPJ_TOKEN_NUMBER:
        value->type = LPJ_VALUE_NUMBER;
        value->text = (unsigned char *)lpj_number_canonical(body + token->offset, token->length, &value->length);
        break;
    default: break;
    }
    if ((value->type == LPJ_VALUE_STRING || value->type == LPJ_VALUE_NUMBER) && value->text == NULL) {
        free(value);
        return out_of_memory(err);
    }
    if (attach(b, value, err) != 0) {
        free(value->text);
        free(value);
        return -1;
    }
    if (value->type == LPJ_VALUE_OBJECT || value->type == LPJ_VALUE_ARRAY) b->open = value;
    return 0;
}

lpj_value *lpj_value_parse(const unsigned char *body, size_t size, size_t max_depth, lpj_error_t *err) {
    builder b = {NULL, NULL, NULL, 0};
    if (lpj_scan(body, size, max_depth, on_token, &b, err) != 0) {
        free(b.name);
        lpj_value_free(b.root);
        return NULL;
    }
    return b.root;
}

/* Children first, then the node, walking with the parent pointers: no
 * recursion, so no depth can overflow the stack. */
void lpj_value_free(lpj_value *value) {
    if (value == NULL) return;
    value->parent = NULL;
    while (value != NULL) {
        lpj_value *child = NULL;
        if (value->type == LPJ_VALUE_ARRAY && value->count > 0) {
            child = value->items[--value->count];
        } else if (value->type == LPJ_VALUE_OBJECT && value->count > 0) {
            lpj_member *member = &value->members[--value->count];
            free(member->name);
            child = member->value;
        }
        if (child != NULL) {
            child->parent = value;
            value = child;
            continue;
        }
        lpj_value *parent = value->parent;
        free(value->text);
        free(value->items);
        free(value->members);
        free(value);
        value = parent;
    }
}

/* ---- Comparing ------------------------------------------------------------ */

static int bytes_equal(const unsigned char *a, size_t a_length, const unsigned char *b, size_t b_length) {
    return a_length == b_length && (a_length == 0 || memcmp(a, b, a_length) == 0);
}

static int compare_names(const void *left, const void *right) {
    const lpj_member *a = *(const lpj_member *const *)left;
    const lpj_member *b = *(const lpj_member *const *)right;
    const size_t common = a->name_length < b->name_length ? a->name_length : b->name_length;
    const int order = common == 0 ? 0 : memcmp(a->name, b->name, common);
    if (order != 0) return order;
    return (a->name_length > b->name_length) - (a->name_length < b->name_length);
}

static int same_name(const lpj_member *a, const lpj_member *b) {
    return bytes_equal(a->name, a->name_length, b->name, b->name_length);
}

/* Members with one name, a[0 .. n) and b[0 .. n): equal as multisets of
 * values. Greedy matching is exact because equality is an equivalence. */
static int group_equal(const lpj_member **a, const lpj_member **b, size_t n) {
    if (n == 1) return lpj_value_equal(a[0]->value, b[0]->value);
    unsigned char *used = calloc(n, 1);
    if (used == NULL) return -1;
    int equal = 1;
    for (size_t i = 0; i < n && equal == 1; i++) {
        equal = 0;
        for (size_t j = 0; j < n; j++) {
            if (used[j]) continue;
            const int same = lpj_value_equal(a[i]->value, b[j]->value);
            if (same < 0) {
                equal = -1;
                break;
            }
            if (same) {
                used[j] = 1;
                equal = 1;
                break;
            }
        }
    }
    free(used);
    return equal;
}

static int objects_equal(const lpj_value *a, const lpj_value *b) {
    const size_t n = a->count;
    if (n == 0) return 1;
    const lpj_member **left = malloc(2 * n * sizeof *left);
    if (left == NULL) return -1;
    const lpj_member **right = left + n;
    for (size_t i = 0; i < n; i++) {
        left[i] = &a->members[i];
        right[i] = &b->members[i];
    }
    qsort(left, n, sizeof *left, compare_names);
    qsort(right, n, sizeof *right, compare_names);
    int equal = 1;
    for (size_t start = 0; start < n && equal == 1;) {
        size_t end = start + 1;
        while (end < n && same_name(left[end], left[start])) end++;
        for (size_t k = start; k < end && equal == 1; k++) equal = same_name(right[k], left[start]);
        if (equal == 1 && end < n && same_name(right[end], left[start])) equal = 0;
        if (equal == 1) equal = group_equal(left + start, right + start, end - start);
        start = end;
    }
    free(left);
    return equal;
}

int lpj_value_equal(const lpj_value *a, const lpj_value *b) {
    if (a->type != b->type) return 0;
    switch (a->type) {
    case LPJ_VALUE_STRING:
    case LPJ_VALUE_NUMBER:
        return bytes_equal(a->text, a->length, b->text, b->length);
    case LPJ_VALUE_ARRAY:
        if (a->count != b->count) return 0;
        for (size_t i = 0; i < a->count; i++) {
            const int equal = lpj_value_equal(a->items[i], b->items[i]);
            if (equal != 1) return equal;
        }
        return 1;
    case LPJ_VALUE_OBJECT:
        return a->count == b->count ? objects_equal(a, b) : 0;
    default:
        return 1; /* null, true, false */
    }
}

/* ---- Looking up ----------------------------------------------------------- */

const lpj_value *lpj_value_member(const lpj_value *object, const char *name) {
    if (object == NULL || object->type != LPJ_VALUE_OBJECT) return NULL;
    const size_t length = strlen(name);
    for (size_t i = 0; i < object->count; i++) {
        const lpj_member *member = &object->members[i];
        if (bytes_equal(member->name, member->name_length, (const unsigned char *)name, length)) {
            return member->value;
        }
    }
    return NULL;
}

size_t lpj_value_member_count(const lpj_value *object, const char *name) {
    size_t count = 0;
    if (object == NULL || object->type != LPJ_VALUE_OBJECT) return 0;
    const size_t length = strlen(name);
    for (size_t i = 0; i < object->count; i++) {
        const lpj_member *member = &object->members[i];
        count += bytes_equal(member->name, member->name_length, (const unsigned char *)name, length);
    }
    return count;
}

int lpj_value_is_string(const lpj_value *value, const char *text) {
    return value != NULL && value->type == LPJ_VALUE_STRING &&
           bytes_equal(value->text, value->length, (const unsigned char *)text, strlen(text));
}

const char *lpj_value_type_name(lpj_value_type type) {
    static const char *const names[] = {"null", "false", "true", "number", "string", "array", "object"};
    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}
