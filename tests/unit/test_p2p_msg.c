/* Unit tests for the P2P message payloads: round trips, vectors from BIP155
 * (as Bitcoin Core's net_tests.cpp spells them), messages a real node sent,
 * and every error path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"
#include "p2p/frame.h"
#include "p2p/msg.h"

static const uint8_t REGTEST[4] = {0xfa, 0xbf, 0xb5, 0xda};

/* Whole frames a litecoind v0.21.2.1 regtest node (same P2P protocol as
 * Bitcoin Core 0.21) sent to a Python client on loopback, in a network
 * namespace with only loopback. Its address book had been filled with
 * `litecoin-cli addpeeraddress ADDR 18444` and the node restarted. */
static const char LTC_VERSION[] =
    "fabfb5da76657273696f6e00000000006d000000c3a9f797"
    "80110100" "0904000100000000" "6b24076b00000000"
    "0000000000000000" "00000000000000000000000000000000" "0000"
    "0904000100000000" "00000000000000000000000000000000" "0000"
    "9f18b10665b3b85f" "172f4c697465636f696e436f72653a302e32312e322e312f"
    "00000000" "01";
/* After a client that sent sendaddrv2 asked getaddr: 5 IPv4 entries. */
static const char LTC_ADDRV2[] =
    "fabfb5da616464727632000000000000420000004eff95ea"
    "05"
    "6b24076b" "09" "01" "04" "b96ea078" "480c"
    "6b24076b" "09" "01" "04" "b04a251f" "480c"
    "6a24076b" "09" "01" "04" "1713305e" "480c"
    "6b24076b" "09" "01" "04" "5b905c1b" "480c"
    "6a24076b" "09" "01" "04" "cb2072a2" "480c";
/* The same, with an IPv6 entry among them. */
static const char LTC_ADDRV2_IPV6[] =
    "fabfb5da6164647276320000000000004e000000adacae04"
    "05"
    "c624076b" "09" "01" "04" "cb0f6d0a" "480c"
    "c624076b" "09" "01" "04" "8e253c93" "480c"
    "c624076b" "09" "02" "10" "2a0104f800a10f6500000000000000ac" "480c"
    "c624076b" "09" "01" "04" "51159987" "480c"
    "c624076b" "09" "01" "04" "cbf31f94" "480c";
/* The legacy answer, to a client that did not send sendaddrv2. */
static const char LTC_ADDR[] =
    "fabfb5da61646472000000000000000097000000a0be291e"
    "05"
    "5025076b" "0900000000000000" "2a0104f80c1e057a0000000000000027" "480c"
    "5025076b" "0900000000000000" "00000000000000000000ffff5b905c1b" "480c"
    "5025076b" "0900000000000000" "00000000000000000000ffffb04a251f" "480c"
    "5025076b" "0900000000000000" "00000000000000000000ffff8e253c93" "480c"
    "5025076b" "0900000000000000" "00000000000000000000ffffcbf31f94" "480c";
static const char LTC_PING[] = "fabfb5da70696e67000000000000000008000000e03e67c720aa5ef22e554912";
static const char LTC_FEEFILTER[] =
    "fabfb5da66656566696c746572000000080000004687156c35f08b0000000000";
static const char LTC_SENDCMPCT[] =
    "fabfb5da73656e64636d7063740000000900000004d3e64f000300000000000000";

/* Frames `hex`, checks the checksum and command, and leaves the payload in
 * buf. Returns the payload length. */
static size_t unframe(const char *hex, const char *command, uint8_t *buf, size_t cap,
                      const uint8_t **payload)
{
    size_t n = hex_decode(hex, buf, cap);
    struct p2p_frame f;
    assert_int_equal(p2p_frame_parse(REGTEST, buf, n, &f), P2P_FRAME_MESSAGE);
    assert_int_equal(f.frame_len, n);
    assert_string_equal(f.command, command);
    *payload = f.payload;
    return f.payload_len;
}

static void set4(netaddr_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w, uint16_t port)
{
    const uint8_t ip[4] = {x, y, z, w};
    netaddr_set_ipv4(a, ip, port);
}

static void assert_addr_text(const netaddr_t *a, const char *text)
{
    char buf[NETADDR_STRLEN];
    netaddr_format(a, buf, sizeof buf);
    assert_string_equal(buf, text);
}

