#include "dns/dns_server_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "net/netaddr.h"
#include "util/log.h"
#include "util/metrics.h"

#define DNS_DEFAULT_PORT 53
#define DNS_TCP_BACKLOG 128
#define DNS_UDP_RCVBUF (4 << 20) /* absorbs bursts while a batch is answered */

void dns_server_config_default(struct dns_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->tcp_max = DNS_SERVER_DEFAULT_TCP_MAX;
    c->tcp_idle_ms = DNS_SERVER_DEFAULT_TCP_IDLE_MS;
    dns_rrl_config_default(&c->rrl);
}

static unsigned thread_count(const struct dns_server_config *c)
{
    if (c->threads)
        return c->threads > DNS_SERVER_MAX_THREADS ? DNS_SERVER_MAX_THREADS : c->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (n > DNS_SERVER_MAX_THREADS ? DNS_SERVER_MAX_THREADS : (unsigned)n);
}

unsigned dns_server_readers(const struct dns_server_config *c) { return thread_count(c) + 1; }

void dns_count_outcome(struct dns_counters *c, enum dns_result res, const struct dns_outcome *o)
{
    if (res == DNS_RESULT_DROP) {
        dns_count(c, CNT_DROPPED);
        return;
    }
    enum dns_stat_qtype t;
    switch (o->qtype) {
    case DNS_TYPE_A: t = DNS_STAT_A; break;
    case DNS_TYPE_AAAA: t = DNS_STAT_AAAA; break;
    case DNS_TYPE_NS: t = DNS_STAT_NS; break;
    case DNS_TYPE_SOA: t = DNS_STAT_SOA; break;
    case DNS_TYPE_ANY: t = DNS_STAT_ANY; break;
    default: t = DNS_STAT_OTHER; break;
    }
    enum dns_stat_rcode r;
    switch (o->rcode) {
    case DNS_RCODE_NOERROR: r = DNS_STAT_NOERROR; break;
    case DNS_RCODE_NXDOMAIN: r = DNS_STAT_NXDOMAIN; break;
    case DNS_RCODE_NOTIMP: r = DNS_STAT_NOTIMP; break;
    case DNS_RCODE_REFUSED: r = DNS_STAT_REFUSED; break;
    case DNS_RCODE_BADVERS: r = DNS_STAT_BADVERS; break;
    default: r = DNS_STAT_FORMERR; break;
    }
    dns_count(c, (enum dns_counter)(CNT_QTYPE + t));
    dns_count(c, (enum dns_counter)(CNT_RCODE + r));
    if (o->truncated)
        dns_count(c, CNT_TRUNCATED);
}

static int open_socket(struct dns_listener *l, int type, bool reuseport)
{
    int fd = socket(l->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        goto fail;
    if (l->family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0)
        goto fail;
    if (type == SOCK_DGRAM) {
        int rc = l->family == AF_INET
                     ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one)
                     : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
        if (rc != 0)
            goto fail;
        int size = DNS_UDP_RCVBUF;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size); /* best effort */
    }
    if (bind(fd, (struct sockaddr *)&l->addr, l->addr_len) != 0)
        goto fail;
    if (l->port == 0) { /* port 0: every later socket takes the port this one got */
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
            goto fail;
        l->port = ntohs(l->family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                             : ((struct sockaddr_in6 *)&ss)->sin6_port);
        if (l->family == AF_INET)
            ((struct sockaddr_in *)&l->addr)->sin_port = htons(l->port);
        else
            ((struct sockaddr_in6 *)&l->addr)->sin6_port = htons(l->port);
    }
    if (type == SOCK_STREAM && listen(fd, DNS_TCP_BACKLOG) != 0)
        goto fail;
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

static int parse_listener(const char *text, struct dns_listener *l)
{
    netaddr_t a;
    memset(l, 0, sizeof *l);
    l->tcp_fd = -1;
    if (netaddr_parse(text, DNS_DEFAULT_PORT, &a) != 0 ||
        (a.net != NETADDR_IPV4 && a.net != NETADDR_IPV6))
        return -1;
    if (netaddr_to_sockaddr(&a, &l->addr, &l->addr_len) != 0)
        return -1;
    l->family = l->addr.ss_family;
    l->port = a.port;
    return 0;
}

static void close_all(dns_server_t *s)
{
    for (unsigned i = 0; i < s->nworkers; i++) {
        struct dns_worker *w = &s->workers[i];
        for (size_t j = 0; j < s->nlisten; j++)
            if (w->udp_fds[j] >= 0)
                close(w->udp_fds[j]);
        if (w->epfd >= 0)
            close(w->epfd);
        dns_worker_io_free(w, i == s->nworkers - 1);
    }
    for (size_t j = 0; j < s->nlisten; j++)
        if (s->listeners[j].tcp_fd >= 0)
            close(s->listeners[j].tcp_fd);
    if (s->stop_fd >= 0)
        close(s->stop_fd);
}

