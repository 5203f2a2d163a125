#include "simnet_peer.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "p2p/frame.h"
#include "simnet_gossip.h"
#include "simnet_hostile.h"
#include "util/log.h"

#define IN_MAX 4096                /* larger messages are not read, only skipped */
#define READ_CHUNK 65536
#define OUT_KEEP 4096              /* drained buffers larger than this are freed */
#define MAX_MARKS 8
#define HANDSHAKE_TIMEOUT_MS 60000 /* Bitcoin Core's -peertimeout default */
#define SESSION_MAX_MS 600000      /* no connection is held longer */
#define FEEFILTER_RATE 1000        /* sat/kvB */
#define HUGE_JUNK_BYTES 4096
#define PRE_VERSION_JUNK 10
#define BAD_ADDRV2_VALID 300       /* valid entries of a bad-addrv2 answer */
#define BAD_ADDRV2_TAIL 100
#define TRUNCATED_ENTRIES 3
#define SENDCMPCT_V1 1
#define SENDCMPCT_V2 2             /* witness blocks */
#define VERSION_SENDHEADERS 70012
#define VERSION_FEEFILTER 70013
#define VERSION_SENDCMPCT 70014

/* A point in the output buffer that may leave at `due_ms`. */
struct out_mark {
    uint64_t due_ms;
    size_t end;
};

struct conn {
    struct simnet_worker *w;
    struct event rd, wr, timer;
    int fd;
    struct simnet_node node;
    netaddr_t remote;
    uint64_t nonce;
    int32_t peer_version;
    bool got_version, got_verack, addrv2, answered, flooding, dead, writing;
    uint8_t *in;
    size_t in_len;
    size_t skip;
    uint8_t *out;
    size_t out_cap, out_len, out_off, out_release;
    struct out_mark marks[MAX_MARKS];
    unsigned nmarks;
    uint64_t deadline_ms, next_trickle_ms, next_flood_ms;
    uint64_t flood_seq, jitter_seq;
};

static uint8_t read_buf[IN_MAX + READ_CHUNK];

static const uint8_t *chain_magic(const struct conn *c) { return c->w->model->cfg.chain->magic; }

/* Another chain's magic: what a node configured for the wrong network sends. */
static const uint8_t *wrong_magic(const struct conn *c)
{
    const chain_params_t *other = chain_by_name("testnet4");
    if (memcmp(other->magic, chain_magic(c), 4) == 0)
        other = chain_by_name("main");
    return other->magic;
}

static int reserve(struct conn *c, size_t more)
{
    if (c->out_cap - c->out_len >= more)
        return 0;
    /* Exactly what is needed, in pages: a getaddr answer grows it once. */
    size_t cap = (c->out_len + more + OUT_KEEP - 1) / OUT_KEEP * OUT_KEEP;
    uint8_t *p = realloc(c->out, cap);
    if (!p)
        return -1;
    c->out = p;
    c->out_cap = cap;
    return 0;
}

static void push_raw(struct conn *c, const void *data, size_t len)
{
    if (reserve(c, len) != 0) {
        c->dead = true;
        return;
    }
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
}

/* Frames a payload as this node frames it: wrong-magic and bad-checksum
 * nodes spoil every message they send. */
static void push_frame(struct conn *c, const char *command, const void *payload, size_t len)
{
    if (reserve(c, P2P_HEADER_SIZE + len) != 0) {
        c->dead = true;
        return;
    }
    const uint8_t *magic =
        c->node.behaviour == SIMNET_WRONG_MAGIC ? wrong_magic(c) : chain_magic(c);
    struct writer w;
    writer_init(&w, c->out + c->out_len, c->out_cap - c->out_len);
    p2p_frame_write(&w, magic, command, payload, len);
    if (w.err) {
        c->dead = true;
        return;
    }
    if (c->node.behaviour == SIMNET_BAD_CHECKSUM)
        c->out[c->out_len + P2P_HEADER_SIZE - 4] ^= 0xff;
    c->out_len += w.len;
}

/* Starts a payload in the worker's scratch buffer. */
static struct writer *payload_begin(struct conn *c, struct writer *w)
{
    writer_init(w, c->w->payload, sizeof c->w->payload);
    return w;
}

