#include "crawl/crawl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "crawl/crawl_agents.h"
#include "crawl/crawl_policy.h"
#include "crawl/crawl_seeds.h"
#include "crawl/crawl_store.h"
#include "crawl/crawl_table.h"
#include "nodedb/nodedb.h"
#include "nodedb/nodedb_good.h"
#include "util/log.h"
#include "util/metrics.h"

#define TICK_MS 10              /* dispatcher period */
#define GOSSIP_FUTURE_SLACK 600 /* gossip times further ahead than this are clamped */
#define GOSSIP_OLD_AGE (5 * 86400)
#define ADDR_REFRESH (24 * 3600) /* ask a node for addresses at most this often */
#define BEST_HEIGHT_SAMPLE 1024
/* Bitcoin Core's addrman rule for newer gossip times: take one only if it
 * is more than an hour newer (a day, for an address not seen for a day).
 * Every peer repeats the addresses it knows with slightly different times;
 * recording each small change would cost a database row per repetition. */
#define GOSSIP_UPDATE_ONLINE 3600
#define GOSSIP_UPDATE_OFFLINE 86400
#define GOSSIP_ONLINE_AGE 86400
#define GOSSIP_WRITE_STEP 86400

/* Prometheus series the crawler feeds (registered once per process). */
struct crawl_metrics {
    metrics_counter_t *attempted;
    metrics_counter_t *result[CRAWL_FAIL_COUNT];
    metrics_histogram_t *handshake;
    metrics_histogram_t *db_write;
    metrics_counter_t *addrs_received, *addrs_new, *dropped_unroutable, *dropped_over_cap;
    metrics_gauge_t *in_flight, *table_bytes;
};

static void register_metrics(struct crawl_metrics *m)
{
    m->attempted = metrics_counter("btcseed_crawl_connections_attempted_total",
                                   "Visits started (connections attempted).", NULL);
    for (int i = 0; i < CRAWL_FAIL_COUNT; i++) {
        char label[48];
        snprintf(label, sizeof label, "result=%s", crawl_fail_name((enum crawl_fail)i));
        m->result[i] = metrics_counter("btcseed_crawl_visits_total",
                                       "Finished visits by result (ok or why it failed).", label);
    }
    m->handshake = metrics_histogram("btcseed_crawl_handshake_seconds",
                                     "From connect to verack, for visits that completed it.",
                                     NULL, NULL, 0);
    m->db_write = metrics_histogram("btcseed_crawl_db_write_seconds",
                                    "Time to write one batch of results to the database.", NULL,
                                    NULL, 0);
    m->addrs_received = metrics_counter("btcseed_crawl_addresses_received_total",
                                        "Entries received in addr/addrv2 messages.", NULL);
    m->addrs_new = metrics_counter("btcseed_crawl_addresses_new_total",
                                   "Addresses learned that were not known before.", NULL);
    m->dropped_unroutable = metrics_counter("btcseed_crawl_addresses_dropped_total",
                                            "Addresses not kept, by reason.", "reason=unroutable");
    m->dropped_over_cap = metrics_counter("btcseed_crawl_addresses_dropped_total",
                                          "Addresses not kept, by reason.", "reason=over_cap");
    m->in_flight = metrics_gauge("btcseed_crawl_in_flight", "Visits in progress.", NULL);
    m->table_bytes = metrics_gauge("btcseed_crawl_table_bytes",
                                   "Memory held by the crawler's node table.", NULL);
}

struct visit {
    struct crawl *crawl;
    uint32_t node;
    uint32_t accepted; /* addresses taken from this peer so far */
    crawl_peer_t *peer;
    struct visit *prev, *next;
};

