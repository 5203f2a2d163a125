/* Unit tests for DNS response rate limiting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "dns/dns_rrl.h"

static struct sockaddr_in v4(const char *ip)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(4000)};
    inet_pton(AF_INET, ip, &sa.sin_addr);
    return sa;
}

static struct sockaddr_in6 v6(const char *ip)
{
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(4000)};
    inet_pton(AF_INET6, ip, &sa.sin6_addr);
    return sa;
}

static dns_rrl_t *limiter(unsigned rate, unsigned slip)
{
    struct dns_rrl_config c;
    dns_rrl_config_default(&c);
    c.rate = rate;
    c.slip = slip;
    dns_rrl_t *r = dns_rrl_new(&c);
    assert_non_null(r);
    return r;
}

static void test_limits_per_prefix_per_second(void **state)
{
    dns_rrl_t *r = limiter(10, 0);
    struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.200"), c = v4("198.51.100.7");
    for (int i = 0; i < 10; i++)
        assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&a, 100), DNS_RRL_SEND);
    /* Same /24, other host: shares the budget. */
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&b, 100), DNS_RRL_DROP);
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&a, 100), DNS_RRL_DROP);
    /* Another prefix is unaffected. */
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&c, 100), DNS_RRL_SEND);
    /* Next second: budget again. */
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&a, 101), DNS_RRL_SEND);
    assert_int_equal(dns_rrl_dropped(r), 2);
    assert_int_equal(dns_rrl_slipped(r), 0);
    dns_rrl_free(r);
}

static void test_slip_every_second(void **state)
{
    dns_rrl_t *r = limiter(5, 2);
    struct sockaddr_in a = v4("203.0.113.9");
    int send = 0, slip = 0, drop = 0;
    for (int i = 0; i < 105; i++) {
        switch (dns_rrl_account(r, (struct sockaddr *)&a, 7)) {
        case DNS_RRL_SEND: send++; break;
        case DNS_RRL_SLIP: slip++; break;
        case DNS_RRL_DROP: drop++; break;
        }
    }
    assert_int_equal(send, 5);
    assert_int_equal(slip, 50);
    assert_int_equal(drop, 50);
    assert_int_equal(dns_rrl_slipped(r), 50);
    dns_rrl_free(r);
}

static void test_ipv6_prefix_56(void **state)
{
    dns_rrl_t *r = limiter(1, 0);
    struct sockaddr_in6 a = v6("2001:db8:0:1200::1"), b = v6("2001:db8:0:12ff::2"),
                        c = v6("2001:db8:0:1300::1");
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&a, 1), DNS_RRL_SEND);
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&b, 1), DNS_RRL_DROP);
    assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&c, 1), DNS_RRL_SEND);
    dns_rrl_free(r);
}

static void test_off_and_null(void **state)
{
    dns_rrl_t *r = limiter(0, 2);
    struct sockaddr_in a = v4("192.0.2.1");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(dns_rrl_account(r, (struct sockaddr *)&a, 1), DNS_RRL_SEND);
    dns_rrl_free(r);
    assert_int_equal(dns_rrl_account(NULL, (struct sockaddr *)&a, 1), DNS_RRL_SEND);
    dns_rrl_free(NULL);
    struct dns_rrl_config c;
    dns_rrl_config_default(&c);
    c.ipv4_prefix = 33;
    assert_null(dns_rrl_new(&c));
    assert_int_equal(dns_rrl_config_check(&c), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_per_prefix_per_second),
        cmocka_unit_test(test_slip_every_second),
        cmocka_unit_test(test_ipv6_prefix_56),
        cmocka_unit_test(test_off_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