static void push_payload(struct conn *c, const char *command, const struct writer *w)
{
    if (w->err) {
        log_error("simnet: %s payload does not fit the scratch buffer", command);
        c->dead = true;
        return;
    }
    push_frame(c, command, w->data, w->len);
}

static void conn_free(struct conn *c)
{
    event_del(&c->rd);
    event_del(&c->wr);
    event_del(&c->timer);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static void schedule(struct conn *c)
{
    uint64_t next = c->deadline_ms;
    if (c->nmarks && c->marks[0].due_ms < next)
        next = c->marks[0].due_ms;
    if (c->node.behaviour == SIMNET_TRICKLE && c->out_release < c->out_len &&
        c->next_trickle_ms < next)
        next = c->next_trickle_ms;
    if (c->flooding && c->next_flood_ms < next)
        next = c->next_flood_ms;
    uint64_t now = simnet_mono_ms();
    uint64_t wait = next > now ? next - now : 0;
    struct timeval tv = {.tv_sec = (time_t)(wait / 1000), .tv_usec = (suseconds_t)(wait % 1000) * 1000};
    event_add(&c->timer, &tv);
}

static void flush(struct conn *c)
{
    while (c->out_off < c->out_release) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_release - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->writing && event_add(&c->wr, NULL) == 0)
                c->writing = true;
            return;
        }
        c->dead = true;
        return;
    }
    if (c->writing) {
        event_del(&c->wr);
        c->writing = false;
    }
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = c->out_release = 0;
        if (c->out_cap > OUT_KEEP) {
            free(c->out);
            c->out = NULL;
            c->out_cap = 0;
        }
    }
}

/* Everything written since the last commit leaves after the node's latency
 * (plus jitter), or now; trickle nodes release it byte by byte instead. */
static void commit(struct conn *c)
{
    size_t held_from = c->nmarks ? c->marks[c->nmarks - 1].end : c->out_release;
    if (c->out_len == held_from || c->dead)
        return;
    if (c->node.behaviour == SIMNET_TRICKLE) {
        schedule(c);
        return;
    }
    uint64_t delay = c->node.latency_ms;
    uint32_t jitter = c->w->rt->jitter_ms;
    if (jitter)
        delay += simnet_below(simnet_mix(c->nonce + ++c->jitter_seq), (uint64_t)jitter + 1);
    if (delay == 0 && c->nmarks == 0) {
        c->out_release = c->out_len;
        flush(c);
        return;
    }
    uint64_t due = simnet_mono_ms() + delay;
    if (c->nmarks && due < c->marks[c->nmarks - 1].due_ms)
        due = c->marks[c->nmarks - 1].due_ms; /* never reorder the stream */
    if (c->nmarks == MAX_MARKS) {
        c->marks[MAX_MARKS - 1].end = c->out_len;
        c->marks[MAX_MARKS - 1].due_ms = due;
    } else {
        c->marks[c->nmarks++] = (struct out_mark){due, c->out_len};
    }
    schedule(c);
}

static void send_entries(struct conn *c, const struct p2p_addr_entry *e, size_t count,
                         unsigned parts)
{
    if (parts == 0)
        parts = 1;
    size_t chunk = (count + parts - 1) / parts;
    size_t off = 0;
    do {
        size_t n = count - off < chunk ? count - off : chunk;
        struct writer w;
        payload_begin(c, &w);
        if (c->addrv2)
            p2p_addrv2_encode(&w, e + off, n);
        else
            p2p_addr_encode(&w, e + off, n);
        push_payload(c, c->addrv2 ? "addrv2" : "addr", &w);
        off += n;
    } while (off < count);
}

static uint32_t sim_now32(const struct conn *c)
{
    int64_t now = simnet_sim_now(c->w->rt);
    return now < 0 ? 0 : now > UINT32_MAX ? UINT32_MAX : (uint32_t)now;
}

static void send_version(struct conn *c)
{
    struct p2p_version v;
    memset(&v, 0, sizeof v);
    v.version = c->node.v.version;
    v.services = c->node.v.services;
    v.timestamp = c->node.behaviour == SIMNET_ABSURD_VERSION ? INT64_MAX
                                                             : simnet_sim_now(c->w->rt);
    v.recv_addr = c->remote;
    v.from_services = c->node.v.services;
    v.from_addr.net = NETADDR_IPV6; /* :: as Bitcoin Core sends for itself */
    v.nonce = c->nonce;
    size_t ua = strnlen(c->node.v.user_agent, P2P_MAX_USER_AGENT);
    memcpy(v.user_agent, c->node.v.user_agent, ua);
    v.start_height = c->node.v.height;
    v.relay = c->node.v.relay;
    struct writer w;
    p2p_version_encode(payload_begin(c, &w), &v);
    push_payload(c, "version", &w);
}

