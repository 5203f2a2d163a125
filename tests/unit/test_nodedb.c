/* Unit tests for the node database: real SQLite files in a scratch
 * directory, migration of a hand-made old file, kill -9 durability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "nodedb/nodedb.h"
#include "tmpdir.h"

#define T0 1700000000

struct fixture {
    char *dir;
    char path[600];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->dir = tmpdir_create();
    assert_non_null(fx->dir);
    tmpdir_path(fx->path, sizeof fx->path, fx->dir, "nodes.db");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static nodedb_t *open_db(const char *path, unsigned flags)
{
    nodedb_t *db = NULL;
    char err[256] = "";
    int rc = nodedb_open(path, flags, &db, err, sizeof err);
    if (rc != 0)
        print_error("nodedb_open: %s\n", err);
    assert_int_equal(rc, 0);
    assert_non_null(db);
    return db;
}

/* Node i of network `net`: every field set, distinct per i. */
static void make_node(struct nodedb_node *n, uint32_t i, uint8_t net)
{
    memset(n, 0, sizeof *n);
    /* A pattern from i, then i itself in big-endian where the address
     * type keeps it, so addresses never collide. */
    uint8_t bytes[32];
    for (size_t k = 0; k < sizeof bytes; k++)
        bytes[k] = (uint8_t)(i >> (8 * (k % 4))) ^ (uint8_t)(k * 37);
    switch (net) {
    case NETADDR_IPV4:
        bytes[0] = 10, bytes[1] = (uint8_t)(i >> 16), bytes[2] = (uint8_t)(i >> 8);
        bytes[3] = (uint8_t)i;
        netaddr_set_ipv4(&n->addr, bytes, 8333);
        break;
    case NETADDR_IPV6:
    case NETADDR_CJDNS:
        bytes[0] = net == NETADDR_IPV6 ? 0x20 : 0xfc, bytes[1] = 0x01;
        bytes[12] = (uint8_t)(i >> 24), bytes[13] = (uint8_t)(i >> 16);
        bytes[14] = (uint8_t)(i >> 8), bytes[15] = (uint8_t)i;
        if (net == NETADDR_IPV6)
            netaddr_set_ipv6(&n->addr, bytes, 8333);
        else
            netaddr_set_cjdns(&n->addr, bytes, 8333);
        break;
    default:
        assert_int_equal(netaddr_set_bip155(&n->addr, net, bytes, netaddr_len(net),
                                            net == NETADDR_I2P ? 0 : 8333),
                         0);
        break;
    }
    struct nodedb_health *h = &n->h;
    h->first_seen = T0 + i;
    h->last_seen = T0 + 2 * i + 1;
    h->last_try = T0 + 3 * i + 2;
    h->last_success = i % 3 ? T0 + 3 * i + 2 : 0;
    h->ban_until = i % 7 == 0 ? T0 + 86400 : 0;
    h->tries = i + 5;
    h->successes = i;
    h->fail_streak = (uint16_t)(i % 5);
    h->protocol = 70000 + (int32_t)(i % 20);
    h->height = 900000 + (int32_t)i;
    h->services = UINT64_C(0x409) | ((uint64_t)i << 20) | (i % 2 ? UINT64_C(1) << 63 : 0);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        h->stats.w[w].reliability = 0.1f * (float)w + 0.001f * (float)(i % 97);
        h->stats.w[w].weight = 0.9f - 0.01f * (float)w;
        h->stats.w[w].count = 3.5f * (float)w + (float)i;
    }
    n->good = i % 4 == 0;
    n->source = (uint8_t)(i % 5);
    snprintf(n->source_name, sizeof n->source_name, "seed%u.example.org", i);
    snprintf(n->user_agent, sizeof n->user_agent, "/Satoshi:%u.0.0/", 20 + i % 10);
}

