/*
 * test_lpj.c - unit tests of the C library, from the bytes up.
 *
 * Framing, byte orders and auto-detection, the strict body scanner with the
 * spec's error offsets, exact numbers and value equality, message checks,
 * and the client against a scripted server in a child process (partial
 * reads, oversized and byte-swapped lengths, truncation, error responses).
 * With a fixtures directory as argument, also the client against every
 * server-to-client fixture, served by a stub server (fixtures/README.md,
 * "Client tests").
 * Prints one line per failed check and "test_lpj: N checks, N failed".
 */
#define _POSIX_C_SOURCE 200809L

#include <float.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lpj_client.h"
#include "lpj_frame.h"
#include "lpj_manifest.h"
#include "lpj_message.h"
#include "lpj_number.h"
#include "lpj_output.h"
#include "lpj_scan.h"
#include "lpj_value.h"

static int checks, failures;

#define CHECK(condition, ...)                                          \
    do {                                                               \
        checks++;                                                      \
        if (!(condition)) {                                            \
            failures++;                                                \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #condition); \
            printf(__VA_ARGS__);                                       \
            printf("\n");                                              \
        }                                                              \
    } while (0)

/* ---- Numbers and equality ------------------------------------------------- */

static void test_numbers(void) {
    static const char *const cases[][2] = {
        {"1", "1e0"}, {"1.0", "1e0"}, {"10e-1", "1e0"}, {"0.1e1", "1e0"}, {"1E0", "1e0"},
        {"-0", "0"}, {"0.0", "0"}, {"-0.0", "0"}, {"0e999", "0"}, {"0.1", "1e-1"},
        {"0.1000000000000000055511151231257827", "1000000000000000055511151231257827e-34"},
        {"12345678901234567890", "1234567890123456789e1"}, {"1e400", "1e400"}, {"-2.50E+3", "-25e2"},
        {"100", "1e2"}, {"0.00120", "12e-4"}, {"1e-0", "1e0"}, {"5e-324", "5e-324"},
        {"1e99999999999999999999", "1e99999999999999999999"},
        {"10e99999999999999999999", "1e100000000000000000000"},
        {"0.1e-99999999999999999999", "1e-100000000000000000000"},
        {"1000e-1000000000000000000000", "1e-999999999999999999997"},
        {"0.001e00000000000000000000000000000001", "1e-2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t length;
        char *canonical = lpj_number_canonical((const unsigned char *)cases[i][0], strlen(cases[i][0]), &length);
        CHECK(canonical != NULL && strcmp(canonical, cases[i][1]) == 0 && length == strlen(cases[i][1]),
              "%s -> %s, expected %s", cases[i][0], canonical ? canonical : "NULL", cases[i][1]);
        free(canonical);
    }
}

static int equal_texts(const char *a, const char *b) {
    lpj_error_t err;
    lpj_value *x = lpj_value_parse((const unsigned char *)a, strlen(a), 0, &err);
    lpj_value *y = lpj_value_parse((const unsigned char *)b, strlen(b), 0, &err);
    const int equal = x != NULL && y != NULL ? lpj_value_equal(x, y) : -2;
    lpj_value_free(x);
    lpj_value_free(y);
    return equal;
}

static void test_equality(void) {
    static const char *const equal[][2] = {
        {"[1,1.0,10e-1,0.1e1,1E0]", "[1,1,1,1,1]"},
        {"[-0,0,0.0,-0.0]", "[0,0,0,0]"},
        {"{\"b\":[1.0,\"\\u00e9\"],\"a\":true}", "{\"a\":true,\"b\":[1,\"\xc3\xa9\"]}"},
        {"\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\""},
        {"\"\\/\"", "\"/\""},
        {"{\"a\":1,\"a\":2}", "{\"a\":2,\"a\":1}"},
        {"\"a\\u0000b\"", "\"a\\u0000b\""},
        {"[1.0,1e-05,12345678901234567890,0.1,1e+300,{\"a\":1}]",
         "[1,0.00001,12345678901234567890,0.1,1e300,{\"a\":1}]"},
        {"{\"x\":[{\"a\":1,\"a\":{\"b\":2}}],\"y\":null}", "{\"y\":null,\"x\":[{\"a\":{\"b\":2.0},\"a\":1}]}"},
    };
    static const char *const unequal[][2] = {
        {"0.1", "0.1000000000000000055511151231257827"},
        {"\"\\u00e9\"", "\"e\\u0301\""},
        {"{\"a\":1,\"a\":2}", "{\"a\":1,\"a\":1}"},
        {"{\"a\":1,\"a\":2}", "{\"a\":2}"},
        {"[1,2]", "[2,1]"},
        {"1", "\"1\""},
        {"null", "false"},
        {"{\"a\":1}", "{\"b\":1}"},
        {"\"a\\u0000b\"", "\"a\""},
        {"9007199254740993", "9007199254740992"},
    };
    for (size_t i = 0; i < sizeof equal / sizeof equal[0]; i++) {
        CHECK(equal_texts(equal[i][0], equal[i][1]) == 1, "%s == %s", equal[i][0], equal[i][1]);
    }
    for (size_t i = 0; i < sizeof unequal / sizeof unequal[0]; i++) {
        CHECK(equal_texts(unequal[i][0], unequal[i][1]) == 0, "%s != %s", unequal[i][0], unequal[i][1]);
    }
}

/* ---- The body scanner -------------------------------------------------------- */

static void expect_scan(const char *body, size_t size, lpj_code code, const char *rule, long long offset) {
    lpj_error_t err;
    const int status = lpj_scan((const unsigned char *)body, size, 0, NULL, NULL, &err);
    if (code == LPJ_OK) {
        CHECK(status == 0, "%.40s accepted, got %s [%s] at %lld: %s", body, lpj_code_name(err.code), err.rule,
              err.offset, err.text);
        return;
    }
    CHECK(status == -1 && err.code == code && strcmp(err.rule, rule) == 0 && err.offset == offset,
          "%.40s: expected %s [%s] at %lld, got %s [%s] at %lld (%s)", body, lpj_code_name(code), rule, offset,
          lpj_code_name(err.code), err.rule, err.offset, err.text);
}

#define SCAN(literal, code, rule, offset) expect_scan(literal, sizeof literal - 1, code, rule, offset)

static void test_scan(void) {
    /* The table of msg.error-response. */
    SCAN("[1,]", LPJ_ERR_INVALID_JSON, "body.json-text", 3);
    SCAN("{\"a\":01}", LPJ_ERR_INVALID_JSON, "body.json-text", 6);
    SCAN("{\"in\":\"ping\"", LPJ_ERR_INVALID_JSON, "body.json-text", 12);
    SCAN("\xc3\x28", LPJ_ERR_INVALID_UTF8, "body.utf8", 0);
    SCAN("\xef\xbb\xbf{}", LPJ_ERR_INVALID_JSON, "body.no-bom", 0);
    SCAN("", LPJ_ERR_INVALID_JSON, "frame.zero-length", 0);
    /* body.utf8: the earliest defect wins; a tie goes to invalid-utf8. */
    SCAN("{\xff", LPJ_ERR_INVALID_UTF8, "body.utf8", 1);
    SCAN("{,\xff", LPJ_ERR_INVALID_JSON, "body.json-text", 1);
    SCAN("\"caf\xe9\"", LPJ_ERR_INVALID_UTF8, "body.utf8", 4);
    SCAN("\"\xc0\xaf\"", LPJ_ERR_INVALID_UTF8, "body.utf8", 1);
    SCAN("\"\xed\xa0\x80\"", LPJ_ERR_INVALID_UTF8, "body.utf8", 1);
    SCAN("\"\xf4\x90\x80\x80\"", LPJ_ERR_INVALID_UTF8, "body.utf8", 1);
    SCAN("\"\xf0\x9f\x98\"", LPJ_ERR_INVALID_UTF8, "body.utf8", 1);
    SCAN("\"\xef\xbf\xbe\"", LPJ_OK, "", -1); /* U+FFFE: a noncharacter, well-formed */
    /* Surrogate escapes. */
    SCAN("\"\\ud800\"", LPJ_ERR_INVALID_JSON, "body.no-lone-surrogates", 1);
    SCAN("\"\\udc00\"", LPJ_ERR_INVALID_JSON, "body.no-lone-surrogates", 1);
    SCAN("\"\\udc00\\ud800\"", LPJ_ERR_INVALID_JSON, "body.no-lone-surrogates", 1);
    SCAN("\"\\ud800\\u0041\"", LPJ_ERR_INVALID_JSON, "body.no-lone-surrogates", 1);
    SCAN("\"x\\ud800x\"", LPJ_ERR_INVALID_JSON, "body.no-lone-surrogates", 2);
    SCAN("\"\\uD83D\\uDE00\"", LPJ_OK, "", -1);
    SCAN("\"\\u0000\"", LPJ_OK, "", -1);
    /* Non-finite numbers. */
    SCAN("{\"x\":NaN}", LPJ_ERR_INVALID_JSON, "body.no-nonfinite", 5);
    SCAN("[Infinity]", LPJ_ERR_INVALID_JSON, "body.no-nonfinite", 1);
    SCAN("[-Infinity]", LPJ_ERR_INVALID_JSON, "body.no-nonfinite", 1);
    /* Grammar. */
    SCAN("{}{}", LPJ_ERR_INVALID_JSON, "body.json-text", 2);
    SCAN("1 2", LPJ_ERR_INVALID_JSON, "body.json-text", 2);
    SCAN("{}\x00", LPJ_ERR_INVALID_JSON, "body.json-text", 2);
    SCAN("{\"a\":1,}", LPJ_ERR_INVALID_JSON, "body.json-text", 7);
    SCAN("[.5]", LPJ_ERR_INVALID_JSON, "body.json-text", 1);
    SCAN("[1.]", LPJ_ERR_INVALID_JSON, "body.json-text", 3);
    SCAN("[1e]", LPJ_ERR_INVALID_JSON, "body.json-text", 3);
    SCAN("[+1]", LPJ_ERR_INVALID_JSON, "body.json-text", 1);
    SCAN("[-01]", LPJ_ERR_INVALID_JSON, "body.json-text", 3);
    SCAN("[True]", LPJ_ERR_INVALID_JSON, "body.json-text", 1);
    SCAN("[nul]", LPJ_ERR_INVALID_JSON, "body.json-text", 1);
    SCAN("[\"\\x41\"]", LPJ_ERR_INVALID_JSON, "body.json-text", 2);
    SCAN("[\"\\u12\"]", LPJ_ERR_INVALID_JSON, "body.json-text", 6);
    SCAN("[\"a\tb\"]", LPJ_ERR_INVALID_JSON, "body.json-text", 3);
    SCAN("{'a':1}", LPJ_ERR_INVALID_JSON, "body.json-text", 1);
    SCAN("// x\n{}", LPJ_ERR_INVALID_JSON, "body.json-text", 0);
    SCAN("   ", LPJ_ERR_INVALID_JSON, "body.json-text", 3);
    SCAN(" \t\r\n{\"a\" : [ 1e400 , -1e-400 , 123456789012345678901234567890 ] }\n", LPJ_OK, "", -1);
    SCAN("{\"a\":1,\"a\":2}", LPJ_OK, "", -1); /* duplicates are never a grammar error */

    /* body.nesting-limit: depth 512 accepted, 513 refused at the 513th bracket. */
    char deep[2000];
    memset(deep, '[', 513);
    memset(deep + 513, ']', 513);
    expect_scan(deep + 1, 1024, LPJ_OK, "", -1);
    expect_scan(deep, 1026, LPJ_ERR_INVALID_JSON, "body.nesting-limit", 512);
    /* 1,048,576 '[' : refused at once, without recursion. */
    char *flood = malloc(1048576);
    memset(flood, '[', 1048576);
    expect_scan(flood, 1048576, LPJ_ERR_INVALID_JSON, "body.nesting-limit", 512);
    lpj_error_t err;
    CHECK(lpj_scan((const unsigned char *)flood, 1048576, 4000, NULL, NULL, &err) == -1 &&
              err.offset == LPJ_SCAN_LARGEST_MAX_DEPTH,
          "the depth limit is capped at %d, got offset %lld", LPJ_SCAN_LARGEST_MAX_DEPTH, err.offset);
    free(flood);

    /* Unescaping. */
    const char token[] = "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000\\u00e9\\ud83d\\ude00\"";
    unsigned char out[sizeof token];
    const size_t length = lpj_string_decode((const unsigned char *)token, sizeof token - 1, out);
    const char expected[] = "a\"\\/\b\f\n\r\t\0\xc3\xa9\xf0\x9f\x98\x80";
    CHECK(length == sizeof expected - 1 && memcmp(out, expected, length) == 0, "unescaped %zu octets", length);
}

/* ---- Framing ------------------------------------------------------------------ */

static void test_byte_orders(void) {
    const uint32_t limit = 1048576;
    static const struct {
        unsigned char p[4];
        lpj_byte_order order;
        int ambiguous;
    } table[] = {
        {{0x25, 0, 0, 0}, LPJ_ORDER_LITTLE, 0}, {{0, 0, 0, 0x25}, LPJ_ORDER_BIG, 0},
        {{0, 0, 0, 0}, LPJ_ORDER_LITTLE, 0},    {{0, 0, 1, 0}, LPJ_ORDER_LITTLE, 1},
        {{0, 0, 0x10, 0}, LPJ_ORDER_LITTLE, 1}, {{0, 0, 0x20, 0}, LPJ_ORDER_BIG, 0},
        {{1, 0, 0x10, 0}, LPJ_ORDER_LITTLE, 0}, {{0x7b, 0x22, 0x69, 0x6e}, LPJ_ORDER_LITTLE, 0},
        {{0xff, 0xff, 0xff, 0xff}, LPJ_ORDER_LITTLE, 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int ambiguous;
        const lpj_byte_order order = lpj_frame_detect_order(table[i].p, limit, &ambiguous);
        CHECK(order == table[i].order && ambiguous == table[i].ambiguous, "order.auto-algorithm row %zu", i);
    }
    /* The spec's counts: with the limit below 16 MiB only 00 xx yy 00 can be ambiguous. */
    size_t ambiguous_65536 = 0, ambiguous_default = 0;
    for (unsigned x = 0; x < 256; x++) {
        for (unsigned y = 0; y < 256; y++) {
            const unsigned char p[4] = {0, (unsigned char)x, (unsigned char)y, 0};
            int ambiguous;
            lpj_frame_detect_order(p, 65536, &ambiguous);
            ambiguous_65536 += (size_t)ambiguous;
            lpj_frame_detect_order(p, limit, &ambiguous);
            ambiguous_default += (size_t)ambiguous;
        }
    }
    CHECK(ambiguous_65536 == 2, "%zu ambiguous prefixes at limit 65536, the spec says 2", ambiguous_65536);
    CHECK(ambiguous_default == 242, "%zu ambiguous prefixes at limit 1048576, the spec says 242", ambiguous_default);

    /* native is the host's uint32_t layout, and equals one of the two. */
    unsigned char native[4], host[4];
    const uint32_t length = 0x01020304;
    lpj_frame_write_prefix(length, LPJ_ORDER_NATIVE, native);
    memcpy(host, &length, 4);
    CHECK(memcmp(native, host, 4) == 0, "native prefix is the host layout");
    lpj_frame_write_prefix(length, lpj_byte_order_host(), host);
    CHECK(memcmp(native, host, 4) == 0, "native equals %s", lpj_byte_order_name(lpj_byte_order_host()));
    CHECK(lpj_frame_read_prefix(native, LPJ_ORDER_NATIVE) == length, "native reads back");
    unsigned char big[4];
    lpj_frame_write_prefix(37, LPJ_ORDER_BIG, big);
    CHECK(big[0] == 0 && big[3] == 0x25, "37 big-endian is 00 00 00 25");
}

static void test_decoder(void) {
    /* Two frames (one empty) and the start of a third, fed one octet at a time. */
    const unsigned char stream[] = {0x02, 0, 0, 0, '{', '}', 0, 0, 0, 0, 0x05, 0};
    lpj_frame_decoder d;
    lpj_error_t err;
    lpj_frame_decoder_init(&d, LPJ_ORDER_LITTLE, 65536);
    size_t frames = 0;
    for (size_t i = 0; i < sizeof stream; i++) {
        size_t consumed;
        const int status = lpj_frame_decoder_feed(&d, stream + i, 1, &consumed, &err);
        CHECK(status >= 0 && consumed == 1, "octet %zu", i);
        if (status == LPJ_FRAME_READY) {
            size_t length;
            const unsigned char *body = lpj_frame_decoder_body(&d, &length);
            CHECK(frames != 0 || (length == 2 && memcmp(body, "{}", 2) == 0), "first body");
            CHECK(frames != 1 || (length == 0 && body == NULL), "zero-length body");
            frames++;
        }
    }
    CHECK(frames == 2, "%zu frames", frames);
    CHECK(lpj_frame_decoder_inside_frame(&d), "inside the third prefix");
    CHECK(lpj_frame_decoder_finish(&d, &err) == -1 && err.code == LPJ_ERR_TRUNCATED_FRAME &&
              strcmp(err.rule, "conn.eof-inside-frame") == 0 && err.offset == 12,
          "truncated prefix: %s at %lld", err.text, err.offset);
    lpj_frame_decoder_free(&d);

    /* The limit is inclusive; limit + 1 is refused before any allocation. */
    const unsigned char at_limit[] = {0x00, 0x00, 0x01, 0x00};
    const unsigned char over[] = {0x01, 0x00, 0x01, 0x00, 'x'};
    size_t consumed;
    lpj_frame_decoder_init(&d, LPJ_ORDER_LITTLE, 65536);
    CHECK(lpj_frame_decoder_feed(&d, at_limit, 4, &consumed, &err) == LPJ_FRAME_NEED_MORE && d.body_capacity == 0,
          "65536 within the limit, nothing reserved before a body octet");
    lpj_frame_decoder_free(&d);
    lpj_frame_decoder_init(&d, LPJ_ORDER_LITTLE, 65536);
    CHECK(lpj_frame_decoder_feed(&d, over, sizeof over, &consumed, &err) == -1 && consumed == 4 &&
              err.code == LPJ_ERR_FRAME_TOO_LARGE && err.offset == 0 && d.body == NULL,
          "65537 over the limit: %s", err.text);
    CHECK(lpj_frame_decoder_feed(&d, over, sizeof over, &consumed, &err) == -1 && consumed == 0,
          "a failed decoder stays failed");
    lpj_frame_decoder_free(&d);

    /* The diagnosis names the byte-swapped reading (order.mismatch-diagnosis). */
    const unsigned char s390x[] = {0, 0, 0, 0x25};
    lpj_frame_decoder_init(&d, LPJ_ORDER_LITTLE, 1048576);
    lpj_frame_decoder_feed(&d, s390x, 4, &consumed, &err);
    CHECK(err.code == LPJ_ERR_FRAME_TOO_LARGE && strstr(err.text, "00 00 00 25") != NULL &&
              strstr(err.text, "620756992") != NULL && strstr(err.text, "big-endian: 37") != NULL,
          "diagnosis: %s", err.text);
    lpj_frame_decoder_free(&d);
    const unsigned char text[] = {'{', '"', 'i', 'n'};
    lpj_frame_decoder_init(&d, LPJ_ORDER_LITTLE, 1048576);
    lpj_frame_decoder_feed(&d, text, 4, &consumed, &err);
    CHECK(strstr(err.text, "printable ASCII") != NULL, "text without prefix: %s", err.text);
    lpj_frame_decoder_free(&d);

    /* auto: the first prefix decides, for the rest of the stream. */
    const unsigned char two_big[] = {0, 0, 0, 1, '1', 0, 0, 0, 2, '2', '3'};
    lpj_frame_decoder_init(&d, LPJ_ORDER_AUTO, 1048576);
    size_t at = 0;
    frames = 0;
    while (at < sizeof two_big) {
        const int status = lpj_frame_decoder_feed(&d, two_big + at, sizeof two_big - at, &consumed, &err);
        at += consumed;
        frames += status == LPJ_FRAME_READY;
        if (status < 0) break;
    }
    CHECK(frames == 2 && d.order == LPJ_ORDER_BIG && lpj_frame_decoder_finish(&d, &err) == 0, "auto picks big");
    lpj_frame_decoder_free(&d);

    /* The encoder: one buffer, prefix then body. */
    size_t frame_length;
    unsigned char *frame = lpj_frame_encode("{}", 2, LPJ_ORDER_BIG, &frame_length, &err);
    CHECK(frame != NULL && frame_length == 6 && frame[3] == 2 && frame[4] == '{', "encoded");
    free(frame);
    CHECK(lpj_frame_encode("{}", 2, LPJ_ORDER_AUTO, &frame_length, &err) == NULL && err.code == LPJ_ERR_USAGE,
          "no auto sender");
}

/* ---- Messages ------------------------------------------------------------------ */

static int request_code(const char *body, const char *rule) {
    lpj_request request;
    lpj_error_t err;
    const int status = lpj_request_decode((const unsigned char *)body, strlen(body), 0, &request, &err);
    lpj_request_clear(&request);
    if (status == 0) return LPJ_OK;
    if (rule != NULL && strcmp(rule, err.rule) != 0) return -1;
    return (int)err.code;
}

static void test_messages(void) {
    CHECK(request_code("{\"params\": \"ireader 0\", \"in\": \"ping\"}", NULL) == LPJ_OK, "legacy ping");
    CHECK(request_code("{\"in\":\"ping\",\"params\":null,\"id\":7,\"id\":8}", NULL) == LPJ_OK, "unknown members");
    CHECK(request_code("{\"in\":\"ping\",\"params\":{\"a\":1,\"a\":2}}", NULL) == LPJ_OK, "nested duplicates");
    CHECK(request_code("{\"in\":\"ping\",\"\\u0069n\":\"ping\",\"params\":1}", "msg.duplicate-members") ==
              LPJ_ERR_INVALID_REQUEST, "escaped duplicate in");
    CHECK(request_code("{\"in\":\"ping\",\"params\":1,\"params\":1}", "msg.duplicate-members") ==
              LPJ_ERR_INVALID_REQUEST, "duplicate params");
    CHECK(request_code("{\"params\":1}", "msg.request") == LPJ_ERR_INVALID_REQUEST, "missing in");
    CHECK(request_code("{\"in\":null,\"params\":1}", "msg.request") == LPJ_ERR_INVALID_REQUEST, "in null");
    CHECK(request_code("{\"in\":\"frob\"}", "msg.request") == LPJ_ERR_INVALID_REQUEST, "missing params");
    CHECK(request_code("[\"ping\",1]", "body.object") == LPJ_ERR_INVALID_REQUEST, "not an object");
    CHECK(request_code("{\"in\":\"ping\",\"params\":[1,]}", "body.json-text") == LPJ_ERR_INVALID_JSON, "bad json");

    /* What jansson's own parser refuses: U+0000 in a name, numbers beyond int64 and binary64. */
    const char *body = "{\"in\":\"ping\",\"params\":{\"a\\u0000b\":[1e400,-1e400,18446744073709551616,1e-400,-0]}}";
    lpj_request request;
    lpj_error_t err;
    CHECK(lpj_request_decode((const unsigned char *)body, strlen(body), 0, &request, &err) == 0, "%s", err.text);
    const char *key;
    size_t key_length;
    json_t *value;
    int seen = 0;
    json_object_keylen_foreach(request.params, key, key_length, value) {
        seen = key_length == 3 && memcmp(key, "a\0b", 3) == 0 && json_real_value(json_array_get(value, 0)) == DBL_MAX &&
               json_real_value(json_array_get(value, 1)) == -DBL_MAX &&
               json_real_value(json_array_get(value, 2)) == 18446744073709551616.0 &&
               json_real_value(json_array_get(value, 3)) == 0.0 && json_integer_value(json_array_get(value, 4)) == 0;
    }
    CHECK(seen, "NUL key and clamped numbers");
    lpj_request_clear(&request);

    lpj_response response;
    const char *error = "{\"out\":\"error\",\"result\":{\"code\":\"teapot\",\"message\":\"short\",\"offset\":3}}";
    CHECK(lpj_response_decode((const unsigned char *)error, strlen(error), 0, &response, &err) == 0 &&
              response.is_error && response.registered_code == LPJ_ERR_INTERNAL_ERROR && response.error_offset == 3,
          "unregistered code");
    lpj_response_clear(&response);
    const char *bad[] = {"{\"out\":\"error\",\"result\":{\"message\":\"no\"}}", "{\"out\":\"pong\"}",
                         "{\"out\":1,\"result\":1}", "{\"out\":\"pong\",\"result\":1,\"out\":\"pong\"}", "[]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(lpj_response_decode((const unsigned char *)bad[i], strlen(bad[i]), 0, &response, &err) == -1 &&
                  err.code == LPJ_ERR_INVALID_RESPONSE,
              "%s refused", bad[i]);
        lpj_response_clear(&response);
    }

    size_t size;
    unsigned char *encoded = lpj_request_encode("a\"b\n", " [1e400] ", &size, &err);
    const char expected[] = "{\"in\":\"a\\\"b\\u000a\",\"params\": [1e400] }";
    CHECK(encoded != NULL && size == sizeof expected - 1 && memcmp(encoded, expected, size) == 0, "encoded request");
    free(encoded);
    CHECK(lpj_request_encode("ping", "NaN", &size, &err) == NULL && err.code == LPJ_ERR_USAGE, "NaN params refused");
    CHECK(lpj_request_encode("ping", "1 2", &size, &err) == NULL, "two values refused");
    CHECK(lpj_request_encode("\xff", "1", &size, &err) == NULL, "non-UTF-8 method refused");
}

/* ---- The client against a scripted server ----------------------------------------- */

typedef enum scenario {
    PONG_IN_PIECES,   /* the pong, one octet per write */
    ERROR_RESPONSE,   /* unknown-method */
    BIG_ENDIAN_PONG,  /* a legacy s390x server: 00 00 00 23 */
    CLOSE_AT_ONCE,    /* a legacy server on an unknown method */
    HALF_A_FRAME,     /* 10 of 35 body octets, then EOF */
    BAD_JSON,         /* a NaN pong, then a good pong on the same connection */
    HALF_CLOSE,       /* two pipelined pings written raw, a half-close: two pongs after EOF, then close */
    SCENARIOS
} scenario;

static const char pong[] = "{\"out\":\"pong\",\"result\":\"ireader 0\"}";

static void write_frame(int fd, const char *body, lpj_byte_order order) {
    size_t length;
    unsigned char *frame = lpj_frame_encode(body, strlen(body), order, &length, NULL);
    if (write(fd, frame, length) < 0) perror("write");
    free(frame);
}

/* Reads one request frame; returns how many read() calls it took, or -1. */
static int read_request(int fd) {
    lpj_frame_decoder d;
    lpj_frame_decoder_init(&d, LPJ_ORDER_LITTLE, LPJ_FRAME_DEFAULT_LIMIT);
    unsigned char buffer[4096];
    int reads = 0, status = 0;
    while (status == LPJ_FRAME_NEED_MORE) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) {
            status = -1;
            break;
        }
        reads++;
        size_t consumed;
        status = lpj_frame_decoder_feed(&d, buffer, (size_t)n, &consumed, NULL);
    }
    lpj_frame_decoder_free(&d);
    return status == LPJ_FRAME_READY ? reads : -1;
}

