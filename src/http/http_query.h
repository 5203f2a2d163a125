/* http_query -- strict parsing of the JSON API's query strings.
 *
 * Query strings come from anyone who can reach the port: each is split into
 * at most HTTP_QUERY_MAX_PARAMS percent-decoded key=value pairs of bounded
 * length; unknown keys, repeated keys and values out of range are errors,
 * reported as one line of text for a 400 reply (never a guess at what the
 * client meant). */
#ifndef BTCSEED_HTTP_QUERY_H
#define BTCSEED_HTTP_QUERY_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_QUERY_MAX_LEN 1024
#define HTTP_QUERY_MAX_PARAMS 8
#define HTTP_QUERY_MAX_KEY 32
#define HTTP_QUERY_MAX_VALUE 128

#define HTTP_NODES_DEFAULT_LIMIT 100
#define HTTP_NODES_MAX_LIMIT 1000
#define HTTP_SNAPSHOTS_DEFAULT_LIMIT 1000
#define HTTP_SNAPSHOTS_MAX_LIMIT 10000
/* Larger offsets are no use (no database holds that many nodes) and would
 * only make the server walk rows for nothing. */
#define HTTP_MAX_OFFSET 100000000

struct http_query {
    size_t n;
    struct {
        char key[HTTP_QUERY_MAX_KEY + 1];
        char value[HTTP_QUERY_MAX_VALUE + 1];
    } p[HTTP_QUERY_MAX_PARAMS];
};

/* Splits and decodes `query` (the part after '?', NULL or "" for none).
 * '+' is a space. Returns 0, or -1 with a message in err. */
int http_query_split(const char *query, struct http_query *q, char *err, size_t errsize);

/* GET /api/v1/nodes?network=&good=&services=&limit=&offset= */
struct http_nodes_query {
    uint8_t net;       /* enum netaddr_net; 0: every network */
    int good;          /* -1: any, 0: only nodes not good, 1: only good ones */
    uint64_t services; /* nodes offering all these bits (decimal or 0x hex); 0: any */
    uint32_t limit;    /* 1..HTTP_NODES_MAX_LIMIT, default HTTP_NODES_DEFAULT_LIMIT */
    uint64_t offset;   /* 0..HTTP_MAX_OFFSET */
};
int http_query_nodes(const char *query, struct http_nodes_query *out, char *err, size_t errsize);

/* GET /api/v1/snapshots?since=&limit= (since: unix seconds, default 0) */
struct http_snapshots_query {
    int64_t since;
    uint32_t limit; /* newest rows, 1..HTTP_SNAPSHOTS_MAX_LIMIT */
};
int http_query_snapshots(const char *query, struct http_snapshots_query *out, char *err,
                         size_t errsize);

#endif
