#include "simnet_worker.h"

#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "simnet_peer.h"
#include "simnet_socks5.h"
#include "util/log.h"

#define LISTEN_BACKLOG 4096
#define ACCEPT_BATCH 64
#define ACCEPT_PAUSE_MS 100 /* after EMFILE: let connections close first */
#define MAX_LISTENERS 5 /* v4 and v6, node and alternative port; SOCKS5 */
#define SEND_BUFFER (128 * 1024)

double simnet_sim_elapsed(const struct simnet_runtime *rt)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double real = (double)(now.tv_sec - rt->start.tv_sec) +
                  (double)(now.tv_nsec - rt->start.tv_nsec) / 1e9;
    return real * rt->time_scale;
}

int64_t simnet_sim_now(const struct simnet_runtime *rt)
{
    return rt->epoch + (int64_t)simnet_sim_elapsed(rt);
}

uint64_t simnet_mono_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

bool simnet_is_loopback(const netaddr_t *a)
{
    static const uint8_t v6_loopback[16] = {[15] = 1};
    if (a->net == NETADDR_IPV4)
        return a->bytes[0] == 127;
    return a->net == NETADDR_IPV6 && memcmp(a->bytes, v6_loopback, 16) == 0;
}

struct listener {
    struct simnet_worker *w;
    struct event *ev;
    struct event *resume;
    int fd;
    uint16_t port; /* 0: the SOCKS5 proxy */
};

/* A listening socket confined to the loopback device: the kernel delivers
 * nothing else to it, whatever addresses the host has. */
static int listen_loopback(const struct sockaddr *sa, socklen_t len)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        log_error("simnet: socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    static const char device[] = "lo";
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, sizeof device) != 0) {
        log_error("simnet: refusing to listen: cannot bind to the loopback device: %s",
                  strerror(errno));
        close(fd);
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    /* Accepted sockets inherit this: a whole getaddr answer fits at once, so
     * sending it never waits for the peer's (possibly delayed) ACK. */
    int sndbuf = SEND_BUFFER;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* inherited too */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        log_error("simnet: SO_REUSEPORT: %s", strerror(errno));
        close(fd);
        return -1;
    }
    if (sa->sa_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, sa, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
        netaddr_t a;
        char text[NETADDR_STRLEN] = "?";
        if (netaddr_from_sockaddr(&a, sa, len) == 0)
            netaddr_format(&a, text, sizeof text);
        log_error("simnet: listen on %s: %s", text, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* 0.0.0.0:port or [::]:port. */
static int listen_any(int family, uint16_t port)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_any;
        a->sin6_port = htons(port);
        return listen_loopback((struct sockaddr *)&ss, sizeof *a);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_ANY);
    a->sin_port = htons(port);
    return listen_loopback((struct sockaddr *)&ss, sizeof *a);
}

static void reset_close(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* Decides, from the dialed address, who answers; takes ownership of fd. */
static void dispatch(struct listener *l, int fd, const netaddr_t *remote)
{
    struct simnet_worker *w = l->w;
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    netaddr_t local;
    uint32_t index;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
        netaddr_from_sockaddr(&local, (struct sockaddr *)&ss, len) != 0 ||
        simnet_model_lookup(w->model, &local, &index) != 0 ||
        simnet_model_port(w->model, index) != l->port) {
        w->stats.reset++;
        reset_close(fd);
        return;
    }
    enum simnet_behaviour b = simnet_model_behaviour(w->model, index);
    if (b == SIMNET_CHURN) {
        struct simnet_node n;
        simnet_node_get(w->model, index, &n);
        if (!simnet_node_up_at(&n, simnet_sim_elapsed(w->rt))) {
            w->stats.reset++;
            reset_close(fd);
            return;
        }
    }
    if (b == SIMNET_DISCONNECT) {
        close(fd);
        return;
    }
    simnet_peer_start(w, fd, index, remote);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct listener *l = arg;
    event_add(l->ev, NULL);
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
    struct listener *l = arg;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                log_warn("simnet: accept: %s; pausing %d ms", strerror(errno), ACCEPT_PAUSE_MS);
                event_del(l->ev);
                struct timeval tv = {0, ACCEPT_PAUSE_MS * 1000};
                event_add(l->resume, &tv);
            }
            return;
        }
        l->w->stats.accepted++;
        netaddr_t remote;
        if (netaddr_from_sockaddr(&remote, (struct sockaddr *)&ss, len) != 0)
            memset(&remote, 0, sizeof remote);
        if (l->port == 0)
            simnet_socks5_start(l->w, fd, &remote);
        else
            dispatch(l, fd, &remote);
    }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    event_base_loopbreak(arg);
}

