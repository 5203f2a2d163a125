/* Unit tests for the crawler's node table and due-time queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "crawl/crawl_agents.h"
#include "crawl/crawl_table.h"

static netaddr_t ipv4(uint32_t n, uint16_t port)
{
    uint8_t ip[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    netaddr_t a;
    netaddr_set_ipv4(&a, ip, port);
    return a;
}

static void test_add_find_remove(void **state)
{
    crawl_table_t *t = crawl_table_new();
    bool added;
    enum { N = 50000 };
    for (uint32_t i = 0; i < N; i++) {
        netaddr_t a = ipv4(0x01000000 + i, 8333);
        uint32_t idx = crawl_table_add(t, &a, &added);
        assert_int_not_equal(idx, CRAWL_NONE);
        assert_true(added);
    }
    assert_int_equal(crawl_table_count(t), N);
    netaddr_t again = ipv4(0x01000000 + 123, 8333);
    uint32_t idx = crawl_table_add(t, &again, &added);
    assert_false(added);
    assert_int_equal(crawl_table_find(t, &again), idx);
    netaddr_t other_port = ipv4(0x01000000 + 123, 8334);
    assert_int_equal(crawl_table_find(t, &other_port), CRAWL_NONE);
    crawl_table_remove(t, idx);
    assert_int_equal(crawl_table_find(t, &again), CRAWL_NONE);
    assert_null(crawl_table_get(t, idx));
    assert_int_equal(crawl_table_count(t), N - 1);
    /* The freed slot is reused and the index stays consistent. */
    uint32_t reused = crawl_table_add(t, &other_port, &added);
    assert_int_equal(reused, idx);
    assert_int_equal(crawl_table_find(t, &other_port), idx);
    for (uint32_t i = 0; i < N; i += 997) {
        netaddr_t a = ipv4(0x01000000 + i, 8333);
        if (i != 123)
            assert_int_not_equal(crawl_table_find(t, &a), CRAWL_NONE);
    }
    crawl_table_free(t);
}

static void test_queue_pops_in_due_order(void **state)
{
    crawl_table_t *t = crawl_table_new();
    enum { N = 5000 };
    srand(7);
    for (uint32_t i = 0; i < N; i++) {
        netaddr_t a = ipv4(0x02000000 + i, 8333);
        uint32_t idx = crawl_table_add(t, &a, NULL);
        crawl_table_schedule(t, idx, (uint32_t)rand() % 100000);
    }
    /* Move some, unschedule some: the heap must stay a heap. */
    for (uint32_t i = 0; i < N; i += 3)
        crawl_table_schedule(t, i, (uint32_t)rand() % 100000);
    for (uint32_t i = 1; i < N; i += 7)
        crawl_table_unschedule(t, i);
    size_t expected = crawl_table_queued(t);
    uint32_t last = 0;
    size_t popped = 0;
    for (uint32_t idx; (idx = crawl_table_peek(t)) != CRAWL_NONE; popped++) {
        struct crawl_node *n = crawl_table_get(t, idx);
        assert_true(n->due >= last);
        last = n->due;
        crawl_table_unschedule(t, idx);
        assert_int_equal(n->heap_pos, CRAWL_NONE);
    }
    assert_int_equal(popped, expected);
    crawl_table_free(t);
}

static void test_stats_allocated_on_demand(void **state)
{
    crawl_table_t *t = crawl_table_new();
    netaddr_t a = ipv4(0x03000001, 8333);
    uint32_t idx = crawl_table_add(t, &a, NULL);
    size_t before = crawl_table_memory(t);
    assert_null(crawl_table_get(t, idx)->stats);
    struct nodedb_stats *s = crawl_table_stats(t, idx);
    assert_non_null(s);
    assert_ptr_equal(crawl_table_stats(t, idx), s);
    assert_true(crawl_table_memory(t) > before);
    crawl_table_remove(t, idx); /* frees the statistics (ASan checks) */
    crawl_table_free(t);
}

