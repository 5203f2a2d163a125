#include "p2p/frame.h"

#include <string.h>

#include <openssl/sha.h>

#define MAGIC_SIZE 4
#define CHECKSUM_SIZE 4

/* Printable ASCII, as Bitcoin Core's CMessageHeader::IsCommandValid. */
#define COMMAND_MIN_CHAR 0x20
#define COMMAND_MAX_CHAR 0x7e

void p2p_checksum(const void *data, size_t len, uint8_t out[4])
{
    uint8_t first[SHA256_DIGEST_LENGTH], second[SHA256_DIGEST_LENGTH];
    SHA256(data, len, first);
    SHA256(first, sizeof first, second);
    memcpy(out, second, CHECKSUM_SIZE);
}

/* A command is 1..12 printable characters, then NULs only up to 12 bytes.
 * An empty command is refused too: no message is called "". */
static bool command_valid(const uint8_t cmd[P2P_COMMAND_SIZE])
{
    size_t n = 0;
    while (n < P2P_COMMAND_SIZE && cmd[n] != 0) {
        if (cmd[n] < COMMAND_MIN_CHAR || cmd[n] > COMMAND_MAX_CHAR)
            return false;
        n++;
    }
    if (n == 0)
        return false;
    for (size_t i = n; i < P2P_COMMAND_SIZE; i++)
        if (cmd[i] != 0)
            return false;
    return true;
}

int p2p_frame_parse(const uint8_t magic[4], const uint8_t *buf, size_t len,
                    struct p2p_frame *out)
{
    out->frame_len = P2P_HEADER_SIZE;
    /* Garbage is refused as soon as the bytes seen so far cannot start the
     * magic, so a peer speaking another protocol is dropped without waiting
     * for a whole header. */
    size_t seen = len < MAGIC_SIZE ? len : MAGIC_SIZE;
    if (seen > 0 && memcmp(buf, magic, seen) != 0)
        return P2P_FRAME_ERR_MAGIC;
    if (len < P2P_HEADER_SIZE)
        return P2P_FRAME_NEED_MORE;

    struct reader r;
    reader_init(&r, buf, len);
    reader_skip(&r, MAGIC_SIZE);
    const uint8_t *cmd = reader_view(&r, P2P_COMMAND_SIZE);
    uint32_t payload_len = reader_u32le(&r);
    const uint8_t *checksum = reader_view(&r, CHECKSUM_SIZE);
    if (!command_valid(cmd))
        return P2P_FRAME_ERR_COMMAND;
    if (payload_len > P2P_MAX_PAYLOAD)
        return P2P_FRAME_ERR_LENGTH;

    out->frame_len = (size_t)P2P_HEADER_SIZE + payload_len;
    if (reader_remaining(&r) < payload_len)
        return P2P_FRAME_NEED_MORE;

    const uint8_t *payload = reader_view(&r, payload_len);
    uint8_t expect[CHECKSUM_SIZE];
    p2p_checksum(payload, payload_len, expect);
    if (memcmp(expect, checksum, CHECKSUM_SIZE) != 0)
        return P2P_FRAME_ERR_CHECKSUM;

    memcpy(out->command, cmd, P2P_COMMAND_SIZE);
    out->command[P2P_COMMAND_SIZE] = '\0';
    out->payload = payload;
    out->payload_len = payload_len;
    return P2P_FRAME_MESSAGE;
}

const char *p2p_frame_strerror(int status)
{
    switch (status) {
    case P2P_FRAME_NEED_MORE: return "message incomplete";
    case P2P_FRAME_MESSAGE: return "message complete";
    case P2P_FRAME_ERR_MAGIC: return "wrong magic";
    case P2P_FRAME_ERR_COMMAND: return "malformed command";
    case P2P_FRAME_ERR_LENGTH: return "payload length over 4000000 bytes";
    case P2P_FRAME_ERR_CHECKSUM: return "bad checksum";
    default: return "unknown framing status";
    }
}

void p2p_frame_write(struct writer *w, const uint8_t magic[4], const char *command,
                     const void *payload, size_t payload_len)
{
    uint8_t cmd[P2P_COMMAND_SIZE] = {0};
    size_t n = strnlen(command, P2P_COMMAND_SIZE + 1);
    if (n > P2P_COMMAND_SIZE || payload_len > P2P_MAX_PAYLOAD) {
        w->err = true;
        return;
    }
    memcpy(cmd, command, n);
    uint8_t checksum[CHECKSUM_SIZE];
    p2p_checksum(payload, payload_len, checksum);
    writer_bytes(w, magic, MAGIC_SIZE);
    writer_bytes(w, cmd, sizeof cmd);
    writer_u32le(w, (uint32_t)payload_len);
    writer_bytes(w, checksum, sizeof checksum);
    writer_bytes(w, payload, payload_len);
}
