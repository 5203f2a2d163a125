/* simnet_model -- who is who in the simulated network, computed from the seed
 * (plus a 4-byte cache per node, see `desc`).
 *
 * Node i (0 <= i < nodes) has one address:
 *   IPv4   i < first_ipv6:  127.(1 + i % 254).(q >> 8).(q & 255), q = i / 254 + 1
 *          (spread over 254 /16 groups so netgroup limits see a varied network)
 *   IPv6   first_ipv6 <= i < first_onion: PREFIX | 32-bit tag from the seed
 *          | 32-bit (i - first_ipv6)
 *   TorV3  the last onion_nodes: a 32-byte key = 32-bit tag | 32-bit
 *          (i - first_onion) | 24 bytes from the seed; reachable only through
 *          simnet's own SOCKS5 proxy (--socks5), gossiped only in addrv2
 * A keyed permutation gives every node a rank; ranks are cut into consecutive
 * ranges, one per behaviour, in enum order (honest first). So a node's
 * behaviour, and the node holding a given rank, are O(1) to compute from
 * either side, and behaviours are spread evenly over the address space. */
#ifndef BTCSEED_SIMNET_MODEL_H
#define BTCSEED_SIMNET_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/chain.h"
#include "net/netaddr.h"
#include "simnet_rng.h"

enum simnet_behaviour {
    SIMNET_HONEST = 0,
    SIMNET_CHURN,        /* honest, but up only part of the time */
    SIMNET_SLOW,         /* honest, every answer after --slow-delay */
    SIMNET_SILENT,       /* accepts, never says a word */
    SIMNET_DEAD,         /* on a port nothing listens on: connection refused */
    /* Hostile behaviours, --hostile is shared among the enabled ones. */
    SIMNET_WRONG_MAGIC,  /* every message with another network's magic */
    SIMNET_BAD_CHECKSUM, /* every message with a wrong checksum */
    SIMNET_HUGE_PAYLOAD, /* a header claiming a 4 GB payload, then junk */
    SIMNET_TRICKLE,      /* a valid version, one byte per --trickle-ms */
    SIMNET_ADDR_FLOOD,   /* valid handshake, then addr messages without end */
    SIMNET_BAD_TIMESTAMPS, /* valid handshake, getaddr answer with absurd times */
    SIMNET_BAD_GOSSIP,   /* valid handshake, answer mixing private, reserved,
                            public-looking and duplicate addresses */
    SIMNET_BAD_ADDRV2,   /* valid handshake, malformed addr/addrv2 answers */
    SIMNET_ABSURD_VERSION, /* version with absurd fields (negative protocol) */
    SIMNET_MSG_BEFORE_VERSION, /* addr + ping before its version, then honest */
    SIMNET_DISCONNECT,   /* accepts and closes at once */
    SIMNET_BEHAVIOUR_COUNT
};
#define SIMNET_FIRST_HOSTILE SIMNET_WRONG_MAGIC

/* Names as used on the command line and in the manifest ("bad-checksum"). */
const char *simnet_behaviour_name(enum simnet_behaviour b);
/* Returns the behaviour called `name`, or -1. */
int simnet_behaviour_parse(const char *name);
bool simnet_behaviour_is_hostile(enum simnet_behaviour b);

/* Everything the network is made from; same config, same network. */
struct simnet_config {
    uint64_t seed;
    const chain_params_t *chain;
    uint32_t nodes;
    /* How many nodes of each behaviour; count[SIMNET_HONEST] is ignored:
     * honest nodes are all that the others leave. */
    uint32_t count[SIMNET_BEHAVIOUR_COUNT];
    uint32_t ipv6_nodes;
    netaddr_cidr_t ipv6_prefix; /* valid when ipv6_nodes > 0; at most /64 */
    uint32_t onion_nodes;
    uint16_t port;      /* where honest nodes listen (default: the chain's) */
    uint16_t alt_port;  /* a few honest nodes listen here: reachable, never good */
    uint16_t dead_port; /* dead nodes are advertised here; nothing listens */
    int32_t best_height;
    uint32_t latency_ms; /* mean answer delay of every node (each gets 50-150%) */
    uint32_t slow_ms;    /* answer delay of slow nodes */
};

#define SIMNET_SERVICES_MAX 256

