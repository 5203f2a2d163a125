/* dns_query -- parses one DNS request from untrusted bytes.
 *
 *   header (12) | question: QNAME QTYPE QCLASS | answer, authority (must be
 *   empty) | additional: at most one OPT (RFC 6891), others skipped
 *
 *   OPT RR: NAME=root TYPE=41 CLASS=payload size TTL=ext-rcode(8) version(8)
 *           DO(1) Z(15)  RDLEN  RDATA={code(16) length(16) data}*
 *
 * Pure: no allocation, no I/O. */
#ifndef BTCSEED_DNS_QUERY_H
#define BTCSEED_DNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_wire.h"

enum dns_parse_status {
    DNS_PARSE_OK,
    DNS_PARSE_DROP,    /* not worth a reply: too short for a header, or a response */
    DNS_PARSE_FORMERR, /* malformed: reply FORMERR */
    DNS_PARSE_NOTIMP,  /* opcode other than QUERY */
};

struct dns_query {
    uint16_t id;
    uint16_t flags;
    bool has_question; /* the question parsed and may be echoed */
    uint8_t qname[DNS_MAX_NAME]; /* wire form, case as received */
    size_t qname_len;
    uint16_t qtype;
    uint16_t qclass;
    bool edns; /* an OPT record parsed */
    uint8_t edns_version;
    bool edns_do;
    uint16_t edns_payload; /* as the client sent it, not clamped */
};

/* Parses req[0..len) into q. Fields beyond what parsed are zero. */
enum dns_parse_status dns_query_parse(const uint8_t *req, size_t len, struct dns_query *q);

#endif
