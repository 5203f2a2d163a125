/* libFuzzer target: the UTF-8 decoder against an independent reference.
 *
 * The reference knows nothing of table 3-7's byte ranges: it decodes by bit
 * masks and checks the value (shortest form, not a surrogate, at most
 * U+10FFFF), and finds maximal subparts by asking whether any completion of
 * a prefix could still be well formed (the interval of values the missing
 * bits can give). Every step must agree with utf8_next; the replaced text
 * must decode again to the same code points with no replacement left to
 * make; well-formed input must come back byte for byte through utf8_encode. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"

#define MAX_INPUT 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

/* Sequence length announced by a lead byte's high bits; 0 for a byte that
 * cannot lead (10xxxxxx, 11111xxx). */
static size_t ref_length(uint8_t lead)
{
    if ((lead & 0x80) == 0)
        return 1;
    if ((lead & 0xe0) == 0xc0)
        return 2;
    if ((lead & 0xf0) == 0xe0)
        return 3;
    if ((lead & 0xf8) == 0xf0)
        return 4;
    return 0;
}

static const uint32_t ref_min[] = {0, 0, 0x80, 0x800, 0x10000};

/* Value bits of s[0..k) (lead announcing n bytes), or false if a byte after
 * the lead is not 10xxxxxx. */
static bool ref_bits(const uint8_t *s, size_t k, size_t n, uint32_t *v)
{
    *v = n == 1 ? s[0] : s[0] & (0xffu >> (n + 1));
    for (size_t i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return false;
        *v = *v << 6 | (s[i] & 0x3f);
    }
    return true;
}

/* Can s[0..k) (k < n) still be completed to a well-formed sequence? The
 * missing 6*(n-k) bits range over an interval of values: it must meet the
 * scalar values allowed for n bytes outside the surrogates. */
static bool ref_completable(const uint8_t *s, size_t k, size_t n)
{
    uint32_t v;
    if (!ref_bits(s, k, n, &v))
        return false;
    unsigned missing = 6 * (unsigned)(n - k);
    uint64_t lo = (uint64_t)v << missing, hi = lo + ((uint64_t)1 << missing) - 1;
    uint64_t a = lo > ref_min[n] ? lo : ref_min[n];
    uint64_t b = hi < 0x10ffff ? hi : 0x10ffff;
    return a <= b && !(a >= 0xd800 && b <= 0xdfff);
}

/* The reference step: length, and the code point or 0xfffd with *valid false. */
static size_t ref_next(const uint8_t *s, size_t len, uint32_t *cp, bool *valid)
{
    size_t n = ref_length(s[0]);
    uint32_t v;
    *valid = false;
    *cp = 0xfffd;
    if (n == 0)
        return 1;
    if (n <= len && ref_bits(s, n, n, &v) && v >= ref_min[n] && v <= 0x10ffff &&
        !(v >= 0xd800 && v <= 0xdfff)) {
        *valid = true;
        *cp = v;
        return n;
    }
    size_t k = 1; /* the lone lead byte at least */
    while (k + 1 < n && k + 1 <= len && ref_completable(s, k + 1, n))
        k++;
    /* A lead byte whose every completion is ill-formed (C0, F5...) is a
     * subpart of one byte like any other. */
    return k;
}

/* Decodes s step by step, comparing each with the reference; writes the
 * code points to cps. Returns their count; *replaced tells whether any step
 * was ill-formed. */
static size_t decode_checked(const uint8_t *s, size_t len, uint32_t *cps, bool *replaced)
{
    size_t count = 0;
    *replaced = false;
    for (size_t i = 0; i < len;) {
        uint32_t cp, ref_cp;
        bool valid, ref_valid;
        size_t n = utf8_next(s + i, len - i, &cp, &valid);
        size_t ref_n = ref_next(s + i, len - i, &ref_cp, &ref_valid);
        check(n == ref_n && valid == ref_valid && cp == ref_cp);
        check(n >= 1 && n <= len - i && n <= (valid ? 4u : 3u));
        check(utf8_next(s + i, len - i, NULL, NULL) == n);
        *replaced |= !valid;
        cps[count++] = cp;
        i += n;
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    uint32_t *cps = malloc((size + 1) * sizeof *cps);
    uint32_t *again = malloc((size + 1) * sizeof *again);
    uint8_t *text = malloc(3 * size + 1); /* each input byte gives at most 3 */
    bool replaced;
    size_t count = decode_checked(data, size, cps, &replaced);

    size_t len = 0;
    for (size_t i = 0; i < count; i++) {
        size_t k = utf8_encode(cps[i], text + len);
        check(k >= 1 && k <= UTF8_MAX_SEQ);
        len += k;
    }
    check(len <= 3 * size);
    if (!replaced)
        check(len == size && memcmp(text, data, size) == 0);

    bool replaced_again;
    check(decode_checked(text, len, again, &replaced_again) == count);
    check(!replaced_again && memcmp(again, cps, count * sizeof *cps) == 0);

    /* The encoder on arbitrary 32-bit values: scalar values round trip, the
     * rest are refused. */
    for (size_t i = 0; i + 4 <= size; i += 4) {
        uint32_t v = (uint32_t)data[i] << 24 | (uint32_t)data[i + 1] << 16 |
                     (uint32_t)data[i + 2] << 8 | data[i + 3];
        v >>= data[i] & 0x1f; /* reach small values too */
        uint8_t b[UTF8_MAX_SEQ];
        size_t k = utf8_encode(v, b);
        bool scalar = v <= 0x10ffff && !(v >= 0xd800 && v <= 0xdfff);
        check((k != 0) == scalar);
        if (k) {
            uint32_t back;
            bool valid;
            check(utf8_next(b, k, &back, &valid) == k && valid && back == v);
        }
    }
    free(text);
    free(again);
    free(cps);
    return 0;
}
