/* simnet_version -- the version fields of a simulated node, drawn from a mix
 * that resembles the real network (2025): mostly Bitcoin Core 22-29, Knots,
 * a tail of old Core releases, btcd and bcoin; pruned nodes announcing only
 * NODE_NETWORK_LIMITED; witness, compact filters, bloom and P2P_V2 bits where
 * those releases set them; a few nodes far behind the best height. */
#ifndef BTCSEED_SIMNET_VERSION_H
#define BTCSEED_SIMNET_VERSION_H

#include <stdint.h>

#include "simnet_model.h"

/* Draws the fields of node `index` for a network whose tip is `best_height`. */
void simnet_version_draw(uint64_t seed, uint32_t index, int32_t best_height,
                         struct simnet_version_fields *out);
/* The fields of an SIMNET_ABSURD_VERSION node. */
void simnet_version_absurd(struct simnet_version_fields *out);

#endif
