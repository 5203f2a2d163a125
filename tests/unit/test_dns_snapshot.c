/* Unit tests for the DNS snapshot: filters, sampling, netgroup diversity, publishing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "dns/dns_snapshot.h"
#include "p2p/msg.h"

static void set_v4(struct dns_node *n, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint64_t svcs)
{
    uint8_t ip[4] = {a, b, c, d};
    netaddr_set_ipv4(&n->addr, ip, 8333);
    n->services = svcs;
}

static void test_filter_index(void **state)
{
    assert_int_equal(dns_filter_index(0), 0);
    int x9 = dns_filter_index(NODE_NETWORK | NODE_WITNESS);
    assert_true(x9 > 0);
    assert_int_equal(dns_filter_services((unsigned)x9), NODE_NETWORK | NODE_WITNESS);
    assert_int_equal(dns_filter_index(UINT64_C(1) << 1), -1);
    assert_int_equal(dns_filter_index(NODE_NETWORK | (UINT64_C(1) << 24)), -1);
    for (unsigned i = 0; i < DNS_FILTER_COUNT; i++)
        assert_int_equal(dns_filter_index(dns_filter_services(i)), (int)i);
    assert_int_equal(dns_filter_services(DNS_FILTER_COUNT - 1),
                     NODE_NETWORK | NODE_BLOOM | NODE_WITNESS | NODE_COMPACT_FILTERS |
                         NODE_NETWORK_LIMITED | NODE_P2P_V2);
}

static void test_totals_and_skips(void **state)
{
    struct dns_node nodes[4];
    memset(nodes, 0, sizeof nodes);
    set_v4(&nodes[0], 1, 1, 1, 1, NODE_NETWORK | NODE_WITNESS | (UINT64_C(1) << 30));
    set_v4(&nodes[1], 2, 2, 2, 2, NODE_NETWORK);
    uint8_t ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    netaddr_set_ipv6(&nodes[2].addr, ip6, 8333);
    nodes[2].services = NODE_NETWORK | NODE_WITNESS;
    uint8_t onion[32] = {1};
    assert_int_equal(netaddr_set_bip155(&nodes[3].addr, NETADDR_TORV3, onion, 32, 8333), 0);
    nodes[3].services = NODE_NETWORK;
    dns_snapshot_t *s = dns_snapshot_build(nodes, 4, 77, 1);
    assert_non_null(s);
    assert_int_equal(dns_snapshot_serial(s), 77);
    unsigned x9 = (unsigned)dns_filter_index(NODE_NETWORK | NODE_WITNESS);
    assert_int_equal(dns_snapshot_total(s, 0, DNS_FAMILY_IPV4), 2);
    assert_int_equal(dns_snapshot_total(s, x9, DNS_FAMILY_IPV4), 1);
    assert_int_equal(dns_snapshot_total(s, x9, DNS_FAMILY_IPV6), 1);
    assert_int_equal(dns_snapshot_total(s, 0, DNS_FAMILY_IPV6), 1); /* onion skipped */
    struct dns_rng rng;
    dns_rng_seed_from(&rng, 3);
    const uint8_t *out[DNS_PICK_MAX];
    assert_int_equal(dns_snapshot_pick(s, x9, DNS_FAMILY_IPV4, 10, &rng, out), 1);
    assert_memory_equal(out[0], "\1\1\1\1", 4);
    dns_snapshot_free(s);
    dns_snapshot_free(NULL);
}

static size_t distinct_groups(const uint8_t **out, size_t n)
{
    size_t groups = 0;
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= memcmp(out[i], out[j], 2) == 0;
        groups += !seen;
    }
    return groups;
}

static bool all_distinct(const uint8_t **out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (memcmp(out[i], out[j], 4) == 0)
                return false;
    return true;
}