struct crawl {
    struct event_base *base;
    struct crawl_config cfg;
    nodedb_t *db;
    crawl_table_t *table;
    crawl_agents_t *agents;
    crawl_store_t *store;
    struct p2p_addr_entry *scratch; /* shared addr decode space, see crawl_peer.h */
    crawl_seeds_t *seeds;
    size_t seeds_pending;
    struct event *tick, *flush, *reseed, *snapshot;
    uint64_t snapshot_visits, snapshot_dns;
    struct timespec snapshot_at;
    struct visit *visits;     /* in flight */
    uint32_t in_flight;
    double tokens;            /* connections we may still open (token bucket) */
    struct timespec last_tick;
    uint32_t *dirty;          /* node indices to write at the next flush */
    size_t n_dirty, cap_dirty;
    int32_t best_height;
    int32_t height_sample[BEST_HEIGHT_SAMPLE];
    size_t n_height_sample, next_height_sample;
    uint32_t good;
    uint32_t last_reseed;
    bool stopping, finished, seeding;
    void (*on_finished)(void *ctx);
    void *on_finished_ctx;
    struct crawl_counters counters;
    struct crawl_metrics metrics;
    struct timespec started;  /* crawl_start */
    uint32_t *ok_ms;          /* --once: when each success came, ms after the start */
    size_t n_ok, cap_ok;
};

static uint32_t now_s(void) { return (uint32_t)time(NULL); }

static double seconds_since(struct timespec *t, const struct timespec *now)
{
    return (double)(now->tv_sec - t->tv_sec) + (double)(now->tv_nsec - t->tv_nsec) / 1e9;
}

void crawl_config_defaults(struct crawl_config *cfg, const chain_params_t *chain)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->chain = chain;
    cfg->concurrency = 1000;
    cfg->max_connects_per_sec = 500;
    cfg->max_addrs_per_visit = 2500;
    cfg->peer.chain = chain;
    cfg->peer.connect_timeout_ms = 5000;
    cfg->peer.handshake_timeout_ms = 10000;
    cfg->peer.addr_timeout_ms = 15000;
    cfg->peer.quiet_ms = 1000;
    cfg->peer.visit_timeout_ms = 30000;
    /* The largest message a crawler needs: 1000 addrv2 entries of the
     * biggest known network (32-byte addresses) with room to spare. */
    cfg->peer.max_payload = 128 * 1024;
    cfg->flush_interval_ms = 1000;
    cfg->reseed_interval_s = 30 * 60;
    cfg->few_good = 25;
    cfg->snapshot_interval_s = 60;
}

static bool may_store(const struct crawl *c, const netaddr_t *a)
{
    return crawl_policy_may_store(&c->cfg, a);
}

bool crawl_may_dial(const crawl_t *c, const netaddr_t *a) { return crawl_policy_may_dial(&c->cfg, a); }

static const struct sockaddr_storage *proxy_for(const struct crawl *c, const netaddr_t *a)
{
    if (a->net == NETADDR_TORV3)
        return &c->cfg.onion_proxy;
    if (a->net == NETADDR_I2P)
        return &c->cfg.i2p_proxy;
    return NULL;
}

/* ---- bookkeeping ---- */

static void mark_dirty(struct crawl *c, uint32_t index)
{
    struct crawl_node *n = crawl_table_get(c->table, index);
    if (n->flags & CRAWL_NODE_DIRTY)
        return;
    if (c->n_dirty == c->cap_dirty) {
        size_t cap = c->cap_dirty ? c->cap_dirty * 2 : 4096;
        uint32_t *d = realloc(c->dirty, cap * sizeof *d);
        if (!d) {
            c->counters.db_errors++;
            return;
        }
        c->dirty = d;
        c->cap_dirty = cap;
    }
    c->dirty[c->n_dirty++] = index;
    n->flags |= CRAWL_NODE_DIRTY;
}

static void set_good(struct crawl *c, struct crawl_node *n, bool good)
{
    bool was = n->flags & CRAWL_NODE_GOOD;
    if (good == was)
        return;
    if (good) {
        n->flags |= CRAWL_NODE_GOOD;
        c->good++;
    } else {
        n->flags &= (uint8_t)~CRAWL_NODE_GOOD;
        c->good--;
    }
}

static void note_height(struct crawl *c, int32_t height)
{
    c->height_sample[c->next_height_sample] = height;
    c->next_height_sample = (c->next_height_sample + 1) % BEST_HEIGHT_SAMPLE;
    if (c->n_height_sample < BEST_HEIGHT_SAMPLE)
        c->n_height_sample++;
}

