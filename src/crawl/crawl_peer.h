/* crawl_peer -- one visit to one node: connect (directly or through a SOCKS5
 * proxy), handshake, optionally ask for addresses, collect them, disconnect.
 *
 * Every stage has its own deadline and the visit has an overall one, so a
 * peer that trickles bytes cannot hold a slot. The peer reports learned
 * addresses as they arrive and its result exactly once, after it has released
 * its socket; the caller must not touch the peer after the result callback. */
#ifndef BTCSEED_CRAWL_PEER_H
#define BTCSEED_CRAWL_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/chain.h"
#include "net/netaddr.h"
#include "p2p/msg.h"

struct event_base;

/* Why a visit failed; also the label of the failure counters. */
enum crawl_fail {
    CRAWL_OK = 0,
    CRAWL_FAIL_REFUSED,   /* connection refused or unreachable */
    CRAWL_FAIL_CONNECT_TIMEOUT,
    CRAWL_FAIL_HANDSHAKE_TIMEOUT,
    CRAWL_FAIL_CLOSED,    /* the peer hung up before the handshake ended */
    CRAWL_FAIL_PROTOCOL,  /* bad framing, bad message, message before version */
    CRAWL_FAIL_PROXY,     /* the SOCKS5 proxy failed or refused */
    CRAWL_FAIL_LOCAL,     /* out of sockets or memory on our side */
    CRAWL_FAIL_COUNT
};
const char *crawl_fail_name(enum crawl_fail reason);

struct crawl_peer_config {
    const chain_params_t *chain;
    uint32_t connect_timeout_ms;
    uint32_t handshake_timeout_ms; /* connect to verack */
    uint32_t addr_timeout_ms;      /* getaddr to the end of collection */
    uint32_t quiet_ms;             /* after an addr answer, this long without more ends it */
    uint32_t visit_timeout_ms;     /* the whole visit */
    uint32_t max_payload;          /* larger messages end the visit as a protocol error */
    /* Decode space for one addr message (P2P_MAX_ADDR entries), shared by
     * every visit on the same event loop: messages are handled one at a time,
     * and 48 KB per connection would cost 700 MB at 15,000 connections. */
    struct p2p_addr_entry *scratch;
};

struct crawl_peer_result {
    enum crawl_fail reason;
    bool got_version;
    struct p2p_version version;   /* valid when got_version */
    bool asked_addrs;
    uint32_t addrs_received;      /* entries in addr/addrv2 messages, before any filter */
    uint32_t handshake_ms;        /* connect start to verack */
    char detail[96];              /* a short human-readable reason */
};

typedef void (*crawl_peer_addrs_fn)(void *ctx, const struct p2p_addr_entry *entries, size_t n);
typedef void (*crawl_peer_done_fn)(void *ctx, const struct crawl_peer_result *result);

typedef struct crawl_peer crawl_peer_t;

/* Starts a visit to `target`. With `proxy` set, connects there and asks it
 * (SOCKS5, by host name) for the target; `proxy` is required for Tor and I2P.
 * `want_addrs` sends getaddr after the handshake. Returns NULL if the visit
 * could not even start (then no callback is made). */
crawl_peer_t *crawl_peer_start(struct event_base *base, const struct crawl_peer_config *cfg,
                               const netaddr_t *target, const struct sockaddr_storage *proxy,
                               bool want_addrs, crawl_peer_addrs_fn on_addrs,
                               crawl_peer_done_fn on_done, void *ctx);
/* Ends a visit early (shutdown) without calling its callbacks. NULL ok. */
void crawl_peer_abort(crawl_peer_t *p);

#endif