static int32_t common_version(const struct conn *c)
{
    return c->peer_version < c->node.v.version ? c->peer_version : c->node.v.version;
}

static void on_version(struct conn *c, const struct p2p_frame *f)
{
    if (c->got_version)
        return; /* a duplicate version is ignored, as Core does */
    struct p2p_version v;
    if (p2p_version_decode(f->payload, f->payload_len, &v) != 0 ||
        v.version < SIMNET_MIN_PEER_VERSION) {
        c->dead = true;
        return;
    }
    c->got_version = true;
    c->peer_version = v.version;
    c->deadline_ms = simnet_mono_ms() + SESSION_MAX_MS;
    schedule(c);
    if (c->node.behaviour == SIMNET_HUGE_PAYLOAD) {
        uint8_t header[P2P_HEADER_SIZE];
        struct writer w;
        writer_init(&w, header, sizeof header);
        simnet_hostile_huge_header(&w, chain_magic(c));
        push_raw(c, header, w.len);
        static const uint8_t junk[HUGE_JUNK_BYTES];
        push_raw(c, junk, sizeof junk);
        return;
    }
    send_version(c);
    if (common_version(c) >= P2P_MIN_ADDRV2_VERSION) {
        push_frame(c, "wtxidrelay", NULL, 0);
        push_frame(c, "sendaddrv2", NULL, 0);
    }
    push_frame(c, "verack", NULL, 0);
}

static void on_verack(struct conn *c)
{
    if (c->got_verack || c->node.behaviour == SIMNET_HUGE_PAYLOAD)
        return;
    c->got_verack = true;
    c->w->stats.handshakes++;
    int32_t common = common_version(c);
    struct writer w;
    if (common >= VERSION_SENDHEADERS)
        push_frame(c, "sendheaders", NULL, 0);
    if (common >= VERSION_SENDCMPCT) {
        struct p2p_sendcmpct m = {
            .announce = false,
            .version = (c->node.v.services & NODE_WITNESS) ? SENDCMPCT_V2 : SENDCMPCT_V1};
        p2p_sendcmpct_encode(payload_begin(c, &w), &m);
        push_payload(c, "sendcmpct", &w);
    }
    p2p_ping_encode(payload_begin(c, &w), c->nonce ^ 1);
    push_payload(c, "ping", &w);
    if (common >= VERSION_FEEFILTER) {
        p2p_feefilter_encode(payload_begin(c, &w), FEEFILTER_RATE);
        push_payload(c, "feefilter", &w);
    }
    if (c->node.behaviour == SIMNET_ADDR_FLOOD) {
        c->flooding = true;
        c->next_flood_ms = simnet_mono_ms();
        schedule(c);
    }
}

static void answer_bad_addrv2(struct conn *c, size_t count)
{
    struct p2p_addr_entry *e = c->w->entries;
    size_t valid = count < BAD_ADDRV2_VALID ? count : BAD_ADDRV2_VALID;
    size_t tail = count - valid < BAD_ADDRV2_TAIL ? count - valid : BAD_ADDRV2_TAIL;
    const char *command = c->addrv2 ? "addrv2" : "addr";
    struct writer w;
    if (c->addrv2) {
        simnet_hostile_addrv2_unknown(payload_begin(c, &w), e, valid, c->nonce);
        push_payload(c, command, &w);
        simnet_hostile_addrv2_bad_length(payload_begin(c, &w), e + valid, tail);
        push_payload(c, command, &w);
        simnet_hostile_addrv2_oversized(payload_begin(c, &w), sim_now32(c));
        push_payload(c, command, &w);
    } else {
        p2p_addr_encode(payload_begin(c, &w), e, valid);
        push_payload(c, command, &w);
        simnet_hostile_addr_too_many(payload_begin(c, &w), e + valid, tail ? tail : valid);
        push_payload(c, command, &w);
    }
    simnet_hostile_addr_truncated(payload_begin(c, &w), e + valid,
                                  tail < TRUNCATED_ENTRIES ? tail : TRUNCATED_ENTRIES,
                                  c->addrv2);
    push_payload(c, command, &w);
}

