#include "crawl/crawl_peer.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/rand.h>

#include "crawl/crawl_socks5.h"
#include "p2p/frame.h"

/* Bitcoin Core's MIN_PEER_PROTO_VERSION: older peers are disconnected. */
#define MIN_PEER_PROTO_VERSION 31800
#define MAX_BEFORE_VERSION 16
#define READ_CHUNK 1024

enum peer_state {
    PEER_CONNECTING,
    PEER_PROXY_METHOD, /* greeting sent, waiting for the method choice */
    PEER_PROXY_REPLY,  /* CONNECT sent, waiting for the proxy's answer */
    PEER_HANDSHAKE,    /* our version sent, waiting for theirs and verack */
    PEER_ADDRS,        /* getaddr sent, collecting */
};

struct crawl_peer {
    struct bufferevent *bev;
    struct event *deadline;   /* the current stage's deadline */
    struct event *quiet;      /* ends address collection after a quiet period */
    const struct crawl_peer_config *cfg;
    netaddr_t target;
    bool via_proxy;
    bool want_addrs;
    bool got_verack;
    uint32_t before_version; /* messages ignored before the version */
    enum peer_state state;
    struct timespec started;
    struct crawl_peer_result result;
    crawl_peer_addrs_fn on_addrs;
    crawl_peer_done_fn on_done;
    void *ctx;
};

static const char *const fail_names[CRAWL_FAIL_COUNT] = {
    [CRAWL_OK] = "ok",
    [CRAWL_FAIL_REFUSED] = "refused",
    [CRAWL_FAIL_CONNECT_TIMEOUT] = "connect_timeout",
    [CRAWL_FAIL_HANDSHAKE_TIMEOUT] = "handshake_timeout",
    [CRAWL_FAIL_CLOSED] = "closed",
    [CRAWL_FAIL_PROTOCOL] = "protocol",
    [CRAWL_FAIL_PROXY] = "proxy",
    [CRAWL_FAIL_LOCAL] = "local",
};

const char *crawl_fail_name(enum crawl_fail reason)
{
    return reason < CRAWL_FAIL_COUNT ? fail_names[reason] : "unknown";
}

static uint32_t elapsed_ms(const struct crawl_peer *p)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms = (int64_t)(now.tv_sec - p->started.tv_sec) * 1000 +
                 (now.tv_nsec - p->started.tv_nsec) / 1000000;
    return ms < 0 ? 0 : (uint32_t)ms;
}

static void release(struct crawl_peer *p)
{
    if (p->bev)
        bufferevent_free(p->bev);
    if (p->deadline)
        event_free(p->deadline);
    if (p->quiet)
        event_free(p->quiet);
    free(p);
}

/* Ends the visit: everything is released before the callback runs, so the
 * callback may start new visits or free whatever it likes. */
static void finish(struct crawl_peer *p, enum crawl_fail reason, const char *detail)
{
    struct crawl_peer_result result = p->result;
    crawl_peer_done_fn done = p->on_done;
    void *ctx = p->ctx;
    result.reason = reason;
    if (detail)
        snprintf(result.detail, sizeof result.detail, "%s", detail);
    release(p);
    done(ctx, &result);
}

/* Arms the stage deadline: `ms` from now, but never past the visit's end. */
static void arm_deadline(struct crawl_peer *p, uint32_t ms)
{
    uint32_t spent = elapsed_ms(p);
    uint32_t left = p->cfg->visit_timeout_ms > spent ? p->cfg->visit_timeout_ms - spent : 0;
    if (ms > left)
        ms = left;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(p->deadline, &tv);
}

static void send_message(struct crawl_peer *p, const char *command, const uint8_t *payload,
                         size_t len)
{
    uint8_t buf[P2P_HEADER_SIZE + 512];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_frame_write(&w, p->cfg->chain->magic, command, payload, len);
    if (!w.err)
        bufferevent_write(p->bev, buf, w.len);
}

/* Our version's nonce only has to differ between connections (a node uses
 * it to notice that it dialed itself): splitmix64 seeded once from the
 * system's randomness, instead of a RAND_bytes call (and its lock) per
 * visit, which showed in the profile. */
