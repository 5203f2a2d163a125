#include "dns/dns_nodedb.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

_Static_assert(sizeof(struct dns_node) == sizeof(struct nodedb_good_node),
               "converted in place");

int dns_nodedb_publish(dns_publisher_t *pub, nodedb_t *db, size_t *count)
{
    struct nodedb_good_node *good = NULL;
    size_t n = 0;
    if (nodedb_good_nodes(db, &good, &n) != NODEDB_OK) {
        log_warn("dns: cannot read good nodes: %s", nodedb_errmsg(db));
        return -1;
    }
    /* Same size: rewrite each entry in place rather than holding two copies
     * of a million-node list. */
    struct dns_node *nodes = (struct dns_node *)(void *)good;
    for (size_t i = 0; i < n; i++) {
        struct dns_node d = {.addr = good[i].addr, .services = good[i].services};
        memcpy(&nodes[i], &d, sizeof d);
    }
    int rc = dns_publisher_publish(pub, nodes, n);
    free(good);
    if (rc != 0) {
        log_warn("dns: out of memory building the answer snapshot");
        return -1;
    }
    if (count)
        *count = n;
    return 0;
}
