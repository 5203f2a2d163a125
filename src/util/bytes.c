#include "util/bytes.h"

#include <string.h>

void reader_init(struct reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->off = 0;
    r->err = false;
}

size_t reader_remaining(const struct reader *r) { return r->err ? 0 : r->len - r->off; }

bool reader_done(const struct reader *r) { return !r->err && r->off == r->len; }

/* The single bounds check every read goes through. */
static const uint8_t *take(struct reader *r, size_t n)
{
    if (r->err || r->len - r->off < n) {
        r->err = true;
        return NULL;
    }
    const uint8_t *p = r->data + r->off;
    r->off += n;
    return p;
}

uint8_t reader_u8(struct reader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

uint16_t reader_u16le(struct reader *r)
{
    const uint8_t *p = take(r, 2);
    return p ? (uint16_t)(p[0] | p[1] << 8) : 0;
}

uint16_t reader_u16be(struct reader *r)
{
    const uint8_t *p = take(r, 2);
    return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t reader_u32le(struct reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
             : 0;
}

uint32_t reader_u32be(struct reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3]
             : 0;
}

uint64_t reader_u64le(struct reader *r)
{
    uint64_t lo = reader_u32le(r);
    uint64_t hi = reader_u32le(r);
    return lo | hi << 32;
}

void reader_bytes(struct reader *r, void *out, size_t n)
{
    const uint8_t *p = take(r, n);
    if (p)
        memcpy(out, p, n);
    else
        memset(out, 0, n);
}

const uint8_t *reader_view(struct reader *r, size_t n) { return take(r, n); }

void reader_skip(struct reader *r, size_t n) { (void)take(r, n); }

uint64_t reader_compact_size(struct reader *r, uint64_t max)
{
    uint8_t tag = reader_u8(r);
    uint64_t v, min;
    switch (tag) {
    case 0xfd: v = reader_u16le(r); min = 0xfd; break;
    case 0xfe: v = reader_u32le(r); min = 0x10000; break;
    case 0xff: v = reader_u64le(r); min = 0x100000000ULL; break;
    default: v = tag; min = 0; break;
    }
    if (r->err || v < min || v > max) {
        r->err = true;
        return 0;
    }
    return v;
}

void writer_init(struct writer *w, void *buf, size_t cap)
{
    w->data = buf;
    w->cap = cap;
    w->len = 0;
    w->err = false;
}

void writer_bytes(struct writer *w, const void *data, size_t n)
{
    if (w->err || w->cap - w->len < n) {
        w->err = true;
        return;
    }
    if (n)
        memcpy(w->data + w->len, data, n);
    w->len += n;
}

void writer_u8(struct writer *w, uint8_t v) { writer_bytes(w, &v, 1); }

void writer_u16le(struct writer *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    writer_bytes(w, b, 2);
}

void writer_u16be(struct writer *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    writer_bytes(w, b, 2);
}

void writer_u32le(struct writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    writer_bytes(w, b, 4);
}

void writer_u32be(struct writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    writer_bytes(w, b, 4);
}

void writer_u64le(struct writer *w, uint64_t v)
{
    writer_u32le(w, (uint32_t)v);
    writer_u32le(w, (uint32_t)(v >> 32));
}

void writer_compact_size(struct writer *w, uint64_t v)
{
    if (v < 0xfd) {
        writer_u8(w, (uint8_t)v);
    } else if (v <= 0xffff) {
        writer_u8(w, 0xfd);
        writer_u16le(w, (uint16_t)v);
    } else if (v <= 0xffffffffULL) {
        writer_u8(w, 0xfe);
        writer_u32le(w, (uint32_t)v);
    } else {
        writer_u8(w, 0xff);
        writer_u64le(w, v);
    }
}