static int add_listener(struct simnet_worker *w, struct listener *l, int fd, uint16_t port)
{
    l->w = w;
    l->fd = fd;
    l->port = port;
    l->ev = event_new(w->base, fd, EV_READ | EV_PERSIST, on_accept, l);
    l->resume = evtimer_new(w->base, on_resume, l);
    return l->ev && l->resume && event_add(l->ev, NULL) == 0 ? 0 : -1;
}

int simnet_worker_run(const struct simnet_model *m, const struct simnet_runtime *rt,
                      const netaddr_t *socks5, int ready_fd)
{
    int status = -1;
    struct simnet_worker *w = calloc(1, sizeof *w);
    struct listener listeners[MAX_LISTENERS];
    memset(listeners, 0, sizeof listeners);
    size_t nl = 0;
    struct event *sigs[2] = {NULL, NULL};
    if (!w)
        goto out;
    w->model = m;
    w->rt = rt;
    w->base = event_base_new();
    if (!w->base)
        goto out;
    uint16_t ports[2] = {m->cfg.port, m->cfg.alt_port};
    for (int fam = 0; fam < 2; fam++) {
        if (fam == 1 && m->cfg.ipv6_nodes == 0)
            break;
        for (int p = 0; p < 2; p++) {
            int fd = listen_any(fam ? AF_INET6 : AF_INET, ports[p]);
            if (fd < 0 || add_listener(w, &listeners[nl++], fd, ports[p]) != 0)
                goto out;
        }
    }
    if (socks5) {
        struct sockaddr_storage ss;
        socklen_t len;
        int fd = -1;
        if (netaddr_to_sockaddr(socks5, &ss, &len) != 0 ||
            (fd = listen_loopback((struct sockaddr *)&ss, len)) < 0 ||
            add_listener(w, &listeners[nl++], fd, 0) != 0)
            goto out;
    }
    sigs[0] = evsignal_new(w->base, SIGTERM, on_signal, w->base);
    sigs[1] = evsignal_new(w->base, SIGINT, on_signal, w->base);
    if (!sigs[0] || !sigs[1] || event_add(sigs[0], NULL) != 0 || event_add(sigs[1], NULL) != 0)
        goto out;
    if (ready_fd >= 0) {
        if (write(ready_fd, "r", 1) != 1)
            goto out;
        close(ready_fd);
        ready_fd = -1;
    }
    event_base_dispatch(w->base);
    log_info("simnet worker %d: accepted %llu, reset %llu, handshakes %llu, getaddr answers %llu",
             (int)getpid(), (unsigned long long)w->stats.accepted,
             (unsigned long long)w->stats.reset, (unsigned long long)w->stats.handshakes,
             (unsigned long long)w->stats.answers);
    status = 0;
out:
    if (ready_fd >= 0)
        close(ready_fd);
    for (int i = 0; i < 2; i++)
        if (sigs[i])
            event_free(sigs[i]);
    for (size_t i = 0; i < nl; i++) {
        if (listeners[i].ev)
            event_free(listeners[i].ev);
        if (listeners[i].resume)
            event_free(listeners[i].resume);
        if (listeners[i].fd >= 0)
            close(listeners[i].fd);
    }
    if (w && w->base)
        event_base_free(w->base);
    free(w);
    return status;
}
