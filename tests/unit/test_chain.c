/* Unit tests for the chain parameter table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/chain.h"

static void test_names_and_aliases(void **state)
{
    static const struct {
        const char *name, *canonical;
    } cases[] = {
        {"main", "main"},         {"mainnet", "main"},     {"bitcoin", "main"},
        {"testnet3", "testnet3"}, {"testnet", "testnet3"}, {"testnet4", "testnet4"},
        {"signet", "signet"},     {"regtest", "regtest"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const chain_params_t *c = chain_by_name(cases[i].name);
        assert_non_null(c);
        assert_string_equal(c->name, cases[i].canonical);
    }
    static const char *const unknown[] = {"", "Main", "MAIN", "test", "testnet5", "main ",
                                          "regtest2", "litecoin"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_null(chain_by_name(unknown[i]));
}

/* Message start bytes and ports from Bitcoin Core's kernel/chainparams.cpp. */
static void test_magic_and_ports(void **state)
{
    static const struct {
        const char *name;
        uint8_t magic[4];
        uint16_t port;
    } cases[] = {
        {"main", {0xf9, 0xbe, 0xb4, 0xd9}, 8333},
        {"testnet3", {0x0b, 0x11, 0x09, 0x07}, 18333},
        {"testnet4", {0x1c, 0x16, 0x3f, 0x28}, 48333},
        {"signet", {0x0a, 0x03, 0xcf, 0x40}, 38333},
        {"regtest", {0xfa, 0xbf, 0xb5, 0xda}, 18444},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const chain_params_t *c = chain_by_name(cases[i].name);
        assert_non_null(c);
        assert_memory_equal(c->magic, cases[i].magic, 4);
        assert_int_equal(c->default_port, cases[i].port);
    }
}

static void test_seed_lists(void **state)
{
    const chain_params_t *main_chain = chain_by_name("main");
    size_t n = 0;
    bool sipa = false;
    for (; main_chain->seeds[n]; n++) {
        assert_true(strlen(main_chain->seeds[n]) > 0);
        assert_null(strchr(main_chain->seeds[n], ' '));
        if (strcmp(main_chain->seeds[n], "seed.bitcoin.sipa.be") == 0)
            sipa = true;
    }
    assert_true(n >= 5);
    assert_true(sipa);
    assert_non_null(chain_by_name("testnet3")->seeds[0]);
    assert_non_null(chain_by_name("testnet4")->seeds[0]);
    assert_non_null(chain_by_name("signet")->seeds[0]);
    assert_null(chain_by_name("regtest")->seeds[0]); /* regtest has no seeds */

    /* Heights: regtest accepts anything, real chains demand a synced node. */
    assert_int_equal(chain_by_name("regtest")->min_height, 0);
    assert_true(main_chain->min_height > 0);
}

static void test_names_listed_for_help(void **state)
{
    const char *list = chain_names();
    static const char *const names[] = {"main", "testnet3", "testnet4", "signet", "regtest"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_non_null(strstr(list, names[i]));
        assert_non_null(chain_by_name(names[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_aliases),
        cmocka_unit_test(test_magic_and_ports),
        cmocka_unit_test(test_seed_lists),
        cmocka_unit_test(test_names_listed_for_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