static void serve(int listener) {
    for (int s = 0; s < SCENARIOS; s++) {
        const int fd = accept(listener, NULL, NULL);
        if (fd < 0) break;
        const int reads = read_request(fd);
        if (reads > 1) fprintf(stderr, "scripted server: a request took %d reads\n", reads);
        switch ((scenario)s) {
        case PONG_IN_PIECES: {
            size_t length;
            unsigned char *frame = lpj_frame_encode(pong, strlen(pong), LPJ_ORDER_LITTLE, &length, NULL);
            for (size_t i = 0; i < length; i++) {
                if (write(fd, frame + i, 1) != 1) break;
                nanosleep(&(struct timespec){0, 200000}, NULL);
            }
            free(frame);
            break;
        }
        case ERROR_RESPONSE:
            write_frame(fd, "{\"out\":\"error\",\"result\":{\"code\":\"unknown-method\",\"message\":\"no method named "
                            "\\\"frob\\\"\",\"rule\":\"msg.unknown-method\"}}", LPJ_ORDER_LITTLE);
            break;
        case BIG_ENDIAN_PONG: write_frame(fd, pong, LPJ_ORDER_BIG); break;
        case CLOSE_AT_ONCE: break;
        case HALF_A_FRAME: {
            size_t length;
            unsigned char *frame = lpj_frame_encode(pong, strlen(pong), LPJ_ORDER_LITTLE, &length, NULL);
            if (write(fd, frame, 14) != 14) perror("write");
            free(frame);
            break;
        }
        case BAD_JSON:
            write_frame(fd, "{\"result\": NaN, \"out\": \"pong\"}", LPJ_ORDER_LITTLE);
            if (read_request(fd) > 0) write_frame(fd, pong, LPJ_ORDER_LITTLE);
            break;
        case HALF_CLOSE: { /* answer only once the client has half-closed */
            unsigned char rest[4096];
            while (read(fd, rest, sizeof rest) > 0) continue;
            write_frame(fd, pong, LPJ_ORDER_LITTLE);
            write_frame(fd, pong, LPJ_ORDER_LITTLE);
            break;
        }
        case SCENARIOS: break;
        }
        close(fd);
    }
}

