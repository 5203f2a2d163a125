/* libFuzzer target: the P2P framer and every message decoder, each with a
 * round trip (decode, encode, decode again, compare).
 *
 * Two input shapes, so the fuzzer need not forge sha256d checksums to reach
 * the decoders:
 *   - input starting with a chain's message start bytes: a byte stream of
 *     frames, as a peer would send it (the seed corpus: real messages);
 *   - anything else: first byte picks a decoder, the rest is its payload. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/chain.h"
#include "net/netaddr.h"
#include "p2p/frame.h"
#include "p2p/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Large enough for any re-encoding of a decoded payload of the sizes fuzzed:
 * 1000 addrv2 entries of 32-byte addresses are about 45 KB. */
#define ENCODE_BUF_SIZE (64 * 1024)
#define CHAIN_NAMES_MAX 8

static uint8_t encoded[ENCODE_BUF_SIZE];
static struct p2p_addr_entry entries1[P2P_MAX_ADDR], entries2[P2P_MAX_ADDR];

#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (!(cond))                                                                       \
            __builtin_trap();                                                              \
    } while (0)

static bool version_equal(const struct p2p_version *a, const struct p2p_version *b)
{
    return a->version == b->version && a->services == b->services &&
           a->timestamp == b->timestamp && a->recv_services == b->recv_services &&
           netaddr_equal_port(&a->recv_addr, &b->recv_addr) &&
           a->from_services == b->from_services &&
           netaddr_equal_port(&a->from_addr, &b->from_addr) && a->nonce == b->nonce &&
           strcmp(a->user_agent, b->user_agent) == 0 && a->start_height == b->start_height &&
           a->relay == b->relay;
}

static bool entries_equal(const struct p2p_addr_entry *a, const struct p2p_addr_entry *b,
                          size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].time != b[i].time || a[i].services != b[i].services ||
            !netaddr_equal_port(&a[i].addr, &b[i].addr))
            return false;
    return true;
}

static void fuzz_version(const uint8_t *p, size_t len)
{
    struct p2p_version v1, v2;
    if (p2p_version_decode(p, len, &v1) != 0)
        return;
    struct writer w;
    writer_init(&w, encoded, sizeof encoded);
    p2p_version_encode(&w, &v1);
    CHECK(!w.err);
    CHECK(p2p_version_decode(encoded, w.len, &v2) == 0);
    CHECK(version_equal(&v1, &v2));
}

static void fuzz_addr(const uint8_t *p, size_t len)
{
    size_t n1, n2;
    if (p2p_addr_decode(p, len, entries1, &n1) != 0)
        return;
    CHECK(n1 <= P2P_MAX_ADDR);
    struct writer w;
    writer_init(&w, encoded, sizeof encoded);
    p2p_addr_encode(&w, entries1, n1);
    CHECK(!w.err);
    CHECK(p2p_addr_decode(encoded, w.len, entries2, &n2) == 0);
    CHECK(n1 == n2 && entries_equal(entries1, entries2, n1));
    /* Legacy entries are fixed-size and none is left out (bytes may differ:
     * an OnionCat TorV2 entry is read as the unspecified address). */
    CHECK(w.len == len);
}

static void fuzz_addrv2(const uint8_t *p, size_t len)
{
    size_t n1, n2, skipped1, skipped2;
    if (p2p_addrv2_decode(p, len, entries1, &n1, &skipped1) != 0)
        return;
    CHECK(n1 + skipped1 <= P2P_MAX_ADDR);
    for (size_t i = 0; i < n1; i++)
        CHECK(netaddr_len(entries1[i].addr.net) != 0 && entries1[i].addr.net != NETADDR_TORV2);
    struct writer w;
    writer_init(&w, encoded, sizeof encoded);
    p2p_addrv2_encode(&w, entries1, n1);
    CHECK(!w.err);
    CHECK(p2p_addrv2_decode(encoded, w.len, entries2, &n2, &skipped2) == 0);
    CHECK(n1 == n2 && skipped2 == 0 && entries_equal(entries1, entries2, n1));
}

static void fuzz_u64(const uint8_t *p, size_t len, bool feefilter)
{
    uint64_t a = 0, b = 0;
    int64_t fa = 0, fb = 0;
    int st = feefilter ? p2p_feefilter_decode(p, len, &fa) : p2p_ping_decode(p, len, &a);
    if (st != 0)
        return;
    struct writer w;
    writer_init(&w, encoded, sizeof encoded);
    if (feefilter)
        p2p_feefilter_encode(&w, fa);
    else
        p2p_ping_encode(&w, a);
    CHECK(!w.err && w.len == len && memcmp(encoded, p, len) == 0);
    st = feefilter ? p2p_feefilter_decode(encoded, w.len, &fb) : p2p_ping_decode(encoded, w.len, &b);
    CHECK(st == 0 && a == b && fa == fb);
}

static void fuzz_sendcmpct(const uint8_t *p, size_t len)
{
    struct p2p_sendcmpct m1, m2;
    if (p2p_sendcmpct_decode(p, len, &m1) != 0)
        return;
    struct writer w;
    writer_init(&w, encoded, sizeof encoded);
    p2p_sendcmpct_encode(&w, &m1);
    CHECK(!w.err);
    CHECK(p2p_sendcmpct_decode(encoded, w.len, &m2) == 0);
    CHECK(m1.announce == m2.announce && m1.version == m2.version);
}

