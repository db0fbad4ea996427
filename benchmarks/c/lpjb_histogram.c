/* lpjb_histogram.c - bucket arithmetic and quantiles. */
#include "lpjb_histogram.h"

#include <math.h>
#include <string.h>

#define SUB_BITS 6
#define SUB (1u << SUB_BITS) /* buckets per power of two */

static unsigned bucket_of(uint64_t value) {
    if (value < 2 * SUB) return (unsigned)value;
    unsigned top = 63; /* the highest set bit: at least 7 here */
    while (!(value >> top)) top--;
    const unsigned shift = top - SUB_BITS;
    return (shift + 1) * SUB + (unsigned)(value >> shift) - SUB;
}

/* The lowest value of bucket b, and its width. */
static uint64_t bucket_low(unsigned b, uint64_t *width) {
    if (b < 2 * SUB) {
        *width = 1;
        return b;
    }
    const unsigned shift = b / SUB - 1;
    *width = (uint64_t)1 << shift;
    return (uint64_t)(b % SUB + SUB) << shift;
}

void lpjb_histogram_init(lpjb_histogram *h) {
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

void lpjb_histogram_record(lpjb_histogram *h, uint64_t value) {
    h->counts[bucket_of(value)]++;
    h->total++;
    if (value < h->min) h->min = value;
    if (value > h->max) h->max = value;
}

uint64_t lpjb_histogram_quantile(const lpjb_histogram *h, double q) {
    if (h->total == 0) return 0;
    double rank = ceil(q * (double)h->total);
    if (rank < 1) rank = 1;
    if (rank >= (double)h->total) return h->max; /* the largest value is known exactly */
    uint64_t seen = 0;
    for (unsigned b = 0; b < LPJB_HISTOGRAM_BUCKETS; b++) {
        seen += h->counts[b];
        if ((double)seen >= rank) {
            uint64_t width;
            const uint64_t low = bucket_low(b, &width);
            uint64_t value = low + width / 2;
            if (value < h->min) value = h->min;
            if (value > h->max) value = h->max;
            return value;
        }
    }
    return h->max;
}
