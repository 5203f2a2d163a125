/* simnet_gossip -- what each simulated node answers to getaddr.
 *
 * A node's view is derived on the fly, never stored:
 *  - ring: honest node of rank k knows the honest node of rank k+1, so every
 *    honest node is reachable in gossip from any other;
 *  - guardians: honest rank k also knows the non-honest ranks H+k, H+k+H, ...
 *    (H honest nodes; at most SIMNET_GUARDIAN_MAX of them), so every address
 *    of the network is advertised by at least one honest, always-up node;
 *  - the rest: blocks of 16 consecutive nodes, block b + a*t mod B for
 *    t = 0, 1, ... (B blocks, a coprime to B, a and b drawn per node), which
 *    never repeats an address.
 * Timestamps look like an address manager's: reachable nodes seen minutes to
 * hours ago, dead and silent ones one to six days ago.
 *
 * Hostile nodes use the junk generators below: private, reserved and
 * public-looking addresses, absurd timestamps. Public-looking junk is drawn
 * from 11.0.0.0/8 and 2a0f:ff00::/24 only, so tests can recognise it. */
#ifndef BTCSEED_SIMNET_GOSSIP_H
#define BTCSEED_SIMNET_GOSSIP_H

#include <stddef.h>
#include <stdint.h>

#include "p2p/msg.h"
#include "simnet_model.h"

#define SIMNET_GUARDIAN_MAX 64
#define SIMNET_JUNK_PUBLIC_V4 "11.0.0.0/8"
#define SIMNET_JUNK_PUBLIC_V6 "2a0f:ff00::/24"

/* The ranges junk is drawn from, as CIDR texts, NULL-terminated. */
extern const char *const simnet_junk_reserved[];
extern const char *const simnet_junk_public[];

/* Indices of the nodes in n's view: n->view_size of them (fewer only if
 * `max` is smaller), in walk order (answers shuffle them). Returns the count. */
size_t simnet_gossip_indices(const struct simnet_model *m, const struct simnet_node *n,
                             uint32_t *out, size_t max);
/* n's getaddr answer at simulated unix time `now`. Returns the count. */
size_t simnet_gossip_view(const struct simnet_model *m, const struct simnet_node *n,
                          uint32_t now, struct p2p_addr_entry *out, size_t max);

/* `count` entries of non-routable addresses (private, reserved, multicast,
 * link-local, ...), varied by `salt`. */
void simnet_gossip_junk_reserved(uint64_t seed, uint64_t salt, uint32_t now,
                                 struct p2p_addr_entry *out, size_t count);
/* `count` public-looking addresses that exist nowhere (see above). */
void simnet_gossip_junk_public(uint64_t seed, uint64_t salt, uint32_t now,
                               struct p2p_addr_entry *out, size_t count);
/* Replaces every timestamp with an absurd one (zero, far future, ...). */
void simnet_gossip_absurd_times(struct p2p_addr_entry *entries, size_t count, uint32_t now);

#endif
