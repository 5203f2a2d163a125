#include "simnet_dns.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/netaddr.h"
#include "simnet_worker.h"
#include "util/log.h"

#define DNS_TTL 60
#define DNS_UDP_LIMIT 512          /* without EDNS (RFC 1035) */
#define DNS_EDNS_LIMIT 1232        /* the DNS flag day 2020 figure */
#define DNS_HEADER_SIZE 12
#define DNS_UDP_BATCH 64
#define DNS_TCP_IDLE_S 10
#define DNS_TCP_BACKLOG 64
#define SOA_SERIAL 1
#define SOA_TIMES "3600 600 86400 60"

static void add_rr_text(ldns_pkt *p, ldns_pkt_section section, const char *text)
{
    ldns_rr *rr = NULL;
    if (ldns_rr_new_frm_str(&rr, text, DNS_TTL, NULL, NULL) == LDNS_STATUS_OK)
        ldns_pkt_push_rr(p, section, rr);
}

static void add_soa(const struct simnet_seeds *s, ldns_pkt *p, ldns_pkt_section section)
{
    char text[900];
    snprintf(text, sizeof text, "%s. %d IN SOA ns.%s. hostmaster.%s. %d %s", s->zone, DNS_TTL,
             s->zone, s->zone, SOA_SERIAL, SOA_TIMES);
    add_rr_text(p, section, text);
}

static void add_address(ldns_pkt *p, const ldns_rdf *owner, const netaddr_t *a)
{
    bool v4 = a->net == NETADDR_IPV4;
    ldns_rr *rr = ldns_rr_new();
    if (!rr)
        return;
    ldns_rr_set_owner(rr, ldns_rdf_clone(owner));
    ldns_rr_set_type(rr, v4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA);
    ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
    ldns_rr_set_ttl(rr, DNS_TTL);
    ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(v4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA,
                                               v4 ? 4 : 16, a->bytes));
    ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
}

static void add_seed_answers(const struct simnet_seeds *s, ldns_pkt *p, const ldns_rdf *owner,
                             const struct simnet_seed_name *name, int family)
{
    uint32_t idx[SIMNET_SEEDS_MAX_ANSWERS];
    size_t n = simnet_seeds_answer(s, name, family, idx);
    for (size_t i = 0; i < n; i++) {
        netaddr_t a;
        simnet_model_address(s->model, idx[i], &a);
        add_address(p, owner, &a);
    }
}

/* Fills the answer for a name inside the zone; `relative` is "" at the apex. */
static void answer_in_zone(const struct simnet_seeds *s, ldns_pkt *resp, const ldns_rdf *owner,
                           const char *relative, ldns_rr_type type)
{
    ldns_pkt_set_aa(resp, true);
    if (relative[0] == '\0') {
        if (type == LDNS_RR_TYPE_SOA || type == LDNS_RR_TYPE_ANY)
            add_soa(s, resp, LDNS_SECTION_ANSWER);
        if (type == LDNS_RR_TYPE_NS || type == LDNS_RR_TYPE_ANY) {
            char text[600];
            snprintf(text, sizeof text, "%s. %d IN NS ns.%s.", s->zone, DNS_TTL, s->zone);
            add_rr_text(resp, LDNS_SECTION_ANSWER, text);
        }
    } else {
        struct simnet_seed_name name;
        if (simnet_seeds_parse(s, relative, &name) != 0) {
            ldns_pkt_set_rcode(resp, LDNS_RCODE_NXDOMAIN);
        } else {
            if (type == LDNS_RR_TYPE_A || type == LDNS_RR_TYPE_ANY)
                add_seed_answers(s, resp, owner, &name, 4);
            if (type == LDNS_RR_TYPE_AAAA || type == LDNS_RR_TYPE_ANY)
                add_seed_answers(s, resp, owner, &name, 6);
        }
    }
    if (ldns_pkt_ancount(resp) == 0)
        add_soa(s, resp, LDNS_SECTION_AUTHORITY); /* NXDOMAIN or NODATA */
}

/* The part of `name` ("x9.seed1.sim.test.") before the zone, or NULL if the
 * name is not in the zone. Points into name. */
static const char *relative_part(const struct simnet_seeds *s, char *name)
{
    size_t len = strlen(name), zlen = strlen(s->zone);
    if (len && name[len - 1] == '.')
        name[--len] = '\0';
    if (len == zlen && strcmp(name, s->zone) == 0)
        return name + len;
    if (len > zlen + 1 && name[len - zlen - 1] == '.' && strcmp(name + len - zlen, s->zone) == 0) {
        name[len - zlen - 1] = '\0';
        return name;
    }
    return NULL;
}

