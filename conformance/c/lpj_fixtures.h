/*
 * lpj_fixtures.h - checks this library against the golden fixtures.
 *
 *   fixtures/manifest.json   what every fixture is and what a receiver reads from it
 *   fixtures/wire/<id>.bin   the exact octets
 *
 * For every fixture of the manifest (format "lpj-fixtures/1", see
 * fixtures/README.md):
 *
 *   1. the file has "octets" octets and the SHA-256 "sha256";
 *   2. lpj_frame decodes it with "receiverByteOrder" (little, big, native or
 *      auto) and "receiverLimit", fed whole, one octet at a time, and in
 *      pseudo-random pieces from three fixed seeds; every reading agrees with
 *      the whole one frame for frame, and an oversized length is refused the
 *      moment its fourth prefix octet is offered (stop offset + 4);
 *   3. the complete frames are as many as "frames" lists, each of "octets";
 *      "stop" matches the frame-level fault (frame-too-large or
 *      truncated-frame) and its stream offset;
 *   4. each frame with "message" decodes (lpj_message) and equals it under
 *      msg.value-equality (lpj_value: exact numbers, duplicates kept); each
 *      frame with "reject" is refused - a different code, rule or offset is
 *      reported as a note, not a failure;
 *   5. client-to-server fixtures: each "responses" entry agrees with the
 *      verdict of a receiver whose only method is ping (an accepted ping's
 *      expected pong equals its params; any other method is unknown-method);
 *   6. must-accept fixtures are refused nowhere; must-reject fixtures are
 *      refused somewhere (a frame, the stop, or the dispatch);
 *      implementation-defined ones are reported as "recorded" with this
 *      library's verdict.
 *
 * The manifest and the wire files are read by lpj_manifest.h (twice: with
 * jansson for the structure, as an exact lpj_value tree for the expected
 * messages). lpj_interop.h replays the request fixtures against a live
 * server instead.
 */
#ifndef LPJ_FIXTURES_H
#define LPJ_FIXTURES_H

#include <stddef.h>
#include <stdio.h>

#include "lpj_error.h"

typedef struct lpj_fixtures_result {
    size_t passed;
    size_t failed;
    size_t notes; /* informational differences (codes, rules, offsets) */
} lpj_fixtures_result;

/* Runs every fixture of dir (which holds manifest.json). Prints one line per
 * failed fixture ("FAIL <id>: ..."), notes ("note <id>: ..."), recorded
 * implementation-defined verdicts ("recorded <id>: ..."), and with verbose
 * also "ok <id>", to out. Returns 0 with *result filled, or -1 with err set
 * when the manifest cannot be read at all. */
int lpj_fixtures_run(const char *dir, int verbose, FILE *out, lpj_fixtures_result *result, lpj_error_t *err);

#endif /* LPJ_FIXTURES_H */
