#include "simnet_socks5.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "simnet_peer.h"

#define SOCKS_VERSION 5
#define METHOD_NONE 0x00
#define METHOD_UNACCEPTABLE 0xff
#define CMD_CONNECT 1
#define ATYP_IPV4 1
#define ATYP_NAME 3
#define ATYP_IPV6 4
#define REP_SUCCESS 0x00
#define REP_FAILURE 0x01
#define REP_UNREACHABLE 0x04
#define REP_REFUSED 0x05
#define REP_COMMAND 0x07
#define REP_ATYP 0x08
#define SESSION_BUFFER 600 /* greeting (<= 257) + request (<= 262) */
#define NEGOTIATION_TIMEOUT_S 10

int simnet_socks5_greeting(const uint8_t *buf, size_t len, size_t *used)
{
    if (len < 2)
        return SIMNET_SOCKS5_NEED_MORE;
    if (buf[0] != SOCKS_VERSION)
        return SIMNET_SOCKS5_ERR_VERSION;
    size_t n = buf[1];
    if (len < 2 + n)
        return SIMNET_SOCKS5_NEED_MORE;
    *used = 2 + n;
    return memchr(buf + 2, METHOD_NONE, n) ? SIMNET_SOCKS5_OK : SIMNET_SOCKS5_ERR_METHOD;
}

int simnet_socks5_request(const uint8_t *buf, size_t len, netaddr_t *target, size_t *used)
{
    if (len < 5)
        return SIMNET_SOCKS5_NEED_MORE;
    if (buf[0] != SOCKS_VERSION)
        return SIMNET_SOCKS5_ERR_VERSION;
    size_t addr_len;
    switch (buf[3]) {
    case ATYP_IPV4: addr_len = 4; break;
    case ATYP_IPV6: addr_len = 16; break;
    case ATYP_NAME: addr_len = 1 + (size_t)buf[4]; break;
    default: return SIMNET_SOCKS5_ERR_ATYP;
    }
    if (len < 4 + addr_len + 2)
        return SIMNET_SOCKS5_NEED_MORE;
    *used = 4 + addr_len + 2;
    if (buf[1] != CMD_CONNECT)
        return SIMNET_SOCKS5_ERR_COMMAND;
    const uint8_t *a = buf + 4;
    uint16_t port = (uint16_t)(buf[4 + addr_len] << 8 | buf[5 + addr_len]);
    if (buf[3] == ATYP_IPV4) {
        netaddr_set_ipv4(target, a, port);
    } else if (buf[3] == ATYP_IPV6) {
        netaddr_set_ipv6(target, a, port);
    } else {
        char name[256];
        size_t n = a[0];
        memcpy(name, a + 1, n);
        name[n] = '\0';
        /* Only names a seeder hands a proxy: .onion and .b32.i2p, or IP text. */
        if (memchr(name, ':', n) || netaddr_parse(name, port, target) != 0)
            return SIMNET_SOCKS5_ERR_ADDRESS;
    }
    return SIMNET_SOCKS5_OK;
}

void simnet_socks5_reply(struct writer *w, uint8_t rep)
{
    static const uint8_t bound[6];
    writer_u8(w, SOCKS_VERSION);
    writer_u8(w, rep);
    writer_u8(w, 0);
    writer_u8(w, ATYP_IPV4);
    writer_bytes(w, bound, sizeof bound);
}

struct session {
    struct simnet_worker *w;
    struct event rd;
    int fd;
    netaddr_t remote;
    bool greeted;
    size_t len;
    uint8_t buf[SESSION_BUFFER];
};

static void session_end(struct session *s, bool close_fd)
{
    event_del(&s->rd);
    if (close_fd)
        close(s->fd);
    free(s);
}

