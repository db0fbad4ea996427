/*
 * load.c - lpj-load: a load generator for LPJ servers, the yardstick for others.
 *
 *   22 00 00 00 {"in":"ping","params":{}}   x depth, on each of N connections, pipelined
 *   1c 00 00 00 {"out":"pong","result":{}}  each answer checked, timed, and replaced by a new request
 *
 * Prints throughput and latency (p50, p90, p99, max, in microseconds) of the
 * measured seconds after a warm-up, as text or as one JSON line:
 *   {"tool":"lpj-load","connections":16,"depth":16,"seconds":3.000,"requests":...,"errors":0,
 *    "requests_per_second":...,"latency_us":{"p50":..,"p90":..,"p99":..,"max":..}}
 * Exit status: 0 when requests > 0 and there were no errors (warm-up
 * included); 1 otherwise, or when a connection could not be made; 2 on a
 * usage error.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpjb_frame.h"
#include "lpjb_load.h"

static const char usage[] =
    "usage: lpj-load [--host HOST] [--port PORT] [--connections N] [--depth D]\n"
    "                [--duration S] [--warmup S] [--params JSON] [--format human|json]\n"
    "       lpj-load --help\n"
    "\n"
    "Sends {\"in\":\"ping\",\"params\":JSON} to an LPJ server (4-octet little-endian length,\n"
    "then the JSON body) on N connections, keeping D requests in flight on each: every\n"
    "response is checked (a JSON object whose \"out\" is \"pong\") and timed from its\n"
    "request's send, and answered with a new request. Responses of the warm-up are\n"
    "checked but not counted.\n"
    "\n"
    "Options:\n"
    "  --host HOST         server address (default 127.0.0.1)\n"
    "  --port PORT         server port (default 8080)\n"
    "  --connections N     connections (default 1)\n"
    "  --depth D           requests in flight per connection, pipelined (default 1)\n"
    "  --duration S        seconds measured, fractions allowed (default 5)\n"
    "  --warmup S          seconds before measuring (default 1)\n"
    "  --params JSON       the ping's params, sent as written (default {})\n"
    "  --format FORMAT     human (default) or json: one line,\n"
    "                      {\"tool\":\"lpj-load\",\"connections\":N,\"depth\":D,\"seconds\":S,\"requests\":R,\n"
    "                       \"errors\":E,\"requests_per_second\":X,\"latency_us\":{\"p50\":..,\"p90\":..,\n"
    "                       \"p99\":..,\"max\":..}}\n"
    "  --help              this text\n"
    "\n"
    "Exit status: 0 when responses arrived and none was an error; 1 otherwise or when a\n"
    "connection cannot be made; 2 on a usage error.\n";

static int usage_error(const char *what, const char *value) {
    fprintf(stderr, "lpj-load: %s%s%s\nTry 'lpj-load --help'.\n", what, value ? ": " : "", value ? value : "");
    return 2;
}

static long parse_whole(const char *text, long low, long high) {
    char *end;
    errno = 0;
    const long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < low || value > high) return -1;
    return value;
}

static double parse_seconds(const char *text, double low) {
    char *end;
    errno = 0;
    const double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(value) || value < low || value > 86400) return -1;
    return value;
}

static double us(uint64_t ns) { return (double)ns / 1000.0; }

static void print_json(const lpjb_load_config *c, const lpjb_load_result *r, double rate) {
    const lpjb_histogram *h = &r->latency;
    printf("{\"tool\":\"lpj-load\",\"connections\":%d,\"depth\":%d,\"seconds\":%.3f,\"requests\":%llu,"
           "\"errors\":%llu,\"requests_per_second\":%.1f,\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,"
           "\"max\":%.1f}}\n",
           c->connections, c->depth, r->seconds, (unsigned long long)r->requests, (unsigned long long)r->errors, rate,
           us(lpjb_histogram_quantile(h, 0.50)), us(lpjb_histogram_quantile(h, 0.90)),
           us(lpjb_histogram_quantile(h, 0.99)), us(h->max));
}

static void print_human(const lpjb_load_config *c, const lpjb_load_result *r, double rate) {
    const lpjb_histogram *h = &r->latency;
    printf("lpj-load: %s:%d, %d connection%s x depth %d, request bodies of %zu octets\n", c->host, c->port,
           c->connections, c->connections == 1 ? "" : "s", c->depth, c->request_size);
    printf("  measured  %.3f s after %.3f s of warm-up\n", r->seconds, c->warmup);
    printf("  requests  %llu (%.1f per second), errors %llu", (unsigned long long)r->requests, rate,
           (unsigned long long)r->errors);
    if (r->warmup_errors > 0) printf(" (and %llu during the warm-up)", (unsigned long long)r->warmup_errors);
    printf("\n  latency   p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n", us(lpjb_histogram_quantile(h, 0.50)),
           us(lpjb_histogram_quantile(h, 0.90)), us(lpjb_histogram_quantile(h, 0.99)), us(h->max));
}

int main(int argc, char **argv) {
    lpjb_load_config config = {.host = "127.0.0.1", .port = 8080, .connections = 1, .depth = 1,
                               .warmup = 1.0, .duration = 5.0};
    const char *params = "{}";
    int json_format = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i];
        if (strcmp(option, "--help") == 0 || strcmp(option, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(option, "--host") != 0 && strcmp(option, "--port") != 0 && strcmp(option, "--connections") != 0 &&
            strcmp(option, "--depth") != 0 && strcmp(option, "--duration") != 0 && strcmp(option, "--warmup") != 0 &&
            strcmp(option, "--params") != 0 && strcmp(option, "--format") != 0) {
            return usage_error("unknown option", option);
        }
        if (i + 1 >= argc) return usage_error("missing value after", option);
        const char *value = argv[++i];
        long whole;
        if (strcmp(option, "--host") == 0) {
            config.host = value;
        } else if (strcmp(option, "--port") == 0) {
            if ((whole = parse_whole(value, 1, 65535)) < 0) return usage_error("--port needs 1 to 65535", value);
            config.port = (int)whole;
        } else if (strcmp(option, "--connections") == 0) {
            if ((whole = parse_whole(value, 1, 10000)) < 0) return usage_error("--connections needs 1 to 10000", value);
            config.connections = (int)whole;
        } else if (strcmp(option, "--depth") == 0) {
            if ((whole = parse_whole(value, 1, 65536)) < 0) return usage_error("--depth needs 1 to 65536", value);
            config.depth = (int)whole;
        } else if (strcmp(option, "--duration") == 0) {
            if ((config.duration = parse_seconds(value, 0.001)) < 0) {
                return usage_error("--duration needs seconds from 0.001 to 86400", value);
            }
        } else if (strcmp(option, "--warmup") == 0) {
            if ((config.warmup = parse_seconds(value, 0)) < 0) {
                return usage_error("--warmup needs seconds from 0 to 86400", value);
            }
        } else if (strcmp(option, "--params") == 0) {
            params = value;
        } else if (strcmp(value, "human") == 0 || strcmp(value, "json") == 0) {
            json_format = strcmp(value, "json") == 0;
        } else {
            return usage_error("--format needs human or json", value);
        }
    }

    json_error_t error;
    json_t *parsed = json_loadb(params, strlen(params), JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
    if (parsed == NULL) return usage_error("--params is not a JSON text", error.text);
    json_decref(parsed);
    static const char before[] = "{\"in\":\"ping\",\"params\":";
    const size_t size = sizeof before - 1 + strlen(params) + 1;
    if (size > LPJB_FRAME_LIMIT) return usage_error("--params makes a request over 1048576 octets", NULL);
    char *request = malloc(size + 1);
    if (request == NULL) return 1;
    snprintf(request, size + 1, "%s%s}", before, params);
    config.request = (const unsigned char *)request;
    config.request_size = size;

    signal(SIGPIPE, SIG_IGN);
    static lpjb_load_result result; /* the histogram is 30 KB */
    char why[256];
    if (lpjb_load_run(&config, &result, why, sizeof why) != 0) {
        fprintf(stderr, "lpj-load: %s\n", why);
        free(request);
        return 1;
    }
    free(request);
    const double rate = result.seconds > 0 ? (double)result.requests / result.seconds : 0.0;
    if (json_format) print_json(&config, &result, rate);
    else print_human(&config, &result, rate);
    fflush(stdout);
    if (result.warmup_errors > 0 && json_format) {
        fprintf(stderr, "lpj-load: %llu error(s) during the warm-up\n", (unsigned long long)result.warmup_errors);
    }
    if (result.requests == 0) fprintf(stderr, "lpj-load: no response arrived in the measured time\n");
    return result.requests > 0 && result.errors == 0 && result.warmup_errors == 0 ? 0 : 1;
}
