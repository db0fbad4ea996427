/*
 * lpj_output.c - one response message on one line (see lpj_output.h).
 */
#include "lpj_output.h"

int lpj_write_message_line(FILE *stream, const unsigned char *body, size_t size) {
    for (size_t i = 0; i < size; i++) {
        const int octet = body[i] == '\n' || body[i] == '\r' ? ' ' : body[i];
        if (putc(octet, stream) == EOF) return -1;
    }
    if (putc('\n', stream) == EOF || fflush(stream) != 0) return -1;
    return 0;
}
