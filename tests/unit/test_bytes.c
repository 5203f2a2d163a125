/* Unit tests for the bounded reader and writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/bytes.h"

static void test_reads_little_and_big_endian(void **state)
{
    const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a};
    struct reader r;
    reader_init(&r, data, sizeof data);
    assert_int_equal(reader_u16le(&r), 0x0201);
    assert_int_equal(reader_u16be(&r), 0x0304);
    assert_int_equal(reader_u32le(&r), 0x08070605);
    assert_int_equal(reader_remaining(&r), 2);
    assert_false(r.err);
}

static void test_short_read_is_sticky_and_yields_zero(void **state)
{
    const uint8_t data[] = {0xff, 0xff, 0xff};
    struct reader r;
    reader_init(&r, data, sizeof data);
    assert_int_equal(reader_u32le(&r), 0);
    assert_true(r.err);
    assert_int_equal(reader_u8(&r), 0); /* bytes remain, but the error sticks */
    assert_int_equal(reader_remaining(&r), 0);
    assert_false(reader_done(&r));
}

static void test_compact_size_canonical_only(void **state)
{
    struct {
        uint8_t bytes[9];
        size_t len;
        uint64_t value;
        bool ok;
    } cases[] = {
        {{0xfc}, 1, 0xfc, true},
        {{0xfd, 0xfd, 0x00}, 3, 0xfd, true},
        {{0xfd, 0xfc, 0x00}, 3, 0, false}, /* 0xfc must be one byte */
        {{0xfe, 0x00, 0x00, 0x01, 0x00}, 5, 0x10000, true},
        {{0xfe, 0xff, 0xff, 0x00, 0x00}, 5, 0, false},
        {{0xff, 0, 0, 0, 0, 1, 0, 0, 0}, 9, UINT64_C(0x100000000), true},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, 9, 0, false},
        {{0xfd, 0x01}, 2, 0, false}, /* truncated */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct reader r;
        reader_init(&r, cases[i].bytes, cases[i].len);
        uint64_t v = reader_compact_size(&r, UINT64_MAX);
        assert_int_equal(!r.err, cases[i].ok);
        assert_int_equal(v, cases[i].value);
    }
}

static void test_compact_size_cap(void **state)
{
    const uint8_t data[] = {0xfd, 0xe9, 0x03}; /* 1001 */
    struct reader r;
    reader_init(&r, data, sizeof data);
    reader_compact_size(&r, 1000);
    assert_true(r.err);
}

static void test_writer_round_trip_and_overflow(void **state)
{
    uint8_t buf[16];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    writer_compact_size(&w, 0x1234);
    writer_u64le(&w, UINT64_C(0x1122334455667788));
    writer_u16be(&w, 8333);
    assert_false(w.err);
    struct reader r;
    reader_init(&r, buf, w.len);
    assert_int_equal(reader_compact_size(&r, 0xffff), 0x1234);
    assert_int_equal(reader_u64le(&r), UINT64_C(0x1122334455667788));
    assert_int_equal(reader_u16be(&r), 8333);
    assert_true(reader_done(&r));
    writer_u64le(&w, 0); /* 13 + 8 > 16 */
    assert_true(w.err);
    assert_int_equal(w.len, 13);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_little_and_big_endian),
        cmocka_unit_test(test_short_read_is_sticky_and_yields_zero),
        cmocka_unit_test(test_compact_size_canonical_only),
        cmocka_unit_test(test_compact_size_cap),
        cmocka_unit_test(test_writer_round_trip_and_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
