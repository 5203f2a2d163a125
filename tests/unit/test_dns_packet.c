/* Unit tests for the DNS packet layer: every rcode, flag and record-type rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include "dns/dns_packet.h"
#include "dns_test_util.h"
#include "p2p/msg.h"

#define ZONE "seed.example.org"
#define SERIAL 2024010101u

static dns_zone_t zone;
static struct dns_rng rng;

/* 200 IPv4 nodes in 200 /16s and 100 IPv6 nodes in 100 /32s; services vary. */
static struct dns_node *make_nodes(size_t *n)
{
    size_t count = 300;
    struct dns_node *nodes = calloc(count, sizeof *nodes);
    for (size_t i = 0; i < 200; i++) {
        uint8_t ip[4] = {(uint8_t)(10 + i), (uint8_t)i, 1, 2};
        netaddr_set_ipv4(&nodes[i].addr, ip, 8333);
        nodes[i].services = (i % 2 == 0) ? (NODE_NETWORK | NODE_WITNESS) : NODE_NETWORK;
        if (i % 10 == 0)
            nodes[i].services |= NODE_BLOOM;
    }
    for (size_t i = 200; i < count; i++) {
        uint8_t ip[16] = {0x20, 0x01, 0x0d, (uint8_t)i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        netaddr_set_ipv6(&nodes[i].addr, ip, 8333);
        nodes[i].services = NODE_NETWORK | NODE_WITNESS;
    }
    *n = count;
    return nodes;
}

struct fixture {
    dns_snapshot_t *snap;
    struct dns_node *nodes;
    size_t n;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->nodes = make_nodes(&f->n);
    f->snap = dns_snapshot_build(f->nodes, f->n, SERIAL, 42);
    assert_non_null(f->snap);
    assert_int_equal(dns_zone_init(&zone, ZONE, "ns.example.net", "hostmaster@example.org"), 0);
    dns_rng_seed_from(&rng, 7);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    dns_snapshot_free(f->snap);
    free(f->nodes);
    free(f);
    return 0;
}

struct exchange {
    enum dns_result result;
    struct dns_outcome out;
    uint8_t resp[DNS_PACKET_MAX];
    size_t len;
    struct test_response p;
};

static void run_raw(const dns_snapshot_t *snap, const uint8_t *req, size_t len,
                    enum dns_transport t, struct exchange *x)
{
    x->len = 0;
    x->result = dns_packet_respond(&zone, snap, &rng, req, len, t, x->resp, sizeof x->resp,
                                   &x->len, &x->out);
    if (x->result != DNS_RESULT_DROP)
        assert_int_equal(test_parse_response(x->resp, x->len, &x->p), 0);
}

static void run(const dns_snapshot_t *snap, const struct test_query *q, enum dns_transport t,
                struct exchange *x)
{
    uint8_t req[512];
    size_t len = test_build_query(q, req, sizeof req);
    assert_true(len > 0);
    run_raw(snap, req, len, t, x);
}

static int rcode_of(const struct exchange *x) { return x->p.flags & DNS_RCODE_MASK; }

/* NODATA (NOERROR) or NXDOMAIN from the zone: authoritative, no answer, the
 * SOA in the authority section. */
static void assert_negative(const struct exchange *x, int rcode)
{
    assert_int_equal(rcode_of(x), rcode);
    assert_true(x->p.flags & DNS_FLAG_AA);
    assert_int_equal(x->p.an, 0);
    assert_int_equal(x->p.ns, 1);
    assert_int_equal(x->p.rr[0].type, DNS_TYPE_SOA);
}

static bool node_has(const struct fixture *f, const uint8_t *addr, size_t alen, uint64_t svcs)
{
    for (size_t i = 0; i < f->n; i++)
        if (netaddr_len(f->nodes[i].addr.net) == alen &&
            memcmp(f->nodes[i].addr.bytes, addr, alen) == 0)
            return (f->nodes[i].services & svcs) == svcs;
    return false;
}

static void check_addresses(const struct fixture *f, const struct exchange *x, uint16_t type,
                            uint64_t svcs)
{
    size_t alen = type == DNS_TYPE_A ? 4 : 16;
    for (int i = 0; i < x->p.an; i++) {
        const struct test_rr *rr = &x->p.rr[i];
        assert_int_equal(rr->type, type);
        assert_int_equal(rr->klass, DNS_CLASS_IN);
        assert_int_equal(rr->ttl, 60);
        assert_int_equal(rr->rdlen, alen);
        assert_true(node_has(f, rr->rdata, alen, svcs));
        for (int j = 0; j < i; j++) /* distinct, and here every node has its own group */
            assert_false(memcmp(x->p.rr[j].rdata, rr->rdata, alen == 4 ? 2 : 4) == 0);
    }
}

static void test_a_at_apex(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 0x1234, .flags = DNS_FLAG_RD | DNS_FLAG_AD, .name = ZONE,
                           .qtype = DNS_TYPE_A};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.result, DNS_RESULT_ANSWER);
    assert_int_equal(x.p.id, 0x1234);
    assert_true(x.p.flags & DNS_FLAG_QR);
    assert_true(x.p.flags & DNS_FLAG_AA);
    assert_true(x.p.flags & DNS_FLAG_RD);
    assert_false(x.p.flags & DNS_FLAG_AD);
    assert_false(x.p.flags & DNS_FLAG_TC);
    assert_false(x.p.flags & DNS_FLAG_RA);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    assert_int_equal(x.p.qd, 1);
    /* 512 - header 12 - question (18 + 4) = 478 bytes: 29 records of 16 bytes. */
    assert_int_equal(x.p.an, 29);
    assert_true(x.len <= 512);
    assert_int_equal(x.p.ns + x.p.ar, 0);
    check_addresses(f, &x, DNS_TYPE_A, 0);
    assert_int_equal(x.out.answers, 29);
    assert_int_equal(x.out.qtype, DNS_TYPE_A);
}

