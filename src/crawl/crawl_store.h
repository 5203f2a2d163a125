/* crawl_store -- moves node records between the crawler's compact memory
 * form (crawl_table) and the node database (nodedb). */
#ifndef BTCSEED_CRAWL_STORE_H
#define BTCSEED_CRAWL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crawl/crawl_agents.h"
#include "crawl/crawl_table.h"
#include "nodedb/nodedb.h"

/* Where a node written for the first time came from. */
struct crawl_store_origin {
    uint32_t node;        /* table index of the new node */
    const char *seed;     /* the DNS seed name, or NULL */
    netaddr_t peer;       /* the gossiping peer when seed is NULL and peer.net != 0 */
};

typedef struct crawl_store crawl_store_t;

crawl_store_t *crawl_store_new(nodedb_t *db);
void crawl_store_free(crawl_store_t *s);

/* The node's record as the rules of nodedb_good.h read it. */
void crawl_store_health(crawl_table_t *t, uint32_t index, struct nodedb_health *h);
/* Writes a record back into the node (allocating its statistics if needed). */
void crawl_store_set_health(crawl_table_t *t, uint32_t index, const struct nodedb_health *h);

/* Remembers the origin of a node learned just now, for its first write. */
void crawl_store_note_origin(crawl_store_t *s, const struct crawl_store_origin *o);
/* Writes the given nodes (skipping indices that are no longer live) in
 * transactions of at most a few thousand rows. Returns 0 or -1 (see
 * nodedb_errmsg). */
int crawl_store_write(crawl_store_t *s, crawl_table_t *t, const crawl_agents_t *agents,
                      const uint32_t *indices, size_t n);
/* Queues a forgotten node's row for deletion with the next write (one
 * transaction per batch, never one per node). */
int crawl_store_forget(crawl_store_t *s, const netaddr_t *addr);
/* True if deletions wait for the next crawl_store_write. */
bool crawl_store_pending(const crawl_store_t *s);
/* Adds a database row to the table; returns its index or CRAWL_NONE. */
uint32_t crawl_store_load_row(crawl_table_t *t, crawl_agents_t *agents,
                              const struct nodedb_node *row);

#endif
