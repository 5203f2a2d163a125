#include "net/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "util/base32.h"

#define IPV4_LEN 4
#define IPV6_LEN 16
#define TORV2_LEN 10
#define TORV3_LEN 32
#define I2P_LEN 32

/* ::ffff:0:0/96 -- an IPv4 address carried in an IPv6 one. */
static const uint8_t ipv4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
/* fd87:d87e:eb43::/48 -- how pre-BIP155 software put TorV2 into `addr`. */
static const uint8_t torv2_in_ipv6_prefix[6] = {0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43};
#define CJDNS_PREFIX 0xfc

/* Tor v3 onion name: base32(pubkey | checksum | version) ".onion", with
 * checksum = SHA3-256(".onion checksum" | pubkey | version)[:2]
 * (Tor rend-spec-v3, "Encoding onion addresses"). */
#define ONION_CHECKSUM_LEN 2
#define ONION_VERSION 3
#define ONION_RAW_LEN (TORV3_LEN + ONION_CHECKSUM_LEN + 1)
#define ONION_B32_LEN BASE32_ENCODED_LEN(ONION_RAW_LEN) /* 56 */
#define ONION_SUFFIX ".onion"
static const char onion_checksum_tag[] = ".onion checksum";

/* I2P: base32 of the 32-byte destination hash, then ".b32.i2p". */
#define I2P_B32_LEN BASE32_ENCODED_LEN(I2P_LEN) /* 52 */
#define I2P_SUFFIX ".b32.i2p"

/* No valid text form is longer than this; longer input is rejected before
 * it is copied anywhere. */
#define MAX_TEXT_LEN 128
#define MAX_PORT_DIGITS 5

size_t netaddr_len(uint8_t net)
{
    switch (net) {
    case NETADDR_IPV4: return IPV4_LEN;
    case NETADDR_IPV6: return IPV6_LEN;
    case NETADDR_TORV2: return TORV2_LEN;
    case NETADDR_TORV3: return TORV3_LEN;
    case NETADDR_I2P: return I2P_LEN;
    case NETADDR_CJDNS: return IPV6_LEN;
    default: return 0;
    }
}

const char *netaddr_net_name(uint8_t net)
{
    switch (net) {
    case NETADDR_IPV4: return "ipv4";
    case NETADDR_IPV6: return "ipv6";
    case NETADDR_TORV2: return "onionv2";
    case NETADDR_TORV3: return "onion";
    case NETADDR_I2P: return "i2p";
    case NETADDR_CJDNS: return "cjdns";
    default: return "unknown";
    }
}

static void set_raw(netaddr_t *a, uint8_t net, const uint8_t *bytes, size_t len, uint16_t port)
{
    memset(a, 0, sizeof *a);
    a->net = net;
    memcpy(a->bytes, bytes, len);
    a->port = port;
}

void netaddr_set_ipv4(netaddr_t *a, const uint8_t ip[4], uint16_t port)
{
    set_raw(a, NETADDR_IPV4, ip, IPV4_LEN, port);
}

void netaddr_set_ipv6(netaddr_t *a, const uint8_t ip[16], uint16_t port)
{
    if (memcmp(ip, ipv4_mapped_prefix, sizeof ipv4_mapped_prefix) == 0)
        set_raw(a, NETADDR_IPV4, ip + sizeof ipv4_mapped_prefix, IPV4_LEN, port);
    else
        set_raw(a, NETADDR_IPV6, ip, IPV6_LEN, port);
}

void netaddr_set_cjdns(netaddr_t *a, const uint8_t ip[16], uint16_t port)
{
    set_raw(a, NETADDR_CJDNS, ip, IPV6_LEN, port);
}