static void test_rd_clear_is_copied(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 1, .name = ZONE, .qtype = DNS_TYPE_A};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_false(x.p.flags & DNS_FLAG_RD);
    assert_true(x.p.flags & DNS_FLAG_AA);
}

static void test_aaaa_at_apex(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 2, .name = ZONE, .qtype = DNS_TYPE_AAAA};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    /* 478 / 28 = 17 records. */
    assert_int_equal(x.p.an, 17);
    check_addresses(f, &x, DNS_TYPE_AAAA, 0);
}

static void test_edns_allows_32(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 3, .name = ZONE, .qtype = DNS_TYPE_AAAA, .edns = true,
                           .edns_payload = 4096, .edns_do = true};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.p.an, 32);
    assert_true(x.len <= 1232);
    assert_int_equal(x.p.ar, 1);
    const struct test_rr *opt = &x.p.rr[x.p.an];
    assert_int_equal(opt->type, DNS_TYPE_OPT);
    assert_int_equal(opt->name_len, 1);
    assert_int_equal(opt->klass, 1232);    /* our payload size */
    assert_int_equal(opt->ttl, DNS_EDNS_DO); /* rcode 0, version 0, DO echoed */
    assert_int_equal(opt->rdlen, 0);
}

static void test_edns_small_payload_clamped_to_512(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 4, .name = ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 100};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_true(x.len <= 512);
    /* 512 - 12 - 22 - 11 (OPT) = 467: 29 A records. */
    assert_int_equal(x.p.an, 29);
    assert_int_equal(x.p.rr[x.p.an].ttl & DNS_EDNS_DO, 0);
    q.edns_payload = 600;
    q.qtype = DNS_TYPE_AAAA;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_true(x.len <= 600);
    assert_int_equal(x.p.an, (600 - 12 - 22 - 11) / 28);
}

static void test_badvers(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 5, .name = ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 1232, .edns_version = 1};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.result, DNS_RESULT_REFUSE);
    assert_int_equal(rcode_of(&x), 0); /* BADVERS = 16: low bits 0 ... */
    assert_int_equal(x.p.an, 0);
    assert_int_equal(x.p.ar, 1);
    assert_int_equal(x.p.rr[0].ttl >> 24, 1); /* ... high bits in the OPT */
    assert_int_equal((x.p.rr[0].ttl >> 16) & 0xff, 0);
    assert_int_equal(x.out.rcode, DNS_RCODE_BADVERS);
}

static void test_unknown_edns_option_ignored(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    uint8_t req[512];
    struct test_query q = {.id = 6, .name = ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 1232};
    size_t len = test_build_query(&q, req, sizeof req);
    /* Replace RDLEN 0 by one option: code 65001, 3 bytes; plus a cookie (10). */
    const uint8_t opts[] = {0xfd, 0xe9, 0x00, 0x03, 1, 2, 3, 0x00, 0x0a, 0x00, 0x08,
                            1, 2, 3, 4, 5, 6, 7, 8};
    req[len - 2] = 0;
    req[len - 1] = sizeof opts;
    memcpy(req + len, opts, sizeof opts);
    run_raw(f->snap, req, len + sizeof opts, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    assert_int_equal(x.p.an, 32);
    assert_int_equal(x.p.rr[x.p.an].rdlen, 0); /* nothing echoed back */
    /* An option that overruns the RDATA is malformed. */
    req[len - 1] = 6;
    run_raw(f->snap, req, len + 6, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_FORMERR);
}

static void test_case_preserved(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 7, .name = "SeEd.ExAmPlE.oRg", .qtype = DNS_TYPE_A};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    uint8_t wire[64];
    size_t wlen = test_wire_name("SeEd.ExAmPlE.oRg", wire);
    assert_int_equal(x.p.qname_len, wlen);
    assert_memory_equal(x.p.qname, wire, wlen);
    assert_true(x.p.an > 0);
    /* Answers point at the question, so they carry the same case. */
    assert_memory_equal(x.p.rr[0].name, wire, wlen);
    q.name = "X9.sEED.example.ORG";
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    wlen = test_wire_name("X9.sEED.example.ORG", wire);
    assert_memory_equal(x.p.qname, wire, wlen);
}

