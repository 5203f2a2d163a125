#include "http/http_overview.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodedb/nodedb_good.h"
#include "p2p/msg.h"
#include "util/errmsg.h"

const struct http_service_bit http_service_bits[HTTP_SERVICES] = {
    [HTTP_SVC_NETWORK] = {NODE_NETWORK, "NODE_NETWORK"},
    [HTTP_SVC_WITNESS] = {NODE_WITNESS, "NODE_WITNESS"},
    [HTTP_SVC_NETWORK_LIMITED] = {NODE_NETWORK_LIMITED, "NODE_NETWORK_LIMITED"},
    [HTTP_SVC_COMPACT_FILTERS] = {NODE_COMPACT_FILTERS, "NODE_COMPACT_FILTERS"},
    [HTTP_SVC_P2P_V2] = {NODE_P2P_V2, "NODE_P2P_V2"},
    [HTTP_SVC_BLOOM] = {NODE_BLOOM, "NODE_BLOOM"},
};

const char *const http_height_band_names[HTTP_HEIGHT_BANDS] = {
    [HTTP_HEIGHT_AHEAD] = "ahead of best",
    [HTTP_HEIGHT_TIP] = "at tip (0-1 behind)",
    [HTTP_HEIGHT_HOUR] = "2-6 behind",
    [HTTP_HEIGHT_DAY] = "7-144 behind",
    [HTTP_HEIGHT_WEEK] = "145-1008 behind",
    [HTTP_HEIGHT_FAR] = "more than 1008 behind",
};

enum http_height_band http_height_band(int32_t height, int32_t best)
{
    int64_t behind = (int64_t)best - height;
    if (behind < 0)
        return HTTP_HEIGHT_AHEAD;
    if (behind <= 1)
        return HTTP_HEIGHT_TIP;
    if (behind <= 6)
        return HTTP_HEIGHT_HOUR;
    if (behind <= 144)
        return HTTP_HEIGHT_DAY;
    if (behind <= 1008)
        return HTTP_HEIGHT_WEEK;
    return HTTP_HEIGHT_FAR;
}

bool http_node_reachable(const struct nodedb_node *n)
{
    return n->h.last_success > 0 && n->h.last_success >= n->h.last_try;
}

/* An open-addressing table of label -> count, bounded by HTTP_MAX_DISTINCT;
 * labels past the bound count in `overflow`. */
struct tally_map {
    struct tally_slot {
        char *label;
        uint64_t n;
    } *slots;
    size_t cap, used;
    uint64_t overflow;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * UINT64_C(1099511628211);
    return h;
}

