/* fuzz_dns -- the DNS query parser and answer builder, every answer checked
 * by an independent parser (ldns): it must parse, carry the query's ID and
 * question, respect the size limit, and survive a second round trip through
 * ldns with the same header and records.
 *
 * With a name server inside the zone, NS answers must carry all its
 * addresses as glue.
 *
 * Input: byte 0 picks the transport (bit 0: TCP) and the zone (bit 1: name
 * server ns.seed.example.org inside it, with addresses), the rest is the
 * query. */
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns_packet.h"
#include "dns/dns_query.h"
#include "p2p/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static dns_zone_t zone, zone_ns_inside;
static dns_snapshot_t *snap;
static struct dns_rng rng;

static void setup(void)
{
    static struct dns_node nodes[120];
    for (int i = 0; i < 120; i++) {
        if (i % 3 == 0) {
            uint8_t ip[16] = {0x20, 0x01, 0x0d, (uint8_t)i, [15] = 1};
            netaddr_set_ipv6(&nodes[i].addr, ip, 8333);
        } else {
            uint8_t ip[4] = {(uint8_t)(1 + i), (uint8_t)(i % 7), 0, 1};
            netaddr_set_ipv4(&nodes[i].addr, ip, 8333);
        }
        nodes[i].services = NODE_NETWORK | (i % 2 ? NODE_WITNESS : 0) | (i % 5 ? 0 : NODE_BLOOM);
    }
    snap = dns_snapshot_build(nodes, 120, 12345, 1);
    if (!snap || dns_zone_init(&zone, "seed.example.org", "ns.example.net", "hostmaster@example.org"))
        abort();
    if (dns_zone_init(&zone_ns_inside, "seed.example.org", "ns.seed.example.org",
                      "hostmaster@example.org") ||
        dns_zone_add_ns_addr(&zone_ns_inside, "192.0.2.53") ||
        dns_zone_add_ns_addr(&zone_ns_inside, "2001:db8::53") ||
        dns_zone_check(&zone_ns_inside) != DNS_ZONE_OK)
        abort();
    dns_rng_seed_from(&rng, 1);
}

static void check_same(const ldns_pkt *a, const ldns_pkt *b)
{
    if (ldns_pkt_id(a) != ldns_pkt_id(b) || ldns_pkt_get_rcode(a) != ldns_pkt_get_rcode(b) ||
        ldns_pkt_qdcount(a) != ldns_pkt_qdcount(b) || ldns_pkt_ancount(a) != ldns_pkt_ancount(b) ||
        ldns_pkt_nscount(a) != ldns_pkt_nscount(b) || ldns_pkt_tc(a) != ldns_pkt_tc(b))
        abort();
    if (ldns_rr_list_compare(ldns_pkt_answer(a), ldns_pkt_answer(b)) != 0 ||
        ldns_rr_list_compare(ldns_pkt_authority(a), ldns_pkt_authority(b)) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!snap)
        setup();
    if (size < 1)
        return 0;
    enum dns_transport t = (data[0] & 1) ? DNS_TRANSPORT_TCP : DNS_TRANSPORT_UDP;
    const dns_zone_t *z = (data[0] & 2) ? &zone_ns_inside : &zone;
    const uint8_t *req = data + 1;
    size_t len = size - 1;
    uint8_t resp[DNS_PACKET_MAX];
    size_t rlen = 0;
    struct dns_outcome out;
    enum dns_result res = dns_packet_respond(z, snap, &rng, req, len, t, resp, sizeof resp,
                                             &rlen, &out);
    struct dns_query q;
    enum dns_parse_status st = dns_query_parse(req, len, &q);
    if (res == DNS_RESULT_DROP) {
        if (st != DNS_PARSE_DROP)
            abort(); /* only unanswerable packets are dropped */
        return 0;
    }
    /* Size: 512 without EDNS over UDP, never more than 1232. */
    if (t == DNS_TRANSPORT_UDP && (rlen > DNS_EDNS_PAYLOAD || (!q.edns && rlen > DNS_UDP_MIN_PAYLOAD)))
        abort();
    if (rlen < DNS_HEADER_SIZE || memcmp(resp, req, 2) != 0 || !(resp[2] & 0x80) || (resp[3] & 0x20))
        abort(); /* ID echoed, QR set, AD clear */
    ldns_pkt *p = NULL;
    if (ldns_wire2pkt(&p, resp, rlen) != LDNS_STATUS_OK)
        abort(); /* every answer we send must parse */
    if (q.has_question && ldns_pkt_qdcount(p) == 1) {
        /* The question comes back byte for byte (0x20 case included). */
        const ldns_rdf *owner = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0));
        if (ldns_rdf_size(owner) != q.qname_len || memcmp(ldns_rdf_data(owner), q.qname, q.qname_len))
            abort();
    }
    if (ldns_pkt_ancount(p) > DNS_MAX_ANSWERS)
        abort();
    /* Glue: with every NS answer from the zone whose name server is inside
     * it, exactly its addresses; never any from the other zone. */
    size_t additional = ldns_rr_list_rr_count(ldns_pkt_additional(p));
    bool ns_answer = ldns_pkt_ancount(p) > 0 &&
                     ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)) == LDNS_RR_TYPE_NS;
    if (additional != (ns_answer && z->ns_in_zone ? z->ns_ipv4_count + z->ns_ipv6_count : 0))
        abort();
    uint8_t *wire = NULL;
    size_t wlen = 0;
    if (ldns_pkt2wire(&wire, p, &wlen) != LDNS_STATUS_OK)
        abort();
    ldns_pkt *p2 = NULL;
    if (ldns_wire2pkt(&p2, wire, wlen) != LDNS_STATUS_OK)
        abort();
    check_same(p, p2);
    ldns_pkt_free(p2);
    free(wire);
    ldns_pkt_free(p);
    return 0;
}
