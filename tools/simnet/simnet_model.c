#include "simnet_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p2p/msg.h"
#include "simnet_version.h"

#define IPV4_GROUPS 254          /* second octets 1..254 */
#define IPV4_MAX_NODES (IPV4_GROUPS * 65535u)
#define IPV6_MAX_PREFIX_BITS 64
#define ONION_KEY_LEN 32        /* a TorV3 address is its ed25519 key */  /* the low 64 bits hold the tag and the index */
#define ALT_PORT_PERMILLE 20     /* honest nodes listening on the alternative port */
#define SPLIT_PERMILLE 150       /* nodes whose answer comes in several messages */
#define PARTIAL_VIEW_PERMILLE 300 /* nodes that know fewer than P2P_MAX_ADDR peers */
#define CHURN_PERIOD_MIN_S 3600
#define CHURN_PERIOD_MAX_S (12 * 3600)
#define CHURN_UP_MIN_PERMILLE 300
#define CHURN_UP_MAX_PERMILLE 980

static const char *const behaviour_names[SIMNET_BEHAVIOUR_COUNT] = {
    [SIMNET_HONEST] = "honest",
    [SIMNET_CHURN] = "churn",
    [SIMNET_SLOW] = "slow",
    [SIMNET_SILENT] = "silent",
    [SIMNET_DEAD] = "dead",
    [SIMNET_WRONG_MAGIC] = "wrong-magic",
    [SIMNET_BAD_CHECKSUM] = "bad-checksum",
    [SIMNET_HUGE_PAYLOAD] = "huge-payload",
    [SIMNET_TRICKLE] = "trickle",
    [SIMNET_ADDR_FLOOD] = "addr-flood",
    [SIMNET_BAD_TIMESTAMPS] = "bad-timestamps",
    [SIMNET_BAD_GOSSIP] = "bad-gossip",
    [SIMNET_BAD_ADDRV2] = "bad-addrv2",
    [SIMNET_ABSURD_VERSION] = "absurd-version",
    [SIMNET_MSG_BEFORE_VERSION] = "msg-before-version",
    [SIMNET_DISCONNECT] = "disconnect",
};

const char *simnet_behaviour_name(enum simnet_behaviour b)
{
    return (unsigned)b < SIMNET_BEHAVIOUR_COUNT ? behaviour_names[b] : "unknown";
}

int simnet_behaviour_parse(const char *name)
{
    for (int b = 0; b < SIMNET_BEHAVIOUR_COUNT; b++)
        if (strcmp(name, behaviour_names[b]) == 0)
            return b;
    return -1;
}

bool simnet_behaviour_is_hostile(enum simnet_behaviour b) { return b >= SIMNET_FIRST_HOSTILE; }

static int build_desc(struct simnet_model *m);

