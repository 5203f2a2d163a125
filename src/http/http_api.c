#include "http/http_api.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "http/http_json.h"
#include "http/http_query.h"
#include "nodedb/nodedb_good.h"

/* Longest address text accepted in /api/v1/node/<addr>. */
#define HTTP_MAX_ADDR_TEXT 128

void http_api_error(struct evbuffer *out, const char *message)
{
    struct http_json j;
    http_json_init(&j, out);
    http_json_object(&j);
    http_json_key(&j, "error");
    http_json_string(&j, message);
    http_json_end(&j);
}

static void member_uint(struct http_json *j, const char *key, uint64_t v)
{
    http_json_key(j, key);
    http_json_uint(j, v);
}

static int database_error(struct evbuffer *out, nodedb_t *db)
{
    char msg[512];
    snprintf(msg, sizeof msg, "database: %s", nodedb_errmsg(db));
    evbuffer_drain(out, evbuffer_get_length(out));
    http_api_error(out, msg);
    return HTTP_INTERNAL_ERROR;
}

static void counts(struct http_json *j, const struct nodedb_counts *c)
{
    http_json_object(j);
    member_uint(j, "known", c->known);
    member_uint(j, "tried", c->tried);
    member_uint(j, "reachable", c->reachable);
    member_uint(j, "good", c->good);
    http_json_end(j);
}

/* {"ipv4":{...},"ipv6":{...},...} */
static void networks(struct http_json *j, const struct nodedb_totals *t)
{
    http_json_object(j);
    for (int i = 0; i < NODEDB_NETS; i++) {
        http_json_key(j, netaddr_net_name(nodedb_net_of_index(i)));
        counts(j, &t->net[i]);
    }
    http_json_end(j);
}

static void snapshot(struct http_json *j, const struct nodedb_snapshot *s)
{
    http_json_object(j);
    http_json_key(j, "time");
    http_json_int(j, s->time);
    member_uint(j, "known", s->totals.all.known);
    member_uint(j, "tried", s->totals.all.tried);
    member_uint(j, "reachable", s->totals.all.reachable);
    member_uint(j, "good", s->totals.all.good);
    http_json_key(j, "crawl_rate");
    http_json_double(j, s->crawl_rate);
    http_json_key(j, "dns_rate");
    http_json_double(j, s->dns_rate);
    member_uint(j, "dns_queries", s->dns_queries);
    http_json_key(j, "networks");
    networks(j, &s->totals);
    http_json_end(j);
}

static void tallies(struct http_json *j, const struct http_tally *t, size_t n)
{
    http_json_array(j);
    for (size_t i = 0; i < n; i++) {
        http_json_object(j);
        http_json_key(j, "name");
        http_json_string(j, t[i].label);
        member_uint(j, "nodes", t[i].n);
        http_json_end(j);
    }
    http_json_end(j);
}

int http_api_summary(struct evbuffer *out, const struct http_overview *o,
                     const chain_params_t *chain)
{
    struct http_json j;
    http_json_init(&j, out);
    http_json_object(&j);
    http_json_key(&j, "version");
    http_json_string(&j, BTCSEED_VERSION);
    http_json_key(&j, "chain");
    http_json_string(&j, chain->name);
    http_json_key(&j, "generated");
    http_json_int(&j, o->generated);
    http_json_key(&j, "best_height");
    http_json_int(&j, o->best_height);
    http_json_key(&j, "totals");
    counts(&j, &o->totals.all);
    http_json_key(&j, "networks");
    networks(&j, &o->totals);
    http_json_key(&j, "latest_snapshot");
    if (o->nsnapshots)
        snapshot(&j, &o->snapshots[o->nsnapshots - 1]);
    else
        http_json_null(&j);
    http_json_key(&j, "user_agents");
    tallies(&j, o->agents, o->nagents);
    http_json_key(&j, "protocol_versions");
    tallies(&j, o->versions, o->nversions);
    http_json_key(&j, "services");
    http_json_object(&j);
    for (int i = 0; i < HTTP_SERVICES; i++) {
        http_json_key(&j, http_service_bits[i].name);
        http_json_uint(&j, o->services[i]);
    }
    http_json_end(&j);
    http_json_key(&j, "heights");
    http_json_object(&j);
    for (int i = 0; i < HTTP_HEIGHT_BANDS; i++) {
        http_json_key(&j, http_height_band_names[i]);
        http_json_uint(&j, o->heights[i]);
    }
    http_json_end(&j);
    http_json_end(&j);
    return HTTP_OK;
}

