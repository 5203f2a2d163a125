/* crawl_table -- every address the crawler knows, in memory, with the queue
 * of what to test next.
 *
 * One array of compact records (indices are stable for a node's lifetime;
 * freed slots are reused), a hash index on the address and a binary min-heap
 * on the due time. This is the crawler's hot state, kept small on purpose:
 * with 100,000 known addresses it must stay well under 150 bytes per address,
 * so user agents are interned (crawl_agents) and the reliability
 * statistics are allocated only for nodes that were ever reached. */
#ifndef BTCSEED_CRAWL_TABLE_H
#define BTCSEED_CRAWL_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "nodedb/nodedb_stats.h"

#define CRAWL_NONE UINT32_MAX

enum crawl_node_flags {
    CRAWL_NODE_IN_FLIGHT = 1 << 0, /* a connection is open; not in the heap */
    CRAWL_NODE_VISITED = 1 << 1,   /* tried during this run (for --once) */
    CRAWL_NODE_GOOD = 1 << 2,
    CRAWL_NODE_REACHED = 1 << 3,   /* the last test succeeded */
    CRAWL_NODE_DIRTY = 1 << 4,     /* waiting for the next database write */
};

/* Fields ordered so that no padding is needed (112 bytes). */
struct crawl_node {
    netaddr_t addr;
    uint16_t fail_streak;  /* failed tests since the last success */
    uint8_t flags;
    uint8_t source;        /* enum nodedb_source */
    uint64_t services;
    uint32_t first_seen;   /* unix seconds; fine until 2106 */
    uint32_t last_seen;    /* newest gossip time */
    uint32_t last_tried;
    uint32_t last_success;
    uint32_t last_addrs;   /* when this node last answered getaddr */
    uint32_t due;          /* next test */
    uint32_t ban_until;
    uint32_t tries;
    uint32_t successes;
    int32_t version;
    int32_t height;
    uint32_t heap_pos;     /* CRAWL_NONE when not queued */
    uint32_t hash_next;    /* next index in the same bucket, or free-list link */
    uint16_t agent;        /* crawl_agents id of the user agent */
    struct nodedb_stats *stats; /* NULL until first reached; owned */
};

typedef struct crawl_table crawl_table_t;

/* Caller frees with crawl_table_free. Returns NULL on allocation failure. */
crawl_table_t *crawl_table_new(void);
void crawl_table_free(crawl_table_t *t);

size_t crawl_table_count(const crawl_table_t *t);
/* Index of the node with this address and port, or CRAWL_NONE. */
uint32_t crawl_table_find(const crawl_table_t *t, const netaddr_t *addr);
/* crawl_table_find for n addresses at once (an addr message's entries):
 * the address of entry i is at (const char *)first + i * stride; out[i] gets
 * its index or CRAWL_NONE. Much faster than n calls on a large table. */
void crawl_table_find_many(const crawl_table_t *t, const netaddr_t *first, size_t stride, size_t n,
                           uint32_t *out);
/* Adds a node (all fields zero but addr) and returns its index; if the address
 * is known returns its index and sets *added false. CRAWL_NONE if out of memory. */
uint32_t crawl_table_add(crawl_table_t *t, const netaddr_t *addr, bool *added);
/* Pointer valid until the next add (the array may move). */
struct crawl_node *crawl_table_get(crawl_table_t *t, uint32_t index);
/* Removes a node; it must not be in flight. */
void crawl_table_remove(crawl_table_t *t, uint32_t index);

/* Queue: insert or move node `index` to due time `due`. */
void crawl_table_schedule(crawl_table_t *t, uint32_t index, uint32_t due);
void crawl_table_unschedule(crawl_table_t *t, uint32_t index);
/* Index of the earliest-due node, or CRAWL_NONE if the queue is empty. */
uint32_t crawl_table_peek(const crawl_table_t *t);
size_t crawl_table_queued(const crawl_table_t *t);

/* The node's reliability statistics, allocated (zeroed) on first use; NULL
 * only when out of memory. */
struct nodedb_stats *crawl_table_stats(crawl_table_t *t, uint32_t index);

/* Bytes of memory the table holds (records, index, heap, statistics). */
size_t crawl_table_memory(const crawl_table_t *t);

/* Calls fn for every live node. */
void crawl_table_each(crawl_table_t *t, void (*fn)(struct crawl_node *n, uint32_t index, void *ctx),
                      void *ctx);

#endif