static void test_service_filters(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct {
        const char *label;
        uint64_t services;
        int expect_answers; /* -1: some; 0: NODATA */
    } cases[] = {
        {"x1", NODE_NETWORK, -1},
        {"x9", NODE_NETWORK | NODE_WITNESS, -1},
        {"xD", NODE_NETWORK | NODE_WITNESS | NODE_BLOOM, -1},
        {"xd", NODE_NETWORK | NODE_WITNESS | NODE_BLOOM, -1},
        {"x5", NODE_NETWORK | NODE_BLOOM, -1},
        {"x409", NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED, 0},
        {"xc09", NODE_NETWORK | NODE_WITNESS | NODE_NETWORK_LIMITED | NODE_P2P_V2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s." ZONE, cases[i].label);
        struct test_query q = {.id = 8, .name = name, .qtype = DNS_TYPE_A, .edns = true,
                               .edns_payload = 1232};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
        assert_true(x.p.flags & DNS_FLAG_AA);
        if (cases[i].expect_answers == 0) {
            assert_int_equal(x.p.an, 0);
            assert_int_equal(x.p.ns, 1);
            assert_int_equal(x.p.rr[0].type, DNS_TYPE_SOA);
        } else {
            assert_true(x.p.an > 0);
            check_addresses(f, &x, DNS_TYPE_A, cases[i].services);
        }
    }
    /* x5 = NODE_NETWORK|NODE_BLOOM: 20 nodes have BLOOM, all are answered. */
    struct test_query q = {.id = 9, .name = "x5." ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 1232};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.p.an, 20);
}

static void test_bad_filters_nxdomain(void **state)
{
    struct fixture *f = *state;
    const char *bad[] = {"x0", "x09", "x", "xg", "x10000", "x9x", "y9", "x00000000000000001",
                         "x1000000000000000", "xx9", "foo", "x9.x9", "a.b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char name[80];
        snprintf(name, sizeof name, "%s." ZONE, bad[i]);
        struct exchange x;
        struct test_query q = {.id = 10, .name = name, .qtype = DNS_TYPE_A};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_int_equal(x.result, DNS_RESULT_ANSWER);
        assert_int_equal(rcode_of(&x), DNS_RCODE_NXDOMAIN);
        assert_true(x.p.flags & DNS_FLAG_AA);
        assert_int_equal(x.p.an, 0);
        assert_int_equal(x.p.ns, 1);
        const struct test_rr *soa = &x.p.rr[0];
        assert_int_equal(soa->type, DNS_TYPE_SOA);
        uint8_t apex[64];
        size_t alen = test_wire_name(ZONE, apex);
        assert_int_equal(soa->name_len, alen);
        assert_true(dns_name_bytes_equal(soa->name, apex, alen));
    }
}

/* Reads the SOA RDATA fields (names uncompressed by construction). */
static uint32_t soa_serial(const struct exchange *x, const struct test_rr *rr)
{
    struct reader r;
    reader_init(&r, x->resp, x->len);
    r.off = rr->rdata_off;
    uint8_t name[DNS_MAX_NAME];
    size_t len;
    assert_int_equal(dns_name_read(&r, name, &len), 0);
    uint8_t want[64];
    size_t wlen = test_wire_name("ns.example.net", want);
    assert_memory_equal(name, want, wlen);
    assert_int_equal(dns_name_read(&r, name, &len), 0);
    wlen = test_wire_name("hostmaster.example.org", want);
    assert_memory_equal(name, want, wlen);
    uint32_t serial = reader_u32be(&r);
    assert_int_equal(reader_u32be(&r), DNS_SOA_REFRESH);
    assert_int_equal(reader_u32be(&r), DNS_SOA_RETRY);
    assert_int_equal(reader_u32be(&r), DNS_SOA_EXPIRE);
    assert_int_equal(reader_u32be(&r), DNS_SOA_MINIMUM);
    assert_int_equal(r.off, rr->rdata_off + rr->rdlen);
    return serial;
}

static void test_soa_and_ns_at_apex(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 11, .name = ZONE, .qtype = DNS_TYPE_SOA};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    assert_int_equal(x.p.an, 1);
    assert_int_equal(x.p.rr[0].type, DNS_TYPE_SOA);
    assert_int_equal(soa_serial(&x, &x.p.rr[0]), SERIAL);
    q.qtype = DNS_TYPE_NS;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.p.an, 1);
    assert_int_equal(x.p.rr[0].type, DNS_TYPE_NS);
    uint8_t want[64];
    size_t wlen = test_wire_name("ns.example.net", want);
    assert_int_equal(x.p.rr[0].rdlen, wlen);
    assert_memory_equal(x.p.rr[0].rdata, want, wlen);
    assert_int_equal(x.p.ar, 0); /* outside the zone: no glue of ours to give */
}

static void test_nodata(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *name;
        uint16_t type;
    } cases[] = {
        {ZONE, 16 /* TXT */}, {ZONE, 15 /* MX */}, {ZONE, 43 /* DS */},
        {"x9." ZONE, DNS_TYPE_NS}, {"x9." ZONE, DNS_TYPE_SOA}, {"x9." ZONE, 16},
        {"x409." ZONE, DNS_TYPE_AAAA}, {ZONE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct exchange x;
        struct test_query q = {.id = 12, .name = cases[i].name, .qtype = cases[i].type};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_negative(&x, DNS_RCODE_NOERROR);
        assert_int_equal(soa_serial(&x, &x.p.rr[0]), SERIAL);
    }
}