int netaddr_set_bip155(netaddr_t *a, uint8_t net, const uint8_t *bytes, size_t len,
                       uint16_t port)
{
    size_t want = netaddr_len(net);
    if (want == 0 || net == NETADDR_TORV2 || len != want)
        return -1;
    if (net == NETADDR_IPV6 && (memcmp(bytes, ipv4_mapped_prefix, sizeof ipv4_mapped_prefix) == 0 ||
                                memcmp(bytes, torv2_in_ipv6_prefix, sizeof torv2_in_ipv6_prefix) == 0)) {
        /* BIP155 gives every address one encoding: embedded IPv4/TorV2 in
         * the IPv6 network is not allowed. Like Bitcoin Core, keep reading
         * the message but store the unspecified address, which is never
         * routable and so never used. */
        static const uint8_t unspecified[IPV6_LEN];
        set_raw(a, NETADDR_IPV6, unspecified, IPV6_LEN, port);
        return 0;
    }
    set_raw(a, net, bytes, len, port);
    return 0;
}

/* ---- Tor v3 checksum ---------------------------------------------------- */

static int onion_checksum(const uint8_t pubkey[TORV3_LEN], uint8_t out[ONION_CHECKSUM_LEN])
{
    uint8_t input[sizeof onion_checksum_tag - 1 + TORV3_LEN + 1];
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned digest_len = 0;
    memcpy(input, onion_checksum_tag, sizeof onion_checksum_tag - 1);
    memcpy(input + sizeof onion_checksum_tag - 1, pubkey, TORV3_LEN);
    input[sizeof input - 1] = ONION_VERSION;
    if (EVP_Digest(input, sizeof input, digest, &digest_len, EVP_sha3_256(), NULL) != 1 ||
        digest_len < ONION_CHECKSUM_LEN)
        return -1;
    memcpy(out, digest, ONION_CHECKSUM_LEN);
    return 0;
}

/* ---- text parsing ------------------------------------------------------- */

