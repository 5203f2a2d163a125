/* Unit tests for the UTF-8 decoder and encoder: sequence by sequence, whole
 * strings replaced as Python's decode('utf-8', 'replace') replaces them, and
 * every scalar value through encode and decode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/utf8.h"

#define R UTF8_REPLACEMENT_BYTES
#define BYTES(lit) lit, sizeof lit - 1

static void test_next_sequences(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        size_t want;
        bool valid;
        uint32_t cp;
    } cases[] = {
        {"A", 1, 1, true, 'A'},
        {"\x7f", 1, 1, true, 0x7f},
        {"\xc2\x80", 2, 2, true, 0x80},
        {"\xc3\xa9", 2, 2, true, 0xe9},            /* é */
        {"\xdf\xbf", 2, 2, true, 0x7ff},
        {"\xe0\xa0\x80", 3, 3, true, 0x800},
        {"\xe2\x82\xac", 3, 3, true, 0x20ac},      /* € */
        {"\xed\x9f\xbf", 3, 3, true, 0xd7ff},      /* last before the surrogates */
        {"\xee\x80\x80", 3, 3, true, 0xe000},      /* first after them */
        {"\xef\xbf\xbd", 3, 3, true, 0xfffd},      /* a real U+FFFD is valid */
        {"\xf0\x90\x80\x80", 4, 4, true, 0x10000},
        {"\xf0\x9f\x98\x80", 4, 4, true, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 4, true, 0x10ffff},
        {"\xc0\x80", 2, 1, false, 0xfffd},         /* overlong NUL */
        {"\xc1\xbf", 2, 1, false, 0xfffd},
        {"\xe0\x80\x80", 3, 1, false, 0xfffd},     /* overlong */
        {"\xe0\x9f\xbf", 3, 1, false, 0xfffd},
        {"\xed\xa0\x80", 3, 1, false, 0xfffd},     /* surrogate D800 */
        {"\xf0\x8f\xbf\xbf", 4, 1, false, 0xfffd}, /* overlong */
        {"\xf4\x90\x80\x80", 4, 1, false, 0xfffd}, /* above U+10FFFF */
        {"\xf5\x80\x80\x80", 4, 1, false, 0xfffd},
        {"\xff", 1, 1, false, 0xfffd},
        {"\x80", 1, 1, false, 0xfffd},             /* lone continuation */
        {"\xe2\x82", 2, 2, false, 0xfffd},         /* truncated: one U+FFFD for both */
        {"\xe2\x82" "A", 3, 2, false, 0xfffd},
        {"\xe2\x82\xac", 2, 2, false, 0xfffd},     /* len cuts a valid sequence */
        {"\xf0\x9f\x98", 3, 3, false, 0xfffd},
        {"\xf0\x9f" "A", 3, 2, false, 0xfffd},
        {"\xf1\x80\x80\xc0", 4, 3, false, 0xfffd},
        {"\xc3", 1, 1, false, 0xfffd},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool valid = !cases[i].valid;
        uint32_t cp = 0;
        size_t n = utf8_next((const uint8_t *)cases[i].bytes, cases[i].len, &cp, &valid);
        assert_int_equal(n, cases[i].want);
        assert_int_equal(valid, cases[i].valid);
        assert_int_equal(cp, cases[i].cp);
        /* Both out-parameters are optional. */
        assert_int_equal(utf8_next((const uint8_t *)cases[i].bytes, cases[i].len, NULL, NULL),
                         cases[i].want);
    }
}

/* The input with every step's code point written out, as a decoder with
 * replacement would produce it. */
static size_t replace_all(const char *in, size_t len, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += utf8_next((const uint8_t *)in + i, len - i, &cp, NULL);
        size_t k = utf8_encode(cp, out + o);
        assert_true(k > 0);
        o += k;
    }
    return o;
}

/* Expected outputs from Python 3.11: bytes.decode('utf-8', 'replace').encode(). */
static void test_matches_python_replace(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t in_len;
        const char *want;
    } cases[] = {
        {BYTES("\xe2\x82" "A\xf0\x9f\x98\xed\xa0\x80\xc0\xaf"), R "A" R R R R R R},
        {BYTES("\xf4\x90\x80\x80\xf4\x8f\xbf"), R R R R R},
        {BYTES("a\xff\xfe\xc3\xa9\xe0\x9f\x80\xef\xbf\xbd"), "a" R R "\xc3\xa9" R R R R},
        {BYTES("\xf0\x80\x80\x80\xf1\x80\xe1\x80\x80\x80"), R R R R R "\xe1\x80\x80" R},
        {BYTES("/Satoshi:27.0.0/"), "/Satoshi:27.0.0/"},
        {"", 0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[64];
        size_t n = replace_all(cases[i].in, cases[i].in_len, out);
        assert_int_equal(n, strlen(cases[i].want));
        assert_memory_equal(out, cases[i].want, n);
    }
}

/* Every scalar value encodes to its shortest form and decodes back; the
 * surrogates and values past U+10FFFF do not encode. */
static void test_every_scalar_round_trips(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp <= UTF8_MAX_CODE_POINT + 1; cp++) {
        uint8_t b[UTF8_MAX_SEQ] = {0};
        size_t n = utf8_encode(cp, b);
        if ((cp >= 0xd800 && cp <= 0xdfff) || cp > UTF8_MAX_CODE_POINT) {
            assert_int_equal(n, 0);
            continue;
        }
        assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        uint32_t back;
        bool valid;
        assert_int_equal(utf8_next(b, n, &back, &valid), n);
        assert_true(valid);
        assert_int_equal(back, cp);
        if (n > 1) { /* cut short, it is one ill-formed subpart */
            assert_int_equal(utf8_next(b, n - 1, &back, &valid), n - 1);
            assert_false(valid);
        }
    }
}

/* Every two-byte input and every three-byte input: a step called valid is
 * the shortest encoding of what it decodes to, and no step is empty or
 * longer than the input. */
static void test_valid_means_shortest_form(void **state)
{
    (void)state;
    uint8_t s[3];
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            for (unsigned c = 0; c < 256; c++) {
                s[0] = (uint8_t)a, s[1] = (uint8_t)b, s[2] = (uint8_t)c;
                uint32_t cp;
                bool valid;
                size_t n = utf8_next(s, sizeof s, &cp, &valid);
                if (n < 1 || n > 3)
                    fail_msg("%02x %02x %02x: step of %zu bytes", a, b, c, n);
                if (!valid) {
                    if (cp != UTF8_REPLACEMENT)
                        fail_msg("%02x %02x %02x: invalid but cp %x", a, b, c, cp);
                    continue;
                }
                uint8_t enc[UTF8_MAX_SEQ];
                if (utf8_encode(cp, enc) != n || memcmp(enc, s, n) != 0)
                    fail_msg("%02x %02x %02x: valid but not the shortest form of %x", a, b, c,
                             cp);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_sequences),
        cmocka_unit_test(test_matches_python_replace),
        cmocka_unit_test(test_every_scalar_round_trips),
        cmocka_unit_test(test_valid_means_shortest_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
