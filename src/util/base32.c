#include "util/base32.h"

#include <string.h>

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

#define BASE32_BITS 5
#define BASE32_MASK 0x1f

void base32_encode(const uint8_t *data, size_t len, char *out)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= BASE32_BITS) {
            bits -= BASE32_BITS;
            out[o++] = alphabet[(acc >> bits) & BASE32_MASK];
        }
    }
    if (bits > 0)
        out[o++] = alphabet[(acc << (BASE32_BITS - bits)) & BASE32_MASK];
    out[o] = '\0';
}

static int decode_char(char c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int base32_decode(const char *text, size_t text_len, uint8_t *out, size_t out_len)
{
    if (text_len != BASE32_ENCODED_LEN(out_len))
        return -1;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < text_len; i++) {
        int v = decode_char(text[i]);
        if (v < 0)
            return -1;
        acc = (acc << BASE32_BITS) | (uint32_t)v;
        bits += BASE32_BITS;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
        acc &= (1u << bits) - 1; /* keep only the bits not yet written */
    }
    /* Leftover bits are padding; non-zero padding would give a second text
     * form for the same bytes. */
    if (o != out_len || acc != 0)
        return -1;
    return 0;
}