static bool has_suffix_nocase(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

static int parse_onion(const char *host, size_t len, netaddr_t *out)
{
    size_t suffix_len = strlen(ONION_SUFFIX);
    uint8_t raw[ONION_RAW_LEN];
    uint8_t checksum[ONION_CHECKSUM_LEN];
    if (len != ONION_B32_LEN + suffix_len || !has_suffix_nocase(host, len, ONION_SUFFIX))
        return -1;
    if (base32_decode(host, ONION_B32_LEN, raw, sizeof raw) != 0)
        return -1;
    if (raw[ONION_RAW_LEN - 1] != ONION_VERSION)
        return -1;
    if (onion_checksum(raw, checksum) != 0 ||
        memcmp(checksum, raw + TORV3_LEN, ONION_CHECKSUM_LEN) != 0)
        return -1;
    set_raw(out, NETADDR_TORV3, raw, TORV3_LEN, 0);
    return 0;
}

static int parse_i2p(const char *host, size_t len, netaddr_t *out)
{
    size_t suffix_len = strlen(I2P_SUFFIX);
    uint8_t raw[I2P_LEN];
    if (len != I2P_B32_LEN + suffix_len || !has_suffix_nocase(host, len, I2P_SUFFIX))
        return -1;
    if (base32_decode(host, I2P_B32_LEN, raw, sizeof raw) != 0)
        return -1;
    set_raw(out, NETADDR_I2P, raw, I2P_LEN, 0);
    return 0;
}

/* An IPv6 literal as text: IPv4-mapped becomes IPv4, fc00::/8 is CJDNS (the
 * only way to write a CJDNS address is as an IPv6 literal in its range). */
static int parse_ipv6_host(const char *host, netaddr_t *out)
{
    uint8_t ip[IPV6_LEN];
    if (inet_pton(AF_INET6, host, ip) != 1)
        return -1;
    if (ip[0] == CJDNS_PREFIX)
        netaddr_set_cjdns(out, ip, 0);
    else
        netaddr_set_ipv6(out, ip, 0);
    return 0;
}

static int parse_host(const char *host, netaddr_t *out)
{
    size_t len = strlen(host);
    uint8_t ip4[IPV4_LEN];
    if (len == 0)
        return -1;
    if (inet_pton(AF_INET, host, ip4) == 1) {
        netaddr_set_ipv4(out, ip4, 0);
        return 0;
    }
    if (parse_onion(host, len, out) == 0 || parse_i2p(host, len, out) == 0)
        return 0;
    return -1;
}

/* Decimal digits only (no sign, no spaces), at most max_digits of them
 * (which also bounds the value before the overflow check), value <= max. */
static int parse_decimal(const char *s, size_t max_digits, uint32_t max, uint32_t *out)
{
    size_t len = strlen(s);
    uint32_t v = 0;
    if (len == 0 || len > max_digits)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_port(const char *s, uint16_t *out)
{
    uint32_t v;
    if (parse_decimal(s, MAX_PORT_DIGITS, UINT16_MAX, &v) != 0)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* Copies text into buf (MAX_TEXT_LEN + 1 bytes) so it can be cut up;
 * -1 if NULL or too long for any valid form. */
static int copy_text(const char *text, char *buf)
{
    size_t len;
    if (!text)
        return -1;
    len = strnlen(text, MAX_TEXT_LEN + 1);
    if (len > MAX_TEXT_LEN)
        return -1;
    memcpy(buf, text, len + 1);
    return 0;
}

int netaddr_parse(const char *text, uint16_t default_port, netaddr_t *out)
{
    char buf[MAX_TEXT_LEN + 1];
    netaddr_t a;
    uint16_t port = default_port;

    if (copy_text(text, buf) != 0)
        return -1;

    if (buf[0] == '[') {
        /* [ipv6] or [ipv6]:port */
        char *close = strchr(buf, ']');
        if (!close)
            return -1;
        *close = '\0';
        if (close[1] != '\0') {
            if (close[1] != ':' || parse_port(close + 2, &port) != 0)
                return -1;
        }
        if (parse_ipv6_host(buf + 1, &a) != 0)
            return -1;
    } else {
        char *colon = strchr(buf, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* Two or more colons: a bare IPv6 literal, which cannot carry
             * a port without brackets. */
            if (parse_ipv6_host(buf, &a) != 0)
                return -1;
        } else {
            if (colon) {
                *colon = '\0';
                if (parse_port(colon + 1, &port) != 0)
                    return -1;
            }
            if (parse_host(buf, &a) != 0)
                return -1;
        }
    }
    a.port = port;
    *out = a;
    return 0;
}

/* ---- text formatting ---------------------------------------------------- */

/* RFC 5952: lowercase hex, no leading zeros, the longest run (the first of
 * equal runs) of two or more zero groups becomes "::". Written by hand so
 * the form does not depend on the C library (glibc prints some addresses
 * with an embedded dotted quad). */
static void format_ipv6(const uint8_t ip[IPV6_LEN], char *buf, size_t size)
{
    enum { GROUPS = 8 };
    unsigned groups[GROUPS];
    int best_start = -1, best_len = 0, cur_start = -1, cur_len = 0;
    char tmp[48];
    size_t o = 0;

    for (int i = 0; i < GROUPS; i++) {
        groups[i] = ((unsigned)ip[2 * i] << 8) | ip[2 * i + 1];
        if (groups[i] == 0) {
            if (cur_len == 0)
                cur_start = i;
            cur_len++;
            if (cur_len > best_len) {
                best_len = cur_len;
                best_start = cur_start;
            }
        } else {
            cur_len = 0;
        }
    }
    if (best_len < 2)
        best_start = -1;

    for (int i = 0; i < GROUPS; i++) {
        if (i == best_start) {
            tmp[o++] = ':';
            tmp[o++] = ':';
            i += best_len - 1;
            continue;
        }
        if (o > 0 && tmp[o - 1] != ':')
            tmp[o++] = ':';
        o += (size_t)snprintf(tmp + o, sizeof tmp - o, "%x", groups[i]);
    }
    tmp[o] = '\0';
    snprintf(buf, size, "%s", tmp);
}

static void format_onion(const uint8_t pubkey[TORV3_LEN], char *buf, size_t size)
{
    uint8_t raw[ONION_RAW_LEN];
    char b32[ONION_B32_LEN + 1];
    memcpy(raw, pubkey, TORV3_LEN);
    if (onion_checksum(pubkey, raw + TORV3_LEN) != 0) {
        snprintf(buf, size, "invalid");
        return;
    }
    raw[ONION_RAW_LEN - 1] = ONION_VERSION;
    base32_encode(raw, sizeof raw, b32);
    snprintf(buf, size, "%s%s", b32, ONION_SUFFIX);
}

void netaddr_format_host(const netaddr_t *a, char *buf, size_t size)
{
    const uint8_t *b = a->bytes;
    char b32[I2P_B32_LEN + 1];
    if (size == 0)
        return;
    switch (a->net) {
    case NETADDR_IPV4:
        snprintf(buf, size, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        break;
    case NETADDR_IPV6:
    case NETADDR_CJDNS:
        format_ipv6(b, buf, size);
        break;
    case NETADDR_TORV3:
        format_onion(b, buf, size);
        break;
    case NETADDR_I2P:
        base32_encode(b, I2P_LEN, b32);
        snprintf(buf, size, "%s%s", b32, I2P_SUFFIX);
        break;
    default:
        snprintf(buf, size, "invalid");
        break;
    }
}

void netaddr_format(const netaddr_t *a, char *buf, size_t size)
{
    char host[NETADDR_STRLEN];
    bool brackets = a->net == NETADDR_IPV6 || a->net == NETADDR_CJDNS;
    if (size == 0)
        return;
    netaddr_format_host(a, host, sizeof host);
    snprintf(buf, size, "%s%s%s:%u", brackets ? "[" : "", host, brackets ? "]" : "",
             (unsigned)a->port);
}

/* ---- equality and hashing ----------------------------------------------- */

bool netaddr_equal(const netaddr_t *a, const netaddr_t *b)
{
    return a->net == b->net && memcmp(a->bytes, b->bytes, netaddr_len(a->net)) == 0;
}

bool netaddr_equal_port(const netaddr_t *a, const netaddr_t *b)
{
    return netaddr_equal(a, b) && a->port == b->port;
}

/* SipHash-2-4 with a key drawn once per process: addresses come from peers,
 * so an unkeyed hash would let a peer fill one hash bucket on purpose. */
static uint64_t siphash_key[2];
static pthread_once_t siphash_once = PTHREAD_ONCE_INIT;

static void siphash_init_key(void)
{
    uint8_t k[16];
    size_t got = 0;
    while (got < sizeof k) {
        ssize_t n = getrandom(k + got, sizeof k - got, 0);
        if (n <= 0)
            break; /* only before the kernel's pool is ready: fall back below */
        got += (size_t)n;
    }
    if (got < sizeof k) {
        /* Still a working (if predictable) hash; never fail a lookup. */
        uint64_t fallback = (uint64_t)(uintptr_t)&got ^ UINT64_C(0x9e3779b97f4a7c15);
        memcpy(k, &fallback, sizeof fallback);
        memcpy(k + 8, &fallback, sizeof fallback);
    }
    memcpy(&siphash_key[0], k, 8);
    memcpy(&siphash_key[1], k + 8, 8);
}

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                          \
    do {                                                                                  \
        v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32);                     \
        v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2;                                          \
        v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0;                                          \
        v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32);                     \
    } while (0)

static uint64_t siphash24(const uint8_t *in, size_t len)
{
    uint64_t k0, k1, v0, v1, v2, v3, m, b = (uint64_t)len << 56;
    size_t i;
    pthread_once(&siphash_once, siphash_init_key);
    k0 = siphash_key[0];
    k1 = siphash_key[1];
    v0 = k0 ^ UINT64_C(0x736f6d6570736575);
    v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
    v2 = k0 ^ UINT64_C(0x6c7967656e657261);
    v3 = k1 ^ UINT64_C(0x7465646279746573);
    for (i = 0; i + 8 <= len; i += 8) {
        m = 0;
        for (int j = 7; j >= 0; j--)
            m = (m << 8) | in[i + (size_t)j];
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)in[i + j] << (8 * j);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t hash_addr(const netaddr_t *a, bool with_port)
{
    uint8_t key[1 + NETADDR_MAX_LEN + 2];
    size_t n = netaddr_len(a->net);
    size_t o = 0;
    key[o++] = a->net;
    memcpy(key + o, a->bytes, n);
    o += n;
    if (with_port) {
        key[o++] = (uint8_t)(a->port >> 8);
        key[o++] = (uint8_t)a->port;
    }
    return siphash24(key, o);
}

uint64_t netaddr_hash(const netaddr_t *a) { return hash_addr(a, false); }

uint64_t netaddr_hash_port(const netaddr_t *a) { return hash_addr(a, true); }

/* ---- legacy and socket forms -------------------------------------------- */

int netaddr_to_legacy(const netaddr_t *a, uint8_t out[16])
{
    switch (a->net) {
    case NETADDR_IPV4:
        memcpy(out, ipv4_mapped_prefix, sizeof ipv4_mapped_prefix);
        memcpy(out + sizeof ipv4_mapped_prefix, a->bytes, IPV4_LEN);
        return 0;
    case NETADDR_IPV6:
        memcpy(out, a->bytes, IPV6_LEN);
        return 0;
    default:
        return -1;
    }
}

void netaddr_from_legacy(netaddr_t *a, const uint8_t in[16], uint16_t port)
{
    if (memcmp(in, torv2_in_ipv6_prefix, sizeof torv2_in_ipv6_prefix) == 0) {
        /* TorV2 is gone; like Bitcoin Core, keep the entry as the
         * unspecified address so it is read but never used. */
        static const uint8_t unspecified[IPV6_LEN];
        set_raw(a, NETADDR_IPV6, unspecified, IPV6_LEN, port);
        return;
    }
    netaddr_set_ipv6(a, in, port);
}

int netaddr_to_sockaddr(const netaddr_t *a, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (a->net == NETADDR_IPV4) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(a->port);
        memcpy(&sin->sin_addr, a->bytes, IPV4_LEN);
        *len = sizeof *sin;
        return 0;
    }
    if (a->net == NETADDR_IPV6 || a->net == NETADDR_CJDNS) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(a->port);
        memcpy(&sin6->sin6_addr, a->bytes, IPV6_LEN);
        *len = sizeof *sin6;
        return 0;
    }
    return -1;
}

int netaddr_from_sockaddr(netaddr_t *a, const struct sockaddr *sa, socklen_t len)
{
    if (!sa || len < (socklen_t)sizeof(sa_family_t))
        return -1;
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        struct sockaddr_in sin;
        memcpy(&sin, sa, sizeof sin);
        netaddr_set_ipv4(a, (const uint8_t *)&sin.sin_addr, ntohs(sin.sin_port));
        return 0;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, sa, sizeof sin6);
        netaddr_set_ipv6(a, sin6.sin6_addr.s6_addr, ntohs(sin6.sin6_port));
        return 0;
    }
    return -1;
}

