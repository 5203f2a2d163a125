/* simnet_hostile -- malformed payloads that hostile nodes send. The p2p codec
 * only ever writes valid messages, so these are written field by field. */
#ifndef BTCSEED_SIMNET_HOSTILE_H
#define BTCSEED_SIMNET_HOSTILE_H

#include <stddef.h>
#include <stdint.h>

#include "p2p/msg.h"
#include "util/bytes.h"

/* BIP155 network ids no implementation knows. */
#define SIMNET_UNKNOWN_NET_A 7
#define SIMNET_UNKNOWN_NET_B 0xfe
#define SIMNET_TORV2_LEN 10

/* addrv2: the valid `entries`, each followed by an entry of an unknown
 * network or a TorV2 one. A reader that skips those (as BIP155 says) keeps
 * exactly `entries`. */
void simnet_hostile_addrv2_unknown(struct writer *w, const struct p2p_addr_entry *entries,
                                   size_t count, uint64_t salt);
/* addrv2: valid entries and one IPv4 entry of length 16: the whole message
 * is invalid. */
void simnet_hostile_addrv2_bad_length(struct writer *w, const struct p2p_addr_entry *entries,
                                      size_t count);
/* addrv2: an address of an unknown network longer than BIP155's 512 bytes. */
void simnet_hostile_addrv2_oversized(struct writer *w, uint32_t now);
/* addr or addrv2 whose count promises far more entries than follow. */
void simnet_hostile_addr_truncated(struct writer *w, const struct p2p_addr_entry *entries,
                                   size_t count, int addrv2);
/* addr with P2P_MAX_ADDR + 1 entries (one over the protocol's limit). */
void simnet_hostile_addr_too_many(struct writer *w, const struct p2p_addr_entry *entries,
                                  size_t count);
/* A message header whose payload length is 0xffffffff (4 GB). */
void simnet_hostile_huge_header(struct writer *w, const uint8_t magic[4]);

#endif
