/* dns_nodedb -- feeds the DNS publisher from the node database. */
#ifndef BTCSEED_DNS_NODEDB_H
#define BTCSEED_DNS_NODEDB_H

#include <stddef.h>

#include "dns/dns_snapshot.h"
#include "nodedb/nodedb.h"

/* Reads the good nodes of `db` and publishes them. On success stores their
 * number in *count (may be NULL) and returns 0; -1 after logging why (the
 * previous snapshot stays current). */
int dns_nodedb_publish(dns_publisher_t *pub, nodedb_t *db, size_t *count);

#endif
