#include "crawl/crawl_table.h"

#include <stdlib.h>
#include <string.h>

/* The table's size per address is a figure the crawler is judged by. */
_Static_assert(sizeof(struct crawl_node) <= 112, "crawl_node grew");

struct crawl_table {
    struct crawl_node *nodes; /* slots; a free slot has addr.net == 0 */
    uint32_t cap;             /* slots allocated */
    uint32_t used;            /* slots ever handed out (high-water mark) */
    uint32_t live;            /* nodes present */
    uint32_t free_head;       /* free-slot list through hash_next */
    uint32_t *buckets;        /* hash index: first node of each bucket */
    uint32_t nbuckets;        /* power of two */
    uint32_t *heap;           /* node indices, min-heap on nodes[].due */
    uint32_t heap_len;
    uint32_t heap_cap;
    size_t stats_count;
};

crawl_table_t *crawl_table_new(void)
{
    crawl_table_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->free_head = CRAWL_NONE;
    t->nbuckets = 1024;
    t->buckets = malloc(t->nbuckets * sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    memset(t->buckets, 0xff, t->nbuckets * sizeof *t->buckets);
    return t;
}

void crawl_table_free(crawl_table_t *t)
{
    if (!t)
        return;
    for (uint32_t i = 0; i < t->used; i++)
        free(t->nodes[i].stats);
    free(t->nodes);
    free(t->buckets);
    free(t->heap);
    free(t);
}

size_t crawl_table_count(const crawl_table_t *t) { return t->live; }

static uint32_t bucket_of(const crawl_table_t *t, const netaddr_t *addr)
{
    uint64_t h = netaddr_hash(addr) ^ (uint64_t)addr->port * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
    return (uint32_t)h & (t->nbuckets - 1);
}

/* netaddr_equal_port for the look-up loops, where a call per compared
 * node shows: port and network first, then the significant bytes with a
 * constant length for the common networks (so the compare is inlined). */
static inline bool same_key(const netaddr_t *a, const netaddr_t *b)
{
    if (a->port != b->port || a->net != b->net)
        return false;
    switch (a->net) {
    case NETADDR_IPV4: return memcmp(a->bytes, b->bytes, 4) == 0;
    case NETADDR_IPV6:
    case NETADDR_CJDNS: return memcmp(a->bytes, b->bytes, 16) == 0;
    default: return memcmp(a->bytes, b->bytes, netaddr_len(a->net)) == 0;
    }
}

/* Walks a bucket's chain from node `i`. */
static uint32_t find_from(const crawl_table_t *t, uint32_t i, const netaddr_t *addr)
{
    for (; i != CRAWL_NONE; i = t->nodes[i].hash_next)
        if (same_key(&t->nodes[i].addr, addr))
            return i;
    return CRAWL_NONE;
}

uint32_t crawl_table_find(const crawl_table_t *t, const netaddr_t *addr)
{
    return find_from(t, t->buckets[bucket_of(t, addr)], addr);
}

#define FIND_MANY_BATCH 128

static const netaddr_t *nth(const netaddr_t *first, size_t stride, size_t i)
{
    return (const netaddr_t *)((const char *)first + i * stride);
}

static void prefetch_node(const crawl_table_t *t, uint32_t i)
{
    const char *node = (const char *)&t->nodes[i];
    __builtin_prefetch(node);
    __builtin_prefetch(node + sizeof(struct crawl_node) - 1);
}

void crawl_table_find_many(const crawl_table_t *t, const netaddr_t *first, size_t stride, size_t n,
                           uint32_t *out)
{
    /* A table larger than the caches makes each look-up wait for memory:
     * its bucket, then each node of the bucket's chain in turn. In passes
     * over a batch, the reads of all the batch's look-ups at the same step
     * are in flight at once instead of one after the other. */
    uint32_t cand[FIND_MANY_BATCH];
    uint16_t open[FIND_MANY_BATCH];
    for (size_t base = 0; base < n; base += FIND_MANY_BATCH) {
        size_t k = n - base < FIND_MANY_BATCH ? n - base : FIND_MANY_BATCH;
        for (size_t i = 0; i < k; i++) {
            cand[i] = bucket_of(t, nth(first, stride, base + i));
            __builtin_prefetch(&t->buckets[cand[i]]);
        }
        for (size_t i = 0; i < k; i++) {
            cand[i] = t->buckets[cand[i]];
            if (cand[i] != CRAWL_NONE)
                prefetch_node(t, cand[i]);
            open[i] = (uint16_t)i;
        }
        /* Each pass settles the look-ups whose candidate is the node they
         * want or the end of the chain, and moves the others one node on. */
        for (size_t n_open = k; n_open > 0;) {
            size_t still = 0;
            for (size_t j = 0; j < n_open; j++) {
                size_t i = open[j];
                uint32_t c = cand[i];
                if (c == CRAWL_NONE || same_key(&t->nodes[c].addr, nth(first, stride, base + i))) {
                    out[base + i] = c;
                    continue;
                }
                cand[i] = t->nodes[c].hash_next;
                if (cand[i] != CRAWL_NONE)
                    prefetch_node(t, cand[i]);
                open[still++] = (uint16_t)i;
            }
            n_open = still;
        }
    }
}

static int grow_buckets(crawl_table_t *t)
{
    uint32_t n = t->nbuckets * 2;
    uint32_t *b = malloc(n * sizeof *b);
    if (!b)
        return -1;
    memset(b, 0xff, n * sizeof *b);
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
    for (uint32_t i = 0; i < t->used; i++) {
        struct crawl_node *node = &t->nodes[i];
        if (node->addr.net == 0)
            continue;
        uint32_t bk = bucket_of(t, &node->addr);
        node->hash_next = b[bk];
        b[bk] = i;
    }
    return 0;
}

static uint32_t take_slot(crawl_table_t *t)
{
    if (t->free_head != CRAWL_NONE) {
        uint32_t i = t->free_head;
        t->free_head = t->nodes[i].hash_next;
        return i;
    }
    if (t->used == t->cap) {
        /* Grow by half: amortised O(1) without doubling the peak. */
        uint32_t cap = t->cap ? t->cap + t->cap / 2 : 1024;
        struct crawl_node *nodes = realloc(t->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes)
            return CRAWL_NONE;
        t->nodes = nodes;
        t->cap = cap;
    }
    return t->used++;
}

uint32_t crawl_table_add(crawl_table_t *t, const netaddr_t *addr, bool *added)
{
    uint32_t found = crawl_table_find(t, addr);
    if (found != CRAWL_NONE) {
        if (added)
            *added = false;
        return found;
    }
    if (t->live >= t->nbuckets && grow_buckets(t) < 0)
        return CRAWL_NONE;
    uint32_t i = take_slot(t);
    if (i == CRAWL_NONE)
        return CRAWL_NONE;
    struct crawl_node *node = &t->nodes[i];
    memset(node, 0, sizeof *node);
    node->addr = *addr;
    node->heap_pos = CRAWL_NONE;
    uint32_t bk = bucket_of(t, addr);
    node->hash_next = t->buckets[bk];
    t->buckets[bk] = i;
    t->live++;
    if (added)
        *added = true;
    return i;
}

struct crawl_node *crawl_table_get(crawl_table_t *t, uint32_t index)
{
    return index < t->used && t->nodes[index].addr.net ? &t->nodes[index] : NULL;
}

void crawl_table_remove(crawl_table_t *t, uint32_t index)
{
    struct crawl_node *node = crawl_table_get(t, index);
    if (!node)
        return;
    crawl_table_unschedule(t, index);
    uint32_t *link = &t->buckets[bucket_of(t, &node->addr)];
    while (*link != index)
        link = &t->nodes[*link].hash_next;
    *link = node->hash_next;
    if (node->stats)
        t->stats_count--;
    free(node->stats);
    memset(node, 0, sizeof *node);
    node->heap_pos = CRAWL_NONE;
    node->hash_next = t->free_head;
    t->free_head = index;
    t->live--;
}

/* ---- min-heap on due time ---- */

static bool earlier(const crawl_table_t *t, uint32_t a, uint32_t b)
{
    return t->nodes[t->heap[a]].due < t->nodes[t->heap[b]].due;
}

static void heap_swap(crawl_table_t *t, uint32_t a, uint32_t b)
{
    uint32_t tmp = t->heap[a];
    t->heap[a] = t->heap[b];
    t->heap[b] = tmp;
    t->nodes[t->heap[a]].heap_pos = a;
    t->nodes[t->heap[b]].heap_pos = b;
}

static void sift_up(crawl_table_t *t, uint32_t pos)
{
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!earlier(t, pos, parent))
            break;
        heap_swap(t, pos, parent);
        pos = parent;
    }
}

