#include "util/utf8.h"

#define UTF8_SURROGATE_FIRST 0xd800u
#define UTF8_SURROGATE_LAST 0xdfffu
#define UTF8_CONT_MIN 0x80u
#define UTF8_CONT_MAX 0xbfu
#define UTF8_CONT_BITS 6
#define UTF8_CONT_MASK 0x3fu

static bool in(uint8_t c, uint8_t lo, uint8_t hi) { return c >= lo && c <= hi; }

/* Well-formed sequences (Unicode 15, table 3-7). Restricting the second
 * byte's range per lead byte rules out overlong forms, surrogates and values
 * above U+10FFFF before any value is computed, which is also what makes the
 * maximal subpart fall out: the subpart ends at the first byte outside its
 * range.
 *   00..7F
 *   C2..DF 80..BF
 *   E0     A0..BF 80..BF       E1..EC 80..BF 80..BF
 *   ED     80..9F 80..BF       EE..EF 80..BF 80..BF
 *   F0     90..BF 80..BF 80..BF
 *   F1..F3 80..BF 80..BF 80..BF
 *   F4     80..8F 80..BF 80..BF */
size_t utf8_next(const uint8_t *s, size_t len, uint32_t *cp, bool *valid)
{
    uint8_t c = s[0];
    size_t need = 1, got = 1;
    uint8_t lo = UTF8_CONT_MIN, hi = UTF8_CONT_MAX; /* range of the second byte */
    uint32_t v = c;
    if (c < 0x80) {
        goto done;
    } else if (in(c, 0xc2, 0xdf)) {
        need = 2, v = c & 0x1fu;
    } else if (in(c, 0xe0, 0xef)) {
        need = 3, v = c & 0x0fu;
        lo = c == 0xe0 ? 0xa0 : UTF8_CONT_MIN;
        hi = c == 0xed ? 0x9f : UTF8_CONT_MAX;
    } else if (in(c, 0xf0, 0xf4)) {
        need = 4, v = c & 0x07u;
        lo = c == 0xf0 ? 0x90 : UTF8_CONT_MIN;
        hi = c == 0xf4 ? 0x8f : UTF8_CONT_MAX;
    } else {
        need = 0; /* 80..C1, F5..FF never start a sequence */
        goto done;
    }
    for (; got < need && got < len; got++) {
        if (!(got == 1 ? in(s[got], lo, hi) : in(s[got], UTF8_CONT_MIN, UTF8_CONT_MAX)))
            break;
        v = v << UTF8_CONT_BITS | (s[got] & UTF8_CONT_MASK);
    }
done:
    if (got == need) {
        if (cp)
            *cp = v;
        if (valid)
            *valid = true;
    } else {
        if (cp)
            *cp = UTF8_REPLACEMENT;
        if (valid)
            *valid = false;
    }
    return got;
}

size_t utf8_encode(uint32_t cp, uint8_t out[UTF8_MAX_SEQ])
{
    if (cp > UTF8_MAX_CODE_POINT || (cp >= UTF8_SURROGATE_FIRST && cp <= UTF8_SURROGATE_LAST))
        return 0;
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const uint8_t lead[UTF8_MAX_SEQ + 1] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (size_t i = n - 1; i > 0; i--) {
        out[i] = (uint8_t)(UTF8_CONT_MIN | (cp & UTF8_CONT_MASK));
        cp >>= UTF8_CONT_BITS;
    }
    out[0] = (uint8_t)(lead[n] | cp);
    return n;
}
