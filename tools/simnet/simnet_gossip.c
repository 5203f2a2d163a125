#include "simnet_gossip.h"

#include <string.h>


#define GOSSIP_BLOCK 16             /* 16 descriptors: one 64-byte cache line */
#define PREFETCH_AHEAD 8
#define HOUR 3600u
#define DAY (24 * HOUR)
#define RECENT_AGE_MAX (3 * HOUR)   /* reachable nodes: seen recently */
#define CHURN_AGE_MAX (12 * HOUR)
/* Dead and silent nodes: days ago, but within a week, because the reference
 * seeder (bitcoin-seeder) drops entries older than that, and comparisons with
 * it need both crawlers to learn the same addresses. */
#define STALE_AGE_MIN DAY
#define STALE_AGE_SPAN (5 * DAY)

static uint64_t gcd(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The special entries (ring successor, guarded ranks) of honest nodes. */
static size_t special_indices(const struct simnet_model *m, const struct simnet_node *n,
                              uint32_t *out)
{
    uint32_t honest = m->cfg.count[SIMNET_HONEST];
    if (n->behaviour != SIMNET_HONEST)
        return 0;
    size_t count = 0;
    if (honest > 1)
        out[count++] = simnet_model_index_at_rank(m, (n->rank + 1) % honest);
    for (uint64_t q = (uint64_t)honest + n->rank;
         q < m->cfg.nodes && count < SIMNET_GUARDIAN_MAX + 1; q += honest)
        out[count++] = simnet_model_index_at_rank(m, (uint32_t)q);
    return count;
}

size_t simnet_gossip_indices(const struct simnet_model *m, const struct simnet_node *n,
                             uint32_t *out, size_t max)
{
    size_t want = n->view_size < max ? n->view_size : max;
    uint32_t special[SIMNET_GUARDIAN_MAX + 1];
    size_t nspecial = special_indices(m, n, special);
    size_t count = 0;
    for (size_t s = 0; s < nspecial && count < want; s++)
        out[count++] = special[s];

    /* The walk visits blocks of GOSSIP_BLOCK consecutive nodes: their cached
     * descriptors share a cache line, which makes answers several times
     * cheaper than single random nodes would. */
    uint64_t blocks = ((uint64_t)m->cfg.nodes + GOSSIP_BLOCK - 1) / GOSSIP_BLOCK;
    uint64_t h = simnet_hash(m->cfg.seed, SIMNET_STREAM_VIEW, n->index, 1);
    uint64_t step = blocks > 1 ? 1 + simnet_below(h, blocks - 1) : 1;
    while (gcd(step, blocks) != 1)
        step = step % blocks + 1;
    uint64_t block = simnet_below(simnet_mix(h), blocks);
    for (uint64_t t = 0; t < blocks && count < want; t++, block = (block + step) % blocks) {
        for (uint64_t pos = block * GOSSIP_BLOCK;
             pos < (block + 1) * GOSSIP_BLOCK && pos < m->cfg.nodes && count < want; pos++) {
            if (pos == n->index)
                continue;
            bool dup = false;
            for (size_t s = 0; s < nspecial && !dup; s++)
                dup = special[s] == pos;
            if (!dup)
                out[count++] = (uint32_t)pos;
        }
    }
    return count;
}

/* `key` is drawn once per viewer; one mixing step per entry is enough here. */
static uint32_t age_of(uint64_t key, uint32_t target, enum simnet_behaviour b)
{
    uint64_t h = simnet_mix(key ^ target);
    switch (b) {
    case SIMNET_DEAD:
    case SIMNET_SILENT:
        return STALE_AGE_MIN + (uint32_t)simnet_below(h, STALE_AGE_SPAN);
    case SIMNET_CHURN:
        return (uint32_t)simnet_below(h, CHURN_AGE_MAX);
    default:
        return (uint32_t)simnet_below(h, RECENT_AGE_MAX);
    }
}

size_t simnet_gossip_view(const struct simnet_model *m, const struct simnet_node *n,
                          uint32_t now, struct p2p_addr_entry *out, size_t max)
{
    uint32_t idx[P2P_MAX_ADDR];
    if (max > P2P_MAX_ADDR)
        max = P2P_MAX_ADDR;
    size_t count = simnet_gossip_indices(m, n, idx, max);
    /* An address manager answers in random order: shuffle (Fisher-Yates,
     * drawn per node), and fetch table entries a few steps ahead. */
    uint64_t h = simnet_hash(m->cfg.seed, SIMNET_STREAM_VIEW, n->index, 2);
    for (size_t i = count; i > 1; i--) {
        h = simnet_mix(h);
        size_t k = (size_t)simnet_below(h, i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[k];
        idx[k] = t;
    }
    uint64_t time_key = simnet_hash(m->cfg.seed, SIMNET_STREAM_TIME, n->index, 0);
    for (size_t i = 0; i < count; i++) {
        uint32_t j = idx[i];
        if (i + PREFETCH_AHEAD < count)
            __builtin_prefetch(&m->desc[idx[i + PREFETCH_AHEAD]]);
        enum simnet_behaviour b = simnet_model_address(m, j, &out[i].addr);
        uint32_t age = age_of(time_key, j, b);
        out[i].time = now > age ? now - age : 0;
        out[i].services = simnet_model_services(m, j);
    }
    return count;
}

/* Everything a node must never be told to dial (netaddr_unroutable_reason
 * names each), and never loopback or 2001:db8::/32, which tests allow. */
const char *const simnet_junk_reserved[] = {
    "10.0.0.0/8",      "172.16.0.0/12",  "192.168.0.0/16",  "100.64.0.0/10",
    "169.254.0.0/16",  "0.0.0.0/8",      "0.0.0.0/32",      "255.255.255.255/32",
    "224.0.0.0/4",     "240.0.0.0/4",    "198.18.0.0/15",   "192.0.2.0/24",
    "198.51.100.0/24", "203.0.113.0/24", "fc00::/7",        "fe80::/64",
    "ff02::/16",       "::/128",         "2001:10::/28",    NULL,
};

const char *const simnet_junk_public[] = {SIMNET_JUNK_PUBLIC_V4, SIMNET_JUNK_PUBLIC_V6, NULL};

#define JUNK_RANGES_MAX 32

struct junk_set {
    netaddr_cidr_t ranges[JUNK_RANGES_MAX];
    size_t count;
};

/* Parsed once per process: the texts above are what the manifest shows. */
static const struct junk_set *junk_set(const char *const *texts, struct junk_set *set)
{
    if (set->count == 0)
        for (size_t i = 0; texts[i] && set->count < JUNK_RANGES_MAX; i++)
            if (netaddr_cidr_parse(texts[i], &set->ranges[set->count]) == 0)
                set->count++;
    return set;
}

/* Odd ports too: a seeder must not trust them either. */
static const uint16_t junk_ports[] = {8333, 8333, 18444, 0, 1, 65535, 8334, 80};

static void junk_entry(const netaddr_cidr_t *r, uint64_t h, uint32_t now,
                       struct p2p_addr_entry *e)
{
    uint8_t ip[16];
    size_t len = r->net == NETADDR_IPV4 ? 4 : 16;
    uint64_t bits = simnet_mix(h);
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0 && i)
            bits = simnet_mix(bits);
        ip[i] = (uint8_t)(bits >> (8 * (i % 8)));
    }
    for (size_t i = 0; i < len; i++) {
        unsigned keep = r->prefix_bits > 8 * i ? r->prefix_bits - 8 * (unsigned)i : 0;
        uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
        ip[i] = (uint8_t)((r->bytes[i] & mask) | (ip[i] & ~mask));
    }
    uint16_t port = junk_ports[simnet_below(simnet_mix(h + 1), sizeof junk_ports /
                                                                   sizeof junk_ports[0])];
    if (r->net == NETADDR_IPV4)
        netaddr_set_ipv4(&e->addr, ip, port);
    else
        netaddr_set_ipv6(&e->addr, ip, port);
    e->services = NODE_NETWORK | NODE_WITNESS;
    e->time = now - (uint32_t)simnet_below(simnet_mix(h + 2), RECENT_AGE_MAX);
}

