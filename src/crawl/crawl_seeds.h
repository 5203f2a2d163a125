/* crawl_seeds -- asynchronous DNS seed look-ups on the crawler's libevent loop.
 *
 * c-ares does the DNS; its sockets and timeouts are driven by events on the
 * caller's event_base, so a look-up never blocks the loop. Each seed name is
 * queried for A and AAAA at once (with a service filter the name becomes
 * "x<hex>.<seed>", the convention DNS seeds serve). Every address found is
 * reported through one callback, and each seed ends with one more callback
 * that says whether it gave anything.
 *
 *     crawl_seeds_t *s;
 *     crawl_seeds_new(base, &cfg, on_addr, on_done, arg, &s, err, sizeof err);
 *     crawl_seeds_query(s, "seed.bitcoin.sipa.be");
 *     ... event_base_dispatch(base) ...
 *     crawl_seeds_free(s);
 */
#ifndef BTCSEED_CRAWL_SEEDS_H
#define BTCSEED_CRAWL_SEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"

struct event_base;

typedef struct crawl_seeds crawl_seeds_t;

struct crawl_seeds_config {
    /* Nameserver as "IP:PORT", "[IPv6]:PORT" or "IP" (port 53); NULL to use
     * the system's (/etc/resolv.conf). */
    const char *resolver;
    /* 0 queries the seed name itself; otherwise "x<services in hex>.<seed>". */
    uint64_t services;
    /* Port put on every address found (the chain's default port). */
    uint16_t port;
    /* Time budget for one name, all retries included; 0 for 10 s. */
    int timeout_ms;
};

/* One address from `seed` (the name as given to crawl_seeds_query, without
 * the "x<hex>." prefix). The same address may come from several seeds:
 * callers de-duplicate. */
typedef void (*crawl_seeds_addr_cb)(const netaddr_t *addr, const char *seed, void *arg);

/* `seed` is finished: status 0 if it gave at least one address, -1 if it
 * gave none, with `error` saying why ("domain name not found", "timeout",
 * "no addresses", ...). Called exactly once per successful
 * crawl_seeds_query, unless the resolver is freed first. */
typedef void (*crawl_seeds_done_cb)(const char *seed, int status, const char *error, void *arg);

/* Creates a resolver on `base`. Returns 0, or -1 with a message in err
 * (e.g. a malformed resolver address). Caller frees with crawl_seeds_free;
 * `base` must outlive it. */
int crawl_seeds_new(struct event_base *base, const struct crawl_seeds_config *cfg,
                    crawl_seeds_addr_cb on_addr, crawl_seeds_done_cb on_done, void *arg,
                    crawl_seeds_t **out, char *err, size_t errlen);

/* Starts the A and AAAA look-ups of one seed name. Returns 0, or -1 if the
 * name is empty or too long for DNS (no callback follows then). The
 * callbacks run from the event loop; c-ares may also run them before this
 * function returns (e.g. when no nameserver is usable). */
int crawl_seeds_query(crawl_seeds_t *s, const char *seed);

/* Seeds started and not yet finished. */
size_t crawl_seeds_pending(const crawl_seeds_t *s);

/* Cancels what is pending (without further callbacks) and frees everything.
 * Accepts NULL. Safe to call from inside a callback: the free then happens
 * when the callback has returned. */
void crawl_seeds_free(crawl_seeds_t *s);

#endif
