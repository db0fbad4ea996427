/*
 * lpj_output.h - one response message on one line of standard output, as lpj-client/1 asks of
 * `lpj-c call` (docs/conformance.md, "Checking a client").
 *
 *   body   7b 0a 20 20 22 6f 75 74 22 3a ...   {<LF>  "out": ...   a line break between two tokens
 *   line   7b 20 20 20 22 6f 75 74 22 3a ... 0a                   the break written as a space, then one LF
 *
 * A body that passed the strict check (lpj_scan) holds CR and LF only as whitespace between tokens:
 * inside a string they must be escaped. So writing each as a space keeps the message's value exactly
 * (numbers, duplicate members and all) and makes its text one line.
 */
#ifndef LPJ_OUTPUT_H
#define LPJ_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes body[0 .. size) to stream with every CR and LF as a space, then one LF. Returns 0, or -1
 * when the write failed. */
int lpj_write_message_line(FILE *stream, const unsigned char *body, size_t size);

#endif /* LPJ_OUTPUT_H */
