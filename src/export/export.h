/* export -- snapshots of the node database for people and other programs.
 *
 *   dump  the file Bitcoin Core's contrib/seeds/makeseeds.py reads: a '#'
 *         header line, then one whitespace-separated line per node ever
 *         reached (every network), best 30-day uptime first:
 *           address good lastSuccess %(2h) %(8h) %(1d) %(7d) %(30d) blocks svcs version "agent"
 *         address as 1.2.3.4:8333, [2001:db8::1]:8333, x.onion:8333,
 *         x.b32.i2p:0 (CJDNS in brackets like IPv6); good 1/0; lastSuccess
 *         unix seconds; uptimes like 99.50%; svcs 16 hex digits; the user
 *         agent in quotes with %XX escapes (see export_text.h), so it is one
 *         token as makeseeds.py's whitespace split needs.
 *   json  {"timestamp", "chain", "totals", "networks", "node_fields",
 *         "nodes": {"addr:port": [protocol, "user agent", connected_since,
 *         services, height, network, first_seen, last_seen, last_success,
 *         uptime_2h, uptime_8h, uptime_1d, uptime_7d, uptime_30d, good]},
 *         "total_nodes"}: the nodes ever reached; connected_since is the
 *         last successful handshake (as in Bitnodes' snapshots); uptimes in
 *         percent.
 *   csv   RFC 4180 (CRLF, quoted fields), a header row, one row per known
 *         node, tried or not.
 *
 * Each export reads one consistent state of the database (a read
 * transaction), so its totals agree with its rows while the crawler writes. */
#ifndef BTCSEED_EXPORT_H
#define BTCSEED_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "net/chain.h"
#include "nodedb/nodedb.h"

enum export_format { EXPORT_DUMP, EXPORT_JSON, EXPORT_CSV };

/* "dump", "json" or "csv": returns 0, or -1 if unknown. */
int export_format_parse(const char *name, enum export_format *out);
const char *export_format_name(enum export_format f);

/* Writes the export to `out` (not closed). `now` is the JSON timestamp.
 * Returns 0, or -1 with a message in err (database or write error). */
int export_stream(nodedb_t *db, enum export_format fmt, const chain_params_t *chain,
                  int64_t now, FILE *out, char *err, size_t errlen);

/* Writes the export to a new file beside `path` and renames it over `path`,
 * so a reader sees the old file or the new one, never a part. For the
 * crawler's periodic exports and `btcseed export --out`. Returns 0 or -1
 * (err set; the old file is left as it was). */
int export_write(nodedb_t *db, enum export_format fmt, const chain_params_t *chain,
                 int64_t now, const char *path, char *err, size_t errlen);

/* The formats one by one (called by export_stream inside its read
 * transaction). Return 0 or NODEDB_ERROR (see nodedb_errmsg). */
int export_dump(nodedb_t *db, FILE *out);
int export_json(nodedb_t *db, const chain_params_t *chain, int64_t now, FILE *out);
int export_csv(nodedb_t *db, FILE *out);

#endif
