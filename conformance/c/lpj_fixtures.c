/* lpj_fixtures.c - the fixtures mode: every golden fixture against this library. */
#include "lpj_fixtures.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lpj_frame.h"
#include "lpj_manifest.h"
#include "lpj_message.h"
#include "lpj_scan.h"
#include "lpj_value.h"

/* The fixed seeds of the pseudo-random splits: runs are reproducible. */
static const uint64_t split_seeds[] = {0x4c504a2f31ull /* "LPJ/1" */, 0x9e3779b97f4a7c15ull, 0x2545f4914f6cdd1dull};
#define FEEDINGS (2 + sizeof split_seeds / sizeof split_seeds[0])

/* ---- Readings: what the frame decoder makes of a whole stream -------------------- */

/* How a stream is offered: 0 whole, 1 one octet at a time, 2.. in
 * pseudo-random pieces from split_seeds[how - 2]. */
#define FEED_WHOLE 0
#define FEED_OCTETS 1

typedef struct reading {
    size_t frames;
    size_t *lengths;
    size_t lengths_capacity;
    unsigned char *bodies; /* every complete body, one after the other */
    size_t bodies_size;
    size_t bodies_capacity;
    int stopped;           /* a frame-level fault ended the stream */
    lpj_error_t stop;
    size_t stopped_at;     /* octets offered when the fault was reported */
} reading;

static void reading_free(reading *r) {
    free(r->lengths);
    free(r->bodies);
    memset(r, 0, sizeof *r);
}

static int keep_frame(reading *r, const unsigned char *body, size_t length) {
    if (r->frames == r->lengths_capacity) {
        const size_t capacity = r->lengths_capacity == 0 ? 8 : 2 * r->lengths_capacity;
        size_t *lengths = realloc(r->lengths, capacity * sizeof *lengths);
        if (lengths == NULL) return -1;
        r->lengths = lengths;
        r->lengths_capacity = capacity;
    }
    if (r->bodies_size + length > r->bodies_capacity) {
        size_t capacity = r->bodies_capacity == 0 ? 256 : 2 * r->bodies_capacity;
        if (capacity < r->bodies_size + length) capacity = r->bodies_size + length;
        unsigned char *bodies = realloc(r->bodies, capacity);
        if (bodies == NULL) return -1;
        r->bodies = bodies;
        r->bodies_capacity = capacity;
    }
    if (length > 0) memcpy(r->bodies + r->bodies_size, body, length);
    r->bodies_size += length;
    r->lengths[r->frames++] = length;
    return 0;
}

static uint64_t next_random(uint64_t *state) { /* xorshift64* */
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 2685821657736338717ull;
}

/* Feeds wire to a fresh decoder in pieces chosen by how, then ends the stream. */
static int read_stream(const unsigned char *wire, size_t size, lpj_byte_order order, uint32_t limit, size_t how,
                       reading *r) {
    memset(r, 0, sizeof *r);
    lpj_frame_decoder decoder;
    lpj_frame_decoder_init(&decoder, order, limit);
    uint64_t seed = how >= 2 ? split_seeds[how - 2] : 0;
    int status = 0;
    size_t at = 0;
    while (at < size && !r->stopped) {
        size_t piece = size - at;
        if (how == FEED_OCTETS) {
            piece = 1;
        } else if (how != FEED_WHOLE) {
            const uint64_t x = next_random(&seed);
            piece = x % 8 == 0 ? 1 + (size_t)(x >> 8) % 8192 : 1 + (size_t)(x >> 8) % 7;
            if (piece > size - at) piece = size - at;
        }
        const unsigned char *p = wire + at;
        size_t left = piece;
        while (left > 0) {
            size_t consumed = 0;
            const int fed = lpj_frame_decoder_feed(&decoder, p, left, &consumed, &r->stop);
            p += consumed;
            left -= consumed;
            if (fed < 0) {
                r->stopped = 1;
                r->stopped_at = (size_t)(p - wire);
                break;
            }
            if (fed == LPJ_FRAME_READY) {
                size_t length;
                const unsigned char *body = lpj_frame_decoder_body(&decoder, &length);
                if (keep_frame(r, body, length) != 0) {
                    status = -1;
                    r->stopped = 1;
                    break;
                }
            }
        }
        at += piece;
    }
    if (!r->stopped && lpj_frame_decoder_finish(&decoder, &r->stop) != 0) {
        r->stopped = 1;
        r->stopped_at = size;
    }
    lpj_frame_decoder_free(&decoder);
    return status;
}

