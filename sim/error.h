/* sim/error.h: error codes and the caller-owned error message every fallible spikeq call fills.
 * Convention (libuv's): 0 on success, a negative SQ_E* code on failure; the message names the
 * file, the field, what was expected and what was found. */
#ifndef SQ_ERROR_H
#define SQ_ERROR_H

#include <stddef.h>

enum {
    SQ_OK = 0,
    SQ_EINTR = -4,      /* the run was interrupted (SIGINT/SIGTERM or sq_sim_request_stop) */
    SQ_EIO = -5,        /* a file could not be read or written */
    SQ_ENOMEM = -12,    /* out of memory, or a size too large to allocate */
    SQ_EINVAL = -22,    /* a bad argument from a program (not from a user's file) */
    SQ_ERANGE = -34,    /* a size or value outside what spikeq supports */
    SQ_ECONFIG = -1000, /* a configuration file or parameter is wrong */
    SQ_EFORMAT = -1001  /* a data file is malformed or truncated */
};

#define SQ_ERR_MSG_LEN 512

/* Public value: the caller owns it; every call that can fail takes a pointer to one (NULL allowed). */
typedef struct {
    int code;
    char msg[SQ_ERR_MSG_LEN];
} sq_err;

/* Formats the message into err (when err is not NULL) and returns code, so callers write
 * `return sq_fail(err, SQ_ECONFIG, "...", ...);`. Thread: any. */
int sq_fail(sq_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Generic text for a code; never NULL. Thread: any. */
const char *sq_strerror(int code);

#define SQ_COUNT(a) (sizeof(a) / sizeof((a)[0]))

#endif
