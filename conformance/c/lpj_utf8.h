/*
 * lpj_utf8.h - well-formed UTF-8 (body.utf8), octet by octet.
 *
 * The well-formed sequences of Unicode Table 3-7; everything else is
 * ill-formed: stray continuation octets, truncated sequences, c0 c1 f5..ff,
 * overlong forms, encoded surrogates (ed a0 80 .. ed bf bf), and anything
 * above U+10FFFF.
 *
 *   U+0000..U+007F     00..7f
 *   U+0080..U+07FF     c2..df 80..bf
 *   U+0800..U+0FFF     e0     a0..bf 80..bf
 *   U+1000..U+CFFF     e1..ec 80..bf 80..bf
 *   U+D000..U+D7FF     ed     80..9f 80..bf
 *   U+E000..U+FFFF     ee..ef 80..bf 80..bf
 *   U+10000..U+3FFFF   f0     90..bf 80..bf 80..bf
 *   U+40000..U+FFFFF   f1..f3 80..bf 80..bf 80..bf
 *   U+100000..U+10FFFF f4     80..8f 80..bf 80..bf
 */
#ifndef LPJ_UTF8_H
#define LPJ_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1 to 4) of the well-formed sequence starting at text[at], or 0
 * when the sequence there is ill-formed or cut off by the end (size). */
size_t lpj_utf8_sequence_length(const unsigned char *text, size_t size, size_t at);

/* The offset of the first ill-formed sequence of text, or size when all of it
 * is well-formed. */
size_t lpj_utf8_first_defect(const unsigned char *text, size_t size);

/* Writes the UTF-8 of the scalar value code_point (not a surrogate, at most
 * U+10FFFF) to out, which has room for 4 octets. Returns the octets written. */
size_t lpj_utf8_encode(uint32_t code_point, unsigned char out[4]);

#endif /* LPJ_UTF8_H */
