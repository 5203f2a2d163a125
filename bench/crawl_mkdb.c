/* crawl_mkdb -- fills a node database with synthetic public addresses for the
 * crawler's memory figure (bench/crawl.sh), through the nodedb API.
 *
 *   crawl_mkdb DB N [REACHED_PERCENT [TRIED_PERCENT]]
 *
 * Writes N addresses (one in five IPv6). REACHED_PERCENT (default 20) of
 * them answered their tests (version fields, user agent, a few days of
 * reliability statistics), TRIED_PERCENT (default 100) were tested at
 * least once, the rest are only known from gossip. All lie in public
 * ranges: a crawl with --only-allowed and a loopback --allow-net loads every
 * one into its table and dials none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nodedb/nodedb.h"
#include "nodedb/nodedb_stats.h"
#include "p2p/msg.h"

#define BATCH 10000
#define TESTS 12              /* tests folded into a reached node's statistics */
#define TEST_INTERVAL 3600    /* seconds between them */

static void make_addr(netaddr_t *a, uint32_t i)
{
    if (i % 5 == 4) {
        uint8_t ip[16] = {0x2a, 0x01, (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
                          (uint8_t)i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        netaddr_set_ipv6(a, ip, 8333);
    } else {
        uint8_t ip[4] = {(uint8_t)(11 + (i >> 24)), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
                         (uint8_t)i};
        netaddr_set_ipv4(a, ip, 8333);
    }
}

static void fill(struct nodedb_node *node, uint32_t i, unsigned reached_pct, unsigned tried_pct,
                 int64_t now)
{
    memset(node, 0, sizeof *node);
    make_addr(&node->addr, i);
    unsigned slot = i % 100;
    node->h.first_seen = (uint32_t)(now - TESTS * TEST_INTERVAL);
    node->h.last_seen = (uint32_t)(now - TEST_INTERVAL);
    node->h.services = NODE_NETWORK | NODE_WITNESS;
    node->source = NODEDB_SOURCE_PEER;
    snprintf(node->source_name, sizeof node->source_name, "198.51.100.%u:8333", slot);
    if (slot >= tried_pct)
        return;
    bool reached = slot < reached_pct;
    for (int t = TESTS - 1; t >= 0; t--)
        nodedb_health_record(&node->h, now - (int64_t)t * TEST_INTERVAL, reached);
    if (reached) {
        node->h.protocol = P2P_PROTOCOL_VERSION;
        node->h.height = 900000;
        snprintf(node->user_agent, sizeof node->user_agent, "/Satoshi:2%u.0.0/", slot % 10);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: crawl_mkdb DB N [REACHED_PERCENT [TRIED_PERCENT]]\n");
        return 2;
    }
    uint32_t n = (uint32_t)strtoul(argv[2], NULL, 10);
    unsigned reached_pct = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 20;
    unsigned tried_pct = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 100;
    nodedb_t *db;
    char err[256];
    if (nodedb_open(argv[1], NODEDB_CREATE, &db, err, sizeof err) != NODEDB_OK) {
        fprintf(stderr, "crawl_mkdb: %s\n", err);
        return 1;
    }
    struct nodedb_node *batch = malloc(BATCH * sizeof *batch);
    if (!batch) {
        nodedb_close(db);
        return 1;
    }
    int64_t now = (int64_t)time(NULL);
    int status = 0;
    for (uint32_t done = 0; done < n && status == 0;) {
        size_t k = n - done < BATCH ? n - done : BATCH;
        for (size_t j = 0; j < k; j++)
            fill(&batch[j], done + (uint32_t)j, reached_pct, tried_pct, now);
        if (nodedb_put_nodes(db, batch, k) != NODEDB_OK) {
            fprintf(stderr, "crawl_mkdb: %s\n", nodedb_errmsg(db));
            status = 1;
        }
        done += (uint32_t)k;
    }
    free(batch);
    nodedb_close(db);
    return status;
}
