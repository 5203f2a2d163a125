/* Unit tests for the simulated network's model: the keyed permutation, node
 * addresses both ways, behaviour counts, gossip views (distinct, complete
 * coverage), the good rule, the version mix and the hostile encoders (as
 * the project's own decoders read them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "p2p/msg.h"
#include "simnet_gossip.h"
#include "simnet_hostile.h"
#include "simnet_model.h"
#include "simnet_rng.h"

static void config(struct simnet_config *c, uint32_t nodes)
{
    memset(c, 0, sizeof *c);
    c->seed = 77;
    c->chain = chain_by_name("main");
    c->nodes = nodes;
    c->port = 8333;
    c->alt_port = 8334;
    c->dead_port = 8335;
    c->best_height = 920000;
}

static void test_perm_is_a_bijection(void **state)
{
    const uint64_t sizes[] = {1, 2, 3, 5, 255, 1000, 4097, 65536};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint64_t n = sizes[s];
        struct simnet_perm p;
        simnet_perm_init(&p, n, 9);
        uint8_t *seen = calloc(n, 1);
        assert_non_null(seen);
        for (uint64_t x = 0; x < n; x++) {
            uint64_t y = simnet_perm_forward(&p, x);
            assert_true(y < n);
            assert_false(seen[y]);
            seen[y] = 1;
            assert_int_equal(simnet_perm_inverse(&p, y), x);
        }
        free(seen);
    }
}

static void test_addresses_round_trip(void **state)
{
    struct simnet_config c;
    config(&c, 70000);
    c.ipv6_nodes = 5000;
    c.onion_nodes = 3000;
    assert_int_equal(netaddr_cidr_parse("2001:db8:2::/64", &c.ipv6_prefix), 0);
    struct simnet_model m;
    char err[100];
    assert_int_equal(simnet_model_init(&m, &c, err, sizeof err), 0);
    for (uint32_t i = 0; i < c.nodes; i += 7) {
        netaddr_t a;
        simnet_model_address(&m, i, &a);
        uint32_t back = UINT32_MAX;
        assert_int_equal(simnet_model_lookup(&m, &a, &back), 0);
        assert_int_equal(back, i);
        assert_int_equal(a.net, i < 62000   ? NETADDR_IPV4
                                : i < 67000 ? NETADDR_IPV6
                                            : NETADDR_TORV3);
        char text[NETADDR_STRLEN];
        netaddr_t parsed;
        netaddr_format(&a, text, sizeof text);
        assert_int_equal(netaddr_parse(text, 0, &parsed), 0);
        assert_true(netaddr_equal_port(&parsed, &a));
        if (a.net == NETADDR_IPV4) {
            assert_int_equal(a.bytes[0], 127);
            assert_true(a.bytes[1] >= 1 && a.bytes[1] <= 254);
            assert_false(a.bytes[2] == 0 && a.bytes[3] == 0);
        }
    }
    /* An onion key one byte off is no node. */
    netaddr_t onion;
    uint32_t index;
    simnet_model_address(&m, 69999, &onion);
    onion.bytes[20] ^= 1;
    assert_int_equal(simnet_model_lookup(&m, &onion, &index), -1);
    /* Not nodes: 127.0/16, 127.255/16, x.y.0.0, past the last node, wrong tag. */
    const char *others[] = {"127.0.0.1", "127.255.0.1", "127.1.0.0", "127.1.255.255",
                            "10.0.0.1",  "2001:db8:2::1", "2001:db8:3::1", "::1"};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        netaddr_t a;
        assert_int_equal(netaddr_parse(others[k], 8333, &a), 0);
        assert_int_equal(simnet_model_lookup(&m, &a, &index), -1);
    }
    simnet_model_free(&m);
}

