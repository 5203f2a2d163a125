/* dns_snapshot -- the immutable set of good nodes the DNS server answers
 * from, precomputed per service filter, and the publisher that swaps it.
 *
 * A snapshot holds, for every combination of the known service bits (the
 * `x<hex>` names) and each of IPv4 and IPv6, a bounded random sample of the
 * matching nodes chosen to cover as many netgroups as possible, sorted by
 * netgroup. A query draws a fresh random answer from it without allocating.
 *
 * Publishing: writers (the crawler in `btcseed run`, the database reloader in
 * `btcseed serve`) call dns_publisher_publish, which builds a new snapshot
 * and swaps a pointer. Readers (server threads) take no lock: each owns a
 * hazard slot that announces the snapshot it is using, and a writer frees an
 * old snapshot only once no slot names it. */
#ifndef BTCSEED_DNS_SNAPSHOT_H
#define BTCSEED_DNS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_rng.h"
#include "net/netaddr.h"

/* The service bits a `x<hex>` name may ask for (p2p/msg.h NODE_*). */
#define DNS_KNOWN_SERVICES 6
#define DNS_FILTER_COUNT (1u << DNS_KNOWN_SERVICES)
/* Largest sample kept per filter and address family. Refreshed with every
 * snapshot, so over time every good node gets its turn. */
#define DNS_SNAPSHOT_SAMPLE 2048

enum dns_family { DNS_FAMILY_IPV4 = 0, DNS_FAMILY_IPV6 = 1 };

/* One good node as the database or the crawler hands it over. */
struct dns_node {
    netaddr_t addr;
    uint64_t services;
};

/* Maps a service mask to its filter index (0 = no filter), or -1 if it
 * contains a bit that is not one of the known ones. */
int dns_filter_index(uint64_t services);
uint64_t dns_filter_services(unsigned index);

typedef struct dns_snapshot dns_snapshot_t;

/* Builds a snapshot of nodes[0..n) (only IPv4 and IPv6 are used; others are
 * skipped) with SOA serial `serial`; `seed` drives the sampling. Returns NULL
 * on allocation failure. Caller frees with dns_snapshot_free. */
dns_snapshot_t *dns_snapshot_build(const struct dns_node *nodes, size_t n, uint32_t serial,
                                   uint64_t seed);
void dns_snapshot_free(dns_snapshot_t *s);

uint32_t dns_snapshot_serial(const dns_snapshot_t *s);
/* Nodes of the family matching filter `index` in the whole input (not only
 * the sample). */
size_t dns_snapshot_total(const dns_snapshot_t *s, unsigned index, enum dns_family fam);

/* Chooses up to `max` distinct addresses (4 or 16 bytes each) at random from
 * filter `index`, no two of one netgroup as long as the sample has enough
 * netgroups. Stores pointers into the snapshot in out[]. Returns the count.
 * `max` above DNS_PICK_MAX is clamped. */
#define DNS_PICK_MAX 64
size_t dns_snapshot_pick(const dns_snapshot_t *s, unsigned index, enum dns_family fam,
                         size_t max, struct dns_rng *rng, const uint8_t **out);

typedef struct dns_publisher dns_publisher_t;

/* A publisher with room for `readers` concurrent reader slots. Returns NULL
 * on allocation failure. Free with dns_publisher_free once no reader runs. */
dns_publisher_t *dns_publisher_new(unsigned readers);
void dns_publisher_free(dns_publisher_t *p);

/* Builds a snapshot of nodes[0..n) and makes it current. The SOA serial goes
 * up (to at least the current Unix time) whenever the set of nodes and
 * services differs from the previous one. Writers are serialised inside;
 * readers never wait. Returns 0, or -1 on allocation failure (the previous
 * snapshot stays current). */
int dns_publisher_publish(dns_publisher_t *p, const struct dns_node *nodes, size_t n);

/* Claims a reader slot for one thread. Returns the slot, or -1 if all are taken. */
int dns_publisher_reader(dns_publisher_t *p);
/* Gives a slot back (unpinned) for another reader to claim. */
void dns_publisher_reader_release(dns_publisher_t *p, int slot);
/* Pins and returns the current snapshot for slot (NULL before the first
 * publish); valid until dns_publisher_leave on the same slot. Lock-free. */
const dns_snapshot_t *dns_publisher_enter(dns_publisher_t *p, int slot);
void dns_publisher_leave(dns_publisher_t *p, int slot);

#endif