static void fuzz_reject(const uint8_t *p, size_t len)
{
    struct p2p_reject r1, r2;
    if (p2p_reject_decode(p, len, &r1) != 0)
        return;
    struct writer w;
    writer_init(&w, encoded, sizeof encoded);
    p2p_reject_encode(&w, &r1);
    CHECK(!w.err);
    CHECK(p2p_reject_decode(encoded, w.len, &r2) == 0);
    CHECK(strcmp(r1.message, r2.message) == 0 && r1.code == r2.code &&
          strcmp(r1.reason, r2.reason) == 0 && r1.has_data == r2.has_data &&
          (!r1.has_data || memcmp(r1.data, r2.data, sizeof r1.data) == 0));
}

enum decoder {
    DEC_VERSION,
    DEC_ADDR,
    DEC_ADDRV2,
    DEC_PING,
    DEC_FEEFILTER,
    DEC_SENDCMPCT,
    DEC_REJECT,
    DEC_COUNT
};

static void decode(enum decoder which, const uint8_t *p, size_t len)
{
    switch (which) {
    case DEC_VERSION: fuzz_version(p, len); break;
    case DEC_ADDR: fuzz_addr(p, len); break;
    case DEC_ADDRV2: fuzz_addrv2(p, len); break;
    case DEC_PING: fuzz_u64(p, len, false); break;
    case DEC_FEEFILTER: fuzz_u64(p, len, true); break;
    case DEC_SENDCMPCT: fuzz_sendcmpct(p, len); break;
    case DEC_REJECT: fuzz_reject(p, len); break;
    default: break;
    }
}

static void decode_command(const char *command, const uint8_t *p, size_t len)
{
    static const struct {
        const char *command;
        enum decoder which;
    } table[] = {
        {"version", DEC_VERSION}, {"addr", DEC_ADDR},           {"addrv2", DEC_ADDRV2},
        {"ping", DEC_PING},       {"pong", DEC_PING},           {"feefilter", DEC_FEEFILTER},
        {"sendcmpct", DEC_SENDCMPCT}, {"reject", DEC_REJECT},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(command, table[i].command) == 0)
            decode(table[i].which, p, len);
}

/* The framer on a stream: every frame it accepts is re-framed to the same
 * bytes, every shorter prefix of it is "need more" (with the right total
 * once the header is in), and its payload goes to its decoder. */
static void fuzz_stream(const uint8_t magic[4], const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (off < size) {
        struct p2p_frame f;
        const uint8_t *buf = data + off;
        size_t have = size - off;
        int st = p2p_frame_parse(magic, buf, have, &f);
        CHECK(st >= P2P_FRAME_ERR_CHECKSUM && st <= P2P_FRAME_MESSAGE);
        CHECK(p2p_frame_strerror(st) != NULL);
        if (st == P2P_FRAME_NEED_MORE) {
            CHECK(f.frame_len > have && f.frame_len <= P2P_HEADER_SIZE + P2P_MAX_PAYLOAD);
            return;
        }
        if (st != P2P_FRAME_MESSAGE)
            return;
        CHECK(f.frame_len == P2P_HEADER_SIZE + (size_t)f.payload_len && f.frame_len <= have);
        CHECK(f.payload == buf + P2P_HEADER_SIZE);

        struct writer w;
        writer_init(&w, encoded, sizeof encoded);
        p2p_frame_write(&w, magic, f.command, f.payload, f.payload_len);
        if (f.frame_len <= sizeof encoded)
            CHECK(!w.err && w.len == f.frame_len && memcmp(encoded, buf, w.len) == 0);

        struct p2p_frame g;
        const size_t cuts[] = {0, 1, P2P_HEADER_SIZE - 1, P2P_HEADER_SIZE, f.frame_len - 1};
        for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
            if (cuts[i] >= f.frame_len)
                continue;
            CHECK(p2p_frame_parse(magic, buf, cuts[i], &g) == P2P_FRAME_NEED_MORE);
            CHECK(g.frame_len == (cuts[i] < P2P_HEADER_SIZE ? P2P_HEADER_SIZE : f.frame_len));
        }

        decode_command(f.command, f.payload, f.payload_len);
        off += f.frame_len;
    }
}

static const char *const chain_list[CHAIN_NAMES_MAX] = {"main", "testnet3", "testnet4",
                                                        "signet", "regtest"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 4) {
        for (size_t i = 0; i < CHAIN_NAMES_MAX && chain_list[i]; i++) {
            const chain_params_t *c = chain_by_name(chain_list[i]);
            if (c && memcmp(data, c->magic, 4) == 0) {
                fuzz_stream(c->magic, data, size);
                return 0;
            }
        }
    }
    if (size >= 1)
        decode((enum decoder)(data[0] % DEC_COUNT), data + 1, size - 1);
    char names[512];
    if (size >= 8) { /* service names are a total function of any 64 bits */
        uint64_t s;
        memcpy(&s, data, sizeof s);
        p2p_services_format(s, names, (size_t)(data[0] % sizeof names) + 1);
    }
    return 0;
}
