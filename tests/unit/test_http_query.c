/* Unit tests for the JSON API's query-string parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/http_query.h"
#include "net/netaddr.h"

static void test_split_and_decode(void **state)
{
    struct http_query q;
    char err[256];
    assert_int_equal(http_query_split("a=1&b=x%41y+z&&c&d=", &q, err, sizeof err), 0);
    assert_int_equal(q.n, 4);
    assert_string_equal(q.p[0].key, "a");
    assert_string_equal(q.p[0].value, "1");
    assert_string_equal(q.p[1].value, "xAy z");
    assert_string_equal(q.p[2].key, "c");
    assert_string_equal(q.p[2].value, "");
    assert_string_equal(q.p[3].value, "");
    assert_int_equal(http_query_split(NULL, &q, err, sizeof err), 0);
    assert_int_equal(q.n, 0);
    assert_int_equal(http_query_split("", &q, err, sizeof err), 0);
}

static void test_split_rejects(void **state)
{
    const struct {
        const char *query;
        const char *message;
    } cases[] = {
        {"a=%4", "malformed query string"},
        {"a=%zz", "malformed query string"},
        {"a=%00", "malformed query string"},
        {"=1", "malformed query string"},
        {"a=1&a=2", "'a' given twice"},
        {"a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1", "more than 8 query parameters"},
        {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1", "query parameter name too long"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_query q;
        char err[256] = "";
        assert_int_equal(http_query_split(cases[i].query, &q, err, sizeof err), -1);
        assert_string_equal(err, cases[i].message);
    }
    char longq[HTTP_QUERY_MAX_LEN + 2];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    struct http_query q;
    char err[256];
    assert_int_equal(http_query_split(longq, &q, err, sizeof err), -1);
    assert_string_equal(err, "query string longer than 1024 bytes");
    char longv[200];
    snprintf(longv, sizeof longv, "a=%0150d", 0);
    assert_int_equal(http_query_split(longv, &q, err, sizeof err), -1);
    assert_string_equal(err, "value of 'a' too long");
}

static void test_nodes_query(void **state)
{
    struct http_nodes_query n;
    char err[256];
    assert_int_equal(http_query_nodes(NULL, &n, err, sizeof err), 0);
    assert_int_equal(n.net, 0);
    assert_int_equal(n.good, -1);
    assert_int_equal(n.limit, HTTP_NODES_DEFAULT_LIMIT);
    assert_int_equal(n.offset, 0);
    assert_int_equal(http_query_nodes("network=onion&good=true&services=0x409&limit=1000"
                                      "&offset=100000000",
                                      &n, err, sizeof err),
                     0);
    assert_int_equal(n.net, NETADDR_TORV3);
    assert_int_equal(n.good, 1);
    assert_int_equal(n.services, 0x409);
    assert_int_equal(n.limit, 1000);
    assert_int_equal(n.offset, 100000000);
    assert_int_equal(http_query_nodes("services=1033&good=0&network=ipv6", &n, err, sizeof err),
                     0);
    assert_int_equal(n.services, 1033);
    assert_int_equal(n.good, 0);
    assert_int_equal(n.net, NETADDR_IPV6);
    assert_int_equal(http_query_nodes("services=0xffffffffffffffff", &n, err, sizeof err), 0);
    assert_true(n.services == UINT64_MAX);
}

static void test_nodes_query_rejects(void **state)
{
    const struct {
        const char *query;
        const char *message;
    } cases[] = {
        {"limit=0", "limit must be an integer from 1 to 1000"},
        {"limit=1001", "limit must be an integer from 1 to 1000"},
        {"limit=-1", "limit must be an integer from 1 to 1000"},
        {"limit=10abc", "limit must be an integer from 1 to 1000"},
        {"limit=", "limit must be an integer from 1 to 1000"},
        {"limit=99999999999999999999999", "limit must be an integer from 1 to 1000"},
        {"offset=100000001", "offset must be an integer from 0 to 100000000"},
        {"offset=1e3", "offset must be an integer from 0 to 100000000"},
        {"network=tor", "network must be one of ipv4, ipv6, onion, i2p, cjdns"},
        {"network=IPV4", "network must be one of ipv4, ipv6, onion, i2p, cjdns"},
        {"good=maybe", "good must be 1 or 0 (true or false)"},
        {"services=0x", "services must be a 64-bit number, decimal or 0x hexadecimal"},
        {"services=0x1ffffffffffffffff",
         "services must be a 64-bit number, decimal or 0x hexadecimal"},
        {"services=18446744073709551616",
         "services must be a 64-bit number, decimal or 0x hexadecimal"},
        {"sort=height", "unknown parameter 'sort' (network, good, services, limit, offset)"},
        {"limit=1&limit=2", "'limit' given twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_nodes_query n;
        char err[256] = "";
        assert_int_equal(http_query_nodes(cases[i].query, &n, err, sizeof err), -1);
        assert_string_equal(err, cases[i].message);
    }
}

static void test_snapshots_query(void **state)
{
    struct http_snapshots_query s;
    char err[256];
    assert_int_equal(http_query_snapshots("since=1700000000&limit=5", &s, err, sizeof err), 0);
    assert_int_equal(s.since, 1700000000);
    assert_int_equal(s.limit, 5);
    assert_int_equal(http_query_snapshots("limit=10001", &s, err, sizeof err), -1);
    assert_string_equal(err, "limit must be an integer from 1 to 10000");
    assert_int_equal(http_query_snapshots("since=-5", &s, err, sizeof err), -1);
    assert_string_equal(err, "since must be a time in unix seconds");
    assert_int_equal(http_query_snapshots("network=ipv4", &s, err, sizeof err), -1);
    assert_string_equal(err, "unknown parameter 'network' (since, limit)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_decode),
        cmocka_unit_test(test_split_rejects),
        cmocka_unit_test(test_nodes_query),
        cmocka_unit_test(test_nodes_query_rejects),
        cmocka_unit_test(test_snapshots_query),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