/* A listening socket on 127.0.0.1 at a port the kernel picks (stored in *port), or -1. */
static int listen_on_loopback(int backlog, int *port) {
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) return -1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t address_length = sizeof address;
    if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, backlog) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &address_length) != 0) {
        close(listener);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return listener;
}

static void test_client(void) {
    int port = 0;
    const int listener = listen_on_loopback(8, &port);
    if (listener < 0) {
        CHECK(0, "cannot listen on the loopback interface");
        return;
    }
    fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        serve(listener);
        close(listener);
        _exit(0);
    }
    close(listener);

    lpj_error_t err;
    char *out = NULL;
    json_t *result = NULL;
    for (int s = 0; s < SCENARIOS; s++) {
        lpj_client *client = lpj_client_connect("127.0.0.1", port, LPJ_ORDER_LITTLE, 2000, &err);
        CHECK(client != NULL, "connect: %s", err.text);
        if (client == NULL) continue;
        const int status = s == HALF_CLOSE ? 0
                                           : lpj_client_call(client, s == ERROR_RESPONSE ? "frob" : "ping",
                                                             "\"ireader 0\"", &out, &result, &err);
        switch ((scenario)s) {
        case PONG_IN_PIECES:
            CHECK(status == 0 && strcmp(out, "pong") == 0 && strcmp(json_string_value(result), "ireader 0") == 0,
                  "pong in pieces: %s", err.text);
            break;
        case ERROR_RESPONSE:
            CHECK(status == -1 && err.code == LPJ_ERR_ERROR_RESPONSE && strcmp(out, "error") == 0 &&
                      strcmp(err.rule, "msg.unknown-method") == 0 && strstr(err.text, "unknown-method") != NULL,
                  "error response: %s", err.text);
            break;
        case BIG_ENDIAN_PONG:
            CHECK(status == -1 && err.code == LPJ_ERR_FRAME_TOO_LARGE && strstr(err.text, "00 00 00 23") != NULL &&
                      strstr(err.text, "big-endian: 35") != NULL,
                  "byte-swapped length: %s", err.text);
            CHECK(lpj_client_call(client, "ping", NULL, &out, &result, &err) == -1 && err.code == LPJ_ERR_CLOSED,
                  "closed after a framing fault");
            break;
        case CLOSE_AT_ONCE:
            CHECK(status == -1 && err.code == LPJ_ERR_CLOSED, "closed: %s", err.text);
            break;
        case HALF_A_FRAME:
            CHECK(status == -1 && err.code == LPJ_ERR_TRUNCATED_FRAME && err.offset == 14, "truncated: %s [%lld]",
                  err.text, err.offset);
            break;
        case BAD_JSON:
            CHECK(status == -1 && err.code == LPJ_ERR_INVALID_JSON && strcmp(err.rule, "body.no-nonfinite") == 0 &&
                      err.offset == 11,
                  "NaN pong: %s", err.text);
            CHECK(lpj_client_call(client, "ping", "\"ireader 0\"", &out, &result, &err) == 0 &&
                      strcmp(out, "pong") == 0,
                  "the connection survives a body fault: %s", err.text);
            break;
        case HALF_CLOSE: { /* the raw stream calls: octets as they are, half-close, frames until EOF */
            static const unsigned char two_pings[] = "\x22\0\0\0{\"in\":\"ping\",\"params\":\"ireader 0\"}"
                                                     "\x22\0\0\0{\"in\":\"ping\",\"params\":\"ireader 0\"}";
            unsigned char *body = NULL;
            size_t size = 0;
            CHECK(lpj_client_send_raw(client, two_pings, sizeof two_pings - 1, &err) == 0, "raw write: %s", err.text);
            CHECK(lpj_client_shutdown_write(client, &err) == 0, "half-close: %s", err.text);
            for (int i = 0; i < 2; i++) {
                CHECK(lpj_client_receive(client, &body, &size, &err) == 0 && size == strlen(pong) &&
                          memcmp(body, pong, size) == 0,
                      "pong %d after the half-close: %s", i, err.text);
                free(body);
                body = NULL;
            }
            CHECK(lpj_client_receive(client, &body, &size, &err) == -1 && err.code == LPJ_ERR_CLOSED && body == NULL,
                  "end of stream after the two pongs: %s", err.text);
            break;
        }
        case SCENARIOS: break;
        }
        free(out);
        json_decref(result);
        out = NULL;
        result = NULL;
        lpj_client_close(client);
    }
    int child_status = 0;
    waitpid(child, &child_status, 0);
    CHECK(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0, "scripted server exit");

    /* Nothing listens on the (now closed) port. */
    lpj_client *client = lpj_client_connect("127.0.0.1", port, LPJ_ORDER_LITTLE, 2000, &err);
    CHECK(client == NULL && err.code == LPJ_ERR_REFUSED, "refused: %s", err.text);
    lpj_client_close(client);
    CHECK(lpj_client_connect("127.0.0.1", port, LPJ_ORDER_AUTO, 2000, &err) == NULL && err.code == LPJ_ERR_USAGE,
          "clients do not auto-detect");
}

