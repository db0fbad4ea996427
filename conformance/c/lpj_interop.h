/*
 * lpj_interop.h - the interop mode: the golden request fixtures against a
 * live server (fixtures/README.md, "(b) Server tests").
 *
 *   for each client-to-server fixture that fits the server's configuration
 *   (receiverByteOrder = the chosen order, receiverLimit = 1048576):
 *
 *     connect ----- wire/<id>.bin, exactly as recorded -----> server
 *             ----- shutdown(SHUT_WR) ----------------------->
 *             <---- response frames, in the chosen order ----- (until EOF,
 *                                                                3 s each)
 *     compare with "responses": {"out", "result"} by msg.value-equality
 *     (lpj_value: exact numbers, duplicate members kept); {"error": CODE}
 *     is an error response with that code; one with "level": "SHOULD" may
 *     be missing (a warning). Nothing more may come, and the server must
 *     close after the half-close (conn.half-close).
 *
 * After a frame-too-large stop the server may close without reading the
 * rest of the file, so a failed write and a reset instead of end of stream
 * are accepted there, and only there.
 *
 * Reuses lpj_manifest (reading and checking the files), lpj_client (connect,
 * raw write, half-close, framing of responses), lpj_message (response shape)
 * and lpj_value (equality).
 */
#ifndef LPJ_INTEROP_H
#define LPJ_INTEROP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lpj_error.h"
#include "lpj_frame.h"

/* Per response frame, and for the end of stream. */
#define LPJ_INTEROP_DEFAULT_TIMEOUT_MS 3000
/* A pong echoes its params, so the answer to the 1 MiB request fixture
 * (request.frame.size-1mib) is 1,048,577 octets: one more than a server's
 * default request limit. The interop mode reads responses up to this. */
#define LPJ_INTEROP_DEFAULT_RESPONSE_LIMIT (2u * 1024 * 1024)

typedef struct lpj_interop_options {
    const char *host;
    int port;
    lpj_byte_order order;    /* little, big or native (= the host's order) */
    int timeout_ms;          /* <= 0: LPJ_INTEROP_DEFAULT_TIMEOUT_MS */
    uint32_t response_limit; /* 0: LPJ_INTEROP_DEFAULT_RESPONSE_LIMIT */
    int verbose;             /* also print "ok <id>" */
} lpj_interop_options;

typedef struct lpj_interop_result {
    size_t passed;
    size_t failed;
    size_t skipped;  /* fixtures for another byte order or limit, and server-to-client ones */
    size_t warnings; /* missing SHOULD responses */
} lpj_interop_result;

/* Runs the fixtures of dir (which holds manifest.json) against the server.
 * Prints "FAIL <id>: ..." for each failed fixture, "warn <id>: ..." for a
 * missing SHOULD response, and with verbose "ok <id>", to out. Returns 0
 * with *result filled; -1 with err set when the manifest cannot be read or
 * the server cannot be reached at all (refused, unresolvable). */
int lpj_interop_run(const char *dir, const lpj_interop_options *options, FILE *out, lpj_interop_result *result,
                    lpj_error_t *err);

#endif /* LPJ_INTEROP_H */