static int readings_agree(const reading *a, const reading *b) {
    if (a->frames != b->frames || a->stopped != b->stopped || a->bodies_size != b->bodies_size) return 0;
    if (a->frames > 0 && memcmp(a->lengths, b->lengths, a->frames * sizeof *a->lengths) != 0) return 0;
    if (a->bodies_size > 0 && memcmp(a->bodies, b->bodies, a->bodies_size) != 0) return 0;
    return !a->stopped || (a->stop.code == b->stop.code && a->stop.offset == b->stop.offset &&
                           a->stopped_at == b->stopped_at);
}

/* ---- One fixture's verdict ----------------------------------------------------- */

typedef enum fixture_class { MUST_ACCEPT, MUST_REJECT, IMPLEMENTATION_DEFINED } fixture_class;

typedef struct check {
    const char *id;
    fixture_class class_;
    int requests;            /* client-to-server: frames are requests */
    size_t max_depth;
    char failures[1024];     /* "; "-separated reasons */
    size_t failure_count;
    char verdict[512];       /* this library's verdict, for "recorded" lines */
    int refused;             /* refused somewhere: a frame, the stop, the dispatch */
    FILE *out;
    size_t notes;
} check;

static void append(char *buffer, size_t size, const char *format, va_list args) {
    const size_t used = strlen(buffer);
    if (used + 1 < size) vsnprintf(buffer + used, size - used, format, args);
}