static void test_few_groups_cover_all(void **state)
{
    /* 100 nodes in 3 /16s: an answer of 29 holds every group and no duplicate. */
    struct dns_node nodes[100];
    for (int i = 0; i < 100; i++)
        set_v4(&nodes[i], 50, (uint8_t)(i % 3), (uint8_t)i, 1, NODE_NETWORK);
    dns_snapshot_t *s = dns_snapshot_build(nodes, 100, 1, 9);
    struct dns_rng rng;
    dns_rng_seed_from(&rng, 5);
    const uint8_t *out[DNS_PICK_MAX];
    for (int round = 0; round < 50; round++) {
        size_t n = dns_snapshot_pick(s, 0, DNS_FAMILY_IPV4, 29, &rng, out);
        assert_int_equal(n, 29);
        assert_int_equal(distinct_groups(out, n), 3);
        assert_true(all_distinct(out, n));
    }
    /* Asking for more than there is returns everything once. */
    assert_int_equal(dns_snapshot_pick(s, 0, DNS_FAMILY_IPV4, 1000, &rng, out), DNS_PICK_MAX);
    assert_true(all_distinct(out, DNS_PICK_MAX));
    dns_snapshot_free(s);
}

static void test_many_groups_never_repeat(void **state)
{
    /* 40 groups of 5: every 29-address answer has 29 different /16s. */
    struct dns_node nodes[200];
    for (int i = 0; i < 200; i++)
        set_v4(&nodes[i], 60, (uint8_t)(i % 40), (uint8_t)i, 1, NODE_NETWORK);
    dns_snapshot_t *s = dns_snapshot_build(nodes, 200, 1, 11);
    struct dns_rng rng;
    dns_rng_seed_from(&rng, 6);
    const uint8_t *out[DNS_PICK_MAX];
    for (int round = 0; round < 200; round++) {
        size_t n = dns_snapshot_pick(s, 0, DNS_FAMILY_IPV4, 29, &rng, out);
        assert_int_equal(n, 29);
        assert_int_equal(distinct_groups(out, n), 29);
    }
    dns_snapshot_free(s);
}

static void test_sample_is_capped_and_diverse(void **state)
{
    /* 6000 nodes: 5900 in one /16, 100 alone in theirs. The sample keeps
     * DNS_SNAPSHOT_SAMPLE of them and every one of the 101 groups. */
    size_t n = 6000;
    struct dns_node *nodes = calloc(n, sizeof *nodes);
    for (size_t i = 0; i < n; i++) {
        if (i < 100)
            set_v4(&nodes[i], 70, (uint8_t)i, 0, 1, NODE_NETWORK);
        else
            set_v4(&nodes[i], 80, 0, (uint8_t)(i >> 8), (uint8_t)i, NODE_NETWORK);
    }
    dns_snapshot_t *s = dns_snapshot_build(nodes, n, 1, 12);
    assert_int_equal(dns_snapshot_total(s, 0, DNS_FAMILY_IPV4), n);
    struct dns_rng rng;
    dns_rng_seed_from(&rng, 8);
    const uint8_t *out[DNS_PICK_MAX];
    bool seen[100] = {false};
    size_t seen_big = 0;
    for (int round = 0; round < 400; round++) {
        size_t k = dns_snapshot_pick(s, 0, DNS_FAMILY_IPV4, 32, &rng, out);
        assert_int_equal(k, 32);
        assert_int_equal(distinct_groups(out, k), 32);
        for (size_t i = 0; i < k; i++) {
            if (out[i][0] == 70)
                seen[out[i][1]] = true;
            else
                seen_big++;
        }
    }
    for (int i = 0; i < 100; i++)
        assert_true(seen[i]);
    assert_true(seen_big > 0);
    dns_snapshot_free(s);
    free(nodes);
}

