/* Unit tests for the 24-byte message framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hex.h"
#include "p2p/frame.h"

static const uint8_t REGTEST[4] = {0xfa, 0xbf, 0xb5, 0xda};
static const uint8_t MAINNET[4] = {0xf9, 0xbe, 0xb4, 0xd9};

/* Bytes a litecoind v0.21.2.1 regtest node sent us (captured on loopback
 * with a Python socket, see tests/scenario/test_probe_litecoind.sh for the
 * same set-up): its verack. */
static const char LITECOIND_VERACK[] = "fabfb5da76657261636b000000000000000000005df6e0e2";

static size_t frame(uint8_t *buf, size_t cap, const uint8_t magic[4], const char *cmd,
                    const void *payload, size_t len)
{
    struct writer w;
    writer_init(&w, buf, cap);
    p2p_frame_write(&w, magic, cmd, payload, len);
    assert_false(w.err);
    return w.len;
}

static void test_checksum_of_empty_payload(void **state)
{
    /* sha256d("") starts 5df6e0e2: the checksum every verack carries. */
    uint8_t ck[4];
    p2p_checksum("", 0, ck);
    assert_memory_equal(ck, "\x5d\xf6\xe0\xe2", 4);
}

static void test_write_then_parse_round_trip(void **state)
{
    const char *commands[] = {"version", "verack", "addrv2", "sendaddrv2", "abcdefghijkl"};
    uint8_t payload[300];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(i * 7);
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
        for (size_t len = 0; len <= sizeof payload; len += 150) {
            uint8_t buf[512];
            size_t n = frame(buf, sizeof buf, MAINNET, commands[c], payload, len);
            assert_int_equal(n, P2P_HEADER_SIZE + len);
            struct p2p_frame f;
            assert_int_equal(p2p_frame_parse(MAINNET, buf, n, &f), P2P_FRAME_MESSAGE);
            assert_string_equal(f.command, commands[c]);
            assert_int_equal(f.payload_len, len);
            assert_int_equal(f.frame_len, n);
            assert_ptr_equal(f.payload, buf + P2P_HEADER_SIZE);
            assert_memory_equal(f.payload, payload, len);
        }
    }
}

static void test_real_node_verack(void **state)
{
    uint8_t buf[64];
    size_t n = hex_decode(LITECOIND_VERACK, buf, sizeof buf);
    struct p2p_frame f;
    assert_int_equal(p2p_frame_parse(REGTEST, buf, n, &f), P2P_FRAME_MESSAGE);
    assert_string_equal(f.command, "verack");
    assert_int_equal(f.payload_len, 0);

    uint8_t ours[64];
    assert_int_equal(frame(ours, sizeof ours, REGTEST, "verack", NULL, 0), n);
    assert_memory_equal(ours, buf, n);
}

/* Fed one byte at a time, the parser asks for more until the whole frame is
 * there, and tells the total once the header is known. */
static void test_incremental_need_more(void **state)
{
    uint8_t buf[128];
    const uint8_t payload[] = {1, 2, 3, 4, 5, 6, 7, 8};
    size_t n = frame(buf, sizeof buf, REGTEST, "ping", payload, sizeof payload);
    /* Followed by the first bytes of the next message: they must be left alone. */
    size_t total = n + frame(buf + n, sizeof buf - n, REGTEST, "verack", NULL, 0);
    for (size_t have = 0; have < n; have++) {
        struct p2p_frame f;
        assert_int_equal(p2p_frame_parse(REGTEST, buf, have, &f), P2P_FRAME_NEED_MORE);
        assert_int_equal(f.frame_len, have < P2P_HEADER_SIZE ? P2P_HEADER_SIZE : n);
    }
    struct p2p_frame f;
    assert_int_equal(p2p_frame_parse(REGTEST, buf, total, &f), P2P_FRAME_MESSAGE);
    assert_int_equal(f.frame_len, n);
    assert_string_equal(f.command, "ping");
    assert_int_equal(p2p_frame_parse(REGTEST, buf + n, total - n, &f), P2P_FRAME_MESSAGE);
    assert_string_equal(f.command, "verack");
}

static void test_wrong_magic(void **state)
{
    uint8_t buf[64];
    size_t n = frame(buf, sizeof buf, MAINNET, "verack", NULL, 0);
    struct p2p_frame f;
    assert_int_equal(p2p_frame_parse(REGTEST, buf, n, &f), P2P_FRAME_ERR_MAGIC);
    /* Refused from the first wrong byte, without waiting for a header. */
    assert_int_equal(p2p_frame_parse(REGTEST, buf, 1, &f), P2P_FRAME_ERR_MAGIC);
    const uint8_t http[] = "GET / HTTP/1.1\r\n";
    assert_int_equal(p2p_frame_parse(REGTEST, http, 3, &f), P2P_FRAME_ERR_MAGIC);
    /* A right prefix is not an error yet. */
    assert_int_equal(p2p_frame_parse(REGTEST, REGTEST, 3, &f), P2P_FRAME_NEED_MORE);
}

