/* dns_server_tcp -- the TCP thread (RFC 7766): each message framed by a
 * two-byte length, several queries per connection answered in order, idle
 * connections closed, at most tcp_max open at once.
 *
 * Back-pressure: a query is only answered when its reply fits in the
 * connection's output buffer; until the client reads, we stop reading. */
#include "dns/dns_server_int.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define TCP_LEN_SIZE 2
#define TCP_MAX_QUERY 4096 /* real queries are a few hundred bytes */
#define TCP_OUT_CAP (4 * (TCP_LEN_SIZE + DNS_PACKET_MAX))
#define TCP_EVENTS 64
#define TCP_TICK_MS 1000
#define TCP_TAG_LISTENER (UINT64_C(1) << 32)
#define TCP_TAG_CONN (UINT64_C(2) << 32)
/* Out of descriptors, the listeners stay readable: accepting pauses until
 * the next tick instead of spinning, and says so at most this often. */
#define TCP_FULL_WARN_MS 60000

struct tcp_conn {
    int fd;
    uint32_t events; /* epoll interest now registered */
    bool eof;        /* the client closed its side: finish writing, then close */
    uint64_t last_ms;
    size_t in_len;
    uint8_t in[TCP_LEN_SIZE + TCP_MAX_QUERY];
    size_t out_off, out_len;
    uint8_t out[TCP_OUT_CAP];
};

struct tcp_io {
    struct tcp_conn **conns; /* cfg.tcp_max slots, NULL when free */
    unsigned open;
    bool accept_paused;      /* listeners out of the epoll set until the next tick */
    uint64_t full_warned_ms; /* when "out of descriptors" was last logged */
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int dns_tcp_worker_init(struct dns_worker *w)
{
    dns_server_t *s = w->server;
    struct tcp_io *io = calloc(1, sizeof *io);
    if (!io)
        return -1;
    w->io = io;
    io->conns = calloc(s->cfg.tcp_max ? s->cfg.tcp_max : 1, sizeof *io->conns);
    if (!io->conns)
        return -1;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = DNS_EV_STOP};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->stop_fd, &ev) != 0)
        return -1;
    for (size_t j = 0; j < s->nlisten; j++) {
        ev.data.u64 = TCP_TAG_LISTENER | j;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->listeners[j].tcp_fd, &ev) != 0)
            return -1;
    }
    return 0;
}

static void conn_close(struct dns_worker *w, unsigned i)
{
    struct tcp_io *io = w->io;
    struct tcp_conn *c = io->conns[i];
    close(c->fd); /* also leaves the epoll set */
    free(c);
    io->conns[i] = NULL;
    io->open--;
}

void dns_worker_io_free(struct dns_worker *w, bool tcp)
{
    if (!w->io)
        return;
    if (tcp) {
        struct tcp_io *io = w->io;
        for (unsigned i = 0; io->conns && i < w->server->cfg.tcp_max; i++)
            if (io->conns[i])
                conn_close(w, i);
        free(io->conns);
    }
    free(w->io);
    w->io = NULL;
}

/* Stops (or restarts) watching every listener. */
static void watch_listeners(struct dns_worker *w, bool on)
{
    dns_server_t *s = w->server;
    for (size_t j = 0; j < s->nlisten; j++) {
        struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.u64 = TCP_TAG_LISTENER | j};
        if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, s->listeners[j].tcp_fd, &ev) != 0)
            log_warn("dns: epoll_ctl on a TCP listener: %s", strerror(errno));
    }
    ((struct tcp_io *)w->io)->accept_paused = !on;
}

/* accept failed for want of descriptors or memory: the pending connection
 * stays queued, so the listener stays readable. */
static void pause_accepting(struct dns_worker *w, int err)
{
    struct tcp_io *io = w->io;
    uint64_t now = now_ms();
    if (io->full_warned_ms == 0 || now - io->full_warned_ms >= TCP_FULL_WARN_MS) {
        log_warn("dns: accept: %s; TCP accepts pause for a second at a time", strerror(err));
        io->full_warned_ms = now;
    }
    watch_listeners(w, false);
}

static void accept_all(struct dns_worker *w, int lfd)
{
    struct tcp_io *io = w->io;
    unsigned max = w->server->cfg.tcp_max;
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                pause_accepting(w, errno);
                return;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED)
                log_warn("dns: accept: %s", strerror(errno));
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return;
        }
        unsigned slot = max;
        if (io->open < max)
            for (slot = 0; slot < max && io->conns[slot]; slot++)
                ;
        struct tcp_conn *c = slot < max ? malloc(sizeof *c) : NULL;
        if (!c) {
            close(fd);
            dns_count(&w->counters, CNT_TCP_REJECTED);
            continue;
        }
        memset(c, 0, offsetof(struct tcp_conn, in));
        c->fd = fd;
        c->events = EPOLLIN;
        c->last_ms = now_ms();
        struct epoll_event ev = {.events = c->events, .data.u64 = TCP_TAG_CONN | slot};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        io->conns[slot] = c;
        io->open++;
        dns_count(&w->counters, CNT_TCP_ACCEPTED);
    }
}