/* ---- The client against the server-to-client fixtures -------------------------- */

/* The fixtures' way (c): a stub server reads one request, writes the file's
 * octets and closes; the client must hand over the message or report the
 * refusal the manifest names, and close after a stop. */
static void client_fixture(const json_t *fixture, const unsigned char *wire, size_t size, lpj_manifest *manifest) {
    const char *id = json_string_value(json_object_get(fixture, "id"));
    const json_t *frame = json_array_get(json_object_get(fixture, "frames"), 0);
    const json_t *stop = json_object_get(fixture, "stop");
    lpj_byte_order order = LPJ_ORDER_LITTLE;
    lpj_byte_order_parse(json_string_value(json_object_get(fixture, "receiverByteOrder")), &order);
    int port = 0;
    const int listener = listen_on_loopback(1, &port);
    if (listener < 0) {
        CHECK(0, "%s: cannot listen", id);
        return;
    }
    fflush(stdout);
    const pid_t child = fork();
    if (child == 0) {
        const int fd = accept(listener, NULL, NULL);
        lpj_frame_decoder d;
        lpj_frame_decoder_init(&d, order, LPJ_FRAME_DEFAULT_LIMIT);
        unsigned char buffer[4096];
        int status = LPJ_FRAME_NEED_MORE;
        while (fd >= 0 && status == LPJ_FRAME_NEED_MORE) {
            const ssize_t n = read(fd, buffer, sizeof buffer);
            size_t consumed;
            status = n <= 0 ? -1 : lpj_frame_decoder_feed(&d, buffer, (size_t)n, &consumed, NULL);
        }
        if (status == LPJ_FRAME_READY && write(fd, wire, size) < 0) perror("write");
        lpj_frame_decoder_free(&d);
        close(fd);
        close(listener);
        free((void *)wire);
        lpj_manifest_free(manifest);
        _exit(0);
    }
    close(listener);

    lpj_error_t err;
    char *out = NULL;
    json_t *result = NULL;
    lpj_client *client = lpj_client_connect("127.0.0.1", port, order, 2000, &err);
    CHECK(client != NULL, "%s: connect: %s", id, err.text);
    if (client != NULL) {
        lpj_client_set_limit(client, (uint32_t)json_integer_value(json_object_get(fixture, "receiverLimit")), &err);
        const int status = lpj_client_call(client, "ping", "\"ireader 0\"", &out, &result, &err);
        const json_t *message = json_object_get(frame, "message");
        const json_t *reject = frame != NULL ? json_object_get(frame, "reject") : stop;
        const char *expected_out = json_string_value(json_object_get(message, "out"));
        if (expected_out != NULL && strcmp(expected_out, "error") == 0) {
            const char *code = json_string_value(json_object_get(json_object_get(message, "result"), "code"));
            CHECK(status == -1 && err.code == LPJ_ERR_ERROR_RESPONSE && strncmp(err.text, code, strlen(code)) == 0 &&
                      out != NULL && strcmp(out, "error") == 0,
                  "%s: expected the error response %s, got %s: %s", id, code, lpj_code_name(err.code), err.text);
        } else if (expected_out != NULL) {
            CHECK(status == 0 && strcmp(out, expected_out) == 0, "%s: expected a %s response, got %s: %s", id,
                  expected_out, lpj_code_name(err.code), err.text);
        } else {
            const char *code = json_string_value(json_object_get(reject, "code"));
            const char *rule = json_string_value(json_object_get(reject, "rule"));
            CHECK(status == -1 && code != NULL && strcmp(lpj_code_name(err.code), code) == 0 && rule != NULL &&
                      strcmp(err.rule, rule) == 0,
                  "%s: expected %s [%s], got %s [%s]: %s", id, code, rule, lpj_code_name(err.code), err.rule,
                  err.text);
        }
        free(out);
        json_decref(result);
        if (frame == NULL && stop != NULL) { /* a framing fault: the connection is closed */
            CHECK(lpj_client_call(client, "ping", NULL, &out, &result, &err) == -1 && err.code == LPJ_ERR_CLOSED,
                  "%s: closed after %s", id, json_string_value(json_object_get(stop, "code")));
        }
        lpj_client_close(client);
    }
    int child_status = 0;
    waitpid(child, &child_status, 0);
    CHECK(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0, "%s: stub server exit", id);
}