/* ---- routability -------------------------------------------------------- */

static bool has_prefix(const uint8_t *b, const uint8_t *prefix, size_t n)
{
    return memcmp(b, prefix, n) == 0;
}

/* Bitcoin Core's IsValid + IsRoutable for IPv4, plus multicast (224/4) and
 * the reserved 240/4, which no host on the Internet can have either. */
static const char *ipv4_reason(const uint8_t *b)
{
    static const uint8_t rfc5737_a[] = {192, 0, 2}, rfc5737_b[] = {198, 51, 100},
                         rfc5737_c[] = {203, 0, 113};
    if (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0)
        return "unspecified";
    if (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255)
        return "broadcast";
    if (b[0] == 0)
        return "RFC1122"; /* 0.0.0.0/8, "this network": Core's IsLocal */
    if (b[0] == 127)
        return "loopback";
    if (b[0] == 10 || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) || (b[0] == 192 && b[1] == 168))
        return "RFC1918";
    if (b[0] == 198 && (b[1] == 18 || b[1] == 19))
        return "RFC2544";
    if (b[0] == 169 && b[1] == 254)
        return "RFC3927";
    if (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
        return "RFC6598";
    if (has_prefix(b, rfc5737_a, 3) || has_prefix(b, rfc5737_b, 3) || has_prefix(b, rfc5737_c, 3))
        return "RFC5737";
    if ((b[0] & 0xf0) == 224)
        return "multicast";
    if ((b[0] & 0xf0) == 240)
        return "reserved"; /* RFC 1112 class E */
    return NULL;
}