static void test_counts_and_rules(void **state)
{
    struct simnet_config c;
    config(&c, 5000);
    c.count[SIMNET_DEAD] = 2000;
    c.count[SIMNET_SILENT] = 100;
    c.count[SIMNET_CHURN] = 50;
    for (int b = SIMNET_FIRST_HOSTILE; b < SIMNET_BEHAVIOUR_COUNT; b++)
        c.count[b] = 10;
    struct simnet_model m;
    char err[100];
    assert_int_equal(simnet_model_init(&m, &c, err, sizeof err), 0);
    uint32_t seen[SIMNET_BEHAVIOUR_COUNT] = {0};
    uint32_t good = 0, honest_good = 0, reachable_always_up = 0;
    for (uint32_t i = 0; i < c.nodes; i++) {
        struct simnet_node n;
        simnet_node_get(&m, i, &n);
        seen[n.behaviour]++;
        assert_int_equal(simnet_model_behaviour(&m, i), n.behaviour);
        assert_int_equal(n.addr.port, simnet_model_port(&m, i));
        assert_int_equal(n.addr.port, n.behaviour == SIMNET_DEAD ? 8335 : n.addr.port);
        bool g = simnet_node_good(&m, &n);
        bool rule = simnet_node_reachable(&n) && n.behaviour != SIMNET_CHURN &&
                    n.addr.port == 8333 && (n.v.services & NODE_NETWORK) &&
                    n.v.version >= 70001 && n.v.height >= 900000 && n.v.height >= 920000 - 5;
        assert_int_equal(g, rule);
        good += g;
        honest_good += g && n.behaviour == SIMNET_HONEST;
        reachable_always_up += simnet_node_reachable(&n) && simnet_node_always_up(&n);
        if (n.behaviour != SIMNET_ABSURD_VERSION && !(n.v.height >= 920000 - 5))
            assert_true(n.v.height <= 920000 - 10000); /* no node in between */
    }
    assert_int_equal(seen[SIMNET_HONEST], 5000 - 2000 - 100 - 50 - 110);
    assert_true(good >= honest_good && good <= reachable_always_up);
    assert_int_equal(seen[SIMNET_DEAD], 2000);
    assert_int_equal(seen[SIMNET_CHURN], 50);
    for (int b = SIMNET_FIRST_HOSTILE; b < SIMNET_BEHAVIOUR_COUNT; b++)
        assert_int_equal(seen[b], 10);
    /* Most honest nodes are good; pruned, old, unsynced and alt-port ones are not. */
    assert_true(honest_good > seen[SIMNET_HONEST] * 7 / 10);
    assert_true(honest_good < seen[SIMNET_HONEST] * 19 / 20);
    simnet_model_free(&m);

    config(&c, 10);
    c.count[SIMNET_DEAD] = 11;
    assert_int_equal(simnet_model_init(&m, &c, err, sizeof err), -1);
    config(&c, 10);
    c.alt_port = c.port;
    assert_int_equal(simnet_model_init(&m, &c, err, sizeof err), -1);
}

static void test_gossip_views_cover_the_network(void **state)
{
    struct simnet_config c;
    config(&c, 20000);
    c.count[SIMNET_DEAD] = 15000;
    c.count[SIMNET_SILENT] = 500;
    struct simnet_model m;
    char err[100];
    assert_int_equal(simnet_model_init(&m, &c, err, sizeof err), 0);
    uint8_t *covered = calloc(c.nodes, 1), *mark = calloc(c.nodes, 1);
    uint32_t *view = malloc(P2P_MAX_ADDR * sizeof *view);
    struct p2p_addr_entry *entries = malloc(P2P_MAX_ADDR * sizeof *entries);
    assert_true(covered && mark && view && entries);
    const uint32_t now = 1750000000;
    for (uint32_t rank = 0; rank < m.cfg.count[SIMNET_HONEST]; rank++) {
        struct simnet_node n;
        simnet_node_get(&m, simnet_model_index_at_rank(&m, rank), &n);
        size_t count = simnet_gossip_indices(&m, &n, view, P2P_MAX_ADDR);
        assert_int_equal(count, n.view_size);
        assert_true(count >= P2P_MAX_ADDR / 2 && count <= P2P_MAX_ADDR);
        for (size_t i = 0; i < count; i++) {
            assert_true(view[i] < c.nodes && view[i] != n.index);
            assert_false(mark[view[i]]); /* no duplicates */
            mark[view[i]] = 1;
            covered[view[i]] = 1;
        }
        for (size_t i = 0; i < count; i++)
            mark[view[i]] = 0;
        if (rank % 97 == 0) { /* the wire answer: the same set, real fields */
            assert_int_equal(simnet_gossip_view(&m, &n, now, entries, P2P_MAX_ADDR), count);
            for (size_t i = 0; i < count; i++) {
                uint32_t j;
                assert_int_equal(simnet_model_lookup(&m, &entries[i].addr, &j), 0);
                assert_int_equal(entries[i].addr.port, simnet_model_port(&m, j));
                assert_true(entries[i].services == simnet_model_services(&m, j));
                assert_true(entries[i].time <= now && entries[i].time > now - 7 * 86400);
            }
        }
    }
    for (uint32_t i = 0; i < c.nodes; i++)
        assert_true(covered[i]); /* every address is gossiped by an honest node */
    free(covered);
    free(mark);
    free(view);
    free(entries);
    simnet_model_free(&m);
}

