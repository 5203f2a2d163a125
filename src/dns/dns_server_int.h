/* dns_server_int -- what the server's setup, UDP and TCP files share. Not
 * for use outside src/dns/dns_server*.c. */
#ifndef BTCSEED_DNS_SERVER_INT_H
#define BTCSEED_DNS_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "dns/dns_packet.h"
#include "dns/dns_server.h"

/* Counters, one array per thread, written by that thread only. */
enum dns_counter {
    CNT_Q_UDP, CNT_Q_TCP,
    CNT_QTYPE, /* DNS_STAT_QTYPES of them */
    CNT_RCODE = CNT_QTYPE + DNS_STAT_QTYPES,
    CNT_DROPPED = CNT_RCODE + DNS_STAT_RCODES,
    CNT_TRUNCATED, CNT_SEND_FAILED, CNT_TCP_ACCEPTED, CNT_TCP_REJECTED, CNT_TCP_TIMEOUTS,
    CNT_COUNT
};

struct dns_counters {
    atomic_uint_fast64_t v[CNT_COUNT];
};

/* Single writer: a relaxed load and store, no locked instruction. */
static inline void dns_count(struct dns_counters *c, enum dns_counter i)
{
    atomic_store_explicit(&c->v[i], atomic_load_explicit(&c->v[i], memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

/* Counts one answered (or dropped) query by type and RCODE. */
void dns_count_outcome(struct dns_counters *c, enum dns_result res, const struct dns_outcome *o);

struct dns_listener {
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int family;
    uint16_t port;
    int tcp_fd;
};

struct dns_worker {
    dns_server_t *server;
    unsigned index;
    pthread_t thread;
    bool started;
    int epfd;
    int slot; /* publisher reader slot */
    int udp_fds[DNS_SERVER_MAX_LISTEN];
    struct dns_rng rng;
    struct dns_counters counters;
    void *io; /* the UDP batch buffers or the TCP connection table */
};

struct dns_server {
    struct dns_server_config cfg;
    const dns_zone_t *zone;
    dns_publisher_t *publisher;
    dns_rrl_t *rrl;
    struct dns_listener listeners[DNS_SERVER_MAX_LISTEN];
    size_t nlisten;
    struct dns_worker *workers; /* cfg.threads UDP workers, then the TCP one */
    unsigned nworkers;
    int stop_fd; /* eventfd: readable once stopping */
    bool running;
    uint64_t reported[CNT_COUNT + 2]; /* what the metrics collector has added */
};

void *dns_udp_worker_main(void *arg);
void *dns_tcp_worker_main(void *arg);
int dns_udp_worker_init(struct dns_worker *w);
int dns_tcp_worker_init(struct dns_worker *w);
void dns_worker_io_free(struct dns_worker *w, bool tcp);

/* Epoll data tags. */
#define DNS_EV_STOP UINT64_C(0xffffffffffffffff)

#endif