/* Encodes entries with `encode` and checks the result is `want`, byte for byte. */
static void assert_reencodes(void (*encode)(struct writer *, const struct p2p_addr_entry *,
                                            size_t),
                             const struct p2p_addr_entry *e, size_t count,
                             const uint8_t *want, size_t len)
{
    uint8_t out[1024];
    struct writer w;
    writer_init(&w, out, sizeof out);
    encode(&w, e, count);
    assert_false(w.err);
    assert_int_equal(w.len, len);
    assert_memory_equal(out, want, len);
}

/* ---- version ---------------------------------------------------------- */

static void test_version_real_node(void **state)
{
    uint8_t buf[256];
    const uint8_t *p;
    size_t len = unframe(LTC_VERSION, "version", buf, sizeof buf, &p);
    struct p2p_version v;
    assert_int_equal(p2p_version_decode(p, len, &v), 0);
    assert_int_equal(v.version, 70016);
    /* Bit 24 is Litecoin's NODE_MWEB. */
    assert_int_equal(v.services, NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED |
                                     (UINT64_C(1) << 24));
    assert_int_equal(v.timestamp, 0x6b07246b);
    assert_int_equal(v.recv_services, 0);
    assert_int_equal(v.from_services, v.services);
    assert_int_equal(v.nonce, UINT64_C(0x5fb8b36506b1189f));
    assert_string_equal(v.user_agent, "/LitecoinCore:0.21.2.1/");
    assert_int_equal(v.start_height, 0);
    assert_true(v.relay);

    /* Re-encoded, it is the same bytes. */
    uint8_t out[256];
    struct writer w;
    writer_init(&w, out, sizeof out);
    p2p_version_encode(&w, &v);
    assert_false(w.err);
    assert_int_equal(w.len, len);
    assert_memory_equal(out, p, len);
}

static struct p2p_version sample_version(void)
{
    struct p2p_version v;
    memset(&v, 0, sizeof v);
    v.version = 70016;
    v.services = NODE_NETWORK | NODE_WITNESS;
    v.timestamp = 1700000000;
    v.recv_services = NODE_NETWORK;
    set4(&v.recv_addr, 203, 0, 113, 7, 8333);
    v.from_services = 0;
    const uint8_t ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    netaddr_set_ipv6(&v.from_addr, ip6, 18444);
    v.nonce = UINT64_C(0x0123456789abcdef);
    strcpy(v.user_agent, "/btcseed:0.1.0/");
    v.start_height = 850000;
    v.relay = false;
    return v;
}

static size_t encode_version(const struct p2p_version *v, uint8_t *buf, size_t cap)
{
    struct writer w;
    writer_init(&w, buf, cap);
    p2p_version_encode(&w, v);
    assert_false(w.err);
    return w.len;
}

static void assert_version_equal(const struct p2p_version *a, const struct p2p_version *b)
{
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->services, b->services);
    assert_int_equal(a->timestamp, b->timestamp);
    assert_int_equal(a->recv_services, b->recv_services);
    assert_true(netaddr_equal_port(&a->recv_addr, &b->recv_addr));
    assert_int_equal(a->from_services, b->from_services);
    assert_true(netaddr_equal_port(&a->from_addr, &b->from_addr));
    assert_int_equal(a->nonce, b->nonce);
    assert_string_equal(a->user_agent, b->user_agent);
    assert_int_equal(a->start_height, b->start_height);
    assert_int_equal(a->relay, b->relay);
}

static void test_version_round_trip(void **state)
{
    struct p2p_version v = sample_version(), back;
    uint8_t buf[512];
    size_t n = encode_version(&v, buf, sizeof buf);
    assert_int_equal(n, 4 + 8 + 8 + 26 + 26 + 8 + 1 + 15 + 4 + 1);
    assert_int_equal(p2p_version_decode(buf, n, &back), 0);
    assert_version_equal(&v, &back);
    assert_addr_text(&back.recv_addr, "203.0.113.7:8333");
    assert_addr_text(&back.from_addr, "[2001:db8::1]:18444");

    /* A user agent of exactly the maximum length goes through. */
    memset(v.user_agent, 'u', P2P_MAX_USER_AGENT);
    v.user_agent[P2P_MAX_USER_AGENT] = '\0';
    n = encode_version(&v, buf, sizeof buf);
    assert_int_equal(p2p_version_decode(buf, n, &back), 0);
    assert_version_equal(&v, &back);
}

