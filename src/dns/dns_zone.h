/* dns_zone -- the one zone the seed is authoritative for: its apex, the
 * name server and mailbox of its SOA, and which names exist inside it.
 *
 * Names in the zone: the apex and `x<hex>.<apex>` where <hex> is a service
 * mask made only of known service bits, without leading zero, in either case
 * (x9, xD, x409...). Everything else below the apex does not exist. */
#ifndef BTCSEED_DNS_ZONE_H
#define BTCSEED_DNS_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_wire.h"

/* TTLs and SOA timers. Addresses live 60 s, the Bitcoin Core DNS seed
 * policy's minimum, so each resolver returns to us for a fresh sample. */
#define DNS_TTL_ADDR 60
#define DNS_TTL_NS 21600
#define DNS_TTL_SOA 3600
#define DNS_TTL_HINFO 3600
#define DNS_SOA_REFRESH 3600
#define DNS_SOA_RETRY 600
#define DNS_SOA_EXPIRE 1209600
#define DNS_SOA_MINIMUM 60 /* negative answers are cached this long */

typedef struct dns_zone {
    uint8_t apex[DNS_MAX_NAME];
    size_t apex_len;
    size_t apex_labels;
    uint8_t ns[DNS_MAX_NAME];
    size_t ns_len;
    uint8_t mbox[DNS_MAX_NAME];
    size_t mbox_len;
} dns_zone_t;

/* Fills z from operator text: zone "seed.example.org", name server
 * "ns.example.org", mailbox "hostmaster@example.org" or
 * "hostmaster.example.org". Returns 0, or -1 if a name is malformed. */
int dns_zone_init(dns_zone_t *z, const char *zone, const char *ns, const char *mbox);

enum dns_zone_match {
    DNS_ZONE_OUTSIDE, /* not at or below the apex: REFUSED */
    DNS_ZONE_APEX,
    DNS_ZONE_FILTER,  /* x<hex>.<apex> with known bits */
    DNS_ZONE_NXDOMAIN,
};

/* Classifies a wire name (as dns_name_read returns it). For APEX and FILTER,
 * *filter receives the filter index (0 at the apex); for every match inside
 * the zone, *apex_at receives the offset in `name` where the apex begins. */
enum dns_zone_match dns_zone_match(const dns_zone_t *z, const uint8_t *name, size_t len,
                                   unsigned *filter, size_t *apex_at);

/* Parses the label bytes after the 'x' of a filter label: 1 to 16 hex digits,
 * no leading zero, known service bits only. Returns the filter index, or -1. */
int dns_zone_parse_filter(const uint8_t *hex, size_t len);

#endif