static void build_answer(const struct simnet_seeds *s, const ldns_pkt *q, ldns_pkt *resp)
{
    if (ldns_pkt_get_opcode(q) != LDNS_PACKET_QUERY) {
        ldns_pkt_set_rcode(resp, LDNS_RCODE_NOTIMPL);
        return;
    }
    const ldns_rr_list *questions = ldns_pkt_question(q);
    if (!questions || ldns_rr_list_rr_count(questions) != 1) {
        ldns_pkt_set_rcode(resp, LDNS_RCODE_FORMERR);
        return;
    }
    const ldns_rr *question = ldns_rr_list_rr(questions, 0);
    ldns_pkt_push_rr(resp, LDNS_SECTION_QUESTION, ldns_rr_clone(question));
    ldns_rdf *owner = ldns_rdf_clone(ldns_rr_owner(question));
    char *text = owner ? (ldns_dname2canonical(owner), ldns_rdf2str(owner)) : NULL;
    const char *relative = text ? relative_part(s, text) : NULL;
    if (!relative || ldns_rr_get_class(question) != LDNS_RR_CLASS_IN)
        ldns_pkt_set_rcode(resp, LDNS_RCODE_REFUSED);
    else
        answer_in_zone(s, resp, owner, relative, ldns_rr_get_type(question));
    free(text);
    ldns_rdf_deep_free(owner);
}

/* A bare header: for queries ldns cannot parse. */
static int formerr_header(const uint8_t *query, uint8_t *out, size_t cap, size_t *out_len)
{
    if (cap < DNS_HEADER_SIZE)
        return -1;
    memset(out, 0, DNS_HEADER_SIZE);
    out[0] = query[0];
    out[1] = query[1];
    out[2] = 0x80 | (query[2] & 0x78); /* QR, the query's opcode */
    out[3] = LDNS_RCODE_FORMERR;
    *out_len = DNS_HEADER_SIZE;
    return 0;
}

int simnet_dns_answer(const struct simnet_seeds *s, const uint8_t *query, size_t len, bool tcp,
                      uint8_t *out, size_t cap, size_t *out_len)
{
    if (len < DNS_HEADER_SIZE || (query[2] & 0x80))
        return -1; /* too short to answer, or a response: never answer those */
    ldns_pkt *q = NULL;
    if (ldns_wire2pkt(&q, query, len) != LDNS_STATUS_OK)
        return formerr_header(query, out, cap, out_len);
    int status = -1;
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    ldns_pkt *resp = ldns_pkt_new();
    if (!resp)
        goto out;
    ldns_pkt_set_id(resp, ldns_pkt_id(q));
    ldns_pkt_set_qr(resp, true);
    ldns_pkt_set_opcode(resp, ldns_pkt_get_opcode(q));
    ldns_pkt_set_rd(resp, ldns_pkt_rd(q));
    size_t limit = tcp ? SIMNET_DNS_MAX_MESSAGE : DNS_UDP_LIMIT;
    if (ldns_pkt_edns_udp_size(q) > 0) {
        ldns_pkt_set_edns_udp_size(resp, DNS_EDNS_LIMIT);
        size_t asked = ldns_pkt_edns_udp_size(q);
        if (!tcp && asked > DNS_UDP_LIMIT)
            limit = asked < DNS_EDNS_LIMIT ? asked : DNS_EDNS_LIMIT;
    }
    build_answer(s, q, resp);
    if (ldns_pkt2wire(&wire, resp, &wire_len) != LDNS_STATUS_OK)
        goto out;
    if (wire_len > limit) {
        /* Too large for this transport: TC and no records; the client retries on TCP. */
        ldns_rr_list_deep_free(ldns_pkt_answer(resp));
        ldns_pkt_set_answer(resp, ldns_rr_list_new());
        ldns_rr_list_deep_free(ldns_pkt_authority(resp));
        ldns_pkt_set_authority(resp, ldns_rr_list_new());
        ldns_pkt_set_ancount(resp, 0);
        ldns_pkt_set_nscount(resp, 0);
        ldns_pkt_set_tc(resp, true);
        free(wire);
        wire = NULL;
        if (ldns_pkt2wire(&wire, resp, &wire_len) != LDNS_STATUS_OK)
            goto out;
    }
    if (wire_len > cap)
        goto out;
    memcpy(out, wire, wire_len);
    *out_len = wire_len;
    status = 0;
out:
    free(wire);
    ldns_pkt_free(resp);
    ldns_pkt_free(q);
    return status;
}