struct rejudge_ctx {
    struct crawl *crawl;
    uint32_t now;
};

static void rejudge_node(struct crawl_node *n, uint32_t index, void *arg)
{
    struct rejudge_ctx *r = arg;
    if (!(n->flags & (CRAWL_NODE_REACHED | CRAWL_NODE_GOOD)))
        return;
    struct nodedb_health h;
    crawl_store_health(r->crawl->table, index, &h);
    bool good = nodedb_is_good(&h, &n->addr, r->crawl->cfg.chain, r->crawl->best_height, r->now);
    if (good != !!(n->flags & CRAWL_NODE_GOOD)) {
        set_good(r->crawl, n, good);
        mark_dirty(r->crawl, index);
    }
}

/* The median of recent heights; recomputed once a flush, not per visit.
 * When it moves, nodes judged against the old estimate are judged again:
 * the first results of a crawl come in before there is any estimate. */
static void update_best_height(struct crawl *c)
{
    int32_t copy[BEST_HEIGHT_SAMPLE];
    memcpy(copy, c->height_sample, c->n_height_sample * sizeof copy[0]);
    int32_t best = nodedb_best_height(copy, c->n_height_sample);
    if (best == c->best_height)
        return;
    c->best_height = best;
    struct rejudge_ctx r = {c, now_s()};
    crawl_table_each(c->table, rejudge_node, &r);
}

/* Queues a node for its first test (or its next one). */
static void enqueue(struct crawl *c, uint32_t index, uint32_t due)
{
    struct crawl_node *n = crawl_table_get(c->table, index);
    if (crawl_may_dial(c, &n->addr))
        crawl_table_schedule(c->table, index, due);
}

/* Learns one address; returns true if it was new. `known` is its index if
 * the caller has looked it up already, else CRAWL_NONE. `origin` names where
 * it came from (its node field is filled in here). */
static bool learn(struct crawl *c, const netaddr_t *addr, uint32_t known, uint64_t services,
                  uint32_t seen, uint8_t source, struct crawl_store_origin *origin)
{
    bool added = false;
    uint32_t index = known != CRAWL_NONE ? known : crawl_table_add(c->table, addr, &added);
    if (index == CRAWL_NONE)
        return false;
    struct crawl_node *n = crawl_table_get(c->table, index);
    uint32_t now = now_s();
    if (added) {
        n->first_seen = now;
        n->source = source;
        n->services = services;
        c->counters.addrs_new++;
        metrics_counter_inc(c->metrics.addrs_new);
    }
    uint32_t interval = n->last_seen + GOSSIP_ONLINE_AGE > now ? GOSSIP_UPDATE_ONLINE
                                                                : GOSSIP_UPDATE_OFFLINE;
    if (n->last_seen == 0 || (seen > interval && n->last_seen < seen - interval)) {
        /* Every test rewrites the node's row; a newer gossip time alone is
         * worth a row of its own only when it moves by more than a day. */
        if (!added && seen - n->last_seen > GOSSIP_WRITE_STEP)
            mark_dirty(c, index);
        n->last_seen = seen;
    }
    if (added) {
        mark_dirty(c, index);
        origin->node = index;
        crawl_store_note_origin(c->store, origin);
        enqueue(c, index, n->first_seen);
    }
    return added;
}

