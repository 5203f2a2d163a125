/* crawl_socks5 -- the client side of SOCKS5 (RFC 1928), for reaching .onion
 * and .i2p nodes through a proxy: no authentication, CONNECT by host name
 * (ATYP 3) so the proxy, not us, resolves the name.
 *
 *   greeting  05 01 00                  reply  05 00
 *   request   05 01 00 03 len host port  reply  05 rep 00 atyp bnd.addr bnd.port */
#ifndef BTCSEED_CRAWL_SOCKS5_H
#define BTCSEED_CRAWL_SOCKS5_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

enum crawl_socks5_status {
    CRAWL_SOCKS5_NEED_MORE = 0,
    CRAWL_SOCKS5_OK = 1,
    CRAWL_SOCKS5_ERR_VERSION = -1, /* not a SOCKS5 server */
    CRAWL_SOCKS5_ERR_METHOD = -2,  /* server wants authentication */
    CRAWL_SOCKS5_ERR_REFUSED = -3, /* the proxy could not connect (rep != 0) */
    CRAWL_SOCKS5_ERR_ADDRESS = -4, /* malformed bound address */
};

void crawl_socks5_greeting(struct writer *w);
/* Host names longer than 255 bytes set w->err. */
void crawl_socks5_connect(struct writer *w, const char *host, uint16_t port);
/* Each parser looks at buf[0..len); on CRAWL_SOCKS5_OK sets *consumed. */
int crawl_socks5_parse_method(const uint8_t *buf, size_t len, size_t *consumed);
int crawl_socks5_parse_reply(const uint8_t *buf, size_t len, size_t *consumed, uint8_t *rep);

#endif
