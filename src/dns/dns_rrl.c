#include "dns/dns_rrl.h"

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_rng.h"

/* Bucket word: tag (16 bits of the prefix hash) | second (16) | count (32). */
#define RRL_TAG_SHIFT 48
#define RRL_SEC_SHIFT 32
#define RRL_FIELD_MASK 0xffffu
#define RRL_COUNT_MAX 0xffffffffu

struct dns_rrl {
    struct dns_rrl_config cfg;
    uint64_t key; /* random: an attacker cannot aim at one bucket */
    size_t mask;
    _Atomic uint64_t *buckets;
    atomic_uint_fast64_t dropped;
    atomic_uint_fast64_t slipped;
};

void dns_rrl_config_default(struct dns_rrl_config *c)
{
    c->rate = DNS_RRL_DEFAULT_RATE;
    c->slip = DNS_RRL_DEFAULT_SLIP;
    c->ipv4_prefix = DNS_RRL_DEFAULT_IPV4_PREFIX;
    c->ipv6_prefix = DNS_RRL_DEFAULT_IPV6_PREFIX;
    c->buckets = DNS_RRL_DEFAULT_BUCKETS;
}

int dns_rrl_config_check(const struct dns_rrl_config *c)
{
    if (c->ipv4_prefix < 8 || c->ipv4_prefix > 32 || c->ipv6_prefix < 16 ||
        c->ipv6_prefix > 128 || c->buckets == 0 || c->buckets > DNS_RRL_MAX_BUCKETS)
        return -1;
    return 0;
}

dns_rrl_t *dns_rrl_new(const struct dns_rrl_config *c)
{
    if (dns_rrl_config_check(c) < 0)
        return NULL;
    dns_rrl_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = *c;
    size_t n = 1;
    while (n < c->buckets)
        n <<= 1;
    r->mask = n - 1;
    r->buckets = calloc(n, sizeof *r->buckets);
    if (!r->buckets) {
        free(r);
        return NULL;
    }
    struct dns_rng rng;
    dns_rng_seed(&rng);
    r->key = dns_rng_next(&rng);
    atomic_init(&r->dropped, 0);
    atomic_init(&r->slipped, 0);
    return r;
}

void dns_rrl_free(dns_rrl_t *r)
{
    if (!r)
        return;
    free(r->buckets);
    free(r);
}

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 33)) * UINT64_C(0xff51afd7ed558ccd);
    z = (z ^ (z >> 33)) * UINT64_C(0xc4ceb9fe1a85ec53);
    return z ^ (z >> 33);
}

/* Hash of the source prefix, or false for a family we do not limit. */
static bool prefix_hash(const dns_rrl_t *r, const struct sockaddr *src, uint64_t *out)
{
    uint8_t bytes[16] = {0};
    unsigned bits;
    uint64_t h = r->key;
    if (src->sa_family == AF_INET) {
        memcpy(bytes, &((const struct sockaddr_in *)src)->sin_addr, 4);
        bits = r->cfg.ipv4_prefix;
        h ^= 4;
    } else if (src->sa_family == AF_INET6) {
        memcpy(bytes, &((const struct sockaddr_in6 *)src)->sin6_addr, 16);
        bits = r->cfg.ipv6_prefix;
        h ^= 6;
    } else {
        return false;
    }
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = bits >= 8 ? 8 : bits;
        bytes[i] &= (uint8_t)(0xff00u >> keep);
        bits -= keep;
    }
    uint64_t w0, w1;
    memcpy(&w0, bytes, 8);
    memcpy(&w1, bytes + 8, 8);
    *out = mix(mix(h ^ w0) ^ w1);
    return true;
}

enum dns_rrl_action dns_rrl_account(dns_rrl_t *r, const struct sockaddr *src, uint32_t now)
{
    uint64_t h;
    if (!r || r->cfg.rate == 0 || !prefix_hash(r, src, &h))
        return DNS_RRL_SEND;
    _Atomic uint64_t *b = &r->buckets[h & r->mask];
    uint64_t tag = (h >> RRL_TAG_SHIFT) & RRL_FIELD_MASK;
    uint64_t sec = now & RRL_FIELD_MASK;
    uint64_t old = atomic_load_explicit(b, memory_order_relaxed);
    uint64_t count;
    for (;;) {
        bool same = ((old >> RRL_TAG_SHIFT) & RRL_FIELD_MASK) == tag &&
                    ((old >> RRL_SEC_SHIFT) & RRL_FIELD_MASK) == sec;
        count = same ? (old & RRL_COUNT_MAX) : 0;
        if (count < RRL_COUNT_MAX)
            count++;
        uint64_t next = (tag << RRL_TAG_SHIFT) | (sec << RRL_SEC_SHIFT) | count;
        if (atomic_compare_exchange_weak_explicit(b, &old, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            break;
    }
    if (count <= r->cfg.rate)
        return DNS_RRL_SEND;
    uint64_t over = count - r->cfg.rate;
    if (r->cfg.slip != 0 && over % r->cfg.slip == 0) {
        atomic_fetch_add_explicit(&r->slipped, 1, memory_order_relaxed);
        return DNS_RRL_SLIP;
    }
    atomic_fetch_add_explicit(&r->dropped, 1, memory_order_relaxed);
    return DNS_RRL_DROP;
}

uint64_t dns_rrl_dropped(const dns_rrl_t *r) { return r ? atomic_load(&r->dropped) : 0; }
uint64_t dns_rrl_slipped(const dns_rrl_t *r) { return r ? atomic_load(&r->slipped) : 0; }