static void test_agents_intern(void **state)
{
    crawl_agents_t *a = crawl_agents_new();
    uint16_t x = crawl_agents_intern(a, "/Satoshi:27.0.0/");
    uint16_t y = crawl_agents_intern(a, "/btcd:0.24.2/");
    assert_int_not_equal(x, 0);
    assert_int_not_equal(x, y);
    assert_int_equal(crawl_agents_intern(a, "/Satoshi:27.0.0/"), x);
    assert_string_equal(crawl_agents_get(a, y), "/btcd:0.24.2/");
    assert_int_equal(crawl_agents_intern(a, ""), 0);
    assert_string_equal(crawl_agents_get(a, 0), "");
    assert_string_equal(crawl_agents_get(a, 9999), "");
    assert_int_equal(crawl_agents_count(a), 2);
    crawl_agents_free(a);
}

static void test_agents_capped(void **state)
{
    crawl_agents_t *a = crawl_agents_new();
    char buf[32];
    for (unsigned i = 0; i < CRAWL_AGENTS_MAX + 100; i++) {
        snprintf(buf, sizeof buf, "/hostile:%u/", i);
        uint16_t id = crawl_agents_intern(a, buf);
        if (i < CRAWL_AGENTS_MAX)
            assert_string_equal(crawl_agents_get(a, id), buf);
        else
            assert_int_equal(id, 0);
    }
    assert_int_equal(crawl_agents_count(a), CRAWL_AGENTS_MAX);
    crawl_agents_free(a);
}

/* find_many answers exactly what find answers, one address at a time:
 * known and unknown addresses, other ports, IPv6, repeats, long chains
 * (removals leave holes; more addresses than one batch). */
static void test_find_many_matches_find(void **state)
{
    crawl_table_t *t = crawl_table_new();
    enum { N = 20000, Q = 3000 };
    bool added;
    for (uint32_t i = 0; i < N; i++) {
        netaddr_t a = ipv4(0x0b000000 + i * 7, 8333);
        crawl_table_add(t, &a, &added);
        if (i % 5 == 0) {
            uint8_t ip[16] = {0x2a, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
            netaddr_set_ipv6(&a, ip, 8333);
            crawl_table_add(t, &a, &added);
        }
    }
    for (uint32_t i = 0; i < N; i += 3) {
        netaddr_t a = ipv4(0x0b000000 + i * 7, 8333);
        crawl_table_remove(t, crawl_table_find(t, &a));
    }
    struct {
        uint64_t pad; /* entries as in an addr message: the address is not first */
        netaddr_t addr;
    } q[Q];
    srand(11);
    for (size_t i = 0; i < Q; i++) {
        uint32_t k = (uint32_t)rand() % (N + 500);
        switch (i % 4) {
        case 0: q[i].addr = ipv4(0x0b000000 + k * 7, 8333); break;
        case 1: q[i].addr = ipv4(0x0b000000 + k * 7, 8334); break;
        case 2: q[i].addr = q[i / 2].addr; break; /* a repeat */
        default: {
            uint32_t j = k - k % 5;
            uint8_t ip[16] = {0x2a, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              (uint8_t)(j >> 24), (uint8_t)(j >> 16), (uint8_t)(j >> 8), (uint8_t)j};
            netaddr_set_ipv6(&q[i].addr, ip, 8333);
        }
        }
    }
    uint32_t got[Q];
    crawl_table_find_many(t, &q[0].addr, sizeof q[0], Q, got);
    size_t hits = 0;
    for (size_t i = 0; i < Q; i++) {
        assert_int_equal(got[i], crawl_table_find(t, &q[i].addr));
        hits += got[i] != CRAWL_NONE;
    }
    assert_true(hits > Q / 4 && hits < Q);
    crawl_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_find_remove),
        cmocka_unit_test(test_queue_pops_in_due_order),
        cmocka_unit_test(test_find_many_matches_find),
        cmocka_unit_test(test_stats_allocated_on_demand),
        cmocka_unit_test(test_agents_intern),
        cmocka_unit_test(test_agents_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
