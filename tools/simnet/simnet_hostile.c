#include "simnet_hostile.h"

#include <string.h>

#include "p2p/frame.h"
#include "simnet_rng.h"

#define OVERSIZED_ADDR_LEN 600 /* over BIP155's 512 */
#define TRUNCATED_CLAIM 1000
#define UNKNOWN_ADDR_MAX 40

/* One valid addrv2 entry (BIP155 layout). */
static void addrv2_entry(struct writer *w, const struct p2p_addr_entry *e)
{
    writer_u32le(w, e->time);
    writer_compact_size(w, e->services);
    size_t len = netaddr_len(e->addr.net);
    writer_u8(w, e->addr.net);
    writer_compact_size(w, len);
    writer_bytes(w, e->addr.bytes, len);
    writer_u16be(w, e->addr.port);
}

static void addr_entry(struct writer *w, const struct p2p_addr_entry *e)
{
    uint8_t legacy[16];
    if (netaddr_to_legacy(&e->addr, legacy) != 0)
        memset(legacy, 0, sizeof legacy);
    writer_u32le(w, e->time);
    writer_u64le(w, e->services);
    writer_bytes(w, legacy, sizeof legacy);
    writer_u16be(w, e->addr.port);
}

static void raw_entry(struct writer *w, uint32_t time, uint8_t net, const uint8_t *bytes,
                      size_t len)
{
    writer_u32le(w, time);
    writer_compact_size(w, 1);
    writer_u8(w, net);
    writer_compact_size(w, len);
    writer_bytes(w, bytes, len);
    writer_u16be(w, 8333);
}

void simnet_hostile_addrv2_unknown(struct writer *w, const struct p2p_addr_entry *entries,
                                   size_t count, uint64_t salt)
{
    writer_compact_size(w, count * 2);
    for (size_t i = 0; i < count; i++) {
        addrv2_entry(w, &entries[i]);
        uint8_t junk[UNKNOWN_ADDR_MAX];
        uint64_t h = simnet_mix(salt + i);
        for (size_t k = 0; k < sizeof junk; k++)
            junk[k] = (uint8_t)simnet_mix(h + k);
        switch (i % 3) {
        case 0:
            raw_entry(w, entries[i].time, NETADDR_TORV2, junk, SIMNET_TORV2_LEN);
            break;
        case 1:
            raw_entry(w, entries[i].time, SIMNET_UNKNOWN_NET_A, junk, 20);
            break;
        default:
            raw_entry(w, entries[i].time, SIMNET_UNKNOWN_NET_B, junk,
                      simnet_below(h, UNKNOWN_ADDR_MAX + 1));
            break;
        }
    }
}

void simnet_hostile_addrv2_bad_length(struct writer *w, const struct p2p_addr_entry *entries,
                                      size_t count)
{
    static const uint8_t sixteen[16] = {10, 0, 0, 1};
    writer_compact_size(w, count + 1);
    for (size_t i = 0; i < count; i++) {
        if (i == count / 2)
            raw_entry(w, entries[i].time, NETADDR_IPV4, sixteen, sizeof sixteen);
        addrv2_entry(w, &entries[i]);
    }
    if (count == 0)
        raw_entry(w, 0, NETADDR_IPV4, sixteen, sizeof sixteen);
}

void simnet_hostile_addrv2_oversized(struct writer *w, uint32_t now)
{
    static const uint8_t big[OVERSIZED_ADDR_LEN];
    writer_compact_size(w, 1);
    raw_entry(w, now, SIMNET_UNKNOWN_NET_A, big, sizeof big);
}

void simnet_hostile_addr_truncated(struct writer *w, const struct p2p_addr_entry *entries,
                                   size_t count, int addrv2)
{
    writer_compact_size(w, TRUNCATED_CLAIM);
    for (size_t i = 0; i < count && i < TRUNCATED_CLAIM - 1; i++) {
        if (addrv2)
            addrv2_entry(w, &entries[i]);
        else
            addr_entry(w, &entries[i]);
    }
}

void simnet_hostile_addr_too_many(struct writer *w, const struct p2p_addr_entry *entries,
                                  size_t count)
{
    writer_compact_size(w, P2P_MAX_ADDR + 1);
    for (size_t i = 0; count > 0 && i < P2P_MAX_ADDR + 1; i++)
        addr_entry(w, &entries[i % count]);
}

void simnet_hostile_huge_header(struct writer *w, const uint8_t magic[4])
{
    char command[P2P_COMMAND_SIZE] = "version";
    writer_bytes(w, magic, 4);
    writer_bytes(w, command, sizeof command);
    writer_u32le(w, UINT32_MAX);
    writer_u32le(w, 0);
}
