/*
 * lpj_manifest.h - reading the golden fixtures: fixtures/manifest.json and
 * the wire files it names (format "lpj-fixtures/1", fixtures/README.md).
 *
 *   manifest.json   {"format": "lpj-fixtures/1", "defaults": {...},
 *                    "fixtures": [{"id", "file", "octets", "sha256",
 *                                  "direction", "receiverByteOrder",
 *                                  "receiverLimit", "frames", "responses",
 *                                  ...}, ...]}
 *   wire/<id>.bin   the exact octets of one fixture
 *
 * The manifest is read twice: with jansson (lpj_json.h) for its structure,
 * and as an exact tree (lpj_value.h) for the expected messages and
 * responses, because jansson can hold neither 1e400 exactly nor duplicate
 * member names. Fixture i is json_array_get(fixtures, i) in the one and
 * exact_fixtures->items[i] in the other.
 *
 * Used by the fixtures mode (lpj_fixtures.h, the library against the files)
 * and the interop mode (lpj_interop.h, a live server against the files).
 */
#ifndef LPJ_MANIFEST_H
#define LPJ_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lpj_error.h"
#include "lpj_frame.h"
#include "lpj_value.h"

typedef struct lpj_manifest {
    char dir[4096];                  /* the folder holding manifest.json */
    json_t *json;                    /* the whole manifest (owned) */
    lpj_value *exact;                /* the whole manifest, exact (owned) */
    const json_t *fixtures;          /* its "fixtures" array */
    const lpj_value *exact_fixtures; /* the same array, exact */
    size_t count;                    /* fixtures */
    size_t max_depth;                /* defaults.maxDepth, else LPJ_SCAN_DEFAULT_MAX_DEPTH */
} lpj_manifest;

/* Reads dir/manifest.json into manifest (release with lpj_manifest_free).
 * Returns 0, or -1 with err set (LPJ_ERR_FILE, LPJ_ERR_NO_MEMORY, or a
 * body fault of the manifest) when it is missing, not JSON, or not an
 * lpj-fixtures/1 manifest. */
int lpj_manifest_load(const char *dir, lpj_manifest *manifest, lpj_error_t *err);

/* Releases what lpj_manifest_load() read; manifest may be zero-filled. */
void lpj_manifest_free(lpj_manifest *manifest);

/* Fixture i (< count): its jansson object and its exact tree. */
const json_t *lpj_manifest_fixture(const lpj_manifest *manifest, size_t i, const lpj_value **exact);

/* The string member name of object, or NULL when absent or not a string. */
const char *lpj_manifest_string(const json_t *object, const char *name);

/* The fixture's "id", or "(no id)". */
const char *lpj_manifest_id(const json_t *fixture);

/* What every fixture must state to be run: id, file, octets, sha256,
 * direction, receiverByteOrder (parsed into *order), receiverLimit (into
 * *limit, 0 to 2^32-1), a "frames" array, and "responses" in the exact tree
 * as long as in the jansson one. Returns 0, or -1 with err saying what is
 * missing. order and limit may be NULL. */
int lpj_manifest_check_entry(const json_t *fixture, const lpj_value *exact, lpj_byte_order *order,
                             uint32_t *limit, lpj_error_t *err);

/* Whether the fixture is read by a server ("direction": "client-to-server"). */
int lpj_manifest_is_request(const json_t *fixture);

/* The whole file path (at most largest octets) in a new buffer, never NULL
 * for an empty file (free it). NULL with err set (LPJ_ERR_FILE,
 * LPJ_ERR_NO_MEMORY). */
unsigned char *lpj_manifest_read_file(const char *path, size_t largest, size_t *size, lpj_error_t *err);

/* The fixture's wire file (dir/"file"), checked against "octets" and
 * "sha256". NULL with err set (LPJ_ERR_FILE) when it cannot be read or
 * differs; free() the result. */
unsigned char *lpj_manifest_read_wire(const lpj_manifest *manifest, const json_t *fixture, size_t *size,
                                      lpj_error_t *err);

#endif /* LPJ_MANIFEST_H */