static void sift_down(crawl_table_t *t, uint32_t pos)
{
    for (;;) {
        uint32_t l = 2 * pos + 1, r = l + 1, best = pos;
        if (l < t->heap_len && earlier(t, l, best))
            best = l;
        if (r < t->heap_len && earlier(t, r, best))
            best = r;
        if (best == pos)
            return;
        heap_swap(t, pos, best);
        pos = best;
    }
}

void crawl_table_schedule(crawl_table_t *t, uint32_t index, uint32_t due)
{
    struct crawl_node *node = &t->nodes[index];
    node->due = due;
    if (node->heap_pos == CRAWL_NONE) {
        if (t->heap_len == t->heap_cap) {
            uint32_t cap = t->heap_cap ? t->heap_cap + t->heap_cap / 2 : 1024;
            uint32_t *h = realloc(t->heap, (size_t)cap * sizeof *h);
            if (!h)
                return; /* stays unscheduled; the caller's node is simply not retried */
            t->heap = h;
            t->heap_cap = cap;
        }
        node->heap_pos = t->heap_len;
        t->heap[t->heap_len++] = index;
    }
    sift_up(t, node->heap_pos);
    sift_down(t, node->heap_pos);
}

void crawl_table_unschedule(crawl_table_t *t, uint32_t index)
{
    struct crawl_node *node = &t->nodes[index];
    uint32_t pos = node->heap_pos;
    if (pos == CRAWL_NONE)
        return;
    node->heap_pos = CRAWL_NONE;
    t->heap_len--;
    if (pos == t->heap_len)
        return;
    uint32_t moved = t->heap[t->heap_len];
    t->heap[pos] = moved;
    t->nodes[moved].heap_pos = pos;
    sift_up(t, pos);
    sift_down(t, t->nodes[moved].heap_pos);
}

uint32_t crawl_table_peek(const crawl_table_t *t) { return t->heap_len ? t->heap[0] : CRAWL_NONE; }

size_t crawl_table_queued(const crawl_table_t *t) { return t->heap_len; }

struct nodedb_stats *crawl_table_stats(crawl_table_t *t, uint32_t index)
{
    struct crawl_node *node = &t->nodes[index];
    if (!node->stats) {
        node->stats = calloc(1, sizeof *node->stats);
        if (node->stats)
            t->stats_count++;
    }
    return node->stats;
}

size_t crawl_table_memory(const crawl_table_t *t)
{
    return sizeof *t + (size_t)t->cap * sizeof *t->nodes + (size_t)t->nbuckets * sizeof *t->buckets +
           (size_t)t->heap_cap * sizeof *t->heap + t->stats_count * sizeof(struct nodedb_stats);
}

void crawl_table_each(crawl_table_t *t, void (*fn)(struct crawl_node *n, uint32_t index, void *ctx),
                      void *ctx)
{
    for (uint32_t i = 0; i < t->used; i++)
        if (t->nodes[i].addr.net)
            fn(&t->nodes[i], i, ctx);
}
