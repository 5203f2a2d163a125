#include "dns/dns_packet.h"

#include <string.h>

#include "dns/dns_query.h"
#include "util/bytes.h"

#define DNS_HINFO_CPU "RFC8482"
#define DNS_SOA_TIMERS_SIZE 20 /* serial refresh retry expire minimum */
#define DNS_ANCOUNT_OFFSET 6
#define DNS_SERIAL_NONE 1

struct builder {
    struct writer w;
    uint16_t ancount, nscount, arcount;
    uint16_t apex_ptr; /* compression pointer to the apex inside the question */
};

static void put_rr(struct builder *b, uint16_t owner_ptr, uint16_t type, uint32_t ttl,
                   uint16_t rdlen)
{
    writer_u16be(&b->w, (uint16_t)(0xc000u | owner_ptr));
    writer_u16be(&b->w, type);
    writer_u16be(&b->w, DNS_CLASS_IN);
    writer_u32be(&b->w, ttl);
    writer_u16be(&b->w, rdlen);
}

static void put_soa(struct builder *b, const dns_zone_t *z, uint32_t serial)
{
    put_rr(b, b->apex_ptr, DNS_TYPE_SOA, DNS_TTL_SOA,
           (uint16_t)(z->ns_len + z->mbox_len + DNS_SOA_TIMERS_SIZE));
    writer_bytes(&b->w, z->ns, z->ns_len);
    writer_bytes(&b->w, z->mbox, z->mbox_len);
    writer_u32be(&b->w, serial);
    writer_u32be(&b->w, DNS_SOA_REFRESH);
    writer_u32be(&b->w, DNS_SOA_RETRY);
    writer_u32be(&b->w, DNS_SOA_EXPIRE);
    writer_u32be(&b->w, DNS_SOA_MINIMUM);
}

/* NODATA and NXDOMAIN carry the SOA in the authority section (RFC 2308). */
static void put_negative(struct builder *b, const dns_zone_t *z, uint32_t serial)
{
    put_soa(b, z, serial);
    b->nscount = 1;
}

static void put_addresses(struct builder *b, const dns_zone_t *z, const dns_snapshot_t *snap,
                          struct dns_rng *rng, unsigned filter, uint16_t qtype, uint32_t serial)
{
    enum dns_family fam = qtype == DNS_TYPE_A ? DNS_FAMILY_IPV4 : DNS_FAMILY_IPV6;
    size_t alen = fam == DNS_FAMILY_IPV4 ? 4 : 16;
    size_t per_rr = DNS_POINTER_SIZE + DNS_RR_FIXED_SIZE + alen;
    size_t room = b->w.cap > b->w.len ? (b->w.cap - b->w.len) / per_rr : 0;
    if (room > DNS_MAX_ANSWERS)
        room = DNS_MAX_ANSWERS;
    const uint8_t *picked[DNS_MAX_ANSWERS];
    size_t n = dns_snapshot_pick(snap, filter, fam, room, rng, picked);
    if (n == 0) {
        put_negative(b, z, serial);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        put_rr(b, DNS_QNAME_OFFSET, qtype, DNS_TTL_ADDR, (uint16_t)alen);
        writer_bytes(&b->w, picked[i], alen);
    }
    b->ancount = (uint16_t)n;
}

/* The in-zone name server's addresses of one family, owned by the name at
 * owner_ptr. Returns how many were written. */
static uint16_t put_ns_addresses(struct builder *b, const dns_zone_t *z, uint16_t owner_ptr,
                                 uint16_t qtype)
{
    bool v4 = qtype == DNS_TYPE_A;
    size_t n = v4 ? z->ns_ipv4_count : z->ns_ipv6_count;
    for (size_t i = 0; i < n; i++) {
        put_rr(b, owner_ptr, qtype, DNS_TTL_NS_ADDR, v4 ? 4 : 16);
        writer_bytes(&b->w, v4 ? z->ns_ipv4[i] : z->ns_ipv6[i], v4 ? 4 : 16);
    }
    return (uint16_t)n;
}

/* The NS record at the apex, and for an in-zone name server its addresses
 * as glue in the additional section (RFC 9471: a resolver following the
 * delegation has no other way to reach it). */