struct simnet_model {
    struct simnet_config cfg;
    struct simnet_perm perm; /* index -> rank */
    uint32_t rank_start[SIMNET_BEHAVIOUR_COUNT + 1];
    uint32_t first_ipv6;     /* index of the first IPv6 node */
    uint32_t first_onion;    /* index of the first TorV3 node */
    uint32_t ipv6_tag;
    uint32_t onion_tag;
    /* A cache of what gossip needs about every node, 4 bytes each (behaviour,
     * port, services as an index into `services`), so that a 1000-entry
     * answer costs table look-ups, not 1000 derivations. Computed once,
     * before the workers fork, whose pages then share it. */
    uint32_t *desc;
    uint64_t services[SIMNET_SERVICES_MAX];
    unsigned nservices;
};

/* Validates the config (counts fit, ports distinct, prefix usable) and
 * derives the model. Returns 0, or -1 with a reason in err. Free with
 * simnet_model_free. */
int simnet_model_init(struct simnet_model *m, const struct simnet_config *cfg, char *err,
                      size_t err_size);
void simnet_model_free(struct simnet_model *m);

/* Version fields as the node announces them. */
struct simnet_version_fields {
    int32_t version;
    uint64_t services;
    int32_t height;
    bool relay;
    const char *user_agent; /* static storage */
};

/* Schedule of a churning node: up while (t + phase) mod period < up * period,
 * t being simulated seconds since start. */
struct simnet_churn {
    uint32_t period_s;
    uint32_t phase_s;
    uint16_t up_permille;
};

struct simnet_node {
    uint32_t index;
    uint32_t rank;
    enum simnet_behaviour behaviour;
    netaddr_t addr; /* with the port the node listens on (or is advertised on) */
    struct simnet_version_fields v;
    uint32_t view_size;    /* entries of its getaddr answer */
    uint8_t answer_parts;  /* the answer is split into this many addr messages */
    uint32_t latency_ms;   /* base delay of every answer (before jitter) */
    struct simnet_churn churn; /* period 0 unless SIMNET_CHURN */
};

/* Fills `n` for node `index` (< nodes). */
void simnet_node_get(const struct simnet_model *m, uint32_t index, struct simnet_node *n);
enum simnet_behaviour simnet_model_behaviour(const struct simnet_model *m, uint32_t index);
uint32_t simnet_model_rank(const struct simnet_model *m, uint32_t index);
uint32_t simnet_model_index_at_rank(const struct simnet_model *m, uint32_t rank);
/* Fills the address (with port) of node `index` and returns its behaviour. */
enum simnet_behaviour simnet_model_address(const struct simnet_model *m, uint32_t index,
                                           netaddr_t *out);
/* The port node `index` is on (default, alternative or dead port). */
uint16_t simnet_model_port(const struct simnet_model *m, uint32_t index);
/* The services others advertise for node `index` in gossip. */
uint64_t simnet_model_services(const struct simnet_model *m, uint32_t index);
/* The node whose address (port ignored) is `a`: 0 and *index, or -1. */
int simnet_model_lookup(const struct simnet_model *m, const netaddr_t *a, uint32_t *index);

/* A version/verack handshake with it completes when it is up (see
 * simnet_manifest.h for the exact meaning). */
bool simnet_node_reachable(const struct simnet_node *n);
/* Up whenever dialed (every behaviour but churn). */
bool simnet_node_always_up(const struct simnet_node *n);
/* Up at simulated second t after start. */
bool simnet_node_up_at(const struct simnet_node *n, double t);
/* What a correct seeder should consider good: reachable and always up, on the
 * default port, NODE_NETWORK, protocol >= 70001, height >= the chain minimum
 * and within SIMNET_GOOD_HEIGHT_SLACK of the best height. */
bool simnet_node_good(const struct simnet_model *m, const struct simnet_node *n);

/* Honest synced nodes are at most SIMNET_SYNC_LAG_MAX blocks behind the best
 * height, unsynced ones at least SIMNET_UNSYNCED_GAP: any "near the best
 * height" slack between the two classifies them alike. */
#define SIMNET_SYNC_LAG_MAX 5
#define SIMNET_UNSYNCED_GAP 10000
#define SIMNET_GOOD_MIN_VERSION 70001
/* Bitcoin Core's MIN_PEER_PROTO_VERSION: older peers are disconnected. */
#define SIMNET_MIN_PEER_VERSION 31800

#endif
