/* lpj_number.c - canonical texts of JSON numbers, exactly. */
#include "lpj_number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds delta (|delta| < 10^18) to the decimal magnitude digits[0 .. *length),
 * which is at least 10^18, so the result stays positive. digits has 20 spare
 * octets before it for carries. Returns the start of the result (no leading
 * zeros) and updates *length. */
static char *add_small(char *digits, size_t *length, long long delta) {
    unsigned long long carry = delta >= 0 ? (unsigned long long)delta : 0;
    unsigned long long borrow = delta < 0 ? (unsigned long long)(-(delta + 1)) + 1 : 0;
    size_t i = *length;
    while (i > 0 && (carry > 0 || borrow > 0)) {
        i--;
        long long digit = digits[i] - '0';
        digit += (long long)(carry % 10);
        carry /= 10;
        digit -= (long long)(borrow % 10);
        borrow /= 10;
        if (digit >= 10) {
            digit -= 10;
            carry++;
        } else if (digit < 0) {
            digit += 10;
            borrow++;
        }
        digits[i] = (char)('0' + digit);
    }
    char *start = digits;
    while (carry > 0) { /* at most 19 more digits: the spare room before digits */
        *--start = (char)('0' + carry % 10);
        carry /= 10;
        (*length)++;
    }
    while (*length > 1 && *start == '0') {
        start++;
        (*length)--;
    }
    return start;
}

char *lpj_number_canonical(const unsigned char *token, size_t token_length, size_t *length) {
    const char *s = (const char *)token;
    size_t i = 0;
    const int negative = s[0] == '-';
    if (negative) i++;
    const size_t int_start = i;
    while (i < token_length && s[i] >= '0' && s[i] <= '9') i++;
    const size_t int_end = i;
    size_t frac_start = i, frac_end = i;
    if (i < token_length && s[i] == '.') {
        frac_start = ++i;
        while (i < token_length && s[i] >= '0' && s[i] <= '9') i++;
        frac_end = i;
    }
    int exponent_negative = 0;
    size_t exp_start = i, exp_end = i;
    if (i < token_length && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (s[i] == '+' || s[i] == '-') exponent_negative = s[i++] == '-';
        exp_start = i;
        exp_end = token_length;
    }

    /* The significant digits: integer digits then fraction digits, seen as one
     * sequence; position k maps to the token by skipping the decimal point. */
    const size_t int_count = int_end - int_start, frac_count = frac_end - frac_start;
    const size_t total = int_count + frac_count;
#define DIGIT_AT(k) ((k) < int_count ? s[int_start + (k)] : s[frac_start + (k)-int_count])
    size_t first = 0;
    while (first < total && DIGIT_AT(first) == '0') first++;
    if (first == total) { /* zero, whatever its sign, fraction or exponent */
        char *zero = malloc(2);
        if (zero == NULL) return NULL;
        memcpy(zero, "0", 2);
        *length = 1;
        return zero;
    }
    size_t last = total; /* one past the last non-zero digit */
    while (DIGIT_AT(last - 1) == '0') last--;
    const size_t trailing_zeros = total - last;
    /* value = DIGITS x 10^(written exponent - fraction digits + trailing zeros) */
    const long long shift = (long long)trailing_zeros - (long long)frac_count;

    size_t exp_first = exp_start;
    while (exp_first + 1 < exp_end && s[exp_first] == '0') exp_first++;
    const size_t exp_digits = exp_end - exp_first;

    char exponent_small[32];
    const char *exponent_text;
    size_t exponent_length;
    char *exponent_big = NULL;
    if (exp_digits <= 18) { /* fits a long long, and so does adding shift */
        long long exponent = 0;
        for (size_t k = exp_first; k < exp_end; k++) exponent = exponent * 10 + (s[k] - '0');
        if (exponent_negative) exponent = -exponent;
        exponent += shift;
        exponent_length = (size_t)snprintf(exponent_small, sizeof exponent_small, "%lld", exponent);
        exponent_text = exponent_small;
    } else { /* |written exponent| >= 10^18 > |shift|: the sign cannot change */
        exponent_big = malloc(exp_digits + 22);
        if (exponent_big == NULL) return NULL;
        char *digits = exponent_big + 21;
        memcpy(digits, s + exp_first, exp_digits);
        size_t magnitude_length = exp_digits;
        char *magnitude = add_small(digits, &magnitude_length, exponent_negative ? -shift : shift);
        if (exponent_negative) *--magnitude = '-', magnitude_length++;
        exponent_text = magnitude;
        exponent_length = magnitude_length;
    }

    const size_t digit_count = last - first;
    const size_t size = (size_t)negative + digit_count + 1 + exponent_length;
    char *text = malloc(size + 1);
    if (text != NULL) {
        size_t o = 0;
        if (negative) text[o++] = '-';
        for (size_t k = first; k < last; k++) text[o++] = DIGIT_AT(k);
        text[o++] = 'e';
        memcpy(text + o, exponent_text, exponent_length);
        o += exponent_length;
        text[o] = '\0';
        *length = o;
    }
#undef DIGIT_AT
    free(exponent_big);
    return text;
}
