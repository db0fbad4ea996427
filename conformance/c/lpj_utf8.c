/* lpj_utf8.c - UTF-8 well-formedness (Unicode Table 3-7) and encoding. */
#include "lpj_utf8.h"

size_t lpj_utf8_sequence_length(const unsigned char *text, size_t size, size_t at) {
    const unsigned char lead = text[at];
    if (lead < 0x80) return 1;
    size_t length;
    unsigned char low = 0x80, high = 0xbf; /* the range of the second octet */
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead == 0xe0) {
        length = 3, low = 0xa0;
    } else if ((lead >= 0xe1 && lead <= 0xec) || lead == 0xee || lead == 0xef) {
        length = 3;
    } else if (lead == 0xed) {
        length = 3, high = 0x9f; /* no encoded surrogates */
    } else if (lead == 0xf0) {
        length = 4, low = 0x90;
    } else if (lead >= 0xf1 && lead <= 0xf3) {
        length = 4;
    } else if (lead == 0xf4) {
        length = 4, high = 0x8f; /* nothing above U+10FFFF */
    } else {
        return 0; /* 80..c1 (stray continuation, overlong lead), f5..ff */
    }
    if (size - at < length) return 0;
    if (text[at + 1] < low || text[at + 1] > high) return 0;
    for (size_t i = 2; i < length; i++) {
        if (text[at + i] < 0x80 || text[at + i] > 0xbf) return 0;
    }
    return length;
}

size_t lpj_utf8_first_defect(const unsigned char *text, size_t size) {
    size_t at = 0;
    while (at < size) {
        const size_t length = lpj_utf8_sequence_length(text, size, at);
        if (length == 0) return at;
        at += length;
    }
    return size;
}

size_t lpj_utf8_encode(uint32_t c, unsigned char out[4]) {
    if (c < 0x80) {
        out[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (unsigned char)(0xc0 | c >> 6);
        out[1] = (unsigned char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (unsigned char)(0xe0 | c >> 12);
        out[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (unsigned char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (unsigned char)(0xf0 | c >> 18);
    out[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (unsigned char)(0x80 | (c & 0x3f));
    return 4;
}