static void test_empty_snapshot(void **state)
{
    struct exchange x;
    struct test_query q = {.id = 13, .name = ZONE, .qtype = DNS_TYPE_A};
    run(NULL, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    assert_int_equal(x.p.an, 0);
    assert_int_equal(x.p.ns, 1);
    assert_int_equal(soa_serial(&x, &x.p.rr[0]), 1);
}

static void test_any_is_minimal(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 14, .name = ZONE, .qtype = DNS_TYPE_ANY};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    assert_int_equal(x.p.an, 1);
    assert_int_equal(x.p.rr[0].type, DNS_TYPE_HINFO);
    assert_memory_equal(x.p.rr[0].rdata, "\x07RFC8482\x00", 9);
}

static void test_refused(void **state)
{
    struct fixture *f = *state;
    struct {
        const char *name;
        uint16_t type, klass;
    } cases[] = {
        {"example.org", DNS_TYPE_A, 0},       {"org", DNS_TYPE_NS, 0},
        {"seed.example.com", DNS_TYPE_A, 0},  {"xseed.example.org", DNS_TYPE_A, 0},
        {"version.bind", 16, 3 /* CH */},     {ZONE, DNS_TYPE_A, 3},
        {ZONE, DNS_TYPE_AXFR, 0},             {ZONE, DNS_TYPE_IXFR, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct exchange x;
        struct test_query q = {.id = 15, .flags = DNS_FLAG_RD, .name = cases[i].name,
                               .qtype = cases[i].type, .qclass = cases[i].klass};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_int_equal(x.result, DNS_RESULT_REFUSE);
        assert_int_equal(rcode_of(&x), DNS_RCODE_REFUSED);
        assert_true(x.p.flags & DNS_FLAG_QR);
        assert_false(x.p.flags & DNS_FLAG_AA);
        assert_true(x.p.flags & DNS_FLAG_RD);
        assert_int_equal(x.p.qd, 1);
        assert_int_equal(x.p.an + x.p.ns + x.p.ar, 0);
    }
}

static void test_notimp(void **state)
{
    struct fixture *f = *state;
    for (unsigned opcode = 1; opcode < 16; opcode++) {
        struct exchange x;
        struct test_query q = {.id = 16, .flags = (uint16_t)(opcode << DNS_OPCODE_SHIFT),
                               .name = ZONE, .qtype = DNS_TYPE_SOA};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_int_equal(x.result, DNS_RESULT_REFUSE);
        assert_int_equal(rcode_of(&x), DNS_RCODE_NOTIMP);
        assert_int_equal((x.p.flags & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT, opcode);
        assert_int_equal(x.p.an, 0);
    }
}

static uint8_t base_query[512];
static size_t base_len;

static void make_base(void)
{
    struct test_query q = {.id = 0x4242, .name = ZONE, .qtype = DNS_TYPE_A};
    base_len = test_build_query(&q, base_query, sizeof base_query);
}

static void expect_formerr(const uint8_t *req, size_t len, bool question)
{
    struct exchange x;
    run_raw(NULL, req, len, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.result, DNS_RESULT_REFUSE);
    assert_int_equal(rcode_of(&x), DNS_RCODE_FORMERR);
    assert_true(x.p.flags & DNS_FLAG_QR);
    assert_int_equal(x.p.id, 0x4242);
    assert_int_equal(x.p.qd, question ? 1 : 0);
    assert_int_equal(x.p.an + x.p.ns, 0);
}

static void test_formerr_counts(void **state)
{
    uint8_t req[512];
    make_base();
    memcpy(req, base_query, base_len);
    req[5] = 0; /* QDCOUNT 0 */
    expect_formerr(req, DNS_HEADER_SIZE, false);
    expect_formerr(req, base_len, false);
    req[5] = 2; /* QDCOUNT 2, with two real questions */
    memcpy(req + base_len, base_query + DNS_HEADER_SIZE, base_len - DNS_HEADER_SIZE);
    expect_formerr(req, 2 * base_len - DNS_HEADER_SIZE, false);
    memcpy(req, base_query, base_len);
    req[7] = 1; /* ANCOUNT 1 */
    expect_formerr(req, base_len, true);
}

static void test_formerr_truncated(void **state)
{
    make_base();
    for (size_t len = DNS_HEADER_SIZE; len < base_len; len++)
        expect_formerr(base_query, len, false);
    uint8_t req[512];
    memcpy(req, base_query, base_len);
    req[11] = 1; /* ARCOUNT 1 but no record */
    expect_formerr(req, base_len, true);
}

static void test_drop(void **state)
{
    struct exchange x;
    make_base();
    for (size_t len = 0; len < DNS_HEADER_SIZE; len++) {
        run_raw(NULL, base_query, len, DNS_TRANSPORT_UDP, &x);
        assert_int_equal(x.result, DNS_RESULT_DROP);
    }
    uint8_t req[512];
    memcpy(req, base_query, base_len);
    req[2] |= DNS_FLAG_QR >> 8; /* a response: never answered */
    run_raw(NULL, req, base_len, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.result, DNS_RESULT_DROP);
}

static void test_malformed_names(void **state)
{
    make_base();
    uint8_t req[600];
    const size_t q = DNS_HEADER_SIZE;
    /* Pointer to itself (a loop). */
    memcpy(req, base_query, q);
    req[q] = 0xc0;
    req[q + 1] = q;
    memcpy(req + q + 2, "\0\1\0\1", 4);
    expect_formerr(req, q + 6, false);
    /* Pointer forward / out of range. */
    req[q + 1] = 0xff;
    expect_formerr(req, q + 6, false);
    req[q] = 0xff;
    expect_formerr(req, q + 6, false);
    /* Reserved label types 0x40 and 0x80. */
    req[q] = 0x41;
    req[q + 1] = 'a';
    expect_formerr(req, q + 6, false);
    req[q] = 0x81;
    expect_formerr(req, q + 6, false);
    /* A name of 256 bytes: 4 labels of 63 plus root would be 257. */
    size_t off = q;
    for (int i = 0; i < 4; i++) {
        req[off++] = 63;
        memset(req + off, 'a', 63);
        off += 63;
    }
    req[off++] = 0;
    memcpy(req + off, "\0\1\0\1", 4);
    expect_formerr(req, off + 4, false);
    /* Label length running past the end of the packet. */
    req[q] = 63;
    expect_formerr(req, q + 20, false);
    /* Chains of pointers into the header end in garbage or loops: never a crash. */
    for (int b = 0; b < 256; b++) {
        memcpy(req, base_query, q);
        req[q] = 0xc0;
        req[q + 1] = (uint8_t)(b % q);
        req[b % q] = (uint8_t)b;
        memcpy(req + q + 2, "\0\1\0\1", 4);
        struct exchange x;
        run_raw(NULL, req, q + 6, DNS_TRANSPORT_UDP, &x);
    }
}

static void test_backward_pointer_accepted(void **state)
{
    /* The header bytes 4..: QDCOUNT=0x0001 ... we point the question name at
     * a real name stored in a leading additional area: put "\4seed..." before
     * the question by pointing at it from a second copy is not possible in a
     * query, so point at the root byte at offset 8 (ANCOUNT high byte = 0). */
    make_base();
    uint8_t req[64];
    memcpy(req, base_query, DNS_HEADER_SIZE);
    req[DNS_HEADER_SIZE] = 0xc0;
    req[DNS_HEADER_SIZE + 1] = 6; /* ANCOUNT high byte: 0 = root name */
    memcpy(req + DNS_HEADER_SIZE + 2, "\0\1\0\1", 4);
    struct exchange x;
    run_raw(NULL, req, DNS_HEADER_SIZE + 6, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_REFUSED); /* "." is outside our zone */
    assert_int_equal(x.p.qd, 1);
    assert_int_equal(x.p.qname_len, 1);
}

static void test_two_opt_formerr(void **state)
{
    struct test_query q = {.id = 0x4242, .name = ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 1232};
    uint8_t req[512];
    size_t len = test_build_query(&q, req, sizeof req);
    memcpy(req + len, req + len - DNS_OPT_RR_SIZE, DNS_OPT_RR_SIZE);
    req[11] = 2;
    expect_formerr(req, len + DNS_OPT_RR_SIZE, true);
    /* OPT owned by a non-root name. */
    len = test_build_query(&q, req, sizeof req);
    uint8_t *opt = req + len - DNS_OPT_RR_SIZE;
    memmove(opt + 2, opt + 1, DNS_OPT_RR_SIZE - 1);
    opt[0] = 1;
    opt[1] = 'a';
    opt[2] = 0;
    memmove(opt + 3, opt + 2, DNS_OPT_RR_SIZE - 1);
    expect_formerr(req, len + 2, true);
}

static void test_huge_edns_and_tcp(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 17, .name = ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 65535};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_true(x.len <= 1232);
    assert_int_equal(x.p.an, 32);
    q.edns = false;
    run(f->snap, &q, DNS_TRANSPORT_TCP, &x);
    assert_int_equal(x.p.an, 32); /* TCP: no 512 limit, the cap still holds */
}

static void test_truncation(void **state)
{
    struct fixture *f = *state;
    /* Long names: the SOA record alone cannot fit in 512 bytes. */
    char label[64], zone_name[200], ns[256], mbox[256];
    memset(label, 'a', 63);
    label[63] = 0;
    snprintf(zone_name, sizeof zone_name, "%s.%s.example", label, label);
    snprintf(ns, sizeof ns, "%s.%s.%s.ns", label, label, label);
    snprintf(mbox, sizeof mbox, "%s.%s.%s.mb", label, label, label);
    dns_zone_t saved = zone;
    assert_int_equal(dns_zone_init(&zone, zone_name, ns, mbox), 0);
    struct exchange x;
    struct test_query q = {.id = 18, .name = zone_name, .qtype = DNS_TYPE_SOA};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
    assert_true(x.p.flags & DNS_FLAG_TC);
    assert_int_equal(x.p.qd, 1);
    assert_int_equal(x.p.an + x.p.ns, 0);
    assert_true(x.out.truncated);
    /* With EDNS the OPT survives truncation too; over TCP the answer is whole. */
    q.edns = true;
    q.edns_payload = 512;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_true(x.p.flags & DNS_FLAG_TC);
    assert_int_equal(x.p.ar, 1);
    q.edns = false;
    run(f->snap, &q, DNS_TRANSPORT_TCP, &x);
    assert_false(x.p.flags & DNS_FLAG_TC);
    assert_int_equal(x.p.an, 1);
    /* NXDOMAIN with a long name: same. */
    char name[300];
    snprintf(name, sizeof name, "%s.%s", label, zone_name);
    q.name = name;
    q.qtype = DNS_TYPE_A;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(rcode_of(&x), DNS_RCODE_NXDOMAIN);
    assert_true(x.p.flags & DNS_FLAG_TC);
    zone = saved;
}

static void test_slip(void **state)
{
    struct fixture *f = *state;
    struct exchange x;
    struct test_query q = {.id = 19, .name = ZONE, .qtype = DNS_TYPE_A, .edns = true,
                           .edns_payload = 1232};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    size_t len = dns_packet_slip(x.resp, &x.out);
    assert_int_equal(test_parse_response(x.resp, len, &x.p), 0);
    assert_true(x.p.flags & DNS_FLAG_TC);
    assert_int_equal(x.p.qd, 1);
    assert_int_equal(x.p.an + x.p.ns + x.p.ar, 0);
    assert_true(len <= 12 + 22);
}

static void test_answers_are_random(void **state)
{
    struct fixture *f = *state;
    struct test_query q = {.id = 20, .name = ZONE, .qtype = DNS_TYPE_A};
    struct exchange a, b;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &a);
    run(f->snap, &q, DNS_TRANSPORT_UDP, &b);
    assert_int_equal(a.p.an, b.p.an);
    bool differ = false;
    for (int i = 0; i < a.p.an; i++)
        differ |= memcmp(a.p.rr[i].rdata, b.p.rr[i].rdata, 4) != 0;
    assert_true(differ);
    /* Over many queries every IPv4 node comes up. */
    bool seen[200] = {false};
    for (int n = 0; n < 200; n++) {
        run(f->snap, &q, DNS_TRANSPORT_UDP, &a);
        for (int i = 0; i < a.p.an; i++)
            seen[a.p.rr[i].rdata[0] - 10] = true;
    }
    for (int i = 0; i < 200; i++)
        assert_true(seen[i]);
}

