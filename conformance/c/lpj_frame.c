/* lpj_frame.c - the frame decoder state machine, the encoder, byte orders. */
#include "lpj_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Byte orders ------------------------------------------------------- */

static const char *const order_names[] = {"little", "big", "native", "auto"};

const char *lpj_byte_order_name(lpj_byte_order order) {
    if ((unsigned)order < sizeof order_names / sizeof order_names[0]) return order_names[order];
    return "unknown";
}

int lpj_byte_order_parse(const char *name, lpj_byte_order *order) {
    for (unsigned i = 0; i < sizeof order_names / sizeof order_names[0]; i++) {
        if (strcmp(name, order_names[i]) == 0) {
            *order = (lpj_byte_order)i;
            return 0;
        }
    }
    return -1;
}

lpj_byte_order lpj_byte_order_host(void) {
    const uint32_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1 ? LPJ_ORDER_LITTLE : LPJ_ORDER_BIG;
}

uint32_t lpj_frame_read_prefix(const unsigned char p[4], lpj_byte_order order) {
    switch (order) {
    case LPJ_ORDER_BIG:
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
    case LPJ_ORDER_NATIVE: {
        uint32_t value; /* exactly what struct.unpack("I", p) sees on this host */
        memcpy(&value, p, sizeof value);
        return value;
    }
    case LPJ_ORDER_LITTLE:
    case LPJ_ORDER_AUTO:
    default:
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
}

void lpj_frame_write_prefix(uint32_t length, lpj_byte_order order, unsigned char p[4]) {
    switch (order) {
    case LPJ_ORDER_BIG:
        p[0] = (unsigned char)(length >> 24);
        p[1] = (unsigned char)(length >> 16);
        p[2] = (unsigned char)(length >> 8);
        p[3] = (unsigned char)length;
        break;
    case LPJ_ORDER_NATIVE: /* exactly what struct.pack("I", length) writes on this host */
        memcpy(p, &length, sizeof length);
        break;
    case LPJ_ORDER_LITTLE:
    case LPJ_ORDER_AUTO:
    default:
        p[0] = (unsigned char)length;
        p[1] = (unsigned char)(length >> 8);
        p[2] = (unsigned char)(length >> 16);
        p[3] = (unsigned char)(length >> 24);
        break;
    }
}

lpj_byte_order lpj_frame_detect_order(const unsigned char p[4], uint32_t limit, int *ambiguous) {
    const uint32_t le = lpj_frame_read_prefix(p, LPJ_ORDER_LITTLE);
    const uint32_t be = lpj_frame_read_prefix(p, LPJ_ORDER_BIG);
    if (ambiguous != NULL) *ambiguous = 0;
    if (le == be) return LPJ_ORDER_LITTLE;                    /* the readings agree */
    if (le <= limit && be > limit) return LPJ_ORDER_LITTLE;   /* exactly one fits */
    if (be <= limit && le > limit) return LPJ_ORDER_BIG;      /* exactly one fits */
    if (le <= limit && be <= limit && ambiguous != NULL) *ambiguous = 1; /* little wins */
    return LPJ_ORDER_LITTLE;                                  /* ambiguous, or neither fits */
}

static lpj_byte_order resolved(lpj_byte_order order) {
    return order == LPJ_ORDER_NATIVE ? lpj_byte_order_host() : order;
}

char *lpj_frame_diagnose(const unsigned char p[4], lpj_byte_order order, uint32_t limit,
                         char *buffer, size_t size) {
    order = resolved(order);
    const lpj_byte_order other = order == LPJ_ORDER_BIG ? LPJ_ORDER_LITTLE : LPJ_ORDER_BIG;
    const uint32_t length = lpj_frame_read_prefix(p, order);
    const uint32_t swapped = lpj_frame_read_prefix(p, other);
    size_t used = 0;
#define APPEND(...)                                                                  \
    do {                                                                             \
        const int n = snprintf(buffer + used, size - used, __VA_ARGS__);           \
        used = n < 0 ? used : (size_t)n >= size - used ? size - 1 : used + (size_t)n; \
    } while (0)
    if (size == 0) return buffer;
    buffer[0] = '\0';
    APPEND("length prefix %02x %02x %02x %02x read %s-endian is %lu (%s-endian: %lu)", p[0], p[1], p[2], p[3],
           lpj_byte_order_name(order), (unsigned long)length, lpj_byte_order_name(other),
           (unsigned long)swapped);
    if (length > limit) {
        APPEND(", over the limit of %lu", (unsigned long)limit);
        if (swapped <= limit) { /* order.mismatch-diagnosis */
            APPEND("; the %s-endian reading fits: the peer probably writes %s-endian (its native)"
                   " prefixes", lpj_byte_order_name(other), lpj_byte_order_name(other));
        }
        int printable = 1;
        for (int i = 0; i < 4; i++) printable &= p[i] >= 0x20 && p[i] <= 0x7e;
        if (printable) {
            APPEND("; all four octets are printable ASCII (%c%c%c%c): text written into the stream"
                   " without a length prefix?", p[0], p[1], p[2], p[3]);
        }
    }
#undef APPEND
    return buffer;
}

/* ---- Decoder ----------------------------------------------------------- */

void lpj_frame_decoder_init(lpj_frame_decoder *d, lpj_byte_order mode, uint32_t limit) {
    memset(d, 0, sizeof *d);
    d->mode = mode;
    d->order = resolved(mode);
    d->limit = limit;
    d->state = LPJ_FRAME_WAITING_FOR_PREFIX;
    lpj_error_clear(&d->failure);
}

void lpj_frame_decoder_free(lpj_frame_decoder *d) {
    free(d->body);
    d->body = NULL;
    d->body_capacity = 0;
    d->body_have = 0;
}

static int fail(lpj_frame_decoder *d, lpj_error_t *err) {
    d->state = LPJ_FRAME_FAILED;
    if (err != NULL) *err = d->failure;
    return -1;
}

/* The fourth prefix octet is in: decide the order (auto), check the limit. */
static int prefix_complete(lpj_frame_decoder *d, lpj_error_t *err) {
    if (d->order == LPJ_ORDER_AUTO) {
        d->order = lpj_frame_detect_order(d->prefix, d->limit, &d->order_ambiguous);
    }
    const uint32_t length =
        lpj_frame_read_prefix(d->prefix, d->mode == LPJ_ORDER_NATIVE ? LPJ_ORDER_NATIVE : d->order);
    if (length > d->limit) { /* frame.limit-before-allocation: nothing reserved yet */
        char diagnosis[LPJ_ERROR_TEXT_LENGTH];
        lpj_frame_diagnose(d->prefix, d->order, d->limit, diagnosis, sizeof diagnosis);
        lpj_error_set(&d->failure, LPJ_ERR_FRAME_TOO_LARGE, "frame.oversize-close",
                      (long long)d->frame_start, "%s", diagnosis);
        return fail(d, err);
    }
    d->length = length;
    d->body_have = 0;
    d->state = LPJ_FRAME_WAITING_FOR_BODY;
    return 0;
}

/* Room for `needed` body octets, growing geometrically but never past length. */
static int reserve(lpj_frame_decoder *d, size_t needed, lpj_error_t *err) {
    if (needed <= d->body_capacity) return 0;
    size_t capacity = d->body_capacity < 4096 ? 4096 : d->body_capacity * 2;
    if (capacity < needed) capacity = needed;
    if (capacity > d->length) capacity = d->length;
    unsigned char *grown = realloc(d->body, capacity);
    if (grown == NULL) {
        lpj_error_set(&d->failure, LPJ_ERR_NO_MEMORY, NULL, (long long)d->stream_offset,
                      "out of memory for a body of %lu octets", (unsigned long)d->length);
        return fail(d, err);
    }
    d->body = grown;
    d->body_capacity = capacity;
    return 0;
}

static int frame_ready(lpj_frame_decoder *d, size_t used, size_t *consumed) {
    d->state = LPJ_FRAME_WAITING_FOR_PREFIX;
    d->prefix_have = 0;
    d->ready = 1;
    d->frames++;
    *consumed = used;
    return LPJ_FRAME_READY;
}

int lpj_frame_decoder_feed(lpj_frame_decoder *d, const void *data, size_t size,
                           size_t *consumed, lpj_error_t *err) {
    const unsigned char *in = data;
    size_t used = 0;
    *consumed = 0;
    if (d->state == LPJ_FRAME_FAILED) return fail(d, err);
    if (d->ready) { /* the previous frame's body is released now */
        d->ready = 0;
        d->body_have = 0;
        d->length = 0;
    }
    while (used < size) {
        if (d->state == LPJ_FRAME_WAITING_FOR_PREFIX) {
            if (d->prefix_have == 0) d->frame_start = d->stream_offset;
            size_t take = 4 - d->prefix_have;
            if (take > size - used) take = size - used;
            memcpy(d->prefix + d->prefix_have, in + used, take);
            d->prefix_have += take;
            d->stream_offset += take;
            used += take;
            if (d->prefix_have < 4) break;
            if (prefix_complete(d, err) != 0) {
                *consumed = used;
                return -1;
            }
            if (d->length == 0) return frame_ready(d, used, consumed);
        } else { /* LPJ_FRAME_WAITING_FOR_BODY */
            size_t take = d->length - d->body_have;
            if (take > size - used) take = size - used;
            if (reserve(d, d->body_have + take, err) != 0) {
                *consumed = used;
                return -1;
            }
            memcpy(d->body + d->body_have, in + used, take);
            d->body_have += take;
            d->stream_offset += take;
            used += take;
            if (d->body_have == d->length) return frame_ready(d, used, consumed);
        }
    }
    *consumed = used;
    return LPJ_FRAME_NEED_MORE;
}

const unsigned char *lpj_frame_decoder_body(const lpj_frame_decoder *d, size_t *length) {
    if (!d->ready) {
        *length = 0;
        return NULL;
    }
    *length = d->length;
    return d->length > 0 ? d->body : NULL;
}

int lpj_frame_decoder_inside_frame(const lpj_frame_decoder *d) {
    return d->state == LPJ_FRAME_WAITING_FOR_BODY ||
           (d->state == LPJ_FRAME_WAITING_FOR_PREFIX && d->prefix_have > 0);
}

int lpj_frame_decoder_finish(lpj_frame_decoder *d, lpj_error_t *err) {
    if (d->state == LPJ_FRAME_FAILED) return fail(d, err);
    if (d->state == LPJ_FRAME_WAITING_FOR_PREFIX && d->prefix_have == 0) return 0;
    if (d->state == LPJ_FRAME_WAITING_FOR_PREFIX) {
        lpj_error_set(&d->failure, LPJ_ERR_TRUNCATED_FRAME, "conn.eof-inside-frame",
                      (long long)d->stream_offset,
                      "the stream ended inside a length prefix: got %lu of 4 octets",
                      (unsigned long)d->prefix_have);
    } else {
        lpj_error_set(&d->failure, LPJ_ERR_TRUNCATED_FRAME, "conn.eof-inside-frame",
                      (long long)d->stream_offset,
                      "the stream ended inside a body: got %lu of %lu octets",
                      (unsigned long)d->body_have, (unsigned long)d->length);
    }
    return fail(d, err);
}

/* ---- Encoder ----------------------------------------------------------- */

unsigned char *lpj_frame_encode(const void *body, size_t body_length, lpj_byte_order order,
                                size_t *frame_length, lpj_error_t *err) {
    if ((unsigned long long)body_length > UINT32_MAX || body_length > SIZE_MAX - 4) {
        lpj_error_set(err, LPJ_ERR_USAGE, "frame.prefix-size", -1,
                      "a body of %llu octets does not fit a 32-bit length prefix",
                      (unsigned long long)body_length);
        return NULL;
    }
    if (order == LPJ_ORDER_AUTO) {
        lpj_error_set(err, LPJ_ERR_USAGE, "order.auto-detect", -1,
                      "a sender writes little, big or native prefixes, never auto");
        return NULL;
    }
    unsigned char *frame = malloc(4 + body_length);
    if (frame == NULL) {
        lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for a frame of %llu octets",
                      (unsigned long long)body_length + 4);
        return NULL;
    }
    lpj_frame_write_prefix((uint32_t)body_length, order, frame);
    if (body_length > 0) memcpy(frame + 4, body, body_length);
    *frame_length = 4 + body_length;
    return frame;
}
