/* Unit tests for netaddr: text forms, onion checksums, classification,
 * netgroups, socket and legacy forms, CIDR ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/netaddr.h"
#include "util/base32.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Real v3 onion services (checksums verified independently with Python's
 * hashlib.sha3_256): DuckDuckGo, the Tor Project, Facebook, and the one in
 * Bitcoin Core's net tests. */
static const char *const real_onions[] = {
    "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
    "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion",
    "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion",
    "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion",
};
static const uint8_t duckduckgo_pubkey[32] = {
    0x1d, 0x04, 0xa1, 0xd0, 0x4a, 0x33, 0x8c, 0x6e, 0x6a, 0xe9, 0x70, 0xbf, 0xab, 0xee, 0x49, 0x04,
    0x9d, 0x67, 0x02, 0x25, 0x09, 0x84, 0xca, 0x95, 0x0c, 0x01, 0x67, 0x3f, 0x4e, 0xc0, 0x34, 0xad,
};
static const char i2p_name[] = "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p";
static const uint8_t i2p_hash[32] = {
    0xa2, 0x89, 0x4d, 0xab, 0xae, 0xc0, 0x8c, 0x00, 0x51, 0xa4, 0x81, 0xa6, 0xda, 0xc8, 0x8b, 0x64,
    0xf9, 0x82, 0x32, 0xae, 0x42, 0xd4, 0xb6, 0xfd, 0x2f, 0xa8, 0x19, 0x52, 0xdf, 0xe3, 0x6a, 0x87,
};

static netaddr_t parse_ok(const char *text, uint16_t default_port)
{
    netaddr_t a;
    if (netaddr_parse(text, default_port, &a) != 0)
        fail_msg("netaddr_parse(\"%s\") failed", text);
    return a;
}