static void test_version_old_peer_without_relay(void **state)
{
    struct p2p_version v = sample_version(), back;
    v.version = 60002;
    uint8_t buf[512];
    size_t n = encode_version(&v, buf, sizeof buf);
    assert_int_equal(p2p_version_decode(buf, n - 1, &back), 0);
    assert_int_equal(back.version, 60002);
    assert_int_equal(back.start_height, 850000);
    assert_true(back.relay); /* no flag: pre-BIP37 peers relay */
}

static void test_version_truncated(void **state)
{
    struct p2p_version v = sample_version(), back;
    uint8_t buf[512];
    size_t n = encode_version(&v, buf, sizeof buf);
    /* Every cut before the end of the start height is an error. */
    for (size_t cut = 0; cut < n - 1; cut++)
        assert_int_equal(p2p_version_decode(buf, cut, &back), P2P_MSG_ERR_TRUNCATED);
}

static void test_version_trailing_bytes_tolerated(void **state)
{
    struct p2p_version v = sample_version(), back;
    uint8_t buf[512];
    size_t n = encode_version(&v, buf, sizeof buf);
    buf[n++] = 0xaa; /* a field some future version might append */
    assert_int_equal(p2p_version_decode(buf, n, &back), 0);
    assert_version_equal(&v, &back);
}

/* Offset of the user agent's length in an encoded version. */
#define UA_OFFSET (4 + 8 + 8 + 26 + 26 + 8)

static void test_version_user_agent_errors(void **state)
{
    struct p2p_version v = sample_version(), back;
    uint8_t buf[1024];
    size_t n = encode_version(&v, buf, sizeof buf);

    /* Longer than 256: refused from the length alone. */
    buf[UA_OFFSET] = 0xfd;
    buf[UA_OFFSET + 1] = 0x01;
    buf[UA_OFFSET + 2] = 0x01;
    assert_int_equal(p2p_version_decode(buf, UA_OFFSET + 3, &back), P2P_MSG_ERR_STRING);

    /* Non-canonical length: 15 written in three bytes. */
    uint8_t nc[1024];
    memcpy(nc, buf, UA_OFFSET);
    nc[UA_OFFSET] = 0xfd;
    nc[UA_OFFSET + 1] = 15;
    nc[UA_OFFSET + 2] = 0;
    n = encode_version(&v, buf, sizeof buf);
    memcpy(nc + UA_OFFSET + 3, buf + UA_OFFSET + 1, n - UA_OFFSET - 1);
    assert_int_equal(p2p_version_decode(nc, n + 2, &back), P2P_MSG_ERR_NONCANONICAL);

    /* A NUL inside the user agent. */
    buf[UA_OFFSET + 4] = 0;
    assert_int_equal(p2p_version_decode(buf, n, &back), P2P_MSG_ERR_STRING);

    /* The encoder refuses what the decoder would. */
    memset(v.user_agent, 'u', sizeof v.user_agent - 1);
    v.user_agent[sizeof v.user_agent - 1] = 'u'; /* 257 bytes, no NUL */
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_version_encode(&w, &v);
    assert_true(w.err);
}

/* ---- addr ------------------------------------------------------------- */

static void test_addr_real_node(void **state)
{
    uint8_t buf[256];
    const uint8_t *p;
    size_t len = unframe(LTC_ADDR, "addr", buf, sizeof buf, &p);
    struct p2p_addr_entry e[P2P_MAX_ADDR];
    size_t count;
    assert_int_equal(p2p_addr_decode(p, len, e, &count), 0);
    assert_int_equal(count, 5);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(e[i].time, 0x6b072550);
        assert_int_equal(e[i].services, NODE_NETWORK | NODE_WITNESS);
    }
    assert_addr_text(&e[0].addr, "[2a01:4f8:c1e:57a::27]:18444");
    assert_int_equal(e[1].addr.net, NETADDR_IPV4);
    assert_addr_text(&e[1].addr, "91.144.92.27:18444");
    assert_reencodes(p2p_addr_encode, e, count, p, len);
}