/* The fields every node object has; leaves the object open for more. */
static void node_fields(struct http_json *j, const struct nodedb_node *n)
{
    char text[NETADDR_STRLEN], hex[20];
    netaddr_format(&n->addr, text, sizeof text);
    snprintf(hex, sizeof hex, "%016" PRIx64, n->h.services);
    http_json_object(j);
    http_json_key(j, "address");
    http_json_string(j, text);
    http_json_key(j, "network");
    http_json_string(j, netaddr_net_name(n->addr.net));
    http_json_key(j, "good");
    http_json_bool(j, n->good);
    http_json_key(j, "reachable");
    http_json_bool(j, http_node_reachable(n));
    http_json_key(j, "protocol");
    http_json_int(j, n->h.protocol);
    http_json_key(j, "user_agent");
    http_json_string(j, n->user_agent);
    member_uint(j, "services", n->h.services);
    http_json_key(j, "services_hex");
    http_json_string(j, hex);
    http_json_key(j, "height");
    http_json_int(j, n->h.height);
    const struct {
        const char *name;
        uint32_t v;
    } times[] = {{"first_seen", n->h.first_seen},     {"last_seen", n->h.last_seen},
                 {"last_try", n->h.last_try},         {"last_success", n->h.last_success},
                 {"tries", n->h.tries},               {"successes", n->h.successes},
                 {"fail_streak", n->h.fail_streak},   {"ban_until", n->h.ban_until}};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        http_json_key(j, times[i].name);
        http_json_uint(j, times[i].v);
    }
    http_json_key(j, "source");
    http_json_string(j, nodedb_source_name(n->source));
    http_json_key(j, "source_name");
    http_json_string(j, n->source_name);
    http_json_key(j, "uptime");
    http_json_object(j);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        http_json_key(j, nodedb_window_name(w));
        http_json_double(j, nodedb_stats_uptime(&n->h.stats, w));
    }
    http_json_end(j);
}

struct page {
    struct http_json *j;
    const struct http_nodes_query *q;
    uint64_t total;
    bool window_in_sql; /* the database applied offset and limit */
};

static int page_node(const struct nodedb_node *n, void *ctx)
{
    struct page *p = ctx;
    if (p->q->good == 0 && n->good)
        return 0;
    if (p->window_in_sql) {
        node_fields(p->j, n);
        http_json_end(p->j);
        return 0;
    }
    uint64_t index = p->total++;
    if (index >= p->q->offset && index - p->q->offset < p->q->limit) {
        node_fields(p->j, n);
        http_json_end(p->j);
    }
    return 0;
}

static int count_node(const struct nodedb_node *n, void *ctx)
{
    (*(uint64_t *)ctx)++;
    return 0;
}

/* The number of nodes matching f (good = 1 or any), from the per-network
 * totals when no service bits are asked for, else by counting rows. */
static int count_matches(nodedb_t *db, const struct nodedb_filter *f, uint64_t *out)
{
    *out = 0;
    if (f->services) {
        struct nodedb_filter all = *f;
        all.order = NODEDB_ORDER_NONE;
        return nodedb_query(db, &all, count_node, out);
    }
    struct nodedb_totals t;
    if (nodedb_count(db, &t) != 0)
        return -1;
    int i = f->net ? nodedb_net_index(f->net) : -1;
    const struct nodedb_counts *c = i >= 0 ? &t.net[i] : &t.all;
    *out = f->good_only ? c->good : c->known;
    return 0;
}

