/* libFuzzer target: netaddr_parse and netaddr_cidr_parse with round trips
 * (parse, format, parse, compare), and the binary setters with a round trip
 * through the text form. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/netaddr.h"

#define MAX_INPUT 256
#define CJDNS_PREFIX 0xfc

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_address(const netaddr_t *a)
{
    char text[NETADDR_STRLEN], again[NETADDR_STRLEN];
    netaddr_t b;

    /* The text form is canonical: it parses back to the same address and
     * formats to the same text. */
    netaddr_format(a, text, sizeof text);
    if (netaddr_parse(text, 1, &b) != 0 || !netaddr_equal_port(a, &b))
        __builtin_trap();
    netaddr_format(&b, again, sizeof again);
    if (strcmp(text, again) != 0)
        __builtin_trap();
    if (netaddr_hash_port(a) != netaddr_hash_port(&b) || netaddr_hash(a) != netaddr_hash(&b))
        __builtin_trap();

    /* Classification and groups are total functions. */
    const char *reason = netaddr_unroutable_reason(a);
    if (netaddr_is_routable(a) != (reason == NULL))
        __builtin_trap();
    if (netaddr_netgroup(a) >> 56 != a->net)
        __builtin_trap();
    (void)netaddr_tunnel_kind(a);

    /* Socket and legacy forms round-trip where they exist. */
    struct sockaddr_storage ss;
    socklen_t len;
    if (netaddr_to_sockaddr(a, &ss, &len) == 0) {
        if (netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len) != 0)
            __builtin_trap();
        /* CJDNS has no socket-level marker: it comes back as IPv6 */
        if (a->net != NETADDR_CJDNS && !netaddr_equal_port(a, &b))
            __builtin_trap();
    }
    uint8_t legacy[16];
    static const uint8_t torv2_in_ipv6[6] = {0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43};
    if (netaddr_to_legacy(a, legacy) == 0) {
        netaddr_from_legacy(&b, legacy, a->port);
        /* the old TorV2 range is read as "unspecified" on purpose */
        if (memcmp(legacy, torv2_in_ipv6, sizeof torv2_in_ipv6) != 0 &&
            !netaddr_equal_port(a, &b))
            __builtin_trap();
    }

    /* A range of exactly this address contains it. */
    if (a->net == NETADDR_IPV4 || a->net == NETADDR_IPV6 || a->net == NETADDR_CJDNS) {
        netaddr_cidr_t c;
        netaddr_format_host(a, text, sizeof text);
        if (netaddr_cidr_parse(text, &c) != 0 || !netaddr_cidr_contains(&c, a))
            __builtin_trap();
    }
}

static void check_cidr(const char *text)
{
    netaddr_cidr_t c, d;
    char out[NETADDR_STRLEN], again[NETADDR_STRLEN];
    if (netaddr_cidr_parse(text, &c) != 0)
        return;
    netaddr_cidr_format(&c, out, sizeof out);
    if (netaddr_cidr_parse(out, &d) != 0 || memcmp(&c, &d, sizeof c) != 0)
        __builtin_trap();
    netaddr_cidr_format(&d, again, sizeof again);
    if (strcmp(out, again) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[MAX_INPUT + 1];
    size_t n = size < MAX_INPUT ? size : MAX_INPUT;
    netaddr_t a;

    memcpy(text, data, n);
    text[n] = '\0';
    if (netaddr_parse(text, 8333, &a) == 0)
        check_address(&a);
    check_cidr(text);

    /* The same bytes as a BIP155 entry: network id, then the address. */
    if (size >= 1 && netaddr_set_bip155(&a, data[0], data + 1, size - 1, 8333) == 0) {
        /* fc00::/8 is CJDNS in text, so IPv6 in that range and CJDNS outside
         * it have no text form of their own. */
        bool ambiguous = (a.net == NETADDR_IPV6 && a.bytes[0] == CJDNS_PREFIX) ||
                         (a.net == NETADDR_CJDNS && a.bytes[0] != CJDNS_PREFIX);
        if (!ambiguous)
            check_address(&a);
    }
    return 0;
}