static void test_hostile_payloads_as_decoders_see_them(void **state)
{
    struct p2p_addr_entry e[4], out[P2P_MAX_ADDR];
    for (int i = 0; i < 4; i++) {
        uint8_t ip[4] = {127, 1, 0, (uint8_t)(i + 1)};
        netaddr_set_ipv4(&e[i].addr, ip, 8333);
        e[i].services = NODE_NETWORK;
        e[i].time = 1700000000;
    }
    static uint8_t buf[P2P_MAX_ADDR * 40];
    struct writer w;
    size_t count, skipped;

    writer_init(&w, buf, sizeof buf);
    simnet_hostile_addrv2_unknown(&w, e, 4, 1);
    assert_false(w.err);
    assert_int_equal(p2p_addrv2_decode(buf, w.len, out, &count, &skipped), 0);
    assert_int_equal(count, 4);
    assert_int_equal(skipped, 4);
    assert_true(netaddr_equal_port(&out[3].addr, &e[3].addr));

    writer_init(&w, buf, sizeof buf);
    simnet_hostile_addrv2_bad_length(&w, e, 4);
    assert_true(p2p_addrv2_decode(buf, w.len, out, &count, &skipped) < 0);
    writer_init(&w, buf, sizeof buf);
    simnet_hostile_addrv2_oversized(&w, 1700000000);
    assert_true(p2p_addrv2_decode(buf, w.len, out, &count, &skipped) < 0);
    writer_init(&w, buf, sizeof buf);
    simnet_hostile_addr_truncated(&w, e, 3, 1);
    assert_true(p2p_addrv2_decode(buf, w.len, out, &count, &skipped) < 0);
    writer_init(&w, buf, sizeof buf);
    simnet_hostile_addr_truncated(&w, e, 3, 0);
    assert_true(p2p_addr_decode(buf, w.len, out, &count) < 0);
    writer_init(&w, buf, sizeof buf);
    simnet_hostile_addr_too_many(&w, e, 4);
    assert_false(w.err);
    assert_int_equal(p2p_addr_decode(buf, w.len, out, &count), P2P_MSG_ERR_TOO_MANY);
}

static void test_junk_is_in_its_ranges(void **state)
{
    struct p2p_addr_entry e[200];
    simnet_gossip_junk_reserved(1, 2, 1700000000, e, 200);
    for (int i = 0; i < 200; i++)
        assert_false(netaddr_is_routable(&e[i].addr));
    simnet_gossip_junk_public(1, 2, 1700000000, e, 200);
    netaddr_cidr_t v4, v6;
    assert_int_equal(netaddr_cidr_parse(SIMNET_JUNK_PUBLIC_V4, &v4), 0);
    assert_int_equal(netaddr_cidr_parse(SIMNET_JUNK_PUBLIC_V6, &v6), 0);
    for (int i = 0; i < 200; i++) {
        assert_true(netaddr_is_routable(&e[i].addr));
        assert_true(netaddr_cidr_contains(&v4, &e[i].addr) ||
                    netaddr_cidr_contains(&v6, &e[i].addr));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perm_is_a_bijection),
        cmocka_unit_test(test_addresses_round_trip),
        cmocka_unit_test(test_counts_and_rules),
        cmocka_unit_test(test_gossip_views_cover_the_network),
        cmocka_unit_test(test_hostile_payloads_as_decoders_see_them),
        cmocka_unit_test(test_junk_is_in_its_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
