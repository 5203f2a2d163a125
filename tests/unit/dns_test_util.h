/* dns_test_util -- query builder and response reader shared by the DNS unit tests. */
#ifndef BTCSEED_DNS_TEST_UTIL_H
#define BTCSEED_DNS_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dns/dns_name.h"
#include "dns/dns_wire.h"
#include "util/bytes.h"

struct test_query {
    uint16_t id;
    uint16_t flags;
    const char *name; /* dotted; case kept */
    uint16_t qtype;
    uint16_t qclass; /* 0 = IN */
    bool edns;
    uint16_t edns_payload;
    uint8_t edns_version;
    bool edns_do;
};

/* Dotted text to wire form, keeping case (dns_name_from_text lowers it). */
static inline size_t test_wire_name(const char *text, uint8_t *out)
{
    size_t len = 0;
    const char *p = text;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        out[len++] = (uint8_t)n;
        memcpy(out + len, p, n);
        len += n;
        p += n + (dot ? 1 : 0);
    }
    out[len++] = 0;
    return len;
}

static inline size_t test_build_query(const struct test_query *t, uint8_t *buf, size_t cap)
{
    struct writer w;
    writer_init(&w, buf, cap);
    writer_u16be(&w, t->id);
    writer_u16be(&w, t->flags);
    writer_u16be(&w, 1);
    writer_u16be(&w, 0);
    writer_u16be(&w, 0);
    writer_u16be(&w, t->edns ? 1 : 0);
    uint8_t name[300];
    size_t nlen = test_wire_name(t->name, name);
    writer_bytes(&w, name, nlen);
    writer_u16be(&w, t->qtype);
    writer_u16be(&w, t->qclass ? t->qclass : DNS_CLASS_IN);
    if (t->edns) {
        writer_u8(&w, 0);
        writer_u16be(&w, DNS_TYPE_OPT);
        writer_u16be(&w, t->edns_payload);
        writer_u8(&w, 0);
        writer_u8(&w, t->edns_version);
        writer_u16be(&w, t->edns_do ? DNS_EDNS_DO : 0);
        writer_u16be(&w, 0);
    }
    return w.err ? 0 : w.len;
}

struct test_rr {
    uint8_t name[DNS_MAX_NAME];
    size_t name_len;
    uint16_t type, klass;
    uint32_t ttl;
    uint16_t rdlen;
    const uint8_t *rdata;
    size_t rdata_off; /* offset of rdata in the message (to read names in it) */
};

#define TEST_MAX_RR 80
struct test_response {
    uint16_t id, flags, qd, an, ns, ar;
    uint8_t qname[DNS_MAX_NAME];
    size_t qname_len;
    uint16_t qtype, qclass;
    struct test_rr rr[TEST_MAX_RR]; /* answer, authority, additional in order */
};

/* Returns 0 if the whole response parsed and nothing trails. */
static inline int test_parse_response(const uint8_t *msg, size_t len, struct test_response *p)
{
    memset(p, 0, sizeof *p);
    struct reader r;
    reader_init(&r, msg, len);
    p->id = reader_u16be(&r);
    p->flags = reader_u16be(&r);
    p->qd = reader_u16be(&r);
    p->an = reader_u16be(&r);
    p->ns = reader_u16be(&r);
    p->ar = reader_u16be(&r);
    if (p->qd > 1 || p->an + p->ns + p->ar > TEST_MAX_RR)
        return -1;
    if (p->qd) {
        if (dns_name_read(&r, p->qname, &p->qname_len) < 0)
            return -1;
        p->qtype = reader_u16be(&r);
        p->qclass = reader_u16be(&r);
    }
    for (int i = 0; i < p->an + p->ns + p->ar; i++) {
        struct test_rr *rr = &p->rr[i];
        if (dns_name_read(&r, rr->name, &rr->name_len) < 0)
            return -1;
        rr->type = reader_u16be(&r);
        rr->klass = reader_u16be(&r);
        rr->ttl = reader_u32be(&r);
        rr->rdlen = reader_u16be(&r);
        rr->rdata_off = r.off;
        rr->rdata = reader_view(&r, rr->rdlen);
    }
    return reader_done(&r) ? 0 : -1;
}

#endif