static void test_malformed_commands(void **state)
{
    const uint8_t bad[][P2P_COMMAND_SIZE] = {
        {'v', 'e', 'r', 0, 'a', 'c', 'k'},      /* data after the NUL */
        {'v', 'e', 'r', 'a', 'c', 'k', 0x01},   /* control byte */
        {'v', 'e', 'r', 'a', 'c', 0x80},        /* non-ASCII */
        {0},                                    /* empty */
        {'v', 'e', 'r', 'a', 'c', 'k', 0, 0, 0, 0, 0, ' '},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t buf[64];
        size_t n = frame(buf, sizeof buf, REGTEST, "verack", NULL, 0);
        memcpy(buf + 4, bad[i], P2P_COMMAND_SIZE);
        struct p2p_frame f;
        assert_int_equal(p2p_frame_parse(REGTEST, buf, n, &f), P2P_FRAME_ERR_COMMAND);
    }
}

/* The length is refused from the 24-byte header alone: no payload needed. */
static void test_length_over_limit_from_header(void **state)
{
    uint8_t hdr[P2P_HEADER_SIZE];
    size_t n = frame(hdr, sizeof hdr, REGTEST, "addr", NULL, 0);
    struct writer w;
    writer_init(&w, hdr + 16, 4);
    writer_u32le(&w, P2P_MAX_PAYLOAD + 1);
    struct p2p_frame f;
    assert_int_equal(p2p_frame_parse(REGTEST, hdr, n, &f), P2P_FRAME_ERR_LENGTH);
    writer_init(&w, hdr + 16, 4);
    writer_u32le(&w, UINT32_MAX);
    assert_int_equal(p2p_frame_parse(REGTEST, hdr, n, &f), P2P_FRAME_ERR_LENGTH);
    /* Exactly the limit is allowed: the caller is told how much to buffer. */
    writer_init(&w, hdr + 16, 4);
    writer_u32le(&w, P2P_MAX_PAYLOAD);
    assert_int_equal(p2p_frame_parse(REGTEST, hdr, n, &f), P2P_FRAME_NEED_MORE);
    assert_int_equal(f.frame_len, P2P_HEADER_SIZE + P2P_MAX_PAYLOAD);
}

static void test_bad_checksum(void **state)
{
    uint8_t buf[64];
    const uint8_t payload[] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    size_t n = frame(buf, sizeof buf, REGTEST, "pong", payload, sizeof payload);
    struct p2p_frame f;
    buf[P2P_HEADER_SIZE + 3] ^= 0x01; /* payload corrupted */
    assert_int_equal(p2p_frame_parse(REGTEST, buf, n, &f), P2P_FRAME_ERR_CHECKSUM);
    buf[P2P_HEADER_SIZE + 3] ^= 0x01;
    buf[20] ^= 0x80; /* checksum corrupted */
    assert_int_equal(p2p_frame_parse(REGTEST, buf, n, &f), P2P_FRAME_ERR_CHECKSUM);
}

static void test_writer_refuses_what_cannot_be_framed(void **state)
{
    uint8_t buf[64];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_frame_write(&w, REGTEST, "thirteenchars", NULL, 0);
    assert_true(w.err);
    writer_init(&w, buf, 30); /* header fits, payload does not */
    p2p_frame_write(&w, REGTEST, "ping", "12345678", 8);
    assert_true(w.err);
}

static void test_strerror_distinct(void **state)
{
    const int codes[] = {P2P_FRAME_ERR_MAGIC, P2P_FRAME_ERR_COMMAND, P2P_FRAME_ERR_LENGTH,
                         P2P_FRAME_ERR_CHECKSUM};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = i + 1; j < 4; j++)
            assert_string_not_equal(p2p_frame_strerror(codes[i]),
                                    p2p_frame_strerror(codes[j]));
    assert_string_equal(p2p_frame_strerror(P2P_FRAME_ERR_MAGIC), "wrong magic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_of_empty_payload),
        cmocka_unit_test(test_write_then_parse_round_trip),
        cmocka_unit_test(test_real_node_verack),
        cmocka_unit_test(test_incremental_need_more),
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_malformed_commands),
        cmocka_unit_test(test_length_over_limit_from_header),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_writer_refuses_what_cannot_be_framed),
        cmocka_unit_test(test_strerror_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
