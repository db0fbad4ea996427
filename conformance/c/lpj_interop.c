/* lpj_interop.c - the interop mode: request fixtures replayed against a live server. */
#include "lpj_interop.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "lpj_client.h"
#include "lpj_manifest.h"
#include "lpj_message.h"
#include "lpj_value.h"

/* Responses read beyond the expected ones before giving up on a server that
 * keeps answering. */
#define EXTRA_RESPONSES 16

/* ---- Describing octets and values, briefly ----------------------------------- */

/* At most 64 octets of data as text: printable ASCII as it is, the rest as
 * \xNN, "..." when cut. Returns buffer. */
static char *snippet(const unsigned char *data, size_t size, char *buffer, size_t buffer_size) {
    size_t used = 0;
    buffer[0] = '\0';
    for (size_t i = 0; i < size && i < 64 && used + 8 < buffer_size; i++) {
        const unsigned char c = data[i];
        used += (size_t)snprintf(buffer + used, buffer_size - used, c >= 0x20 && c < 0x7f ? "%c" : "\\x%02x", c);
    }
    if (size > 64 && used + 4 < buffer_size) snprintf(buffer + used, buffer_size - used, "...");
    return buffer;
}

/* The manifest's expected response, compactly, for messages. */
static char *describe_expected(const json_t *expected, char *buffer, size_t size) {
    char *text = json_dumps(expected, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text == NULL) {
        snprintf(buffer, size, "(unprintable)");
    } else {
        snippet((const unsigned char *)text, strlen(text), buffer, size);
        free(text);
    }
    return buffer;
}

/* ---- One response against one expected entry ------------------------------------ */

/* Whether body is the response expected (the jansson entry and its exact
 * tree); otherwise writes what it is instead to why. */
static int response_matches(const unsigned char *body, size_t size, const json_t *expected,
                            const lpj_value *exact_expected, size_t max_depth, char *why, size_t why_size) {
    char text[LPJ_ERROR_TEXT_LENGTH + 96], octets[300];
    lpj_error_t err;
    lpj_response response;
    if (lpj_response_decode(body, size, max_depth, &response, &err) != 0) {
        snprintf(why, why_size, "a response that breaks a rule (%s): %s", lpj_error_format(&err, text, sizeof text),
                 snippet(body, size, octets, sizeof octets));
        return 0;
    }
    const char *code = lpj_manifest_string(expected, "error");
    int matches = 0;
    if (code != NULL) {
        matches = response.is_error && strcmp(response.error_code, code) == 0;
    } else if (!response.is_error) {
        lpj_value *exact = lpj_value_parse(body, size, max_depth, &err);
        matches = exact != NULL &&
                  lpj_value_equal(lpj_value_member(exact, "out"), lpj_value_member(exact_expected, "out")) == 1 &&
                  lpj_value_equal(lpj_value_member(exact, "result"), lpj_value_member(exact_expected, "result")) == 1;
        lpj_value_free(exact);
    }
    if (!matches && response.is_error) {
        snprintf(why, why_size, "the error response %s (%s)", response.error_code, response.error_message);
    } else if (!matches) {
        snprintf(why, why_size, "%s", snippet(body, size, octets, sizeof octets));
    }
    lpj_response_clear(&response);
    return matches;
}

/* ---- One fixture ------------------------------------------------------------------ */

typedef struct exchange {
    unsigned char **bodies;
    size_t *sizes;
    size_t count;
    size_t capacity;
    int write_failed;
    lpj_error_t write_error;
    lpj_error_t end; /* why reading ended: LPJ_ERR_CLOSED is a clean end of stream */
} exchange;

static void exchange_free(exchange *x) {
    for (size_t i = 0; i < x->count; i++) free(x->bodies[i]);
    free(x->bodies);
    free(x->sizes);
}

/* Connects, writes the wire, half-closes and reads responses until the
 * stream ends (x->end says how). Returns 0, or -1 with err set when no
 * connection could be made. */
