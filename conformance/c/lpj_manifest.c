/* lpj_manifest.c - reading manifest.json and the wire files it names. */
#include "lpj_manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpj_json.h"
#include "lpj_scan.h"
#include "lpj_sha256.h"

/* Fixture files are small; the manifest holds a 1 MiB message. */
#define LARGEST_FIXTURE_FILE (64u * 1024 * 1024)
#define LARGEST_MANIFEST (256u * 1024 * 1024)

unsigned char *lpj_manifest_read_file(const char *path, size_t largest, size_t *size, lpj_error_t *err) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "cannot open %s", path);
        return NULL;
    }
    unsigned char *data = NULL;
    long length = -1;
    if (fseek(file, 0, SEEK_END) == 0) length = ftell(file);
    if (length < 0 || (unsigned long)length > largest || fseek(file, 0, SEEK_SET) != 0) {
        lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "%s is unreadable or larger than %zu octets", path, largest);
    } else if ((data = malloc((size_t)length + 1)) == NULL) {
        lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for %s", path);
    } else if (fread(data, 1, (size_t)length, file) != (size_t)length) {
        lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "cannot read %s", path);
        free(data);
        data = NULL;
    } else {
        *size = (size_t)length;
    }
    fclose(file);
    return data;
}

const char *lpj_manifest_string(const json_t *object, const char *name) {
    return json_string_value(json_object_get(object, name)); /* NULL when absent or not a string */
}

const char *lpj_manifest_id(const json_t *fixture) {
    const char *id = lpj_manifest_string(fixture, "id");
    return id != NULL ? id : "(no id)";
}

int lpj_manifest_is_request(const json_t *fixture) {
    const char *direction = lpj_manifest_string(fixture, "direction");
    return direction != NULL && strcmp(direction, "client-to-server") == 0;
}

void lpj_manifest_free(lpj_manifest *manifest) {
    lpj_value_free(manifest->exact);
    json_decref(manifest->json);
    memset(manifest, 0, sizeof *manifest);
}

int lpj_manifest_load(const char *dir, lpj_manifest *manifest, lpj_error_t *err) {
    memset(manifest, 0, sizeof *manifest);
    snprintf(manifest->dir, sizeof manifest->dir, "%s", dir);
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    size_t size = 0;
    unsigned char *text = lpj_manifest_read_file(path, LARGEST_MANIFEST, &size, err);
    if (text == NULL) return -1;
    manifest->json = lpj_json_loadb(text, size, LPJ_SCAN_LARGEST_MAX_DEPTH, err);
    if (manifest->json != NULL) manifest->exact = lpj_value_parse(text, size, LPJ_SCAN_LARGEST_MAX_DEPTH, err);
    free(text);
    if (manifest->json == NULL || manifest->exact == NULL) {
        lpj_error_prefix(err, path);
        lpj_manifest_free(manifest);
        return -1;
    }
    const char *format = lpj_manifest_string(manifest->json, "format");
    manifest->fixtures = json_object_get(manifest->json, "fixtures");
    manifest->exact_fixtures = lpj_value_member(manifest->exact, "fixtures");
    if (format == NULL || strcmp(format, "lpj-fixtures/1") != 0 || !json_is_array(manifest->fixtures) ||
        manifest->exact_fixtures == NULL || manifest->exact_fixtures->type != LPJ_VALUE_ARRAY ||
        manifest->exact_fixtures->count != json_array_size(manifest->fixtures)) {
        lpj_manifest_free(manifest);
        return lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "%s: not an lpj-fixtures/1 manifest", path);
    }
    manifest->count = json_array_size(manifest->fixtures);
    const json_t *depth = json_object_get(json_object_get(manifest->json, "defaults"), "maxDepth");
    manifest->max_depth = json_is_integer(depth) && json_integer_value(depth) > 0 &&
                                  json_integer_value(depth) <= LPJ_SCAN_LARGEST_MAX_DEPTH
                              ? (size_t)json_integer_value(depth)
                              : LPJ_SCAN_DEFAULT_MAX_DEPTH;
    return 0;
}

const json_t *lpj_manifest_fixture(const lpj_manifest *manifest, size_t i, const lpj_value **exact) {
    if (exact != NULL) *exact = i < manifest->count ? manifest->exact_fixtures->items[i] : NULL;
    return i < manifest->count ? json_array_get(manifest->fixtures, i) : NULL;
}

/* Whether the exact tree's member name is an array as long as the jansson
 * one (both absent counts as a match). */
static int exact_array_matches(const lpj_value *exact, const json_t *fixture, const char *name) {
    const lpj_value *array = lpj_value_member(exact, name);
    const json_t *json = json_object_get(fixture, name);
    if (array == NULL && json == NULL) return 1;
    return array != NULL && array->type == LPJ_VALUE_ARRAY && json_is_array(json) &&
           array->count == json_array_size(json);
}

int lpj_manifest_check_entry(const json_t *fixture, const lpj_value *exact, lpj_byte_order *order,
                             uint32_t *limit, lpj_error_t *err) {
    const char *receiver_order = lpj_manifest_string(fixture, "receiverByteOrder");
    const json_t *receiver_limit = json_object_get(fixture, "receiverLimit");
    lpj_byte_order parsed = LPJ_ORDER_LITTLE;
    if (lpj_manifest_string(fixture, "id") == NULL || lpj_manifest_string(fixture, "file") == NULL ||
        lpj_manifest_string(fixture, "sha256") == NULL || lpj_manifest_string(fixture, "direction") == NULL ||
        !json_is_integer(json_object_get(fixture, "octets")) || !json_is_integer(receiver_limit) ||
        json_integer_value(receiver_limit) < 0 || json_integer_value(receiver_limit) > (json_int_t)UINT32_MAX ||
        receiver_order == NULL || lpj_byte_order_parse(receiver_order, &parsed) != 0 ||
        !json_is_array(json_object_get(fixture, "frames")) || !exact_array_matches(exact, fixture, "frames") ||
        !exact_array_matches(exact, fixture, "responses")) {
        return lpj_error_set(err, LPJ_ERR_FILE, NULL, -1,
                             "the manifest entry lacks a member or has one of the wrong type");
    }
    if (order != NULL) *order = parsed;
    if (limit != NULL) *limit = (uint32_t)json_integer_value(receiver_limit);
    return 0;
}

unsigned char *lpj_manifest_read_wire(const lpj_manifest *manifest, const json_t *fixture, size_t *size,
                                      lpj_error_t *err) {
    const char *file = lpj_manifest_string(fixture, "file");
    const char *sha256 = lpj_manifest_string(fixture, "sha256");
    const json_t *octets = json_object_get(fixture, "octets");
    if (file == NULL || sha256 == NULL || !json_is_integer(octets)) {
        lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "the manifest entry lacks file, octets or sha256");
        return NULL;
    }
    char path[8300];
    snprintf(path, sizeof path, "%s/%s", manifest->dir, file);
    unsigned char *wire = lpj_manifest_read_file(path, LARGEST_FIXTURE_FILE, size, err);
    if (wire == NULL) return NULL;
    char digest[65];
    lpj_sha256_hex(wire, *size, digest);
    if ((long long)*size != (long long)json_integer_value(octets)) {
        lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "the file has %zu octets, the manifest says %lld", *size,
                      (long long)json_integer_value(octets));
    } else if (strcmp(digest, sha256) != 0) {
        lpj_error_set(err, LPJ_ERR_FILE, NULL, -1, "SHA-256 %s, the manifest says %s", digest, sha256);
    } else {
        return wire;
    }
    free(wire);
    return NULL;
}