static void assert_node_equal(const struct nodedb_node *a, const struct nodedb_node *b)
{
    assert_true(netaddr_equal_port(&a->addr, &b->addr));
    assert_memory_equal(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes);
    const struct nodedb_health *x = &a->h, *y = &b->h;
    assert_int_equal(x->first_seen, y->first_seen);
    assert_int_equal(x->last_seen, y->last_seen);
    assert_int_equal(x->last_try, y->last_try);
    assert_int_equal(x->last_success, y->last_success);
    assert_int_equal(x->ban_until, y->ban_until);
    assert_int_equal(x->tries, y->tries);
    assert_int_equal(x->successes, y->successes);
    assert_int_equal(x->fail_streak, y->fail_streak);
    assert_int_equal(x->protocol, y->protocol);
    assert_int_equal(x->height, y->height);
    assert_true(x->services == y->services);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        /* float -> REAL (double) -> float is exact */
        assert_true(x->stats.w[w].reliability == y->stats.w[w].reliability);
        assert_true(x->stats.w[w].weight == y->stats.w[w].weight);
        assert_true(x->stats.w[w].count == y->stats.w[w].count);
    }
    assert_int_equal(a->good, b->good);
    assert_int_equal(a->source, b->source);
    assert_string_equal(a->source_name, b->source_name);
    assert_string_equal(a->user_agent, b->user_agent);
}

static const uint8_t all_nets[] = {NETADDR_IPV4, NETADDR_IPV6, NETADDR_TORV3, NETADDR_I2P,
                                   NETADDR_CJDNS};

static void test_open_creates_wal_file(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = NULL;
    char err[256] = "";
    /* Without NODEDB_CREATE a missing file is an error, not a new file. */
    assert_int_equal(nodedb_open(fx->path, 0, &db, err, sizeof err), NODEDB_ERROR);
    assert_null(db);
    assert_non_null(strstr(err, fx->path));
    struct stat st;
    assert_int_equal(stat(fx->path, &st), -1);

    db = open_db(fx->path, NODEDB_CREATE);
    assert_int_equal(nodedb_opened_version(db), 0);
    nodedb_close(db);
    nodedb_close(NULL);

    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), NODEDB_SCHEMA_VERSION);
    sqlite3_finalize(s);
    sqlite3_close(h);

    db = open_db(fx->path, 0);
    assert_int_equal(nodedb_opened_version(db), NODEDB_SCHEMA_VERSION);
    nodedb_close(db);
}

static void test_round_trip_every_field(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    struct nodedb_node nodes[5 * 8];
    size_t n = 0;
    for (uint32_t i = 0; i < 8; i++)
        for (size_t k = 0; k < sizeof all_nets; k++)
            make_node(&nodes[n++], i * 11 + (uint32_t)k, all_nets[k]);
    /* A hostile user agent: every byte value but NUL, quotes, newlines. */
    for (int b = 1; b < 256; b++)
        nodes[3].user_agent[b - 1] = (char)b;
    nodes[3].user_agent[255] = '\0';
    memset(nodes[4].source_name, 'x', NODEDB_SOURCE_NAME_MAX);
    nodes[5].h.services = UINT64_MAX;
    nodes[6].h.tries = UINT32_MAX;
    nodes[6].h.fail_streak = UINT16_MAX;
    nodes[6].h.protocol = INT32_MIN;
    nodes[6].h.height = INT32_MAX;
    assert_int_equal(nodedb_put_nodes(db, nodes, n), 0);
    nodedb_close(db);

    db = open_db(fx->path, NODEDB_READONLY);
    for (size_t i = 0; i < n; i++) {
        struct nodedb_node got;
        assert_int_equal(nodedb_node_get(db, &nodes[i].addr, &got), NODEDB_OK);
        assert_node_equal(&got, &nodes[i]);
    }
    /* Same address, other port: another node. */
    netaddr_t other = nodes[0].addr;
    other.port = 8334;
    struct nodedb_node got;
    assert_int_equal(nodedb_node_get(db, &other, &got), NODEDB_NOT_FOUND);
    nodedb_close(db);

    /* The text form is stored for people using the sqlite3 shell. */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT addr_text FROM nodes WHERE net = 1", -1, &s,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_true(strncmp((const char *)sqlite3_column_text(s, 0), "10.", 3) == 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
}

static void test_put_replaces_and_delete(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    struct nodedb_node a, b, got;
    make_node(&a, 1, NETADDR_IPV4);
    b = a;
    b.h.tries = 999;
    strcpy(b.user_agent, "/changed/");
    b.good = !a.good;
    assert_int_equal(nodedb_put_nodes(db, &a, 1), 0);
    assert_int_equal(nodedb_put_nodes(db, &b, 1), 0);
    assert_int_equal(nodedb_node_get(db, &a.addr, &got), 0);
    assert_node_equal(&got, &b);
    struct nodedb_totals t;
    assert_int_equal(nodedb_count(db, &t), 0);
    assert_int_equal(t.all.known, 1);

    netaddr_t gone[2] = {a.addr, a.addr};
    gone[1].port = 1; /* absent: no error */
    assert_int_equal(nodedb_delete(db, gone, 2), 0);
    assert_int_equal(nodedb_node_get(db, &a.addr, &got), NODEDB_NOT_FOUND);
    assert_int_equal(nodedb_put_nodes(db, NULL, 0), 0);
    assert_int_equal(nodedb_delete(db, NULL, 0), 0);
    nodedb_close(db);
}