static void test_addr_round_trip(void **state)
{
    static struct p2p_addr_entry in[P2P_MAX_ADDR], out[P2P_MAX_ADDR];
    for (size_t i = 0; i < P2P_MAX_ADDR; i++) {
        in[i].time = 1700000000u + (uint32_t)i;
        in[i].services = i % 2 ? NODE_NETWORK : NODE_NETWORK_LIMITED | NODE_WITNESS;
        if (i % 3) {
            set4(&in[i].addr, 45, (uint8_t)(i >> 8), (uint8_t)i, 9, (uint16_t)(8333 + i));
        } else {
            uint8_t ip6[16] = {0x2a, 0x01, 0x04, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                               (uint8_t)(i >> 8), (uint8_t)i};
            netaddr_set_ipv6(&in[i].addr, ip6, 8333);
        }
    }
    static uint8_t buf[P2P_MAX_ADDR * 30 + 3];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_addr_encode(&w, in, P2P_MAX_ADDR);
    assert_false(w.err);
    assert_int_equal(w.len, 3 + P2P_MAX_ADDR * 30);
    size_t count = 0;
    assert_int_equal(p2p_addr_decode(buf, w.len, out, &count), 0);
    assert_int_equal(count, P2P_MAX_ADDR);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(out[i].time, in[i].time);
        assert_int_equal(out[i].services, in[i].services);
        assert_true(netaddr_equal_port(&out[i].addr, &in[i].addr));
    }
    assert_addr_text(&out[1].addr, "45.0.1.9:8334");

    /* 1001 entries are refused by the encoder too. */
    static struct p2p_addr_entry more[P2P_MAX_ADDR + 1];
    memcpy(more, in, sizeof in);
    more[P2P_MAX_ADDR] = in[0];
    writer_init(&w, buf, sizeof buf);
    p2p_addr_encode(&w, more, P2P_MAX_ADDR + 1);
    assert_true(w.err);
}

static void test_addr_leaves_out_what_has_no_legacy_form(void **state)
{
    struct p2p_addr_entry in[3], out[P2P_MAX_ADDR];
    memset(in, 0, sizeof in);
    set4(&in[0].addr, 8, 8, 4, 4, 8333);
    uint8_t key[32];
    memset(key, 0x42, sizeof key);
    assert_int_equal(netaddr_set_bip155(&in[1].addr, NETADDR_TORV3, key, 32, 8333), 0);
    set4(&in[2].addr, 9, 9, 9, 9, 8333);
    uint8_t buf[128];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_addr_encode(&w, in, 3);
    assert_false(w.err);
    size_t count;
    assert_int_equal(p2p_addr_decode(buf, w.len, out, &count), 0);
    assert_int_equal(count, 2);
    assert_true(netaddr_equal_port(&out[0].addr, &in[0].addr));
    assert_true(netaddr_equal_port(&out[1].addr, &in[2].addr));
}

static void test_addr_errors(void **state)
{
    struct p2p_addr_entry out[P2P_MAX_ADDR];
    size_t count = 99;
    /* 1001 entries: refused from the count alone, before any entry. */
    const uint8_t too_many[] = {0xfd, 0xe9, 0x03};
    assert_int_equal(p2p_addr_decode(too_many, sizeof too_many, out, &count),
                     P2P_MSG_ERR_TOO_MANY);
    assert_int_equal(count, 0);
    const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(p2p_addr_decode(huge, sizeof huge, out, &count), P2P_MSG_ERR_TOO_MANY);
    /* One entry written as a three-byte count. */
    uint8_t nc[3 + 30] = {0xfd, 0x01, 0x00};
    assert_int_equal(p2p_addr_decode(nc, sizeof nc, out, &count), P2P_MSG_ERR_NONCANONICAL);
    /* Count says two, one is there. */
    uint8_t two[1 + 30] = {2};
    assert_int_equal(p2p_addr_decode(two, sizeof two, out, &count), P2P_MSG_ERR_TRUNCATED);
    assert_int_equal(p2p_addr_decode(two, 0, out, &count), P2P_MSG_ERR_TRUNCATED);
    /* Count says one, two are there. */
    uint8_t one[1 + 60] = {1};
    assert_int_equal(p2p_addr_decode(one, sizeof one, out, &count), P2P_MSG_ERR_TRAILING);
    assert_int_equal(p2p_addr_decode(one, 1 + 30, out, &count), 0);
    assert_int_equal(count, 1);
    const uint8_t empty[] = {0};
    assert_int_equal(p2p_addr_decode(empty, 1, out, &count), 0);
    assert_int_equal(count, 0);
}

