/*
 * lpjb_histogram.h - a log-linear histogram of latencies, in nanoseconds.
 *
 *   value        0 .. 127      2^7 .. 2^8-1    2^8 .. 2^9-1    ...   2^63 ..
 *   bucket width 1             2               4               ...   2^57
 *
 * 64 buckets per power of two above 128, so a value is kept within 1/64 of
 * its bucket's lower bound; a quantile is reported as the middle of its
 * bucket (error under 0.8 %), never beyond the exact minimum and maximum.
 * 3,776 counters cover every uint64_t value: constant memory, constant time
 * per record, however long the run. Pure: no I/O.
 */
#ifndef LPJB_HISTOGRAM_H
#define LPJB_HISTOGRAM_H

#include <stdint.h>

#define LPJB_HISTOGRAM_BUCKETS (59 * 64)

typedef struct lpjb_histogram {
    uint64_t counts[LPJB_HISTOGRAM_BUCKETS];
    uint64_t total; /* values recorded */
    uint64_t min;   /* exact; UINT64_MAX while empty */
    uint64_t max;   /* exact; 0 while empty */
} lpjb_histogram;

/* Empties h. */
void lpjb_histogram_init(lpjb_histogram *h);

/* Counts one value. */
void lpjb_histogram_record(lpjb_histogram *h, uint64_t value);

/* The value at quantile q (0 < q <= 1): that of the ceil(q * total)-th
 * smallest value, as the middle of its bucket, within [min, max]; the exact
 * max when that is the largest. 0 when h is empty. */
uint64_t lpjb_histogram_quantile(const lpjb_histogram *h, double q);

#endif /* LPJB_HISTOGRAM_H */
