/* lpjb_frame.c - little-endian prefixes, scanning a buffer for a frame, appending one. */
#include "lpjb_frame.h"

#include <string.h>

uint32_t lpjb_frame_read_prefix(const unsigned char p[4]) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void lpjb_frame_write_prefix(uint32_t length, unsigned char p[4]) {
    p[0] = (unsigned char)length;
    p[1] = (unsigned char)(length >> 8);
    p[2] = (unsigned char)(length >> 16);
    p[3] = (unsigned char)(length >> 24);
}

int lpjb_frame_scan(const unsigned char *data, size_t size, uint32_t limit, uint32_t *length) {
    *length = 0;
    if (size < 4) return LPJB_FRAME_NEED_MORE;
    *length = lpjb_frame_read_prefix(data);
    if (*length > limit) return LPJB_FRAME_TOO_LARGE;
    return size - 4 >= *length ? LPJB_FRAME_READY : LPJB_FRAME_NEED_MORE;
}

int lpjb_frame_append(lpjb_buffer *out, const void *body, size_t size) {
    if (size > UINT32_MAX || lpjb_buffer_reserve(out, 4 + size) != 0) return -1;
    lpjb_frame_write_prefix((uint32_t)size, out->data + out->end);
    if (size > 0) memcpy(out->data + out->end + 4, body, size);
    out->end += 4 + size;
    return 0;
}