/* ---- addrv2 ----------------------------------------------------------- */

static void test_addrv2_real_node(void **state)
{
    const struct {
        const char *hex;
        const char *third;
    } caps[] = {{LTC_ADDRV2, "23.19.48.94:18444"},
                {LTC_ADDRV2_IPV6, "[2a01:4f8:a1:f65::ac]:18444"}};
    for (size_t c = 0; c < 2; c++) {
        uint8_t buf[256];
        const uint8_t *p;
        size_t len = unframe(caps[c].hex, "addrv2", buf, sizeof buf, &p);
        struct p2p_addr_entry e[P2P_MAX_ADDR];
        size_t count, skipped;
        assert_int_equal(p2p_addrv2_decode(p, len, e, &count, &skipped), 0);
        assert_int_equal(count, 5);
        assert_int_equal(skipped, 0);
        for (size_t i = 0; i < count; i++) {
            assert_int_equal(e[i].services, NODE_NETWORK | NODE_WITNESS);
            assert_int_equal(e[i].addr.port, 18444);
        }
        assert_addr_text(&e[2].addr, caps[c].third);
        assert_reencodes(p2p_addrv2_encode, e, count, p, len);
    }
    uint8_t buf[256];
    const uint8_t *p;
    size_t len = unframe(LTC_ADDRV2, "addrv2", buf, sizeof buf, &p);
    struct p2p_addr_entry e[P2P_MAX_ADDR];
    size_t count, skipped;
    assert_int_equal(p2p_addrv2_decode(p, len, e, &count, &skipped), 0);
    assert_int_equal(e[0].time, 0x6b07246b);
    assert_addr_text(&e[0].addr, "185.110.160.120:18444");
}

/* One addrv2 entry around the network-id/length/address part of a BIP155
 * vector: time 0x5f000000, services 1 (CompactSize), port 8333. */
static size_t addrv2_one(const char *net_len_addr, uint8_t *buf, size_t cap)
{
    char hex[1200];
    snprintf(hex, sizeof hex, "01" "0000005f" "01" "%s" "208d", net_len_addr);
    return hex_decode(hex, buf, cap);
}

struct bip155_case {
    const char *hex;      /* network id | length | address */
    int status;           /* 0 or the error */
    size_t count;         /* entries kept */
    uint8_t net;          /* of the kept entry */
    const char *text;     /* its text form */
};

/* The BIP155 cases of Bitcoin Core's cnetaddr_unserialize_v2 test. Where
 * Core makes an invalid address, a decoder of a whole message skips it. */
static const struct bip155_case bip155_cases[] = {
    {"010401020304", 0, 1, NETADDR_IPV4, "1.2.3.4:8333"},
    {"010501020304", P2P_MSG_ERR_BAD_LENGTH, 0, 0, NULL},
    {"01fd010201020304", P2P_MSG_ERR_TOO_MANY, 0, 0, NULL}, /* 513 > 512 */
    {"02100102030405060708090a0b0c0d0e0f10", 0, 1, NETADDR_IPV6,
     "[102:304:506:708:90a:b0c:d0e:f10]:8333"},
    {"020400000000", P2P_MSG_ERR_BAD_LENGTH, 0, 0, NULL},
    {"021000000000000000000000ffff01020304", 0, 0, 0, NULL}, /* IPv4 inside IPv6 */
    {"0210fd87d87eeb430102030405060708090a", 0, 0, 0, NULL}, /* OnionCat TorV2 */
    {"030af1f2f3f4f5f6f7f8f9fa", 0, 0, 0, NULL},             /* TorV2: obsolete */
    {"042079bcc625184b05194975c28b66b66b0469f7f6556fb1ac3189a79b40dda32f1f", 0, 1,
     NETADDR_TORV3, "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333"},
    {"040000", P2P_MSG_ERR_BAD_LENGTH, 0, 0, NULL},
    {"0520a2894dabaec08c0051a481a6dac88b64f98232ae42d4b6fd2fa81952dfe36a87", 0, 1,
     NETADDR_I2P, "ukeu3k5oycgaauneqgtnvselmt4yemvoilkln7jpvamvfx7dnkdq.b32.i2p:8333"},
    {"050300000000", P2P_MSG_ERR_BAD_LENGTH, 0, 0, NULL},
    {"0610fc000001000200030004000500060007", 0, 1, NETADDR_CJDNS,
     "[fc00:1:2:3:4:5:6:7]:8333"},
    {"0610aa000001000200030004000500060007", 0, 0, 0, NULL}, /* CJDNS outside fc00::/8 */
    {"061000", P2P_MSG_ERR_TRUNCATED, 0, 0, NULL},
    {"060100", P2P_MSG_ERR_BAD_LENGTH, 0, 0, NULL},
    {"aafe0000000201020304050607", P2P_MSG_ERR_TOO_MANY, 0, 0, NULL}, /* 2^25 > 512 */
    {"aa0401020304", 0, 0, 0, NULL},                                  /* unknown network */
    {"aa00", 0, 0, 0, NULL},
    {"0701aa", 0, 0, 0, NULL}, /* Yggdrasil: unknown here, any length */
};