static void test_small_resp_cap_drops(void **state)
{
    make_base();
    uint8_t resp[100];
    size_t len;
    struct dns_outcome out;
    assert_int_equal(dns_packet_respond(&zone, NULL, &rng, base_query, base_len,
                                        DNS_TRANSPORT_UDP, resp, sizeof resp, &len, &out),
                     DNS_RESULT_DROP);
}

/* ---- a name server inside the zone ----------------------------------------- */

#define NS_IN_ZONE "ns." ZONE
static const char *const ns_addrs[] = {"192.0.2.53", "2001:db8::53", "198.51.100.53"};

/* Makes the global zone one whose name server is `ns`, with `n` of ns_addrs. */
static void use_ns(const char *ns, size_t n)
{
    assert_int_equal(dns_zone_init(&zone, ZONE, ns, "hostmaster@example.org"), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(dns_zone_add_ns_addr(&zone, ns_addrs[i]), 0);
    assert_int_equal(dns_zone_check(&zone), DNS_ZONE_OK);
}

static void restore_zone(void)
{
    assert_int_equal(dns_zone_init(&zone, ZONE, "ns.example.net", "hostmaster@example.org"), 0);
}

static void assert_rr_addr(const struct test_rr *rr, uint16_t type, const char *text)
{
    uint8_t want[16];
    assert_int_equal(inet_pton(type == DNS_TYPE_A ? AF_INET : AF_INET6, text, want), 1);
    assert_int_equal(rr->type, type);
    assert_int_equal(rr->klass, DNS_CLASS_IN);
    assert_int_equal(rr->ttl, DNS_TTL_NS);
    assert_int_equal(rr->rdlen, type == DNS_TYPE_A ? 4 : 16);
    assert_memory_equal(rr->rdata, want, rr->rdlen);
}

static void assert_rr_owner(const struct test_rr *rr, const char *name)
{
    uint8_t wire[DNS_MAX_NAME];
    size_t len = test_wire_name(name, wire);
    assert_int_equal(rr->name_len, len);
    assert_memory_equal(rr->name, wire, len);
}

static void test_in_zone_ns_glue(void **state)
{
    struct fixture *f = *state;
    use_ns(NS_IN_ZONE, 3);
    struct exchange x;
    for (int edns = 0; edns < 2; edns++) {
        struct test_query q = {.id = 30, .name = ZONE, .qtype = DNS_TYPE_NS, .edns = edns,
                               .edns_payload = 1232};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
        assert_true(x.p.flags & DNS_FLAG_AA);
        assert_false(x.p.flags & DNS_FLAG_TC);
        assert_int_equal(x.p.an, 1);
        assert_int_equal(x.p.ns, 0);
        uint8_t want[64];
        size_t wlen = test_wire_name(NS_IN_ZONE, want);
        assert_int_equal(x.p.rr[0].type, DNS_TYPE_NS);
        assert_memory_equal(x.p.rr[0].rdata, want, wlen);
        /* Glue: both IPv4 addresses, then the IPv6 one, owned by the NS target;
         * the OPT record comes last. */
        assert_int_equal(x.p.ar, 3 + edns);
        assert_rr_addr(&x.p.rr[1], DNS_TYPE_A, "192.0.2.53");
        assert_rr_addr(&x.p.rr[2], DNS_TYPE_A, "198.51.100.53");
        assert_rr_addr(&x.p.rr[3], DNS_TYPE_AAAA, "2001:db8::53");
        for (int i = 1; i <= 3; i++)
            assert_rr_owner(&x.p.rr[i], NS_IN_ZONE);
        if (edns)
            assert_int_equal(x.p.rr[4].type, DNS_TYPE_OPT);
    }
    restore_zone();
}

static void test_in_zone_ns_addresses(void **state)
{
    struct fixture *f = *state;
    use_ns(NS_IN_ZONE, 3);
    struct exchange x;
    /* A and AAAA at the name server's name, any case, over UDP and TCP. */
    for (int t = 0; t < 2; t++) {
        enum dns_transport tr = t ? DNS_TRANSPORT_TCP : DNS_TRANSPORT_UDP;
        struct test_query q = {.id = 31, .name = "Ns.SEED.example.org", .qtype = DNS_TYPE_A};
        run(f->snap, &q, tr, &x);
        assert_int_equal(rcode_of(&x), DNS_RCODE_NOERROR);
        assert_true(x.p.flags & DNS_FLAG_AA);
        assert_int_equal(x.p.an, 2);
        assert_int_equal(x.p.ns + x.p.ar, 0);
        assert_rr_addr(&x.p.rr[0], DNS_TYPE_A, "192.0.2.53");
        assert_rr_addr(&x.p.rr[1], DNS_TYPE_A, "198.51.100.53");
        assert_rr_owner(&x.p.rr[0], "Ns.SEED.example.org"); /* the question, 0x20 kept */
        q.qtype = DNS_TYPE_AAAA;
        run(f->snap, &q, tr, &x);
        assert_int_equal(x.p.an, 1);
        assert_rr_addr(&x.p.rr[0], DNS_TYPE_AAAA, "2001:db8::53");
    }
    /* Other types there: NODATA with the SOA. */
    uint16_t others[] = {DNS_TYPE_NS, DNS_TYPE_SOA, 16 /* TXT */, 15 /* MX */};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        struct test_query q = {.id = 32, .name = NS_IN_ZONE, .qtype = others[i]};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        assert_negative(&x, DNS_RCODE_NOERROR);
    }
    /* Only an IPv4 address given: AAAA there is NODATA. */
    use_ns(NS_IN_ZONE, 1);
    struct test_query q = {.id = 33, .name = NS_IN_ZONE, .qtype = DNS_TYPE_AAAA};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_negative(&x, DNS_RCODE_NOERROR);
    q.qtype = DNS_TYPE_NS;
    q.name = ZONE;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.p.ar, 1);
    assert_rr_addr(&x.p.rr[1], DNS_TYPE_A, "192.0.2.53");
    /* The apex still gives nodes, not the server. */
    q.qtype = DNS_TYPE_A;
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_int_equal(x.p.an, 29); /* as many as fit in 512 bytes */
    check_addresses(f, &x, DNS_TYPE_A, 0);
    restore_zone();
}

