/*
 * lpj.c - the lpj-c command: an LPJ client and fixture checker in C.
 *
 *   lpj-c ping [OPTIONS] [PARAMS_JSON]        {"in":"ping","params":PARAMS} -> pong?
 *   lpj-c call [OPTIONS] METHOD [PARAMS_JSON] any method, prints the response (lpj-client/1)
 *   lpj-c fixtures [-v] [DIR]                 every golden fixture against this library
 *   lpj-c interop [OPTIONS] [-v] [DIR]        the request fixtures against a live server
 *
 * Exit status: 0 success; 1 a wrong or error response, or a failed fixture;
 * 2 no valid response (a connection failure, or a reply that breaks a rule)
 * or a usage error.
 *
 * `call` follows lpj-client/1 (docs/conformance.md), so `lpj check-client`
 * can judge it: a valid response is printed as exactly one line on stdout
 * (the message as received, line breaks between tokens written as spaces)
 * with exit 0 for success and 1 for an error response; a reply that breaks
 * a rule gives exit 2 and one line on stderr naming the rule ID.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpj_client.h"
#include "lpj_fixtures.h"
#include "lpj_interop.h"
#include "lpj_message.h"
#include "lpj_output.h"
#include "lpj_scan.h"
#include "lpj_value.h"

#define EXIT_WRONG 1
#define EXIT_CONNECTION 2

static const char usage[] =
    "usage: lpj-c ping [OPTIONS] [PARAMS_JSON]\n"
    "       lpj-c call [OPTIONS] METHOD [PARAMS_JSON]\n"
    "       lpj-c fixtures [-v] [DIR]\n"
    "       lpj-c interop [OPTIONS] [-v] [DIR]\n"
    "       lpj-c --help\n"
    "\n"
    "An LPJ (length-prefixed JSON RPC, spec/lpj.md) client and fixture checker.\n"
    "Each frame: a 4-octet length (little-endian unless configured), then that\n"
    "many octets of UTF-8 JSON: {\"in\": METHOD, \"params\": ...} asks,\n"
    "{\"out\": KIND, \"result\": ...} answers.\n"
    "\n"
    "Modes:\n"
    "  ping      send {\"in\":\"ping\",\"params\":PARAMS_JSON} (default \"ireader 0\"),\n"
    "            print the response body; succeed on a pong whose result equals\n"
    "            the params exactly (msg.value-equality)\n"
    "  call      send METHOD with PARAMS_JSON (default null); for a valid response\n"
    "            print it on one line (lpj-client/1) and exit 0, or 1 for an error\n"
    "            response; for a reply that breaks a rule exit 2, naming the rule\n"
    "  fixtures  check DIR/manifest.json and DIR/wire/*.bin against this library\n"
    "            (default DIR: ../../fixtures); prints one line per failed fixture and\n"
    "            ends with \"N passed, N failed\"\n"
    "  interop   replay every client-to-server fixture of DIR/manifest.json whose\n"
    "            receiverByteOrder is the chosen order (native: this host's) and\n"
    "            whose receiverLimit is 1048576 against a live server: one connection\n"
    "            each, the file's exact octets, a half-close, then every response\n"
    "            until end of stream, compared with the fixture's \"responses\";\n"
    "            prints one line per failed fixture and ends with \"N passed, N failed\"\n"
    "\n"
    "Options (ping, call, interop):\n"
    "  --host HOST          server name or address (default " LPJ_CLIENT_DEFAULT_HOST ")\n"
    "  --port PORT          server TCP port (default 8080)\n"
    "  --byte-order ORDER   little (default), big, or native (= this host's order)\n"
    "  --timeout MS         connect and per-call time-out in ms (default 5000;\n"
    "                       interop: per response and for the end of stream, default 3000)\n"
    "  --limit OCTETS       largest response body accepted (default 1048576, least 65536;\n"
    "                       interop: default 2097152, as a 1 MiB ping's pong is 1048577)\n"
    "Options (fixtures, interop):\n"
    "  -v, --verbose        also print \"ok ID\" for every fixture that passes\n"
    "\n"
    "PARAMS_JSON is sent exactly as written (after a strict JSON check), so numbers\n"
    "such as 1e400 or 12345678901234567890 reach the server unchanged.\n"
    "\n"
    "Exit status: 0 success; 1 wrong or error response, or a fixture failed;\n"
    "2 connection failure (refused, timed out, closed, reset) or usage error.\n";

typedef struct options {
    const char *host;
    int port;
    lpj_byte_order order;
    int timeout_ms;
    unsigned long limit;
    int verbose;
    const char *positional[3];
    int positional_count;
} options;

static int usage_error(const char *format, const char *detail) {
    fprintf(stderr, "lpj-c: ");
    fprintf(stderr, format, detail);
    fprintf(stderr, "\n(lpj-c --help lists the modes and options)\n");
    return EXIT_CONNECTION;
}

static int parse_number(const char *text, long low, long high, long *value) {
    char *end;
    errno = 0;
    const long parsed = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || parsed < low || parsed > high) return -1;
    *value = parsed;
    return 0;
}

/* Options and positional arguments after the mode, in any order. Returns 0,
 * or an exit status. */