static void test_addrv2_bip155_vectors(void **state)
{
    for (size_t i = 0; i < sizeof bip155_cases / sizeof bip155_cases[0]; i++) {
        const struct bip155_case *c = &bip155_cases[i];
        uint8_t buf[600];
        size_t n = addrv2_one(c->hex, buf, sizeof buf);
        struct p2p_addr_entry e[P2P_MAX_ADDR];
        size_t count = 99, skipped = 99;
        int status = p2p_addrv2_decode(buf, n, e, &count, &skipped);
        if (status != c->status)
            fail_msg("case %zu (%s): status %d, want %d", i, c->hex, status, c->status);
        assert_int_equal(count, c->count);
        if (status != 0)
            continue;
        assert_int_equal(skipped, 1 - c->count);
        if (c->count) {
            assert_int_equal(e[0].addr.net, c->net);
            assert_int_equal(e[0].time, 0x5f000000);
            assert_int_equal(e[0].services, 1);
            assert_addr_text(&e[0].addr, c->text);
            assert_reencodes(p2p_addrv2_encode, e, count, buf, n);
        }
    }
}

static void test_addrv2_round_trip_every_network(void **state)
{
    struct p2p_addr_entry in[5], out[P2P_MAX_ADDR];
    memset(in, 0, sizeof in);
    uint8_t b[32];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(0x20 + i);
    set4(&in[0].addr, 1, 2, 3, 4, 8333);
    uint8_t ip6[16] = {0x2a, 0x01};
    netaddr_set_ipv6(&in[1].addr, ip6, 8333);
    assert_int_equal(netaddr_set_bip155(&in[2].addr, NETADDR_TORV3, b, 32, 8333), 0);
    assert_int_equal(netaddr_set_bip155(&in[3].addr, NETADDR_I2P, b, 32, 0), 0);
    uint8_t cj[16] = {0xfc, 0x11, 0x22};
    netaddr_set_cjdns(&in[4].addr, cj, 8333);
    for (size_t i = 0; i < 5; i++) {
        in[i].time = 1600000000u + (uint32_t)i;
        in[i].services = (uint64_t)1 << (i * 15); /* CompactSize of every width */
    }
    uint8_t buf[512];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_addrv2_encode(&w, in, 5);
    assert_false(w.err);
    size_t count, skipped;
    assert_int_equal(p2p_addrv2_decode(buf, w.len, out, &count, &skipped), 0);
    assert_int_equal(count, 5);
    assert_int_equal(skipped, 0);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(out[i].time, in[i].time);
        assert_int_equal(out[i].services, in[i].services);
        assert_int_equal(out[i].addr.net, in[i].addr.net);
        assert_true(netaddr_equal_port(&out[i].addr, &in[i].addr));
    }
}

