/* simnet_socks5 -- simnet's own SOCKS5 proxy (RFC 1928: no authentication,
 * CONNECT only), the way onion nodes are reached: the CONNECT target (a
 * .onion name, or an IP address) is looked up in the network, and the same
 * connection is then served as that node, as Tor would relay it.
 *
 * Replies: success for a node that accepts; 0x05 connection refused for dead
 * nodes, churning nodes while down and a node's wrong port; 0x04 host
 * unreachable for anything that is no node; 0x07 for commands other than
 * CONNECT; 0x08 for unknown address types.
 *
 *   greeting  VER=5 | NMETHODS | METHODS...        -> VER=5 | METHOD (0 or 0xff)
 *   request   VER=5 | CMD | RSV | ATYP | DST.ADDR | DST.PORT (big endian)
 *             ATYP 1: 4 bytes, 3: length byte + name, 4: 16 bytes
 *   reply     VER=5 | REP | RSV | ATYP=1 | 0.0.0.0 | port 0 */
#ifndef BTCSEED_SIMNET_SOCKS5_H
#define BTCSEED_SIMNET_SOCKS5_H

#include <stddef.h>
#include <stdint.h>

#include "net/netaddr.h"
#include "simnet_worker.h"
#include "util/bytes.h"

#define SIMNET_SOCKS5_REPLY_SIZE 10

enum simnet_socks5_status {
    SIMNET_SOCKS5_NEED_MORE = 0,
    SIMNET_SOCKS5_OK = 1,
    SIMNET_SOCKS5_ERR_VERSION = -1,  /* not SOCKS5 */
    SIMNET_SOCKS5_ERR_METHOD = -2,   /* "no authentication" not offered */
    SIMNET_SOCKS5_ERR_COMMAND = -3,  /* not CONNECT */
    SIMNET_SOCKS5_ERR_ATYP = -4,     /* unknown address type */
    SIMNET_SOCKS5_ERR_ADDRESS = -5,  /* a name that is no onion/i2p/IP address */
};

/* Parse buf[0..len): OK with *used set, NEED_MORE, or an error. */
int simnet_socks5_greeting(const uint8_t *buf, size_t len, size_t *used);
int simnet_socks5_request(const uint8_t *buf, size_t len, netaddr_t *target, size_t *used);
/* The 10-byte reply carrying `rep`. */
void simnet_socks5_reply(struct writer *w, uint8_t rep);

/* Takes ownership of an accepted proxy connection. */
void simnet_socks5_start(struct simnet_worker *w, int fd, const netaddr_t *remote);

#endif
