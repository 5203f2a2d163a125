#include "simnet_version.h"

#include <stddef.h>
#include <string.h>

#include "p2p/msg.h"
#include "simnet_rng.h"

enum agent_family {
    FAMILY_CORE,  /* Bitcoin Core and Knots (same service logic) */
    FAMILY_BTCD,
    FAMILY_BCOIN,
};

struct agent {
    const char *user_agent;
    int32_t protocol;
    uint16_t weight;      /* relative share of the network */
    uint8_t family;
    uint8_t major;        /* Core release line: 0.x as x, then 22.. */
};

/* Shares are rough figures of public crawls in 2025; what matters is that
 * every kind a seeder must classify is present. */
static const struct agent agents[] = {
    {"/Satoshi:29.0.0/", 70016, 180, FAMILY_CORE, 29},
    {"/Satoshi:28.1.0/", 70016, 170, FAMILY_CORE, 28},
    {"/Satoshi:28.0.0/", 70016, 70, FAMILY_CORE, 28},
    {"/Satoshi:27.2.0/", 70016, 30, FAMILY_CORE, 27},
    {"/Satoshi:27.1.0/", 70016, 60, FAMILY_CORE, 27},
    {"/Satoshi:27.0.0/", 70016, 40, FAMILY_CORE, 27},
    {"/Satoshi:26.2.0/", 70016, 15, FAMILY_CORE, 26},
    {"/Satoshi:26.1.0/", 70016, 25, FAMILY_CORE, 26},
    {"/Satoshi:26.0.0/", 70016, 20, FAMILY_CORE, 26},
    {"/Satoshi:25.1.0/", 70016, 15, FAMILY_CORE, 25},
    {"/Satoshi:25.0.0/", 70016, 25, FAMILY_CORE, 25},
    {"/Satoshi:24.0.1/", 70016, 30, FAMILY_CORE, 24},
    {"/Satoshi:23.0.0/", 70016, 20, FAMILY_CORE, 23},
    {"/Satoshi:22.0.0/", 70016, 30, FAMILY_CORE, 22},
    {"/Satoshi:0.21.1/", 70016, 20, FAMILY_CORE, 21},
    {"/Satoshi:0.21.0/", 70016, 8, FAMILY_CORE, 21},
    {"/Satoshi:0.20.1/", 70015, 15, FAMILY_CORE, 20},
    {"/Satoshi:0.19.1/", 70015, 5, FAMILY_CORE, 19},
    {"/Satoshi:0.18.1/", 70015, 6, FAMILY_CORE, 18},
    {"/Satoshi:0.17.1/", 70015, 3, FAMILY_CORE, 17},
    {"/Satoshi:0.16.3/", 70015, 6, FAMILY_CORE, 16},
    {"/Satoshi:0.15.1/", 70015, 2, FAMILY_CORE, 15},
    {"/Satoshi:0.13.2/", 70014, 2, FAMILY_CORE, 13},
    {"/Satoshi:0.12.1/", 70012, 1, FAMILY_CORE, 12},
    {"/Satoshi:0.10.2/", 70002, 1, FAMILY_CORE, 10},
    {"/Satoshi:0.8.6/", 70001, 1, FAMILY_CORE, 8},
    /* Below 70001: reachable, never good. */
    {"/Satoshi:0.7.2/", 60002, 1, FAMILY_CORE, 7},
    {"/Satoshi:0.3.24/", 32400, 1, FAMILY_CORE, 3},
    {"/Satoshi:28.1.0/Knots:20250305/", 70016, 120, FAMILY_CORE, 28},
    {"/Satoshi:27.1.0/Knots:20240801/", 70016, 30, FAMILY_CORE, 27},
    {"/Satoshi:25.1.0/Knots:20231115/", 70016, 10, FAMILY_CORE, 25},
    {"/btcwire:0.5.0/btcd:0.24.2/", 70016, 8, FAMILY_BTCD, 0},
    {"/btcwire:0.5.0/btcd:0.23.4/", 70016, 4, FAMILY_BTCD, 0},
    {"/bcoin:2.2.0/", 70015, 3, FAMILY_BCOIN, 0},
};
#define AGENT_COUNT (sizeof agents / sizeof agents[0])

/* Per-mille shares of optional properties. */
#define PRUNED_PERMILLE 80        /* Core >= 0.16 with pruning: LIMITED only */
#define FILTERS_PERMILLE 50       /* -peerblockfilters */
#define BLOOM_PERMILLE 30         /* -peerbloomfilters (default off since 0.19) */
#define V2_ON_26_PERMILLE 100     /* v2 transport was opt-in in 26.x */
#define V2_OFF_PERMILLE 50        /* turned off again in 27+ */
#define UNSYNCED_PERMILLE 30
#define BLOCKSONLY_PERMILLE 50    /* relay flag false */
#define UNSYNCED_SPAN 500000      /* how far below the tip unsynced nodes may be */

