/* bench_simnet -- how many full handshakes with a getaddr answer per second
 * btcseed-simnet serves: a tight epoll client keeps N connections busy, each
 * doing connect, version, (their version, sendaddrv2, verack), getaddr, and
 * reading addr/addrv2 until the wanted number of entries is in, then closing
 * and dialing the next target. Frames are parsed and checksummed with the
 * project's codec, as a crawler would; entries are counted, not decoded.
 *
 *   bench_simnet --targets FILE [--connections N] [--seconds S] [--want N]
 *                [--chain NAME]
 * FILE: one IP:PORT per line (bench/simnet.sh writes it from the manifest). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/chain.h"
#include "net/netaddr.h"
#include "p2p/frame.h"
#include "p2p/msg.h"
#include "util/bytes.h"

#define IN_CAP (P2P_HEADER_SIZE + 40000) /* a 1000-entry addrv2 fits */
#define MAX_EVENTS 256
#define MAX_TARGETS 2000000

struct client {
    int fd;
    int state; /* 0 connecting, 1 handshaking, 2 collecting */
    size_t in_len;
    size_t entries;
    uint8_t in[IN_CAP];
};

static struct {
    const chain_params_t *chain;
    netaddr_t *targets;
    size_t ntargets, next;
    size_t want;
    uint64_t done, failed, entries, bytes;
    int ep;
    uint8_t hello[512];   /* our version */
    size_t hello_len;
    uint8_t after[128];   /* sendaddrv2, verack, getaddr */
    size_t after_len;
} g;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void build_messages(void)
{
    struct p2p_version v;
    memset(&v, 0, sizeof v);
    v.version = P2P_PROTOCOL_VERSION;
    v.timestamp = (int64_t)time(NULL);
    v.recv_addr.net = NETADDR_IPV6;
    v.from_addr.net = NETADDR_IPV6;
    v.nonce = 42;
    snprintf(v.user_agent, sizeof v.user_agent, "/bench_simnet:0.1/");
    uint8_t payload[300];
    struct writer w;
    writer_init(&w, payload, sizeof payload);
    p2p_version_encode(&w, &v);
    struct writer out;
    writer_init(&out, g.hello, sizeof g.hello);
    p2p_frame_write(&out, g.chain->magic, "version", payload, w.len);
    g.hello_len = out.len;
    writer_init(&out, g.after, sizeof g.after);
    p2p_frame_write(&out, g.chain->magic, "sendaddrv2", NULL, 0);
    p2p_frame_write(&out, g.chain->magic, "verack", NULL, 0);
    p2p_frame_write(&out, g.chain->magic, "getaddr", NULL, 0);
    g.after_len = out.len;
}