static void test_addrv2_errors(void **state)
{
    struct p2p_addr_entry e[P2P_MAX_ADDR];
    size_t count, skipped;
    const uint8_t too_many[] = {0xfd, 0xe9, 0x03};
    assert_int_equal(p2p_addrv2_decode(too_many, sizeof too_many, e, &count, &skipped),
                     P2P_MSG_ERR_TOO_MANY);
    uint8_t buf[64];
    /* Services 1 written as fd0100: non-canonical. */
    size_t n = hex_decode("01" "0000005f" "fd0100" "010401020304" "208d", buf, sizeof buf);
    assert_int_equal(p2p_addrv2_decode(buf, n, e, &count, &skipped), P2P_MSG_ERR_NONCANONICAL);
    /* Length 4 written as fd0400. */
    n = hex_decode("01" "0000005f" "01" "01fd040001020304" "208d", buf, sizeof buf);
    assert_int_equal(p2p_addrv2_decode(buf, n, e, &count, &skipped), P2P_MSG_ERR_NONCANONICAL);
    /* Good entry, then a stray byte. */
    n = hex_decode("01" "0000005f" "01" "010401020304" "208d" "00", buf, sizeof buf);
    assert_int_equal(p2p_addrv2_decode(buf, n, e, &count, &skipped), P2P_MSG_ERR_TRAILING);
    /* Every cut of a good entry is truncated. */
    for (size_t cut = 0; cut < n - 1; cut++)
        assert_int_equal(p2p_addrv2_decode(buf, cut, e, &count, &skipped),
                         P2P_MSG_ERR_TRUNCATED);
    /* A wrong length after a good entry fails the whole message. */
    n = hex_decode("02" "0000005f" "01" "010401020304" "208d" "0000005f" "01" "0103010203"
                   "208d",
                   buf, sizeof buf);
    assert_int_equal(p2p_addrv2_decode(buf, n, e, &count, &skipped), P2P_MSG_ERR_BAD_LENGTH);
    assert_int_equal(count, 0);
}

/* ---- small messages --------------------------------------------------- */

static void test_ping_pong_feefilter_sendcmpct_real_node(void **state)
{
    uint8_t buf[64];
    const uint8_t *p;
    size_t len = unframe(LTC_PING, "ping", buf, sizeof buf, &p);
    uint64_t nonce;
    assert_int_equal(p2p_ping_decode(p, len, &nonce), 0);
    assert_int_equal(nonce, UINT64_C(0x1249552ef25eaa20));

    len = unframe(LTC_FEEFILTER, "feefilter", buf, sizeof buf, &p);
    int64_t rate;
    assert_int_equal(p2p_feefilter_decode(p, len, &rate), 0);
    assert_int_equal(rate, 0x8bf035); /* 9,170,997 sat/kvB: litecoind's regtest default */

    len = unframe(LTC_SENDCMPCT, "sendcmpct", buf, sizeof buf, &p);
    struct p2p_sendcmpct sc;
    assert_int_equal(p2p_sendcmpct_decode(p, len, &sc), 0);
    assert_false(sc.announce);
    assert_int_equal(sc.version, 3);
}

static void test_small_messages_round_trip_and_errors(void **state)
{
    uint8_t buf[32];
    struct writer w;
    uint64_t nonce;
    writer_init(&w, buf, sizeof buf);
    p2p_ping_encode(&w, UINT64_C(0xfedcba9876543210));
    assert_int_equal(w.len, 8);
    assert_int_equal(p2p_ping_decode(buf, w.len, &nonce), 0);
    assert_int_equal(nonce, UINT64_C(0xfedcba9876543210));
    assert_int_equal(p2p_ping_decode(buf, 7, &nonce), P2P_MSG_ERR_TRUNCATED);
    assert_int_equal(p2p_ping_decode(buf, 9, &nonce), P2P_MSG_ERR_TRAILING);

    int64_t rate;
    writer_init(&w, buf, sizeof buf);
    p2p_feefilter_encode(&w, 1000);
    assert_int_equal(p2p_feefilter_decode(buf, w.len, &rate), 0);
    assert_int_equal(rate, 1000);
    assert_int_equal(p2p_feefilter_decode(buf, 3, &rate), P2P_MSG_ERR_TRUNCATED);

    struct p2p_sendcmpct sc = {true, 2}, back;
    writer_init(&w, buf, sizeof buf);
    p2p_sendcmpct_encode(&w, &sc);
    assert_int_equal(w.len, 9);
    assert_int_equal(p2p_sendcmpct_decode(buf, w.len, &back), 0);
    assert_true(back.announce);
    assert_int_equal(back.version, 2);
    assert_int_equal(p2p_sendcmpct_decode(buf, 8, &back), P2P_MSG_ERR_TRUNCATED);
    assert_int_equal(p2p_sendcmpct_decode(buf, 10, &back), P2P_MSG_ERR_TRAILING);
}

