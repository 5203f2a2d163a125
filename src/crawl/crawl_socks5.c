#include "crawl/crawl_socks5.h"

#include <string.h>

#define SOCKS5_VERSION 5
#define SOCKS5_NO_AUTH 0
#define SOCKS5_CMD_CONNECT 1
#define SOCKS5_ATYP_IPV4 1
#define SOCKS5_ATYP_DOMAIN 3
#define SOCKS5_ATYP_IPV6 4

void crawl_socks5_greeting(struct writer *w)
{
    writer_u8(w, SOCKS5_VERSION);
    writer_u8(w, 1);
    writer_u8(w, SOCKS5_NO_AUTH);
}

void crawl_socks5_connect(struct writer *w, const char *host, uint16_t port)
{
    size_t n = strlen(host);
    if (n == 0 || n > 255) {
        w->err = true;
        return;
    }
    writer_u8(w, SOCKS5_VERSION);
    writer_u8(w, SOCKS5_CMD_CONNECT);
    writer_u8(w, 0);
    writer_u8(w, SOCKS5_ATYP_DOMAIN);
    writer_u8(w, (uint8_t)n);
    writer_bytes(w, host, n);
    writer_u16be(w, port);
}

int crawl_socks5_parse_method(const uint8_t *buf, size_t len, size_t *consumed)
{
    if (len < 2)
        return CRAWL_SOCKS5_NEED_MORE;
    if (buf[0] != SOCKS5_VERSION)
        return CRAWL_SOCKS5_ERR_VERSION;
    if (buf[1] != SOCKS5_NO_AUTH)
        return CRAWL_SOCKS5_ERR_METHOD;
    *consumed = 2;
    return CRAWL_SOCKS5_OK;
}

int crawl_socks5_parse_reply(const uint8_t *buf, size_t len, size_t *consumed, uint8_t *rep)
{
    if (len < 5)
        return CRAWL_SOCKS5_NEED_MORE;
    if (buf[0] != SOCKS5_VERSION)
        return CRAWL_SOCKS5_ERR_VERSION;
    *rep = buf[1];
    if (buf[1] != 0)
        return CRAWL_SOCKS5_ERR_REFUSED;
    size_t addr_len;
    switch (buf[3]) {
    case SOCKS5_ATYP_IPV4: addr_len = 4; break;
    case SOCKS5_ATYP_IPV6: addr_len = 16; break;
    case SOCKS5_ATYP_DOMAIN: addr_len = 1 + (size_t)buf[4]; break;
    default: return CRAWL_SOCKS5_ERR_ADDRESS;
    }
    size_t total = 4 + addr_len + 2;
    if (len < total)
        return CRAWL_SOCKS5_NEED_MORE;
    *consumed = total;
    return CRAWL_SOCKS5_OK;
}