int http_api_nodes(struct evbuffer *out, nodedb_t *db, const char *query)
{
    struct http_nodes_query q;
    char err[256];
    if (http_query_nodes(query, &q, err, sizeof err) != 0) {
        http_api_error(out, err);
        return HTTP_BAD_REQUEST;
    }
    /* Address order keeps pages stable between requests. The database cuts
     * the page out itself unless only nodes that are not good are wanted
     * (it has no such filter): then every row is visited. */
    struct nodedb_filter f = {
        .net = q.net, .good_only = q.good == 1, .services = q.services, .order = NODEDB_ORDER_ADDR};
    struct http_json j;
    struct page p = {&j, &q, 0, q.good != 0};
    if (p.window_in_sql) {
        if (count_matches(db, &f, &p.total) != 0)
            return database_error(out, db);
        f.limit = q.limit;
        f.offset = q.offset;
    }
    http_json_init(&j, out);
    http_json_object(&j);
    http_json_key(&j, "nodes");
    http_json_array(&j);
    if (nodedb_query(db, &f, page_node, &p) != 0)
        return database_error(out, db);
    http_json_end(&j);
    member_uint(&j, "total", p.total);
    member_uint(&j, "offset", q.offset);
    member_uint(&j, "limit", q.limit);
    http_json_end(&j);
    return HTTP_OK;
}

int http_api_snapshots(struct evbuffer *out, nodedb_t *db, const char *query)
{
    struct http_snapshots_query q;
    char err[256];
    if (http_query_snapshots(query, &q, err, sizeof err) != 0) {
        http_api_error(out, err);
        return HTTP_BAD_REQUEST;
    }
    struct nodedb_snapshot *rows = NULL;
    size_t n = 0;
    if (nodedb_snapshots(db, q.since, q.limit, &rows, &n) != 0)
        return database_error(out, db);
    struct http_json j;
    http_json_init(&j, out);
    http_json_object(&j);
    http_json_key(&j, "snapshots");
    http_json_array(&j);
    for (size_t i = 0; i < n; i++)
        snapshot(&j, &rows[i]);
    http_json_end(&j);
    http_json_end(&j);
    free(rows);
    return HTTP_OK;
}

int http_api_node(struct evbuffer *out, nodedb_t *db, const char *addr_text,
                  const chain_params_t *chain, int32_t best_height, int64_t now)
{
    netaddr_t addr;
    if (strlen(addr_text) > HTTP_MAX_ADDR_TEXT ||
        netaddr_parse(addr_text, chain->default_port, &addr) != 0) {
        http_api_error(out, "not an address: use 1.2.3.4:8333, [2001:db8::1]:8333, "
                            "NAME.onion:8333 or NAME.b32.i2p:0");
        return HTTP_BAD_REQUEST;
    }
    struct nodedb_node n;
    int rc = nodedb_node_get(db, &addr, &n);
    if (rc == NODEDB_NOT_FOUND) {
        http_api_error(out, "no such node in the database");
        return HTTP_NOT_FOUND;
    }
    if (rc != NODEDB_OK)
        return database_error(out, db);
    struct http_json j;
    http_json_init(&j, out);
    node_fields(&j, &n);
    http_json_key(&j, "verdict");
    http_json_string(&j, nodedb_verdict_name(nodedb_judge(&n.h, &n.addr, chain, best_height, now)));
    http_json_key(&j, "tests");
    http_json_object(&j);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        http_json_key(&j, nodedb_window_name(w));
        http_json_double(&j, nodedb_stats_count(&n.h.stats, w));
    }
    http_json_end(&j);
    http_json_end(&j);
    return HTTP_OK;
}
