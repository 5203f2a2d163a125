/* Fuzz target: JSON and HTML escaping of arbitrary bytes (user agents).
 * Round trip: the JSON output is decoded back and must equal the input with
 * each ill-formed subpart replaced by U+FFFD (util/utf8); the HTML output must
 * be valid UTF-8 with no markup character left unescaped. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "http/http_escape.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t put_utf8(uint8_t *out, uint32_t cp)
{
    size_t n = utf8_encode(cp, out);
    if (n == 0)
        abort(); /* a \u escape of a surrogate: the escaper never writes one */
    return n;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Decodes a JSON string body as http_json_escape writes it (no surrogate
 * pairs: it never escapes code points above U+FFFF). */
static size_t json_decode(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '"' || in[i] < 0x20)
            abort(); /* must have been escaped */
        if (in[i] != '\\') {
            out[o++] = in[i];
            continue;
        }
        if (++i == n)
            abort();
        switch (in[i]) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            if (n - i < 5)
                abort();
            uint32_t cp = 0;
            for (int k = 1; k <= 4; k++) {
                int h = hexval(in[i + k]);
                if (h < 0)
                    abort();
                cp = cp << 4 | (uint32_t)h;
            }
            i += 4;
            o += put_utf8(out + o, cp);
            break;
        }
        default: abort();
        }
    }
    return o;
}

static bool valid_utf8(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        bool ok;
        size_t used = utf8_next(s + i, n - i, NULL, &ok);
        if (!ok)
            return false;
        i += used;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* What the text means: invalid bytes become U+FFFD. */
    uint8_t *expected = malloc(size * 3 + 1);
    size_t elen = 0;
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        i += utf8_next(data + i, size - i, &cp, NULL);
        elen += put_utf8(expected + elen, cp);
    }

    struct evbuffer *b = evbuffer_new();
    http_json_escape(b, (const char *)data, size);
    size_t jlen = evbuffer_get_length(b);
    uint8_t *json = evbuffer_pullup(b, -1);
    if (!valid_utf8(json, jlen))
        abort();
    uint8_t *decoded = malloc(jlen * 3 + 1);
    size_t dlen = json_decode(json, jlen, decoded);
    if (dlen != elen || memcmp(decoded, expected, elen) != 0)
        abort();
    evbuffer_drain(b, jlen);

    http_html_escape(b, (const char *)data, size, size % 7 == 0 ? 0 : size % 41);
    size_t hlen = evbuffer_get_length(b);
    uint8_t *html = evbuffer_pullup(b, -1);
    if (!valid_utf8(html, hlen))
        abort();
    for (size_t i = 0; i < hlen; i++)
        if (html[i] == '<' || html[i] == '>' || html[i] == '"' || html[i] == '\'' ||
            (html[i] < 0x20 && html[i] != '\t' && html[i] != '\n'))
            abort();
    free(decoded);
    free(expected);
    evbuffer_free(b);
    return 0;
}
