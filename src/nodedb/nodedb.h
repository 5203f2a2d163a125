/* nodedb -- the node database: one SQLite file in WAL mode holding every
 * address the crawler knows, what it learned testing each, and periodic
 * snapshot rows for the status page.
 *
 * The crawler keeps the live state in memory and writes it here in batches
 * (nodedb_put_nodes: one transaction per call); it reads everything back
 * with nodedb_load on restart. The DNS server, the exports and the status
 * page open their own handle (another thread or process) and read: WAL lets
 * them read while the crawler writes. A nodedb_t is used by one thread at a
 * time. After a crash or kill -9 at any moment the file opens cleanly and
 * holds every batch whose nodedb_put_nodes call returned 0.
 *
 * Schema versions (PRAGMA user_version): a database written by an older
 * btcseed is migrated in place when opened read-write, never discarded; a
 * newer one is refused. */
#ifndef BTCSEED_NODEDB_H
#define BTCSEED_NODEDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "nodedb/nodedb_stats.h"
#include "p2p/msg.h"

typedef struct nodedb nodedb_t;

enum nodedb_status {
    NODEDB_OK = 0,
    NODEDB_ERROR = -1,     /* see nodedb_errmsg */
    NODEDB_NOT_FOUND = -2, /* nodedb_node_get: no such node */
};

#define NODEDB_SCHEMA_VERSION 2

/* nodedb_open flags. */
#define NODEDB_CREATE 0x1   /* create the file if missing */
#define NODEDB_READONLY 0x2 /* read only: no writes, no migration */

/* Where an address was first learned. */
enum nodedb_source {
    NODEDB_SOURCE_UNKNOWN = 0,
    NODEDB_SOURCE_SEED = 1,    /* a DNS seed answer; source_name is the seed */
    NODEDB_SOURCE_PEER = 2,    /* addr/addrv2 gossip; source_name is the peer */
    NODEDB_SOURCE_CONNECT = 3, /* --connect on the command line */
    NODEDB_SOURCE_DB = 4,      /* imported from another database */
};
/* "unknown", "seed", "peer", "connect", "db". */
const char *nodedb_source_name(uint8_t source);

#define NODEDB_SOURCE_NAME_MAX 255 /* a DNS name or an address text */

/* One row. `h` is what the rules of nodedb_good.h read; `good` is their
 * verdict as the crawler last computed it (the DNS server serves exactly the
 * rows with good set). Text fields are NUL-terminated and may hold any other
 * byte: a user agent comes from the peer. */
struct nodedb_node {
    netaddr_t addr;
    struct nodedb_health h;
    bool good;
    uint8_t source; /* enum nodedb_source */
    char source_name[NODEDB_SOURCE_NAME_MAX + 1];
    char user_agent[P2P_MAX_USER_AGENT + 1];
};

/* Opens (and with NODEDB_CREATE creates) the database at `path`, sets WAL
 * and synchronous=NORMAL, and migrates an older schema. On success *out is
 * the handle (caller closes it with nodedb_close). On failure returns
 * NODEDB_ERROR with a message in err (errlen bytes; may be NULL/0). */
int nodedb_open(const char *path, unsigned flags, nodedb_t **out, char *err, size_t errlen);
/* Closes the handle; NULL is fine. */
void nodedb_close(nodedb_t *db);
/* The last error on this handle, "" if none. Valid until the next call. */
const char *nodedb_errmsg(const nodedb_t *db);
/* The schema version the file had when opened (0 for a new file). */
int nodedb_opened_version(const nodedb_t *db);

/* A read transaction: every read between these two calls sees the same
 * state of the file (an export's totals match its rows even while the
 * crawler commits). Writes through this handle are not allowed meanwhile. */
int nodedb_read_begin(nodedb_t *db);
int nodedb_read_end(nodedb_t *db);

/* Inserts or replaces (keyed by network, address bytes, port) n nodes in ONE
 * transaction: all of them are stored, or none (NODEDB_ERROR). */
int nodedb_put_nodes(nodedb_t *db, const struct nodedb_node *nodes, size_t n);
/* Deletes the nodes at these addresses (port included), one transaction.
 * Addresses not present are no error. */
