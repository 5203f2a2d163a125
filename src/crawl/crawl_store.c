#include "crawl/crawl_store.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per transaction: large enough that SQLite's per-commit cost vanishes,
 * small enough that the row buffer stays under a megabyte. */
#define ROWS_PER_BATCH 1024

struct crawl_store {
    nodedb_t *db;
    struct nodedb_node *rows; /* ROWS_PER_BATCH */
    struct crawl_store_origin *origins;
    size_t n_origins, cap_origins;
    struct pending *pending; /* the batch being written, in key order */
    size_t cap_pending;
    netaddr_t *forgotten;    /* rows to delete with the next batch */
    size_t n_forgotten, cap_forgotten;
};

crawl_store_t *crawl_store_new(nodedb_t *db)
{
    crawl_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->db = db;
    s->rows = malloc(ROWS_PER_BATCH * sizeof *s->rows);
    if (!s->rows) {
        free(s);
        return NULL;
    }
    return s;
}

void crawl_store_free(crawl_store_t *s)
{
    if (!s)
        return;
    free(s->rows);
    free(s->origins);
    free(s->pending);
    free(s->forgotten);
    free(s);
}

void crawl_store_health(crawl_table_t *t, uint32_t index, struct nodedb_health *h)
{
    const struct crawl_node *n = crawl_table_get(t, index);
    memset(h, 0, sizeof *h);
    if (n->stats)
        h->stats = *n->stats;
    h->first_seen = n->first_seen;
    h->last_seen = n->last_seen;
    h->last_try = n->last_tried;
    h->last_success = n->last_success;
    h->ban_until = n->ban_until;
    h->tries = n->tries;
    h->successes = n->successes;
    h->fail_streak = n->fail_streak;
    h->protocol = n->version;
    h->height = n->height;
    h->services = n->services;
}

void crawl_store_set_health(crawl_table_t *t, uint32_t index, const struct nodedb_health *h)
{
    /* Statistics are kept for nodes that answered at least once. Most
     * addresses never do, and for them the windows would only count
     * failures: the retry back-off already spaces their tests (the
     * stats-based bans need more tests than it allows before they are
     * forgotten), and their uptime is 0% either way. Each row still gets
     * the current test's figures. */
    if (h->successes) {
        struct nodedb_stats *stats = crawl_table_stats(t, index);
        if (stats)
            *stats = h->stats;
    }
    struct crawl_node *n = crawl_table_get(t, index);
    n->first_seen = h->first_seen;
    n->last_seen = h->last_seen;
    n->last_tried = h->last_try;
    n->last_success = h->last_success;
    n->ban_until = h->ban_until;
    n->tries = h->tries;
    n->successes = h->successes;
    n->fail_streak = h->fail_streak;
    n->version = h->protocol;
    n->height = h->height;
    n->services = h->services;
}

void crawl_store_note_origin(crawl_store_t *s, const struct crawl_store_origin *o)
{
    if (s->n_origins == s->cap_origins) {
        size_t cap = s->cap_origins ? s->cap_origins * 2 : 1024;
        struct crawl_store_origin *p = realloc(s->origins, cap * sizeof *p);
        if (!p)
            return; /* the node is still written, only without its origin */
        s->origins = p;
        s->cap_origins = cap;
    }
    s->origins[s->n_origins++] = *o;
}

static void fill_origin(const struct crawl_store_origin *o, struct nodedb_node *row)
{
    if (o->seed)
        snprintf(row->source_name, sizeof row->source_name, "%s", o->seed);
    else if (o->peer.net)
        netaddr_format(&o->peer, row->source_name, sizeof row->source_name);
}

static int put_rows(crawl_store_t *s, size_t n)
{
    return n == 0 || nodedb_put_nodes(s->db, s->rows, n) == NODEDB_OK ? 0 : -1;
}

/* One node to write, with the origin noted when it was learned. */
struct pending {
    uint32_t node;
    uint32_t origin; /* index into origins, or NO_ORIGIN */
};

#define NO_ORIGIN UINT32_MAX