/* Answers every complete query in c->in whose reply fits. Returns -1 if the
 * stream is malformed (the connection is closed). */
static int answer_queries(struct dns_worker *w, struct tcp_conn *c)
{
    dns_server_t *s = w->server;
    size_t off = 0;
    int rc = 0;
    while (c->in_len - off >= TCP_LEN_SIZE) {
        size_t mlen = ((size_t)c->in[off] << 8) | c->in[off + 1];
        if (mlen == 0 || mlen > TCP_MAX_QUERY) {
            rc = -1;
            break;
        }
        if (c->in_len - off < TCP_LEN_SIZE + mlen)
            break;
        if (c->out_off > 0) { /* make room at the end */
            memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
            c->out_len -= c->out_off;
            c->out_off = 0;
        }
        if (TCP_OUT_CAP - c->out_len < TCP_LEN_SIZE + DNS_PACKET_MAX)
            break; /* wait until the client reads */
        dns_count(&w->counters, CNT_Q_TCP);
        const dns_snapshot_t *snap = dns_publisher_enter(s->publisher, w->slot);
        struct dns_outcome o;
        size_t len = 0;
        enum dns_result res = dns_packet_respond(
            s->zone, snap, &w->rng, c->in + off + TCP_LEN_SIZE, mlen, DNS_TRANSPORT_TCP,
            c->out + c->out_len + TCP_LEN_SIZE, DNS_PACKET_MAX, &len, &o);
        dns_publisher_leave(s->publisher, w->slot);
        dns_count_outcome(&w->counters, res, &o);
        off += TCP_LEN_SIZE + mlen;
        if (res == DNS_RESULT_DROP)
            continue;
        c->out[c->out_len] = (uint8_t)(len >> 8);
        c->out[c->out_len + 1] = (uint8_t)len;
        c->out_len += TCP_LEN_SIZE + len;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return rc;
}

static int flush(struct tcp_conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return -1;
    }
    c->out_off = c->out_len = 0;
    return 0;
}

/* Reads, answers, writes; returns -1 when the connection should close. */
static int conn_service(struct dns_worker *w, struct tcp_conn *c, uint32_t events)
{
    if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
        return -1;
    if (events & EPOLLIN) {
        while (c->in_len < sizeof c->in) {
            ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
            if (n > 0) {
                c->in_len += (size_t)n;
                c->last_ms = now_ms();
                continue;
            }
            if (n == 0) {
                c->eof = true;
                break;
            }
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
    }
    if (answer_queries(w, c) < 0 || flush(c) < 0)
        return -1;
    /* After a flush there may be room for replies to queries already read. */
    if (c->in_len >= TCP_LEN_SIZE && (answer_queries(w, c) < 0 || flush(c) < 0))
        return -1;
    bool pending = c->out_off < c->out_len;
    if (c->eof && !pending)
        return -1;
    bool room = TCP_OUT_CAP - (c->out_len - c->out_off) >= TCP_LEN_SIZE + DNS_PACKET_MAX;
    uint32_t want = (pending ? EPOLLOUT : 0) | (!c->eof && room ? EPOLLIN : 0);
    if (want != c->events) {
        c->events = want;
        return 1; /* the caller re-registers the interest */
    }
    return 0;
}

static void sweep_idle(struct dns_worker *w)
{
    struct tcp_io *io = w->io;
    uint64_t now = now_ms();
    for (unsigned i = 0; i < w->server->cfg.tcp_max; i++) {
        struct tcp_conn *c = io->conns[i];
        if (c && now - c->last_ms >= w->server->cfg.tcp_idle_ms) {
            conn_close(w, i);
            dns_count(&w->counters, CNT_TCP_TIMEOUTS);
        }
    }
}

void *dns_tcp_worker_main(void *arg)
{
    struct dns_worker *w = arg;
    dns_server_t *s = w->server;
    struct tcp_io *io = w->io;
    struct epoll_event events[TCP_EVENTS];
    uint64_t next_sweep = now_ms() + TCP_TICK_MS;
    for (;;) {
        int n = epoll_wait(w->epfd, events, TCP_EVENTS, TCP_TICK_MS);
        if (n < 0 && errno != EINTR) {
            log_error("dns: epoll_wait: %s", strerror(errno));
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            uint64_t tag = events[i].data.u64;
            if (tag == DNS_EV_STOP)
                return NULL;
            unsigned idx = (unsigned)(tag & UINT32_MAX);
            if ((tag & ~(uint64_t)UINT32_MAX) == TCP_TAG_LISTENER) {
                accept_all(w, s->listeners[idx].tcp_fd);
                continue;
            }
            struct tcp_conn *c = io->conns[idx];
            if (!c)
                continue;
            int rc = conn_service(w, c, events[i].events);
            if (rc < 0) {
                conn_close(w, idx);
            } else if (rc > 0) {
                struct epoll_event ev = {.events = c->events, .data.u64 = TCP_TAG_CONN | idx};
                if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
                    conn_close(w, idx);
            }
        }
        if (now_ms() >= next_sweep) {
            sweep_idle(w);
            if (io->accept_paused)
                watch_listeners(w, true);
            next_sweep = now_ms() + TCP_TICK_MS;
        }
    }
}