/* Half real view, then reserved and public-looking junk and duplicates. */
static void spoil_gossip(struct conn *c, size_t count)
{
    struct p2p_addr_entry *e = c->w->entries;
    uint64_t seed = c->w->model->cfg.seed;
    size_t real = (count + 1) / 2;
    size_t reserved = count / 4, pub = count / 8;
    simnet_gossip_junk_reserved(seed, c->node.index, sim_now32(c), e + real, reserved);
    simnet_gossip_junk_public(seed, c->node.index, sim_now32(c), e + real + reserved, pub);
    for (size_t i = real + reserved + pub; i < count; i++)
        e[i] = e[(i - real - reserved - pub) % real];
}

static void on_getaddr(struct conn *c)
{
    if (!c->got_verack || c->answered)
        return; /* Core answers one getaddr per connection, after verack */
    c->answered = true;
    c->w->stats.answers++;
    if (c->node.behaviour == SIMNET_ADDR_FLOOD)
        return; /* it is flooding anyway */
    struct p2p_addr_entry *e = c->w->entries;
    size_t count = simnet_gossip_view(c->w->model, &c->node, sim_now32(c), e, P2P_MAX_ADDR);
    switch (c->node.behaviour) {
    case SIMNET_BAD_ADDRV2:
        answer_bad_addrv2(c, count);
        return;
    case SIMNET_BAD_TIMESTAMPS:
        simnet_gossip_absurd_times(e, count, sim_now32(c));
        break;
    case SIMNET_BAD_GOSSIP:
        spoil_gossip(c, count);
        break;
    default:
        break;
    }
    send_entries(c, e, count, c->node.answer_parts);
}

static void on_ping(struct conn *c, const struct p2p_frame *f)
{
    uint64_t nonce;
    if (p2p_ping_decode(f->payload, f->payload_len, &nonce) != 0)
        return;
    struct writer w;
    p2p_ping_encode(payload_begin(c, &w), nonce);
    push_payload(c, "pong", &w);
}

static void handle(struct conn *c, const struct p2p_frame *f)
{
    if (strcmp(f->command, "version") == 0) {
        on_version(c, f);
        return;
    }
    if (!c->got_version)
        return; /* Core ignores messages before version */
    if (strcmp(f->command, "verack") == 0)
        on_verack(c);
    else if (strcmp(f->command, "sendaddrv2") == 0) {
        if (!c->got_verack)
            c->addrv2 = true;
    } else if (strcmp(f->command, "getaddr") == 0)
        on_getaddr(c);
    else if (strcmp(f->command, "ping") == 0)
        on_ping(c, f);
}