static int replay(const lpj_interop_options *o, const unsigned char *wire, size_t size, size_t expected,
                  exchange *x, lpj_error_t *err) {
    memset(x, 0, sizeof *x);
    x->capacity = expected + EXTRA_RESPONSES;
    x->bodies = calloc(x->capacity, sizeof *x->bodies);
    x->sizes = calloc(x->capacity, sizeof *x->sizes);
    if (x->bodies == NULL || x->sizes == NULL) {
        return lpj_error_set(err, LPJ_ERR_NO_MEMORY, NULL, -1, "out of memory for %zu responses", x->capacity);
    }
    lpj_client *client = lpj_client_connect(o->host, o->port, o->order, o->timeout_ms, err);
    if (client == NULL) return -1;
    if (lpj_client_set_limit(client, o->response_limit, err) != 0) {
        lpj_client_close(client);
        return -1;
    }
    if (lpj_client_send_raw(client, wire, size, &x->write_error) != 0) {
        x->write_failed = 1;
    } else {
        lpj_client_shutdown_write(client, &x->write_error);
    }
    for (;;) {
        unsigned char *body;
        size_t length;
        if (lpj_client_receive(client, &body, &length, &x->end) != 0) break;
        if (x->count == x->capacity) {
            free(body);
            lpj_error_set(&x->end, LPJ_ERR_INVALID_RESPONSE, "conn.one-response", -1,
                          "more than %zu responses to %zu expected", x->capacity, expected);
            break;
        }
        x->bodies[x->count] = body;
        x->sizes[x->count++] = length;
    }
    lpj_client_close(client);
    return 0;
}

/* The responses against the manifest's. Returns 1 when they agree (writing
 * missing SHOULD responses to out as warnings), else 0 with why set. */
static int compare_responses(const exchange *x, const json_t *responses, const lpj_value *exact_responses,
                             size_t max_depth, const char *id, FILE *out, size_t *warnings, char *why,
                             size_t why_size) {
    char expected_text[300], got[600];
    size_t i = 0;
    for (size_t j = 0; j < json_array_size(responses); j++) {
        const json_t *expected = json_array_get(responses, j);
        const char *level = lpj_manifest_string(expected, "level");
        got[0] = '\0';
        if (i < x->count &&
            response_matches(x->bodies[i], x->sizes[i], expected, exact_responses->items[j], max_depth, got,
                             sizeof got)) {
            i++;
            continue;
        }
        describe_expected(expected, expected_text, sizeof expected_text);
        if (level != NULL && strcmp(level, "SHOULD") == 0) {
            fprintf(out, "warn %s: response %zu: no %s (SHOULD)%s%s\n", id, j, expected_text,
                    got[0] != '\0' ? "; instead " : "", got);
            ++*warnings;
            continue;
        }
        if (i < x->count) {
            snprintf(why, why_size, "response %zu: expected %s, got %s", j, expected_text, got);
        } else if (x->end.code == LPJ_ERR_CLOSED) {
            snprintf(why, why_size, "response %zu missing: expected %s; %zu response(s) came, then end of stream",
                     j, expected_text, x->count);
        } else {
            char end[LPJ_ERROR_TEXT_LENGTH + 96];
            snprintf(why, why_size, "response %zu missing: expected %s; %zu response(s) came, then %s", j,
                     expected_text, x->count, lpj_error_format(&x->end, end, sizeof end));
        }
        return 0;
    }
    if (i < x->count) {
        snprintf(why, why_size, "%zu response(s) more than expected; the first: %s", x->count - i,
                 snippet(x->bodies[i], x->sizes[i], got, sizeof got));
        return 0;
    }
    return 1;
}

