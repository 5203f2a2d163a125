/* helper_nodedb_fill DB N SEED -- fills a node database through the nodedb
 * API with N nodes of every network, deterministic from SEED: some never
 * reached, uptimes from many test patterns, hostile user agents (blanks,
 * quotes, commas, newlines, percent signs, invalid UTF-8). For scenario
 * tests of the exports, which then read the same file with python. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodedb/nodedb.h"
#include "p2p/msg.h"

#define T0 1700000000
#define HOUR 3600

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, good enough to vary test data */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static void random_agent(char *out, size_t size)
{
    static const char *const normal[] = {"/Satoshi:27.0.0/", "/Satoshi:26.1.0/",
                                         "/Satoshi:0.21.1/", "/btcd:0.24.0/", ""};
    uint64_t kind = rnd() % 4;
    if (kind < 3) {
        snprintf(out, size, "%s", normal[rnd() % 5]);
        return;
    }
    static const char specials[] = " \t\n\r\",%\\'\x01\x7f";
    size_t len = rnd() % (size - 1);
    for (size_t i = 0; i < len; i++) {
        uint64_t r = rnd() % 4;
        char c;
        if (r == 0)
            c = specials[rnd() % (sizeof specials - 1)];
        else if (r == 1)
            c = (char)(0x80 + rnd() % 0x80); /* often invalid UTF-8 */
        else
            c = (char)(0x21 + rnd() % 0x5e);
        out[i] = c;
    }
    out[len] = '\0';
}

static void random_node(struct nodedb_node *n, uint32_t i)
{
    static const uint8_t nets[] = {NETADDR_IPV4, NETADDR_IPV6, NETADDR_TORV3, NETADDR_I2P,
                                   NETADDR_CJDNS};
    uint8_t b[32];
    for (size_t k = 0; k < sizeof b; k++)
        b[k] = (uint8_t)rnd();
    memset(n, 0, sizeof *n);
    uint8_t net = nets[i % 5];
    if (net == NETADDR_IPV4) {
        b[0] = (uint8_t)(1 + i % 200), b[1] = (uint8_t)(i >> 16), b[2] = (uint8_t)(i >> 8);
        b[3] = (uint8_t)i;
        netaddr_set_ipv4(&n->addr, b, rnd() % 8 ? 8333 : (uint16_t)(1024 + rnd() % 60000));
    } else if (net == NETADDR_IPV6) {
        b[0] = 0x2a, b[1] = 0x01;
        netaddr_set_ipv6(&n->addr, b, 8333);
    } else if (net == NETADDR_CJDNS) {
        b[0] = 0xfc;
        netaddr_set_cjdns(&n->addr, b, 8333);
    } else if (netaddr_set_bip155(&n->addr, net, b, 32, net == NETADDR_I2P ? 0 : 8333) != 0) {
        fprintf(stderr, "bip155 failed\n");
        exit(1);
    }
    struct nodedb_health *h = &n->h;
    h->first_seen = T0 - (uint32_t)(rnd() % (60 * 86400));
    h->last_seen = h->first_seen + (uint32_t)(rnd() % 86400);
    h->protocol = 70001 + (int32_t)(rnd() % 16);
    h->height = 850000 + (int32_t)(rnd() % 5000);
    h->services = rnd() & (NODE_NETWORK | NODE_BLOOM | NODE_WITNESS | NODE_COMPACT_FILTERS |
                           NODE_NETWORK_LIMITED | NODE_P2P_V2);
    if (rnd() % 50 == 0)
        h->services |= UINT64_C(1) << 63;
    /* Tested every 15 minutes to 4 hours for a while, each with its own
     * success rate; one in five never answered. */
    unsigned tests = (unsigned)(rnd() % 200);
    unsigned rate = rnd() % 5 == 0 ? 0 : (unsigned)(rnd() % 101);
    int64_t t = T0 - 30 * 86400;
    for (unsigned k = 0; k < tests; k++) {
        t += 900 + (int64_t)(rnd() % (4 * HOUR));
        nodedb_health_record(h, t, rnd() % 100 < rate);
    }
    n->good = h->last_success && rnd() % 3 == 0;
    h->ban_until = rnd() % 20 == 0 ? T0 + 86400 : 0;
    n->source = (uint8_t)(rnd() % 5);
    snprintf(n->source_name, sizeof n->source_name, "seed%u.example.org", (unsigned)(rnd() % 9));
    random_agent(n->user_agent, sizeof n->user_agent);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s DB N SEED\n", argv[0]);
        return 2;
    }
    unsigned long n = strtoul(argv[2], NULL, 10);
    rng_state = strtoull(argv[3], NULL, 10) | 1;
    nodedb_t *db;
    char err[512];
    if (nodedb_open(argv[1], NODEDB_CREATE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct nodedb_node *nodes = calloc(n ? n : 1, sizeof *nodes);
    if (!nodes)
        return 1;
    for (uint32_t i = 0; i < n; i++)
        random_node(&nodes[i], i);
    int rc = nodedb_put_nodes(db, nodes, n);
    if (rc != 0)
        fprintf(stderr, "%s\n", nodedb_errmsg(db));
    free(nodes);
    nodedb_close(db);
    return rc == 0 ? 0 : 1;
}