static void on_addrs(void *ctx, const struct p2p_addr_entry *entries, size_t count)
{
    struct visit *v = ctx;
    struct crawl *c = v->crawl;
    uint32_t now = now_s();
    c->counters.addrs_received += count;
    metrics_counter_add(c->metrics.addrs_received, count);
    struct crawl_store_origin origin = {0};
    origin.peer = crawl_table_get(c->table, v->node)->addr;
    /* Most of what peers gossip is known already: look the whole message
     * up at once (addresses new to it come back CRAWL_NONE and are added
     * one by one, which also catches repeats within the message). */
    uint32_t known[P2P_MAX_ADDR];
    if (count > P2P_MAX_ADDR)
        count = P2P_MAX_ADDR;
    crawl_table_find_many(c->table, &entries[0].addr, sizeof entries[0], count, known);
    for (size_t i = 0; i < count; i++) {
        if (v->accepted >= c->cfg.max_addrs_per_visit) {
            c->counters.dropped_over_cap += count - i;
            metrics_counter_add(c->metrics.dropped_over_cap, count - i);
            return;
        }
        if (!may_store(c, &entries[i].addr)) {
            c->counters.dropped_unroutable++;
            metrics_counter_inc(c->metrics.dropped_unroutable);
            continue;
        }
        uint32_t seen = entries[i].time;
        /* Bitcoin Core's rule: no time, or one from the future, means "a while ago". */
        if (seen <= 100000000 || seen > now + GOSSIP_FUTURE_SLACK) {
            seen = now - GOSSIP_OLD_AGE;
            c->counters.clamped_times++;
        }
        v->accepted++;
        learn(c, &entries[i].addr, known[i], entries[i].services, seen, NODEDB_SOURCE_PEER,
              &origin);
    }
}

static void finish_if_done(struct crawl *c);

/* A --once crawl is a measurement: remember when each node answered, so the
 * summary can say how long reaching 99% or all of them took. Appended in
 * time order; one entry per reached node, so bounded by the table. */
