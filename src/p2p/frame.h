/* frame -- the 24-byte header that frames every Bitcoin P2P message.
 *
 *   0      4              16        20         24
 *   +------+--------------+---------+----------+-----------------+
 *   |magic | command, NUL | length  | checksum | payload (length)|
 *   |      | padded ASCII | u32 LE  | sha256d  |                 |
 *   +------+--------------+---------+----------+-----------------+
 *
 * The parser only peeks: it never consumes. When a message is not whole yet
 * the caller leaves its buffer as it is and waits for more bytes. A length
 * over P2P_MAX_PAYLOAD is refused from the header alone, before any payload
 * is buffered. */
#ifndef BTCSEED_P2P_FRAME_H
#define BTCSEED_P2P_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"

#define P2P_HEADER_SIZE 24
#define P2P_COMMAND_SIZE 12
#define P2P_MAX_PAYLOAD 4000000

enum p2p_frame_status {
    P2P_FRAME_NEED_MORE = 0,
    P2P_FRAME_MESSAGE = 1,
    P2P_FRAME_ERR_MAGIC = -1,
    P2P_FRAME_ERR_COMMAND = -2,  /* non-printable byte, or data after the NUL */
    P2P_FRAME_ERR_LENGTH = -3,   /* payload length over P2P_MAX_PAYLOAD */
    P2P_FRAME_ERR_CHECKSUM = -4,
};

struct p2p_frame {
    char command[P2P_COMMAND_SIZE + 1]; /* NUL-terminated */
    const uint8_t *payload;             /* points into the caller's buffer */
    uint32_t payload_len;
    size_t frame_len;                   /* header + payload: bytes to consume */
};

/* Looks at buf[0..len). On P2P_FRAME_MESSAGE fills `out`; on
 * P2P_FRAME_NEED_MORE sets out->frame_len to the total bytes needed when the
 * header is known (else P2P_HEADER_SIZE); errors are negative. */
int p2p_frame_parse(const uint8_t magic[4], const uint8_t *buf, size_t len,
                    struct p2p_frame *out);
/* A short, fixed description of a status ("wrong magic", ...). */
const char *p2p_frame_strerror(int status);

/* Writes a whole message (header + payload) to w. */
void p2p_frame_write(struct writer *w, const uint8_t magic[4], const char *command,
                     const void *payload, size_t payload_len);

/* First four bytes of SHA256(SHA256(data)), from OpenSSL's libcrypto. */
void p2p_checksum(const void *data, size_t len, uint8_t out[4]);

#endif