static void test_publisher_serial(void **state)
{
    dns_publisher_t *p = dns_publisher_new(2);
    int slot = dns_publisher_reader(p);
    assert_true(slot >= 0);
    assert_int_equal(dns_publisher_reader(p), 1 - slot);
    assert_int_equal(dns_publisher_reader(p), -1);
    assert_null(dns_publisher_enter(p, slot));
    dns_publisher_leave(p, slot);

    struct dns_node nodes[3];
    memset(nodes, 0, sizeof nodes);
    set_v4(&nodes[0], 1, 2, 3, 4, NODE_NETWORK);
    set_v4(&nodes[1], 5, 6, 7, 8, NODE_NETWORK);
    set_v4(&nodes[2], 9, 9, 9, 9, NODE_NETWORK);
    assert_int_equal(dns_publisher_publish(p, nodes, 2), 0);
    const dns_snapshot_t *s = dns_publisher_enter(p, slot);
    uint32_t first = dns_snapshot_serial(s);
    assert_true(first > 1000000000u); /* starts at the current time */
    dns_publisher_leave(p, slot);

    /* Same set in another order: serial unchanged. */
    struct dns_node swapped[2] = {nodes[1], nodes[0]};
    assert_int_equal(dns_publisher_publish(p, swapped, 2), 0);
    s = dns_publisher_enter(p, slot);
    assert_int_equal(dns_snapshot_serial(s), first);
    dns_publisher_leave(p, slot);
    /* Changed services, then a new node: serial goes up each time. */
    nodes[0].services |= NODE_WITNESS;
    assert_int_equal(dns_publisher_publish(p, nodes, 2), 0);
    s = dns_publisher_enter(p, slot);
    uint32_t second = dns_snapshot_serial(s);
    assert_true(second > first);
    dns_publisher_leave(p, slot);
    assert_int_equal(dns_publisher_publish(p, nodes, 3), 0);
    s = dns_publisher_enter(p, slot);
    assert_true(dns_snapshot_serial(s) > second);
    assert_int_equal(dns_snapshot_total(s, 0, DNS_FAMILY_IPV4), 3);
    dns_publisher_leave(p, slot);
    dns_publisher_free(p);
    dns_publisher_free(NULL);
}

struct race {
    dns_publisher_t *p;
    atomic_bool stop;
    atomic_long picks;
};

static void *reader_thread(void *arg)
{
    struct race *r = arg;
    int slot = dns_publisher_reader(r->p);
    struct dns_rng rng;
    dns_rng_seed_from(&rng, (uint64_t)slot + 100);
    const uint8_t *out[DNS_PICK_MAX];
    while (!atomic_load(&r->stop)) {
        const dns_snapshot_t *s = dns_publisher_enter(r->p, slot);
        if (s) {
            size_t n = dns_snapshot_pick(s, 0, DNS_FAMILY_IPV4, 32, &rng, out);
            uint8_t sum = 0;
            for (size_t i = 0; i < n; i++)
                sum ^= out[i][3]; /* touch the memory: ASan catches a freed snapshot */
            (void)sum;
            atomic_fetch_add(&r->picks, 1);
        }
        dns_publisher_leave(r->p, slot);
    }
    return NULL;
}

static void test_publisher_concurrent_readers(void **state)
{
    struct race r = {.p = dns_publisher_new(4)};
    atomic_init(&r.stop, false);
    atomic_init(&r.picks, 0);
    pthread_t threads[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&threads[i], NULL, reader_thread, &r);
    struct dns_node nodes[300];
    /* Publish until the readers have raced many swaps (threads may start late). */
    for (int round = 0; round < 60 || (atomic_load(&r.picks) < 1000 && round < 1000000);
         round++) {
        for (int i = 0; i < 300; i++)
            set_v4(&nodes[i], (uint8_t)(1 + i % 200), (uint8_t)round, (uint8_t)i, 1, NODE_NETWORK);
        assert_int_equal(dns_publisher_publish(r.p, nodes, 300), 0);
    }
    atomic_store(&r.stop, true);
    for (int i = 0; i < 3; i++)
        pthread_join(threads[i], NULL);
    assert_true(atomic_load(&r.picks) > 0);
    dns_publisher_free(r.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_index),
        cmocka_unit_test(test_totals_and_skips),
        cmocka_unit_test(test_few_groups_cover_all),
        cmocka_unit_test(test_many_groups_never_repeat),
        cmocka_unit_test(test_sample_is_capped_and_diverse),
        cmocka_unit_test(test_publisher_serial),
        cmocka_unit_test(test_publisher_concurrent_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