static uint64_t next_nonce(void)
{
    static _Thread_local uint64_t state;
    static _Thread_local bool seeded;
    if (!seeded) {
        RAND_bytes((uint8_t *)&state, sizeof state);
        seeded = true;
    }
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void send_version(struct crawl_peer *p)
{
    struct p2p_version v;
    memset(&v, 0, sizeof v);
    v.version = P2P_PROTOCOL_VERSION;
    v.services = 0; /* we serve nothing */
    v.timestamp = (int64_t)time(NULL);
    v.recv_addr = p->target;
    v.from_addr.net = NETADDR_IPV6; /* all zero: "unknown" */
    v.nonce = next_nonce();
    snprintf(v.user_agent, sizeof v.user_agent, "/btcseed:%s/", BTCSEED_VERSION);
    v.start_height = 0;
    v.relay = false;
    uint8_t payload[512];
    struct writer w;
    writer_init(&w, payload, sizeof payload);
    p2p_version_encode(&w, &v);
    send_message(p, "version", payload, w.len);
    p->state = PEER_HANDSHAKE;
    arm_deadline(p, p->cfg->handshake_timeout_ms);
}

static void start_proxy(struct crawl_peer *p)
{
    uint8_t buf[8];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    crawl_socks5_greeting(&w);
    bufferevent_write(p->bev, buf, w.len);
    p->state = PEER_PROXY_METHOD;
    arm_deadline(p, p->cfg->connect_timeout_ms);
}

/* Proxy stages. Returns false when the visit has ended. */
static bool handle_proxy(struct crawl_peer *p, struct evbuffer *in)
{
    size_t len = evbuffer_get_length(in), used = 0;
    const uint8_t *buf = evbuffer_pullup(in, (ssize_t)(len < 300 ? len : 300));
    int st;
    if (p->state == PEER_PROXY_METHOD) {
        st = crawl_socks5_parse_method(buf, len, &used);
        if (st == CRAWL_SOCKS5_OK) {
            evbuffer_drain(in, used);
            char host[NETADDR_STRLEN];
            netaddr_format_host(&p->target, host, sizeof host);
            uint8_t req[300];
            struct writer w;
            writer_init(&w, req, sizeof req);
            crawl_socks5_connect(&w, host, p->target.port);
            if (w.err) {
                finish(p, CRAWL_FAIL_LOCAL, "host name too long for SOCKS5");
                return false;
            }
            bufferevent_write(p->bev, req, w.len);
            p->state = PEER_PROXY_REPLY;
            return true;
        }
    } else {
        uint8_t rep = 0;
        st = crawl_socks5_parse_reply(buf, len, &used, &rep);
        if (st == CRAWL_SOCKS5_OK) {
            evbuffer_drain(in, used);
            evtimer_del(p->deadline);
            send_version(p);
            return true;
        }
        if (st == CRAWL_SOCKS5_ERR_REFUSED) {
            char why[64];
            snprintf(why, sizeof why, "proxy could not connect (SOCKS5 reply %u)", rep);
            finish(p, CRAWL_FAIL_REFUSED, why);
            return false;
        }
    }
    if (st == CRAWL_SOCKS5_NEED_MORE)
        return true;
    finish(p, CRAWL_FAIL_PROXY, "SOCKS5 proxy protocol error");
    return false;
}

static void finish_addrs(struct crawl_peer *p) { finish(p, CRAWL_OK, NULL); }

/* A protocol violation. Before the handshake completes, the visit failed;
 * after it, the node was reachable all the same (as Bitcoin Core would have
 * had it as a peer): we only stop listening to it. */
static void violation(struct crawl_peer *p, const char *detail)
{
    finish(p, p->got_verack ? CRAWL_OK : CRAWL_FAIL_PROTOCOL, detail);
}

/* Returns false when the visit has ended. */
static bool after_handshake(struct crawl_peer *p)
{
    p->result.handshake_ms = elapsed_ms(p);
    if (!p->want_addrs) {
        finish(p, CRAWL_OK, NULL);
        return false;
    }
    send_message(p, "getaddr", NULL, 0);
    p->result.asked_addrs = true;
    p->state = PEER_ADDRS;
    evtimer_del(p->deadline);
    arm_deadline(p, p->cfg->addr_timeout_ms);
    return true;
}

/* One whole message. Returns false when the visit has ended. */
static bool handle_message(struct crawl_peer *p, const struct p2p_frame *f)
{
    const char *cmd = f->command;
    if (!p->result.got_version) {
        /* Bitcoin Core ignores what comes before version; so do we, up to a
         * point (the stage deadline bounds the time, this the work). */
        if (strcmp(cmd, "version") != 0) {
            if (++p->before_version > MAX_BEFORE_VERSION) {
                finish(p, CRAWL_FAIL_PROTOCOL, "too many messages before version");
                return false;
            }
            return true;
        }
        if (p2p_version_decode(f->payload, f->payload_len, &p->result.version) < 0) {
            finish(p, CRAWL_FAIL_PROTOCOL, "malformed version");
            return false;
        }
        if (p->result.version.version < MIN_PEER_PROTO_VERSION) {
            /* As Bitcoin Core: such a peer is disconnected, never a node. */
            char why[64];
            snprintf(why, sizeof why, "obsolete protocol version %d", p->result.version.version);
            finish(p, CRAWL_FAIL_PROTOCOL, why);
            return false;
        }
        p->result.got_version = true;
        if (p->result.version.version >= P2P_MIN_ADDRV2_VERSION)
            send_message(p, "sendaddrv2", NULL, 0);
        send_message(p, "verack", NULL, 0);
        return p->got_verack ? after_handshake(p) : true;
    }
    if (strcmp(cmd, "verack") == 0) {
        if (p->got_verack)
            return true;
        p->got_verack = true;
        return after_handshake(p);
    }
    if (strcmp(cmd, "ping") == 0) {
        uint64_t nonce;
        if (p2p_ping_decode(f->payload, f->payload_len, &nonce) == 0) {
            uint8_t payload[8];
            struct writer w;
            writer_init(&w, payload, sizeof payload);
            p2p_ping_encode(&w, nonce);
            send_message(p, "pong", payload, w.len);
        }
        return true;
    }
    bool v2 = strcmp(cmd, "addrv2") == 0;
    if (!v2 && strcmp(cmd, "addr") != 0)
        return true; /* everything else is none of a crawler's business */
    size_t count = 0, skipped = 0;
    struct p2p_addr_entry *entries = p->cfg->scratch;
    int rc = v2 ? p2p_addrv2_decode(f->payload, f->payload_len, entries, &count, &skipped)
                : p2p_addr_decode(f->payload, f->payload_len, entries, &count);
    if (rc < 0) {
        char why[64];
        snprintf(why, sizeof why, "malformed %s: %s", cmd, p2p_msg_strerror(rc));
        violation(p, why);
        return false;
    }
    p->result.addrs_received += (uint32_t)(count + skipped);
    if (count)
        p->on_addrs(p->ctx, entries, count);
    /* A single entry is a self-announcement, not the answer to getaddr. */
    if (p->state == PEER_ADDRS && count + skipped > 1) {
        if (p->result.addrs_received >= P2P_MAX_ADDR) {
            finish_addrs(p);
            return false;
        }
        struct timeval tv = {p->cfg->quiet_ms / 1000, (p->cfg->quiet_ms % 1000) * 1000};
        evtimer_add(p->quiet, &tv);
    }
    return true;
}

/* libevent 2.1 reads at most 4 KiB per readiness event, so a 1000-entry
 * addr answer would take several trips through the loop, its first pieces
 * held in buffers all the while. Once a header says how long the frame is,
 * take what the socket already holds of the rest in one read. */
static void read_rest(struct crawl_peer *p, struct evbuffer *in, size_t want)
{
    struct evbuffer_iovec v;
    if (evbuffer_reserve_space(in, (ev_ssize_t)want, &v, 1) != 1)
        return;
    ssize_t n = recv(bufferevent_getfd(p->bev), v.iov_base, want, 0);
    /* Errors and the end of the stream are left to the bufferevent's own
     * next read, which reports them through on_event. */
    v.iov_len = n > 0 ? (size_t)n : 0;
    evbuffer_commit_space(in, &v, n > 0 ? 1 : 0);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct crawl_peer *p = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    if (p->state == PEER_PROXY_METHOD || p->state == PEER_PROXY_REPLY) {
        if (!handle_proxy(p, in))
            return;
        if (p->state != PEER_HANDSHAKE)
            return;
    }
    for (;;) {
        size_t len = evbuffer_get_length(in);
        if (len < P2P_HEADER_SIZE)
            return;
        struct p2p_frame f;
        const uint8_t *buf = evbuffer_pullup(in, P2P_HEADER_SIZE);
        int st = p2p_frame_parse(p->cfg->chain->magic, buf, P2P_HEADER_SIZE, &f);
        if (st == P2P_FRAME_NEED_MORE && f.frame_len - P2P_HEADER_SIZE > p->cfg->max_payload) {
            violation(p, "message too large for a crawler");
            return;
        }
        if (st == P2P_FRAME_NEED_MORE && len < f.frame_len) {
            read_rest(p, in, f.frame_len - len);
            len = evbuffer_get_length(in);
        }
        if (st == P2P_FRAME_NEED_MORE && len >= f.frame_len) {
            buf = evbuffer_pullup(in, (ssize_t)f.frame_len);
            st = p2p_frame_parse(p->cfg->chain->magic, buf, f.frame_len, &f);
        }
        if (st == P2P_FRAME_NEED_MORE)
            return;
        if (st < 0) {
            violation(p, p2p_frame_strerror(st));
            return;
        }
        if (!handle_message(p, &f))
            return;
        evbuffer_drain(in, f.frame_len);
    }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct crawl_peer *p = arg;
    if (what & BEV_EVENT_CONNECTED) {
        evtimer_del(p->deadline);
        if (p->via_proxy)
            start_proxy(p);
        else
            send_version(p);
        return;
    }
    if (p->state == PEER_CONNECTING) {
        int err = EVUTIL_SOCKET_ERROR();
        finish(p, CRAWL_FAIL_REFUSED, err ? strerror(err) : "connection failed");
        return;
    }
    if (p->state == PEER_ADDRS) {
        finish_addrs(p); /* the node hung up after answering: a normal end */
        return;
    }
    if (p->state != PEER_HANDSHAKE) {
        finish(p, CRAWL_FAIL_PROXY, "proxy closed the connection");
        return;
    }
    finish(p, CRAWL_FAIL_CLOSED,
           what & BEV_EVENT_EOF ? "closed before the handshake ended" : "connection error");
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct crawl_peer *p = arg;
    switch (p->state) {
    case PEER_CONNECTING: finish(p, CRAWL_FAIL_CONNECT_TIMEOUT, "connect timed out"); break;
    case PEER_PROXY_METHOD:
    case PEER_PROXY_REPLY: finish(p, CRAWL_FAIL_PROXY, "proxy timed out"); break;
    case PEER_HANDSHAKE: finish(p, CRAWL_FAIL_HANDSHAKE_TIMEOUT, "handshake timed out"); break;
    case PEER_ADDRS: finish_addrs(p); break;
    }
}

static void on_quiet(evutil_socket_t fd, short what, void *arg) { finish_addrs(arg); }

crawl_peer_t *crawl_peer_start(struct event_base *base, const struct crawl_peer_config *cfg,
                               const netaddr_t *target, const struct sockaddr_storage *proxy,
                               bool want_addrs, crawl_peer_addrs_fn on_addrs,
                               crawl_peer_done_fn on_done, void *ctx)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (proxy) {
        ss = *proxy;
        sslen = ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    } else if (netaddr_to_sockaddr(target, &ss, &sslen) < 0) {
        return NULL;
    }
    struct crawl_peer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = cfg;
    p->target = *target;
    p->via_proxy = proxy != NULL;
    p->want_addrs = want_addrs;
    p->on_addrs = on_addrs;
    p->on_done = on_done;
    p->ctx = ctx;
    p->state = PEER_CONNECTING;
    clock_gettime(CLOCK_MONOTONIC, &p->started);
    p->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    p->deadline = evtimer_new(base, on_deadline, p);
    p->quiet = evtimer_new(base, on_quiet, p);
    if (!p->bev || !p->deadline || !p->quiet) {
        release(p);
        return NULL;
    }
    /* libevent's own reads (4 KiB by default) each take a buffer of twice
     * that; what a crawler reads in one go is a few small messages or the
     * start of a large one, whose rest read_rest fetches at its size. */
    bufferevent_set_max_single_read(p->bev, READ_CHUNK);
    bufferevent_setcb(p->bev, on_read, NULL, on_event, p);
    bufferevent_enable(p->bev, EV_READ | EV_WRITE);
    arm_deadline(p, cfg->connect_timeout_ms);
    if (bufferevent_socket_connect(p->bev, (struct sockaddr *)&ss, (int)sslen) < 0) {
        /* Immediate failure (e.g. out of descriptors): report it as a result
         * from the loop, never from inside the caller's call. */
        release(p);
        return NULL;
    }
    return p;
}

void crawl_peer_abort(crawl_peer_t *p)
{
    if (p)
        release(p);
}