static void test_in_zone_ns_deeper(void **state)
{
    struct fixture *f = *state;
    use_ns("a.b." ZONE, 2);
    struct {
        const char *name;
        int rcode;
        int an;
    } cases[] = {
        {"a.b." ZONE, DNS_RCODE_NOERROR, 1},
        {"b." ZONE, DNS_RCODE_NOERROR, 0}, /* empty non-terminal: exists, no data */
        {"B." ZONE, DNS_RCODE_NOERROR, 0},
        {"c." ZONE, DNS_RCODE_NXDOMAIN, 0},
        {"a." ZONE, DNS_RCODE_NXDOMAIN, 0},
        {"x.a.b." ZONE, DNS_RCODE_NXDOMAIN, 0},
        {"ns." ZONE, DNS_RCODE_NXDOMAIN, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct exchange x;
        struct test_query q = {.id = 34, .name = cases[i].name, .qtype = DNS_TYPE_A};
        run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
        if (cases[i].an == 0) {
            assert_negative(&x, cases[i].rcode);
        } else {
            assert_int_equal(rcode_of(&x), cases[i].rcode);
            assert_int_equal(x.p.an, cases[i].an);
        }
    }
    restore_zone();
}

/* Gives z as many name server addresses as it takes, of both families. */
static void add_all_ns_addrs(dns_zone_t *z)
{
    for (int i = 0; i < DNS_ZONE_MAX_NS_ADDRS; i++) {
        char v4[32], v6[32];
        snprintf(v4, sizeof v4, "192.0.2.%d", i + 1);
        snprintf(v6, sizeof v6, "2001:db8::%d", i + 1);
        assert_int_equal(dns_zone_add_ns_addr(z, v4), 0);
        assert_int_equal(dns_zone_add_ns_addr(z, v6), 0);
    }
}

static void test_in_zone_ns_checks(void **state)
{
    (void)state;
    dns_zone_t z;
    /* In the zone: needs an address, then is fine. */
    assert_int_equal(dns_zone_init(&z, ZONE, NS_IN_ZONE, "h@example.org"), 0);
    assert_true(z.ns_in_zone);
    assert_int_equal(dns_zone_check(&z), DNS_ZONE_NS_NEEDS_ADDR);
    assert_int_equal(dns_zone_add_ns_addr(&z, "2001:db8::1"), 0);
    assert_int_equal(dns_zone_check(&z), DNS_ZONE_OK);
    /* Outside (including a sibling that merely ends the same way): no address. */
    const char *outside[] = {"ns.example.net", "ns.example.org", "nsseed.example.org"};
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        assert_int_equal(dns_zone_init(&z, ZONE, outside[i], "h@example.org"), 0);
        assert_false(z.ns_in_zone);
        assert_int_equal(dns_zone_check(&z), DNS_ZONE_OK);
        assert_int_equal(dns_zone_add_ns_addr(&z, "192.0.2.1"), 0);
        assert_int_equal(dns_zone_check(&z), DNS_ZONE_NS_ADDR_OUTSIDE);
    }
    /* Where A/AAAA are nodes, a name server cannot be. */
    const char *clash[] = {ZONE, "SEED.example.org.", "x9." ZONE, "xD." ZONE};
    for (size_t i = 0; i < sizeof clash / sizeof clash[0]; i++) {
        assert_int_equal(dns_zone_init(&z, ZONE, clash[i], "h@example.org"), 0);
        assert_int_equal(dns_zone_add_ns_addr(&z, "192.0.2.1"), 0);
        assert_int_equal(dns_zone_check(&z), DNS_ZONE_NS_CLASH);
    }
    /* Address text and the per-family cap. */
    assert_int_equal(dns_zone_init(&z, ZONE, NS_IN_ZONE, "h@example.org"), 0);
    const char *bad[] = {"", "192.0.2", "192.0.2.256", "192.0.2.1:53", "[2001:db8::1]",
                         "ns.example.net", "2001:db8::1/64", " 192.0.2.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dns_zone_add_ns_addr(&z, bad[i]), DNS_ZONE_ADDR_BAD);
    add_all_ns_addrs(&z);
    assert_int_equal(dns_zone_add_ns_addr(&z, "192.0.2.200"), DNS_ZONE_ADDR_FULL);
    assert_int_equal(dns_zone_add_ns_addr(&z, "2001:db8::200"), DNS_ZONE_ADDR_FULL);
    assert_int_equal(z.ns_ipv4_count + z.ns_ipv6_count, 2 * DNS_ZONE_MAX_NS_ADDRS);
}

/* Glue that does not fit a 512-byte UDP answer: TC, no partial glue; TCP
 * carries it all. */
static void test_in_zone_ns_glue_truncated(void **state)
{
    struct fixture *f = *state;
    char label[64], ns[256];
    memset(label, 'n', 63);
    label[63] = 0;
    snprintf(ns, sizeof ns, "%s.%s.%s", label, label, ZONE);
    assert_int_equal(dns_zone_init(&zone, ZONE, ns, "hostmaster@example.org"), 0);
    add_all_ns_addrs(&zone);
    struct exchange x;
    struct test_query q = {.id = 35, .name = ZONE, .qtype = DNS_TYPE_NS};
    run(f->snap, &q, DNS_TRANSPORT_UDP, &x);
    assert_true(x.p.flags & DNS_FLAG_TC);
    assert_int_equal(x.p.an + x.p.ns + x.p.ar, 0);
    run(f->snap, &q, DNS_TRANSPORT_TCP, &x);
    assert_false(x.p.flags & DNS_FLAG_TC);
    assert_int_equal(x.p.an, 1);
    assert_int_equal(x.p.ar, 2 * DNS_ZONE_MAX_NS_ADDRS);
    assert_true(x.len > 512);
    restore_zone();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_at_apex),
        cmocka_unit_test(test_rd_clear_is_copied),
        cmocka_unit_test(test_aaaa_at_apex),
        cmocka_unit_test(test_edns_allows_32),
        cmocka_unit_test(test_edns_small_payload_clamped_to_512),
        cmocka_unit_test(test_badvers),
        cmocka_unit_test(test_unknown_edns_option_ignored),
        cmocka_unit_test(test_case_preserved),
        cmocka_unit_test(test_service_filters),
        cmocka_unit_test(test_bad_filters_nxdomain),
        cmocka_unit_test(test_soa_and_ns_at_apex),
        cmocka_unit_test(test_nodata),
        cmocka_unit_test(test_empty_snapshot),
        cmocka_unit_test(test_any_is_minimal),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_notimp),
        cmocka_unit_test(test_formerr_counts),
        cmocka_unit_test(test_formerr_truncated),
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_malformed_names),
        cmocka_unit_test(test_backward_pointer_accepted),
        cmocka_unit_test(test_two_opt_formerr),
        cmocka_unit_test(test_huge_edns_and_tcp),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_slip),
        cmocka_unit_test(test_answers_are_random),
        cmocka_unit_test(test_small_resp_cap_drops),
        cmocka_unit_test(test_in_zone_ns_glue),
        cmocka_unit_test(test_in_zone_ns_addresses),
        cmocka_unit_test(test_in_zone_ns_deeper),
        cmocka_unit_test(test_in_zone_ns_checks),
        cmocka_unit_test(test_in_zone_ns_glue_truncated),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
