/* http_api -- the JSON API (/api/v1/...), one function per endpoint.
 *
 * Each writes a complete JSON body into `out` and returns the HTTP status to
 * send with it: 200, 400 (bad parameters: {"error": "..."}), 404 (no such
 * node) or 500 (the database failed). Pure of any HTTP machinery, so the
 * handlers are unit-tested on a database file alone.
 *
 * Node objects (in /nodes and /node/<addr>):
 *   {"address":"1.2.3.4:8333","network":"ipv4","good":true,"reachable":true,
 *    "protocol":70016,"user_agent":"/Satoshi:27.0.0/","services":1033,
 *    "services_hex":"0000000000000409","height":850000,"first_seen":...,
 *    "last_seen":...,"last_try":...,"last_success":...,"tries":12,
 *    "successes":11,"fail_streak":0,"ban_until":0,"source":"seed",
 *    "source_name":"seed.example.org",
 *    "uptime":{"2h":1,"8h":0.98,"1d":0.95,"7d":0.9,"30d":0.9}}
 * Times are unix seconds (0: never); uptimes are fractions 0-1. */
#ifndef BTCSEED_HTTP_API_H
#define BTCSEED_HTTP_API_H

#include <stdint.h>

#include "http/http_overview.h"
#include "net/chain.h"
#include "nodedb/nodedb.h"

struct evbuffer;

#define HTTP_OK 200
#define HTTP_BAD_REQUEST 400
#define HTTP_NOT_FOUND 404
#define HTTP_INTERNAL_ERROR 500

/* {"error": message} */
void http_api_error(struct evbuffer *out, const char *message);

/* GET /api/v1/summary: version, chain, totals per network, best height, the
 * newest snapshot row, and the page's aggregates (agents, versions, services,
 * height bands). */
int http_api_summary(struct evbuffer *out, const struct http_overview *o,
                     const chain_params_t *chain);

/* GET /api/v1/nodes?network=&good=&services=&limit=&offset= in address
 * order: {"total":N,"offset":O,"limit":L,"nodes":[...]} where total counts
 * every match. */
int http_api_nodes(struct evbuffer *out, nodedb_t *db, const char *query);

/* GET /api/v1/snapshots?since=&limit=: {"snapshots":[{"time":...,
 * "known":...,"tried":...,"reachable":...,"good":...,"crawl_rate":...,
 * "dns_rate":...,"dns_queries":...,"networks":{"ipv4":{...},...}}]} */
int http_api_snapshots(struct evbuffer *out, nodedb_t *db, const char *query);

/* GET /api/v1/node/<addr>: one node (addr in any netaddr text form, the
 * chain's default port if none), with its statistics per window and the
 * verdict of the good rules now ("good", "unreliable", "behind", ...). */
int http_api_node(struct evbuffer *out, nodedb_t *db, const char *addr_text,
                  const chain_params_t *chain, int32_t best_height, int64_t now);

#endif