static void put_ns(struct builder *b, const dns_zone_t *z)
{
    put_rr(b, DNS_QNAME_OFFSET, DNS_TYPE_NS, DNS_TTL_NS, (uint16_t)z->ns_len);
    uint16_t ns_ptr = (uint16_t)b->w.len; /* the glue's owner: the NS target just written */
    writer_bytes(&b->w, z->ns, z->ns_len);
    b->ancount = 1;
    if (z->ns_in_zone) {
        b->arcount = (uint16_t)(b->arcount + put_ns_addresses(b, z, ns_ptr, DNS_TYPE_A));
        b->arcount = (uint16_t)(b->arcount + put_ns_addresses(b, z, ns_ptr, DNS_TYPE_AAAA));
    }
}

/* The records of a name that exists (apex, filter or the name server). */
static void put_existing(struct builder *b, const dns_zone_t *z, const dns_snapshot_t *snap,
                         struct dns_rng *rng, enum dns_zone_match match, unsigned filter,
                         uint16_t qtype, uint32_t serial)
{
    switch (qtype) {
    case DNS_TYPE_A:
    case DNS_TYPE_AAAA:
        if (match != DNS_ZONE_NS)
            put_addresses(b, z, snap, rng, filter, qtype, serial);
        else if ((b->ancount = put_ns_addresses(b, z, DNS_QNAME_OFFSET, qtype)) == 0)
            put_negative(b, z, serial);
        return;
    case DNS_TYPE_ANY: /* RFC 8482 4.2: one synthesised HINFO instead of everything */
        put_rr(b, DNS_QNAME_OFFSET, DNS_TYPE_HINFO, DNS_TTL_HINFO,
               (uint16_t)(1 + strlen(DNS_HINFO_CPU) + 1));
        writer_u8(&b->w, (uint8_t)strlen(DNS_HINFO_CPU));
        writer_bytes(&b->w, DNS_HINFO_CPU, strlen(DNS_HINFO_CPU));
        writer_u8(&b->w, 0);
        b->ancount = 1;
        return;
    case DNS_TYPE_NS:
        if (match == DNS_ZONE_APEX) {
            put_ns(b, z);
            return;
        }
        break;
    case DNS_TYPE_SOA:
        if (match == DNS_ZONE_APEX) {
            put_soa(b, z, serial);
            b->ancount = 1;
            return;
        }
        break;
    default:
        break;
    }
    put_negative(b, z, serial);
}

static size_t udp_limit(const struct dns_query *q)
{
    if (!q->edns || q->edns_payload <= DNS_UDP_MIN_PAYLOAD)
        return DNS_UDP_MIN_PAYLOAD;
    return q->edns_payload < DNS_EDNS_PAYLOAD ? q->edns_payload : DNS_EDNS_PAYLOAD;
}

/* Decides the RCODE before anything is written; NOERROR means "look it up". */
static uint16_t early_rcode(enum dns_parse_status st, const struct dns_query *q)
{
    if (st == DNS_PARSE_FORMERR)
        return DNS_RCODE_FORMERR;
    if (st == DNS_PARSE_NOTIMP)
        return DNS_RCODE_NOTIMP;
    if (q->edns && q->edns_version > 0)
        return DNS_RCODE_BADVERS;
    /* Other classes (CHAOS version.bind...) and zone transfers are not ours to give. */
    if (q->qclass != DNS_CLASS_IN || q->qtype == DNS_TYPE_AXFR || q->qtype == DNS_TYPE_IXFR)
        return DNS_RCODE_REFUSED;
    return DNS_RCODE_NOERROR;
}