static void test_reject(void **state)
{
    struct p2p_reject r, back;
    memset(&r, 0, sizeof r);
    strcpy(r.message, "tx");
    r.code = 0x42;
    strcpy(r.reason, "insufficient fee");
    r.has_data = true;
    memset(r.data, 0xab, sizeof r.data);
    uint8_t buf[256];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_reject_encode(&w, &r);
    assert_false(w.err);
    assert_int_equal(w.len, 1 + 2 + 1 + 1 + 16 + 32);
    assert_int_equal(p2p_reject_decode(buf, w.len, &back), 0);
    assert_string_equal(back.message, "tx");
    assert_int_equal(back.code, 0x42);
    assert_string_equal(back.reason, "insufficient fee");
    assert_true(back.has_data);
    assert_memory_equal(back.data, r.data, 32);

    /* Without the hash; then with a partial one. */
    assert_int_equal(p2p_reject_decode(buf, w.len - 32, &back), 0);
    assert_false(back.has_data);
    assert_int_equal(p2p_reject_decode(buf, w.len - 1, &back), P2P_MSG_ERR_TRAILING);
    assert_int_equal(p2p_reject_decode(buf, w.len + 0 - 32 - 3, &back),
                     P2P_MSG_ERR_TRUNCATED);

    /* Strings longer than the fields are cut, not refused. */
    uint8_t big[400];
    size_t n = 0;
    big[n++] = 20;
    memset(big + n, 'm', 20);
    n += 20;
    big[n++] = 0x10;
    big[n++] = 0xfd;
    big[n++] = 0x2c; /* 300 */
    big[n++] = 0x01;
    memset(big + n, 'r', 300);
    n += 300;
    assert_int_equal(p2p_reject_decode(big, n, &back), 0);
    assert_int_equal(strlen(back.message), sizeof back.message - 1);
    assert_int_equal(strlen(back.reason), sizeof back.reason - 1);
    /* A string length past the end of the payload. */
    big[0] = 0xfd;
    big[1] = 0xff;
    big[2] = 0xff;
    assert_int_equal(p2p_reject_decode(big, 40, &back), P2P_MSG_ERR_TRUNCATED);
}

/* ---- helpers ---------------------------------------------------------- */

static void test_services_format(void **state)
{
    char buf[128];
    p2p_services_format(0x409, buf, sizeof buf);
    assert_string_equal(buf, "NETWORK|WITNESS|NETWORK_LIMITED");
    p2p_services_format(0, buf, sizeof buf);
    assert_string_equal(buf, "none");
    p2p_services_format(NODE_P2P_V2 | (UINT64_C(1) << 24) | (UINT64_C(1) << 63), buf,
                        sizeof buf);
    assert_string_equal(buf, "P2P_V2|bit24|bit63");
    char small[10];
    p2p_services_format(0x409, small, sizeof small);
    assert_string_equal(small, "NETWORK");
}

static void test_strerror_distinct(void **state)
{
    const int codes[] = {P2P_MSG_ERR_TRUNCATED, P2P_MSG_ERR_TOO_MANY, P2P_MSG_ERR_BAD_LENGTH,
                         P2P_MSG_ERR_TRAILING,  P2P_MSG_ERR_STRING,   P2P_MSG_ERR_NONCANONICAL};
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(p2p_msg_strerror(codes[i]), p2p_msg_strerror(codes[j]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_real_node),
        cmocka_unit_test(test_version_round_trip),
        cmocka_unit_test(test_version_old_peer_without_relay),
        cmocka_unit_test(test_version_truncated),
        cmocka_unit_test(test_version_trailing_bytes_tolerated),
        cmocka_unit_test(test_version_user_agent_errors),
        cmocka_unit_test(test_addr_real_node),
        cmocka_unit_test(test_addr_round_trip),
        cmocka_unit_test(test_addr_leaves_out_what_has_no_legacy_form),
        cmocka_unit_test(test_addr_errors),
        cmocka_unit_test(test_addrv2_real_node),
        cmocka_unit_test(test_addrv2_bip155_vectors),
        cmocka_unit_test(test_addrv2_round_trip_every_network),
        cmocka_unit_test(test_addrv2_errors),
        cmocka_unit_test(test_ping_pong_feefilter_sendcmpct_real_node),
        cmocka_unit_test(test_small_messages_round_trip_and_errors),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_services_format),
        cmocka_unit_test(test_strerror_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
