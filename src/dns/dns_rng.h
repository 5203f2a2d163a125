/* dns_rng -- a small fast generator (xoshiro256**) for picking answers.
 *
 * Not cryptographic: it only decides which good nodes an answer lists. Each
 * thread owns one, seeded from getrandom, so picking needs no lock. */
#ifndef BTCSEED_DNS_RNG_H
#define BTCSEED_DNS_RNG_H

#include <stdint.h>

struct dns_rng {
    uint64_t s[4];
};

/* Seeds from the kernel's generator (or, failing that, from time and address). */
void dns_rng_seed(struct dns_rng *r);
/* Deterministic seeding, for tests and reproducible builds of a sample. */
void dns_rng_seed_from(struct dns_rng *r, uint64_t seed);

static inline uint64_t dns_rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t dns_rng_next(struct dns_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = dns_rng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = dns_rng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) for n <= 2^32 (Lemire's multiply-shift; the bias is
 * below 2^-32, irrelevant for picking answers). */
static inline uint32_t dns_rng_below(struct dns_rng *r, uint32_t n)
{
    return (uint32_t)(((dns_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