static void test_client_fixtures(const char *dir) {
    lpj_manifest manifest;
    lpj_error_t err;
    const int loaded = lpj_manifest_load(dir, &manifest, &err);
    CHECK(loaded == 0, "cannot read the manifest: %s", err.text);
    if (loaded != 0) return;
    size_t tested = 0;
    for (size_t i = 0; i < manifest.count; i++) {
        const json_t *fixture = lpj_manifest_fixture(&manifest, i, NULL);
        if (lpj_manifest_is_request(fixture)) continue;
        size_t size = 0;
        unsigned char *wire = lpj_manifest_read_wire(&manifest, fixture, &size, &err);
        CHECK(wire != NULL, "%s: %s", lpj_manifest_id(fixture), err.text);
        if (wire != NULL) client_fixture(fixture, wire, size, &manifest);
        free(wire);
        tested++;
    }
    CHECK(tested > 0, "no server-to-client fixtures in %s", dir);
    lpj_manifest_free(&manifest);
}

/* ---- The response line of `lpj-c call` (lpj-client/1) ----------------------- */

static void test_output_line(void) {
    static const char body[] = "{\r\n  \"out\": \"pong\",\n  \"result\": [1.0, \"a\\nb\", 1e400]\n}";
    FILE *stream = tmpfile();
    CHECK(stream != NULL, "tmpfile");
    if (stream == NULL) return;
    CHECK(lpj_write_message_line(stream, (const unsigned char *)body, sizeof body - 1) == 0, "write");
    char line[256] = {0};
    rewind(stream);
    const size_t size = fread(line, 1, sizeof line - 1, stream);
    fclose(stream);
    CHECK(size == sizeof body, "one octet more than the body (the final LF), got %zu", size);
    CHECK(memchr(line, '\n', size - 1) == NULL && memchr(line, '\r', size) == NULL && line[size - 1] == '\n',
          "exactly one line: %s", line);
    line[size - 1] = '\0';
    CHECK(equal_texts(line, body) == 1, "the line has the body's value: %s", line);
}

int main(int argc, char **argv) {
    test_output_line();
    test_numbers();
    test_equality();
    test_scan();
    test_byte_orders();
    test_decoder();
    test_messages();
    test_client();
    if (argc > 1) test_client_fixtures(argv[1]);
    printf("test_lpj: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
