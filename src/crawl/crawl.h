/* crawl -- the crawler: one event loop that keeps testing every known node
 * of a Bitcoin network and keeps the node database current.
 *
 * Owns the in-memory table and queue (crawl_table), the visits in flight
 * (crawl_peer), the DNS seed look-ups (crawl_seeds) and the batched database
 * writes. Runs on the caller's event_base; never blocks it. */
#ifndef BTCSEED_CRAWL_H
#define BTCSEED_CRAWL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "crawl/crawl_peer.h"
#include "net/chain.h"
#include "net/netaddr.h"

struct event_base;
struct nodedb_good_node;
typedef struct nodedb nodedb_t;

#define CRAWL_MAX_ALLOW 32
#define CRAWL_MAX_CONNECT 64
#define CRAWL_MAX_SEEDS 32

struct crawl_config {
    const chain_params_t *chain;
    const char *seeds[CRAWL_MAX_SEEDS]; /* replaces the chain's DNS seeds when n_seeds > 0 */
    size_t n_seeds;
    bool no_seeds;                      /* do not resolve any seed */
    const char *resolver;               /* "IP:PORT" for seed look-ups, or NULL: system */
    netaddr_t connect[CRAWL_MAX_CONNECT];
    size_t n_connect;
    netaddr_cidr_t allow[CRAWL_MAX_ALLOW]; /* otherwise unroutable ranges we may dial */
    size_t n_allow;
    bool only_allowed;                  /* dial IP addresses only inside `allow` */
    uint32_t concurrency;
    uint32_t max_connects_per_sec;
    uint32_t max_addrs_per_visit;
    bool has_onion_proxy, has_i2p_proxy;
    struct sockaddr_storage onion_proxy, i2p_proxy;
    bool cjdns;                         /* this host is on CJDNS: dial fc00::/8 directly */
    bool once;                          /* stop when every known address was tried once */
    struct crawl_peer_config peer;
    uint32_t flush_interval_ms;         /* database batch period */
    uint32_t reseed_interval_s;         /* periodic re-resolution of the seeds */
    uint32_t few_good;                  /* re-resolve early when fewer good nodes than this */
    uint32_t snapshot_interval_s;       /* time-series rows for the status page; 0: none */
    /* DNS queries answered so far (by `run`'s server), for the time series;
     * NULL when there is no server in this process. */
    uint64_t (*dns_queries)(void *ctx);
    void *dns_queries_ctx;
};

/* Fills `cfg` with the defaults for `chain`. */
void crawl_config_defaults(struct crawl_config *cfg, const chain_params_t *chain);

struct crawl_counters {
    uint64_t known, queued, in_flight, tried, reachable, good;
    uint64_t known_by_net[7], tried_by_net[7], reachable_by_net[7], good_by_net[7];
                                     /* indexed by enum netaddr_net */
    uint64_t visits;                 /* finished visits this run */
    uint64_t visits_ok;
    uint64_t failures[CRAWL_FAIL_COUNT];
    uint64_t dialed_by_net[7];
    uint64_t addrs_received, addrs_new;
    uint64_t dropped_unroutable;     /* learned addresses dropped by the range policy */
    uint64_t dropped_over_cap;       /* over the per-visit cap */
    uint64_t refused_to_dial;        /* queued nodes the policy does not allow */
    uint64_t clamped_times;
    uint64_t db_batches, db_rows, db_errors;
    uint64_t seed_lookups, seed_addrs;
    size_t memory;                   /* bytes held by the table */
};

typedef struct crawl crawl_t;

/* Creates a crawler on `base` over `db` (both owned by the caller and
 * outliving the crawler). Loads every node the database knows. Returns NULL
 * and writes a message to err on failure. */
crawl_t *crawl_new(struct event_base *base, const struct crawl_config *cfg, nodedb_t *db,
                   char *err, size_t errlen);
/* Starts seeding and visiting. */
int crawl_start(crawl_t *c);
/* Stops taking work, ends visits, flushes the database; the loop can then
 * exit. `on_stopped` (may be NULL) runs once everything is written. */
void crawl_stop(crawl_t *c);
/* True once a --once crawl has tried every address, or after crawl_stop. */
bool crawl_finished(const crawl_t *c);
void crawl_counters(const crawl_t *c, struct crawl_counters *out);
/* Called (on the loop) when the crawl is finished; for the CLI to exit. */
void crawl_on_finished(crawl_t *c, void (*fn)(void *ctx), void *ctx);
/* --once: seconds from crawl_start until `fraction` (0 < f <= 1) of this
 * run's successful visits had finished (1.0: the last one); -1 when there
 * were none or outside --once. */
double crawl_reached_after(const crawl_t *c, double fraction);
/* Copies the good nodes (address + services), for the DNS server: a
 * malloc'ed array the caller frees. */
int crawl_good_nodes(const crawl_t *c, struct nodedb_good_node **nodes, size_t *count);
/* True if the dial policy allows connecting to `a` (exposed for tests). */
bool crawl_may_dial(const crawl_t *c, const netaddr_t *a);
void crawl_free(crawl_t *c);

#endif
