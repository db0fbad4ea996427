/*
 * lpj_number.h - exact JSON numbers: one canonical text per mathematical value
 * (msg.value-equality).
 *
 *   token                                  canonical
 *   1  1.0  10e-1  0.1e1  1E0              1e0
 *   -0  0  0.0  -0.0  0e999                0
 *   0.1                                    1e-1
 *   0.1000000000000000055511151231257827   1000000000000000055511151231257827e-34
 *   12345678901234567890                   1234567890123456789e1
 *   1e400                                  1e400
 *   -2.50E+3                               -25e2
 *
 * A number's value is DIGITS x 10^EXPONENT, where DIGITS has no leading and
 * no trailing zeros; the canonical text is [-]DIGITS "e" EXPONENT, or "0" for
 * zero (-0 equals 0). Two JSON numbers denote the same value exactly when
 * their canonical texts are equal octet for octet - no rounding to binary64
 * ever happens, whatever the magnitude, precision or exponent size (the
 * exponent is itself kept as decimal text when it exceeds 18 digits).
 */
#ifndef LPJ_NUMBER_H
#define LPJ_NUMBER_H

#include <stddef.h>

/* The canonical text of a number token that lpj_scan() accepted, newly
 * allocated and NUL-terminated; its length goes to *length. NULL when memory
 * runs out. The text is at most the token's length + 24 octets. */
char *lpj_number_canonical(const unsigned char *token, size_t token_length, size_t *length);

#endif /* LPJ_NUMBER_H */