/* Bitcoin Core's IsValid + IsRoutable for IPv6, plus multicast (ff00::/8). */
static const char *ipv6_reason(const uint8_t *b)
{
    static const uint8_t unspecified[IPV6_LEN];
    static const uint8_t loopback[IPV6_LEN] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t rfc3849[] = {0x20, 0x01, 0x0d, 0xb8};
    static const uint8_t rfc4862[] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0};
    static const uint8_t rfc4843_7343[] = {0x20, 0x01, 0x00};
    if (has_prefix(b, unspecified, IPV6_LEN))
        return "unspecified";
    if (has_prefix(b, loopback, IPV6_LEN))
        return "loopback";
    if (has_prefix(b, rfc3849, sizeof rfc3849))
        return "RFC3849";
    if (has_prefix(b, rfc4862, sizeof rfc4862))
        return "RFC4862";
    if ((b[0] & 0xfe) == 0xfc)
        return "RFC4193";
    if (has_prefix(b, rfc4843_7343, sizeof rfc4843_7343) && (b[3] & 0xf0) == 0x10)
        return "RFC4843";
    if (has_prefix(b, rfc4843_7343, sizeof rfc4843_7343) && (b[3] & 0xf0) == 0x20)
        return "RFC7343";
    if (b[0] == 0xff)
        return "multicast";
    return NULL;
}