static void assert_format(const netaddr_t *a, const char *want)
{
    char buf[NETADDR_STRLEN];
    netaddr_format(a, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_canonical_text_forms_round_trip(void **state)
{
    static const struct {
        const char *text;
        uint8_t net;
    } cases[] = {
        {"1.2.3.4:8333", NETADDR_IPV4},
        {"255.255.255.255:65535", NETADDR_IPV4},
        {"0.0.0.0:0", NETADDR_IPV4},
        {"[2001:db8::1]:8333", NETADDR_IPV6},
        {"[::]:1", NETADDR_IPV6},
        {"[::1]:18444", NETADDR_IPV6},
        {"[2a01:4f8:c17:1a41::2]:8333", NETADDR_IPV6},
        {"[1:2:3:4:5:6:7:8]:8333", NETADDR_IPV6},
        {"[1:0:0:2::3]:8333", NETADDR_IPV6},   /* the longest zero run */
        {"[1::2:0:0:3:4]:8333", NETADDR_IPV6}, /* the first of two equal runs */
        {"[1::2:0:0:3]:8333", NETADDR_IPV6},
        {"[1:0:2:3:4:5:6:7]:8333", NETADDR_IPV6}, /* one zero group is not compressed */
        {"[::ffff:0:102:304]:8333", NETADDR_IPV6}, /* RFC6145, not IPv4-mapped */
        {"[fc00::1]:8333", NETADDR_CJDNS},
        {"[fc32:17ea:e415:c3bf:9808:149d:b5a2:c9aa]:8333", NETADDR_CJDNS},
        {"duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion:8333", NETADDR_TORV3},
        {"ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:0", NETADDR_I2P},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        netaddr_t a = parse_ok(cases[i].text, 1);
        assert_int_equal(a.net, cases[i].net);
        assert_format(&a, cases[i].text);
        netaddr_t b = parse_ok(cases[i].text, 1);
        assert_true(netaddr_equal_port(&a, &b));
        /* bytes past the address length are zero */
        for (size_t j = netaddr_len(a.net); j < NETADDR_MAX_LEN; j++)
            assert_int_equal(a.bytes[j], 0);
    }
}

static void test_non_canonical_forms_normalise(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"1.2.3.4", "1.2.3.4:8333"},                          /* default port */
        {"[2001:DB8:0:0:0:0:0:1]", "[2001:db8::1]:8333"},     /* RFC 5952 */
        {"2001:db8::1", "[2001:db8::1]:8333"},                /* bare IPv6 */
        {"[0001:0002::0003]:1", "[1:2::3]:1"},
        {"[::ffff:1.2.3.4]:8333", "1.2.3.4:8333"},            /* mapped -> IPv4 */
        {"::ffff:10.0.0.1", "10.0.0.1:8333"},
        {"[::ffff:102:304]:7", "1.2.3.4:7"},
        {"[::1.2.3.4]:8333", "[::102:304]:8333"},             /* never a dotted quad */
        {"FC00::1", "[fc00::1]:8333"},
        {"DUCKDUCKGOGG42XJOC72X3SJASOWOARFBGCMVFIMAFTT6TWAGSWZCZAD.ONION",
         "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion:8333"},
        {"UKEU3K5OYCGAAUNEQGTNVSELMT4YEMVOILKLN7JPVAMVFX7DNKDQ.B32.I2P:1",
         "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:1"},
        {"1.2.3.4:0", "1.2.3.4:0"}, /* explicit port 0 allowed */
        {"1.2.3.4:00080", "1.2.3.4:80"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        netaddr_t a = parse_ok(cases[i].text, 8333);
        assert_format(&a, cases[i].want);
    }
}

static void test_bad_text_rejected(void **state)
{
    static const char *const bad[] = {
        "",
        ":",
        ":8333",
        "1.2.3.4:",
        "1.2.3.4:65536",
        "1.2.3.4:123456",
        "1.2.3.4:-1",
        "1.2.3.4:+80",
        "1.2.3.4: 80",
        "1.2.3.4:80 ",
        " 1.2.3.4",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        "1.2.3.4/8",
        "[1.2.3.4]:8333",
        "[::1",
        "[::1]8333",
        "[::1]:",
        "[::1]:x",
        "[]:8333",
        "::1:8333:",
        "2001:db8::1::2",
        "fe80::1%eth0",
        "[fe80::1%1]:8333",
        "localhost",
        "seed.bitcoin.sipa.be:8333",
        "example.onion",
        ".onion",
        ".b32.i2p",
        "1.2.3.4\n",
        /* onion v2 (16 characters) is gone */
        "expyuzz4wqqyqhjn.onion:8333",
        /* v3 with one character changed: checksum fails */
        "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczaa.onion",
        "euckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
        /* 55 and 57 characters */
        "uckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
        "dduckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
        /* not base32 (0, 1, 8, 9 are outside the alphabet) */
        "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzcza0.onion",
        /* i2p: 51 / 53 characters, non-zero padding bits, wrong suffix */
        "keu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p",
        "aukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p",
        "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdr.b32.i2p",
        "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.i2p",
        "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:99999",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        netaddr_t a;
        if (netaddr_parse(bad[i], 8333, &a) == 0)
            fail_msg("netaddr_parse accepted \"%s\"", bad[i]);
    }
    netaddr_t a;
    assert_int_equal(netaddr_parse(NULL, 8333, &a), -1);
    char longer[300];
    memset(longer, '1', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(netaddr_parse(longer, 8333, &a), -1);
}

static void test_real_onions(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(real_onions); i++) {
        char text[NETADDR_STRLEN], host[NETADDR_STRLEN];
        netaddr_t a = parse_ok(real_onions[i], 8333);
        assert_int_equal(a.net, NETADDR_TORV3);
        assert_true(netaddr_is_routable(&a));
        netaddr_format_host(&a, host, sizeof host);
        assert_string_equal(host, real_onions[i]);
        snprintf(text, sizeof text, "%s:8333", real_onions[i]);
        assert_format(&a, text);
    }
    netaddr_t a = parse_ok(real_onions[0], 0);
    assert_memory_equal(a.bytes, duckduckgo_pubkey, sizeof duckduckgo_pubkey);

    /* Formatting computes the checksum: set the key only, get the name. */
    netaddr_t b;
    assert_int_equal(netaddr_set_bip155(&b, NETADDR_TORV3, duckduckgo_pubkey, 32, 9050), 0);
    assert_format(&b, "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion:9050");
}

static void test_onion_bad_version_rejected(void **state)
{
    /* Build base32(pubkey | correct checksum for v3 | version 4): only the
     * version byte is wrong. */
    netaddr_t a = parse_ok(real_onions[0], 0);
    char host[NETADDR_STRLEN];
    uint8_t raw[35];
    char b32[BASE32_ENCODED_LEN(35) + sizeof ".onion"];
    netaddr_format_host(&a, host, sizeof host);
    assert_int_equal(base32_decode(host, 56, raw, sizeof raw), 0);
    assert_int_equal(raw[34], 3);
    raw[34] = 4;
    base32_encode(raw, sizeof raw, b32);
    strcat(b32, ".onion");
    assert_int_equal(netaddr_parse(b32, 0, &a), -1);
    /* a flipped checksum byte with the right version fails too */
    raw[34] = 3;
    raw[32] ^= 1;
    base32_encode(raw, sizeof raw, b32);
    strcat(b32, ".onion");
    assert_int_equal(netaddr_parse(b32, 0, &a), -1);
}

static void test_i2p(void **state)
{
    netaddr_t a = parse_ok(i2p_name, 0);
    assert_int_equal(a.net, NETADDR_I2P);
    assert_int_equal(a.port, 0);
    assert_memory_equal(a.bytes, i2p_hash, sizeof i2p_hash);
    assert_true(netaddr_is_routable(&a));
    char host[NETADDR_STRLEN];
    netaddr_format_host(&a, host, sizeof host);
    assert_string_equal(host, i2p_name);
}

static void test_base32_vectors(void **state)
{
    /* RFC 4648 section 10, lowercase and unpadded. */
    static const struct {
        const char *in, *out;
    } v[] = {{"", ""},          {"f", "my"},          {"fo", "mzxq"},         {"foo", "mzxw6"},
             {"foob", "mzxw6yq"}, {"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"}};
    for (size_t i = 0; i < ARRAY_LEN(v); i++) {
        char out[32];
        uint8_t back[8];
        size_t n = strlen(v[i].in);
        base32_encode((const uint8_t *)v[i].in, n, out);
        assert_string_equal(out, v[i].out);
        assert_int_equal(base32_decode(out, strlen(out), back, n), 0);
        assert_memory_equal(back, v[i].in, n);
    }
    uint8_t b[2];
    assert_int_equal(base32_decode("mzxr", 4, b, 2), -1); /* padding bits set */
    assert_int_equal(base32_decode("mzx", 3, b, 2), -1);  /* wrong length */
    assert_int_equal(base32_decode("mz1q", 4, b, 2), -1); /* not in alphabet */
}

static void test_setters_and_ipv4_mapped(void **state)
{
    const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 8, 8, 4, 4};
    const uint8_t cj[16] = {0xfc, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    netaddr_t a;
    netaddr_set_ipv6(&a, mapped, 8333);
    assert_int_equal(a.net, NETADDR_IPV4);
    assert_format(&a, "8.8.4.4:8333");
    netaddr_set_ipv6(&a, cj, 1);
    assert_int_equal(a.net, NETADDR_IPV6); /* stays IPv6 unless told */
    assert_string_equal(netaddr_unroutable_reason(&a), "RFC4193");
    netaddr_set_cjdns(&a, cj, 1);
    assert_int_equal(a.net, NETADDR_CJDNS);
    assert_null(netaddr_unroutable_reason(&a));
    assert_format(&a, "[fc01:203:405:607:809:a0b:c0d:e0f]:1");

    assert_int_equal(netaddr_len(NETADDR_IPV4), 4);
    assert_int_equal(netaddr_len(NETADDR_IPV6), 16);
    assert_int_equal(netaddr_len(NETADDR_TORV2), 10);
    assert_int_equal(netaddr_len(NETADDR_TORV3), 32);
    assert_int_equal(netaddr_len(NETADDR_I2P), 32);
    assert_int_equal(netaddr_len(NETADDR_CJDNS), 16);
    assert_int_equal(netaddr_len(0), 0);
    assert_int_equal(netaddr_len(7), 0);
    assert_string_equal(netaddr_net_name(NETADDR_TORV3), "onion");
    assert_string_equal(netaddr_net_name(NETADDR_I2P), "i2p");
    assert_string_equal(netaddr_net_name(NETADDR_CJDNS), "cjdns");
    assert_string_equal(netaddr_net_name(99), "unknown");
}

static void test_bip155(void **state)
{
    uint8_t bytes[32] = {1, 2, 3, 4};
    netaddr_t a;
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_IPV4, bytes, 4, 8333), 0);
    assert_format(&a, "1.2.3.4:8333");
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_IPV4, bytes, 16, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_IPV6, bytes, 4, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_TORV2, bytes, 10, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_TORV3, bytes, 31, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_I2P, bytes, 33, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_CJDNS, bytes, 32, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, 0, bytes, 4, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, 42, bytes, 4, 8333), -1);
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_I2P, i2p_hash, 32, 0), 0);
    assert_int_equal(a.net, NETADDR_I2P);

    /* IPv4-mapped inside BIP155 IPv6 has another encoding: read, unusable */
    const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 8, 8, 4, 4};
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_IPV6, mapped, 16, 8333), 0);
    assert_false(netaddr_is_routable(&a));
    assert_string_equal(netaddr_unroutable_reason(&a), "unspecified");

    /* CJDNS outside fc00::/8 is kept but never used */
    bytes[0] = 0xfd;
    assert_int_equal(netaddr_set_bip155(&a, NETADDR_CJDNS, bytes, 16, 8333), 0);
    assert_string_equal(netaddr_unroutable_reason(&a), "invalid");
}