static void failure(check *c, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void failure(check *c, const char *format, ...) {
    va_list args;
    if (c->failure_count++ > 0) strncat(c->failures, "; ", sizeof c->failures - strlen(c->failures) - 1);
    va_start(args, format);
    append(c->failures, sizeof c->failures, format, args);
    va_end(args);
}

static void verdict(check *c, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void verdict(check *c, const char *format, ...) {
    va_list args;
    if (c->verdict[0] != '\0') strncat(c->verdict, "; ", sizeof c->verdict - strlen(c->verdict) - 1);
    va_start(args, format);
    append(c->verdict, sizeof c->verdict, format, args);
    va_end(args);
}

static void note(check *c, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void note(check *c, const char *format, ...) {
    va_list args;
    fprintf(c->out, "note %s: ", c->id);
    va_start(args, format);
    vfprintf(c->out, format, args);
    va_end(args);
    fputc('\n', c->out);
    c->notes++;
}

/* "code [rule] at offset N" of a manifest refusal object. */
static void describe_refusal(const json_t *refusal, char *buffer, size_t size) {
    const json_t *offset = json_object_get(refusal, "offset");
    if (json_is_integer(offset)) {
        snprintf(buffer, size, "%s [%s] at offset %lld", lpj_manifest_string(refusal, "code"),
                 lpj_manifest_string(refusal, "rule"), (long long)json_integer_value(offset));
    } else {
        snprintf(buffer, size, "%s [%s]", lpj_manifest_string(refusal, "code"), lpj_manifest_string(refusal, "rule"));
    }
}

static int refusal_matches(const lpj_error_t *mine, const json_t *refusal) {
    const json_t *offset = json_object_get(refusal, "offset");
    const long long expected_offset = json_is_integer(offset) ? (long long)json_integer_value(offset) : -1;
    const char *code = lpj_manifest_string(refusal, "code");
    const char *rule = lpj_manifest_string(refusal, "rule");
    return code != NULL && strcmp(code, lpj_code_name(mine->code)) == 0 && rule != NULL &&
           strcmp(rule, mine->rule) == 0 && expected_offset == mine->offset;
}

/* One complete frame against its manifest entry (frame), the exact expected
 * message (exact_frame), and the expected response (response, exact_response;
 * NULL for server-to-client fixtures). */
static void check_frame(check *c, size_t index, const unsigned char *body, size_t length, const json_t *frame,
                        const lpj_value *exact_frame, const json_t *response, const lpj_value *exact_response) {
    char mine[LPJ_ERROR_TEXT_LENGTH + 96], theirs[160];
    const json_t *octets = json_object_get(frame, "octets");
    if (!json_is_integer(octets) || (unsigned long long)json_integer_value(octets) != length) {
        failure(c, "frame %zu has %zu octets, the manifest says %lld", index, length,
                (long long)json_integer_value(octets));
    }
    lpj_error_t err;
    lpj_request request = {0};
    lpj_response decoded = {0};
    const int accepted = c->requests ? lpj_request_decode(body, length, c->max_depth, &request, &err) == 0
                                     : lpj_response_decode(body, length, c->max_depth, &decoded, &err) == 0;
    const json_t *reject = json_object_get(frame, "reject");
    const lpj_value *message = lpj_value_member(exact_frame, "message");
    lpj_value *exact = NULL;

    if (accepted) {
        verdict(c, "frame %zu accepted", index);
        exact = lpj_value_parse(body, length, c->max_depth, &err);
        if (exact == NULL) {
            failure(c, "frame %zu: decoded, but the exact tree fails: %s", index,
                    lpj_error_format(&err, mine, sizeof mine));
        } else if (message != NULL && lpj_value_equal(exact, message) != 1) {
            failure(c, "frame %zu: the decoded message differs from the manifest's (msg.value-equality)", index);
        }
        if (reject != NULL) {
            describe_refusal(reject, theirs, sizeof theirs);
            if (c->class_ == IMPLEMENTATION_DEFINED) {
                verdict(c, "the reference refuses it: %s", theirs);
            } else {
                failure(c, "frame %zu: accepted, the manifest refuses it: %s", index, theirs);
            }
        }
    } else {
        c->refused = 1;
        lpj_error_format(&err, mine, sizeof mine);
        verdict(c, "frame %zu refused: %s", index, mine);
        if (reject == NULL) {
            if (c->class_ == IMPLEMENTATION_DEFINED) {
                verdict(c, "the reference accepts it");
            } else {
                failure(c, "frame %zu: refused (%s), the manifest accepts it", index, mine);
            }
        } else if (!refusal_matches(&err, reject)) {
            describe_refusal(reject, theirs, sizeof theirs);
            note(c, "frame %zu refused as %s; the manifest says %s", index, mine, theirs);
        }
    }

    if (response != NULL) { /* what a ping-only receiver answers */
        const char *error = lpj_manifest_string(response, "error");
        const int is_ping = accepted && request.method_length == 4 && memcmp(request.method, "ping", 4) == 0;
        if (!accepted && error == NULL && c->class_ != IMPLEMENTATION_DEFINED) {
            failure(c, "frame %zu: refused, the manifest expects a successful response", index);
        } else if (!accepted && error != NULL && strcmp(error, lpj_code_name(err.code)) != 0) {
            note(c, "frame %zu: this library answers %s, the manifest %s", index, lpj_code_name(err.code), error);
        } else if (accepted && error != NULL) {
            if (strcmp(error, "unknown-method") == 0 && !is_ping) {
                c->refused = 1; /* refused at dispatch */
                verdict(c, "answered unknown-method");
            } else {
                failure(c, "frame %zu: decodes%s, the manifest expects a %s error", index, is_ping ? " as a ping" : "",
                        error);
            }
        } else if (accepted && !is_ping) {
            failure(c, "frame %zu: not a ping, so unknown-method; the manifest expects a response", index);
        } else if (accepted) {
            const lpj_value *params = lpj_value_member(exact, "params");
            const lpj_value *result = lpj_value_member(exact_response, "result");
            if (!lpj_value_is_string(lpj_value_member(exact_response, "out"), "pong")) {
                failure(c, "frame %zu: a ping, the manifest expects no pong", index);
            } else if (params == NULL || result == NULL || lpj_value_equal(params, result) != 1) {
                failure(c, "frame %zu: the manifest's pong result differs from the ping's params"
                           " (msg.value-equality)", index);
            }
        }
    } else if (accepted && decoded.is_error && decoded.registered_code == LPJ_ERR_INTERNAL_ERROR &&
               strcmp(decoded.error_code, "internal-error") != 0) {
        verdict(c, "code \"%s\" is not registered: treated as internal-error", decoded.error_code);
    }
    lpj_value_free(exact);
    lpj_request_clear(&request);
    lpj_response_clear(&decoded);
}

/* The whole reading against the manifest's frames and stop. */
static void check_reading(check *c, const reading *r, const json_t *fixture, const lpj_value *exact_fixture) {
    const json_t *frames = json_object_get(fixture, "frames");
    const json_t *responses = json_object_get(fixture, "responses");
    const lpj_value *exact_frames = lpj_value_member(exact_fixture, "frames");
    const lpj_value *exact_responses = lpj_value_member(exact_fixture, "responses");
    const size_t expected = json_array_size(frames);
    if (r->frames != expected) {
        failure(c, "%zu complete frames, the manifest lists %zu", r->frames, expected);
    }
    size_t offset = 0;
    for (size_t i = 0; i < r->frames && i < expected; i++) {
        const int has_response = c->requests && i < json_array_size(responses);
        check_frame(c, i, r->bodies + offset, r->lengths[i], json_array_get(frames, i), exact_frames->items[i],
                    has_response ? json_array_get(responses, i) : NULL,
                    has_response ? exact_responses->items[i] : NULL);
        offset += r->lengths[i];
    }

    char mine[LPJ_ERROR_TEXT_LENGTH + 96], theirs[160];
    const json_t *stop = json_object_get(fixture, "stop");
    if (r->stopped) {
        c->refused = 1;
        lpj_error_format(&r->stop, mine, sizeof mine);
        verdict(c, "stopped: %s", mine);
    }
    if (stop != NULL && !r->stopped) {
        describe_refusal(stop, theirs, sizeof theirs);
        failure(c, "the manifest stops (%s), the decoder read to the end", theirs);
    } else if (stop == NULL && r->stopped) {
        failure(c, "stopped (%s), the manifest does not stop", mine);
    } else if (stop != NULL) {
        const json_t *stop_offset = json_object_get(stop, "offset");
        const char *code = lpj_manifest_string(stop, "code");
        if (code == NULL || strcmp(code, lpj_code_name(r->stop.code)) != 0 || !json_is_integer(stop_offset) ||
            json_integer_value(stop_offset) != r->stop.offset) {
            describe_refusal(stop, theirs, sizeof theirs);
            failure(c, "stopped with %s, the manifest with %s", mine, theirs);
        } else if (!refusal_matches(&r->stop, stop)) {
            describe_refusal(stop, theirs, sizeof theirs);
            note(c, "stopped with %s; the manifest says %s", mine, theirs);
        }
    }
}

static int parse_class(const char *name, fixture_class *class_) {
    if (name == NULL) return -1;
    if (strcmp(name, "must-accept") == 0) *class_ = MUST_ACCEPT;
    else if (strcmp(name, "must-reject") == 0) *class_ = MUST_REJECT;
    else if (strcmp(name, "implementation-defined") == 0) *class_ = IMPLEMENTATION_DEFINED;
    else return -1;
    return 0;
}

/* Runs one fixture; returns 1 when it passed. */
static int run_fixture(const lpj_manifest *manifest, size_t index, int verbose, FILE *out, size_t *notes) {
    const lpj_value *exact_fixture;
    const json_t *fixture = lpj_manifest_fixture(manifest, index, &exact_fixture);
    check c;
    memset(&c, 0, sizeof c);
    c.id = lpj_manifest_id(fixture);
    c.out = out;
    c.max_depth = manifest->max_depth;
    lpj_byte_order order = LPJ_ORDER_LITTLE;
    uint32_t limit = 0;
    unsigned char *wire = NULL;
    size_t size = 0;
    lpj_error_t err;

    if (lpj_manifest_check_entry(fixture, exact_fixture, &order, &limit, &err) != 0 ||
        parse_class(lpj_manifest_string(fixture, "class"), &c.class_) != 0) {
        failure(&c, "the manifest entry lacks a member or has one of the wrong type");
    } else {
        c.requests = lpj_manifest_is_request(fixture);
        wire = lpj_manifest_read_wire(manifest, fixture, &size, &err);
        if (wire == NULL) {
            failure(&c, "%s", err.text);
        } else if (c.requests && !json_is_array(json_object_get(fixture, "responses"))) {
            failure(&c, "a client-to-server fixture without responses");
        } else {
            reading readings[FEEDINGS];
            int ok = 1;
            for (size_t how = 0; how < FEEDINGS; how++) {
                if (read_stream(wire, size, order, limit, how, &readings[how]) != 0) ok = 0;
            }
            if (!ok) failure(&c, "out of memory while reading the stream");
            for (size_t how = 1; how < FEEDINGS && ok; how++) {
                if (!readings_agree(&readings[FEED_WHOLE], &readings[how])) {
                    failure(&c, "fed %s, the decoder reads %zu frames%s; fed whole, %zu frames%s",
                            how == FEED_OCTETS ? "one octet at a time" : "in pseudo-random pieces",
                            readings[how].frames, readings[how].stopped ? " and stops" : "",
                            readings[FEED_WHOLE].frames, readings[FEED_WHOLE].stopped ? " and stops" : "");
                }
            }
            /* frame.limit-before-allocation: an oversized length is refused the
             * moment its fourth prefix octet is offered, not one octet later. */
            const reading *octets_reading = &readings[FEED_OCTETS];
            if (ok && octets_reading->stopped && octets_reading->stop.code == LPJ_ERR_FRAME_TOO_LARGE &&
                octets_reading->stopped_at != (size_t)octets_reading->stop.offset + 4) {
                failure(&c, "fed one octet at a time, frame-too-large is reported after %zu octets, not %lld",
                        octets_reading->stopped_at, octets_reading->stop.offset + 4);
            }
            if (ok) check_reading(&c, &readings[FEED_WHOLE], fixture, exact_fixture);
            for (size_t how = 0; how < FEEDINGS; how++) reading_free(&readings[how]);
            if (c.class_ == MUST_ACCEPT && c.refused && c.failure_count == 0) {
                failure(&c, "must-accept, but refused: %s", c.verdict);
            } else if (c.class_ == MUST_REJECT && !c.refused) {
                failure(&c, "must-reject, but nothing was refused");
            }
        }
    }
    free(wire);
    *notes += c.notes;
    if (c.failure_count > 0) {
        fprintf(out, "FAIL %s: %s\n", c.id, c.failures);
        return 0;
    }
    if (c.class_ == IMPLEMENTATION_DEFINED) {
        fprintf(out, "recorded %s: %s\n", c.id, c.verdict[0] != '\0' ? c.verdict : "nothing read");
    } else if (verbose) {
        fprintf(out, "ok %s\n", c.id);
    }
    return 1;
}

/* ---- The manifest ------------------------------------------------------------ */

int lpj_fixtures_run(const char *dir, int verbose, FILE *out, lpj_fixtures_result *result, lpj_error_t *err) {
    memset(result, 0, sizeof *result);
    lpj_manifest manifest;
    if (lpj_manifest_load(dir, &manifest, err) != 0) return -1;
    for (size_t i = 0; i < manifest.count; i++) {
        if (run_fixture(&manifest, i, verbose, out, &result->notes)) {
            result->passed++;
        } else {
            result->failed++;
        }
    }
    lpj_manifest_free(&manifest);
    return 0;
}
