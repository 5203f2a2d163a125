#include "http/http_escape.h"

#include <stdbool.h>
#include <string.h>

#include <event2/buffer.h>

size_t http_utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t need;
    uint32_t min, v;
    if ((b & 0xe0) == 0xc0) {
        need = 2, min = 0x80, v = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
        need = 3, min = 0x800, v = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
        need = 4, min = 0x10000, v = b & 0x07;
    } else {
        goto invalid; /* continuation byte or 0xf8.. */
    }
    if (n < need)
        goto invalid;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            goto invalid;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        goto invalid;
    *cp = v;
    return need;
invalid:
    *cp = HTTP_UTF8_REPLACEMENT;
    return 1;
}

static void put_utf8(struct evbuffer *out, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp, n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xc0 | cp >> 6), b[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xe0 | cp >> 12), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | cp >> 18), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (uint8_t)(0x80 | (cp & 0x3f));
        n = 4;
    }
    evbuffer_add(out, b, n);
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
        i += http_utf8_next(p + i, len - i, &cp);
        switch (cp) {
        case '"': evbuffer_add(out, "\\\"", 2); break;
        case '\\': evbuffer_add(out, "\\\\", 2); break;
        case '\n': evbuffer_add(out, "\\n", 2); break;
        case '\r': evbuffer_add(out, "\\r", 2); break;
        case '\t': evbuffer_add(out, "\\t", 2); break;
        default:
            if (cp < 0x20 || cp == 0x7f || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 ||
                cp == 0x2029 || cp == HTTP_UTF8_REPLACEMENT)
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
        i += http_utf8_next(p + i, len - i, &cp);
        switch (cp) {
        case '&': evbuffer_add(out, "&amp;", 5); break;
        case '<': evbuffer_add(out, "&lt;", 4); break;
        case '>': evbuffer_add(out, "&gt;", 4); break;
        case '"': evbuffer_add(out, "&quot;", 6); break;
        case '\'': evbuffer_add(out, "&#39;", 5); break;
        default:
            if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp < 0xa0))
                cp = HTTP_UTF8_REPLACEMENT;
            put_utf8(out, cp);
        }
    }
}

void http_html(struct evbuffer *out, const char *s) { http_html_escape(out, s, strlen(s), 0); }