const char *netaddr_unroutable_reason(const netaddr_t *a)
{
    switch (a->net) {
    case NETADDR_IPV4: return ipv4_reason(a->bytes);
    case NETADDR_IPV6: return ipv6_reason(a->bytes);
    case NETADDR_CJDNS: return a->bytes[0] == CJDNS_PREFIX ? NULL : "invalid";
    case NETADDR_TORV3:
    case NETADDR_I2P: return NULL;
    default: return "invalid";
    }
}

bool netaddr_is_routable(const netaddr_t *a) { return netaddr_unroutable_reason(a) == NULL; }

const char *netaddr_tunnel_kind(const netaddr_t *a)
{
    static const uint8_t rfc6145[] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
    static const uint8_t rfc6052[] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t rfc3964[] = {0x20, 0x02};
    static const uint8_t rfc4380[] = {0x20, 0x01, 0x00, 0x00};
    if (a->net != NETADDR_IPV6)
        return NULL;
    if (has_prefix(a->bytes, rfc6145, sizeof rfc6145))
        return "RFC6145";
    if (has_prefix(a->bytes, rfc6052, sizeof rfc6052))
        return "RFC6052";
    if (has_prefix(a->bytes, rfc3964, sizeof rfc3964))
        return "RFC3964";
    if (has_prefix(a->bytes, rfc4380, sizeof rfc4380))
        return "RFC4380";
    return NULL;
}

/* ---- netgroups ---------------------------------------------------------- */

/* Layout: the network id in the top byte, so groups of different networks
 * never compare equal, then the prefix bytes. Unroutable addresses are
 * grouped by the same prefixes (Bitcoin Core lumps them into one group), so
 * that test networks on 127.0.0.0/8 admitted with --allow-net still spread. */
#define NETGROUP_NET_SHIFT 56
#define NETGROUP_IPV4_BYTES 2 /* /16 */
#define NETGROUP_IPV6_BYTES 4 /* /32 */

uint64_t netaddr_netgroup(const netaddr_t *a)
{
    uint64_t g = (uint64_t)a->net << NETGROUP_NET_SHIFT;
    size_t n = 0;
    if (a->net == NETADDR_IPV4)
        n = NETGROUP_IPV4_BYTES;
    else if (a->net == NETADDR_IPV6)
        n = NETGROUP_IPV6_BYTES;
    for (size_t i = 0; i < n; i++)
        g |= (uint64_t)a->bytes[i] << (8 * (n - 1 - i));
    return g;
}