static int send_small(int fd, const void *data, size_t len)
{
    /* A fresh socket's buffer takes a few bytes at once. */
    return send(fd, data, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

static int send_reply(struct session *s, uint8_t rep)
{
    uint8_t out[SIMNET_SOCKS5_REPLY_SIZE];
    struct writer w;
    writer_init(&w, out, sizeof out);
    simnet_socks5_reply(&w, rep);
    return send_small(s->fd, out, w.len);
}

/* What the proxy answers for `target`; *index is set when it is a node. */
static uint8_t decide(struct session *s, const netaddr_t *target, uint32_t *index)
{
    const struct simnet_model *m = s->w->model;
    if (simnet_model_lookup(m, target, index) != 0)
        return REP_UNREACHABLE;
    if (simnet_model_port(m, *index) != target->port)
        return REP_REFUSED;
    switch (simnet_model_behaviour(m, *index)) {
    case SIMNET_DEAD:
        return REP_REFUSED;
    case SIMNET_CHURN: {
        struct simnet_node n;
        simnet_node_get(m, *index, &n);
        return simnet_node_up_at(&n, simnet_sim_elapsed(s->w->rt)) ? REP_SUCCESS : REP_REFUSED;
    }
    default:
        return REP_SUCCESS;
    }
}

/* Returns true when the session is over (handed on or closed). */
static bool advance(struct session *s)
{
    size_t used = 0;
    if (!s->greeted) {
        int r = simnet_socks5_greeting(s->buf, s->len, &used);
        if (r == SIMNET_SOCKS5_NEED_MORE)
            return false;
        if (r != SIMNET_SOCKS5_OK) {
            uint8_t no[2] = {SOCKS_VERSION, METHOD_UNACCEPTABLE};
            if (r == SIMNET_SOCKS5_ERR_METHOD)
                send_small(s->fd, no, sizeof no);
            session_end(s, true);
            return true;
        }
        uint8_t yes[2] = {SOCKS_VERSION, METHOD_NONE};
        if (send_small(s->fd, yes, sizeof yes) != 0) {
            session_end(s, true);
            return true;
        }
        s->greeted = true;
        memmove(s->buf, s->buf + used, s->len - used);
        s->len -= used;
    }
    netaddr_t target;
    int r = simnet_socks5_request(s->buf, s->len, &target, &used);
    if (r == SIMNET_SOCKS5_NEED_MORE)
        return false;
    uint32_t index = 0;
    uint8_t rep = r == SIMNET_SOCKS5_OK            ? decide(s, &target, &index)
                  : r == SIMNET_SOCKS5_ERR_COMMAND ? REP_COMMAND
                  : r == SIMNET_SOCKS5_ERR_ATYP    ? REP_ATYP
                  : r == SIMNET_SOCKS5_ERR_ADDRESS ? REP_UNREACHABLE
                                                   : REP_FAILURE;
    if (send_reply(s, rep) != 0 || rep != REP_SUCCESS) {
        session_end(s, true);
        return true;
    }
    if (simnet_model_behaviour(s->w->model, index) == SIMNET_DISCONNECT) {
        session_end(s, true);
        return true;
    }
    /* From here on the connection is the node's; bytes the client sent
     * after its request already belong to the node. */
    struct simnet_worker *w = s->w;
    int fd = s->fd;
    netaddr_t remote = s->remote;
    size_t early = s->len - used;
    uint8_t rest[SESSION_BUFFER];
    memcpy(rest, s->buf + used, early);
    session_end(s, false);
    simnet_peer_start_with(w, fd, index, &remote, rest, early);
    return true;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct session *s = arg;
    if (what & EV_TIMEOUT) {
        session_end(s, true);
        return;
    }
    ssize_t n = recv(fd, s->buf + s->len, sizeof s->buf - s->len, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        session_end(s, true);
        return;
    }
    if (n < 0)
        return;
    s->len += (size_t)n;
    if (!advance(s) && s->len == sizeof s->buf)
        session_end(s, true); /* no valid negotiation is this long */
}

void simnet_socks5_start(struct simnet_worker *w, int fd, const netaddr_t *remote)
{
    struct session *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return;
    }
    s->w = w;
    s->fd = fd;
    s->remote = *remote;
    struct timeval timeout = {NEGOTIATION_TIMEOUT_S, 0};
    event_assign(&s->rd, w->base, fd, EV_READ | EV_PERSIST, on_read, s);
    if (event_add(&s->rd, &timeout) != 0)
        session_end(s, true);
}
