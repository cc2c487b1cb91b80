/* sim/error.c: sq_fail and sq_strerror (see error.h for the convention). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int sq_fail(sq_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

const char *sq_strerror(int code)
{
    switch (code) {
    case SQ_OK: return "success";
    case SQ_EINTR: return "interrupted";
    case SQ_EIO: return "input/output error";
    case SQ_ENOMEM: return "out of memory";
    case SQ_EINVAL: return "invalid argument";
    case SQ_ERANGE: return "value out of range";
    case SQ_ECONFIG: return "configuration error";
    case SQ_EFORMAT: return "malformed data file";
    default: return "unknown error";
    }
}