static void metrics_collect(void *arg);

static void release_slots(dns_server_t *s)
{
    for (unsigned i = 0; i < s->nworkers; i++)
        if (s->workers[i].slot >= 0)
            dns_publisher_reader_release(s->publisher, s->workers[i].slot);
}

static int bind_all(dns_server_t *s)
{
    unsigned udp_workers = s->nworkers - 1;
    for (size_t j = 0; j < s->nlisten; j++) {
        struct dns_listener *l = &s->listeners[j];
        for (unsigned i = 0; i < udp_workers; i++) {
            int fd = open_socket(l, SOCK_DGRAM, true);
            if (fd < 0) {
                log_error("dns: cannot bind UDP %s: %s", s->cfg.listen[j], strerror(errno));
                return -1;
            }
            s->workers[i].udp_fds[j] = fd;
        }
        l->tcp_fd = open_socket(l, SOCK_STREAM, false);
        if (l->tcp_fd < 0) {
            log_error("dns: cannot bind TCP %s: %s", s->cfg.listen[j], strerror(errno));
            return -1;
        }
        log_info("dns: listening on %s (UDP x%u, TCP), port %u", s->cfg.listen[j], udp_workers,
                 (unsigned)l->port);
    }
    return 0;
}

int dns_server_new(const struct dns_server_config *c, const dns_zone_t *zone,
                   dns_publisher_t *publisher, dns_server_t **out)
{
    *out = NULL;
    if (c->nlisten == 0 || c->nlisten > DNS_SERVER_MAX_LISTEN) {
        log_error("dns: need 1 to %d listen addresses", DNS_SERVER_MAX_LISTEN);
        return -1;
    }
    dns_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->cfg = *c;
    s->zone = zone;
    s->publisher = publisher;
    s->stop_fd = -1;
    s->nlisten = c->nlisten;
    for (size_t j = 0; j < s->nlisten; j++) {
        if (parse_listener(c->listen[j], &s->listeners[j]) != 0) {
            log_error("dns: bad listen address '%s' (want IP:PORT or [IPv6]:PORT)", c->listen[j]);
            for (size_t k = 0; k < j; k++)
                s->listeners[k].tcp_fd = -1;
            free(s);
            return -1;
        }
    }
    s->nworkers = thread_count(c) + 1;
    s->workers = calloc(s->nworkers, sizeof *s->workers);
    if (!s->workers) {
        free(s);
        return -1;
    }
    for (unsigned i = 0; i < s->nworkers; i++) {
        struct dns_worker *w = &s->workers[i];
        w->server = s;
        w->index = i;
        w->epfd = -1;
        w->slot = -1;
        for (size_t j = 0; j < DNS_SERVER_MAX_LISTEN; j++)
            w->udp_fds[j] = -1;
        dns_rng_seed(&w->rng);
    }
    s->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->stop_fd < 0 || bind_all(s) != 0)
        goto fail;
    if (c->rrl.rate > 0 && !(s->rrl = dns_rrl_new(&c->rrl))) {
        log_error("dns: bad rate-limit settings");
        goto fail;
    }
    for (unsigned i = 0; i < s->nworkers; i++) {
        struct dns_worker *w = &s->workers[i];
        bool tcp = i == s->nworkers - 1;
        w->slot = dns_publisher_reader(publisher);
        if (w->slot < 0) {
            log_error("dns: the publisher has no free reader slot (need %u)", s->nworkers);
            goto fail;
        }
        if ((tcp ? dns_tcp_worker_init(w) : dns_udp_worker_init(w)) != 0) {
            log_error("dns: cannot set up worker %u: %s", i, strerror(errno));
            goto fail;
        }
    }
    metrics_add_collector(metrics_collect, s);
    *out = s;
    return 0;
fail:
    close_all(s);
    release_slots(s);
    dns_rrl_free(s->rrl);
    free(s->workers);
    free(s);
    return -1;
}

int dns_server_start(dns_server_t *s)
{
    for (unsigned i = 0; i < s->nworkers; i++) {
        struct dns_worker *w = &s->workers[i];
        bool tcp = i == s->nworkers - 1;
        if (pthread_create(&w->thread, NULL, tcp ? dns_tcp_worker_main : dns_udp_worker_main, w) != 0) {
            log_error("dns: cannot start thread %u", i);
            dns_server_stop(s);
            return -1;
        }
        w->started = true;
    }
    s->running = true;
    return 0;
}

