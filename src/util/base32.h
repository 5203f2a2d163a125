/* base32 -- RFC 4648 base32, lowercase, no padding: the alphabet of Tor v3
 * .onion names and I2P .b32.i2p names (OpenSSL has no base32). */
#ifndef BTCSEED_BASE32_H
#define BTCSEED_BASE32_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode n bytes (without padding or NUL). */
#define BASE32_ENCODED_LEN(n) (((n) * 8 + 4) / 5)

/* Writes BASE32_ENCODED_LEN(len) lowercase characters and a NUL to out,
 * which must hold BASE32_ENCODED_LEN(len) + 1 bytes. */
void base32_encode(const uint8_t *data, size_t len, char *out);

/* Decodes exactly `text_len` characters (either case, no padding) into
 * exactly `out_len` bytes. Returns 0, or -1 if a character is not in the
 * alphabet, the length does not match `out_len`, or the unused low bits of
 * the last character are not zero (so every byte string has exactly one
 * accepted text form). */
int base32_decode(const char *text, size_t text_len, uint8_t *out, size_t out_len);

#endif