struct simnet_dns {
    const struct simnet_seeds *seeds;
    int udp_fd;
    struct event *udp_ev;
    struct evconnlistener *tcp;
};

static uint8_t dns_in[SIMNET_DNS_MAX_MESSAGE];
static uint8_t dns_out[SIMNET_DNS_MAX_MESSAGE];

static void on_udp(evutil_socket_t fd, short what, void *arg)
{
    struct simnet_dns *d = arg;
    for (int i = 0; i < DNS_UDP_BATCH; i++) {
        struct sockaddr_storage from;
        socklen_t from_len = sizeof from;
        ssize_t n = recvfrom(fd, dns_in, sizeof dns_in, 0, (struct sockaddr *)&from, &from_len);
        if (n < 0)
            return;
        size_t out_len;
        if (simnet_dns_answer(d->seeds, dns_in, (size_t)n, false, dns_out, sizeof dns_out,
                              &out_len) == 0)
            sendto(fd, dns_out, out_len, MSG_DONTWAIT, (struct sockaddr *)&from, from_len);
    }
}

static void on_tcp_read(struct bufferevent *bev, void *arg)
{
    struct simnet_dns *d = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    uint8_t prefix[2];
    while (evbuffer_copyout(in, prefix, 2) == 2) {
        size_t len = (size_t)prefix[0] << 8 | prefix[1];
        if (evbuffer_get_length(in) < 2 + len)
            return;
        evbuffer_drain(in, 2);
        evbuffer_remove(in, dns_in, len);
        size_t out_len;
        if (simnet_dns_answer(d->seeds, dns_in, len, true, dns_out + 2, sizeof dns_out - 2,
                              &out_len) != 0)
            continue;
        dns_out[0] = (uint8_t)(out_len >> 8);
        dns_out[1] = (uint8_t)out_len;
        bufferevent_write(bev, dns_out, out_len + 2);
    }
}

static void on_tcp_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
        bufferevent_free(bev);
}

static void on_tcp_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                          int socklen, void *arg)
{
    struct event_base *base = evconnlistener_get_base(l);
    struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        close(fd);
        return;
    }
    struct timeval idle = {DNS_TCP_IDLE_S, 0};
    bufferevent_setcb(bev, on_tcp_read, NULL, on_tcp_event, arg);
    bufferevent_set_timeouts(bev, &idle, &idle);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

struct simnet_dns *simnet_dns_start(struct event_base *base, const struct simnet_seeds *s,
                                    const char *listen)
{
    netaddr_t a;
    struct sockaddr_storage ss;
    socklen_t len;
    if (netaddr_parse(listen, 0, &a) != 0 || a.port == 0) {
        log_error("simnet: --dns %s: expected IP:PORT", listen);
        return NULL;
    }
    if (!simnet_is_loopback(&a)) {
        log_error("simnet: --dns %s: refusing to listen outside loopback", listen);
        return NULL;
    }
    if (netaddr_to_sockaddr(&a, &ss, &len) != 0)
        return NULL;
    struct simnet_dns *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->seeds = s;
    d->udp_fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (d->udp_fd < 0 || bind(d->udp_fd, (struct sockaddr *)&ss, len) != 0) {
        log_error("simnet: --dns %s (UDP): %s", listen, strerror(errno));
        goto fail;
    }
    d->udp_ev = event_new(base, d->udp_fd, EV_READ | EV_PERSIST, on_udp, d);
    if (!d->udp_ev || event_add(d->udp_ev, NULL) != 0)
        goto fail;
    d->tcp = evconnlistener_new_bind(base, on_tcp_accept, d,
                                     LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                         LEV_OPT_CLOSE_ON_EXEC,
                                     DNS_TCP_BACKLOG, (struct sockaddr *)&ss, (int)len);
    if (!d->tcp) {
        log_error("simnet: --dns %s (TCP): %s", listen, strerror(errno));
        goto fail;
    }
    return d;
fail:
    simnet_dns_stop(d);
    return NULL;
}

void simnet_dns_stop(struct simnet_dns *d)
{
    if (!d)
        return;
    if (d->tcp)
        evconnlistener_free(d->tcp);
    if (d->udp_ev)
        event_free(d->udp_ev);
    if (d->udp_fd >= 0)
        close(d->udp_fd);
    free(d);
}
