/*
 * lpj_sha256.h - SHA-256 (FIPS 180-4), for checking fixture files against
 * the manifest's "sha256" without another library.
 */
#ifndef LPJ_SHA256_H
#define LPJ_SHA256_H

#include <stddef.h>

/* Writes the SHA-256 of data[0 .. size) as 64 lowercase hex digits and a NUL
 * to hex. */
void lpj_sha256_hex(const void *data, size_t size, char hex[65]);

#endif /* LPJ_SHA256_H */