static void note_success_time(struct crawl *c)
{
    if (c->n_ok == c->cap_ok) {
        size_t cap = c->cap_ok ? c->cap_ok * 2 : 1024;
        uint32_t *t = realloc(c->ok_ms, cap * sizeof *t);
        if (!t)
            return; /* only the timing figures lose a point */
        c->ok_ms = t;
        c->cap_ok = cap;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    c->ok_ms[c->n_ok++] = (uint32_t)(seconds_since(&c->started, &now) * 1000.0);
}

static void unlink_visit(struct crawl *c, struct visit *v)
{
    if (v->prev)
        v->prev->next = v->next;
    else
        c->visits = v->next;
    if (v->next)
        v->next->prev = v->prev;
    c->in_flight--;
}

/* Folds a finished visit into the node's record and reschedules it. */
static void record_result(struct crawl *c, uint32_t index, const struct crawl_peer_result *r)
{
    struct crawl_node *n = crawl_table_get(c->table, index);
    uint32_t now = now_s();
    bool ok = r->reason == CRAWL_OK;
    n->flags &= (uint8_t)~CRAWL_NODE_IN_FLIGHT;
    c->counters.visits++;
    c->counters.failures[r->reason]++;
    metrics_counter_inc(c->metrics.result[r->reason]);
    if (ok) {
        metrics_histogram_observe(c->metrics.handshake, r->handshake_ms / 1000.0);
        c->counters.visits_ok++;
        n->flags |= CRAWL_NODE_REACHED;
        n->version = r->version.version;
        n->services = r->version.services;
        n->height = r->version.start_height;
        n->agent = crawl_agents_intern(c->agents, r->version.user_agent);
        if (r->asked_addrs && r->addrs_received > 1)
            n->last_addrs = now;
        note_height(c, n->height);
        if (c->cfg.once)
            note_success_time(c);
    } else {
        n->flags &= (uint8_t)~CRAWL_NODE_REACHED;
    }
    struct nodedb_health h;
    crawl_store_health(c->table, index, &h);
    nodedb_health_record(&h, now, ok);
    h.ban_until = nodedb_ban_until(&h, now);
    bool good = nodedb_is_good(&h, &n->addr, c->cfg.chain, c->best_height, now);
    crawl_store_set_health(c->table, index, &h);
    n = crawl_table_get(c->table, index);
    set_good(c, n, good);
    mark_dirty(c, index);
    if (c->cfg.once)
        return; /* a snapshot crawl tests each node once */
    if (nodedb_should_forget(&h, now)) {
        crawl_store_forget(c->store, &n->addr);
        set_good(c, n, false);
        crawl_table_remove(c->table, index);
        return;
    }
    uint32_t jitter = (uint32_t)netaddr_hash(&n->addr);
    int64_t due = nodedb_next_due(&h, good, now, jitter);
    crawl_table_schedule(c->table, index, due < now ? now : (uint32_t)due);
}

static void on_done(void *ctx, const struct crawl_peer_result *r)
{
    struct visit *v = ctx;
    struct crawl *c = v->crawl;
    unlink_visit(c, v);
    if (r->reason != CRAWL_OK)
        log_debug("visit failed: %s", r->detail);
    record_result(c, v->node, r);
    free(v);
    finish_if_done(c);
}

/* Starts one visit; false if the node could not be visited now. */
static bool start_visit(struct crawl *c, uint32_t index)
{
    struct crawl_node *n = crawl_table_get(c->table, index);
    struct visit *v = calloc(1, sizeof *v);
    if (!v)
        return false;
    v->crawl = c;
    v->node = index;
    uint32_t now = now_s();
    bool want_addrs = n->last_addrs == 0 || now - n->last_addrs >= ADDR_REFRESH;
    v->peer = crawl_peer_start(c->base, &c->cfg.peer, &n->addr, proxy_for(c, &n->addr), want_addrs,
                               on_addrs, on_done, v);
    if (!v->peer) {
        free(v);
        return false;
    }
    n->flags |= CRAWL_NODE_IN_FLIGHT | CRAWL_NODE_VISITED;
    c->counters.dialed_by_net[n->addr.net < 7 ? n->addr.net : 0]++;
    v->next = c->visits;
    if (c->visits)
        c->visits->prev = v;
    c->visits = v;
    c->in_flight++;
    metrics_counter_inc(c->metrics.attempted);
    return true;
}


/* The dispatcher: start due visits while slots and connection tokens last. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    struct crawl *c = arg;
    if (c->stopping)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double rate = c->cfg.max_connects_per_sec;
    c->tokens += seconds_since(&c->last_tick, &ts) * rate;
    if (c->tokens > rate / 10 + 1)
        c->tokens = rate / 10 + 1; /* at most a tenth of a second's burst */
    c->last_tick = ts;
    uint32_t now = now_s();
    while (c->in_flight < c->cfg.concurrency && c->tokens >= 1) {
        uint32_t index = crawl_table_peek(c->table);
        if (index == CRAWL_NONE)
            break;
        struct crawl_node *n = crawl_table_get(c->table, index);
        if (n->due > now)
            break;
        crawl_table_unschedule(c->table, index);
        if (!crawl_may_dial(c, &n->addr)) {
            c->counters.refused_to_dial++; /* from an older configuration's database */
            continue;
        }
        c->tokens -= 1;
        if (!start_visit(c, index)) {
            /* Out of descriptors or memory: try again shortly. */
            crawl_table_schedule(c->table, index, now + 1);
            c->counters.failures[CRAWL_FAIL_LOCAL]++;
            break;
        }
    }
    finish_if_done(c);
}

static void flush_dirty(struct crawl *c)
{
    if (!c->n_dirty && !crawl_store_pending(c->store))
        return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = crawl_store_write(c->store, c->table, c->agents, c->dirty, c->n_dirty);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    metrics_histogram_observe(c->metrics.db_write, seconds_since(&t0, &t1));
    if (rc < 0) {
        c->counters.db_errors++;
        log_error("database write failed: %s", nodedb_errmsg(c->db));
        return; /* keep the rows: the next flush tries again */
    }
    c->counters.db_batches++;
    c->counters.db_rows += c->n_dirty;
    c->n_dirty = 0;
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    struct crawl *c = arg;
    metrics_gauge_set(c->metrics.in_flight, c->in_flight);
    metrics_gauge_set(c->metrics.table_bytes, (double)crawl_table_memory(c->table));
    update_best_height(arg);
    flush_dirty(arg);
}

static const char *const *seed_names(const struct crawl *c)
{
    return c->cfg.n_seeds ? c->cfg.seeds : c->cfg.chain->seeds;
}

