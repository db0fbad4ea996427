/* lpjb_buffer.c - the growable octet buffer. */
#include "lpjb_buffer.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_CAPACITY 4096

void lpjb_buffer_init(lpjb_buffer *b) {
    b->data = NULL;
    b->start = b->end = b->capacity = 0;
}

void lpjb_buffer_free(lpjb_buffer *b) {
    free(b->data);
    lpjb_buffer_init(b);
}

size_t lpjb_buffer_pending(const lpjb_buffer *b) { return b->end - b->start; }

int lpjb_buffer_reserve(lpjb_buffer *b, size_t n) {
    if (b->capacity - b->end >= n) return 0;
    const size_t pending = b->end - b->start;
    if (b->start > 0 && b->capacity - pending >= n) { /* compacting is enough */
        memmove(b->data, b->data + b->start, pending);
        b->start = 0;
        b->end = pending;
        return 0;
    }
    if (n > (size_t)-1 / 2 - pending) return -1;
    size_t capacity = b->capacity > 0 ? b->capacity : FIRST_CAPACITY;
    while (capacity - pending < n) capacity *= 2;
    unsigned char *data = malloc(capacity);
    if (data == NULL) return -1;
    if (pending > 0) memcpy(data, b->data + b->start, pending);
    free(b->data);
    b->data = data;
    b->start = 0;
    b->end = pending;
    b->capacity = capacity;
    return 0;
}

int lpjb_buffer_append(lpjb_buffer *b, const void *data, size_t size) {
    if (lpjb_buffer_reserve(b, size) != 0) return -1;
    if (size > 0) memcpy(b->data + b->end, data, size);
    b->end += size;
    return 0;
}

void lpjb_buffer_consume(lpjb_buffer *b, size_t n) {
    b->start += n;
    if (b->start >= b->end) b->start = b->end = 0;
}
