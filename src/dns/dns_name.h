/* dns_name -- domain names in wire form: reading them out of untrusted
 * packets, converting operator text, comparing without regard to case.
 *
 * A wire name is a sequence of labels, each a length byte (1..63) and that
 * many bytes, ended by the zero-length root label; at most 255 bytes. */
#ifndef BTCSEED_DNS_NAME_H
#define BTCSEED_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns_wire.h"
#include "util/bytes.h"

/* Reads the name at r's position into out (uncompressed, case kept) and
 * advances r past it. Compression pointers are followed only backwards (so
 * no loop is possible) and at most DNS_MAX_POINTERS times; reserved label
 * types, over-long labels or names, and pointers out of range fail.
 * Returns 0, or -1 with r's error flag set. */
int dns_name_read(struct reader *r, uint8_t out[DNS_MAX_NAME], size_t *out_len);

/* Converts "seed.example.org" or "seed.example.org." to lower-case wire form.
 * Returns 0, or -1 for empty labels, labels over 63 bytes, names over 255. */
int dns_name_from_text(const char *text, uint8_t out[DNS_MAX_NAME], size_t *out_len);

/* Converts an e-mail address "hostmaster@example.org" (or an already dotted
 * "hostmaster.example.org") to the SOA RNAME wire form, the local part being
 * one label. Returns 0 or -1. */
int dns_name_from_mbox(const char *text, uint8_t out[DNS_MAX_NAME], size_t *out_len);

/* Case-insensitive (ASCII only, RFC 4343) comparison of n bytes of wire name. */
bool dns_name_bytes_equal(const uint8_t *a, const uint8_t *b, size_t n);

/* Counts the labels of a well-formed wire name (the root label not counted)
 * and stores the offset of each label in offsets (up to max entries).
 * Returns the number of labels. */
size_t dns_name_labels(const uint8_t *name, size_t len, uint8_t *offsets, size_t max);

#endif
