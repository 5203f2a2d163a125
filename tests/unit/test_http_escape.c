/* Unit tests for UTF-8 decoding, JSON and HTML escaping, and the JSON writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "http/http_escape.h"
#include "http/http_json.h"

/* Returns the buffer's contents as a NUL-terminated string (static). */
static const char *text(struct evbuffer *b)
{
    static char out[4096];
    size_t n = evbuffer_get_length(b);
    assert_true(n < sizeof out);
    evbuffer_remove(b, out, n);
    out[n] = '\0';
    return out;
}

/* Ill-formed input: one U+FFFD per maximal ill-formed subpart (util/utf8),
 * as a browser or Python decoding the raw bytes shows it. */
static void test_ill_formed_input(void **state)
{
    struct evbuffer *b = evbuffer_new();
    const struct {
        const char *bytes;
        size_t len;
        const char *json;
    } cases[] = {
        {"\xe2\x82" "A", 3, "\\ufffdA"},           /* truncated: one U+FFFD */
        {"\xc0\xaf", 2, "\\ufffd\\ufffd"},         /* overlong: two */
        {"\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"}, /* surrogate */
        {"\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"},
        {"\xf0\x9f\x98", 3, "\\ufffd"},             /* truncated 4-byte */
        {"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80"},  /* well-formed: as is */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_json_escape(b, cases[i].bytes, cases[i].len);
        assert_string_equal(text(b), cases[i].json);
    }
    http_html_escape(b, "\xe2\x82" "A", 3, 0);
    assert_string_equal(text(b), "\xef\xbf\xbd" "A");
    evbuffer_free(b);
}

static void test_json_escape_hostile_user_agent(void **state)
{
    struct evbuffer *b = evbuffer_new();
    const char ua[] = "/Satoshi:27.0/\"><script>alert(1)</script>\\\n\t\x01\x7f\xff\xc3\xa9"
                      "\xe2\x80\xa8&";
    http_json_escape(b, ua, sizeof ua - 1);
    assert_string_equal(text(b), "/Satoshi:27.0/\\\"\\u003e\\u003cscript\\u003ealert(1)"
                                 "\\u003c/script\\u003e\\\\\\n\\t\\u0001\\u007f\\ufffd\xc3\xa9"
                                 "\\u2028\\u0026");
    /* A NUL inside the given length is data, not the end. */
    http_json_escape(b, "a\0b", 3);
    assert_string_equal(text(b), "a\\u0000b");
    evbuffer_free(b);
}

static void test_html_escape(void **state)
{
    struct evbuffer *b = evbuffer_new();
    const char ua[] = "<b onclick='x'>\"&amp;\"\x01\x1b[31m\xc2\x85\xfe\xc3\xa9\t";
    http_html_escape(b, ua, sizeof ua - 1, 0);
    assert_string_equal(text(b), "&lt;b onclick=&#39;x&#39;&gt;&quot;&amp;amp;&quot;"
                                 "\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\t");
    /* Cut after 5 code points, never inside a multi-byte one. */
    http_html_escape(b, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 12, 5);
    assert_string_equal(text(b), "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    http_html_escape(b, "abcde", 5, 5); /* exactly the limit: whole */
    assert_string_equal(text(b), "abcde");
    http_html(b, "a<b");
    assert_string_equal(text(b), "a&lt;b");
    evbuffer_free(b);
}

static void test_json_writer(void **state)
{
    struct evbuffer *b = evbuffer_new();
    struct http_json j;
    http_json_init(&j, b);
    http_json_object(&j);
    http_json_key(&j, "n");
    http_json_uint(&j, UINT64_MAX);
    http_json_key(&j, "i");
    http_json_int(&j, INT64_MIN);
    http_json_key(&j, "list");
    http_json_array(&j);
    http_json_double(&j, 0.25);
    http_json_double(&j, NAN);
    http_json_double(&j, INFINITY);
    http_json_bool(&j, true);
    http_json_null(&j);
    http_json_object(&j);
    http_json_end(&j);
    http_json_array(&j);
    http_json_end(&j);
    http_json_end(&j);
    http_json_key(&j, "ua\"");
    http_json_string_len(&j, "x\0y", 3);
    http_json_end(&j);
    assert_false(j.err);
    assert_int_equal(j.depth, 0);
    assert_string_equal(text(b), "{\"n\":18446744073709551615,\"i\":-9223372036854775808,"
                                 "\"list\":[0.25,null,null,true,null,{},[]],"
                                 "\"ua\\\"\":\"x\\u0000y\"}");
    http_json_end(&j); /* one close too many */
    assert_true(j.err);
    evbuffer_free(b);
}

static void test_json_depth_limit(void **state)
{
    struct evbuffer *b = evbuffer_new();
    struct http_json j;
    http_json_init(&j, b);
    for (int i = 0; i < HTTP_JSON_MAX_DEPTH; i++)
        http_json_array(&j);
    assert_false(j.err);
    http_json_array(&j);
    assert_true(j.err);
    evbuffer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ill_formed_input),
        cmocka_unit_test(test_json_escape_hostile_user_agent),
        cmocka_unit_test(test_html_escape),
        cmocka_unit_test(test_json_writer),
        cmocka_unit_test(test_json_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
