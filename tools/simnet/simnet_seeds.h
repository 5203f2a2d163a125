/* simnet_seeds -- the DNS seed names of the simulated network and the entry
 * nodes each returns.
 *
 * Names, under the zone (default sim.test): seed1 .. seedK, and the service
 * filters xHEX.seedN (HEX: service bits that every answer must have, as the
 * reference seeders read it; x9 = NODE_NETWORK|NODE_WITNESS). Answers are
 * good nodes only (simnet_node_good), IPv4 for A and IPv6 for AAAA, taken in
 * rank order from the honest nodes; seed k returns the k-th slice of that
 * list, so the seeds overlap little and all answers are fixed for a network. */
#ifndef BTCSEED_SIMNET_SEEDS_H
#define BTCSEED_SIMNET_SEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "simnet_model.h"

#define SIMNET_SEEDS_MAX_ANSWERS 32

struct simnet_seeds {
    const struct simnet_model *model;
    char zone[256];      /* lower case, no trailing dot */
    unsigned count;      /* seed1 .. seed<count> */
    unsigned answers;    /* records per answer, <= SIMNET_SEEDS_MAX_ANSWERS */
};

/* What a name (relative to the zone, e.g. "x9.seed2") denotes. */
struct simnet_seed_name {
    unsigned seed;       /* 1-based */
    uint64_t services;   /* required bits; 0 without a filter */
};

/* Parses a label sequence relative to the zone: "seedN" or "xHEX.seedN".
 * Returns 0, or -1 if the name is no seed name. */
int simnet_seeds_parse(const struct simnet_seeds *s, const char *relative,
                       struct simnet_seed_name *out);
/* Indices of the nodes `name` answers with, IPv4 (family 4) or IPv6 (6).
 * Returns the count (<= s->answers). */
size_t simnet_seeds_answer(const struct simnet_seeds *s, const struct simnet_seed_name *name,
                           int family, uint32_t *out);

#endif