static int tally_add(struct tally_map *m, const char *label)
{
    if (!m->slots) {
        m->cap = 2 * HTTP_MAX_DISTINCT; /* load factor stays <= 1/2 */
        m->slots = calloc(m->cap, sizeof *m->slots);
        if (!m->slots)
            return -1;
    }
    size_t i = fnv1a(label) & (m->cap - 1);
    while (m->slots[i].label) {
        if (strcmp(m->slots[i].label, label) == 0) {
            m->slots[i].n++;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
    if (m->used == HTTP_MAX_DISTINCT) {
        m->overflow++;
        return 0;
    }
    m->slots[i].label = strdup(label);
    if (!m->slots[i].label)
        return -1;
    m->slots[i].n = 1;
    m->used++;
    return 0;
}

static int tally_cmp(const void *a, const void *b)
{
    const struct tally_slot *x = a, *y = b;
    if (!x->label || !y->label)
        return !x->label - !y->label; /* empty slots last */
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->label, y->label);
}

/* The `top` largest entries into out[], then "other" with the rest. */
static size_t tally_top(struct tally_map *m, size_t top, struct http_tally *out)
{
    size_t n = 0;
    uint64_t other = m->overflow;
    if (m->slots) {
        qsort(m->slots, m->cap, sizeof *m->slots, tally_cmp);
        for (size_t i = 0; i < m->used; i++) {
            if (n < top) {
                snprintf(out[n].label, sizeof out[n].label, "%s", m->slots[i].label);
                out[n++].n = m->slots[i].n;
            } else {
                other += m->slots[i].n;
            }
        }
    }
    if (other) {
        snprintf(out[n].label, sizeof out[n].label, "other");
        out[n++].n = other;
    }
    return n;
}

static void tally_free(struct tally_map *m)
{
    for (size_t i = 0; m->slots && i < m->cap; i++)
        free(m->slots[i].label);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

struct scan {
    struct http_overview *o;
    struct tally_map agents, versions;
    int32_t *heights;
    size_t nheights, cap;
    bool oom;
};

static int scan_node(const struct nodedb_node *n, void *ctx)
{
    struct scan *s = ctx;
    if (!http_node_reachable(n))
        return 0;
    s->o->reachable++;
    char version[16];
    snprintf(version, sizeof version, "%d", (int)n->h.protocol);
    if (tally_add(&s->agents, n->user_agent) != 0 || tally_add(&s->versions, version) != 0) {
        s->oom = true;
        return 1;
    }
    for (int i = 0; i < HTTP_SERVICES; i++)
        if (n->h.services & http_service_bits[i].bit)
            s->o->services[i]++;
    if (s->nheights == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        int32_t *h = realloc(s->heights, cap * sizeof *h);
        if (!h) {
            s->oom = true;
            return 1;
        }
        s->heights = h;
        s->cap = cap;
    }
    s->heights[s->nheights++] = n->h.height;
    return 0;
}

static int add_recent(const struct nodedb_node *n, void *ctx)
{
    struct http_overview *o = ctx;
    if (o->nrecent < HTTP_RECENT_NODES)
        o->recent[o->nrecent++] = *n;
    return 0;
}

int http_overview_load(nodedb_t *db, int64_t now, struct http_overview *out, char *err,
                       size_t errsize)
{
    memset(out, 0, sizeof *out);
    out->generated = now;
    struct scan s = {.o = out};
    int rc = -1;
    if (nodedb_count(db, &out->totals) != 0) {
        errmsg_set(err, errsize, "counting nodes: %s", nodedb_errmsg(db));
        goto out;
    }
    const struct nodedb_filter reached = {.reached_only = true};
    int q = nodedb_query(db, &reached, scan_node, &s);
    if (s.oom || q != 0) {
        errmsg_set(err, errsize, "scanning nodes: %s",
                   s.oom ? "out of memory" : nodedb_errmsg(db));
        goto out;
    }
    out->best_height = nodedb_best_height(s.heights, s.nheights);
    for (size_t i = 0; i < s.nheights; i++)
        out->heights[http_height_band(s.heights[i], out->best_height)]++;
    out->nagents = tally_top(&s.agents, HTTP_TOP_AGENTS, out->agents);
    out->nversions = tally_top(&s.versions, HTTP_TOP_VERSIONS, out->versions);

    const struct nodedb_filter recent = {
        .reached_only = true, .order = NODEDB_ORDER_LAST_SUCCESS, .limit = HTTP_RECENT_NODES};
    if (nodedb_query(db, &recent, add_recent, out) != 0) {
        errmsg_set(err, errsize, "recent nodes: %s", nodedb_errmsg(db));
        goto out;
    }
    if (nodedb_snapshots(db, now - HTTP_SERIES_SECONDS, HTTP_SERIES_MAX_ROWS, &out->snapshots,
                         &out->nsnapshots) != 0) {
        errmsg_set(err, errsize, "snapshots: %s", nodedb_errmsg(db));
        goto out;
    }
    rc = 0;
out:
    tally_free(&s.agents);
    tally_free(&s.versions);
    free(s.heights);
    if (rc != 0)
        http_overview_clear(out);
    return rc;
}

void http_overview_clear(struct http_overview *o)
{
    if (!o)
        return;
    free(o->snapshots);
    memset(o, 0, sizeof *o);
}
