/* Unit tests for the SOCKS5 client messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crawl/crawl_socks5.h"

static void test_requests(void **state)
{
    uint8_t buf[300];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    crawl_socks5_greeting(&w);
    assert_int_equal(w.len, 3);
    assert_memory_equal(buf, "\x05\x01\x00", 3);
    writer_init(&w, buf, sizeof buf);
    crawl_socks5_connect(&w, "abc.onion", 8333);
    assert_false(w.err);
    assert_int_equal(w.len, 4 + 1 + 9 + 2);
    assert_memory_equal(buf, "\x05\x01\x00\x03\x09" "abc.onion" "\x20\x8d", w.len);
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    writer_init(&w, buf, sizeof buf);
    crawl_socks5_connect(&w, longname, 1);
    assert_true(w.err);
}

static void test_method_reply(void **state)
{
    size_t used = 0;
    assert_int_equal(crawl_socks5_parse_method((const uint8_t *)"\x05", 1, &used),
                     CRAWL_SOCKS5_NEED_MORE);
    assert_int_equal(crawl_socks5_parse_method((const uint8_t *)"\x05\x00", 2, &used),
                     CRAWL_SOCKS5_OK);
    assert_int_equal(used, 2);
    assert_int_equal(crawl_socks5_parse_method((const uint8_t *)"\x05\xff", 2, &used),
                     CRAWL_SOCKS5_ERR_METHOD);
    assert_int_equal(crawl_socks5_parse_method((const uint8_t *)"\x04\x00", 2, &used),
                     CRAWL_SOCKS5_ERR_VERSION);
}

static void test_connect_reply(void **state)
{
    size_t used = 0;
    uint8_t rep;
    const uint8_t v4[] = {5, 0, 0, 1, 127, 0, 0, 1, 0x20, 0x8d, 0xaa};
    assert_int_equal(crawl_socks5_parse_reply(v4, 9, &used, &rep), CRAWL_SOCKS5_NEED_MORE);
    assert_int_equal(crawl_socks5_parse_reply(v4, sizeof v4, &used, &rep), CRAWL_SOCKS5_OK);
    assert_int_equal(used, 10); /* the byte after belongs to the tunnelled stream */
    const uint8_t name[] = {5, 0, 0, 3, 3, 'a', 'b', 'c', 0, 1};
    assert_int_equal(crawl_socks5_parse_reply(name, sizeof name, &used, &rep), CRAWL_SOCKS5_OK);
    assert_int_equal(used, sizeof name);
    const uint8_t v6[22] = {5, 0, 0, 4};
    assert_int_equal(crawl_socks5_parse_reply(v6, 21, &used, &rep), CRAWL_SOCKS5_NEED_MORE);
    assert_int_equal(crawl_socks5_parse_reply(v6, 22, &used, &rep), CRAWL_SOCKS5_OK);
    const uint8_t refused[] = {5, 5, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_int_equal(crawl_socks5_parse_reply(refused, sizeof refused, &used, &rep),
                     CRAWL_SOCKS5_ERR_REFUSED);
    assert_int_equal(rep, 5);
    const uint8_t badtype[] = {5, 0, 0, 9, 0, 0, 0, 0, 0, 0};
    assert_int_equal(crawl_socks5_parse_reply(badtype, sizeof badtype, &used, &rep),
                     CRAWL_SOCKS5_ERR_ADDRESS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_method_reply),
        cmocka_unit_test(test_connect_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
