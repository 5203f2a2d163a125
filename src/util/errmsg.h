/* errmsg -- the caller-supplied error buffer convention.
 *
 * Functions that can fail for reasons a user must read (a bad config line, a
 * bad query parameter) take `char *err, size_t errsize` and fill it with one
 * line, no trailing newline. */
#ifndef BTCSEED_ERRMSG_H
#define BTCSEED_ERRMSG_H

#include <stddef.h>

/* Formats into err (if err is not NULL) and returns -1, so a failing path
 * reads `return errmsg_set(err, errsize, "...", ...);`. */
int errmsg_set(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
