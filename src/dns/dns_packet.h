/* dns_packet -- the DNS hot path as a pure function: request bytes in,
 * response bytes out, and what to do with them.
 *
 * No I/O, no locks, no allocation: the caller owns the buffers, the zone, a
 * pinned snapshot and a per-thread random generator.
 *
 * Why the wire code is written by hand rather than with ldns or libknot:
 * every answer is one question echoed verbatim (0x20 case kept) plus records
 * whose owner is a compression pointer into it, so building one is a few
 * fixed-size stores into a bounded writer. bench/bench_dns_packet.c builds
 * the same 29-record answer both ways: about 1.4 million answers/s here
 * against about 93,000/s with ldns (parse, build, serialise; it allocates
 * per record), 15x; at ldns's rate one thread could not even keep up with
 * NSD's ~120,000 queries/s on loopback (bench/dns_vs_nsd.sh). */
#ifndef BTCSEED_DNS_PACKET_H
#define BTCSEED_DNS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_rng.h"
#include "dns/dns_snapshot.h"
#include "dns/dns_zone.h"

/* Bitcoin Core takes at most this many addresses from one seed answer. */
#define DNS_MAX_ANSWERS 32
/* A response buffer this large holds every reply dns_packet_respond makes. */
#define DNS_PACKET_MAX 4096

enum dns_transport { DNS_TRANSPORT_UDP, DNS_TRANSPORT_TCP };

enum dns_result {
    DNS_RESULT_ANSWER, /* NOERROR or NXDOMAIN from our zone: send it */
    DNS_RESULT_REFUSE, /* an error reply (FORMERR, NOTIMP, REFUSED, BADVERS): send it */
    DNS_RESULT_DROP,   /* send nothing */
};

/* What happened, for counters and rate limiting (no client data in it). */
struct dns_outcome {
    uint16_t qtype;  /* 0 if no question parsed */
    uint16_t rcode;  /* extended RCODE, e.g. DNS_RCODE_BADVERS */
    bool truncated;  /* TC set */
    uint16_t answers;
    size_t question_end; /* response bytes up to the end of the question */
};

/* Answers req[0..req_len). `snap` may be NULL (no data yet: NODATA to address
 * queries, SOA serial 1). Over UDP the response is at most 512 bytes, or the
 * client's EDNS size clamped to [512, 1232]; over TCP at most resp_cap.
 * resp_cap must be at least DNS_UDP_MIN_PAYLOAD (else DROP). On ANSWER or
 * REFUSE, *resp_len is the response length. */
enum dns_result dns_packet_respond(const dns_zone_t *zone, const dns_snapshot_t *snap,
                                   struct dns_rng *rng, const uint8_t *req, size_t req_len,
                                   enum dns_transport transport, uint8_t *resp, size_t resp_cap,
                                   size_t *resp_len, struct dns_outcome *out);

/* Cuts a response made by dns_packet_respond down to header and question
 * with TC set (the rate limiter's "slip": a real client retries over TCP).
 * Returns the new length. */
size_t dns_packet_slip(uint8_t *resp, const struct dns_outcome *out);

#endif