void simnet_gossip_junk_reserved(uint64_t seed, uint64_t salt, uint32_t now,
                                 struct p2p_addr_entry *out, size_t count)
{
    static struct junk_set set;
    const struct junk_set *js = junk_set(simnet_junk_reserved, &set);
    for (size_t i = 0; i < count && js->count; i++) {
        uint64_t h = simnet_hash(seed, SIMNET_STREAM_JUNK, salt, i);
        junk_entry(&js->ranges[i % js->count], h, now, &out[i]);
    }
}

void simnet_gossip_junk_public(uint64_t seed, uint64_t salt, uint32_t now,
                               struct p2p_addr_entry *out, size_t count)
{
    static struct junk_set set;
    const struct junk_set *js = junk_set(simnet_junk_public, &set);
    for (size_t i = 0; i < count && js->count; i++) {
        uint64_t h = simnet_hash(seed, SIMNET_STREAM_JUNK, salt ^ UINT64_C(0x5055424c4943), i);
        junk_entry(&js->ranges[i % js->count], h, now, &out[i]);
    }
}

void simnet_gossip_absurd_times(struct p2p_addr_entry *entries, size_t count, uint32_t now)
{
    const uint32_t times[] = {
        0,
        1,
        UINT32_MAX,
        now + 10 * 365 * DAY, /* ten years ahead */
        now + 3 * HOUR,       /* beyond any clock skew */
        now > 30 * 365 * DAY ? now - 30 * 365 * DAY : 0, /* before Bitcoin existed */
        0x80000000u,          /* negative if read as signed */
    };
    for (size_t i = 0; i < count; i++)
        entries[i].time = times[i % (sizeof times / sizeof times[0])];
}
