/* Unit tests for what the crawler keeps and dials: production defaults drop
 * every non-routable address; tests must allow loopback explicitly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "crawl/crawl_policy.h"

static netaddr_t addr(const char *text)
{
    netaddr_t a;
    assert_int_equal(netaddr_parse(text, 8333, &a), 0);
    return a;
}

static void test_defaults_drop_unroutable(void **state)
{
    struct crawl_config cfg;
    crawl_config_defaults(&cfg, chain_by_name("main"));
    const char *dropped[] = {
        "127.0.0.1",   "10.1.2.3",      "192.168.1.1",   "172.16.5.4",  "100.64.0.1",
        "169.254.1.1", "198.18.0.1",    "192.0.2.1",     "0.0.0.0",     "224.0.0.1",
        "240.0.0.1",   "[::1]",         "[fe80::1]",     "[2001:db8::1]", "[::]",
        "[ff02::1]",   "255.255.255.255",
    };
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) {
        netaddr_t a = addr(dropped[i]);
        assert_false(crawl_policy_may_store(&cfg, &a));
        assert_false(crawl_policy_may_dial(&cfg, &a));
    }
    netaddr_t pub = addr("8.8.8.8:8333");
    assert_true(crawl_policy_may_store(&cfg, &pub));
    assert_true(crawl_policy_may_dial(&cfg, &pub));
    netaddr_t pub6 = addr("[2a01:4f8::1]:8333");
    assert_true(crawl_policy_may_dial(&cfg, &pub6));
    netaddr_t port0 = addr("8.8.8.8:0");
    assert_false(crawl_policy_may_store(&cfg, &port0));
}

static void test_allow_net_opens_a_range(void **state)
{
    struct crawl_config cfg;
    crawl_config_defaults(&cfg, chain_by_name("regtest"));
    assert_int_equal(netaddr_cidr_parse("127.0.0.0/8", &cfg.allow[0]), 0);
    assert_int_equal(netaddr_cidr_parse("2001:db8::/32", &cfg.allow[1]), 0);
    cfg.n_allow = 2;
    netaddr_t lo = addr("127.3.4.5:18444");
    netaddr_t doc6 = addr("[2001:db8:2::7]:18444");
    netaddr_t priv = addr("10.0.0.1:18444");
    assert_true(crawl_policy_may_dial(&cfg, &lo));
    assert_true(crawl_policy_may_dial(&cfg, &doc6));
    assert_false(crawl_policy_may_dial(&cfg, &priv));
    /* Public addresses are dialable by default, not with --only-allowed. */
    netaddr_t pub = addr("8.8.8.8:18444");
    assert_true(crawl_policy_may_dial(&cfg, &pub));
    cfg.only_allowed = true;
    assert_false(crawl_policy_may_dial(&cfg, &pub));
    assert_true(crawl_policy_may_store(&cfg, &pub));
    assert_true(crawl_policy_may_dial(&cfg, &lo));
    assert_true(crawl_policy_may_dial(&cfg, &doc6));
}

static void test_overlay_networks_need_their_transport(void **state)
{
    struct crawl_config cfg;
    crawl_config_defaults(&cfg, chain_by_name("main"));
    netaddr_t onion = addr("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333");
    netaddr_t cjdns = addr("[fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa]:8333");
    assert_true(crawl_policy_may_store(&cfg, &onion));
    assert_false(crawl_policy_may_dial(&cfg, &onion));
    assert_true(crawl_policy_may_store(&cfg, &cjdns));
    assert_false(crawl_policy_may_dial(&cfg, &cjdns));
    cfg.has_onion_proxy = true;
    cfg.cjdns = true;
    assert_true(crawl_policy_may_dial(&cfg, &onion));
    assert_true(crawl_policy_may_dial(&cfg, &cjdns));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_drop_unroutable),
        cmocka_unit_test(test_allow_net_opens_a_range),
        cmocka_unit_test(test_overlay_networks_need_their_transport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
