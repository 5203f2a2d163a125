#include "simnet_rng.h"

#define SIMNET_PERM_ROUNDS 4

uint64_t simnet_mix(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

uint64_t simnet_hash(uint64_t seed, enum simnet_stream stream, uint64_t a, uint64_t b)
{
    uint64_t h = simnet_mix(seed ^ ((uint64_t)stream << 56));
    h = simnet_mix(h ^ a);
    return simnet_mix(h ^ (b * UINT64_C(0xd6e8feb86659fd93)));
}

uint64_t simnet_below(uint64_t h, uint64_t n)
{
    /* Lemire's multiply-shift: the top bits of h * n. */
    return (uint64_t)(((unsigned __int128)h * n) >> 64);
}

double simnet_unit(uint64_t h) { return (double)(h >> 11) * 0x1.0p-53; }

void simnet_perm_init(struct simnet_perm *p, uint64_t n, uint64_t seed)
{
    unsigned bits = 2;
    while (bits < 64 && (UINT64_C(1) << bits) < n)
        bits += 2;
    p->n = n;
    p->half_bits = bits / 2;
    p->half_mask = (UINT64_C(1) << p->half_bits) - 1;
    for (unsigned i = 0; i < SIMNET_PERM_ROUNDS; i++)
        p->keys[i] = simnet_hash(seed, SIMNET_STREAM_PERM, i, n);
}

static uint64_t perm_round(uint64_t key, uint64_t half)
{
    uint64_t x = (half ^ key) * UINT64_C(0x9e3779b97f4a7c15);
    return x ^ (x >> 29);
}

static uint64_t perm_encrypt(const struct simnet_perm *p, uint64_t x)
{
    uint64_t left = x >> p->half_bits, right = x & p->half_mask;
    for (unsigned i = 0; i < SIMNET_PERM_ROUNDS; i++) {
        uint64_t next = (left ^ perm_round(p->keys[i], right)) & p->half_mask;
        left = right;
        right = next;
    }
    return (left << p->half_bits) | right;
}

static uint64_t perm_decrypt(const struct simnet_perm *p, uint64_t y)
{
    uint64_t left = y >> p->half_bits, right = y & p->half_mask;
    for (unsigned i = SIMNET_PERM_ROUNDS; i-- > 0;) {
        uint64_t prev = (right ^ perm_round(p->keys[i], left)) & p->half_mask;
        right = left;
        left = prev;
    }
    return (left << p->half_bits) | right;
}

/* Cycle walking: the domain is at most 4n, so on average fewer than four
 * steps leave it; the walk always ends because the cipher is a bijection. */
uint64_t simnet_perm_forward(const struct simnet_perm *p, uint64_t x)
{
    do
        x = perm_encrypt(p, x);
    while (x >= p->n);
    return x;
}

uint64_t simnet_perm_inverse(const struct simnet_perm *p, uint64_t y)
{
    do
        y = perm_decrypt(p, y);
    while (y >= p->n);
    return y;
}
