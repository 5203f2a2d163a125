/* helper_utf8_replace -- reads lines of hex bytes on standard input and
 * writes, for each, the hex of the bytes as util/utf8 decodes them with
 * replacement (each step's code point, U+FFFD for an ill-formed subpart). For
 * test_utf8_python.py, which compares that with Python's decoder. */
#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

#define MAX_LINE 8192

static int hexval(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int main(void)
{
    static char line[MAX_LINE];
    static uint8_t bytes[MAX_LINE / 2];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = 0;
        for (size_t i = 0; hexval(line[i]) >= 0 && hexval(line[i + 1]) >= 0; i += 2)
            bytes[n++] = (uint8_t)(hexval(line[i]) * 16 + hexval(line[i + 1]));
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            i += utf8_next(bytes + i, n - i, &cp, NULL);
            uint8_t enc[UTF8_MAX_SEQ];
            size_t k = utf8_encode(cp, enc);
            for (size_t j = 0; j < k; j++)
                printf("%02x", enc[j]);
        }
        putchar('\n');
    }
    return ferror(stdin) || fflush(stdout) != 0;
}
