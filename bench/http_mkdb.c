/* http_mkdb -- fills a node database with a varied synthetic network for the
 * status server's tests and benchmark, through the nodedb API.
 *
 *   http_mkdb DB NODES [SEED [NOW [DAYS]]]
 *
 * NODES addresses on every network (IPv4, IPv6, TorV3, I2P, CJDNS), about
 * 60% of them reached at least once; each reached node gets a history of
 * tests folded into its statistics (nodedb_health_record) and its good flag
 * from the real rules (nodedb_is_good), a protocol version, service bits, a
 * height around a best height, and a user agent, some of them hostile
 * (markup, quotes, control bytes, invalid UTF-8). Plus one snapshot row every
 * 10 minutes for the last DAYS days (default 7; 0 for none). Deterministic for
 * a given SEED and NOW (default: the current time; 0 means it too). Prints "nodes N reached R good G snapshots S". */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/chain.h"
#include "nodedb/nodedb.h"
#include "nodedb/nodedb_good.h"
#include "p2p/msg.h"

#define BATCH 5000
#define BEST_HEIGHT 925000 /* above main's min_height (900000) */
#define SNAPSHOT_EVERY 600
#define DEFAULT_SNAPSHOT_DAYS 7

static const char *const agents[] = {
    "/Satoshi:27.0.0/", "/Satoshi:27.0.0/", "/Satoshi:27.0.0/", "/Satoshi:26.1.0/",
    "/Satoshi:26.1.0/", "/Satoshi:28.0.0/", "/Satoshi:25.0.0/", "/Satoshi:24.0.1/",
    "/Satoshi:27.1.0(bitcore)/", "/Knots:20240801/", "/btcd:0.24.2/", "/bcoin:2.2.0/",
    /* hostile ones (twice: among the top agents): must come out escaped */
    "<script>alert('ua')</script>", "/\"quoted\" & <b>bold</b>/",
    "<script>alert('ua')</script>", "/\"quoted\" & <b>bold</b>/",
    "/ctl\x01\x1b[31m\xff\xfe bad utf8/", "/Satoshi:27.0.0(\xe2\x9a\xa1 fast)/",
};
static const int32_t versions[] = {70016, 70016, 70016, 70015, 70016, 70002, 70016, 70014};
static const uint64_t service_mix[] = {
    NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED,
    NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED | NODE_P2P_V2,
    NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED | NODE_COMPACT_FILTERS,
    NODE_NETWORK_LIMITED | NODE_WITNESS,
    NODE_NETWORK | NODE_BLOOM | NODE_WITNESS | NODE_NETWORK_LIMITED,
    NODE_NETWORK | NODE_WITNESS,
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, good enough for made-up data */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

static void make_addr(netaddr_t *a, uint32_t i, uint16_t port)
{
    uint8_t b[32];
    for (size_t k = 0; k < sizeof b; k++)
        b[k] = (uint8_t)rnd();
    uint32_t pick = below(100);
    if (pick < 70) {
        /* public-looking IPv4, unique per i */
        uint8_t ip[4] = {(uint8_t)(11 + i % 180), (uint8_t)(i >> 8), (uint8_t)(i >> 16),
                         (uint8_t)(1 + i % 250)};
        netaddr_set_ipv4(a, ip, port);
    } else if (pick < 90) {
        uint8_t ip[16] = {0x2a, 0x01, (uint8_t)(i >> 8), (uint8_t)i};
        memcpy(ip + 4, b, 12);
        netaddr_set_ipv6(a, ip, port);
    } else if (pick < 96) {
        netaddr_set_bip155(a, NETADDR_TORV3, b, 32, port);
    } else if (pick < 99) {
        netaddr_set_bip155(a, NETADDR_I2P, b, 32, 0);
    } else {
        b[0] = 0xfc;
        netaddr_set_cjdns(a, b, port);
    }
}

/* A history of tests ending near `now`: `up` is the node's chance to answer. */
static void make_history(struct nodedb_node *n, int64_t now, double up)
{
    int64_t t = now - 86400 * (int64_t)(1 + below(30));
    n->h.first_seen = (uint32_t)(t - below(86400));
    n->h.last_seen = (uint32_t)(now - below(3 * 3600));
    while (t < now - 60) {
        bool ok = (double)below(10000) / 10000.0 < up;
        nodedb_health_record(&n->h, t, ok);
        t += 900 + below(2700);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: http_mkdb DB NODES [SEED [NOW [DAYS]]]\n");
        return 2;
    }
    uint32_t total = (uint32_t)strtoul(argv[2], NULL, 10);
    rng_state = argc > 3 ? strtoull(argv[3], NULL, 10) | 1 : 1;
    int64_t now = argc > 4 ? (int64_t)strtoll(argv[4], NULL, 10) : 0;
    if (now == 0)
        now = (int64_t)time(NULL);
    int64_t span = 86400 * (argc > 5 ? strtoll(argv[5], NULL, 10) : DEFAULT_SNAPSHOT_DAYS);
    const chain_params_t *chain = chain_by_name("main");

    nodedb_t *db;
    char err[256];
    if (nodedb_open(argv[1], NODEDB_CREATE, &db, err, sizeof err) != NODEDB_OK) {
        fprintf(stderr, "http_mkdb: %s\n", err);
        return 1;
    }
    struct nodedb_node *batch = calloc(BATCH, sizeof *batch);
    if (!batch)
        return 1;
    size_t n = 0;
    uint64_t reached = 0, good = 0;
    for (uint32_t i = 0; i < total; i++) {
        struct nodedb_node *node = &batch[n++];
        memset(node, 0, sizeof *node);
        make_addr(&node->addr, i, chain->default_port);
        node->source = i % 3 ? NODEDB_SOURCE_PEER : NODEDB_SOURCE_SEED;
        snprintf(node->source_name, sizeof node->source_name, "%s",
                 i % 3 ? "203.0.113.7:8333" : "seed.example.org");
        uint32_t kind = below(100);
        if (kind < 60) {
            double up = kind < 45 ? 0.97 : kind < 52 ? 0.6 : 0.1;
            make_history(node, now, up);
            node->h.protocol = versions[below(sizeof versions / sizeof versions[0])];
            node->h.services = service_mix[below(sizeof service_mix / sizeof service_mix[0])];
            uint32_t lag = below(100);
            node->h.height = BEST_HEIGHT - (lag < 70 ? 0 : lag < 80 ? (int32_t)below(5)
                                            : lag < 90 ? (int32_t)below(140)
                                            : lag < 97 ? (int32_t)below(1000)
                                                       : (int32_t)below(200000));
            snprintf(node->user_agent, sizeof node->user_agent, "%s",
                     agents[below(sizeof agents / sizeof agents[0])]);
            node->good = nodedb_is_good(&node->h, &node->addr, chain, BEST_HEIGHT, now);
            reached += node->h.successes > 0;
            good += node->good;
        } else if (kind < 85) {
            make_history(node, now, 0); /* tried, never answered */
        } else {
            node->h.first_seen = (uint32_t)(now - below(86400)); /* not tried yet */
            node->h.last_seen = node->h.first_seen;
        }
        if (n == BATCH || i + 1 == total) {
            if (nodedb_put_nodes(db, batch, n) != NODEDB_OK) {
                fprintf(stderr, "http_mkdb: %s\n", nodedb_errmsg(db));
                return 1;
            }
            n = 0;
        }
    }
    free(batch);

    struct nodedb_totals totals;
    if (nodedb_count(db, &totals) != NODEDB_OK) {
        fprintf(stderr, "http_mkdb: %s\n", nodedb_errmsg(db));
        return 1;
    }
    size_t snapshots = 0;
    uint64_t queries = 0;
    for (int64_t t = now - span; span > 0 && t <= now; t += SNAPSHOT_EVERY) {
        /* A daily rhythm and a slow rise towards today's real figures. */
        double phase = (double)(t - (now - span)) / (double)span;
        double wave = 1 + 0.04 * sin((double)t / 86400 * 2 * M_PI);
        struct nodedb_snapshot s = {.time = t, .totals = totals};
        double f = (0.85 + 0.15 * phase) * wave;
        if (t + SNAPSHOT_EVERY <= now) {
            for (int k = 0; k < NODEDB_NETS; k++) {
                s.totals.net[k].reachable = (uint64_t)(totals.net[k].reachable * f);
                s.totals.net[k].good = (uint64_t)(totals.net[k].good * f * wave);
            }
            s.totals.all.reachable = (uint64_t)(totals.all.reachable * f);
            s.totals.all.good = (uint64_t)(totals.all.good * f * wave);
        }
        s.crawl_rate = 40 + 15 * sin((double)t / 7200) + below(10);
        s.dns_rate = 120 * wave + 60 * sin((double)t / 86400 * 2 * M_PI) + below(20);
        queries += (uint64_t)(s.dns_rate * SNAPSHOT_EVERY);
        s.dns_queries = queries;
        if (nodedb_put_snapshot(db, &s) != NODEDB_OK) {
            fprintf(stderr, "http_mkdb: %s\n", nodedb_errmsg(db));
            return 1;
        }
        snapshots++;
    }
    nodedb_close(db);
    printf("nodes %" PRIu32 " reached %" PRIu64 " good %" PRIu64 " snapshots %zu\n", total,
           reached, good, snapshots);
    return 0;
}
