/* fuzz_simnet_dns -- the simulated seed zone's answer function and its seed
 * name parser. Every answer must parse with ldns, carry the query's ID, stay
 * within the transport's size limit (512 bytes on UDP without EDNS, 1232
 * with), and hold only addresses of good nodes of the network.
 *
 * Input: byte 0 bit 0 picks TCP; the rest is the query, also tried as a name
 * relative to the zone. */
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simnet_dns.h"
#include "simnet_model.h"
#include "simnet_seeds.h"

#define UDP_MAX 1232

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct simnet_model model;
static struct simnet_seeds seeds;

static void setup(void)
{
    struct simnet_config c;
    memset(&c, 0, sizeof c);
    c.seed = 1;
    c.chain = chain_by_name("main");
    c.nodes = 2000;
    c.count[SIMNET_DEAD] = 500;
    c.ipv6_nodes = 400;
    c.port = 8333;
    c.alt_port = 8334;
    c.dead_port = 8335;
    c.best_height = 920000;
    char err[100];
    if (netaddr_cidr_parse("2001:db8:2::/64", &c.ipv6_prefix) != 0 ||
        simnet_model_init(&model, &c, err, sizeof err) != 0)
        abort();
    seeds.model = &model;
    strcpy(seeds.zone, "sim.test");
    seeds.count = 3;
    seeds.answers = SIMNET_SEEDS_MAX_ANSWERS; /* big answers: truncation is exercised */
}

static void check_record(const ldns_rr *rr)
{
    ldns_rr_type t = ldns_rr_get_type(rr);
    if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA)
        return;
    const ldns_rdf *rd = ldns_rr_rdf(rr, 0);
    netaddr_t a;
    if (t == LDNS_RR_TYPE_A)
        netaddr_set_ipv4(&a, ldns_rdf_data(rd), 8333);
    else
        netaddr_set_ipv6(&a, ldns_rdf_data(rd), 8333);
    uint32_t index;
    struct simnet_node n;
    if (simnet_model_lookup(&model, &a, &index) != 0)
        abort();
    simnet_node_get(&model, index, &n);
    if (!simnet_node_good(&model, &n))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 1)
        return 0;
    bool tcp = data[0] & 1;
    const uint8_t *query = data + 1;
    size_t len = size - 1;

    char name[300];
    size_t n = len < sizeof name - 1 ? len : sizeof name - 1;
    memcpy(name, query, n);
    name[n] = '\0';
    struct simnet_seed_name parsed;
    if (simnet_seeds_parse(&seeds, name, &parsed) == 0 &&
        (parsed.seed < 1 || parsed.seed > seeds.count))
        abort();

    static uint8_t out[SIMNET_DNS_MAX_MESSAGE];
    size_t out_len = 0;
    if (simnet_dns_answer(&seeds, query, len, tcp, out, sizeof out, &out_len) != 0)
        return 0;
    if (out_len < 12 || out[0] != query[0] || out[1] != query[1] || !(out[2] & 0x80))
        abort();
    if (!tcp && out_len > UDP_MAX)
        abort();
    ldns_pkt *r = NULL;
    if (ldns_wire2pkt(&r, out, out_len) != LDNS_STATUS_OK)
        abort();
    const ldns_rr_list *answers = ldns_pkt_answer(r);
    for (size_t i = 0; answers && i < ldns_rr_list_rr_count(answers); i++)
        check_record(ldns_rr_list_rr(answers, i));
    ldns_pkt_free(r);
    return 0;
}
