/* Unit tests for the simulated seed zone: name parsing, entry selection and
 * the answer function (queries built and answers read back with ldns). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ldns/ldns.h>

#include "p2p/msg.h"
#include "simnet_dns.h"
#include "simnet_model.h"
#include "simnet_seeds.h"

static struct simnet_model model;
static struct simnet_seeds seeds;

static int setup(void **state)
{
    struct simnet_config c;
    memset(&c, 0, sizeof c);
    c.seed = 5;
    c.chain = chain_by_name("main");
    c.nodes = 3000;
    c.count[SIMNET_DEAD] = 1000;
    c.ipv6_nodes = 600;
    c.port = 8333;
    c.alt_port = 8334;
    c.dead_port = 8335;
    c.best_height = 920000;
    if (netaddr_cidr_parse("2001:db8:2::/64", &c.ipv6_prefix) != 0)
        return -1;
    char err[100];
    if (simnet_model_init(&model, &c, err, sizeof err) != 0)
        return -1;
    seeds.model = &model;
    strcpy(seeds.zone, "sim.test");
    seeds.count = 3;
    seeds.answers = 10;
    return 0;
}

static int teardown(void **state)
{
    simnet_model_free(&model);
    return 0;
}

static void test_names(void **state)
{
    struct simnet_seed_name n;
    assert_int_equal(simnet_seeds_parse(&seeds, "seed1", &n), 0);
    assert_int_equal(n.seed, 1);
    assert_int_equal(n.services, 0);
    assert_int_equal(simnet_seeds_parse(&seeds, "x9.seed3", &n), 0);
    assert_int_equal(n.seed, 3);
    assert_int_equal(n.services, 9);
    assert_int_equal(simnet_seeds_parse(&seeds, "x409.seed2", &n), 0);
    assert_int_equal(n.services, 0x409);
    const char *bad[] = {"seed0", "seed4", "seed", "seed01", "seed1x", "x.seed1", "xg.seed1",
                         "y9.seed1", "x12345678901234567.seed1", "x9.x9.seed1", "", "sed1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(simnet_seeds_parse(&seeds, bad[i], &n), -1);
}

static void test_answers_are_good_filtered_slices(void **state)
{
    uint32_t a[SIMNET_SEEDS_MAX_ANSWERS], b[SIMNET_SEEDS_MAX_ANSWERS];
    struct simnet_seed_name s1 = {1, 0}, s2 = {2, 0}, x9 = {1, 9};
    for (int family = 4; family <= 6; family += 2) {
        size_t na = simnet_seeds_answer(&seeds, &s1, family, a);
        size_t nb = simnet_seeds_answer(&seeds, &s2, family, b);
        assert_int_equal(na, 10);
        assert_int_equal(nb, 10);
        for (size_t i = 0; i < na; i++) {
            struct simnet_node n;
            simnet_node_get(&model, a[i], &n);
            assert_true(simnet_node_good(&model, &n));
            assert_int_equal(n.addr.net, family == 4 ? NETADDR_IPV4 : NETADDR_IPV6);
            for (size_t k = 0; k < nb; k++)
                assert_int_not_equal(a[i], b[k]); /* seeds give different slices */
        }
        size_t nx = simnet_seeds_answer(&seeds, &x9, family, a);
        assert_int_equal(nx, 10);
        for (size_t i = 0; i < nx; i++)
            assert_int_equal(simnet_model_services(&model, a[i]) & 9, 9);
    }
}

/* Sends `name`/`type` through simnet_dns_answer; returns the parsed reply. */
static ldns_pkt *ask(const char *name, ldns_rr_type type, bool tcp)
{
    ldns_pkt *q = NULL;
    assert_int_equal(ldns_pkt_query_new_frm_str(&q, name, type, LDNS_RR_CLASS_IN, LDNS_RD),
                     LDNS_STATUS_OK);
    ldns_pkt_set_id(q, 4242);
    uint8_t *wire = NULL;
    size_t len = 0;
    assert_int_equal(ldns_pkt2wire(&wire, q, &len), LDNS_STATUS_OK);
    ldns_pkt_free(q);
    static uint8_t out[SIMNET_DNS_MAX_MESSAGE];
    size_t out_len = 0;
    assert_int_equal(simnet_dns_answer(&seeds, wire, len, tcp, out, sizeof out, &out_len), 0);
    free(wire);
    ldns_pkt *r = NULL;
    assert_int_equal(ldns_wire2pkt(&r, out, out_len), LDNS_STATUS_OK);
    assert_int_equal(ldns_pkt_id(r), 4242);
    assert_true(ldns_pkt_qr(r));
    return r;
}

static void test_answer_function(void **state)
{
    ldns_pkt *r = ask("seed2.sim.test.", LDNS_RR_TYPE_A, false);
    assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
    assert_true(ldns_pkt_aa(r));
    assert_int_equal(ldns_pkt_ancount(r), 10);
    uint32_t idx[SIMNET_SEEDS_MAX_ANSWERS];
    struct simnet_seed_name s2 = {2, 0};
    simnet_seeds_answer(&seeds, &s2, 4, idx);
    for (size_t i = 0; i < 10; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(r), i);
        assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
        netaddr_t a;
        simnet_model_address(&model, idx[i], &a);
        assert_memory_equal(ldns_rdf_data(ldns_rr_rdf(rr, 0)), a.bytes, 4);
    }
    ldns_pkt_free(r);

    r = ask("X9.SEED1.Sim.Test.", LDNS_RR_TYPE_AAAA, true);
    assert_int_equal(ldns_pkt_ancount(r), 10);
    ldns_pkt_free(r);

    r = ask("seed7.sim.test.", LDNS_RR_TYPE_A, false);
    assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
    assert_int_equal(ldns_pkt_nscount(r), 1); /* SOA */
    ldns_pkt_free(r);

    r = ask("seed1.sim.test.", LDNS_RR_TYPE_MX, false);
    assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
    assert_int_equal(ldns_pkt_ancount(r), 0);
    assert_int_equal(ldns_pkt_nscount(r), 1);
    ldns_pkt_free(r);

    r = ask("example.org.", LDNS_RR_TYPE_A, false);
    assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
    ldns_pkt_free(r);

    r = ask("sim.test.", LDNS_RR_TYPE_SOA, false);
    assert_int_equal(ldns_pkt_ancount(r), 1);
    ldns_pkt_free(r);
}

static void test_bad_input(void **state)
{
    uint8_t out[SIMNET_DNS_MAX_MESSAGE];
    size_t out_len;
    const uint8_t short_query[] = {1, 2, 3};
    assert_int_equal(simnet_dns_answer(&seeds, short_query, sizeof short_query, false, out,
                                       sizeof out, &out_len),
                     -1);
    /* A header claiming one question and nothing after it: FORMERR. */
    const uint8_t broken[12] = {0xab, 0xcd, 0x01, 0x00, 0x00, 0x01};
    assert_int_equal(simnet_dns_answer(&seeds, broken, sizeof broken, false, out, sizeof out,
                                       &out_len),
                     0);
    assert_int_equal(out_len, 12);
    assert_int_equal(out[0], 0xab);
    assert_int_equal(out[3] & 0x0f, LDNS_RCODE_FORMERR);
    /* A response is never answered. */
    uint8_t response[12] = {0xab, 0xcd, 0x81, 0x00};
    assert_int_equal(simnet_dns_answer(&seeds, response, sizeof response, false, out,
                                       sizeof out, &out_len),
                     -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_answers_are_good_filtered_slices),
        cmocka_unit_test(test_answer_function),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
