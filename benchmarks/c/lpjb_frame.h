/*
 * lpjb_frame.h - LPJ framing, little-endian only: the benchmark's subset.
 *
 *   octet 0    1    2    3    4                  4 + length
 *        +----+----+----+----+==================+
 *        | p0 | p1 | p2 | p3 |  body ...        |
 *        +----+----+----+----+==================+
 *        length = p0 + p1*2^8 + p2*2^16 + p3*2^24 (unsigned, little-endian);
 *        length octets of UTF-8 JSON follow; the next prefix comes right after.
 *
 *   ping, 34 octets:  22 00 00 00  {"in":"ping","params":"ireader 0"}
 *
 * Pure logic over octets already in memory: no sockets. A receiver keeps
 * what it read in one buffer and asks lpjb_frame_scan() whether a whole
 * frame starts there. The length is compared with the limit as soon as the
 * four prefix octets are there, so an oversized frame is refused before any
 * memory is sized from it (frame.limit-before-allocation). A zero length is
 * a well-formed frame with an empty body (frame.zero-length).
 */
#ifndef LPJB_FRAME_H
#define LPJB_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "lpjb_buffer.h"

/* The reference server's body-size limit, inclusive: 1 MiB. */
#define LPJB_FRAME_LIMIT 1048576u

/* lpjb_frame_scan() results. */
#define LPJB_FRAME_NEED_MORE 0 /* fewer than 4 + length octets so far */
#define LPJB_FRAME_READY 1     /* a whole frame: body at data + 4 */
#define LPJB_FRAME_TOO_LARGE 2 /* the prefix says more than limit */

/* The length carried by the 4 octets p (little-endian). */
uint32_t lpjb_frame_read_prefix(const unsigned char p[4]);

/* Stores length as 4 little-endian octets at p. */
void lpjb_frame_write_prefix(uint32_t length, unsigned char p[4]);

/* Looks at data[0 .. size), which starts at a frame boundary. Stores the
 * frame's body length in *length once the prefix is complete (for
 * LPJB_FRAME_READY, LPJB_FRAME_TOO_LARGE, and LPJB_FRAME_NEED_MORE with 4 or
 * more octets; 0 otherwise). */
int lpjb_frame_scan(const unsigned char *data, size_t size, uint32_t limit, uint32_t *length);

/* Appends a whole frame, prefix and body, to out (one buffer, so one write
 * can carry it: frame.single-write). Returns 0, or -1 when memory runs out or
 * size does not fit 32 bits. */
int lpjb_frame_append(lpjb_buffer *out, const void *body, size_t size);

#endif /* LPJB_FRAME_H */
