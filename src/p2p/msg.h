/* msg -- payloads of the Bitcoin P2P messages a crawler and a simulated node
 * exchange. Every decoder takes the untrusted payload bytes and returns 0, or
 * a negative enum p2p_msg_error; encoders write to a bounded writer (check
 * w->err). Commands not listed here are passed over by callers without error. */
#ifndef BTCSEED_P2P_MSG_H
#define BTCSEED_P2P_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "util/bytes.h"

#define P2P_PROTOCOL_VERSION 70016
#define P2P_MIN_ADDRV2_VERSION 70016 /* sendaddrv2 is sent only to peers at least this new */
#define P2P_MAX_ADDR 1000
#define P2P_MAX_USER_AGENT 256
#define P2P_MAX_ADDRV2_ADDR_LEN 512 /* BIP155: longer addresses are refused, any network */

/* Service bits. */
#define NODE_NETWORK (UINT64_C(1) << 0)
#define NODE_BLOOM (UINT64_C(1) << 2)
#define NODE_WITNESS (UINT64_C(1) << 3)
#define NODE_COMPACT_FILTERS (UINT64_C(1) << 6)
#define NODE_NETWORK_LIMITED (UINT64_C(1) << 10)
#define NODE_P2P_V2 (UINT64_C(1) << 11)

enum p2p_msg_error {
    P2P_MSG_ERR_TRUNCATED = -1,  /* payload shorter than the fields it must hold */
    P2P_MSG_ERR_TOO_MANY = -2,   /* count over P2P_MAX_ADDR, or CompactSize over its cap */
    P2P_MSG_ERR_BAD_LENGTH = -3, /* addrv2 address length wrong for its network */
    P2P_MSG_ERR_TRAILING = -4,   /* bytes left over after the last field */
    P2P_MSG_ERR_STRING = -5,     /* string longer than allowed, or holding a NUL */
    P2P_MSG_ERR_NONCANONICAL = -6, /* CompactSize not in its shortest encoding */
};
const char *p2p_msg_strerror(int err);

/* Writes the names of the set service bits, '|'-separated ("NETWORK|WITNESS"),
 * unknown bits as "bitN", "none" for 0. Truncates to fit `size` (>= 1). */
void p2p_services_format(uint64_t services, char *buf, size_t size);

/* version
 *   i32 version | u64 services | i64 time | netaddr recv (u64 svc, 16 ip, u16 BE port)
 *   | netaddr from | u64 nonce | varstr user agent | i32 start height | [u8 relay]
 * Peers older than 70001 may stop after the height: relay then defaults true.
 * Bytes after the relay flag are ignored, as Bitcoin Core ignores them, so a
 * future version may append fields. The user agent must not hold a NUL. */
struct p2p_version {
    int32_t version;
    uint64_t services;
    int64_t timestamp;
    uint64_t recv_services;
    netaddr_t recv_addr;
    uint64_t from_services;
    netaddr_t from_addr;
    uint64_t nonce;
    char user_agent[P2P_MAX_USER_AGENT + 1]; /* NUL-terminated; may hold any byte but NUL */
    int32_t start_height;
    bool relay;
};
int p2p_version_decode(const uint8_t *payload, size_t len, struct p2p_version *out);
void p2p_version_encode(struct writer *w, const struct p2p_version *v);

/* One entry of addr / addrv2. */
struct p2p_addr_entry {
    uint32_t time;
    uint64_t services;
    netaddr_t addr;
};

/* addr
 *   compactsize count (<= 1000) | count x (u32 time | u64 services | 16 ip | u16 BE port)
 * addrv2 (BIP155)
 *   compactsize count (<= 1000) | count x (u32 time | compactsize services | u8 network id
 *   | compactsize addr len (<= 512) | addr | u16 BE port)
 * Decoders fill entries[0..*count) (the caller provides P2P_MAX_ADDR slots).
 * addrv2 entries of unknown networks and of TorV2 are skipped (counted in
 * *skipped); a known network with the wrong address length is an error. */
int p2p_addr_decode(const uint8_t *payload, size_t len, struct p2p_addr_entry *entries,
                    size_t *count);
int p2p_addrv2_decode(const uint8_t *payload, size_t len, struct p2p_addr_entry *entries,
                      size_t *count, size_t *skipped);
/* Entries of networks that have no legacy form are left out of addr. */
void p2p_addr_encode(struct writer *w, const struct p2p_addr_entry *entries, size_t count);
void p2p_addrv2_encode(struct writer *w, const struct p2p_addr_entry *entries, size_t count);

/* ping / pong: u64 nonce. */
int p2p_ping_decode(const uint8_t *payload, size_t len, uint64_t *nonce);
void p2p_ping_encode(struct writer *w, uint64_t nonce);

/* feefilter: i64 fee rate (sat/kvB). */
int p2p_feefilter_decode(const uint8_t *payload, size_t len, int64_t *feerate);
void p2p_feefilter_encode(struct writer *w, int64_t feerate);

/* sendcmpct: u8 announce | u64 version. */
struct p2p_sendcmpct {
    bool announce;
    uint64_t version;
};
int p2p_sendcmpct_decode(const uint8_t *payload, size_t len, struct p2p_sendcmpct *out);
void p2p_sendcmpct_encode(struct writer *w, const struct p2p_sendcmpct *m);

/* reject (BIP61, obsolete but still met): varstr message | u8 code | varstr reason
 * | optional 32-byte data. Strings are truncated copies, NUL-terminated. */
struct p2p_reject {
    char message[13];
    uint8_t code;
    char reason[112];
    bool has_data;
    uint8_t data[32];
};
int p2p_reject_decode(const uint8_t *payload, size_t len, struct p2p_reject *out);
void p2p_reject_encode(struct writer *w, const struct p2p_reject *m);

/* verack, getaddr, sendaddrv2, sendheaders, wtxidrelay carry no payload. */

#endif
