/* simnet_worker -- one process serving every simulated node: its event loop,
 * its SO_REUSEPORT listeners, and the clock all workers share.
 *
 * Listeners are on 0.0.0.0 (and [::] when the network has IPv6 nodes), bound
 * to the loopback device: getsockname() of an accepted socket is the dialed
 * address, i.e. the node's identity. A connection to an address that is no
 * node, or to a node on a port it does not listen on, or to a churning node
 * while it is down, is reset at once (SO_LINGER 0). Dead nodes are advertised
 * on --dead-port, where nothing listens, so dialing them is refused by the
 * kernel itself. */
#ifndef BTCSEED_SIMNET_WORKER_H
#define BTCSEED_SIMNET_WORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "p2p/msg.h"
#include "simnet_model.h"

/* Settings that change how nodes behave in time, not who they are. */
struct simnet_runtime {
    double time_scale;      /* simulated seconds per real second */
    int64_t epoch;          /* simulated unix time at start */
    struct timespec start;  /* CLOCK_MONOTONIC at start, shared by all workers */
    uint32_t jitter_ms;     /* each answer: + uniform [0, jitter_ms] */
    uint32_t trickle_ms;    /* trickle nodes: one byte per this */
    uint32_t flood_ms;      /* addr-flood nodes: one 1000-entry addr per this */
};

/* 127.0.0.0/8 or ::1: the only addresses simnet binds explicitly. */
bool simnet_is_loopback(const netaddr_t *a);

/* Simulated seconds since start. */
double simnet_sim_elapsed(const struct simnet_runtime *rt);
/* Simulated unix time (what version and addr timestamps say). */
int64_t simnet_sim_now(const struct simnet_runtime *rt);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t simnet_mono_ms(void);

struct simnet_worker_stats {
    uint64_t accepted;
    uint64_t reset;        /* not a node / wrong port / churn down */
    uint64_t handshakes;   /* peer's verack received */
    uint64_t answers;      /* getaddr answered */
};

/* Scratch space sized for the largest message a node writes. */
#define SIMNET_PAYLOAD_MAX (P2P_MAX_ADDR * 40 + 16)

struct event_base;
struct simnet_worker {
    struct event_base *base;
    const struct simnet_model *model;
    const struct simnet_runtime *rt;
    uint64_t conn_seq;
    struct simnet_worker_stats stats;
    struct p2p_addr_entry entries[P2P_MAX_ADDR];
    uint8_t payload[SIMNET_PAYLOAD_MAX];
};

/* Runs one worker until SIGINT/SIGTERM: binds its listeners (and the SOCKS5
 * proxy's at `socks5`, a loopback address, unless NULL), writes one byte to
 * `ready_fd` (then closes it) once they are up, serves. Returns 0 on a clean
 * stop, -1 if the listeners could not be set up. */
int simnet_worker_run(const struct simnet_model *m, const struct simnet_runtime *rt,
                      const netaddr_t *socks5, int ready_fd);

#endif
