/* dns_wire -- named constants of the DNS wire format (RFC 1035, 6891, 8482).
 *
 * Header (RFC 1035 4.1.1), 12 bytes, big endian:
 *   ID | QR OPCODE(4) AA TC RD RA Z AD CD RCODE(4) | QDCOUNT | ANCOUNT | NSCOUNT | ARCOUNT */
#ifndef BTCSEED_DNS_WIRE_H
#define BTCSEED_DNS_WIRE_H

#define DNS_HEADER_SIZE 12

#define DNS_FLAG_QR 0x8000u
#define DNS_FLAG_AA 0x0400u
#define DNS_FLAG_TC 0x0200u
#define DNS_FLAG_RD 0x0100u
#define DNS_FLAG_RA 0x0080u
#define DNS_FLAG_AD 0x0020u
#define DNS_FLAG_CD 0x0010u
#define DNS_OPCODE_MASK 0x7800u
#define DNS_OPCODE_SHIFT 11
#define DNS_RCODE_MASK 0x000fu

#define DNS_OPCODE_QUERY 0

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5
#define DNS_RCODE_BADVERS 16 /* extended: upper 8 bits live in the OPT TTL */

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_SOA 6
#define DNS_TYPE_HINFO 13
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_OPT 41
#define DNS_TYPE_IXFR 251
#define DNS_TYPE_AXFR 252
#define DNS_TYPE_ANY 255

#define DNS_CLASS_IN 1

/* Names (RFC 1035 2.3.4, 4.1.4). */
#define DNS_MAX_NAME 255
#define DNS_MAX_LABEL 63
#define DNS_LABEL_POINTER 0xc0u
#define DNS_POINTER_MASK 0x3fffu
/* A question name needs no pointer at all; a few are tolerated, more are an attack. */
#define DNS_MAX_POINTERS 8

/* Fixed part of a resource record after its owner name: TYPE CLASS TTL RDLENGTH. */
#define DNS_RR_FIXED_SIZE 10
#define DNS_QUESTION_FIXED_SIZE 4
/* Owner name as a pointer to the question: 0xc00c. */
#define DNS_POINTER_SIZE 2
#define DNS_QNAME_OFFSET DNS_HEADER_SIZE

/* EDNS0 (RFC 6891). 1232 is the DNS Flag Day 2020 size: no IP fragmentation. */
#define DNS_UDP_MIN_PAYLOAD 512
#define DNS_EDNS_PAYLOAD 1232
#define DNS_EDNS_DO 0x8000u
#define DNS_OPT_RR_SIZE 11 /* root name + fixed part, no options */
#define DNS_TCP_MAX_MESSAGE 65535

#endif
