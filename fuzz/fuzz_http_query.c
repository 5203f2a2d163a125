/* Fuzz target: the JSON API's query strings (http_query_nodes and
 * http_query_snapshots over the same input). Checks that an accepted query
 * is within the documented limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *query = malloc(size + 1);
    if (!query)
        return 0;
    memcpy(query, data, size);
    query[size] = '\0';
    char err[256];
    struct http_nodes_query n;
    if (http_query_nodes(query, &n, err, sizeof err) == 0) {
        if (n.limit < 1 || n.limit > HTTP_NODES_MAX_LIMIT || n.offset > HTTP_MAX_OFFSET ||
            n.good < -1 || n.good > 1)
            abort();
    } else if (!memchr(err, '\0', sizeof err)) {
        abort();
    }
    struct http_snapshots_query s;
    if (http_query_snapshots(query, &s, err, sizeof err) == 0) {
        if (s.limit < 1 || s.limit > HTTP_SNAPSHOTS_MAX_LIMIT || s.since < 0)
            abort();
    }
    free(query);
    return 0;
}