static int count_cb(const struct nodedb_node *n, void *ctx)
{
    (void)n;
    (*(size_t *)ctx)++;
    return 0;
}

/* A batch is one transaction: a bad node anywhere in it stores nothing. */
static void test_batch_is_atomic(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    enum { N = 20000 };
    struct nodedb_node *nodes = calloc(N, sizeof *nodes);
    assert_non_null(nodes);
    for (uint32_t i = 0; i < N; i++)
        make_node(&nodes[i], i, all_nets[i % sizeof all_nets]);
    nodes[N - 1].addr.net = 99;
    assert_int_equal(nodedb_put_nodes(db, nodes, N), NODEDB_ERROR);
    assert_non_null(strstr(nodedb_errmsg(db), "unknown network"));
    size_t seen = 0;
    assert_int_equal(nodedb_load(db, count_cb, &seen), 0);
    assert_int_equal(seen, 0);

    nodes[N - 1].addr.net = NETADDR_IPV4;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(nodedb_put_nodes(db, nodes, N), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    print_message("put %d nodes in one batch: %.3f s (%.0f nodes/s)\n", N, secs, N / secs);
    seen = 0;
    assert_int_equal(nodedb_load(db, count_cb, &seen), 0);
    assert_int_equal(seen, N);
    free(nodes);
    nodedb_close(db);
}

struct collect {
    struct nodedb_node nodes[64];
    size_t n;
    int stop_after;
};

static int collect_cb(const struct nodedb_node *n, void *ctx)
{
    struct collect *c = ctx;
    if (c->n < 64)
        c->nodes[c->n] = *n;
    c->n++;
    return c->stop_after && (int)c->n >= c->stop_after ? 42 : 0;
}

static void test_query_filters_and_orders(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    struct nodedb_node nodes[50];
    for (uint32_t i = 0; i < 50; i++)
        make_node(&nodes[i], i, all_nets[i % sizeof all_nets]);
    assert_int_equal(nodedb_put_nodes(db, nodes, 50), 0);

    struct collect *c = calloc(1, sizeof *c);
    struct nodedb_filter f = {.net = NETADDR_TORV3};
    assert_int_equal(nodedb_query(db, &f, collect_cb, c), 0);
    assert_int_equal(c->n, 10);
    for (size_t i = 0; i < c->n; i++)
        assert_int_equal(c->nodes[i].addr.net, NETADDR_TORV3);

    memset(c, 0, sizeof *c);
    f = (struct nodedb_filter){.reached_only = true, .order = NODEDB_ORDER_UPTIME_30D};
    assert_int_equal(nodedb_query(db, &f, collect_cb, c), 0);
    size_t reached = 0;
    for (int i = 0; i < 50; i++)
        reached += nodes[i].h.last_success != 0;
    assert_int_equal(c->n, reached);
    for (size_t i = 1; i < c->n; i++)
        assert_true(nodedb_stats_uptime(&c->nodes[i - 1].h.stats, NODEDB_WIN_1M) >=
                    nodedb_stats_uptime(&c->nodes[i].h.stats, NODEDB_WIN_1M));

    memset(c, 0, sizeof *c);
    f = (struct nodedb_filter){.good_only = true, .services = UINT64_C(1) << 63};
    assert_int_equal(nodedb_query(db, &f, collect_cb, c), 0);
    size_t expect = 0;
    for (int i = 0; i < 50; i++)
        expect += nodes[i].good && (nodes[i].h.services >> 63);
    assert_int_equal(c->n, expect);
    for (size_t i = 0; i < c->n; i++)
        assert_true(c->nodes[i].good && (c->nodes[i].h.services >> 63));

    /* Pages of 7 in address order cover every node once. */
    size_t total = 0;
    struct nodedb_node prev;
    for (uint64_t off = 0;; off += 7) {
        memset(c, 0, sizeof *c);
        f = (struct nodedb_filter){.order = NODEDB_ORDER_ADDR, .limit = 7, .offset = off};
        assert_int_equal(nodedb_query(db, &f, collect_cb, c), 0);
        if (c->n == 0)
            break;
        assert_true(c->n <= 7);
        for (size_t i = 0; i < c->n; i++, total++) {
            if (total > 0)
                assert_true(prev.addr.net < c->nodes[i].addr.net ||
                            (prev.addr.net == c->nodes[i].addr.net &&
                             memcmp(prev.addr.bytes, c->nodes[i].addr.bytes, 32) < 0));
            prev = c->nodes[i];
        }
    }
    assert_int_equal(total, 50);

    memset(c, 0, sizeof *c);
    c->stop_after = 3;
    assert_int_equal(nodedb_query(db, NULL, collect_cb, c), 42);
    assert_int_equal(c->n, 3);

    memset(c, 0, sizeof *c);
    f = (struct nodedb_filter){.order = NODEDB_ORDER_LAST_SUCCESS, .limit = 5};
    assert_int_equal(nodedb_query(db, &f, collect_cb, c), 0);
    assert_int_equal(c->n, 5);
    for (size_t i = 1; i < c->n; i++)
        assert_true(c->nodes[i - 1].h.last_success >= c->nodes[i].h.last_success);
    free(c);
    nodedb_close(db);
}

static void test_good_nodes_and_counts(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    enum { N = 1000 };
    struct nodedb_node *nodes = calloc(N, sizeof *nodes);
    struct nodedb_totals expect;
    memset(&expect, 0, sizeof expect);
    for (uint32_t i = 0; i < N; i++) {
        make_node(&nodes[i], i, all_nets[i % 5]);
        if (i % 11 == 0)
            nodes[i].h.last_try = 0, nodes[i].h.last_success = 0;
        struct nodedb_counts *c = &expect.net[nodedb_net_index(nodes[i].addr.net)];
        const struct nodedb_health *h = &nodes[i].h;
        c->known++;
        c->tried += h->last_try > 0;
        c->reachable += h->last_success > 0 && h->last_success >= h->last_try;
        c->good += nodes[i].good;
    }
    assert_int_equal(nodedb_put_nodes(db, nodes, N), 0);

    struct nodedb_good_node *good = NULL;
    size_t n = 0;
    assert_int_equal(nodedb_good_nodes(db, &good, &n), 0);
    size_t want = 0;
    for (int i = 0; i < N; i++)
        want += nodes[i].good;
    assert_int_equal(n, want);
    for (size_t k = 0; k < n; k++) {
        bool found = false;
        for (int i = 0; i < N && !found; i++)
            found = nodes[i].good && netaddr_equal_port(&nodes[i].addr, &good[k].addr) &&
                    nodes[i].h.services == good[k].services;
        assert_true(found);
    }
    free(good);

    struct nodedb_totals t;
    assert_int_equal(nodedb_count(db, &t), 0);
    assert_int_equal(t.all.known, N);
    for (int i = 0; i < NODEDB_NETS; i++) {
        assert_int_equal(t.net[i].known, expect.net[i].known);
        assert_int_equal(t.net[i].tried, expect.net[i].tried);
        assert_int_equal(t.net[i].reachable, expect.net[i].reachable);
        assert_int_equal(t.net[i].good, expect.net[i].good);
        expect.all.good += expect.net[i].good;
        expect.all.reachable += expect.net[i].reachable;
    }
    assert_int_equal(t.all.good, expect.all.good);
    assert_int_equal(t.all.reachable, expect.all.reachable);
    free(nodes);

    /* No good nodes: an empty result, not an error. */
    nodedb_close(db);
    char path2[700];
    db = open_db(tmpdir_path(path2, sizeof path2, fx->dir, "empty.db"), NODEDB_CREATE);
    assert_int_equal(nodedb_good_nodes(db, &good, &n), 0);
    assert_int_equal(n, 0);
    assert_null(good);
    nodedb_close(db);
}

/* The DNS server's refresh reads through the partial index, whatever the
 * table's size: the plan names it. */
static void test_good_query_uses_index(void **state)
{
    struct fixture *fx = *state;
    nodedb_close(open_db(fx->path, NODEDB_CREATE));
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h,
                                        "EXPLAIN QUERY PLAN SELECT net, addr, port, services"
                                        " FROM nodes WHERE good = 1",
                                        -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    const char *plan = (const char *)sqlite3_column_text(s, 3);
    print_message("plan: %s\n", plan);
    assert_non_null(strstr(plan, "COVERING INDEX nodes_good"));
    sqlite3_finalize(s);
    sqlite3_close(h);
}

static void test_snapshots(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    for (int i = 0; i < 10; i++) {
        struct nodedb_snapshot s;
        memset(&s, 0, sizeof s);
        s.time = T0 + 60 * i;
        s.totals.all = (struct nodedb_counts){100 + i, 90, 50 + i, 40};
        for (int k = 0; k < NODEDB_NETS; k++)
            s.totals.net[k] = (struct nodedb_counts){10 * k + i, 9 * k, 5 * k, 4 * k + i};
        s.crawl_rate = 12.5 + i;
        s.dns_rate = 0.25 * i;
        s.dns_queries = 1000 * (uint64_t)i;
        assert_int_equal(nodedb_put_snapshot(db, &s), 0);
    }
    /* The same time again replaces the row. */
    struct nodedb_snapshot again;
    memset(&again, 0, sizeof again);
    again.time = T0 + 60 * 9;
    again.totals.all.known = 7777;
    again.totals.net[NODEDB_NET_I2P].good = 3;
    assert_int_equal(nodedb_put_snapshot(db, &again), 0);

    struct nodedb_snapshot *arr;
    size_t n;
    assert_int_equal(nodedb_snapshots(db, T0 + 120, 0, &arr, &n), 0);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        int k = (int)i + 2;
        assert_int_equal(arr[i].time, T0 + 60 * k);
        if (k == 9) {
            assert_int_equal(arr[i].totals.all.known, 7777);
            assert_int_equal(arr[i].totals.net[NODEDB_NET_I2P].good, 3);
            assert_int_equal(arr[i].totals.net[NODEDB_NET_IPV6].known, 0);
            continue;
        }
        assert_int_equal(arr[i].totals.all.known, 100 + k);
        assert_int_equal(arr[i].totals.all.reachable, 50 + k);
        for (int j = 0; j < NODEDB_NETS; j++) {
            assert_int_equal(arr[i].totals.net[j].known, 10 * j + k);
            assert_int_equal(arr[i].totals.net[j].good, 4 * j + k);
        }
        assert_true(arr[i].crawl_rate == 12.5 + k);
        assert_true(arr[i].dns_rate == 0.25 * k);
        assert_int_equal(arr[i].dns_queries, 1000 * k);
    }
    free(arr);
    /* max keeps the newest rows. */
    assert_int_equal(nodedb_snapshots(db, 0, 3, &arr, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(arr[0].time, T0 + 60 * 7);
    assert_int_equal(arr[2].time, T0 + 60 * 9);
    free(arr);
    assert_int_equal(nodedb_prune_snapshots(db, T0 + 60 * 5), 0);
    assert_int_equal(nodedb_snapshots(db, 0, 0, &arr, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(arr[0].time, T0 + 60 * 5);
    assert_int_equal(arr[0].totals.net[NODEDB_NET_CJDNS].known, 45);
    free(arr);
    assert_int_equal(nodedb_snapshots(db, T0 + 100000, 0, &arr, &n), 0);
    assert_int_equal(n, 0);
    assert_null(arr);
    nodedb_close(db);
}

static void exec_sql(sqlite3 *h, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

static int64_t query_int(const char *path, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return v;
}

/* A file written by btcseed's first schema (version 1), made by hand as
 * that version made it: opening it migrates it, keeping every row. */
static void test_migrates_version_1(void **state)
{
    struct fixture *fx = *state;
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    exec_sql(h, "PRAGMA journal_mode = WAL;"
                "CREATE TABLE nodes ("
                " net INTEGER NOT NULL, addr BLOB NOT NULL, port INTEGER NOT NULL,"
                " addr_text TEXT NOT NULL,"
                " first_seen INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL DEFAULT 0,"
                " last_try INTEGER NOT NULL DEFAULT 0, last_success INTEGER NOT NULL DEFAULT 0,"
                " tries INTEGER NOT NULL DEFAULT 0, successes INTEGER NOT NULL DEFAULT 0,"
                " protocol INTEGER NOT NULL DEFAULT 0, services INTEGER NOT NULL DEFAULT 0,"
                " user_agent TEXT NOT NULL DEFAULT '', height INTEGER NOT NULL DEFAULT 0,"
                " r2h REAL NOT NULL DEFAULT 0, w2h REAL NOT NULL DEFAULT 0,"
                " c2h REAL NOT NULL DEFAULT 0, r8h REAL NOT NULL DEFAULT 0,"
                " w8h REAL NOT NULL DEFAULT 0, c8h REAL NOT NULL DEFAULT 0,"
                " r1d REAL NOT NULL DEFAULT 0, w1d REAL NOT NULL DEFAULT 0,"
                " c1d REAL NOT NULL DEFAULT 0, r7d REAL NOT NULL DEFAULT 0,"
                " w7d REAL NOT NULL DEFAULT 0, c7d REAL NOT NULL DEFAULT 0,"
                " r30d REAL NOT NULL DEFAULT 0, w30d REAL NOT NULL DEFAULT 0,"
                " c30d REAL NOT NULL DEFAULT 0, good INTEGER NOT NULL DEFAULT 0,"
                " PRIMARY KEY (net, addr, port)) WITHOUT ROWID;"
                "CREATE INDEX nodes_good ON nodes (good, services) WHERE good = 1;"
                "INSERT INTO nodes (net, addr, port, addr_text, first_seen, last_try,"
                " last_success, tries, successes, protocol, services, user_agent, height,"
                " r30d, w30d, c30d, good) VALUES"
                " (1, x'01020304', 8333, '1.2.3.4:8333', 1600000000, 1600000900,"
                "  1600000900, 10, 10, 70016, 1033, '/Satoshi:25.0.0/', 800000,"
                "  0.5, 0.5, 10, 1),"
                " (1, x'05060708', 8333, '5.6.7.8:8333', 1600000000, 1600000900,"
                "  1600000000, 4, 1, 70015, 9, '/Satoshi:0.20.1/', 700000, 0.1, 0.4, 4, 0);"
                "PRAGMA user_version = 1;");
    sqlite3_close(h);

    nodedb_t *db = NULL;
    char err[256];
    /* Read-only cannot migrate, and says so. */
    assert_int_equal(nodedb_open(fx->path, NODEDB_READONLY, &db, err, sizeof err),
                     NODEDB_ERROR);
    assert_non_null(strstr(err, "migrat"));
    assert_int_equal(query_int(fx->path, "PRAGMA user_version"), 1);

    db = open_db(fx->path, 0);
    assert_int_equal(nodedb_opened_version(db), 1);
    struct nodedb_node n;
    netaddr_t a;
    assert_int_equal(netaddr_parse("1.2.3.4", 8333, &a), 0);
    assert_int_equal(nodedb_node_get(db, &a, &n), 0);
    assert_string_equal(n.user_agent, "/Satoshi:25.0.0/");
    assert_int_equal(n.h.tries, 10);
    assert_int_equal(n.h.services, 1033);
    assert_int_equal(n.h.height, 800000);
    assert_true(n.good);
    assert_int_equal(n.h.fail_streak, 0);
    assert_int_equal(n.h.ban_until, 0);
    assert_int_equal(n.source, NODEDB_SOURCE_UNKNOWN);
    assert_true(nodedb_stats_uptime(&n.h.stats, NODEDB_WIN_1M) == 1.0);
    /* Its latest test had failed: a streak of at least one. */
    assert_int_equal(netaddr_parse("5.6.7.8", 8333, &a), 0);
    assert_int_equal(nodedb_node_get(db, &a, &n), 0);
    assert_int_equal(n.h.fail_streak, 1);
    assert_int_equal(n.h.protocol, 70015);

    /* Everything version 2 added works on the migrated file. */
    n.source = NODEDB_SOURCE_SEED;
    strcpy(n.source_name, "seed.example.org");
    n.h.ban_until = 1700000000;
    assert_int_equal(nodedb_put_nodes(db, &n, 1), 0);
    struct nodedb_node back;
    assert_int_equal(nodedb_node_get(db, &a, &back), 0);
    assert_node_equal(&back, &n);
    struct nodedb_snapshot snap = {.time = T0};
    assert_int_equal(nodedb_put_snapshot(db, &snap), 0);
    struct nodedb_good_node *good;
    size_t count;
    assert_int_equal(nodedb_good_nodes(db, &good, &count), 0);
    assert_int_equal(count, 1);
    free(good);
    nodedb_close(db);
    assert_int_equal(query_int(fx->path, "PRAGMA user_version"), NODEDB_SCHEMA_VERSION);
    assert_int_equal(query_int(fx->path, "SELECT COUNT(*) FROM nodes"), 2);
}

static void test_refuses_foreign_and_newer_files(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = NULL;
    char err[256];
    sqlite3 *h;

    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    exec_sql(h, "CREATE TABLE t (x); PRAGMA user_version = 99;");
    sqlite3_close(h);
    assert_int_equal(nodedb_open(fx->path, 0, &db, err, sizeof err), NODEDB_ERROR);
    assert_non_null(strstr(err, "newer"));
    assert_int_equal(query_int(fx->path, "PRAGMA user_version"), 99); /* untouched */

    char other[700];
    assert_int_equal(sqlite3_open(tmpdir_path(other, sizeof other, fx->dir, "other.db"), &h),
                     SQLITE_OK);
    exec_sql(h, "CREATE TABLE nodes (x);");
    sqlite3_close(h);
    assert_int_equal(nodedb_open(other, NODEDB_CREATE, &db, err, sizeof err), NODEDB_ERROR);
    assert_non_null(strstr(err, "not a btcseed database"));
    assert_int_equal(query_int(other, "SELECT COUNT(*) FROM sqlite_master"), 1);

    char junk[700];
    FILE *f = fopen(tmpdir_path(junk, sizeof junk, fx->dir, "junk.db"), "w");
    assert_non_null(f);
    for (int i = 0; i < 4096; i++)
        fputc(i * 7, f);
    fclose(f);
    assert_int_equal(nodedb_open(junk, NODEDB_CREATE, &db, err, sizeof err), NODEDB_ERROR);
    assert_null(db);
    print_message("junk: %s\n", err);
}

struct write_during_scan {
    nodedb_t *writer;
    struct nodedb_node batch[50];
    int put_rc;
    size_t seen;
};

static int write_during_scan_cb(const struct nodedb_node *n, void *ctx)
{
    struct write_during_scan *w = ctx;
    (void)n;
    if (w->seen++ == 0)
        w->put_rc = nodedb_put_nodes(w->writer, w->batch, 50);
    return 0;
}

static void test_readonly_and_concurrent_reader(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *writer = open_db(fx->path, NODEDB_CREATE);
    nodedb_t *reader = open_db(fx->path, NODEDB_READONLY);
    struct nodedb_node n;
    make_node(&n, 4, NETADDR_IPV6);
    assert_int_equal(nodedb_put_nodes(reader, &n, 1), NODEDB_ERROR);
    assert_true(strlen(nodedb_errmsg(reader)) > 0);
    assert_int_equal(nodedb_put_nodes(writer, &n, 1), 0);
    struct nodedb_node got;
    assert_int_equal(nodedb_node_get(reader, &n.addr, &got), 0);
    assert_node_equal(&got, &n);
    /* A reader in the middle of a scan does not block the writer, and goes
     * on seeing the snapshot it started with. */
    struct nodedb_node more[100];
    for (uint32_t i = 0; i < 100; i++)
        make_node(&more[i], 100 + i, NETADDR_IPV4);
    assert_int_equal(nodedb_put_nodes(writer, more, 100), 0);
    struct write_during_scan ctx = {.writer = writer};
    for (uint32_t i = 0; i < 50; i++)
        make_node(&ctx.batch[i], 1000 + i, NETADDR_IPV6);
    assert_int_equal(nodedb_query(reader, NULL, write_during_scan_cb, &ctx), 0);
    assert_int_equal(ctx.put_rc, 0);
    assert_int_equal(ctx.seen, 101);
    size_t seen = 0;
    assert_int_equal(nodedb_load(reader, count_cb, &seen), 0);
    assert_int_equal(seen, 151);
    nodedb_close(reader);
    nodedb_close(writer);
}

/* Rows the program never writes (wrong address length, unknown network)
 * are skipped, not trusted. */
static void test_damaged_rows_skipped(void **state)
{
    struct fixture *fx = *state;
    nodedb_t *db = open_db(fx->path, NODEDB_CREATE);
    struct nodedb_node n;
    make_node(&n, 1, NETADDR_IPV4);
    n.good = true;
    assert_int_equal(nodedb_put_nodes(db, &n, 1), 0);
    nodedb_close(db);
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    exec_sql(h, "INSERT INTO nodes (net, addr, port, addr_text, good) VALUES"
                " (1, x'0102030405', 8333, 'bad', 1), (77, x'01020304', 8333, 'bad', 1),"
                " (1, x'01020309', 70000, 'bad', 1), (2, x'', 8333, 'bad', 1)");
    sqlite3_close(h);
    db = open_db(fx->path, 0);
    size_t seen = 0;
    assert_int_equal(nodedb_load(db, count_cb, &seen), 0);
    assert_int_equal(seen, 1);
    struct nodedb_good_node *good;
    size_t count;
    assert_int_equal(nodedb_good_nodes(db, &good, &count), 0);
    assert_int_equal(count, 1);
    assert_true(netaddr_equal_port(&good[0].addr, &n.addr));
    free(good);
    nodedb_close(db);
}

/* ---- kill -9 durability -------------------------------------------------- */

#define BATCH 500

static void batch_node(struct nodedb_node *n, uint32_t batch, uint32_t k)
{
    make_node(n, batch * BATCH + k, NETADDR_IPV4);
    n->addr.bytes[0] = 10;
    n->addr.bytes[1] = (uint8_t)(batch >> 8);
    n->addr.bytes[2] = (uint8_t)batch;
    n->addr.bytes[3] = (uint8_t)k;
    n->addr.port = (uint16_t)(8333 + k / 256);
    n->h.height = (int32_t)batch;
}

/* The child: writes numbered batches forever, reporting each committed
 * batch number on the pipe only after nodedb_put_nodes returned 0. */
static void writer_child(const char *path, int fd, uint32_t first)
{
    nodedb_t *db = NULL;
    char err[256];
    if (nodedb_open(path, NODEDB_CREATE, &db, err, sizeof err) != 0)
        _exit(3);
    static struct nodedb_node nodes[BATCH];
    for (uint32_t b = first;; b++) {
        for (uint32_t k = 0; k < BATCH; k++)
            batch_node(&nodes[k], b, k);
        if (nodedb_put_nodes(db, nodes, BATCH) != 0)
            _exit(4);
        if (write(fd, &b, sizeof b) != sizeof b)
            _exit(5);
    }
}

static void test_kill_9_loses_nothing_committed(void **state)
{
    struct fixture *fx = *state;
    uint32_t next = 0;
    /* Several rounds, killed at different moments: right away (maybe inside
     * the schema creation), and after more and more committed batches. */
    static const int kill_after_reports[] = {0, 1, 3, 10, 25};
    for (size_t round = 0; round < sizeof kill_after_reports / sizeof kill_after_reports[0];
         round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer_child(fx->path, fds[1], next);
        }
        close(fds[1]);
        uint32_t b, last = 0;
        int reported = 0;
        while (reported < kill_after_reports[round] &&
               read(fds[0], &b, sizeof b) == sizeof b) {
            last = b;
            reported++;
        }
        /* A little more time, so the kill lands in the middle of a batch
         * as often as not. */
        struct timespec ts = {0, (long)(round * 3 + 1) * 1000000L};
        nanosleep(&ts, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* Reports written before the kill are still in the pipe. */
        while (read(fds[0], &b, sizeof b) == sizeof b) {
            last = b;
            reported++;
        }
        close(fds[0]);

        sqlite3 *h;
        assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
        sqlite3_finalize(s);
        sqlite3_close(h);

        nodedb_t *db = open_db(fx->path, 0);
        size_t have = 0;
        assert_int_equal(nodedb_load(db, count_cb, &have), 0);
        if (reported > 0) {
            /* Every batch up to the last reported one is whole. */
            for (uint32_t bb = 0; bb <= last; bb++) {
                for (uint32_t k = 0; k < BATCH; k += 97) {
                    struct nodedb_node want, got;
                    batch_node(&want, bb, k);
                    assert_int_equal(nodedb_node_get(db, &want.addr, &got), 0);
                    assert_node_equal(&got, &want);
                }
            }
            assert_true(have >= (size_t)(last + 1) * BATCH);
            next = last + 1;
        }
        /* And nothing half-written: whole batches only. */
        assert_int_equal(have % BATCH, 0);
        if (have / BATCH > next)
            next = (uint32_t)(have / BATCH);
        print_message("round %zu: %d batches reported, %zu nodes present\n", round, reported,
                      have);
        nodedb_close(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_creates_wal_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_every_field, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_replaces_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_is_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_filters_and_orders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_nodes_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_good_query_uses_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrates_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_foreign_and_newer_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_and_concurrent_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_rows_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_9_loses_nothing_committed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
