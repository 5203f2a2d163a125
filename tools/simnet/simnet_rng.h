/* simnet_rng -- the deterministic randomness every simulated node is made of.
 *
 * Nothing about a node is stored: its behaviour, version fields and gossip
 * view are recomputed from hash(seed, node index, purpose) whenever they are
 * needed, so memory does not grow with the size of the network and the same
 * seed always yields the same network. */
#ifndef BTCSEED_SIMNET_RNG_H
#define BTCSEED_SIMNET_RNG_H

#include <stdint.h>

/* Purposes: each property of a node draws from its own stream, so that adding
 * a property never changes the others. */
enum simnet_stream {
    SIMNET_STREAM_PERM = 1,
    SIMNET_STREAM_AGENT,
    SIMNET_STREAM_SERVICES,
    SIMNET_STREAM_HEIGHT,
    SIMNET_STREAM_PORT,
    SIMNET_STREAM_VIEW,
    SIMNET_STREAM_CHURN,
    SIMNET_STREAM_LATENCY,
    SIMNET_STREAM_TIME,
    SIMNET_STREAM_JUNK,
    SIMNET_STREAM_IPV6,
    SIMNET_STREAM_NONCE,
};

/* SplitMix64 finaliser: a bijective 64-bit mixer. */
uint64_t simnet_mix(uint64_t x);
/* Hash of (seed, stream, a, b): independent-looking values for each tuple. */
uint64_t simnet_hash(uint64_t seed, enum simnet_stream stream, uint64_t a, uint64_t b);
/* Maps a hash to [0, n) without noticeable bias (n > 0). */
uint64_t simnet_below(uint64_t h, uint64_t n);
/* Maps a hash to [0, 1). */
double simnet_unit(uint64_t h);

/* A keyed bijection of [0, n): a balanced Feistel network on the smallest
 * even power of two >= n, with cycle walking to stay inside [0, n). Used to
 * give behaviours to nodes in an order that looks random while a node's
 * behaviour stays an O(1) computation in both directions. */
struct simnet_perm {
    uint64_t n;
    uint64_t keys[4];
    unsigned half_bits;
    uint64_t half_mask;
};
void simnet_perm_init(struct simnet_perm *p, uint64_t n, uint64_t seed);
uint64_t simnet_perm_forward(const struct simnet_perm *p, uint64_t x);
uint64_t simnet_perm_inverse(const struct simnet_perm *p, uint64_t y);

#endif
