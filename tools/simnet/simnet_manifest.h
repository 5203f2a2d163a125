/* simnet_manifest -- the ground truth of a simulated network, as JSON.
 *
 *   {"format": "btcseed-simnet-manifest/1", "seed", "chain", "magic", "port",
 *    "alt_port", "dead_port", "best_height", "chain_min_height", "nodes",
 *    "ipv6_nodes", "ipv6_prefix", "onion_nodes", "socks5", "counts": {behaviour: n},
 *    "rules": {"reachable": text, "good": text},
 *    "junk": {"public": [cidr...], "reserved": [cidr...]},
 *    "dns": {"zone", "listen": [...], "seeds": [{"name", "a": [...], "aaaa": [...]}]},
 *    "nodes": [{"addr", "index", "net", "behaviour", "reachable", "always_up",
 *               "good", "version", "services", "height", "user_agent", "relay",
 *               "view_size", "answer_parts", "latency_ms",
 *               ["churn": {"period_s", "phase_s", "up_permille"}],
 *               ["gossip": [index...]]}]}
 *
 * "reachable": a version/verack handshake completes whenever the node is up
 * (onion nodes: through the "socks5" proxy; without one, nothing reaches them).
 * It follows Bitcoin Core's rules: messages before version are ignored, peers
 * below protocol 31800 are dropped, a wrong magic, wrong checksum or oversized
 * header never makes a handshake; what a node sends after the handshake
 * (malformed or hostile addr messages) does not change it.
 * "good": reachable, always up, on the default port, NODE_NETWORK, protocol
 * >= 70001, height >= the chain minimum and >= best_height - 5 (unsynced
 * nodes are 10,000+ blocks behind, so any slack from 5 to 9,999 agrees).
 * Nothing in it depends on the clock: the same flags give the same bytes. */
#ifndef BTCSEED_SIMNET_MANIFEST_H
#define BTCSEED_SIMNET_MANIFEST_H

#include <stdbool.h>

#include "simnet_model.h"
#include "simnet_seeds.h"

struct simnet_manifest_extra {
    const struct simnet_seeds *seeds;
    const char *const *dns_listen; /* NULL-terminated, may be empty */
    const char *socks5;            /* the proxy's address, or NULL */
    bool gossip;                   /* list every node's view (large) */
};

/* Writes the manifest to `path` (through a temporary file and a rename).
 * Returns 0, or -1 (logged). */
int simnet_manifest_write(const char *path, const struct simnet_model *m,
                          const struct simnet_manifest_extra *extra);

#endif