static void test_legacy_form(void **state)
{
    uint8_t out[16];
    const uint8_t torv2[16] = {0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    netaddr_t a = parse_ok("1.2.3.4:8333", 0), b;
    assert_int_equal(netaddr_to_legacy(&a, out), 0);
    const uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4};
    assert_memory_equal(out, want, 16);
    netaddr_from_legacy(&b, out, 8333);
    assert_true(netaddr_equal_port(&a, &b));

    a = parse_ok("[2001:db8::5]:1", 0);
    assert_int_equal(netaddr_to_legacy(&a, out), 0);
    netaddr_from_legacy(&b, out, 1);
    assert_true(netaddr_equal_port(&a, &b));

    a = parse_ok(real_onions[1], 0);
    assert_int_equal(netaddr_to_legacy(&a, out), -1);
    a = parse_ok(i2p_name, 0);
    assert_int_equal(netaddr_to_legacy(&a, out), -1);
    a = parse_ok("[fc00::1]:1", 0);
    assert_int_equal(netaddr_to_legacy(&a, out), -1);

    netaddr_from_legacy(&b, torv2, 8333);
    assert_int_equal(b.net, NETADDR_IPV6);
    assert_string_equal(netaddr_unroutable_reason(&b), "unspecified");
}

static void test_sockaddr(void **state)
{
    struct sockaddr_storage ss;
    socklen_t len;
    netaddr_t a = parse_ok("10.1.2.3:18444", 0), b;
    assert_int_equal(netaddr_to_sockaddr(&a, &ss, &len), 0);
    assert_int_equal(len, sizeof(struct sockaddr_in));
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&ss;
    assert_int_equal(sin->sin_family, AF_INET);
    assert_int_equal(ntohs(sin->sin_port), 18444);
    assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x0a010203);
    assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len), 0);
    assert_true(netaddr_equal_port(&a, &b));
    assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len - 1), -1);

    a = parse_ok("[2001:db8::7]:8333", 0);
    assert_int_equal(netaddr_to_sockaddr(&a, &ss, &len), 0);
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&ss, len), 0);
    assert_true(netaddr_equal_port(&a, &b));

    /* A dual-stack socket reports IPv4 peers as mapped: they become IPv4. */
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    s6.sin6_port = htons(8333);
    assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.5", &s6.sin6_addr), 1);
    assert_int_equal(netaddr_from_sockaddr(&b, (struct sockaddr *)&s6, sizeof s6), 0);
    assert_format(&b, "127.0.0.5:8333");

    a = parse_ok("[fc00::9]:1", 0);
    assert_int_equal(netaddr_to_sockaddr(&a, &ss, &len), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    a = parse_ok(real_onions[2], 0);
    assert_int_equal(netaddr_to_sockaddr(&a, &ss, &len), -1);
    a = parse_ok(i2p_name, 0);
    assert_int_equal(netaddr_to_sockaddr(&a, &ss, &len), -1);

    struct sockaddr unix_sa = {.sa_family = AF_UNIX};
    assert_int_equal(netaddr_from_sockaddr(&b, &unix_sa, sizeof unix_sa), -1);
}