static int parse_options(int argc, char **argv, options *o) {
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++) {
                if (o->positional_count == 3) return usage_error("too many arguments: %s", argv[i]);
                o->positional[o->positional_count++] = argv[i];
            }
            break;
        }
        if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            o->verbose = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0) {
            if (o->positional_count == 3) return usage_error("too many arguments: %s", arg);
            o->positional[o->positional_count++] = arg;
            continue;
        }
        const char *value = strchr(arg, '=');
        size_t name_length = value != NULL ? (size_t)(value - arg) : strlen(arg);
        if (value != NULL) {
            value++;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return usage_error("option %s needs a value", arg);
        }
        long number;
        if (name_length == 6 && strncmp(arg, "--host", 6) == 0) {
            o->host = value;
        } else if (name_length == 6 && strncmp(arg, "--port", 6) == 0) {
            if (parse_number(value, 1, 65535, &number) != 0) return usage_error("bad port: %s", value);
            o->port = (int)number;
        } else if (name_length == 12 && strncmp(arg, "--byte-order", 12) == 0) {
            if (lpj_byte_order_parse(value, &o->order) != 0 || o->order == LPJ_ORDER_AUTO) {
                return usage_error("bad byte order: %s (little, big or native)", value);
            }
        } else if (name_length == 9 && strncmp(arg, "--timeout", 9) == 0) {
            if (parse_number(value, 1, 86400000, &number) != 0) return usage_error("bad time-out: %s", value);
            o->timeout_ms = (int)number;
        } else if (name_length == 7 && strncmp(arg, "--limit", 7) == 0) {
            if (parse_number(value, LPJ_FRAME_MINIMUM_LIMIT, 4294967295L, &number) != 0) {
                return usage_error("bad limit: %s (65536 to 4294967295)", value);
            }
            o->limit = (unsigned long)number;
        } else {
            return usage_error("unknown option: %s", arg);
        }
    }
    return 0;
}

/* No valid response (refused, timed out, closed, or a reply that breaks a
 * rule) exits 2; a valid error response or a wrong answer exits 1. This is
 * the contract `lpj check-client` judges clients by. */
static int exit_status(lpj_code code) {
    (void)code;
    return EXIT_CONNECTION;
}

static int report(const char *mode, const lpj_error_t *err) {
    char text[LPJ_ERROR_TEXT_LENGTH + 96];
    fprintf(stderr, "lpj-c: %s: %s\n", mode, lpj_error_format(err, text, sizeof text));
    return exit_status(err->code);
}

/* Sends one request and reads one response frame. Returns 0 with the body
 * in *response (free it), or an exit status. Prints nothing on stdout: only a
 * response that decodes is printed, by print_response(). */
static int exchange(const options *o, const char *mode, const char *method, const char *params,
                    unsigned char **response, size_t *response_size) {
    lpj_error_t err;
    size_t size;
    unsigned char *body = lpj_request_encode(method, params, &size, &err);
    if (body == NULL) return report(mode, &err);
    lpj_client *client = lpj_client_connect(o->host, o->port, o->order, o->timeout_ms, &err);
    int status = 0;
    if (client == NULL || lpj_client_set_limit(client, (uint32_t)o->limit, &err) != 0 ||
        lpj_client_exchange(client, body, size, response, response_size, &err) != 0) {
        status = report(mode, &err);
    }
    lpj_client_close(client);
    free(body);
    return status;
}

/* Checks a response body; returns 0 for a successful response. A response
 * that decodes (success or error response) is printed on one line. */
static int check_response(const char *mode, const unsigned char *body, size_t size, lpj_response *response) {
    lpj_error_t err;
    if (lpj_response_decode(body, size, 0, response, &err) != 0) {
        lpj_error_prefix(&err, "the response breaks a rule");
        return report(mode, &err);
    }
    if (lpj_write_message_line(stdout, body, size) != 0) {
        fprintf(stderr, "lpj-c: %s: could not write the response to standard output\n", mode);
        return EXIT_CONNECTION; /* the caller clears the response */
    }
    if (response->is_error) {
        fprintf(stderr, "lpj-c: %s: error response %s%s%s: %s\n", mode, response->error_code,
                response->error_rule != NULL ? " " : "", response->error_rule != NULL ? response->error_rule : "",
                response->error_message);
        if (response->registered_code == LPJ_ERR_INTERNAL_ERROR && strcmp(response->error_code, "internal-error") != 0) {
            fprintf(stderr, "lpj-c: %s: (\"%s\" is not a registered code: treated as internal-error)\n", mode,
                    response->error_code);
        }
        return EXIT_WRONG;
    }
    return 0;
}

