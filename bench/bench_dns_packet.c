/* bench_dns_packet -- why the DNS hot path is written by hand: answers the
 * same A query (29 records, 512 bytes) with dns_packet_respond and with ldns
 * (parse the query, build the answer packet, serialise it), and prints
 * answers per second for each and the ratio. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dns/dns_packet.h"
#include "p2p/msg.h"

#define ROUNDS 300000
#define NODES 2000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The ldns way: the same work the server does per query. */
static size_t ldns_answer(const uint8_t *req, size_t len, const dns_snapshot_t *snap,
                          struct dns_rng *rng, uint8_t *out)
{
    ldns_pkt *q = NULL;
    if (ldns_wire2pkt(&q, req, len) != LDNS_STATUS_OK)
        abort();
    ldns_pkt *a = ldns_pkt_new();
    ldns_pkt_set_id(a, ldns_pkt_id(q));
    ldns_pkt_set_qr(a, true);
    ldns_pkt_set_aa(a, true);
    ldns_rr *question = ldns_rr_clone(ldns_rr_list_rr(ldns_pkt_question(q), 0));
    ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, question);
    const uint8_t *picked[DNS_MAX_ANSWERS];
    size_t n = dns_snapshot_pick(snap, 0, DNS_FAMILY_IPV4, 29, rng, picked);
    for (size_t i = 0; i < n; i++) {
        ldns_rr *rr = ldns_rr_new();
        ldns_rr_set_owner(rr, ldns_rdf_clone(ldns_rr_owner(question)));
        ldns_rr_set_type(rr, LDNS_RR_TYPE_A);
        ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
        ldns_rr_set_ttl(rr, 60);
        ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, picked[i]));
        ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
    }
    uint8_t *wire = NULL;
    size_t wlen = 0;
    if (ldns_pkt2wire(&wire, a, &wlen) != LDNS_STATUS_OK)
        abort();
    memcpy(out, wire, wlen < 512 ? wlen : 512);
    free(wire);
    ldns_pkt_free(a);
    ldns_pkt_free(q);
    return wlen;
}

int main(void)
{
    static struct dns_node nodes[NODES];
    for (int i = 0; i < NODES; i++) {
        uint8_t ip[4] = {(uint8_t)(11 + i / 256), (uint8_t)i, 0, 1};
        netaddr_set_ipv4(&nodes[i].addr, ip, 8333);
        nodes[i].services = NODE_NETWORK | NODE_WITNESS;
    }
    dns_snapshot_t *snap = dns_snapshot_build(nodes, NODES, 1, 1);
    dns_zone_t zone;
    dns_zone_init(&zone, "seed.example.org", "ns.example.net", "hostmaster@example.org");
    struct dns_rng rng;
    dns_rng_seed_from(&rng, 1);
    static const uint8_t req[] = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                  4, 's', 'e', 'e', 'd', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
                                  3, 'o', 'r', 'g', 0, 0, 1, 0, 1};
    uint8_t resp[DNS_PACKET_MAX];
    size_t len = 0, total = 0;
    struct dns_outcome out;
    double t0 = now();
    for (int i = 0; i < ROUNDS; i++) {
        dns_packet_respond(&zone, snap, &rng, req, sizeof req, DNS_TRANSPORT_UDP, resp,
                           sizeof resp, &len, &out);
        total += len;
    }
    double hand = ROUNDS / (now() - t0);
    t0 = now();
    for (int i = 0; i < ROUNDS / 10; i++)
        total += ldns_answer(req, sizeof req, snap, &rng, resp);
    double lib = (ROUNDS / 10) / (now() - t0);
    printf("dns_packet_respond: %.0f answers/s (%zu bytes each)\n", hand, len);
    printf("ldns:               %.0f answers/s\n", lib);
    printf("ratio: %.1fx (checksum %zu)\n", hand / lib, total);
    dns_snapshot_free(snap);
    return 0;
}
