#include "dns/dns_zone.h"

#include <arpa/inet.h>
#include <string.h>

#include "dns/dns_name.h"
#include "dns/dns_snapshot.h"
#include "util/hex.h"

#define DNS_FILTER_MAX_DIGITS 16

int dns_zone_init(dns_zone_t *z, const char *zone, const char *ns, const char *mbox)
{
    memset(z, 0, sizeof *z);
    if (dns_name_from_text(zone, z->apex, &z->apex_len) < 0 ||
        dns_name_from_text(ns, z->ns, &z->ns_len) < 0 ||
        dns_name_from_mbox(mbox, z->mbox, &z->mbox_len) < 0)
        return -1;
    z->apex_labels = dns_name_labels(z->apex, z->apex_len, NULL, 0);
    /* Before ns_in_zone is set, the name server's name matches like any other. */
    unsigned filter;
    size_t apex_at;
    enum dns_zone_match m = dns_zone_match(z, z->ns, z->ns_len, &filter, &apex_at);
    z->ns_in_zone = m != DNS_ZONE_OUTSIDE;
    z->ns_clash = m == DNS_ZONE_APEX || m == DNS_ZONE_FILTER;
    return 0;
}

int dns_zone_add_ns_addr(dns_zone_t *z, const char *ip)
{
    uint8_t addr[16];
    if (inet_pton(AF_INET, ip, addr) == 1) {
        if (z->ns_ipv4_count == DNS_ZONE_MAX_NS_ADDRS)
            return DNS_ZONE_ADDR_FULL;
        memcpy(z->ns_ipv4[z->ns_ipv4_count++], addr, 4);
        return 0;
    }
    if (inet_pton(AF_INET6, ip, addr) == 1) {
        if (z->ns_ipv6_count == DNS_ZONE_MAX_NS_ADDRS)
            return DNS_ZONE_ADDR_FULL;
        memcpy(z->ns_ipv6[z->ns_ipv6_count++], addr, 16);
        return 0;
    }
    return DNS_ZONE_ADDR_BAD;
}

enum dns_zone_problem dns_zone_check(const dns_zone_t *z)
{
    size_t addrs = z->ns_ipv4_count + z->ns_ipv6_count;
    if (!z->ns_in_zone)
        return addrs ? DNS_ZONE_NS_ADDR_OUTSIDE : DNS_ZONE_OK;
    if (z->ns_clash)
        return DNS_ZONE_NS_CLASH;
    return addrs ? DNS_ZONE_OK : DNS_ZONE_NS_NEEDS_ADDR;
}

/* Is `name` (below the apex) the in-zone name server's name, or one of the
 * names between it and the apex? */
static enum dns_zone_match match_ns(const dns_zone_t *z, const uint8_t *name, size_t len)
{
    for (size_t at = 0; at + 1 < z->ns_len; at += 1u + z->ns[at]) {
        if (z->ns_len - at == len && dns_name_bytes_equal(z->ns + at, name, len))
            return at == 0 ? DNS_ZONE_NS : DNS_ZONE_EMPTY;
    }
    return DNS_ZONE_NXDOMAIN;
}

int dns_zone_parse_filter(const uint8_t *hex, size_t len)
{
    if (len == 0 || len > DNS_FILTER_MAX_DIGITS || hex[0] == '0')
        return -1;
    uint64_t services = 0;
    for (size_t i = 0; i < len; i++) {
        int v = hex_digit(hex[i]);
        if (v < 0)
            return -1;
        services = (services << 4) | (uint64_t)v;
    }
    return dns_filter_index(services);
}

enum dns_zone_match dns_zone_match(const dns_zone_t *z, const uint8_t *name, size_t len,
                                   unsigned *filter, size_t *apex_at)
{
    uint8_t offsets[DNS_MAX_NAME / 2 + 1];
    size_t labels = dns_name_labels(name, len, offsets, sizeof offsets);
    if (labels < z->apex_labels)
        return DNS_ZONE_OUTSIDE;
    size_t prefix = labels - z->apex_labels;
    size_t at = prefix < labels ? offsets[prefix] : len - 1; /* root zone: the final 0 */
    if (len - at != z->apex_len || !dns_name_bytes_equal(name + at, z->apex, z->apex_len))
        return DNS_ZONE_OUTSIDE;
    *apex_at = at;
    *filter = 0;
    if (prefix == 0)
        return DNS_ZONE_APEX;
    if (prefix == 1 && name[0] >= 2 && (name[1] == 'x' || name[1] == 'X')) {
        int index = dns_zone_parse_filter(name + 2, name[0] - 1u);
        if (index > 0) {
            *filter = (unsigned)index;
            return DNS_ZONE_FILTER;
        }
    }
    return z->ns_in_zone ? match_ns(z, name, len) : DNS_ZONE_NXDOMAIN;
}