/* The order of the table's primary key (net, addr, port). */
static int by_key(const void *pa, const void *pb, void *ctx)
{
    crawl_table_t *t = ctx;
    const netaddr_t *a = &crawl_table_get(t, ((const struct pending *)pa)->node)->addr;
    const netaddr_t *b = &crawl_table_get(t, ((const struct pending *)pb)->node)->addr;
    if (a->net != b->net)
        return a->net < b->net ? -1 : 1;
    int c = memcmp(a->bytes, b->bytes, netaddr_len(a->net));
    if (c)
        return c;
    return a->port < b->port ? -1 : a->port > b->port;
}

int crawl_store_write(crawl_store_t *s, crawl_table_t *t, const crawl_agents_t *agents,
                      const uint32_t *indices, size_t n)
{
    /* Deletions first: a node forgotten and learned again since the last
     * batch is among the rows written below. */
    if (s->n_forgotten) {
        if (nodedb_delete(s->db, s->forgotten, s->n_forgotten) != NODEDB_OK)
            return -1;
        s->n_forgotten = 0;
    }
    if (n > s->cap_pending) {
        struct pending *p = realloc(s->pending, n * sizeof *p);
        if (!p)
            return -1;
        s->pending = p;
        s->cap_pending = n;
    }
    /* New nodes were queued for writing in the order their origins were
     * noted, so one walk along both lists pairs them. */
    size_t next_origin = 0, live = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t origin = NO_ORIGIN;
        if (next_origin < s->n_origins && s->origins[next_origin].node == indices[i])
            origin = (uint32_t)next_origin++;
        if (crawl_table_get(t, indices[i]))
            s->pending[live++] = (struct pending){indices[i], origin};
    }
    /* In key order, each B-tree page is loaded and changed once per batch
     * instead of once per row: a batch of random addresses in a table much
     * larger than SQLite's cache otherwise costs a page read and a page
     * write per row. */
    qsort_r(s->pending, live, sizeof *s->pending, by_key, t);
    size_t filled = 0;
    for (size_t i = 0; i < live; i++) {
        uint32_t index = s->pending[i].node;
        struct crawl_node *node = crawl_table_get(t, index);
        node->flags &= (uint8_t)~CRAWL_NODE_DIRTY;
        struct nodedb_node *row = &s->rows[filled];
        memset(row, 0, offsetof(struct nodedb_node, source_name) + 1);
        row->addr = node->addr;
        crawl_store_health(t, index, &row->h);
        row->good = node->flags & CRAWL_NODE_GOOD;
        row->source = node->source;
        snprintf(row->user_agent, sizeof row->user_agent, "%s", crawl_agents_get(agents, node->agent));
        if (s->pending[i].origin != NO_ORIGIN)
            fill_origin(&s->origins[s->pending[i].origin], row);
        if (++filled == ROWS_PER_BATCH) {
            if (put_rows(s, filled) < 0)
                return -1;
            filled = 0;
        }
    }
    if (put_rows(s, filled) < 0)
        return -1;
    s->n_origins = 0;
    return 0;
}

int crawl_store_forget(crawl_store_t *s, const netaddr_t *addr)
{
    if (s->n_forgotten == s->cap_forgotten) {
        size_t cap = s->cap_forgotten ? s->cap_forgotten * 2 : 256;
        netaddr_t *f = realloc(s->forgotten, cap * sizeof *f);
        if (!f)
            return -1; /* the row stays; the address is forgotten in memory only */
        s->forgotten = f;
        s->cap_forgotten = cap;
    }
    s->forgotten[s->n_forgotten++] = *addr;
    return 0;
}

bool crawl_store_pending(const crawl_store_t *s) { return s->n_forgotten > 0; }

uint32_t crawl_store_load_row(crawl_table_t *t, crawl_agents_t *agents,
                              const struct nodedb_node *row)
{
    uint32_t index = crawl_table_add(t, &row->addr, NULL);
    if (index == CRAWL_NONE)
        return CRAWL_NONE;
    crawl_store_set_health(t, index, &row->h);
    struct crawl_node *n = crawl_table_get(t, index);
    n->source = row->source;
    n->agent = crawl_agents_intern(agents, row->user_agent);
    if (row->good)
        n->flags |= CRAWL_NODE_GOOD;
    if (row->h.last_success && row->h.last_success == row->h.last_try)
        n->flags |= CRAWL_NODE_REACHED;
    return index;
}