int simnet_model_init(struct simnet_model *m, const struct simnet_config *cfg, char *err,
                      size_t err_size)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    if (cfg->nodes == 0) {
        snprintf(err, err_size, "the network needs at least one node");
        return -1;
    }
    uint64_t others = 0;
    for (int b = SIMNET_HONEST + 1; b < SIMNET_BEHAVIOUR_COUNT; b++)
        others += cfg->count[b];
    if (others > cfg->nodes) {
        snprintf(err, err_size, "%llu non-honest nodes do not fit in %u nodes",
                 (unsigned long long)others, cfg->nodes);
        return -1;
    }
    m->cfg.count[SIMNET_HONEST] = cfg->nodes - (uint32_t)others;
    if ((uint64_t)cfg->ipv6_nodes + cfg->onion_nodes > cfg->nodes) {
        snprintf(err, err_size, "more IPv6 and onion nodes (%u + %u) than nodes (%u)",
                 cfg->ipv6_nodes, cfg->onion_nodes, cfg->nodes);
        return -1;
    }
    if (cfg->nodes - cfg->ipv6_nodes - cfg->onion_nodes > IPV4_MAX_NODES) {
        snprintf(err, err_size, "at most %u IPv4 nodes fit in 127.1.0.0-127.254.255.255",
                 IPV4_MAX_NODES);
        return -1;
    }
    if (cfg->ipv6_nodes > 0 && (cfg->ipv6_prefix.net != NETADDR_IPV6 ||
                                cfg->ipv6_prefix.prefix_bits > IPV6_MAX_PREFIX_BITS)) {
        snprintf(err, err_size, "IPv6 nodes need an IPv6 prefix of /%d or shorter",
                 IPV6_MAX_PREFIX_BITS);
        return -1;
    }
    if (cfg->port == 0 || cfg->alt_port == 0 || cfg->dead_port == 0 ||
        cfg->port == cfg->alt_port || cfg->port == cfg->dead_port ||
        cfg->alt_port == cfg->dead_port) {
        snprintf(err, err_size, "the node, alternative and dead ports must differ and be > 0");
        return -1;
    }
    if (cfg->best_height < 0) {
        snprintf(err, err_size, "the best height must not be negative");
        return -1;
    }
    uint32_t start = 0;
    for (int b = 0; b < SIMNET_BEHAVIOUR_COUNT; b++) {
        m->rank_start[b] = start;
        start += m->cfg.count[b];
    }
    m->rank_start[SIMNET_BEHAVIOUR_COUNT] = start;
    simnet_perm_init(&m->perm, cfg->nodes, cfg->seed);
    m->first_onion = cfg->nodes - cfg->onion_nodes;
    m->first_ipv6 = m->first_onion - cfg->ipv6_nodes;
    m->ipv6_tag = (uint32_t)simnet_hash(cfg->seed, SIMNET_STREAM_IPV6, 0, 0);
    m->onion_tag = (uint32_t)simnet_hash(cfg->seed, SIMNET_STREAM_IPV6, 1, 0);
    if (build_desc(m) != 0) {
        snprintf(err, err_size, "out of memory for %u nodes", cfg->nodes);
        return -1;
    }
    return 0;
}

uint32_t simnet_model_rank(const struct simnet_model *m, uint32_t index)
{
    return (uint32_t)simnet_perm_forward(&m->perm, index);
}

uint32_t simnet_model_index_at_rank(const struct simnet_model *m, uint32_t rank)
{
    return (uint32_t)simnet_perm_inverse(&m->perm, rank);
}

static enum simnet_behaviour behaviour_of_rank(const struct simnet_model *m, uint32_t rank)
{
    int b = 0;
    while (b + 1 < SIMNET_BEHAVIOUR_COUNT && rank >= m->rank_start[b + 1])
        b++;
    return (enum simnet_behaviour)b;
}

enum desc_port { PORT_DEFAULT, PORT_ALT, PORT_DEAD };
#define DESC_BEHAVIOUR_MASK 0x1f
#define DESC_PORT_SHIFT 5
#define DESC_PORT_MASK 0x3
#define DESC_SERVICES_SHIFT 8

static enum desc_port port_kind(const struct simnet_model *m, uint32_t index,
                                enum simnet_behaviour b)
{
    if (b == SIMNET_DEAD)
        return PORT_DEAD;
    if (b == SIMNET_HONEST &&
        simnet_below(simnet_hash(m->cfg.seed, SIMNET_STREAM_PORT, index, 0), 1000) <
            ALT_PORT_PERMILLE)
        return PORT_ALT;
    return PORT_DEFAULT;
}

static uint16_t port_number(const struct simnet_model *m, enum desc_port kind)
{
    return kind == PORT_DEAD ? m->cfg.dead_port : kind == PORT_ALT ? m->cfg.alt_port : m->cfg.port;
}

static unsigned services_id(struct simnet_model *m, uint64_t services)
{
    for (unsigned i = 0; i < m->nservices; i++)
        if (m->services[i] == services)
            return i;
    if (m->nservices == SIMNET_SERVICES_MAX)
        return 0; /* cannot happen with the version mix: a few dozen values */
    m->services[m->nservices] = services;
    return m->nservices++;
}

