#include "p2p/msg.h"

#include <stdio.h>
#include <string.h>

/* Legacy (addr v1, version) network address: 16 bytes, IPv4 mapped. */
#define LEGACY_IP_SIZE 16
#define REJECT_DATA_SIZE 32

/* Prefixes BIP155 says an IPv6-tagged addrv2 entry must not carry: an IPv4
 * address or a TorV2 OnionCat address smuggled inside IPv6. Bitcoin Core
 * turns both into an invalid address; we skip them. */
static const uint8_t IPV4_IN_IPV6_PREFIX[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
static const uint8_t ONIONCAT_PREFIX[6] = {0xfd, 0x87, 0xd8, 0x7e, 0xeb, 0x43};
#define CJDNS_PREFIX 0xfc

/* A reader plus the first specific error met. Decoders read field after
 * field; the first failure makes every later read yield zeros, and the
 * status is looked at once at the end. */
struct decoder {
    struct reader r;
    int status;
};

static void dec_init(struct decoder *d, const uint8_t *payload, size_t len)
{
    reader_init(&d->r, payload, len);
    d->status = 0;
}

static void dec_fail(struct decoder *d, int status)
{
    if (!d->r.err && d->status == 0)
        d->status = status;
    d->r.err = true;
}

/* Status of a finished decode: the specific error, else truncation, else
 * leftover bytes (unless the message may carry more than we read). */
static int dec_finish(const struct decoder *d, bool allow_trailing)
{
    if (d->status != 0)
        return d->status;
    if (d->r.err)
        return P2P_MSG_ERR_TRUNCATED;
    if (!allow_trailing && reader_remaining(&d->r) != 0)
        return P2P_MSG_ERR_TRAILING;
    return 0;
}

/* A CompactSize, telling apart truncation, a non-canonical encoding and a
 * value over `max` (reported as `over_status`). The value is never returned
 * above `max`. */
static uint64_t dec_compact(struct decoder *d, uint64_t max, int over_status)
{
    if (d->r.err)
        return 0;
    struct reader probe = d->r;
    uint8_t tag = reader_u8(&probe);
    size_t width = tag == 0xfd ? 2 : tag == 0xfe ? 4 : tag == 0xff ? 8 : 0;
    if (probe.err || reader_remaining(&probe) < width) {
        d->r.err = true;
        return 0;
    }
    uint64_t v = reader_compact_size(&d->r, UINT64_MAX);
    if (d->r.err) {
        d->r.err = false;
        dec_fail(d, P2P_MSG_ERR_NONCANONICAL);
        return 0;
    }
    if (v > max) {
        dec_fail(d, over_status);
        return 0;
    }
    return v;
}

const char *p2p_msg_strerror(int err)
{
    switch (err) {
    case 0: return "ok";
    case P2P_MSG_ERR_TRUNCATED: return "payload truncated";
    case P2P_MSG_ERR_TOO_MANY: return "count or size over its limit";
    case P2P_MSG_ERR_BAD_LENGTH: return "address length wrong for its network";
    case P2P_MSG_ERR_TRAILING: return "trailing bytes after the last field";
    case P2P_MSG_ERR_STRING: return "string too long or holding a NUL";
    case P2P_MSG_ERR_NONCANONICAL: return "non-canonical CompactSize";
    default: return "unknown message error";
    }
}

static const struct {
    uint64_t bit;
    const char *name;
} service_names[] = {
    {NODE_NETWORK, "NETWORK"},
    {UINT64_C(1) << 1, "GETUTXO"},
    {NODE_BLOOM, "BLOOM"},
    {NODE_WITNESS, "WITNESS"},
    {UINT64_C(1) << 4, "XTHIN"},
    {NODE_COMPACT_FILTERS, "COMPACT_FILTERS"},
    {NODE_NETWORK_LIMITED, "NETWORK_LIMITED"},
    {NODE_P2P_V2, "P2P_V2"},
};

void p2p_services_format(uint64_t services, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    if (services == 0) {
        snprintf(buf, size, "none");
        return;
    }
    for (unsigned bit = 0; bit < 64; bit++) {
        uint64_t mask = UINT64_C(1) << bit;
        if (!(services & mask))
            continue;
        char unknown[8];
        const char *name = NULL;
        for (size_t i = 0; i < sizeof service_names / sizeof service_names[0]; i++)
            if (service_names[i].bit == mask)
                name = service_names[i].name;
        if (!name) {
            snprintf(unknown, sizeof unknown, "bit%u", bit);
            name = unknown;
        }
        int n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", name);
        if (n < 0 || (size_t)n >= size - used) {
            buf[used] = '\0'; /* only whole names */
            return;
        }
        used += (size_t)n;
    }
}

/* Legacy netaddr without time: u64 services | 16 ip | u16 BE port. */
static void dec_legacy_addr(struct decoder *d, uint64_t *services, netaddr_t *addr)
{
    uint8_t ip[LEGACY_IP_SIZE];
    *services = reader_u64le(&d->r);
    reader_bytes(&d->r, ip, sizeof ip);
    uint16_t port = reader_u16be(&d->r);
    netaddr_from_legacy(addr, ip, port);
}

static void enc_legacy_addr(struct writer *w, uint64_t services, const netaddr_t *addr)
{
    uint8_t ip[LEGACY_IP_SIZE];
    /* An address with no legacy form (Tor, I2P) is sent as ::, as Core does. */
    if (netaddr_to_legacy(addr, ip) != 0)
        memset(ip, 0, sizeof ip);
    writer_u64le(w, services);
    writer_bytes(w, ip, sizeof ip);
    writer_u16be(w, addr->port);
}

int p2p_version_decode(const uint8_t *payload, size_t len, struct p2p_version *out)
{
    struct decoder d;
    dec_init(&d, payload, len);
    memset(out, 0, sizeof *out);
    out->version = (int32_t)reader_u32le(&d.r);
    out->services = reader_u64le(&d.r);
    out->timestamp = (int64_t)reader_u64le(&d.r);
    dec_legacy_addr(&d, &out->recv_services, &out->recv_addr);
    dec_legacy_addr(&d, &out->from_services, &out->from_addr);
    out->nonce = reader_u64le(&d.r);
    size_t ua_len = (size_t)dec_compact(&d, P2P_MAX_USER_AGENT, P2P_MSG_ERR_STRING);
    const uint8_t *ua = reader_view(&d.r, ua_len);
    if (ua && memchr(ua, 0, ua_len))
        dec_fail(&d, P2P_MSG_ERR_STRING);
    else if (ua)
        memcpy(out->user_agent, ua, ua_len);
    out->start_height = (int32_t)reader_u32le(&d.r);
    /* Pre-BIP37 peers end here; they relay transactions. */
    out->relay = reader_remaining(&d.r) == 0 || reader_u8(&d.r) != 0;
    int status = dec_finish(&d, true);
    if (status != 0)
        memset(out, 0, sizeof *out);
    return status;
}

void p2p_version_encode(struct writer *w, const struct p2p_version *v)
{
    size_t ua_len = strnlen(v->user_agent, sizeof v->user_agent);
    writer_u32le(w, (uint32_t)v->version);
    writer_u64le(w, v->services);
    writer_u64le(w, (uint64_t)v->timestamp);
    enc_legacy_addr(w, v->recv_services, &v->recv_addr);
    enc_legacy_addr(w, v->from_services, &v->from_addr);
    writer_u64le(w, v->nonce);
    if (ua_len > P2P_MAX_USER_AGENT)
        w->err = true;
    writer_compact_size(w, ua_len);
    writer_bytes(w, v->user_agent, ua_len);
    writer_u32le(w, (uint32_t)v->start_height);
    writer_u8(w, v->relay ? 1 : 0);
}

int p2p_addr_decode(const uint8_t *payload, size_t len, struct p2p_addr_entry *entries,
                    size_t *count)
{
    struct decoder d;
    dec_init(&d, payload, len);
    size_t n = (size_t)dec_compact(&d, P2P_MAX_ADDR, P2P_MSG_ERR_TOO_MANY);
    for (size_t i = 0; i < n && !d.r.err; i++) {
        entries[i].time = reader_u32le(&d.r);
        dec_legacy_addr(&d, &entries[i].services, &entries[i].addr);
    }
    int status = dec_finish(&d, false);
    *count = status == 0 ? n : 0;
    return status;
}

void p2p_addr_encode(struct writer *w, const struct p2p_addr_entry *entries, size_t count)
{
    uint8_t ip[LEGACY_IP_SIZE];
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (netaddr_to_legacy(&entries[i].addr, ip) == 0)
            n++;
    if (n > P2P_MAX_ADDR)
        w->err = true;
    writer_compact_size(w, n);
    for (size_t i = 0; i < count; i++) {
        if (netaddr_to_legacy(&entries[i].addr, ip) != 0)
            continue;
        writer_u32le(w, entries[i].time);
        enc_legacy_addr(w, entries[i].services, &entries[i].addr);
    }
}

/* Entries a node should ignore rather than refuse: see the prefixes above. */
static bool addrv2_ignored(uint8_t net, const uint8_t *bytes)
{
    switch (net) {
    case NETADDR_TORV2:
        return true;
    case NETADDR_IPV6:
        return memcmp(bytes, IPV4_IN_IPV6_PREFIX, sizeof IPV4_IN_IPV6_PREFIX) == 0 ||
               memcmp(bytes, ONIONCAT_PREFIX, sizeof ONIONCAT_PREFIX) == 0;
    case NETADDR_CJDNS:
        return bytes[0] != CJDNS_PREFIX;
    default:
        return false;
    }
}

int p2p_addrv2_decode(const uint8_t *payload, size_t len, struct p2p_addr_entry *entries,
                      size_t *count, size_t *skipped)
{
    struct decoder d;
    dec_init(&d, payload, len);
    size_t kept = 0, dropped = 0;
    size_t n = (size_t)dec_compact(&d, P2P_MAX_ADDR, P2P_MSG_ERR_TOO_MANY);
    for (size_t i = 0; i < n && !d.r.err; i++) {
        struct p2p_addr_entry *e = &entries[kept];
        e->time = reader_u32le(&d.r);
        e->services = dec_compact(&d, UINT64_MAX, P2P_MSG_ERR_TOO_MANY);
        uint8_t net = reader_u8(&d.r);
        size_t alen = (size_t)dec_compact(&d, P2P_MAX_ADDRV2_ADDR_LEN, P2P_MSG_ERR_TOO_MANY);
        /* A known network's length is checked before the address is read. */
        size_t want = netaddr_len(net);
        if (!d.r.err && want != 0 && alen != want) {
            dec_fail(&d, P2P_MSG_ERR_BAD_LENGTH);
            break;
        }
        const uint8_t *bytes = reader_view(&d.r, alen);
        uint16_t port = reader_u16be(&d.r);
        if (d.r.err)
            break;
        if (want == 0) { /* a network this program does not know */
            dropped++;
            continue;
        }
        if (addrv2_ignored(net, bytes)) {
            dropped++;
            continue;
        }
        if (netaddr_set_bip155(&e->addr, net, bytes, alen, port) != 0) {
            dec_fail(&d, P2P_MSG_ERR_BAD_LENGTH);
            break;
        }
        kept++;
    }
    int status = dec_finish(&d, false);
    *count = status == 0 ? kept : 0;
    *skipped = status == 0 ? dropped : 0;
    return status;
}

static bool addrv2_encodable(const netaddr_t *a)
{
    return a->net != NETADDR_TORV2 && netaddr_len(a->net) != 0;
}

void p2p_addrv2_encode(struct writer *w, const struct p2p_addr_entry *entries, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (addrv2_encodable(&entries[i].addr))
            n++;
    if (n > P2P_MAX_ADDR)
        w->err = true;
    writer_compact_size(w, n);
    for (size_t i = 0; i < count; i++) {
        const netaddr_t *a = &entries[i].addr;
        if (!addrv2_encodable(a))
            continue;
        size_t alen = netaddr_len(a->net);
        writer_u32le(w, entries[i].time);
        writer_compact_size(w, entries[i].services);
        writer_u8(w, a->net);
        writer_compact_size(w, alen);
        writer_bytes(w, a->bytes, alen);
        writer_u16be(w, a->port);
    }
}

/* Messages made of one 8-byte little-endian field. */
static int dec_u64_only(const uint8_t *payload, size_t len, uint64_t *v)
{
    struct decoder d;
    dec_init(&d, payload, len);
    *v = reader_u64le(&d.r);
    int status = dec_finish(&d, false);
    if (status != 0)
        *v = 0;
    return status;
}

int p2p_ping_decode(const uint8_t *payload, size_t len, uint64_t *nonce)
{
    return dec_u64_only(payload, len, nonce);
}

void p2p_ping_encode(struct writer *w, uint64_t nonce) { writer_u64le(w, nonce); }

int p2p_feefilter_decode(const uint8_t *payload, size_t len, int64_t *feerate)
{
    uint64_t v;
    int status = dec_u64_only(payload, len, &v);
    *feerate = (int64_t)v;
    return status;
}

void p2p_feefilter_encode(struct writer *w, int64_t feerate)
{
    writer_u64le(w, (uint64_t)feerate);
}

int p2p_sendcmpct_decode(const uint8_t *payload, size_t len, struct p2p_sendcmpct *out)
{
    struct decoder d;
    dec_init(&d, payload, len);
    out->announce = reader_u8(&d.r) != 0;
    out->version = reader_u64le(&d.r);
    int status = dec_finish(&d, false);
    if (status != 0)
        memset(out, 0, sizeof *out);
    return status;
}

void p2p_sendcmpct_encode(struct writer *w, const struct p2p_sendcmpct *m)
{
    writer_u8(w, m->announce ? 1 : 0);
    writer_u64le(w, m->version);
}

/* A string the peer may make as long as its payload: the length is capped
 * by what is left, and the copy truncated to `size - 1` bytes, stopping at
 * an embedded NUL. */
static void dec_truncated_string(struct decoder *d, char *out, size_t size)
{
    size_t len = (size_t)dec_compact(d, reader_remaining(&d->r), P2P_MSG_ERR_TRUNCATED);
    const uint8_t *s = reader_view(&d->r, len);
    size_t keep = len < size - 1 ? len : size - 1;
    if (s)
        keep = strnlen((const char *)s, keep);
    else
        keep = 0;
    if (keep)
        memcpy(out, s, keep);
    out[keep] = '\0';
}

int p2p_reject_decode(const uint8_t *payload, size_t len, struct p2p_reject *out)
{
    struct decoder d;
    dec_init(&d, payload, len);
    memset(out, 0, sizeof *out);
    dec_truncated_string(&d, out->message, sizeof out->message);
    out->code = reader_u8(&d.r);
    dec_truncated_string(&d, out->reason, sizeof out->reason);
    /* Only rejects of a transaction or block carry its hash. */
    if (reader_remaining(&d.r) >= REJECT_DATA_SIZE) {
        reader_bytes(&d.r, out->data, REJECT_DATA_SIZE);
        out->has_data = true;
    }
    int status = dec_finish(&d, false);
    if (status != 0)
        memset(out, 0, sizeof *out);
    return status;
}

void p2p_reject_encode(struct writer *w, const struct p2p_reject *m)
{
    size_t mlen = strnlen(m->message, sizeof m->message);
    size_t rlen = strnlen(m->reason, sizeof m->reason);
    writer_compact_size(w, mlen);
    writer_bytes(w, m->message, mlen);
    writer_u8(w, m->code);
    writer_compact_size(w, rlen);
    writer_bytes(w, m->reason, rlen);
    if (m->has_data)
        writer_bytes(w, m->data, REJECT_DATA_SIZE);
}
