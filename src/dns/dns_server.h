/* dns_server -- the UDP and TCP front of the DNS seed, embeddable.
 *
 * UDP: every worker thread owns one SO_REUSEPORT socket per listen address
 * and moves packets in recvmmsg/sendmmsg batches through dns_packet_respond;
 * replies leave from the address the query was sent to (IP_PKTINFO /
 * IPV6_RECVPKTINFO). TCP (RFC 7766): one thread, several queries per
 * connection, an idle timeout and a connection cap. Queries read the current
 * snapshot of a dns_publisher without a lock.
 *
 * Life cycle, also what `btcseed run` does:
 *     dns_publisher_t *pub = dns_publisher_new(dns_server_readers(&cfg));
 *     dns_server_new(&cfg, &zone, pub, &srv);   binds every socket
 *     dns_privdrop(user);                        before any packet is read
 *     dns_server_start(srv);                     threads start answering
 *     ... dns_publisher_publish(pub, nodes, n) whenever the good set changes ...
 *     dns_server_stop(srv); dns_server_free(srv); dns_publisher_free(pub); */
#ifndef BTCSEED_DNS_SERVER_H
#define BTCSEED_DNS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "dns/dns_rrl.h"
#include "dns/dns_snapshot.h"
#include "dns/dns_zone.h"

#define DNS_SERVER_MAX_LISTEN 16
#define DNS_SERVER_MAX_THREADS 64
#define DNS_SERVER_DEFAULT_TCP_MAX 128
#define DNS_SERVER_DEFAULT_TCP_IDLE_MS 10000

struct dns_server_config {
    const char *listen[DNS_SERVER_MAX_LISTEN]; /* "IP:PORT", "[IPv6]:PORT" */
    size_t nlisten;
    unsigned threads;     /* UDP worker threads; 0 = one per CPU */
    unsigned tcp_max;     /* open TCP connections at most */
    unsigned tcp_idle_ms; /* a TCP connection silent this long is closed */
    struct dns_rrl_config rrl;
};

/* What the server has done, summed over its threads. No per-client data. */
enum dns_stat_qtype { DNS_STAT_A, DNS_STAT_AAAA, DNS_STAT_NS, DNS_STAT_SOA, DNS_STAT_ANY,
                      DNS_STAT_OTHER, DNS_STAT_QTYPES };
enum dns_stat_rcode { DNS_STAT_NOERROR, DNS_STAT_FORMERR, DNS_STAT_NXDOMAIN, DNS_STAT_NOTIMP,
                      DNS_STAT_REFUSED, DNS_STAT_BADVERS, DNS_STAT_RCODES };
struct dns_server_stats {
    uint64_t queries_udp, queries_tcp;
    uint64_t qtype[DNS_STAT_QTYPES];
    uint64_t rcode[DNS_STAT_RCODES];
    uint64_t dropped;   /* unanswerable packets (short, responses) */
    uint64_t truncated; /* TC set because the answer did not fit */
    uint64_t rrl_dropped, rrl_slipped;
    uint64_t send_failed;
    uint64_t tcp_accepted, tcp_rejected, tcp_timeouts;
};

typedef struct dns_server dns_server_t;

/* Defaults: no listen address, one thread per CPU, RRL on (dns_rrl.h). */
void dns_server_config_default(struct dns_server_config *c);
/* Reader slots the publisher needs for a server with this config. */
unsigned dns_server_readers(const struct dns_server_config *c);

/* Binds UDP and TCP sockets on every listen address (threads not started).
 * Keeps pointers to zone and publisher, which must outlive the server.
 * Returns 0, or -1 after logging why (bad address, bind failed, no free
 * publisher slot...). */
int dns_server_new(const struct dns_server_config *c, const dns_zone_t *zone,
                   dns_publisher_t *publisher, dns_server_t **out);
/* Starts the threads. Returns 0 or -1. */
int dns_server_start(dns_server_t *s);
/* Stops and joins the threads (no-op if not started). Safe to call twice. */
void dns_server_stop(dns_server_t *s);
/* Closes everything; accepts NULL. Stops first if needed. */
void dns_server_free(dns_server_t *s);

void dns_server_stats(const dns_server_t *s, struct dns_server_stats *out);
/* The bound port of listen address i (useful with port 0 in tests). */
uint16_t dns_server_port(const dns_server_t *s, size_t i);

#endif