/* ---- CIDR ranges -------------------------------------------------------- */

#define IPV4_BITS 32
#define IPV6_BITS 128
#define MAX_PREFIX_DIGITS 3
#define IPV4_MAPPED_BITS 96

static void mask_bytes(uint8_t *bytes, size_t len, unsigned bits)
{
    for (size_t i = 0; i < len; i++) {
        unsigned keep = bits >= 8 ? 8 : bits;
        bytes[i] &= (uint8_t)(0xff00u >> keep);
        bits -= keep;
    }
}

int netaddr_cidr_parse(const char *text, netaddr_cidr_t *out)
{
    char buf[MAX_TEXT_LEN + 1];
    netaddr_cidr_t c;
    uint32_t bits = 0, max_bits;
    char *slash;

    if (copy_text(text, buf) != 0)
        return -1;
    memset(&c, 0, sizeof c);

    slash = strchr(buf, '/');
    if (slash)
        *slash = '\0';
    if (inet_pton(AF_INET, buf, c.bytes) == 1) {
        c.net = NETADDR_IPV4;
        max_bits = IPV4_BITS;
    } else if (inet_pton(AF_INET6, buf, c.bytes) == 1) {
        c.net = NETADDR_IPV6;
        max_bits = IPV6_BITS;
    } else {
        return -1;
    }

    bits = max_bits; /* a bare address is a range of one */
    if (slash && parse_decimal(slash + 1, MAX_PREFIX_DIGITS, max_bits, &bits) != 0)
        return -1;

    /* Addresses never stay IPv4-mapped, so a mapped range is an IPv4 one. */
    if (c.net == NETADDR_IPV6 && bits >= IPV4_MAPPED_BITS &&
        has_prefix(c.bytes, ipv4_mapped_prefix, sizeof ipv4_mapped_prefix)) {
        memmove(c.bytes, c.bytes + sizeof ipv4_mapped_prefix, IPV4_LEN);
        memset(c.bytes + IPV4_LEN, 0, sizeof c.bytes - IPV4_LEN);
        c.net = NETADDR_IPV4;
        bits -= IPV4_MAPPED_BITS;
    }
    c.prefix_bits = (uint8_t)bits;
    mask_bytes(c.bytes, c.net == NETADDR_IPV4 ? IPV4_LEN : IPV6_LEN, bits);
    *out = c;
    return 0;
}

bool netaddr_cidr_contains(const netaddr_cidr_t *c, const netaddr_t *a)
{
    uint8_t masked[IPV6_LEN];
    size_t len;
    if (c->net == NETADDR_IPV4) {
        if (a->net != NETADDR_IPV4 || c->prefix_bits > IPV4_BITS)
            return false;
        len = IPV4_LEN;
    } else if (c->net == NETADDR_IPV6) {
        if ((a->net != NETADDR_IPV6 && a->net != NETADDR_CJDNS) || c->prefix_bits > IPV6_BITS)
            return false;
        len = IPV6_LEN;
    } else {
        return false;
    }
    memcpy(masked, a->bytes, len);
    mask_bytes(masked, len, c->prefix_bits);
    return memcmp(masked, c->bytes, len) == 0;
}

void netaddr_cidr_format(const netaddr_cidr_t *c, char *buf, size_t size)
{
    char host[NETADDR_STRLEN];
    netaddr_t a;
    if (size == 0)
        return;
    if (c->net == NETADDR_IPV4)
        netaddr_set_ipv4(&a, c->bytes, 0);
    else
        set_raw(&a, NETADDR_IPV6, c->bytes, IPV6_LEN, 0); /* keep fc00::/8 as IPv6 */
    if (c->net != NETADDR_IPV4 && c->net != NETADDR_IPV6) {
        snprintf(buf, size, "invalid");
        return;
    }
    netaddr_format_host(&a, host, sizeof host);
    snprintf(buf, size, "%s/%u", host, (unsigned)c->prefix_bits);
}