static int run_ping(const options *o) {
    if (o->positional_count > 1) return usage_error("ping takes one PARAMS_JSON, not also %s", o->positional[1]);
    const char *params = o->positional_count == 1 ? o->positional[0] : "\"ireader 0\"";
    unsigned char *body = NULL;
    size_t size = 0;
    int status = exchange(o, "ping", "ping", params, &body, &size);
    if (status != 0) return status;
    lpj_response response;
    status = check_response("ping", body, size, &response);
    if (status == 0 && !(response.out_length == 4 && memcmp(response.out, "pong", 4) == 0)) {
        fprintf(stderr, "lpj-c: ping: the answer is \"%s\", not \"pong\" (msg.ping)\n", response.out);
        status = EXIT_WRONG;
    }
    if (status == 0) { /* exact comparison: numbers by value, every duplicate member */
        lpj_error_t err;
        lpj_value *sent = lpj_value_parse((const unsigned char *)params, strlen(params), 0, &err);
        lpj_value *received = lpj_value_parse(body, size, 0, &err);
        const lpj_value *result = lpj_value_member(received, "result");
        if (sent == NULL || result == NULL || lpj_value_equal(sent, result) != 1) {
            fprintf(stderr, "lpj-c: ping: the result differs from the params (msg.value-equality)\n");
            status = EXIT_WRONG;
        }
        lpj_value_free(sent);
        lpj_value_free(received);
    }
    lpj_response_clear(&response);
    free(body);
    return status;
}

static int run_call(const options *o) {
    if (o->positional_count < 1) return usage_error("call needs a METHOD%s", "");
    if (o->positional_count > 2) return usage_error("call takes METHOD [PARAMS_JSON], not also %s", o->positional[2]);
    const char *params = o->positional_count == 2 ? o->positional[1] : "null";
    unsigned char *body = NULL;
    size_t size = 0;
    int status = exchange(o, "call", o->positional[0], params, &body, &size);
    if (status != 0) return status;
    lpj_response response;
    status = check_response("call", body, size, &response);
    lpj_response_clear(&response);
    free(body);
    return status;
}

static int run_interop(const options *o) {
    if (o->positional_count > 1) return usage_error("interop takes one DIR, not also %s", o->positional[1]);
    const char *dir = o->positional_count == 1 ? o->positional[0] : "../../fixtures";
    const lpj_interop_options io = {o->host, o->port, o->order, o->timeout_ms, (uint32_t)o->limit, o->verbose};
    lpj_interop_result result;
    lpj_error_t err;
    if (lpj_interop_run(dir, &io, stdout, &result, &err) != 0) {
        fflush(stdout);
        report("interop", &err);
        return EXIT_CONNECTION;
    }
    if (result.passed + result.failed == 0) {
        printf("FAIL: no request fixture in %s is for a %s-endian server with the default limit\n", dir,
               lpj_byte_order_name(o->order == LPJ_ORDER_NATIVE ? lpj_byte_order_host() : o->order));
    }
    printf("(%zu fixtures skipped: server-to-client, or for another byte order or limit; %zu warnings)\n",
           result.skipped, result.warnings);
    printf("%zu passed, %zu failed\n", result.passed, result.failed);
    return result.failed > 0 || result.passed == 0 ? EXIT_WRONG : 0;
}

static int run_fixtures(const options *o) {
    if (o->positional_count > 1) return usage_error("fixtures takes one DIR, not also %s", o->positional[1]);
    const char *dir = o->positional_count == 1 ? o->positional[0] : "../../fixtures";
    lpj_fixtures_result result;
    lpj_error_t err;
    if (lpj_fixtures_run(dir, o->verbose, stdout, &result, &err) != 0) {
        report("fixtures", &err);
        return EXIT_CONNECTION;
    }
    printf("%zu passed, %zu failed\n", result.passed, result.failed);
    return result.failed > 0 ? EXIT_WRONG : 0;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN); /* a closed connection is an error to report, not a signal */
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_CONNECTION;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "--help") == 0 || strcmp(mode, "-h") == 0 || strcmp(mode, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    /* time-out and limit 0: the mode's default (interop has its own) */
    options o = {LPJ_CLIENT_DEFAULT_HOST, LPJ_CLIENT_DEFAULT_PORT, LPJ_ORDER_LITTLE, 0, 0, 0, {NULL, NULL, NULL}, 0};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
    }
    const int parsed = parse_options(argc, argv, &o);
    if (parsed != 0) return parsed;
    if (strcmp(mode, "interop") == 0) return run_interop(&o);
    if (o.timeout_ms == 0) o.timeout_ms = LPJ_CLIENT_DEFAULT_TIMEOUT_MS;
    if (o.limit == 0) o.limit = LPJ_FRAME_DEFAULT_LIMIT;
    if (strcmp(mode, "ping") == 0) return run_ping(&o);
    if (strcmp(mode, "call") == 0) return run_call(&o);
    if (strcmp(mode, "fixtures") == 0) return run_fixtures(&o);
    return usage_error("unknown mode: %s", mode);
}