static void on_seed_addr(const netaddr_t *addr, const char *seed, void *ctx)
{
    struct crawl *c = ctx;
    c->counters.seed_addrs++;
    if (!may_store(c, addr)) {
        c->counters.dropped_unroutable++;
        return;
    }
    /* The resolver's copy of the name dies with its query; the origin is
     * written up to a second later, so point at our own copy of the name. */
    const char *const *names = seed_names(c);
    size_t n = c->cfg.n_seeds ? c->cfg.n_seeds : SIZE_MAX;
    const char *name = NULL;
    for (size_t i = 0; i < n && names[i] && !name; i++)
        if (strcmp(names[i], seed) == 0)
            name = names[i];
    struct crawl_store_origin origin = {.seed = name};
    learn(c, addr, CRAWL_NONE, 0, now_s(), NODEDB_SOURCE_SEED, &origin);
}

static void seed_finished(struct crawl *c)
{
    if (c->seeds_pending && --c->seeds_pending == 0) {
        c->seeding = false;
        finish_if_done(c);
    }
}

static void on_seed_done(const char *seed, int status, const char *error, void *ctx)
{
    struct crawl *c = ctx;
    if (status < 0)
        log_warn("DNS seed %s: %s", seed, error);
    seed_finished(c);
}


static void resolve_seeds(struct crawl *c)
{
    if (c->cfg.no_seeds || c->seeding || !c->seeds)
        return;
    c->seeding = true;
    c->last_reseed = now_s();
    c->counters.seed_lookups++;
    const char *const *names = seed_names(c);
    size_t n = c->cfg.n_seeds ? c->cfg.n_seeds : SIZE_MAX;
    /* One extra count held while starting: answers can come back before
     * crawl_seeds_query returns, and must not end the round early. */
    c->seeds_pending = 1;
    for (size_t i = 0; i < n && names[i]; i++) {
        c->seeds_pending++;
        if (crawl_seeds_query(c->seeds, names[i]) < 0) {
            log_warn("DNS seed '%s': not a valid name", names[i]);
            c->seeds_pending--;
        }
    }
    seed_finished(c);
}


