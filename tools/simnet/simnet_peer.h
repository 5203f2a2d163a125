/* simnet_peer -- one accepted connection, spoken to as the simulated node
 * that was dialed.
 *
 * An honest node does what Bitcoin Core does with an inbound peer: it waits
 * for the peer's version (ignoring anything before it, dropping peers older
 * than 31800), answers version, then wtxidrelay and sendaddrv2 when both
 * sides are at 70016 or newer, then verack; after the peer's verack it sends
 * sendheaders, sendcmpct, ping and feefilter (as the common version allows);
 * it answers the first getaddr after the handshake with addr or addrv2 (as
 * the peer asked with sendaddrv2 before verack), in one or several messages,
 * answers ping with pong, and ignores everything else. Every batch of answers
 * leaves after the node's latency plus jitter. Hostile behaviours deviate from
 * this as simnet_model.h describes. */
#ifndef BTCSEED_SIMNET_PEER_H
#define BTCSEED_SIMNET_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "simnet_worker.h"

/* Takes ownership of the connected socket `fd` (non-blocking) and serves it
 * as node `index`; `remote` is the peer's address. */
void simnet_peer_start(struct simnet_worker *w, int fd, uint32_t index,
                       const netaddr_t *remote);
/* The same, with `early` bytes the peer sent before the node took over (a
 * SOCKS5 client may send its version right after its CONNECT request). */
void simnet_peer_start_with(struct simnet_worker *w, int fd, uint32_t index,
                            const netaddr_t *remote, const uint8_t *early, size_t early_len);

#endif