static uint32_t le32_at(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Handles every whole message in buf; returns the bytes consumed. */
static size_t process(struct conn *c, const uint8_t *buf, size_t len)
{
    size_t off = 0;
    while (off < len && !c->dead) {
        if (c->skip) {
            size_t n = len - off < c->skip ? len - off : c->skip;
            off += n;
            c->skip -= n;
            continue;
        }
        struct p2p_frame f;
        int r = p2p_frame_parse(chain_magic(c), buf + off, len - off, &f);
        if (r == P2P_FRAME_NEED_MORE) {
            if (f.frame_len > IN_MAX) {
                /* Nothing a node acts on is this large: skip it unread. */
                c->skip = f.frame_len - (len - off);
                off = len;
            }
            break;
        }
        if (r == P2P_FRAME_ERR_CHECKSUM) {
            /* Core drops the message and keeps the connection. */
            size_t frame = P2P_HEADER_SIZE + (size_t)le32_at(buf + off + P2P_HEADER_SIZE - 8);
            if (frame > len - off) {
                c->skip = frame - (len - off);
                off = len;
            } else {
                off += frame;
            }
            continue;
        }
        if (r < 0) {
            c->dead = true;
            break;
        }
        handle(c, &f);
        off += f.frame_len;
    }
    commit(c);
    return off;
}

/* Handles read_buf[0..have) and keeps what is not a whole message yet. */
static void consume(struct conn *c, size_t have)
{
    if (c->node.behaviour == SIMNET_SILENT)
        return; /* reads only to notice the peer leave */
    size_t used = process(c, read_buf, have);
    c->in_len = have - used;
    if (c->in_len) {
        if (!c->in && !(c->in = malloc(IN_MAX)))
            c->dead = true;
        else
            memmove(c->in, read_buf + used, c->in_len);
    }
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    size_t have = c->in_len;
    if (have) /* c->in is NULL while nothing is buffered */
        memcpy(read_buf, c->in, have);
    ssize_t n = recv(fd, read_buf + have, READ_CHUNK, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        conn_free(c);
        return;
    }
    if (n < 0)
        return;
    consume(c, have + (size_t)n);
    if (c->dead)
        conn_free(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    flush(c);
    if (c->dead)
        conn_free(c);
}

static void flood_once(struct conn *c)
{
    struct p2p_addr_entry *e = c->w->entries;
    uint64_t salt = (uint64_t)c->node.index << 32 | c->flood_seq++;
    simnet_gossip_junk_public(c->w->model->cfg.seed, salt, sim_now32(c), e, P2P_MAX_ADDR);
    send_entries(c, e, P2P_MAX_ADDR, 1);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct conn *c = arg;
    uint64_t now = simnet_mono_ms();
    if (now >= c->deadline_ms) {
        conn_free(c);
        return;
    }
    while (c->nmarks && c->marks[0].due_ms <= now) {
        c->out_release = c->marks[0].end;
        memmove(c->marks, c->marks + 1, --c->nmarks * sizeof c->marks[0]);
    }
    if (c->node.behaviour == SIMNET_TRICKLE && c->out_release < c->out_len &&
        c->next_trickle_ms <= now) {
        c->out_release++;
        c->next_trickle_ms = now + c->w->rt->trickle_ms;
    }
    if (c->flooding && c->next_flood_ms <= now) {
        if (c->out_len == 0) { /* only when the peer keeps reading */
            flood_once(c);
            commit(c);
        }
        c->next_flood_ms = now + c->w->rt->flood_ms;
    }
    flush(c);
    if (c->dead) {
        conn_free(c);
        return;
    }
    schedule(c);
}

void simnet_peer_start(struct simnet_worker *w, int fd, uint32_t index,
                       const netaddr_t *remote)
{
    simnet_peer_start_with(w, fd, index, remote, NULL, 0);
}

void simnet_peer_start_with(struct simnet_worker *w, int fd, uint32_t index,
                            const netaddr_t *remote, const uint8_t *early, size_t early_len)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->w = w;
    c->fd = fd;
    c->remote = *remote;
    simnet_node_get(w->model, index, &c->node);
    c->nonce = simnet_hash(w->model->cfg.seed, SIMNET_STREAM_NONCE, index, ++w->conn_seq);
    event_assign(&c->rd, w->base, fd, EV_READ | EV_PERSIST, on_read, c);
    event_assign(&c->wr, w->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    evtimer_assign(&c->timer, w->base, on_timer, c);
    uint64_t now = simnet_mono_ms();
    c->deadline_ms =
        now + (c->node.behaviour == SIMNET_SILENT ? SESSION_MAX_MS : HANDSHAKE_TIMEOUT_MS);
    c->next_trickle_ms = now;
    if (event_add(&c->rd, NULL) != 0) {
        conn_free(c);
        return;
    }
    if (c->node.behaviour == SIMNET_MSG_BEFORE_VERSION) {
        struct p2p_addr_entry *e = w->entries;
        simnet_gossip_junk_public(w->model->cfg.seed, index, sim_now32(c), e, PRE_VERSION_JUNK);
        struct writer wr;
        p2p_addr_encode(payload_begin(c, &wr), e, PRE_VERSION_JUNK);
        push_payload(c, "addr", &wr);
        p2p_ping_encode(payload_begin(c, &wr), c->nonce);
        push_payload(c, "ping", &wr);
        commit(c);
    }
    if (early_len && !c->dead) {
        size_t n = early_len < READ_CHUNK ? early_len : READ_CHUNK;
        memcpy(read_buf, early, n);
        consume(c, n);
    }
    schedule(c);
    if (c->dead)
        conn_free(c);
}