/* A row of the status page's time series, from the live table. */
static void on_snapshot(evutil_socket_t fd, short what, void *arg)
{
    struct crawl *c = arg;
    struct crawl_counters k;
    crawl_counters(c, &k);
    struct nodedb_snapshot snap;
    memset(&snap, 0, sizeof snap);
    snap.time = now_s();
    snap.totals.all = (struct nodedb_counts){k.known, k.tried, k.reachable, k.good};
    for (int i = 0; i < NODEDB_NETS; i++) {
        uint8_t net = nodedb_net_of_index(i);
        snap.totals.net[i] = (struct nodedb_counts){k.known_by_net[net], k.tried_by_net[net],
                                                    k.reachable_by_net[net], k.good_by_net[net]};
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double secs = seconds_since(&c->snapshot_at, &ts);
    uint64_t dns = c->cfg.dns_queries ? c->cfg.dns_queries(c->cfg.dns_queries_ctx) : 0;
    if (secs > 0) {
        snap.crawl_rate = (double)(k.visits - c->snapshot_visits) / secs;
        snap.dns_rate = (double)(dns - c->snapshot_dns) / secs;
    }
    snap.dns_queries = dns;
    c->snapshot_at = ts;
    c->snapshot_visits = k.visits;
    c->snapshot_dns = dns;
    if (nodedb_put_snapshot(c->db, &snap) != NODEDB_OK) {
        c->counters.db_errors++;
        log_error("cannot write a snapshot row: %s", nodedb_errmsg(c->db));
    }
}

static void on_reseed(evutil_socket_t fd, short what, void *arg)
{
    struct crawl *c = arg;
    uint32_t now = now_s();
    if (c->good < c->cfg.few_good || now - c->last_reseed >= c->cfg.reseed_interval_s)
        resolve_seeds(c);
}

static void finish_if_done(struct crawl *c)
{
    if (c->finished)
        return;
    bool done = c->stopping ? c->in_flight == 0
                            : c->cfg.once && !c->seeding && c->in_flight == 0 &&
                                  crawl_table_queued(c->table) == 0;
    if (!done)
        return;
    c->finished = true;
    update_best_height(c);
    flush_dirty(c);
    if (c->on_finished)
        c->on_finished(c->on_finished_ctx);
}

static int load_node(const struct nodedb_node *row, void *ctx)
{
    struct crawl *c = ctx;
    uint32_t index = crawl_store_load_row(c->table, c->agents, row);
    if (index == CRAWL_NONE)
        return -1;
    struct crawl_node *n = crawl_table_get(c->table, index);
    if (n->flags & CRAWL_NODE_GOOD)
        c->good++;
    if (n->flags & CRAWL_NODE_REACHED)
        note_height(c, n->height);
    uint32_t due = (uint32_t)nodedb_next_due(&row->h, row->good, now_s(),
                                             (uint32_t)netaddr_hash(&row->addr));
    enqueue(c, index, c->cfg.once ? 0 : due);
    return 0;
}

crawl_t *crawl_new(struct event_base *base, const struct crawl_config *cfg, nodedb_t *db,
                   char *err, size_t errlen)
{
    struct crawl *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->base = base;
    c->cfg = *cfg;
    register_metrics(&c->metrics);
    c->cfg.peer.chain = cfg->chain;
    c->db = db;
    c->table = crawl_table_new();
    c->agents = crawl_agents_new();
    c->store = crawl_store_new(db);
    c->scratch = malloc(P2P_MAX_ADDR * sizeof *c->scratch);
    c->cfg.peer.scratch = c->scratch;
    c->tick = event_new(base, -1, EV_PERSIST, on_tick, c);
    c->flush = event_new(base, -1, EV_PERSIST, on_flush, c);
    c->reseed = event_new(base, -1, EV_PERSIST, on_reseed, c);
    c->snapshot = event_new(base, -1, EV_PERSIST, on_snapshot, c);
    if (!c->table || !c->agents || !c->store || !c->scratch || !c->tick || !c->flush || !c->reseed ||
        !c->snapshot) {
        snprintf(err, errlen, "out of memory");
        crawl_free(c);
        return NULL;
    }
    if (!cfg->no_seeds) {
        struct crawl_seeds_config sc = {.resolver = cfg->resolver,
                                        .port = cfg->chain->default_port};
        if (crawl_seeds_new(base, &sc, on_seed_addr, on_seed_done, c, &c->seeds, err, errlen) < 0) {
            crawl_free(c);
            return NULL;
        }
    }
    if (nodedb_load(db, load_node, c) != 0) {
        snprintf(err, errlen, "cannot load the node database: %s", nodedb_errmsg(db));
        crawl_free(c);
        return NULL;
    }
    update_best_height(c);
    return c;
}

int crawl_start(crawl_t *c)
{
    clock_gettime(CLOCK_MONOTONIC, &c->started);
    for (size_t i = 0; i < c->cfg.n_connect; i++) {
        if (!crawl_may_dial(c, &c->cfg.connect[i])) {
            char text[NETADDR_STRLEN];
            netaddr_format(&c->cfg.connect[i], text, sizeof text);
            log_warn("--connect %s: not dialed (%s); --allow-net opens a range", text,
                     crawl_policy_may_store(&c->cfg, &c->cfg.connect[i])
                         ? "no proxy for its network"
                         : "not publicly routable");
            c->counters.refused_to_dial++;
            continue;
        }
        struct crawl_store_origin origin = {.seed = "--connect"};
        learn(c, &c->cfg.connect[i], CRAWL_NONE, 0, now_s(), NODEDB_SOURCE_CONNECT, &origin);
    }
    resolve_seeds(c);
    clock_gettime(CLOCK_MONOTONIC, &c->last_tick);
    struct timeval tick = {0, TICK_MS * 1000};
    struct timeval flush = {c->cfg.flush_interval_ms / 1000, (c->cfg.flush_interval_ms % 1000) * 1000};
    struct timeval reseed = {60, 0};
    event_add(c->tick, &tick);
    event_add(c->flush, &flush);
    if (!c->cfg.once)
        event_add(c->reseed, &reseed);
    c->snapshot_at = c->last_tick;
    if (c->cfg.snapshot_interval_s) {
        struct timeval snap = {c->cfg.snapshot_interval_s, 0};
        event_add(c->snapshot, &snap);
    }
    finish_if_done(c);
    return 0;
}

void crawl_stop(crawl_t *c)
{
    if (c->stopping)
        return;
    c->stopping = true;
    crawl_seeds_free(c->seeds); /* cancels what is pending */
    c->seeds = NULL;
    c->seeding = false;
    /* Visits cut short are not results: the nodes keep their old records. */
    while (c->visits) {
        struct visit *v = c->visits;
        unlink_visit(c, v);
        struct crawl_node *n = crawl_table_get(c->table, v->node);
        n->flags &= (uint8_t)~CRAWL_NODE_IN_FLIGHT;
        crawl_peer_abort(v->peer);
        free(v);
    }
    finish_if_done(c);
}

bool crawl_finished(const crawl_t *c) { return c->finished; }

void crawl_on_finished(crawl_t *c, void (*fn)(void *ctx), void *ctx)
{
    c->on_finished = fn;
    c->on_finished_ctx = ctx;
}

struct count_ctx {
    struct crawl_counters *out;
};

static void count_node(struct crawl_node *n, uint32_t index, void *ctx)
{
    struct crawl_counters *out = ((struct count_ctx *)ctx)->out;
    unsigned net = n->addr.net < 7 ? n->addr.net : 0;
    out->known_by_net[net]++;
    if (n->flags & CRAWL_NODE_VISITED) {
        out->tried++;
        out->tried_by_net[net]++;
    }
    if (n->flags & CRAWL_NODE_REACHED) {
        out->reachable++;
        out->reachable_by_net[net]++;
    }
    if (n->flags & CRAWL_NODE_GOOD)
        out->good_by_net[net]++;
}

void crawl_counters(const crawl_t *c, struct crawl_counters *out)
{
    *out = c->counters;
    out->known = crawl_table_count(c->table);
    out->queued = crawl_table_queued(c->table);
    out->in_flight = c->in_flight;
    out->good = c->good;
    out->tried = out->reachable = 0;
    struct count_ctx ctx = {out};
    crawl_table_each(c->table, count_node, &ctx);
    out->memory = crawl_table_memory(c->table);
}

double crawl_reached_after(const crawl_t *c, double fraction)
{
    if (c->n_ok == 0 || fraction <= 0 || fraction > 1)
        return -1;
    size_t i = (size_t)ceil(fraction * (double)c->n_ok); /* >= 1 */
    return c->ok_ms[i - 1] / 1000.0;
}

struct good_ctx {
    struct nodedb_good_node *nodes;
    size_t n;
};

static void collect_good(struct crawl_node *n, uint32_t index, void *ctx)
{
    struct good_ctx *g = ctx;
    if (n->flags & CRAWL_NODE_GOOD)
        g->nodes[g->n++] = (struct nodedb_good_node){n->addr, n->services};
}

int crawl_good_nodes(const crawl_t *c, struct nodedb_good_node **nodes, size_t *count)
{
    struct good_ctx g = {malloc((c->good + 1) * sizeof *g.nodes), 0};
    if (!g.nodes)
        return -1;
    crawl_table_each(c->table, collect_good, &g);
    *nodes = g.nodes;
    *count = g.n;
    return 0;
}

void crawl_free(crawl_t *c)
{
    if (!c)
        return;
    while (c->visits) {
        struct visit *v = c->visits;
        c->visits = v->next;
        crawl_peer_abort(v->peer);
        free(v);
    }
    crawl_seeds_free(c->seeds);
    if (c->tick)
        event_free(c->tick);
    if (c->flush)
        event_free(c->flush);
    if (c->reseed)
        event_free(c->reseed);
    if (c->snapshot)
        event_free(c->snapshot);
    crawl_store_free(c->store);
    free(c->scratch);
    crawl_agents_free(c->agents);
    crawl_table_free(c->table);
    free(c->dirty);
    free(c->ok_ms);
    free(c);
}