static int build_desc(struct simnet_model *m)
{
    m->desc = malloc((size_t)m->cfg.nodes * sizeof *m->desc);
    if (!m->desc)
        return -1;
    for (uint32_t i = 0; i < m->cfg.nodes; i++) {
        enum simnet_behaviour b = behaviour_of_rank(m, simnet_model_rank(m, i));
        struct simnet_version_fields v;
        simnet_version_draw(m->cfg.seed, i, m->cfg.best_height, &v);
        m->desc[i] = (uint32_t)b | (uint32_t)port_kind(m, i, b) << DESC_PORT_SHIFT |
                     services_id(m, v.services) << DESC_SERVICES_SHIFT;
    }
    return 0;
}

void simnet_model_free(struct simnet_model *m)
{
    if (!m)
        return;
    free(m->desc);
    m->desc = NULL;
}

enum simnet_behaviour simnet_model_behaviour(const struct simnet_model *m, uint32_t index)
{
    return (enum simnet_behaviour)(m->desc[index] & DESC_BEHAVIOUR_MASK);
}

uint16_t simnet_model_port(const struct simnet_model *m, uint32_t index)
{
    return port_number(m, (enum desc_port)(m->desc[index] >> DESC_PORT_SHIFT & DESC_PORT_MASK));
}

