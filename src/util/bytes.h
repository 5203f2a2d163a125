/* bytes -- bounded reader and writer for every byte that comes from outside.
 *
 * Every read checks the remaining length first; a failed read sets a sticky
 * error flag and yields zeros, so a decoder reads a whole structure field
 * after field and tests `err` once at the end. The writer is the mirror: it
 * never writes past its buffer and remembers that it ran out of room. */
#ifndef BTCSEED_BYTES_H
#define BTCSEED_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct reader {
    const uint8_t *data;
    size_t len;
    size_t off;
    bool err;
};

struct writer {
    uint8_t *data;
    size_t cap;
    size_t len;
    bool err;
};

/* Keeps a pointer to `data`, which must outlive the reader. */
void reader_init(struct reader *r, const void *data, size_t len);
size_t reader_remaining(const struct reader *r);
/* True if not in error and every byte was consumed. */
bool reader_done(const struct reader *r);

uint8_t reader_u8(struct reader *r);
uint16_t reader_u16le(struct reader *r);
uint16_t reader_u16be(struct reader *r);
uint32_t reader_u32le(struct reader *r);
uint32_t reader_u32be(struct reader *r);
uint64_t reader_u64le(struct reader *r);
/* Copies n bytes to out (zeros on error). */
void reader_bytes(struct reader *r, void *out, size_t n);
/* Returns a pointer to the next n bytes and skips them, or NULL on error. */
const uint8_t *reader_view(struct reader *r, size_t n);
void reader_skip(struct reader *r, size_t n);
/* Bitcoin CompactSize. Non-canonical encodings and values above `max` set
 * the error flag, so a count can never be used before it is capped. */
uint64_t reader_compact_size(struct reader *r, uint64_t max);

/* Keeps a pointer to `buf` of `cap` bytes. */
void writer_init(struct writer *w, void *buf, size_t cap);
void writer_u8(struct writer *w, uint8_t v);
void writer_u16le(struct writer *w, uint16_t v);
void writer_u16be(struct writer *w, uint16_t v);
void writer_u32le(struct writer *w, uint32_t v);
void writer_u32be(struct writer *w, uint32_t v);
void writer_u64le(struct writer *w, uint64_t v);
void writer_bytes(struct writer *w, const void *data, size_t n);
void writer_compact_size(struct writer *w, uint64_t v);

#endif
