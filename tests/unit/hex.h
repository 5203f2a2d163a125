/* hex -- test helper: hexadecimal text to bytes, for vectors copied from
 * specifications and captures. */
#ifndef BTCSEED_TEST_HEX_H
#define BTCSEED_TEST_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hex.h"

/* Decodes `hex` into out[0..cap); returns the byte count, or aborts the test
 * program on a malformed vector (a bug in the test, not in the code). */
static inline size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap)
        abort();
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            abort();
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

#endif
