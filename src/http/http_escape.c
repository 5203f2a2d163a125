#include "http/http_escape.h"

#include <stdbool.h>
#include <string.h>

#include <event2/buffer.h>

#include "util/utf8.h"

/* The encoder's output is at most 4 bytes; cp is always a scalar value here
 * (decoded, or U+FFFD). */
static void put_utf8(struct evbuffer *out, uint32_t cp)
{
    uint8_t b[UTF8_MAX_SEQ];
    evbuffer_add(out, b, utf8_encode(cp, b));
}

void http_json_escape(struct evbuffer *out, const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        /* Runs of plain ASCII go out in one call. */
        size_t run = i;
        while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '"' && p[run] != '\\' &&
               p[run] != '<' && p[run] != '>' && p[run] != '&')
            run++;
        if (run > i) {
            evbuffer_add(out, p + i, run - i);
            i = run;
            continue;
        }
        uint32_t cp;
        i += utf8_next(p + i, len - i, &cp, NULL);
        switch (cp) {
        case '"': evbuffer_add(out, "\\\"", 2); break;
        case '\\': evbuffer_add(out, "\\\\", 2); break;
        case '\n': evbuffer_add(out, "\\n", 2); break;
        case '\r': evbuffer_add(out, "\\r", 2); break;
        case '\t': evbuffer_add(out, "\\t", 2); break;
        default:
            if (cp < 0x20 || cp == 0x7f || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 ||
                cp == 0x2029 || cp == UTF8_REPLACEMENT)
                evbuffer_add_printf(out, "\\u%04x", (unsigned)cp);
            else
                put_utf8(out, cp);
        }
    }
}

void http_html_escape(struct evbuffer *out, const char *s, size_t len, size_t max_chars)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t chars = 0;
    for (size_t i = 0; i < len; chars++) {
        if (max_chars && chars == max_chars) {
            put_utf8(out, 0x2026); /* … */
            return;
        }
        uint32_t cp;
        i += utf8_next(p + i, len - i, &cp, NULL);
        switch (cp) {
        case '&': evbuffer_add(out, "&amp;", 5); break;
        case '<': evbuffer_add(out, "&lt;", 4); break;
        case '>': evbuffer_add(out, "&gt;", 4); break;
        case '"': evbuffer_add(out, "&quot;", 6); break;
        case '\'': evbuffer_add(out, "&#39;", 5); break;
        default:
            if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
                cp = UTF8_REPLACEMENT;
            put_utf8(out, cp);
        }
    }
}

void http_html(struct evbuffer *out, const char *s) { http_html_escape(out, s, strlen(s), 0); }