enum dns_result dns_packet_respond(const dns_zone_t *zone, const dns_snapshot_t *snap,
                                   struct dns_rng *rng, const uint8_t *req, size_t req_len,
                                   enum dns_transport transport, uint8_t *resp, size_t resp_cap,
                                   size_t *resp_len, struct dns_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct dns_query q;
    enum dns_parse_status st = dns_query_parse(req, req_len, &q);
    if (st == DNS_PARSE_DROP || resp_cap < DNS_UDP_MIN_PAYLOAD)
        return DNS_RESULT_DROP;

    size_t limit = transport == DNS_TRANSPORT_TCP ? DNS_TCP_MAX_MESSAGE : udp_limit(&q);
    if (limit > resp_cap)
        limit = resp_cap;
    uint16_t rcode = early_rcode(st, &q);
    uint32_t serial = snap ? dns_snapshot_serial(snap) : DNS_SERIAL_NONE;
    unsigned filter = 0;
    size_t apex_at = 0;
    enum dns_zone_match match = DNS_ZONE_OUTSIDE;
    if (rcode == DNS_RCODE_NOERROR) {
        match = dns_zone_match(zone, q.qname, q.qname_len, &filter, &apex_at);
        if (match == DNS_ZONE_OUTSIDE)
            rcode = DNS_RCODE_REFUSED;
        else if (match == DNS_ZONE_NXDOMAIN)
            rcode = DNS_RCODE_NXDOMAIN;
    }
    bool authoritative = rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN;

    struct builder b = {.apex_ptr = (uint16_t)(DNS_QNAME_OFFSET + apex_at)};
    writer_init(&b.w, resp, limit - (q.edns ? DNS_OPT_RR_SIZE : 0));
    writer_u16be(&b.w, q.id);
    writer_u16be(&b.w, 0); /* flags, counts: patched at the end */
    writer_u16be(&b.w, q.has_question ? 1 : 0);
    writer_bytes(&b.w, "\0\0\0\0\0\0", 6);
    if (q.has_question) {
        writer_bytes(&b.w, q.qname, q.qname_len);
        writer_u16be(&b.w, q.qtype);
        writer_u16be(&b.w, q.qclass);
    }
    size_t question_end = b.w.len;
    bool truncated = false;
    if (b.w.err) { /* cannot happen with resp_cap >= 512, but never send garbage */
        return DNS_RESULT_DROP;
    }
    if (authoritative) {
        if (match == DNS_ZONE_NXDOMAIN || match == DNS_ZONE_EMPTY)
            put_negative(&b, zone, serial);
        else
            put_existing(&b, zone, snap, rng, match, filter, q.qtype, serial);
        if (b.w.err) { /* RFC 2181 9: drop the whole sections and let TCP carry them */
            b.w.err = false;
            b.w.len = question_end;
            b.ancount = b.nscount = b.arcount = 0;
            truncated = true;
        }
    }
    b.w.cap = limit; /* the OPT room reserved above */
    if (q.edns) {
        writer_u8(&b.w, 0); /* root */
        writer_u16be(&b.w, DNS_TYPE_OPT);
        writer_u16be(&b.w, DNS_EDNS_PAYLOAD);
        writer_u8(&b.w, (uint8_t)(rcode >> 4)); /* extended RCODE, upper 8 bits */
        writer_u8(&b.w, 0);                     /* version */
        writer_u16be(&b.w, q.edns_do ? DNS_EDNS_DO : 0);
        writer_u16be(&b.w, 0); /* no options */
        b.arcount++;
    }

    uint16_t flags = (uint16_t)(DNS_FLAG_QR | (q.flags & (DNS_OPCODE_MASK | DNS_FLAG_RD | DNS_FLAG_CD)) |
                                (rcode & DNS_RCODE_MASK));
    if (authoritative)
        flags |= DNS_FLAG_AA;
    if (truncated)
        flags |= DNS_FLAG_TC;
    resp[2] = (uint8_t)(flags >> 8);
    resp[3] = (uint8_t)flags;
    uint16_t counts[3] = {b.ancount, b.nscount, b.arcount};
    for (int i = 0; i < 3; i++) {
        resp[DNS_ANCOUNT_OFFSET + 2 * i] = (uint8_t)(counts[i] >> 8);
        resp[DNS_ANCOUNT_OFFSET + 2 * i + 1] = (uint8_t)counts[i];
    }
    *resp_len = b.w.len;
    out->qtype = q.has_question ? q.qtype : 0;
    out->rcode = rcode;
    out->truncated = truncated;
    out->answers = b.ancount;
    out->question_end = question_end;
    return authoritative ? DNS_RESULT_ANSWER : DNS_RESULT_REFUSE;
}

size_t dns_packet_slip(uint8_t *resp, const struct dns_outcome *out)
{
    resp[2] |= (uint8_t)(DNS_FLAG_TC >> 8);
    memset(resp + DNS_ANCOUNT_OFFSET, 0, 6);
    return out->question_end;
}
