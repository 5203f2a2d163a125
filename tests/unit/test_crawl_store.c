/* Unit tests for the crawler's database writes: rows carry the node's
 * fields and origin, and forgotten nodes are deleted with the next batch
 * (one transaction), not one transaction each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crawl/crawl_store.h"
#include "nodedb/nodedb_stats.h"
#include "tmpdir.h"

static netaddr_t ipv4(uint8_t last)
{
    uint8_t ip[4] = {8, 8, 4, last};
    netaddr_t a;
    netaddr_set_ipv4(&a, ip, 8333);
    return a;
}

static void test_write_forget_and_relearn(void **state)
{
    char *dir = tmpdir_create();
    char path[600];
    nodedb_t *db = NULL;
    assert_int_equal(nodedb_open(tmpdir_path(path, sizeof path, dir, "n.db"), NODEDB_CREATE, &db,
                                 NULL, 0),
                     NODEDB_OK);
    crawl_table_t *t = crawl_table_new();
    crawl_agents_t *agents = crawl_agents_new();
    crawl_store_t *s = crawl_store_new(db);

    uint32_t idx[3];
    for (int i = 0; i < 3; i++) {
        netaddr_t a = ipv4((uint8_t)(i + 1));
        idx[i] = crawl_table_add(t, &a, NULL);
        struct crawl_node *n = crawl_table_get(t, idx[i]);
        n->first_seen = 1700000000;
        n->version = 70016;
        n->agent = crawl_agents_intern(agents, "/Satoshi:29.0.0/");
        struct crawl_store_origin o = {.node = idx[i], .seed = "seed.example.org"};
        crawl_store_note_origin(s, &o);
    }
    assert_int_equal(crawl_store_write(s, t, agents, idx, 3), 0);
    struct nodedb_node row;
    netaddr_t second = ipv4(2);
    assert_int_equal(nodedb_node_get(db, &second, &row), NODEDB_OK);
    assert_string_equal(row.user_agent, "/Satoshi:29.0.0/");
    assert_string_equal(row.source_name, "seed.example.org");
    assert_int_equal(row.h.protocol, 70016);

    /* Forgotten: still there until the next write, gone after it. */
    assert_int_equal(crawl_store_forget(s, &second), 0);
    crawl_table_remove(t, idx[1]);
    assert_true(crawl_store_pending(s));
    assert_int_equal(nodedb_node_get(db, &second, &row), NODEDB_OK);
    assert_int_equal(crawl_store_write(s, t, agents, NULL, 0), 0);
    assert_false(crawl_store_pending(s));
    assert_int_equal(nodedb_node_get(db, &second, &row), NODEDB_NOT_FOUND);

    /* Forgotten, then learned again before the write: the row stays. */
    netaddr_t third = ipv4(3);
    assert_int_equal(crawl_store_forget(s, &third), 0);
    uint32_t again = idx[2];
    assert_int_equal(crawl_store_write(s, t, agents, &again, 1), 0);
    assert_int_equal(nodedb_node_get(db, &third, &row), NODEDB_OK);

    crawl_store_free(s);
    crawl_agents_free(agents);
    crawl_table_free(t);
    nodedb_close(db);
    tmpdir_remove(dir);
}

/* Reliability statistics are kept in memory for nodes that answered at
 * least once, never for addresses that only ever failed. */
static void test_stats_only_for_answering_nodes(void **state)
{
    crawl_table_t *t = crawl_table_new();
    netaddr_t a = ipv4(7), b = ipv4(8);
    uint32_t ia = crawl_table_add(t, &a, NULL), ib = crawl_table_add(t, &b, NULL);
    struct nodedb_health h;
    memset(&h, 0, sizeof h);
    for (int i = 0; i < 3; i++)
        nodedb_health_record(&h, 1700000000 + i * 3600, false);
    crawl_store_set_health(t, ia, &h);
    assert_null(crawl_table_get(t, ia)->stats);
    assert_int_equal(crawl_table_get(t, ia)->tries, 3);
    nodedb_health_record(&h, 1700000000 + 4 * 3600, true);
    crawl_store_set_health(t, ib, &h);
    const struct nodedb_stats *kept = crawl_table_get(t, ib)->stats;
    assert_non_null(kept);
    assert_memory_equal(kept, &h.stats, sizeof h.stats);
    struct nodedb_health back;
    crawl_store_health(t, ib, &back);
    assert_memory_equal(&back.stats, &h.stats, sizeof h.stats);
    assert_int_equal(back.successes, 1);
    crawl_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_forget_and_relearn),
        cmocka_unit_test(test_stats_only_for_answering_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