int nodedb_delete(nodedb_t *db, const netaddr_t *addrs, size_t n);
/* Reads one node: NODEDB_OK, NODEDB_NOT_FOUND or NODEDB_ERROR. */
int nodedb_node_get(nodedb_t *db, const netaddr_t *addr, struct nodedb_node *out);

/* Called once per node; `node` is valid only during the call. Return 0 to
 * go on; any other value stops the iteration and is returned by it. */
typedef int (*nodedb_node_cb)(const struct nodedb_node *node, void *ctx);

enum nodedb_order {
    NODEDB_ORDER_NONE = 0,      /* storage order (fastest) */
    NODEDB_ORDER_ADDR,          /* network, address bytes, port */
    NODEDB_ORDER_UPTIME_30D,    /* 30-day uptime, best first; then last success */
    NODEDB_ORDER_LAST_SUCCESS,  /* most recently reached first */
};

struct nodedb_filter {
    uint8_t net;          /* enum netaddr_net, 0 for all */
    bool reached_only;    /* only nodes that answered at least once */
    bool good_only;
    uint64_t services;    /* nodes offering all these bits; 0 for any */
    enum nodedb_order order;
    uint64_t limit;       /* 0: no limit */
    uint64_t offset;
};

/* Visits the nodes matching `f` (NULL: all) in its order. Rows that cannot
 * be valid (an address of the wrong length, hand-edited) are skipped with a
 * warning. Returns 0, the callback's stop value, or NODEDB_ERROR. */
int nodedb_query(nodedb_t *db, const struct nodedb_filter *f, nodedb_node_cb cb, void *ctx);
/* Every node, for the crawler's restart: nodedb_query(db, NULL, cb, ctx). */
int nodedb_load(nodedb_t *db, nodedb_node_cb cb, void *ctx);

/* The good nodes, as the DNS server wants them. */
struct nodedb_good_node {
    netaddr_t addr;
    uint64_t services;
};
/* Sets *out to a malloc'ed array of *n entries (caller frees with free();
 * NULL when n is 0). Served from a partial index on good, so it costs a scan
 * of the good rows only. */
int nodedb_good_nodes(nodedb_t *db, struct nodedb_good_node **out, size_t *n);

/* Networks as counted in totals and snapshots. */
enum nodedb_net {
    NODEDB_NET_IPV4,
    NODEDB_NET_IPV6,
    NODEDB_NET_ONION,
    NODEDB_NET_I2P,
    NODEDB_NET_CJDNS,
    NODEDB_NETS
};
/* enum netaddr_net -> enum nodedb_net, or -1. */
int nodedb_net_index(uint8_t net);
/* enum nodedb_net -> enum netaddr_net. */
uint8_t nodedb_net_of_index(int index);

struct nodedb_counts {
    uint64_t known;     /* rows */
    uint64_t tried;     /* tested at least once */
    uint64_t reachable; /* the latest test succeeded */
    uint64_t good;
};

struct nodedb_totals {
    struct nodedb_counts all;
    struct nodedb_counts net[NODEDB_NETS]; /* indexed by enum nodedb_net */
};

int nodedb_count(nodedb_t *db, struct nodedb_totals *out);

/* A periodic row for the status page's charts. */
struct nodedb_snapshot {
    int64_t time; /* unix seconds; one row per time (a second row replaces) */
    struct nodedb_totals totals;
    double crawl_rate;    /* node tests per second since the previous row */
    double dns_rate;      /* DNS queries per second since the previous row */
    uint64_t dns_queries; /* DNS queries answered since start */
};

int nodedb_put_snapshot(nodedb_t *db, const struct nodedb_snapshot *s);
/* The newest `max` rows (0: all) with time >= since, oldest first, as a
 * malloc'ed array (caller frees with free(); NULL when n is 0). */
int nodedb_snapshots(nodedb_t *db, int64_t since, size_t max, struct nodedb_snapshot **out,
                     size_t *n);
/* Deletes rows older than `before`. */
int nodedb_prune_snapshots(nodedb_t *db, int64_t before);

#endif