/* Each range: one address inside (reason expected), one just outside
 * (routable, NULL). */
static void test_reserved_ranges(void **state)
{
    static const struct {
        const char *in, *reason, *outside;
    } cases[] = {
        {"0.0.0.0", "unspecified", "1.0.0.0"},
        {"255.255.255.255", "broadcast", "223.255.255.255"},
        {"0.1.2.3", "RFC1122", "1.0.0.1"},
        {"0.255.255.255", "RFC1122", "1.0.0.0"},
        {"127.0.0.1", "loopback", "126.255.255.255"},
        {"127.255.255.255", "loopback", "128.0.0.0"},
        {"10.0.0.0", "RFC1918", "9.255.255.255"},
        {"10.255.255.255", "RFC1918", "11.0.0.0"},
        {"172.16.0.0", "RFC1918", "172.15.255.255"},
        {"172.31.255.255", "RFC1918", "172.32.0.0"},
        {"192.168.0.1", "RFC1918", "192.169.0.1"},
        {"192.168.255.255", "RFC1918", "192.167.255.255"},
        {"198.18.0.0", "RFC2544", "198.17.255.255"},
        {"198.19.255.255", "RFC2544", "198.20.0.0"},
        {"169.254.0.0", "RFC3927", "169.253.255.255"},
        {"169.254.255.255", "RFC3927", "169.255.0.0"},
        {"100.64.0.0", "RFC6598", "100.63.255.255"},
        {"100.127.255.255", "RFC6598", "100.128.0.0"},
        {"192.0.2.0", "RFC5737", "192.0.1.255"},
        {"192.0.2.255", "RFC5737", "192.0.3.0"},
        {"198.51.100.7", "RFC5737", "198.51.101.0"},
        {"198.51.100.0", "RFC5737", "198.51.99.255"},
        {"203.0.113.255", "RFC5737", "203.0.114.0"},
        {"203.0.113.0", "RFC5737", "203.0.112.255"},
        {"224.0.0.1", "multicast", "223.255.255.255"},
        {"239.255.255.255", "multicast", "223.0.0.1"},
        {"240.0.0.0", "reserved", "223.255.255.254"},
        {"255.255.255.254", "reserved", "223.1.1.1"},
        {"::", "unspecified", "::2"},
        {"::1", "loopback", "::2"},
        {"2001:db8::", "RFC3849", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "RFC3849", "2001:db9::"},
        {"fe80::1", "RFC4862", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"fe80::ffff:ffff:ffff:ffff", "RFC4862", "fe80:0:0:1::"},
        {"fd00::1", "RFC4193", "fe00::1"},
        {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "RFC4193", "fe00::"},
        {"2001:10::1", "RFC4843", "2001:f:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "RFC4843", "2001:30::"},
        {"2001:20::", "RFC7343", "2001:30::"},
        {"2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "RFC7343", "2001:30::1"},
        {"ff02::1", "multicast", "fe00::1"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "multicast", "fe80:0:0:1::1"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        netaddr_t in = parse_ok(cases[i].in, 8333);
        netaddr_t out = parse_ok(cases[i].outside, 8333);
        const char *reason = netaddr_unroutable_reason(&in);
        if (!reason || strcmp(reason, cases[i].reason) != 0)
            fail_msg("%s: reason %s, want %s", cases[i].in, reason ? reason : "(routable)",
                     cases[i].reason);
        assert_false(netaddr_is_routable(&in));
        if (netaddr_unroutable_reason(&out) != NULL)
            fail_msg("%s: should be routable, got %s", cases[i].outside,
                     netaddr_unroutable_reason(&out));
        assert_true(netaddr_is_routable(&out));
    }

    /* fc00::/8 written as text is CJDNS, which is routable; as IPv6 it is
     * RFC4193. */
    netaddr_t cj = parse_ok("[fc00::1]", 0);
    assert_true(netaddr_is_routable(&cj));
    static const uint8_t fc[16] = {0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    netaddr_set_ipv6(&cj, fc, 0);
    assert_string_equal(netaddr_unroutable_reason(&cj), "RFC4193");

    netaddr_t zero;
    memset(&zero, 0, sizeof zero);
    assert_string_equal(netaddr_unroutable_reason(&zero), "invalid");
}

static void test_tunnels_routable(void **state)
{
    static const struct {
        const char *in, *kind;
    } cases[] = {
        {"::ffff:0:102:304", "RFC6145"},
        {"64:ff9b::102:304", "RFC6052"},
        {"2002:102:304::1", "RFC3964"},
        {"2001::1", "RFC4380"},
        {"2001:0:ffff:ffff::1", "RFC4380"},
        {"2001:1::1", NULL},
        {"2003::1", NULL},
        {"64:ff9b:1::1", NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        netaddr_t a = parse_ok(cases[i].in, 0);
        const char *kind = netaddr_tunnel_kind(&a);
        assert_true(netaddr_is_routable(&a));
        if (cases[i].kind)
            assert_string_equal(kind, cases[i].kind);
        else
            assert_null(kind);
    }
    netaddr_t v4 = parse_ok("1.2.3.4", 0);
    assert_null(netaddr_tunnel_kind(&v4));
}

static void test_netgroups(void **state)
{
    netaddr_t a = parse_ok("1.2.3.4", 0), b = parse_ok("1.2.200.200:9", 0),
              c = parse_ok("1.3.3.4", 0), d = parse_ok("2.2.3.4", 0);
    assert_int_equal(netaddr_netgroup(&a), netaddr_netgroup(&b));
    assert_int_not_equal(netaddr_netgroup(&a), netaddr_netgroup(&c));
    assert_int_not_equal(netaddr_netgroup(&a), netaddr_netgroup(&d));

    netaddr_t e = parse_ok("2001:db8:1:2::1", 0), f = parse_ok("2001:db8:ffff::", 0),
              g = parse_ok("2001:db9::1", 0);
    assert_int_equal(netaddr_netgroup(&e), netaddr_netgroup(&f));
    assert_int_not_equal(netaddr_netgroup(&e), netaddr_netgroup(&g));

    /* 127.0.x.y all in one /16, 127.1.x.y another: tests with --allow-net
     * still see several groups. */
    netaddr_t l1 = parse_ok("127.0.0.1", 0), l2 = parse_ok("127.0.9.9", 0),
              l3 = parse_ok("127.1.0.1", 0);
    assert_int_equal(netaddr_netgroup(&l1), netaddr_netgroup(&l2));
    assert_int_not_equal(netaddr_netgroup(&l1), netaddr_netgroup(&l3));

    /* one group per overlay network */
    netaddr_t t1 = parse_ok(real_onions[0], 0), t2 = parse_ok(real_onions[1], 0),
              i1 = parse_ok(i2p_name, 0), c1 = parse_ok("fc00::1", 0),
              c2 = parse_ok("fcff:ffff::1", 0);
    assert_int_equal(netaddr_netgroup(&t1), netaddr_netgroup(&t2));
    assert_int_equal(netaddr_netgroup(&c1), netaddr_netgroup(&c2));

    /* Distinct networks never share a value, even where the prefix bytes
     * would coincide: 0.0.x.x vs ::, 253.0 vs fd00::, Tor vs I2P vs CJDNS. */
    netaddr_t z4 = parse_ok("0.0.1.1", 0), z6 = parse_ok("::2", 0),
              f4 = parse_ok("253.0.0.1", 0), f6 = parse_ok("fd00::", 0);
    const netaddr_t *all[] = {&a, &c, &e, &g, &t1, &i1, &c1, &z4, &z6, &f4, &f6};
    for (size_t i = 0; i < ARRAY_LEN(all); i++)
        for (size_t j = i + 1; j < ARRAY_LEN(all); j++)
            if (netaddr_netgroup(all[i]) == netaddr_netgroup(all[j]))
                fail_msg("groups %zu and %zu collide", i, j);
}

static void test_equality_and_hash(void **state)
{
    netaddr_t a = parse_ok("1.2.3.4:1", 0), b = parse_ok("1.2.3.4:2", 0),
              c = parse_ok("1.2.3.5:1", 0), m = parse_ok("[::ffff:1.2.3.4]:1", 0);
    assert_true(netaddr_equal(&a, &b));
    assert_false(netaddr_equal_port(&a, &b));
    assert_true(netaddr_equal_port(&a, &m));
    assert_false(netaddr_equal(&a, &c));
    assert_int_equal(netaddr_hash(&a), netaddr_hash(&b));
    assert_int_equal(netaddr_hash_port(&a), netaddr_hash_port(&m));
    assert_int_not_equal(netaddr_hash_port(&a), netaddr_hash_port(&b));
    assert_int_not_equal(netaddr_hash(&a), netaddr_hash(&c));

    /* Same bytes, different network: not equal, different hash. */
    netaddr_t v6 = parse_ok("[2001:db8::1]:1", 0), cj;
    netaddr_set_cjdns(&cj, v6.bytes, 1);
    assert_false(netaddr_equal(&v6, &cj));
    assert_int_not_equal(netaddr_hash(&v6), netaddr_hash(&cj));

    /* 1000 distinct addresses give 1000 distinct hashes (64-bit hash: a
     * collision here would mean a broken function, not bad luck). */
    enum { N = 1000 };
    static uint64_t h[N];
    for (unsigned i = 0; i < N; i++) {
        uint8_t ip[4] = {10, 0, (uint8_t)(i >> 8), (uint8_t)i};
        netaddr_t x;
        netaddr_set_ipv4(&x, ip, 8333);
        h[i] = netaddr_hash(&x);
        for (unsigned j = 0; j < i; j++)
            assert_int_not_equal(h[i], h[j]);
    }
}

static void test_cidr(void **state)
{
    static const struct {
        const char *range, *addr;
        bool in;
    } cases[] = {
        {"127.0.0.0/8", "127.0.0.1", true},
        {"127.0.0.0/8", "127.255.255.255", true},
        {"127.0.0.0/8", "128.0.0.0", false},
        {"127.0.0.0/8", "126.255.255.255", false},
        {"10.1.0.0/16", "10.1.200.3", true},
        {"10.1.0.0/16", "10.2.0.0", false},
        {"192.168.1.128/25", "192.168.1.128", true},
        {"192.168.1.128/25", "192.168.1.127", false},
        {"1.2.3.4/32", "1.2.3.4", true},
        {"1.2.3.4/32", "1.2.3.5", false},
        {"1.2.3.4", "1.2.3.4", true},
        {"1.2.3.4", "1.2.3.5", false},
        {"0.0.0.0/0", "203.0.113.9", true},
        {"0.0.0.0/0", "2001:db8::1", false},
        {"127.1.2.3/8", "127.9.9.9", true}, /* host bits cleared */
        {"2001:db8::/32", "2001:db8:ffff::1", true},
        {"2001:db8::/32", "2001:db9::", false},
        {"2001:db8::/33", "2001:db8:7fff::1", true},
        {"2001:db8::/33", "2001:db8:8000::", false},
        {"::1/128", "::1", true},
        {"::1/128", "::2", false},
        {"::/0", "fc00::1", true}, /* CJDNS matches IPv6 ranges */
        {"::/0", "1.2.3.4", false},
        {"fc00::/8", "fc12::1", true},
        {"fc00::/8", "fd00::1", false},
        {"::ffff:127.0.0.0/104", "127.0.0.1", true}, /* mapped range is IPv4 */
        {"::ffff:127.0.0.0/104", "128.0.0.1", false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        netaddr_cidr_t c;
        if (netaddr_cidr_parse(cases[i].range, &c) != 0)
            fail_msg("cidr \"%s\" rejected", cases[i].range);
        netaddr_t a = parse_ok(cases[i].addr, 0);
        if (netaddr_cidr_contains(&c, &a) != cases[i].in)
            fail_msg("%s contains %s: want %d", cases[i].range, cases[i].addr, cases[i].in);
    }

    static const struct {
        const char *in, *out;
    } fmt[] = {
        {"127.0.0.0/8", "127.0.0.0/8"},
        {"127.1.2.3/8", "127.0.0.0/8"},
        {"1.2.3.4", "1.2.3.4/32"},
        {"2001:DB8::1/32", "2001:db8::/32"},
        {"::1", "::1/128"},
        {"::ffff:10.0.0.0/104", "10.0.0.0/8"},
        {"fc00::/7", "fc00::/7"},
    };
    for (size_t i = 0; i < ARRAY_LEN(fmt); i++) {
        netaddr_cidr_t c, d;
        char buf[NETADDR_STRLEN];
        assert_int_equal(netaddr_cidr_parse(fmt[i].in, &c), 0);
        netaddr_cidr_format(&c, buf, sizeof buf);
        assert_string_equal(buf, fmt[i].out);
        assert_int_equal(netaddr_cidr_parse(buf, &d), 0);
        assert_memory_equal(&c, &d, sizeof c);
    }

    static const char *const bad[] = {
        "", "/8", "127.0.0.0/", "127.0.0.0/33", "::/129", "127.0.0.0/-1", "127.0.0.0/+8",
        "127.0.0.0/8/8", "127.0.0.0/0008", "127.0.0/8", "[::1]/128", "localhost/8",
        "127.0.0.0 /8", "1.2.3.4:80",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        netaddr_cidr_t c;
        if (netaddr_cidr_parse(bad[i], &c) == 0)
            fail_msg("cidr \"%s\" accepted", bad[i]);
    }
    netaddr_cidr_t c;
    assert_int_equal(netaddr_cidr_parse(NULL, &c), -1);

    /* Non-IP addresses never match. */
    assert_int_equal(netaddr_cidr_parse("::/0", &c), 0);
    netaddr_t t = parse_ok(real_onions[0], 0);
    assert_false(netaddr_cidr_contains(&c, &t));
}

static void test_format_truncates_safely(void **state)
{
    netaddr_t a = parse_ok(real_onions[0], 65535);
    char big[NETADDR_STRLEN];
    char small[10];
    netaddr_format(&a, big, sizeof big);
    assert_int_equal(strlen(big), 56 + 6 + 6); /* the longest form fits */
    netaddr_format(&a, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, big, sizeof small - 1);
    a = parse_ok("[1111:2222:3333:4444:5555:6666:7777:8888]:65535", 0);
    netaddr_format(&a, big, sizeof big);
    assert_string_equal(big, "[1111:2222:3333:4444:5555:6666:7777:8888]:65535");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_text_forms_round_trip),
        cmocka_unit_test(test_non_canonical_forms_normalise),
        cmocka_unit_test(test_bad_text_rejected),
        cmocka_unit_test(test_real_onions),
        cmocka_unit_test(test_onion_bad_version_rejected),
        cmocka_unit_test(test_i2p),
        cmocka_unit_test(test_base32_vectors),
        cmocka_unit_test(test_setters_and_ipv4_mapped),
        cmocka_unit_test(test_bip155),
        cmocka_unit_test(test_legacy_form),
        cmocka_unit_test(test_sockaddr),
        cmocka_unit_test(test_reserved_ranges),
        cmocka_unit_test(test_tunnels_routable),
        cmocka_unit_test(test_netgroups),
        cmocka_unit_test(test_equality_and_hash),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_format_truncates_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
