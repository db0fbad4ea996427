/*
 * lpj_frame.h - LPJ framing: cutting an octet stream into frames, and back.
 *
 *   octet 0        1        2        3        4                     4 + length
 *        +--------+--------+--------+--------+=====================+
 *        |   p0   |   p1   |   p2   |   p3   |  body ...           |
 *        +--------+--------+--------+--------+=====================+
 *        |  length: 32-bit unsigned,         |  length octets of   |
 *        |  little-endian unless configured  |  UTF-8 JSON         |
 *        |<------------ prefix ------------->|<------- body ------>|
 *
 *   little  length 37 = 25 00 00 00   p0 + p1*2^8 + p2*2^16 + p3*2^24  (default)
 *   big     length 37 = 00 00 00 25   p0*2^24 + p1*2^16 + p2*2^8 + p3
 *   native  the host's own uint32_t layout (memcpy), what the legacy
 *           struct.pack("I", n) writes: little on x86-64 and arm64, big on
 *           s390x. It is an alias of one of the two, never a third format.
 *   auto    (receivers only) decided from the first prefix of the stream by
 *           order.auto-algorithm, then fixed for the rest of it.
 *
 * Frames follow each other with nothing in between. Pure logic: no sockets,
 * no files. The decoder is a two-state machine
 *
 *     WAITING_FOR_PREFIX --4 octets, length <= limit--> WAITING_FOR_BODY
 *             ^                                                  |
 *             +----------- length body octets: a frame ---------+
 *
 * that accepts the stream in any split, down to one octet per call
 * (frame.reads-are-partial). The length is compared with the limit the moment
 * the fourth prefix octet is known, before a single octet of memory is
 * reserved for the body (frame.limit-before-allocation); the body buffer then
 * grows only as body octets actually arrive, never beyond length. An oversized
 * length or an end of stream inside a frame stops the decoder for good
 * (frame.oversize-close, conn.eof-inside-frame): the stream cannot be
 * resynchronised.
 */
#ifndef LPJ_FRAME_H
#define LPJ_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "lpj_error.h"

/* The reference default body-size limit (frame.max-size-configurable). */
#define LPJ_FRAME_DEFAULT_LIMIT 1048576u
/* The least limit any receiver may have (frame.max-size-minimum). */
#define LPJ_FRAME_MINIMUM_LIMIT 65536u

typedef enum lpj_byte_order {
    LPJ_ORDER_LITTLE = 0, /* the pinned default (order.little-default) */
    LPJ_ORDER_BIG,        /* order.big-mode */
    LPJ_ORDER_NATIVE,     /* order.native-is-legacy: the host's uint32_t layout */
    LPJ_ORDER_AUTO        /* order.auto-detect: receivers only */
} lpj_byte_order;

/* "little", "big", "native" or "auto". */
const char *lpj_byte_order_name(lpj_byte_order order);

/* Parses a name of lpj_byte_order_name(). Returns 0, or -1 for another name. */
int lpj_byte_order_parse(const char *name, lpj_byte_order *order);

/* The host's order, found by storing a uint32_t and looking at its first
 * octet: LPJ_ORDER_LITTLE or LPJ_ORDER_BIG. */
lpj_byte_order lpj_byte_order_host(void);

/* The length the 4 octets p carry in order (native: memcpy into a uint32_t).
 * order must not be LPJ_ORDER_AUTO. */
uint32_t lpj_frame_read_prefix(const unsigned char p[4], lpj_byte_order order);

/* The 4 octets that carry length in order (native: memcpy from a uint32_t).
 * order must not be LPJ_ORDER_AUTO. */
void lpj_frame_write_prefix(uint32_t length, lpj_byte_order order, unsigned char p[4]);

/* order.auto-algorithm: the order of a connection whose first prefix is p,
 * for a receiver with this limit. Sets *ambiguous (if not NULL) when both
 * readings were within the limit and differed, so little-endian won by rule. */
lpj_byte_order lpj_frame_detect_order(const unsigned char p[4], uint32_t limit, int *ambiguous);

/* Writes into buffer (size octets) what a prefix says, read in order and
 * byte-swapped, and - when it is over the limit - the likely cause where
 * order.mismatch-diagnosis applies:
 *   "length prefix 00 00 00 25 read little-endian is 620756992 (big-endian:
 *    37), over the limit of 1048576; the big-endian reading fits: the peer
 *    probably writes big-endian (its native) prefixes"
 * order may be LITTLE, BIG or NATIVE. The text is truncated to fit. Returns buffer. */
