/* Unit tests for the parsers of simnet's SOCKS5 proxy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "simnet_socks5.h"

static void test_greeting(void **state)
{
    size_t used = 0;
    const uint8_t ok[] = {5, 2, 2, 0, 0xaa};
    assert_int_equal(simnet_socks5_greeting(ok, 1, &used), SIMNET_SOCKS5_NEED_MORE);
    assert_int_equal(simnet_socks5_greeting(ok, 3, &used), SIMNET_SOCKS5_NEED_MORE);
    assert_int_equal(simnet_socks5_greeting(ok, sizeof ok, &used), SIMNET_SOCKS5_OK);
    assert_int_equal(used, 4); /* the request's bytes are left alone */
    const uint8_t auth_only[] = {5, 1, 2};
    assert_int_equal(simnet_socks5_greeting(auth_only, 3, &used), SIMNET_SOCKS5_ERR_METHOD);
    const uint8_t socks4[] = {4, 1, 0, 80};
    assert_int_equal(simnet_socks5_greeting(socks4, 4, &used), SIMNET_SOCKS5_ERR_VERSION);
}

static void test_request(void **state)
{
    netaddr_t t;
    size_t used = 0;
    const uint8_t v4[] = {5, 1, 0, 1, 127, 1, 0, 1, 0x20, 0x8d};
    for (size_t n = 0; n < sizeof v4; n++)
        assert_int_equal(simnet_socks5_request(v4, n, &t, &used), SIMNET_SOCKS5_NEED_MORE);
    assert_int_equal(simnet_socks5_request(v4, sizeof v4, &t, &used), SIMNET_SOCKS5_OK);
    assert_int_equal(used, sizeof v4);
    assert_int_equal(t.net, NETADDR_IPV4);
    assert_int_equal(t.port, 8333);
    assert_int_equal(t.bytes[1], 1);

    /* A TorV3 name: its 32-byte key. */
    const char *onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";
    uint8_t req[300] = {5, 1, 0, 3, (uint8_t)strlen(onion)};
    memcpy(req + 5, onion, strlen(onion));
    size_t len = 5 + strlen(onion);
    req[len++] = 0x20;
    req[len++] = 0x8d;
    assert_int_equal(simnet_socks5_request(req, len, &t, &used), SIMNET_SOCKS5_OK);
    assert_int_equal(t.net, NETADDR_TORV3);
    assert_int_equal(t.port, 8333);

    const char *name = "example.com";
    uint8_t dns[40] = {5, 1, 0, 3, (uint8_t)strlen(name)};
    memcpy(dns + 5, name, strlen(name));
    assert_int_equal(simnet_socks5_request(dns, 5 + strlen(name) + 2, &t, &used),
                     SIMNET_SOCKS5_ERR_ADDRESS);
    const uint8_t bind[] = {5, 2, 0, 1, 127, 0, 0, 1, 0, 1};
    assert_int_equal(simnet_socks5_request(bind, sizeof bind, &t, &used),
                     SIMNET_SOCKS5_ERR_COMMAND);
    const uint8_t atyp[] = {5, 1, 0, 9, 0, 0, 0, 0};
    assert_int_equal(simnet_socks5_request(atyp, sizeof atyp, &t, &used),
                     SIMNET_SOCKS5_ERR_ATYP);
    const uint8_t empty[] = {5, 1, 0, 3, 0, 0, 80};
    assert_int_equal(simnet_socks5_request(empty, sizeof empty, &t, &used),
                     SIMNET_SOCKS5_ERR_ADDRESS);
}

static void test_reply(void **state)
{
    uint8_t out[SIMNET_SOCKS5_REPLY_SIZE];
    struct writer w;
    writer_init(&w, out, sizeof out);
    simnet_socks5_reply(&w, 5);
    assert_false(w.err);
    assert_int_equal(w.len, SIMNET_SOCKS5_REPLY_SIZE);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[1], 5);
    assert_int_equal(out[3], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greeting),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_reply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
