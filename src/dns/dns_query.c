#include "dns/dns_query.h"

#include <string.h>

#include "dns/dns_name.h"
#include "util/bytes.h"

#define DNS_OPTION_HEADER 4

/* Walks the option list of an OPT RDATA. Every option is ignored (we
 * implement none), but a list that overruns its RDATA is malformed. */
static bool options_well_formed(const uint8_t *rdata, size_t len)
{
    struct reader r;
    reader_init(&r, rdata, len);
    while (!r.err && reader_remaining(&r) > 0) {
        reader_u16be(&r); /* code */
        reader_skip(&r, reader_u16be(&r));
    }
    return !r.err;
}

/* Reads one additional-section record; fills the EDNS fields for an OPT. */
static enum dns_parse_status parse_additional(struct reader *r, struct dns_query *q)
{
    uint8_t name[DNS_MAX_NAME];
    size_t name_len;
    if (dns_name_read(r, name, &name_len) < 0)
        return DNS_PARSE_FORMERR;
    uint16_t type = reader_u16be(r);
    uint16_t klass = reader_u16be(r);
    uint32_t ttl = reader_u32be(r);
    uint16_t rdlen = reader_u16be(r);
    const uint8_t *rdata = reader_view(r, rdlen);
    if (r->err)
        return DNS_PARSE_FORMERR;
    if (type != DNS_TYPE_OPT)
        return DNS_PARSE_OK; /* e.g. TSIG: not supported, not an error */
    /* RFC 6891 6.1.1: one OPT, owned by the root. */
    if (q->edns || name_len != 1 || !options_well_formed(rdata, rdlen))
        return DNS_PARSE_FORMERR;
    q->edns = true;
    q->edns_payload = klass;
    q->edns_version = (uint8_t)(ttl >> 16);
    q->edns_do = (ttl & DNS_EDNS_DO) != 0;
    return DNS_PARSE_OK;
}

enum dns_parse_status dns_query_parse(const uint8_t *req, size_t len, struct dns_query *q)
{
    memset(q, 0, sizeof *q);
    if (len < DNS_HEADER_SIZE)
        return DNS_PARSE_DROP;
    struct reader r;
    reader_init(&r, req, len);
    q->id = reader_u16be(&r);
    q->flags = reader_u16be(&r);
    uint16_t qdcount = reader_u16be(&r);
    uint16_t ancount = reader_u16be(&r);
    uint16_t nscount = reader_u16be(&r);
    uint16_t arcount = reader_u16be(&r);
    if (q->flags & DNS_FLAG_QR) /* never answer an answer: reflection loops */
        return DNS_PARSE_DROP;
    if (qdcount != 1)
        return ((q->flags & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT) != DNS_OPCODE_QUERY
                   ? DNS_PARSE_NOTIMP
                   : DNS_PARSE_FORMERR;
    if (dns_name_read(&r, q->qname, &q->qname_len) < 0)
        return DNS_PARSE_FORMERR;
    q->qtype = reader_u16be(&r);
    q->qclass = reader_u16be(&r);
    if (r.err)
        return DNS_PARSE_FORMERR;
    q->has_question = true;
    if (((q->flags & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT) != DNS_OPCODE_QUERY)
        return DNS_PARSE_NOTIMP;
    if (ancount != 0 || nscount != 0)
        return DNS_PARSE_FORMERR;
    /* Each record takes at least 11 bytes, so the loop is bounded by len. */
    for (uint16_t i = 0; i < arcount; i++) {
        enum dns_parse_status st = parse_additional(&r, q);
        if (st != DNS_PARSE_OK)
            return st;
    }
    return DNS_PARSE_OK;
}
