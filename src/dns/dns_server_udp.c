/* dns_server_udp -- one UDP worker thread: recvmmsg a batch from each of its
 * sockets, answer each query through the pure packet layer, rate limit,
 * sendmmsg the replies from the address each query was sent to. */
#include "dns/dns_server_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

#define UDP_BATCH 64
#define UDP_ROUNDS 8 /* batches per socket before looking at the others */
#define UDP_MAX_QUERY 4096
#define UDP_CMSG_SPACE 64 /* >= CMSG_SPACE(sizeof(struct in6_pktinfo)) */

struct udp_io {
    uint8_t req[UDP_BATCH][UDP_MAX_QUERY];
    uint8_t resp[UDP_BATCH][DNS_EDNS_PAYLOAD];
    struct sockaddr_storage peer[UDP_BATCH];
    uint8_t rcmsg[UDP_BATCH][UDP_CMSG_SPACE];
    uint8_t scmsg[UDP_BATCH][UDP_CMSG_SPACE];
    struct iovec riov[UDP_BATCH], siov[UDP_BATCH];
    struct mmsghdr rmsg[UDP_BATCH], smsg[UDP_BATCH];
};

_Static_assert(CMSG_SPACE(sizeof(struct in6_pktinfo)) <= UDP_CMSG_SPACE, "cmsg room");

int dns_udp_worker_init(struct dns_worker *w)
{
    dns_server_t *s = w->server;
    struct udp_io *io = calloc(1, sizeof *io);
    if (!io)
        return -1;
    w->io = io;
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (w->epfd < 0)
        return -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = DNS_EV_STOP};
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, s->stop_fd, &ev) != 0)
        return -1;
    for (size_t j = 0; j < s->nlisten; j++) {
        ev.data.u64 = j;
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->udp_fds[j], &ev) != 0)
            return -1;
    }
    return 0;
}


/* Turns the destination of a received datagram into the source of its reply. */
static size_t reply_cmsg(const struct msghdr *in, uint8_t *out)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)in); c;
         c = CMSG_NXTHDR((struct msghdr *)in, c)) {
        struct msghdr tmp = {.msg_control = out, .msg_controllen = UDP_CMSG_SPACE};
        struct cmsghdr *o = CMSG_FIRSTHDR(&tmp);
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            pi.ipi_spec_dst = pi.ipi_addr; /* source = the address that was asked */
            pi.ipi_ifindex = 0;
            o->cmsg_level = IPPROTO_IP;
            o->cmsg_type = IP_PKTINFO;
            o->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(o), &pi, sizeof pi);
            return CMSG_SPACE(sizeof pi);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            o->cmsg_level = IPPROTO_IPV6;
            o->cmsg_type = IPV6_PKTINFO;
            o->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(o), &pi, sizeof pi);
            return CMSG_SPACE(sizeof pi);
        }
    }
    return 0;
}

static void send_batch(struct dns_worker *w, int fd, struct mmsghdr *msgs, unsigned n)
{
    unsigned sent = 0;
    while (sent < n) {
        int r = sendmmsg(fd, msgs + sent, n - sent, MSG_DONTWAIT);
        if (r > 0) {
            sent += (unsigned)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        /* This datagram failed (full buffer, unreachable peer): skip it only. */
        dns_count(&w->counters, CNT_SEND_FAILED);
        sent++;
    }
}

/* Answers n received datagrams and sends the replies. */
static void answer_batch(struct dns_worker *w, int fd, unsigned n)
{
    dns_server_t *s = w->server;
    struct udp_io *io = w->io;
    const dns_snapshot_t *snap = dns_publisher_enter(s->publisher, w->slot);
    uint32_t now = (uint32_t)time(NULL);
    unsigned out = 0;
    for (unsigned i = 0; i < n; i++) {
        dns_count(&w->counters, CNT_Q_UDP);
        struct dns_outcome o;
        size_t len = 0;
        enum dns_result res = dns_packet_respond(s->zone, snap, &w->rng, io->req[i],
                                                 io->rmsg[i].msg_len, DNS_TRANSPORT_UDP,
                                                 io->resp[out], sizeof io->resp[out], &len, &o);
        dns_count_outcome(&w->counters, res, &o);
        if (res == DNS_RESULT_DROP)
            continue;
        switch (dns_rrl_account(s->rrl, (struct sockaddr *)&io->peer[i], now)) {
        case DNS_RRL_DROP:
            continue;
        case DNS_RRL_SLIP:
            len = dns_packet_slip(io->resp[out], &o);
            break;
        case DNS_RRL_SEND:
            break;
        }
        struct msghdr *m = &io->smsg[out].msg_hdr;
        io->siov[out].iov_base = io->resp[out];
        io->siov[out].iov_len = len;
        m->msg_name = &io->peer[i];
        m->msg_namelen = io->rmsg[i].msg_hdr.msg_namelen;
        m->msg_iov = &io->siov[out];
        m->msg_iovlen = 1;
        m->msg_control = io->scmsg[out];
        m->msg_controllen = reply_cmsg(&io->rmsg[i].msg_hdr, io->scmsg[out]);
        if (m->msg_controllen == 0)
            m->msg_control = NULL;
        m->msg_flags = 0;
        out++;
    }
    dns_publisher_leave(s->publisher, w->slot);
    send_batch(w, fd, io->smsg, out);
}

static void drain_socket(struct dns_worker *w, int fd)
{
    struct udp_io *io = w->io;
    for (int round = 0; round < UDP_ROUNDS; round++) {
        for (unsigned i = 0; i < UDP_BATCH; i++) {
            io->riov[i].iov_base = io->req[i];
            io->riov[i].iov_len = sizeof io->req[i];
            struct msghdr *m = &io->rmsg[i].msg_hdr;
            m->msg_name = &io->peer[i];
            m->msg_namelen = sizeof io->peer[i];
            m->msg_iov = &io->riov[i];
            m->msg_iovlen = 1;
            m->msg_control = io->rcmsg[i];
            m->msg_controllen = sizeof io->rcmsg[i];
            m->msg_flags = 0;
        }
        int n = recvmmsg(fd, io->rmsg, UDP_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log_warn("dns: recvmmsg: %s", strerror(errno));
            return;
        }
        answer_batch(w, fd, (unsigned)n);
        if (n < UDP_BATCH)
            return;
    }
}

void *dns_udp_worker_main(void *arg)
{
    struct dns_worker *w = arg;
    struct epoll_event events[DNS_SERVER_MAX_LISTEN + 1];
    for (;;) {
        int n = epoll_wait(w->epfd, events, DNS_SERVER_MAX_LISTEN + 1, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_error("dns: epoll_wait: %s", strerror(errno));
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.u64 == DNS_EV_STOP)
                return NULL;
            drain_socket(w, w->udp_fds[events[i].data.u64]);
        }
    }
}
