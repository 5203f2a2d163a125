/* dns_rrl -- response rate limiting per source prefix, so the server cannot
 * be aimed at a victim (whose address an attacker forges) as an amplifier.
 *
 * Like NSD's RRL: UDP responses to one source prefix (/24 IPv4, /56 IPv6 by
 * default) beyond `rate` per second are dropped, except every `slip`-th one,
 * which goes out cut to header and question with TC set: a real resolver
 * behind that prefix retries over TCP (never rate limited: TCP proves the
 * source address), a forged one gets nothing bigger than its query.
 *
 * Lock-free: a fixed table of 64-bit buckets updated with compare-and-swap,
 * shared by every server thread. Two prefixes that land in one bucket share
 * its budget, which only errs on the strict side. */
#ifndef BTCSEED_DNS_RRL_H
#define BTCSEED_DNS_RRL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define DNS_RRL_DEFAULT_RATE 200 /* responses per second per prefix, as NSD */
#define DNS_RRL_DEFAULT_SLIP 2
#define DNS_RRL_DEFAULT_IPV4_PREFIX 24
#define DNS_RRL_DEFAULT_IPV6_PREFIX 56
#define DNS_RRL_DEFAULT_BUCKETS 65536
#define DNS_RRL_MAX_BUCKETS (1u << 24)

struct dns_rrl_config {
    unsigned rate;        /* 0 turns rate limiting off */
    unsigned slip;        /* 0: drop all excess; 1: slip all; N: every Nth */
    unsigned ipv4_prefix; /* 8..32 */
    unsigned ipv6_prefix; /* 16..128 */
    unsigned buckets;     /* rounded up to a power of two */
};

enum dns_rrl_action { DNS_RRL_SEND, DNS_RRL_SLIP, DNS_RRL_DROP };

typedef struct dns_rrl dns_rrl_t;

void dns_rrl_config_default(struct dns_rrl_config *c);
/* Returns 0, or -1 if a field is out of range. */
int dns_rrl_config_check(const struct dns_rrl_config *c);

/* Returns NULL on allocation failure or a bad config. Free with dns_rrl_free. */
dns_rrl_t *dns_rrl_new(const struct dns_rrl_config *c);
void dns_rrl_free(dns_rrl_t *r);

/* Accounts one UDP response to `src` at second `now` and says what to do
 * with it. A NULL limiter or rate 0 always sends. */
enum dns_rrl_action dns_rrl_account(dns_rrl_t *r, const struct sockaddr *src, uint32_t now);

/* Responses dropped and slipped so far. */
uint64_t dns_rrl_dropped(const dns_rrl_t *r);
uint64_t dns_rrl_slipped(const dns_rrl_t *r);

#endif