/* Runs one fixture: 1 passed, 0 failed (why set), -1 no connection (err). */
static int run_fixture(const lpj_manifest *manifest, const json_t *fixture, const lpj_value *exact_fixture,
                       const lpj_interop_options *o, FILE *out, size_t *warnings, char *why, size_t why_size,
                       lpj_error_t *err) {
    char text[LPJ_ERROR_TEXT_LENGTH + 96];
    size_t size = 0;
    lpj_error_t file_error;
    unsigned char *wire = lpj_manifest_read_wire(manifest, fixture, &size, &file_error);
    if (wire == NULL) {
        snprintf(why, why_size, "%s", file_error.text);
        return 0;
    }
    const json_t *responses = json_object_get(fixture, "responses");
    const lpj_value *exact_responses = lpj_value_member(exact_fixture, "responses");
    const char *stop = lpj_manifest_string(json_object_get(fixture, "stop"), "code");
    /* After frame-too-large the server may close without reading the rest. */
    const int may_cut_short = stop != NULL && strcmp(stop, "frame-too-large") == 0;
    exchange x;
    const int replayed = replay(o, wire, size, json_array_size(responses), &x, err);
    free(wire);
    int passed = 0;
    if (replayed != 0) {
        if (err->code == LPJ_ERR_REFUSED || err->code == LPJ_ERR_RESOLVE || err->code == LPJ_ERR_USAGE) {
            exchange_free(&x);
            return -1;
        }
        snprintf(why, why_size, "no connection: %s", lpj_error_format(err, text, sizeof text));
    } else if (x.write_failed && !may_cut_short) {
        snprintf(why, why_size, "writing the fixture failed: %s",
                 lpj_error_format(&x.write_error, text, sizeof text));
    } else if (!compare_responses(&x, responses, exact_responses, manifest->max_depth, lpj_manifest_id(fixture),
                                  out, warnings, why, why_size)) {
        /* why is set */
    } else if (x.end.code == LPJ_ERR_CLOSED || (x.end.code == LPJ_ERR_IO && may_cut_short)) {
        passed = 1;
    } else if (x.end.code == LPJ_ERR_TIMED_OUT) {
        snprintf(why, why_size, "the server did not close within %d ms after the half-close and %zu response(s)"
                 " (conn.half-close)", o->timeout_ms, x.count);
    } else {
        snprintf(why, why_size, "after %zu response(s): %s", x.count, lpj_error_format(&x.end, text, sizeof text));
    }
    exchange_free(&x);
    return passed;
}

/* ---- The manifest ----------------------------------------------------------------- */

int lpj_interop_run(const char *dir, const lpj_interop_options *options, FILE *out, lpj_interop_result *result,
                    lpj_error_t *err) {
    memset(result, 0, sizeof *result);
    lpj_interop_options o = *options;
    if (o.timeout_ms <= 0) o.timeout_ms = LPJ_INTEROP_DEFAULT_TIMEOUT_MS;
    if (o.response_limit == 0) o.response_limit = LPJ_INTEROP_DEFAULT_RESPONSE_LIMIT;
    if (o.order == LPJ_ORDER_AUTO) {
        return lpj_error_set(err, LPJ_ERR_USAGE, "order.auto-detect", -1,
                             "clients do not auto-detect the byte order: use little, big or native");
    }
    /* native is the host's order: the fixtures name only little and big */
    const char *order = lpj_byte_order_name(o.order == LPJ_ORDER_NATIVE ? lpj_byte_order_host() : o.order);
    lpj_manifest manifest;
    if (lpj_manifest_load(dir, &manifest, err) != 0) return -1;
    int status = 0;
    for (size_t i = 0; i < manifest.count && status == 0; i++) {
        const lpj_value *exact;
        const json_t *fixture = lpj_manifest_fixture(&manifest, i, &exact);
        const char *id = lpj_manifest_id(fixture);
        lpj_byte_order receiver_order;
        uint32_t receiver_limit;
        char why[1024];
        lpj_error_t entry_error;
        if (lpj_manifest_check_entry(fixture, exact, &receiver_order, &receiver_limit, &entry_error) != 0) {
            fprintf(out, "FAIL %s: %s\n", id, entry_error.text);
            result->failed++;
            continue;
        }
        if (!lpj_manifest_is_request(fixture) || strcmp(lpj_byte_order_name(receiver_order), order) != 0 ||
            receiver_limit != LPJ_FRAME_DEFAULT_LIMIT) {
            result->skipped++;
            continue;
        }
        why[0] = '\0';
        const int passed = run_fixture(&manifest, fixture, exact, &o, out, &result->warnings, why, sizeof why, err);
        if (passed < 0) {
            lpj_error_prefix(err, id);
            status = -1;
        } else if (passed) {
            result->passed++;
            if (o.verbose) fprintf(out, "ok %s\n", id);
        } else {
            result->failed++;
            fprintf(out, "FAIL %s: %s\n", id, why);
        }
        fflush(out);
    }
    lpj_manifest_free(&manifest);
    return status;
}
