/* dns_mkdb -- fills a node database with synthetic nodes for the DNS tests
 * and benchmarks, through the nodedb API, and prints what it wrote.
 *
 *   dns_mkdb DB GOOD [IPV6_PERCENT [BAD]]
 *
 * Writes GOOD good nodes (IPV6_PERCENT of them IPv6, default 30) spread over
 * many netgroups, with a rotation of service-bit combinations, plus BAD
 * (default GOOD/10) nodes that are not good and must never be served. Prints
 * one line per node to standard output: "ADDRESS SERVICES_HEX GOOD(0|1)". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodedb/nodedb.h"
#include "p2p/msg.h"

#define BATCH 10000

static const uint64_t service_mix[] = {
    NODE_NETWORK | NODE_WITNESS,
    NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED,
    NODE_NETWORK | NODE_BLOOM | NODE_WITNESS,
    NODE_NETWORK | NODE_WITNESS | NODE_COMPACT_FILTERS,
    NODE_NETWORK | NODE_WITNESS | NODE_P2P_V2 | NODE_NETWORK_LIMITED,
    NODE_NETWORK,
    NODE_NETWORK_LIMITED | NODE_WITNESS,
};

static void make_addr(netaddr_t *a, uint32_t i, bool v6, bool good)
{
    if (v6) {
        uint8_t ip[16] = {0x2a, good ? 0x01 : 0x02, (uint8_t)(i >> 8), (uint8_t)i,
                          0, 0, 0, 0, 0, 0, (uint8_t)(i >> 24), (uint8_t)(i >> 16), 0, 0, 0, 1};
        netaddr_set_ipv6(a, ip, 8333);
    } else {
        /* Consecutive nodes differ in the second byte: a new /16 each time. */
        uint8_t ip[4] = {(uint8_t)((good ? 11 : 230) + (i >> 16) % 100), (uint8_t)i,
                         (uint8_t)(i >> 8), 1};
        netaddr_set_ipv4(a, ip, 8333);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dns_mkdb DB GOOD [IPV6_PERCENT [BAD]]\n");
        return 2;
    }
    uint32_t good = (uint32_t)strtoul(argv[2], NULL, 10);
    unsigned v6pct = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 30;
    uint32_t bad = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : good / 10;
    nodedb_t *db;
    char err[256];
    if (nodedb_open(argv[1], NODEDB_CREATE, &db, err, sizeof err) != NODEDB_OK) {
        fprintf(stderr, "dns_mkdb: %s\n", err);
        return 1;
    }
    struct nodedb_node *batch = calloc(BATCH, sizeof *batch);
    size_t n = 0;
    uint32_t counts[2] = {0, 0}; /* per family, for distinct addresses */
    uint32_t bad_counts[2] = {0, 0};
    for (uint32_t i = 0; i < good + bad; i++) {
        bool is_good = i < good;
        bool v6 = (i % 100) < v6pct;
        struct nodedb_node *node = &batch[n++];
        memset(node, 0, sizeof *node);
        uint32_t *k = is_good ? &counts[v6] : &bad_counts[v6];
        make_addr(&node->addr, (*k)++, v6, is_good);
        node->good = is_good;
        node->h.services = service_mix[i % (sizeof service_mix / sizeof service_mix[0])];
        node->h.protocol = P2P_PROTOCOL_VERSION;
        node->h.height = 800000;
        node->h.tries = node->h.successes = 1;
        node->source = NODEDB_SOURCE_DB;
        snprintf(node->user_agent, sizeof node->user_agent, "/dns_mkdb:1/");
        char text[NETADDR_STRLEN];
        netaddr_format_host(&node->addr, text, sizeof text);
        printf("%s %" PRIx64 " %d\n", text, node->h.services, is_good ? 1 : 0);
        if (n == BATCH || i + 1 == good + bad) {
            if (nodedb_put_nodes(db, batch, n) != NODEDB_OK) {
                fprintf(stderr, "dns_mkdb: %s\n", nodedb_errmsg(db));
                return 1;
            }
            n = 0;
        }
    }
    free(batch);
    nodedb_close(db);
    return 0;
}
