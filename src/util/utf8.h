/* utf8 -- decoding untrusted bytes (user agents, names from peers) as UTF-8,
 * and encoding code points.
 *
 * Ill-formed input is replaced the way Unicode recommends ("maximal
 * subparts", chapter 3.9) and Python's bytes.decode('utf-8', 'replace'),
 * browsers and ICU do it: each maximal ill-formed subpart -- the longest
 * start of what could have been a well-formed sequence, or else one byte --
 * becomes one U+FFFD. So "\xe2\x82A" is U+FFFD 'A' (not two U+FFFD), and
 * text escaped by btcseed reads the same as the raw bytes decoded by any of
 * those. */
#ifndef BTCSEED_UTF8_H
#define BTCSEED_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xfffdu
#define UTF8_REPLACEMENT_BYTES "\xef\xbf\xbd" /* U+FFFD encoded */
#define UTF8_MAX_SEQ 4                        /* bytes of the longest sequence */
#define UTF8_MAX_CODE_POINT 0x10ffffu

/* Decodes one character at s[0..len); len must be >= 1. Returns how many
 * bytes it covers, and:
 *   - a well-formed sequence (1 to 4 bytes): *valid true, *cp its code point;
 *   - a maximal ill-formed subpart (1 to 3 bytes): *valid false,
 *     *cp UTF8_REPLACEMENT.
 * Either out-parameter may be NULL. A loop writing *cp for each step gives
 * exactly what Python's decode(..., 'replace') gives; *valid tells a
 * replaced subpart from a U+FFFD that was in the input, for callers that
 * copy well-formed bytes through unchanged. */
size_t utf8_next(const uint8_t *s, size_t len, uint32_t *cp, bool *valid);

/* Encodes the scalar value cp (not a surrogate, at most
 * UTF8_MAX_CODE_POINT) into out. Returns the length, 1 to 4, or 0 (out
 * untouched) if cp is not a scalar value. */
size_t utf8_encode(uint32_t cp, uint8_t out[UTF8_MAX_SEQ]);

#endif