uint64_t simnet_model_services(const struct simnet_model *m, uint32_t index)
{
    return m->services[m->desc[index] >> DESC_SERVICES_SHIFT];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void address_of(const struct simnet_model *m, uint32_t index, uint16_t port,
                       netaddr_t *out)
{
    if (index < m->first_ipv6) {
        uint32_t q = index / IPV4_GROUPS + 1; /* never x.y.0.0: looks like a network */
        uint8_t ip[4] = {127, (uint8_t)(1 + index % IPV4_GROUPS), (uint8_t)(q >> 8),
                         (uint8_t)q};
        netaddr_set_ipv4(out, ip, port);
        return;
    }
    if (index >= m->first_onion) {
        uint8_t key[ONION_KEY_LEN];
        put_be32(key, m->onion_tag);
        put_be32(key + 4, index - m->first_onion);
        for (size_t i = 8; i < sizeof key; i += 8) {
            uint64_t h = simnet_hash(m->cfg.seed, SIMNET_STREAM_IPV6, index, i);
            memcpy(key + i, &h, 8);
        }
        netaddr_set_bip155(out, NETADDR_TORV3, key, sizeof key, port);
        return;
    }
    uint8_t ip[16];
    memcpy(ip, m->cfg.ipv6_prefix.bytes, 8);
    put_be32(ip + 8, m->ipv6_tag);
    put_be32(ip + 12, index - m->first_ipv6);
    netaddr_set_ipv6(out, ip, port);
}

enum simnet_behaviour simnet_model_address(const struct simnet_model *m, uint32_t index,
                                           netaddr_t *out)
{
    address_of(m, index, simnet_model_port(m, index), out);
    return simnet_model_behaviour(m, index);
}

int simnet_model_lookup(const struct simnet_model *m, const netaddr_t *a, uint32_t *index)
{
    if (a->net == NETADDR_IPV4) {
        const uint8_t *b = a->bytes;
        if (b[0] != 127 || b[1] < 1 || b[1] > IPV4_GROUPS)
            return -1;
        uint32_t q = (uint32_t)(b[2] << 8 | b[3]);
        uint64_t i = (uint64_t)(q - 1) * IPV4_GROUPS + (b[1] - 1u);
        if (q == 0 || i >= m->first_ipv6)
            return -1;
        *index = (uint32_t)i;
        return 0;
    }
    if (a->net == NETADDR_TORV3) {
        uint32_t local = get_be32(a->bytes + 4);
        netaddr_t mine;
        if (get_be32(a->bytes) != m->onion_tag || local >= m->cfg.onion_nodes)
            return -1;
        address_of(m, m->first_onion + local, 0, &mine);
        if (memcmp(mine.bytes, a->bytes, ONION_KEY_LEN) != 0)
            return -1;
        *index = m->first_onion + local;
        return 0;
    }
    if (a->net != NETADDR_IPV6 || m->cfg.ipv6_nodes == 0)
        return -1;
    if (memcmp(a->bytes, m->cfg.ipv6_prefix.bytes, 8) != 0)
        return -1;
    uint32_t local = get_be32(a->bytes + 12);
    if (get_be32(a->bytes + 8) != m->ipv6_tag || local >= m->cfg.ipv6_nodes)
        return -1;
    *index = m->first_ipv6 + local;
    return 0;
}

void simnet_node_get(const struct simnet_model *m, uint32_t index, struct simnet_node *n)
{
    const struct simnet_config *c = &m->cfg;
    memset(n, 0, sizeof *n);
    n->index = index;
    n->rank = simnet_model_rank(m, index);
    n->behaviour = behaviour_of_rank(m, n->rank);
    address_of(m, index, simnet_model_port(m, index), &n->addr);
    if (n->behaviour == SIMNET_ABSURD_VERSION)
        simnet_version_absurd(&n->v);
    else
        simnet_version_draw(c->seed, index, c->best_height, &n->v);

    uint64_t h = simnet_hash(c->seed, SIMNET_STREAM_VIEW, index, 0);
    uint32_t known = c->nodes - 1;
    uint32_t full = known < P2P_MAX_ADDR ? known : P2P_MAX_ADDR;
    if (full == P2P_MAX_ADDR && simnet_below(h, 1000) < PARTIAL_VIEW_PERMILLE)
        n->view_size = full / 2 + (uint32_t)simnet_below(simnet_mix(h ^ 1), full / 2);
    else
        n->view_size = full;
    n->answer_parts = 1;
    if (simnet_below(simnet_mix(h), 1000) < SPLIT_PERMILLE)
        n->answer_parts = (uint8_t)(2 + simnet_below(simnet_mix(h + 1), 3));

    uint64_t lh = simnet_hash(c->seed, SIMNET_STREAM_LATENCY, index, 0);
    if (n->behaviour == SIMNET_SLOW)
        n->latency_ms = c->slow_ms;
    else if (c->latency_ms > 0)
        n->latency_ms = (uint32_t)llround(c->latency_ms * (0.5 + simnet_unit(lh)));

    if (n->behaviour == SIMNET_CHURN) {
        uint64_t ch = simnet_hash(c->seed, SIMNET_STREAM_CHURN, index, 0);
        n->churn.period_s = CHURN_PERIOD_MIN_S +
                            (uint32_t)simnet_below(ch, CHURN_PERIOD_MAX_S - CHURN_PERIOD_MIN_S);
        n->churn.up_permille =
            (uint16_t)(CHURN_UP_MIN_PERMILLE +
                       simnet_below(simnet_mix(ch), CHURN_UP_MAX_PERMILLE - CHURN_UP_MIN_PERMILLE));
        n->churn.phase_s = (uint32_t)simnet_below(simnet_mix(ch + 1), n->churn.period_s);
    }
}

bool simnet_node_reachable(const struct simnet_node *n)
{
    switch (n->behaviour) {
    case SIMNET_HONEST:
    case SIMNET_CHURN:
    case SIMNET_SLOW:
    case SIMNET_ADDR_FLOOD:
    case SIMNET_BAD_TIMESTAMPS:
    case SIMNET_BAD_GOSSIP:
    case SIMNET_BAD_ADDRV2:
    case SIMNET_MSG_BEFORE_VERSION:
        return n->v.version >= SIMNET_MIN_PEER_VERSION;
    default:
        return false;
    }
}

bool simnet_node_always_up(const struct simnet_node *n) { return n->behaviour != SIMNET_CHURN; }

bool simnet_node_up_at(const struct simnet_node *n, double t)
{
    if (n->behaviour != SIMNET_CHURN)
        return true;
    double pos = fmod(t + n->churn.phase_s, (double)n->churn.period_s);
    if (pos < 0)
        pos += n->churn.period_s;
    return pos < n->churn.period_s * (n->churn.up_permille / 1000.0);
}

bool simnet_node_good(const struct simnet_model *m, const struct simnet_node *n)
{
    const struct simnet_config *c = &m->cfg;
    return simnet_node_reachable(n) && simnet_node_always_up(n) && n->addr.port == c->port &&
           (n->v.services & NODE_NETWORK) && n->v.version >= SIMNET_GOOD_MIN_VERSION &&
           n->v.height >= c->chain->min_height &&
           (int64_t)n->v.height >= (int64_t)c->best_height - SIMNET_SYNC_LAG_MAX;
}
