/* http_server -- the read-only status server (libevent evhttp):
 *
 *   GET /                      the status page (http_page.h)
 *   GET /api/v1/summary        totals, aggregates, newest snapshot (http_api.h)
 *   GET /api/v1/nodes?...      nodes, filtered and paginated
 *   GET /api/v1/snapshots?...  the time series
 *   GET /api/v1/node/<addr>    one node
 *   GET /metrics               Prometheus text exposition (util/metrics.h)
 *
 * It reads the node database through its own read-only handle (WAL lets it
 * read while a crawler writes, in this process or another), never writes
 * anything, and serves nothing else: no file, no directory. GET and HEAD
 * only. The page and summary come from an overview recomputed at most every
 * HTTP_CACHE_SECONDS, so a busy page costs the database one scan per period.
 *
 * At each /metrics scrape it sets, from the database, the gauges
 *   btcseed_nodes_known{network}, btcseed_nodes_tried{network},
 *   btcseed_nodes_reachable{network}, btcseed_nodes_good{network},
 *   btcseed_best_height
 * and it counts btcseed_http_requests_total{code}; btcseed_build_info{version}
 * is 1. Other modules' metrics
 * (crawler, DNS server) appear in /metrics as they register them. */
#ifndef BTCSEED_HTTP_SERVER_H
#define BTCSEED_HTTP_SERVER_H

#include <stddef.h>

#include "net/chain.h"

struct event_base;

#define HTTP_CACHE_SECONDS 5
#define HTTP_TIMEOUT_SECONDS 10
#define HTTP_MAX_HEADERS_SIZE 8192
#define HTTP_LISTEN_BACKLOG 64

typedef struct http_server http_server_t;

struct sockaddr_storage;

/* Parses the --http value "IP:PORT" (IPv4 or bracketed IPv6; the port is
 * required, so a forgotten one never binds a random port). Returns 0, or -1
 * with err set. Commands call it to reject a bad flag with exit 2. */
int http_listen_parse(const char *text, struct sockaddr_storage *ss, unsigned *len, char *err,
                      size_t errsize);

struct http_server_config {
    const char *listen;          /* "127.0.0.1:8080", "[::1]:8080"; port 0 picks a free port */
    const char *db_path;         /* the node database, opened read-only */
    const chain_params_t *chain; /* the crawled chain (default port, good rules) */
    unsigned refresh_seconds;    /* page self-refresh; 0: HTTP_PAGE_DEFAULT_REFRESH */
};

/* Binds the address and opens the database before returning, so every
 * configuration error is reported here (0, or -1 with err set).
 *
 * With `base`, the server runs on that event loop (the caller's thread runs
 * it; database reads then happen on that loop). With base NULL, the server
 * runs its own loop on its own thread, which is what a crawler should use so
 * that a page view never stalls its connections. *out is freed with
 * http_server_free. */
int http_server_start(struct event_base *base, const struct http_server_config *cfg,
                      http_server_t **out, char *err, size_t errsize);

/* The address actually bound, e.g. "127.0.0.1:43127" (useful with port 0). */
const char *http_server_address(const http_server_t *s);

/* Stops serving (joins the server's thread if it has one) and frees
 * everything; NULL is fine. With a caller's base, call it from that loop's
 * thread. */
void http_server_free(http_server_t *s);

#endif