static const struct agent *pick_agent(uint64_t h)
{
    static uint32_t total;
    if (total == 0) {
        uint32_t sum = 0;
        for (size_t i = 0; i < AGENT_COUNT; i++)
            sum += agents[i].weight;
        total = sum;
    }
    uint64_t x = simnet_below(h, total);
    for (size_t i = 0; i < AGENT_COUNT; i++) {
        if (x < agents[i].weight)
            return &agents[i];
        x -= agents[i].weight;
    }
    return &agents[0];
}

static bool chance(uint64_t seed, uint32_t index, uint64_t what, unsigned permille)
{
    return simnet_below(simnet_hash(seed, SIMNET_STREAM_SERVICES, index, what), 1000) <
           permille;
}

static uint64_t core_services(uint64_t seed, uint32_t index, const struct agent *a)
{
    uint64_t s = NODE_NETWORK;
    if (a->major >= 13)
        s |= NODE_WITNESS;
    if (a->major >= 16)
        s |= NODE_NETWORK_LIMITED;
    /* Bloom was on by default until 0.19. */
    if ((a->major >= 10 && a->major < 19) || chance(seed, index, 1, BLOOM_PERMILLE))
        s |= NODE_BLOOM;
    if (a->major >= 21 && chance(seed, index, 2, FILTERS_PERMILLE))
        s |= NODE_COMPACT_FILTERS;
    if ((a->major == 26 && chance(seed, index, 3, V2_ON_26_PERMILLE)) ||
        (a->major >= 27 && !chance(seed, index, 3, V2_OFF_PERMILLE)))
        s |= NODE_P2P_V2;
    if (a->major >= 16 && chance(seed, index, 4, PRUNED_PERMILLE))
        s &= ~NODE_NETWORK;
    return s;
}

void simnet_version_draw(uint64_t seed, uint32_t index, int32_t best_height,
                         struct simnet_version_fields *out)
{
    const struct agent *a = pick_agent(simnet_hash(seed, SIMNET_STREAM_AGENT, index, 0));
    out->user_agent = a->user_agent;
    out->version = a->protocol;
    switch (a->family) {
    case FAMILY_BTCD:
        out->services = NODE_NETWORK | NODE_BLOOM | NODE_WITNESS | NODE_COMPACT_FILTERS;
        break;
    case FAMILY_BCOIN:
        out->services = NODE_NETWORK | NODE_WITNESS;
        break;
    default:
        out->services = core_services(seed, index, a);
        break;
    }

    uint64_t h = simnet_hash(seed, SIMNET_STREAM_HEIGHT, index, 0);
    if (simnet_below(h, 1000) < UNSYNCED_PERMILLE) {
        int64_t top = (int64_t)best_height - SIMNET_UNSYNCED_GAP;
        int64_t span = top < UNSYNCED_SPAN ? top : UNSYNCED_SPAN;
        out->height = top <= 0 ? 0 : (int32_t)(top - (int64_t)simnet_below(simnet_mix(h ^ 1), span + 1));
    } else {
        /* Most nodes are at the tip, a few a block or more behind. */
        static const uint8_t lags[] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, SIMNET_SYNC_LAG_MAX};
        int32_t lag = lags[simnet_below(simnet_mix(h ^ 1), sizeof lags)];
        out->height = best_height > lag ? best_height - lag : 0;
    }
    out->relay = !chance(seed, index, 5, BLOCKSONLY_PERMILLE);
}

/* 256 bytes (the protocol's limit) of what a careless parser chokes on:
 * quotes, backslashes, control bytes, invalid UTF-8, a format directive,
 * markup, SQL, then padding. */
static const char absurd_prefix[] =
    "/\"Satoshi\\:99.99.99\"/%s%n\x01\x02\x1b[31m\x7f\xff\xfe\xc3\x28<script>"
    "'; DROP TABLE nodes;--\t\r\n";

void simnet_version_absurd(struct simnet_version_fields *out)
{
    static char agent[P2P_MAX_USER_AGENT + 1];
    if (agent[0] == '\0') {
        memset(agent, 'A', P2P_MAX_USER_AGENT);
        memcpy(agent, absurd_prefix, sizeof absurd_prefix - 1);
        agent[P2P_MAX_USER_AGENT - 1] = '/';
    }
    out->version = INT32_MIN;
    out->services = UINT64_MAX;
    out->height = -1;
    out->relay = true;
    out->user_agent = agent;
}
