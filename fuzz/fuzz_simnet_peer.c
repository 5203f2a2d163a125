/* fuzz_simnet_peer -- a simulated node of every behaviour fed arbitrary bytes
 * as its peer's stream, over a socketpair, through the real event loop: it
 * must never crash, read out of bounds or leak, whatever it is sent.
 *
 * Input: byte 0 picks the node (the network holds every behaviour and onion
 * nodes), or with its top bit set, simnet's SOCKS5 proxy (the stream then
 * starts with a negotiation that picks the node); the rest is what the peer
 * sends, in two writes split at byte 1's position. */
#include <event2/event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "simnet_peer.h"
#include "simnet_socks5.h"
#include "simnet_worker.h"

#define NODES 64
#define LOOPS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct simnet_model model;
static struct simnet_runtime rt;
static struct simnet_worker *worker;

static void setup(void)
{
    struct simnet_config c;
    memset(&c, 0, sizeof c);
    c.seed = 3;
    c.chain = chain_by_name("regtest");
    c.nodes = NODES;
    for (int b = SIMNET_CHURN; b < SIMNET_BEHAVIOUR_COUNT; b++)
        c.count[b] = 3;
    c.onion_nodes = 8;
    c.port = 18444;
    c.alt_port = 18445;
    c.dead_port = 18446;
    c.best_height = 20000;
    char err[100];
    if (simnet_model_init(&model, &c, err, sizeof err) != 0)
        abort();
    rt.time_scale = 1;
    rt.epoch = 1700000000;
    clock_gettime(CLOCK_MONOTONIC, &rt.start);
    rt.trickle_ms = 1;
    rt.flood_ms = 1;
    worker = calloc(1, sizeof *worker);
    if (!worker || !(worker->base = event_base_new()))
        abort();
    worker->model = &model;
    worker->rt = &rt;
}

static void drain(int fd)
{
    uint8_t buf[65536];
    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        setup();
        ready = true;
    }
    if (size < 2)
        return 0;
    bool socks = data[0] & 0x80;
    uint32_t index = data[0] % NODES;
    const uint8_t *stream = data + 2;
    size_t len = size - 2, split = len ? data[1] % (len + 1) : 0;
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        abort();
    netaddr_t remote;
    static const uint8_t ip[4] = {127, 0, 0, 1};
    netaddr_set_ipv4(&remote, ip, 40000);
    if (socks)
        simnet_socks5_start(worker, fds[0], &remote);
    else
        simnet_peer_start(worker, fds[0], index, &remote);
    const uint8_t *parts[2] = {stream, stream + split};
    size_t lens[2] = {split, len - split};
    for (int p = 0; p < 2; p++) {
        if (lens[p] && send(fds[1], parts[p], lens[p], MSG_NOSIGNAL) < 0)
            break;
        for (int i = 0; i < LOOPS; i++) {
            event_base_loop(worker->base, EVLOOP_NONBLOCK);
            drain(fds[1]);
        }
    }
    /* The peer leaves: the node notices and frees the connection. */
    close(fds[1]);
    for (int i = 0; i < LOOPS; i++)
        event_base_loop(worker->base, EVLOOP_NONBLOCK);
    return 0;
}
