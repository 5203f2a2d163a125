/* simnet_dns -- the authoritative zone of the simulated DNS seeds, over UDP
 * and TCP, so that a crawler's bootstrap from DNS seeds runs end to end.
 *
 * Wire format by ldns (parse and build); the answer logic is a pure function.
 * Zone apex: SOA and NS (ns.ZONE). seedN / xHEX.seedN: A and AAAA of entry
 * nodes (simnet_seeds.h), TTL 60. Other names in the zone: NXDOMAIN; names
 * outside it: REFUSED; opcodes other than QUERY: NOTIMP; unparsable: FORMERR
 * when the header can be echoed, else dropped. UDP answers over 512 bytes (or
 * the client's EDNS size) are truncated (TC) without records. */
#ifndef BTCSEED_SIMNET_DNS_H
#define BTCSEED_SIMNET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simnet_seeds.h"

#define SIMNET_DNS_MAX_MESSAGE 65535

/* Answers one query: 0 with the response in out[0..*out_len), or -1 to drop. */
int simnet_dns_answer(const struct simnet_seeds *s, const uint8_t *query, size_t len, bool tcp,
                      uint8_t *out, size_t cap, size_t *out_len);

struct event_base;
struct simnet_dns;
/* Serves UDP and TCP on `listen` ("IP:PORT", loopback only) in `base`.
 * Returns NULL (logged) on a bad or non-loopback address or a bind failure.
 * Keeps a pointer to `s`. */
struct simnet_dns *simnet_dns_start(struct event_base *base, const struct simnet_seeds *s,
                                    const char *listen);
void simnet_dns_stop(struct simnet_dns *d);

#endif