void dns_server_stop(dns_server_t *s)
{
    if (!s)
        return;
    uint64_t one = 1;
    if (write(s->stop_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        log_warn("dns: cannot signal stop: %s", strerror(errno));
    for (unsigned i = 0; i < s->nworkers; i++) {
        if (s->workers[i].started) {
            pthread_join(s->workers[i].thread, NULL);
            s->workers[i].started = false;
        }
    }
    s->running = false;
}

void dns_server_free(dns_server_t *s)
{
    if (!s)
        return;
    dns_server_stop(s);
    metrics_remove_collector(metrics_collect, s);
    close_all(s);
    release_slots(s);
    dns_rrl_free(s->rrl);
    free(s->workers);
    free(s);
}

uint16_t dns_server_port(const dns_server_t *s, size_t i)
{
    return i < s->nlisten ? s->listeners[i].port : 0;
}

static uint64_t total(const dns_server_t *s, enum dns_counter c)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < s->nworkers; i++)
        sum += atomic_load_explicit(&s->workers[i].counters.v[c], memory_order_relaxed);
    return sum;
}

void dns_server_stats(const dns_server_t *s, struct dns_server_stats *out)
{
    memset(out, 0, sizeof *out);
    out->queries_udp = total(s, CNT_Q_UDP);
    out->queries_tcp = total(s, CNT_Q_TCP);
    for (int i = 0; i < DNS_STAT_QTYPES; i++)
        out->qtype[i] = total(s, (enum dns_counter)(CNT_QTYPE + i));
    for (int i = 0; i < DNS_STAT_RCODES; i++)
        out->rcode[i] = total(s, (enum dns_counter)(CNT_RCODE + i));
    out->dropped = total(s, CNT_DROPPED);
    out->truncated = total(s, CNT_TRUNCATED);
    out->send_failed = total(s, CNT_SEND_FAILED);
    out->tcp_accepted = total(s, CNT_TCP_ACCEPTED);
    out->tcp_rejected = total(s, CNT_TCP_REJECTED);
    out->tcp_timeouts = total(s, CNT_TCP_TIMEOUTS);
    out->rrl_dropped = dns_rrl_dropped(s->rrl);
    out->rrl_slipped = dns_rrl_slipped(s->rrl);
}

/* ---- Prometheus: counters advanced by what happened since the last render ---- */

static const char *const qtype_names[DNS_STAT_QTYPES] = {"A", "AAAA", "NS", "SOA", "ANY", "other"};
static const char *const rcode_names[DNS_STAT_RCODES] = {"NOERROR", "FORMERR", "NXDOMAIN",
                                                         "NOTIMP", "REFUSED", "BADVERS"};

static void advance(dns_server_t *s, size_t slot, uint64_t now_total, const char *name,
                    const char *help, const char *labels)
{
    metrics_counter_t *c = metrics_counter(name, help, labels);
    if (now_total > s->reported[slot])
        metrics_counter_add(c, now_total - s->reported[slot]);
    s->reported[slot] = now_total;
}

static void metrics_collect(void *arg)
{
    dns_server_t *s = arg;
    struct dns_server_stats st;
    dns_server_stats(s, &st);
    char labels[64];
    const char *q = "DNS queries received, by transport.";
    advance(s, CNT_Q_UDP, st.queries_udp, "btcseed_dns_queries_total", q, "transport=udp");
    advance(s, CNT_Q_TCP, st.queries_tcp, "btcseed_dns_queries_total", q, "transport=tcp");
    for (int i = 0; i < DNS_STAT_QTYPES; i++) {
        snprintf(labels, sizeof labels, "qtype=%s", qtype_names[i]);
        advance(s, CNT_QTYPE + (size_t)i, st.qtype[i], "btcseed_dns_queries_by_type_total",
                "DNS queries answered, by query type.", labels);
    }
    for (int i = 0; i < DNS_STAT_RCODES; i++) {
        snprintf(labels, sizeof labels, "rcode=%s", rcode_names[i]);
        advance(s, CNT_RCODE + (size_t)i, st.rcode[i], "btcseed_dns_responses_total",
                "DNS responses, by RCODE.", labels);
    }
    const char *d = "DNS queries or responses not sent, by reason.";
    advance(s, CNT_DROPPED, st.dropped, "btcseed_dns_dropped_total", d, "reason=malformed");
    advance(s, CNT_SEND_FAILED, st.send_failed, "btcseed_dns_dropped_total", d, "reason=send");
    advance(s, CNT_COUNT, st.rrl_dropped, "btcseed_dns_dropped_total", d, "reason=ratelimit");
    advance(s, CNT_COUNT + 1, st.rrl_slipped, "btcseed_dns_ratelimit_slipped_total",
            "Rate-limited responses sent truncated instead.", NULL);
    advance(s, CNT_TRUNCATED, st.truncated, "btcseed_dns_truncated_total",
            "DNS responses sent with TC set because they did not fit.", NULL);
    const char *t = "DNS TCP connections, by outcome.";
    advance(s, CNT_TCP_ACCEPTED, st.tcp_accepted, "btcseed_dns_tcp_connections_total", t,
            "result=accepted");
    advance(s, CNT_TCP_REJECTED, st.tcp_rejected, "btcseed_dns_tcp_connections_total", t,
            "result=rejected");
    advance(s, CNT_TCP_TIMEOUTS, st.tcp_timeouts, "btcseed_dns_tcp_connections_total", t,
            "result=timeout");
}
