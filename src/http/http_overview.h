/* http_overview -- the figures the status page and /api/v1/summary show,
 * computed from the node database in one pass over the reached nodes.
 *
 * It costs a scan of every node that ever answered, so the server keeps one
 * and recomputes it at most every few seconds, however many clients ask. */
#ifndef BTCSEED_HTTP_OVERVIEW_H
#define BTCSEED_HTTP_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "net/chain.h"
#include "nodedb/nodedb.h"

#define HTTP_TOP_AGENTS 12
#define HTTP_TOP_VERSIONS 10
#define HTTP_RECENT_NODES 25
/* How far back the page's time-series charts reach, and how many points
 * they draw at most (more snapshot rows are thinned evenly). */
#define HTTP_SERIES_SECONDS (7 * 86400)
#define HTTP_SERIES_MAX_ROWS 20000
/* Distinct user agents tallied before the rest count as "other": a bound
 * on memory whatever peers claim to be. */
#define HTTP_MAX_DISTINCT 8192

/* Service bits shown on the page, in this order. */
enum http_service {
    HTTP_SVC_NETWORK,
    HTTP_SVC_WITNESS,
    HTTP_SVC_NETWORK_LIMITED,
    HTTP_SVC_COMPACT_FILTERS,
    HTTP_SVC_P2P_V2,
    HTTP_SVC_BLOOM,
    HTTP_SERVICES
};
extern const struct http_service_bit {
    uint64_t bit;
    const char *name; /* "NODE_WITNESS" */
} http_service_bits[HTTP_SERVICES];

/* Start height relative to the best height, in these bands. */
enum http_height_band {
    HTTP_HEIGHT_AHEAD,    /* above the best height */
    HTTP_HEIGHT_TIP,      /* 0-1 blocks behind */
    HTTP_HEIGHT_HOUR,     /* 2-6 */
    HTTP_HEIGHT_DAY,      /* 7-144 */
    HTTP_HEIGHT_WEEK,     /* 145-1008 */
    HTTP_HEIGHT_FAR,      /* more */
    HTTP_HEIGHT_BANDS
};
extern const char *const http_height_band_names[HTTP_HEIGHT_BANDS];
enum http_height_band http_height_band(int32_t height, int32_t best);

struct http_tally {
    char label[P2P_MAX_USER_AGENT + 1]; /* raw bytes from peers: escape on output */
    uint64_t n;
};

struct http_overview {
    int64_t generated;             /* unix seconds */
    struct nodedb_totals totals;   /* as the database counts them */
    int32_t best_height;           /* median start height of reachable nodes, 0 if none */
    uint64_t reachable;            /* nodes whose latest test succeeded (scanned) */
    size_t nagents;                /* top user agents, then "other" if any */
    struct http_tally agents[HTTP_TOP_AGENTS + 1];
    size_t nversions;              /* top protocol versions, then "other" */
    struct http_tally versions[HTTP_TOP_VERSIONS + 1];
    uint64_t services[HTTP_SERVICES];      /* reachable nodes offering each bit */
    uint64_t heights[HTTP_HEIGHT_BANDS];   /* reachable nodes per band */
    size_t nrecent;                /* most recently reached nodes, newest first */
    struct nodedb_node recent[HTTP_RECENT_NODES];
    size_t nsnapshots;             /* the last HTTP_SERIES_SECONDS, oldest first */
    struct nodedb_snapshot *snapshots;
};

/* Fills `out` from the database. Returns 0, or -1 with err set (out is then
 * cleared). Release with http_overview_clear. */
int http_overview_load(nodedb_t *db, int64_t now, struct http_overview *out, char *err,
                       size_t errsize);
/* Frees what a load allocated and zeroes `o`; NULL is fine. */
void http_overview_clear(struct http_overview *o);

/* "currently reachable": answered the latest test, as nodedb_count counts. */
bool http_node_reachable(const struct nodedb_node *n);

#endif
