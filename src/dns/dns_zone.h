/* dns_zone -- the one zone the seed is authoritative for: its apex, the
 * name server and mailbox of its SOA, and which names exist inside it.
 *
 * Names in the zone: the apex and `x<hex>.<apex>` where <hex> is a service
 * mask made only of known service bits, without leading zero, in either case
 * (x9, xD, x409...). Everything else below the apex does not exist, except
 * the name server's own name when it lies inside the zone (--ns
 * ns.seed.example.org for zone seed.example.org): then the zone holds its
 * A/AAAA records, the server's public addresses (--ns-addr), and NS answers
 * carry them as glue, since a resolver cannot look up that name anywhere but
 * here. Names between it and the apex exist, empty (RFC 8020). */
#ifndef BTCSEED_DNS_ZONE_H
#define BTCSEED_DNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_wire.h"

/* TTLs and SOA timers. Addresses live 60 s, the Bitcoin Core DNS seed
 * policy's minimum, so each resolver returns to us for a fresh sample. */
#define DNS_TTL_ADDR 60
#define DNS_TTL_NS 21600
#define DNS_TTL_NS_ADDR DNS_TTL_NS /* the name server's A/AAAA live as long as its NS */
#define DNS_TTL_SOA 3600
#define DNS_TTL_HINFO 3600
#define DNS_SOA_REFRESH 3600
#define DNS_SOA_RETRY 600
#define DNS_SOA_EXPIRE 1209600
#define DNS_SOA_MINIMUM 60 /* negative answers are cached this long */

/* An in-zone name server's addresses, per family. */
#define DNS_ZONE_MAX_NS_ADDRS 8

typedef struct dns_zone {
    uint8_t apex[DNS_MAX_NAME];
    size_t apex_len;
    size_t apex_labels;
    uint8_t ns[DNS_MAX_NAME];
    size_t ns_len;
    uint8_t mbox[DNS_MAX_NAME];
    size_t mbox_len;
    bool ns_in_zone;    /* ns is at or below the apex */
    bool ns_clash;      /* ns is the apex or a filter name: cannot be served */
    uint8_t ns_ipv4[DNS_ZONE_MAX_NS_ADDRS][4];
    size_t ns_ipv4_count;
    uint8_t ns_ipv6[DNS_ZONE_MAX_NS_ADDRS][16];
    size_t ns_ipv6_count;
} dns_zone_t;

/* Fills z from operator text: zone "seed.example.org", name server
 * "ns.example.org", mailbox "hostmaster@example.org" or
 * "hostmaster.example.org". Returns 0, or -1 if a name is malformed. */
int dns_zone_init(dns_zone_t *z, const char *zone, const char *ns, const char *mbox);

/* Adds one of the name server's own public addresses, "192.0.2.53" or
 * "2001:db8::53". Returns 0, DNS_ZONE_ADDR_BAD if the text is not an IPv4
 * or IPv6 address, or DNS_ZONE_ADDR_FULL if the zone holds
 * DNS_ZONE_MAX_NS_ADDRS of that family already. */
#define DNS_ZONE_ADDR_BAD (-1)
#define DNS_ZONE_ADDR_FULL (-2)
int dns_zone_add_ns_addr(dns_zone_t *z, const char *ip);

enum dns_zone_problem {
    DNS_ZONE_OK,
    DNS_ZONE_NS_NEEDS_ADDR,   /* in-zone name server without an address */
    DNS_ZONE_NS_ADDR_OUTSIDE, /* addresses for a name server outside the zone */
    DNS_ZONE_NS_CLASH,        /* name server at the apex or at a filter name */
};

/* Whether the zone can be served as configured: an in-zone name server
 * needs its addresses (without glue the delegation leads nowhere), an
 * outside one takes none (its addresses are its own zone's to give), and an
 * in-zone name server cannot sit where A/AAAA are the seed's nodes. */
enum dns_zone_problem dns_zone_check(const dns_zone_t *z);

enum dns_zone_match {
    DNS_ZONE_OUTSIDE, /* not at or below the apex: REFUSED */
    DNS_ZONE_APEX,
    DNS_ZONE_FILTER,  /* x<hex>.<apex> with known bits */
    DNS_ZONE_NXDOMAIN,
    DNS_ZONE_NS,      /* the in-zone name server's own name */
    DNS_ZONE_EMPTY,   /* between that name and the apex: exists, no records */
};

/* Classifies a wire name (as dns_name_read returns it). *filter receives the
 * filter index for FILTER, 0 for the other names inside; for every match inside
 * the zone, *apex_at receives the offset in `name` where the apex begins. */
enum dns_zone_match dns_zone_match(const dns_zone_t *z, const uint8_t *name, size_t len,
                                   unsigned *filter, size_t *apex_at);

/* Parses the label bytes after the 'x' of a filter label: 1 to 16 hex digits,
 * no leading zero, known service bits only. Returns the filter index, or -1. */
int dns_zone_parse_filter(const uint8_t *hex, size_t len);

#endif
