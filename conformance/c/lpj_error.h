/*
 * lpj_error.h - what went wrong, in the protocol's terms.
 *
 * Every lpj_ function that can fail fills an lpj_error_t, in the manner of
 * jansson's json_error_t: a code to branch on, plus the spec rule that was
 * broken, the octet offset where it was found, and a sentence for a human.
 *
 *     {"in":"ping","params":[1,]}
 *                              ^ offset 25
 *     code   LPJ_ERR_INVALID_JSON   ("invalid-json", the wire code)
 *     rule   "body.json-text"       (a rule ID of spec/lpj.md)
 *     offset 25                     (into the body; see below)
 *     text   "expected a value, found ']'"
 *
 * Offsets count octets from 0. Body faults (UTF-8, JSON, message shape) are
 * offsets into the frame's body, as in an LPJ error response; frame faults
 * (oversized length, end of stream inside a frame) are offsets into the
 * octet stream, counting every prefix. -1 means "no position".
 */
#ifndef LPJ_ERROR_H
#define LPJ_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* The kind of fault. The first group are the wire codes of msg.error-codes,
 * spelled as lpj_code_name() returns them; the second are codes a receiver
 * uses but never sends; the third are local failures of this library. */
typedef enum lpj_code {
    LPJ_OK = 0,
    /* The closed registry of msg.error-codes. */
    LPJ_ERR_FRAME_TOO_LARGE,   /* "frame-too-large" */
    LPJ_ERR_INVALID_UTF8,      /* "invalid-utf8" */
    LPJ_ERR_INVALID_JSON,      /* "invalid-json" */
    LPJ_ERR_INVALID_REQUEST,   /* "invalid-request" */
    LPJ_ERR_UNKNOWN_METHOD,    /* "unknown-method" */
    LPJ_ERR_INVALID_PARAMS,    /* "invalid-params" */
    LPJ_ERR_INTERNAL_ERROR,    /* "internal-error" */
    LPJ_ERR_TIMEOUT,           /* "timeout" (an extension's upstream call) */
    LPJ_ERR_UPSTREAM_ERROR,    /* "upstream-error" */
    LPJ_ERR_OVERLOADED,        /* "overloaded" */
    /* Found by a receiver, never sent. */
    LPJ_ERR_TRUNCATED_FRAME,   /* "truncated-frame": end of stream inside a frame */
    LPJ_ERR_INVALID_RESPONSE,  /* "invalid-response": breaks msg.response / msg.error-response */
    /* Local failures. */
    LPJ_ERR_ERROR_RESPONSE,    /* "error-response": the server answered with an error response */
    LPJ_ERR_RESOLVE,           /* "resolve": the host name could not be resolved */
    LPJ_ERR_REFUSED,           /* "refused": connection refused */
    LPJ_ERR_TIMED_OUT,         /* "timed-out": no progress within the time-out */
    LPJ_ERR_CLOSED,            /* "closed": end of stream at a frame boundary, response outstanding */
    LPJ_ERR_IO,                /* "io": another socket error (reset, unreachable, ...) */
    LPJ_ERR_NO_MEMORY,         /* "no-memory" */
    LPJ_ERR_USAGE,             /* "usage": an argument the caller got wrong */
    LPJ_ERR_FILE               /* "file": a file could not be read */
} lpj_code;

#define LPJ_ERROR_TEXT_LENGTH 240
#define LPJ_ERROR_RULE_LENGTH 64

typedef struct lpj_error {
    lpj_code code;
    /* A rule ID of spec/lpj.md ("frame.oversize-close"), or "" for local faults. */
    char rule[LPJ_ERROR_RULE_LENGTH];
    /* Octet offset, into the body or the stream (see above); -1: none. */
    long long offset;
    /* What was expected and what was found. */
    char text[LPJ_ERROR_TEXT_LENGTH];
} lpj_error_t;

/* The code's name: the wire code for the registry ("invalid-json"), a
 * lowercase word for the others. Never NULL. */
const char *lpj_code_name(lpj_code code);

/* The registered code spelled name, or LPJ_ERR_INTERNAL_ERROR for a code
 * outside the registry (msg.error-codes: clients treat unknown codes so). */
lpj_code lpj_code_from_wire_name(const char *name);

/* Resets err to LPJ_OK, no rule, no offset, empty text. err may be NULL. */
void lpj_error_clear(lpj_error_t *err);

/* Fills err (which may be NULL) and returns -1, so that callers can write
 * `return lpj_error_set(err, ...);`. rule may be NULL; text is printf-style
 * and is truncated to fit. */
int lpj_error_set(lpj_error_t *err, lpj_code code, const char *rule, long long offset,
                  const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Puts "context: " in front of err's text (truncating its end to fit). */
void lpj_error_prefix(lpj_error_t *err, const char *context);

/* Writes "code [rule] at offset N: text" (parts that are absent omitted) to
 * buffer, which has room for size octets. Returns buffer. */
char *lpj_error_format(const lpj_error_t *err, char *buffer, size_t size);

#endif /* LPJ_ERROR_H */
