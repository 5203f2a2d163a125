/* crawl_policy -- which addresses the crawler keeps and which it may dial.
 *
 * Kept: IPv4 and IPv6 addresses that are publicly routable (Bitcoin Core's
 * classification, net/netaddr.h) or inside an --allow-net range, and every
 * TorV3, I2P and CJDNS address. Dialed: what is kept, but Tor only with an
 * onion proxy, I2P only with an I2P proxy, CJDNS only with --cjdns; with
 * --only-allowed, IP addresses only inside the --allow-net ranges (tests
 * and private networks: public-looking gossip is kept, never dialed). Both are
 * checked again right before every connect, so nothing else is ever dialed,
 * whatever a peer, a seed or an old database says. */
#ifndef BTCSEED_CRAWL_POLICY_H
#define BTCSEED_CRAWL_POLICY_H

#include <stdbool.h>

#include "crawl/crawl.h"

bool crawl_policy_may_store(const struct crawl_config *cfg, const netaddr_t *a);
bool crawl_policy_may_dial(const struct crawl_config *cfg, const netaddr_t *a);

#endif
