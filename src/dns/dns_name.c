#include "dns/dns_name.h"

#include <string.h>

int dns_name_read(struct reader *r, uint8_t out[DNS_MAX_NAME], size_t *out_len)
{
    /* cur walks the labels; once a pointer has been taken, r no longer moves. */
    struct reader cur = *r;
    size_t len = 0;
    size_t hops = 0;
    size_t segment_start = cur.off; /* pointers must land before this */
    bool jumped = false;

    for (;;) {
        uint8_t n = reader_u8(&cur);
        if (cur.err)
            goto fail;
        if ((n & DNS_LABEL_POINTER) == DNS_LABEL_POINTER) {
            uint16_t target = (uint16_t)(((n & ~DNS_LABEL_POINTER) << 8) | reader_u8(&cur));
            if (cur.err || ++hops > DNS_MAX_POINTERS || target >= segment_start)
                goto fail;
            if (!jumped) {
                r->off = cur.off;
                jumped = true;
            }
            cur.off = target;
            segment_start = target;
            continue;
        }
        if (n & DNS_LABEL_POINTER) /* 0x40 and 0x80: extended/reserved label types */
            goto fail;
        if (len + 1 + n > DNS_MAX_NAME)
            goto fail;
        out[len++] = n;
        if (n == 0)
            break;
        const uint8_t *label = reader_view(&cur, n);
        if (!label)
            goto fail;
        memcpy(out + len, label, n);
        len += n;
    }
    if (!jumped)
        r->off = cur.off;
    *out_len = len;
    return 0;
fail:
    r->err = true;
    r->off = r->len;
    return -1;
}

static uint8_t lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c; }

bool dns_name_bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* Appends one label; returns -1 if it is empty or would not fit. */
static int append_label(uint8_t out[DNS_MAX_NAME], size_t *len, const char *s, size_t n)
{
    if (n == 0 || n > DNS_MAX_LABEL || *len + 1 + n + 1 > DNS_MAX_NAME)
        return -1;
    out[(*len)++] = (uint8_t)n;
    for (size_t i = 0; i < n; i++)
        out[(*len)++] = lower((uint8_t)s[i]);
    return 0;
}

static int append_dotted(const char *text, uint8_t out[DNS_MAX_NAME], size_t *len)
{
    size_t tlen = strlen(text);
    if (tlen > 0 && text[tlen - 1] == '.')
        tlen--;
    if (tlen == 0)
        return -1;
    const char *p = text, *end = text + tlen;
    while (p < end) {
        const char *dot = memchr(p, '.', (size_t)(end - p));
        const char *label_end = dot ? dot : end;
        if (append_label(out, len, p, (size_t)(label_end - p)) < 0)
            return -1;
        p = dot ? dot + 1 : end;
        if (dot && p == end) /* "a..": empty last label */
            return -1;
    }
    out[(*len)++] = 0;
    return 0;
}

int dns_name_from_text(const char *text, uint8_t out[DNS_MAX_NAME], size_t *out_len)
{
    size_t len = 0;
    if (append_dotted(text, out, &len) < 0)
        return -1;
    *out_len = len;
    return 0;
}

int dns_name_from_mbox(const char *text, uint8_t out[DNS_MAX_NAME], size_t *out_len)
{
    const char *at = strchr(text, '@');
    if (!at)
        return dns_name_from_text(text, out, out_len);
    size_t len = 0;
    if (strchr(at + 1, '@') || append_label(out, &len, text, (size_t)(at - text)) < 0 ||
        append_dotted(at + 1, out, &len) < 0)
        return -1;
    *out_len = len;
    return 0;
}

size_t dns_name_labels(const uint8_t *name, size_t len, uint8_t *offsets, size_t max)
{
    size_t count = 0;
    for (size_t off = 0; off < len && name[off] != 0; off += 1 + name[off]) {
        if (count < max)
            offsets[count] = (uint8_t)off;
        count++;
    }
    return count;
}
