/* netaddr -- one address type for every network a Bitcoin node can be on.
 *
 * Networks are numbered as BIP155 numbers them. Text forms:
 *   IPv4   1.2.3.4:8333            IPv6   [2001:db8::1]:8333
 *   TorV3  <56 base32>.onion:8333  I2P    <52 base32>.b32.i2p:0
 *   CJDNS  [fc00::1]:8333  (any fc00::/8 address in text form is CJDNS)
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) always becomes IPv4. */
#ifndef BTCSEED_NETADDR_H
#define BTCSEED_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum netaddr_net {
    NETADDR_IPV4 = 1,
    NETADDR_IPV6 = 2,
    NETADDR_TORV2 = 3, /* obsolete: never stored, decoders skip it */
    NETADDR_TORV3 = 4,
    NETADDR_I2P = 5,
    NETADDR_CJDNS = 6,
};

#define NETADDR_MAX_LEN 32
/* Longest text form: 62-char onion/i2p host + ":65535" + NUL, or "[ipv6]:port". */
#define NETADDR_STRLEN 80

typedef struct netaddr {
    uint8_t net;                   /* enum netaddr_net */
    uint8_t bytes[NETADDR_MAX_LEN]; /* netaddr_len(net) significant bytes, rest zero */
    uint16_t port;                 /* host order */
} netaddr_t;

/* Byte length of an address of network `net` (IPv4 4, IPv6/CJDNS 16,
 * TorV3/I2P 32, TorV2 10), or 0 if `net` is unknown. */
size_t netaddr_len(uint8_t net);
/* "ipv4", "ipv6", "onion", "i2p", "cjdns" (or "unknown"). */
const char *netaddr_net_name(uint8_t net);

void netaddr_set_ipv4(netaddr_t *a, const uint8_t ip[4], uint16_t port);
/* An IPv4-mapped address becomes IPv4; fc00::/8 stays IPv6 (callers that know
 * the host is on CJDNS use netaddr_set_cjdns). */
void netaddr_set_ipv6(netaddr_t *a, const uint8_t ip[16], uint16_t port);
void netaddr_set_cjdns(netaddr_t *a, const uint8_t ip[16], uint16_t port);
/* Sets from BIP155 (network id, bytes). Returns 0, or -1 if the length is
 * wrong for the network or the network is unknown/TorV2. */
int netaddr_set_bip155(netaddr_t *a, uint8_t net, const uint8_t *bytes, size_t len,
                       uint16_t port);

/* Parses a text form (see above); `default_port` is used when none is given.
 * Returns 0, or -1 (bad syntax, bad onion checksum/version, port 0 given
 * explicitly is allowed). */
int netaddr_parse(const char *text, uint16_t default_port, netaddr_t *out);
/* Writes the text form with port into buf (NETADDR_STRLEN bytes suffice). */
void netaddr_format(const netaddr_t *a, char *buf, size_t size);
/* Writes the host part only, IPv6 without brackets. */
void netaddr_format_host(const netaddr_t *a, char *buf, size_t size);

bool netaddr_equal(const netaddr_t *a, const netaddr_t *b);
/* Also compares ports. */
bool netaddr_equal_port(const netaddr_t *a, const netaddr_t *b);
/* Keyed hash (SipHash, key random per process) of network and bytes; the
 * port is left out so that it agrees with netaddr_equal. */
uint64_t netaddr_hash(const netaddr_t *a);
/* The same, port included: agrees with netaddr_equal_port. */
uint64_t netaddr_hash_port(const netaddr_t *a);

/* Legacy 16-byte form used by `addr` and `version`: IPv4 mapped, IPv6 as is.
 * Returns -1 for networks that have no legacy form. */
int netaddr_to_legacy(const netaddr_t *a, uint8_t out[16]);
void netaddr_from_legacy(netaddr_t *a, const uint8_t in[16], uint16_t port);

/* IPv4/IPv6/CJDNS to a socket address; -1 for Tor/I2P. */
int netaddr_to_sockaddr(const netaddr_t *a, struct sockaddr_storage *ss, socklen_t *len);
int netaddr_from_sockaddr(netaddr_t *a, const struct sockaddr *sa, socklen_t len);

/* Classification as Bitcoin Core's CNetAddr does it (IsValid + IsRoutable).
 * Returns NULL if the address is publicly routable, else the name of the
 * range that makes it not:
 *   IPv4: "unspecified" 0.0.0.0, "broadcast" 255.255.255.255, "RFC1122"
 *         0/8, "loopback" 127/8, "RFC1918", "RFC2544", "RFC3927", "RFC6598",
 *         "RFC5737", "multicast" 224/4, "reserved" 240/4
 *   IPv6: "unspecified" ::, "loopback" ::1, "RFC3849" 2001:db8::/32,
 *         "RFC4862" fe80::/64, "RFC4193" fc00::/7, "RFC4843" 2001:10::/28,
 *         "RFC7343" 2001:20::/28, "multicast" ff00::/8
 *   CJDNS outside fc00::/8 and unknown networks: "invalid".
 * Tor, I2P, CJDNS and the IPv6 tunnels (netaddr_tunnel_kind) are routable.
 * Multicast and 240/4 are additions to Core's list. */
const char *netaddr_unroutable_reason(const netaddr_t *a);
bool netaddr_is_routable(const netaddr_t *a);
/* For IPv6 addresses that embed an IPv4 one: "RFC6145" (::ffff:0:0:0/96),
 * "RFC6052" (64:ff9b::/96), "RFC3964" (6to4, 2002::/16), "RFC4380"
 * (Teredo, 2001::/32); otherwise NULL. */
const char *netaddr_tunnel_kind(const netaddr_t *a);

/* The group that limits how many answers may share a network: IPv4 /16,
 * IPv6 /32, one group per network for Tor, I2P and CJDNS. The network id is
 * in the top byte, so different networks never share a group. Unroutable
 * addresses are grouped by the same prefixes. */
uint64_t netaddr_netgroup(const netaddr_t *a);

/* An address range for --allow-net: "127.0.0.0/8", "2001:db8::/32". */
typedef struct netaddr_cidr {
    uint8_t net; /* NETADDR_IPV4 or NETADDR_IPV6 (CJDNS addresses match IPv6 ranges) */
    uint8_t bytes[16];
    uint8_t prefix_bits;
} netaddr_cidr_t;

/* "ADDR/BITS" or a bare "ADDR" (a range of one address). Host bits are
 * cleared; an IPv4-mapped range (::ffff:a.b.c.d/96+) becomes an IPv4 one.
 * Returns 0, or -1 on bad syntax or too many bits. */
int netaddr_cidr_parse(const char *text, netaddr_cidr_t *out);
bool netaddr_cidr_contains(const netaddr_cidr_t *c, const netaddr_t *a);
/* "ADDR/BITS" (NETADDR_STRLEN bytes suffice). */
void netaddr_cidr_format(const netaddr_cidr_t *c, char *buf, size_t size);

#endif
