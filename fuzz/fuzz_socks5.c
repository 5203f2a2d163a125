/* libFuzzer target: the SOCKS5 reply parsers, with a round trip of the
 * CONNECT request builder (build, then parse it back as a domain reply). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crawl/crawl_socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t used = 0;
    uint8_t rep = 0;
    if (crawl_socks5_parse_method(data, size, &used) == CRAWL_SOCKS5_OK && used > size)
        __builtin_trap();
    if (crawl_socks5_parse_reply(data, size, &used, &rep) == CRAWL_SOCKS5_OK && used > size)
        __builtin_trap();

    /* Round trip: a request for host `data` has the same layout as a reply
     * with a domain address, so the reply parser must consume it exactly. */
    char host[256];
    size_t n = size < 255 ? size : 255;
    memcpy(host, data, n);
    host[n] = 0;
    uint8_t buf[300];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    crawl_socks5_connect(&w, host, 8333);
    if (!w.err) {
        buf[1] = 0; /* CONNECT (1) in a request is "succeeded" (0) in a reply */
        if (crawl_socks5_parse_reply(buf, w.len, &used, &rep) != CRAWL_SOCKS5_OK || used != w.len)
            __builtin_trap();
    }
    return 0;
}