char *lpj_frame_diagnose(const unsigned char p[4], lpj_byte_order order, uint32_t limit,
                         char *buffer, size_t size);

/* ---- Decoder ---------------------------------------------------------- */

typedef enum lpj_frame_state {
    LPJ_FRAME_WAITING_FOR_PREFIX = 0,
    LPJ_FRAME_WAITING_FOR_BODY,
    LPJ_FRAME_FAILED /* after an oversized length or a truncated frame */
} lpj_frame_state;

/* lpj_frame_decoder_feed() results. */
#define LPJ_FRAME_NEED_MORE 0 /* every offered octet was consumed, no frame yet */
#define LPJ_FRAME_READY 1     /* a complete frame: see lpj_frame_decoder_body() */

typedef struct lpj_frame_decoder {
    lpj_byte_order mode;   /* as configured */
    lpj_byte_order order;  /* resolved: LITTLE or BIG (AUTO until the first prefix) */
    int order_ambiguous;   /* auto mode: the first prefix was ambiguous */
    uint32_t limit;        /* largest accepted length, inclusive */
    lpj_frame_state state;
    int ready;             /* the last call returned LPJ_FRAME_READY */
    unsigned char prefix[4];
    size_t prefix_have;    /* prefix octets collected so far */
    uint32_t length;       /* the current frame's length (WAITING_FOR_BODY) */
    unsigned char *body;   /* the current body; grows as octets arrive */
    size_t body_have;
    size_t body_capacity;
    unsigned long long stream_offset; /* octets consumed since init */
    unsigned long long frame_start;   /* stream offset of the current prefix */
    unsigned long long frames;        /* complete frames returned */
    lpj_error_t failure;              /* why the decoder is FAILED */
} lpj_frame_decoder;

/* Prepares d for a new stream. mode may be any lpj_byte_order; limit is the
 * body-size limit (any value; LPJ_FRAME_DEFAULT_LIMIT is the reference's). */
void lpj_frame_decoder_init(lpj_frame_decoder *d, lpj_byte_order mode, uint32_t limit);

/* Releases the body buffer. d may be reused after lpj_frame_decoder_init(). */
void lpj_frame_decoder_free(lpj_frame_decoder *d);

/*
 * Consumes octets from data[0 .. size) until one frame is complete or the
 * octets run out, and stores how many it took in *consumed.
 *
 *   LPJ_FRAME_READY      a frame is complete; its body is available through
 *                        lpj_frame_decoder_body() until the next call. Octets
 *                        after it were not consumed: offer them again.
 *   LPJ_FRAME_NEED_MORE  everything was consumed; offer more.
 *   -1                   the length is over the limit (LPJ_ERR_FRAME_TOO_LARGE,
 *                        rule frame.oversize-close, offset = stream offset of
 *                        the prefix); the decoder is FAILED and refuses every
 *                        later call with the same error. Nothing of the body
 *                        is consumed or kept. Also LPJ_ERR_NO_MEMORY.
 */
int lpj_frame_decoder_feed(lpj_frame_decoder *d, const void *data, size_t size,
                           size_t *consumed, lpj_error_t *err);

/* The body of the frame the last LPJ_FRAME_READY announced. The pointer is
 * NULL for a zero-length body (frame.zero-length is a well-formed frame). */
const unsigned char *lpj_frame_decoder_body(const lpj_frame_decoder *d, size_t *length);

/* The end of the stream. Returns 0 at a frame boundary; -1 inside a frame
 * (LPJ_ERR_TRUNCATED_FRAME, rule conn.eof-inside-frame, offset = the stream
 * offset of the end), or when the decoder had already failed. */
int lpj_frame_decoder_finish(lpj_frame_decoder *d, lpj_error_t *err);

/* Whether the decoder holds part of a frame (1 to 3 prefix octets, or a
 * prefix and part of its body). */
int lpj_frame_decoder_inside_frame(const lpj_frame_decoder *d);

/* ---- Encoder ---------------------------------------------------------- */

/* A newly allocated frame: prefix and body in one buffer, ready for one
 * write (frame.single-write). Stores its size (4 + body_length) in
 * *frame_length. Fails (NULL) when the body does not fit a 32-bit length
 * (LPJ_ERR_USAGE) or memory runs out; order must be LITTLE, BIG or NATIVE. */
unsigned char *lpj_frame_encode(const void *body, size_t body_length, lpj_byte_order order,
                                size_t *frame_length, lpj_error_t *err);

#endif /* LPJ_FRAME_H */