static int dial(struct client *c)
{
    const netaddr_t *a = &g.targets[g.next++ % g.ntargets];
    struct sockaddr_storage ss;
    socklen_t len;
    if (netaddr_to_sockaddr(a, &ss, &len) != 0)
        return -1;
    c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
        close(c->fd);
        return -1;
    }
    c->state = 0;
    c->in_len = 0;
    c->entries = 0;
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
    return epoll_ctl(g.ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void finish(struct client *c, bool ok)
{
    close(c->fd);
    if (ok) {
        g.done++;
        g.entries += c->entries;
    } else {
        g.failed++;
    }
    while (dial(c) != 0)
        g.failed++;
}

static int send_all(int fd, const uint8_t *p, size_t len)
{
    /* Tiny messages into an empty socket buffer: one send suffices. */
    return send(fd, p, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* Returns 1 when the client is done, 0 to keep reading, -1 on error. */
static int on_message(struct client *c, const struct p2p_frame *f)
{
    if (strcmp(f->command, "version") == 0)
        return send_all(c->fd, g.after, g.after_len) == 0 ? 0 : -1;
    if (strcmp(f->command, "addr") == 0 || strcmp(f->command, "addrv2") == 0) {
        struct reader r;
        reader_init(&r, f->payload, f->payload_len);
        uint64_t n = reader_compact_size(&r, P2P_MAX_ADDR);
        if (r.err)
            return -1;
        c->entries += n;
        return c->entries >= g.want ? 1 : 0;
    }
    return 0;
}

static void on_event(struct client *c, uint32_t events)
{
    if (c->state == 0) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err || (events & (EPOLLERR | EPOLLHUP)) || send_all(c->fd, g.hello, g.hello_len)) {
            finish(c, false);
            return;
        }
        c->state = 1;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev);
        return;
    }
    ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        finish(c, false);
        return;
    }
    g.bytes += (uint64_t)n;
    c->in_len += (size_t)n;
    size_t off = 0;
    for (;;) {
        struct p2p_frame f;
        int r = p2p_frame_parse(g.chain->magic, c->in + off, c->in_len - off, &f);
        if (r == P2P_FRAME_NEED_MORE) {
            if (f.frame_len > sizeof c->in) {
                finish(c, false);
                return;
            }
            break;
        }
        int s = r == P2P_FRAME_MESSAGE ? on_message(c, &f) : -1;
        if (s != 0) {
            finish(c, s > 0);
            return;
        }
        off += f.frame_len;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

static int load_targets(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    g.targets = calloc(MAX_TARGETS, sizeof *g.targets);
    char line[128];
    while (g.targets && g.ntargets < MAX_TARGETS && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] && netaddr_parse(line, g.chain->default_port, &g.targets[g.ntargets]) == 0)
            g.ntargets++;
    }
    fclose(f);
    if (g.ntargets == 0) {
        fprintf(stderr, "bench_simnet: no targets in %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *targets = NULL;
    long conns = 500;
    double seconds = 5;
    g.want = P2P_MAX_ADDR;
    g.chain = chain_by_name("main");
    static const struct option opts[] = {
        {"targets", required_argument, NULL, 't'}, {"connections", required_argument, NULL, 'c'},
        {"seconds", required_argument, NULL, 's'}, {"want", required_argument, NULL, 'w'},
        {"chain", required_argument, NULL, 'n'},   {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 't': targets = optarg; break;
        case 'c': conns = strtol(optarg, NULL, 10); break;
        case 's': seconds = strtod(optarg, NULL); break;
        case 'w': g.want = strtoul(optarg, NULL, 10); break;
        case 'n': g.chain = chain_by_name(optarg); break;
        default: return 2;
        }
    }
    if (!targets || !g.chain || conns < 1 || conns > 15000 || !(seconds > 0)) {
        fprintf(stderr, "usage: bench_simnet --targets FILE [--connections N] [--seconds S] "
                        "[--want N] [--chain NAME]\n");
        return 2;
    }
    if (load_targets(targets) != 0)
        return 1;
    build_messages();
    g.ep = epoll_create1(EPOLL_CLOEXEC);
    struct client *clients = calloc((size_t)conns, sizeof *clients);
    if (g.ep < 0 || !clients)
        return 1;
    for (long i = 0; i < conns; i++)
        if (dial(&clients[i]) != 0)
            return 1;
    double start = now_s(), end = start + seconds;
    struct epoll_event events[MAX_EVENTS];
    while (now_s() < end) {
        int n = epoll_wait(g.ep, events, MAX_EVENTS, 100);
        for (int i = 0; i < n; i++)
            on_event(events[i].data.ptr, events[i].events);
    }
    double elapsed = now_s() - start;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    printf("connections %ld, %.1f s: %llu handshakes with getaddr answers, %.0f per second; "
           "%.0f entries per answer; %llu failed; %.1f MB/s received; client CPU %.0f us per "
           "handshake\n",
           conns, elapsed, (unsigned long long)g.done, g.done / elapsed,
           g.done ? (double)g.entries / g.done : 0.0, (unsigned long long)g.failed,
           g.bytes / elapsed / 1e6, g.done ? cpu / g.done * 1e6 : 0.0);
    printf("handshakes=%llu\n", (unsigned long long)g.done);
    return g.done > 0 ? 0 : 1;
}
