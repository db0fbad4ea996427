/*
 * lpjb_buffer.h - a growable octet buffer: read buffers and write buffers.
 *
 *   data  0          start                  end              capacity
 *         +----------+======================+----------------+
 *         | consumed |  pending octets      |  free space    |
 *         +----------+======================+----------------+
 *
 * Octets are appended at end and consumed from start. When everything is
 * consumed both go back to 0; lpjb_buffer_reserve() moves the pending octets
 * to the front before it grows, and grows by doubling. Pure memory, no I/O.
 */
#ifndef LPJB_BUFFER_H
#define LPJB_BUFFER_H

#include <stddef.h>

typedef struct lpjb_buffer {
    unsigned char *data;
    size_t start;    /* first pending octet */
    size_t end;      /* one past the last pending octet */
    size_t capacity; /* octets allocated at data */
} lpjb_buffer;

/* An empty buffer that allocates nothing yet. */
void lpjb_buffer_init(lpjb_buffer *b);

/* Releases the memory; b is then empty and may be reused. */
void lpjb_buffer_free(lpjb_buffer *b);

/* The number of pending octets (end - start). */
size_t lpjb_buffer_pending(const lpjb_buffer *b);

/* Makes room for at least n more octets after end: first by moving the
 * pending octets to the front, then by doubling the capacity (from 4 KiB).
 * Returns 0, or -1 when memory runs out (b unchanged). */
int lpjb_buffer_reserve(lpjb_buffer *b, size_t n);

/* Appends size octets (reserving room first). Returns 0 or -1 (no memory). */
int lpjb_buffer_append(lpjb_buffer *b, const void *data, size_t size);

/* Marks n pending octets (n <= pending) as consumed. */
void lpjb_buffer_consume(lpjb_buffer *b, size_t n);

#endif /* LPJB_BUFFER_H */
