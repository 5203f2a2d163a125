/* cli_probe -- `btcseed probe`: open one connection to one node, do the
 * version handshake, print every message it sends and its version fields,
 * ask for addresses and print those that arrive until the wait ends.
 *
 * One libevent loop, one non-blocking bufferevent. Stages:
 *   connect ──► our version ──► their version ──► [sendaddrv2] + verack
 *            ──► their verack ──► getaddr ──► wait, printing addresses
 * The --timeout budget covers everything up to their verack; the --wait
 * budget starts when getaddr is sent. SIGINT or SIGTERM ends the wait early
 * (exit 0), or the probe if the handshake is not done yet (exit 1). */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "net/chain.h"
#include "net/netaddr.h"
#include "p2p/frame.h"
#include "p2p/msg.h"
#include "util/log.h"

#define DEFAULT_WAIT_S 60
#define DEFAULT_TIMEOUT_S 20
#define MAX_SECONDS 86400
#define USER_AGENT "/btcseed:" BTCSEED_VERSION "/"
/* Our messages are small: the largest is version (~130 bytes). */
#define SEND_BUF_SIZE 512
#define ERROR_SIZE 256

struct probe {
    struct event_base *base;
    struct bufferevent *bev;
    struct event *timer;
    struct event *sigint, *sigterm;
    const chain_params_t *chain;
    netaddr_t target;
    char target_text[NETADDR_STRLEN];
    int timeout_s, wait_s;
    bool connected, got_version, got_verack, handshake_done;
    int32_t peer_version;
    size_t addresses;
    int exit_code;
    struct p2p_addr_entry entries[P2P_MAX_ADDR];
};

enum { OPT_CHAIN = 256, OPT_WAIT, OPT_TIMEOUT };
static const struct option probe_options[] = {
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: btcseed probe ADDR[:PORT] [--chain C] [--wait S] [--timeout S]\n"
            "\n"
            "Connects to one node, does the version handshake, prints one line per\n"
            "message received and the node's version fields, answers pings, asks for\n"
            "addresses (getaddr) and prints each one received until the wait ends.\n"
            "ADDR is IPv4, [IPv6] or [CJDNS]; the port defaults to the chain's.\n"
            "\n"
            "  --chain C             %s (default main):\n"
            "                        gives the message start bytes and default port\n"
            "  --wait S              collect addresses for S seconds after the\n"
            "                        handshake (default %d; real nodes trickle them)\n"
            "  --timeout S           give up if the handshake is not done in S seconds\n"
            "                        (default %d)\n"
            "%s"
            "\n"
            "Exit status: 0 after the wait, 1 if the connection was refused, timed out\n"
            "or the peer broke the protocol, 2 bad usage.\n",
            chain_names(), DEFAULT_WAIT_S, DEFAULT_TIMEOUT_S, CLI_COMMON_HELP);
}

/* ---- ending ----------------------------------------------------------- */

static void finish(struct probe *p, int exit_code)
{
    p->exit_code = exit_code;
    event_base_loopbreak(p->base);
}

/* The one line a failed probe prints. */
static void fail(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct probe *p, const char *fmt, ...)
{
    char msg[ERROR_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "btcseed probe: %s: %s\n", p->target_text, msg);
    finish(p, CLI_EXIT_FAIL);
}

/* A successful end: one summary line, exit 0. */
static void end_wait(struct probe *p, const char *why)
{
    printf("%s: %zu address%s received\n", why, p->addresses, p->addresses == 1 ? "" : "es");
    finish(p, CLI_EXIT_OK);
}

/* ---- printing --------------------------------------------------------- */

static void format_time(int64_t t, char *buf, size_t size)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "%" PRId64, t);
}

/* Peer text may hold any byte: print it with non-printable bytes escaped so
 * it cannot drive the terminal. */
static void print_escaped(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c >= 0x20 && *c < 0x7f && *c != '\\')
            putchar(*c);
        else
            printf("\\x%02x", *c);
    }
}

static void print_version(const struct p2p_version *v)
{
    char services[256], when[32];
    p2p_services_format(v->services, services, sizeof services);
    format_time(v->timestamp, when, sizeof when);
    printf("  version     %" PRId32 "\n", v->version);
    printf("  services    %016" PRIx64 " (%s)\n", v->services, services);
    printf("  user agent  ");
    print_escaped(v->user_agent);
    printf("\n  height      %" PRId32 "\n", v->start_height);
    printf("  relay       %s\n", v->relay ? "true" : "false");
    printf("  time        %s (%+" PRId64 " s from ours)\n", when,
           v->timestamp - (int64_t)time(NULL));
}

static void print_entries(struct probe *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char addr[NETADDR_STRLEN], when[32];
        netaddr_format(&p->entries[i].addr, addr, sizeof addr);
        format_time(p->entries[i].time, when, sizeof when);
        printf("  %s  services %016" PRIx64 "  time %s\n", addr, p->entries[i].services, when);
    }
    p->addresses += n;
}

/* ---- sending ---------------------------------------------------------- */

static int send_msg(struct probe *p, const char *command, const struct writer *payload)
{
    uint8_t buf[P2P_HEADER_SIZE + SEND_BUF_SIZE];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_frame_write(&w, p->chain->magic, command, payload ? payload->data : NULL,
                    payload ? payload->len : 0);
    if (w.err || (payload && payload->err) || bufferevent_write(p->bev, buf, w.len) != 0) {
        fail(p, "cannot send %s", command);
        return -1;
    }
    log_debug("sent %s (%zu bytes)", command, w.len);
    return 0;
}

static int send_version(struct probe *p)
{
    struct p2p_version v;
    memset(&v, 0, sizeof v);
    v.version = P2P_PROTOCOL_VERSION;
    v.services = 0;
    v.timestamp = (int64_t)time(NULL);
    v.recv_addr = p->target;
    netaddr_from_legacy(&v.from_addr, (const uint8_t[16]){0}, 0);
    if (getrandom(&v.nonce, sizeof v.nonce, 0) != sizeof v.nonce)
        v.nonce = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)p;
    snprintf(v.user_agent, sizeof v.user_agent, "%s", USER_AGENT);
    v.start_height = 0;
    v.relay = false; /* we want addresses, not transactions */

    uint8_t buf[SEND_BUF_SIZE];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_version_encode(&w, &v);
    return send_msg(p, "version", &w);
}

/* ---- receiving -------------------------------------------------------- */

static int on_version(struct probe *p, const struct p2p_frame *f)
{
    struct p2p_version v;
    int err = p2p_version_decode(f->payload, f->payload_len, &v);
    if (err != 0) {
        fail(p, "protocol violation: bad version message: %s", p2p_msg_strerror(err));
        return -1;
    }
    if (p->got_version) {
        fail(p, "protocol violation: second version message");
        return -1;
    }
    p->got_version = true;
    p->peer_version = v.version;
    print_version(&v);
    /* BIP155: sendaddrv2 goes between their version and our verack. */
    if (v.version >= P2P_MIN_ADDRV2_VERSION && send_msg(p, "sendaddrv2", NULL) != 0)
        return -1;
    return send_msg(p, "verack", NULL);
}

static void on_wait_over(evutil_socket_t fd, short what, void *arg)
{
    end_wait(arg, "wait over");
}

static int on_verack(struct probe *p)
{
    if (p->got_verack) {
        fail(p, "protocol violation: second verack message");
        return -1;
    }
    p->got_verack = true;
    p->handshake_done = true;
    if (send_msg(p, "getaddr", NULL) != 0)
        return -1;
    /* The handshake deadline is replaced by the wait. */
    event_free(p->timer);
    p->timer = evtimer_new(p->base, on_wait_over, p);
    struct timeval tv = {p->wait_s, 0};
    if (!p->timer || evtimer_add(p->timer, &tv) != 0) {
        fail(p, "cannot set the wait timer");
        return -1;
    }
    return 0;
}

static int on_ping(struct probe *p, const struct p2p_frame *f)
{
    uint64_t nonce;
    int err = p2p_ping_decode(f->payload, f->payload_len, &nonce);
    if (err != 0) {
        fail(p, "protocol violation: bad ping message: %s", p2p_msg_strerror(err));
        return -1;
    }
    uint8_t buf[8];
    struct writer w;
    writer_init(&w, buf, sizeof buf);
    p2p_ping_encode(&w, nonce);
    return send_msg(p, "pong", &w);
}

static int on_addr(struct probe *p, const struct p2p_frame *f, bool v2)
{
    size_t n = 0, skipped = 0;
    int err = v2 ? p2p_addrv2_decode(f->payload, f->payload_len, p->entries, &n, &skipped)
                 : p2p_addr_decode(f->payload, f->payload_len, p->entries, &n);
    if (err != 0) {
        fail(p, "protocol violation: bad %s message: %s", f->command, p2p_msg_strerror(err));
        return -1;
    }
    if (skipped)
        printf("received %s (%zu address%s, %zu of unknown or obsolete networks skipped)\n",
               f->command, n, n == 1 ? "" : "es", skipped);
    else
        printf("received %s (%zu address%s)\n", f->command, n, n == 1 ? "" : "es");
    print_entries(p, n);
    return 0;
}

static int on_reject(struct probe *p, const struct p2p_frame *f)
{
    struct p2p_reject r;
    int err = p2p_reject_decode(f->payload, f->payload_len, &r);
    if (err != 0) {
        fail(p, "protocol violation: bad reject message: %s", p2p_msg_strerror(err));
        return -1;
    }
    printf("received reject: message ");
    print_escaped(r.message);
    printf(", code 0x%02x, reason ", r.code);
    print_escaped(r.reason);
    printf("\n");
    return 0;
}

/* Payloads this program checks but has nothing to print about. */
static int check_payload(struct probe *p, const struct p2p_frame *f)
{
    int err = 0;
    if (strcmp(f->command, "pong") == 0) {
        uint64_t nonce;
        err = p2p_ping_decode(f->payload, f->payload_len, &nonce);
    } else if (strcmp(f->command, "feefilter") == 0) {
        int64_t rate;
        err = p2p_feefilter_decode(f->payload, f->payload_len, &rate);
    } else if (strcmp(f->command, "sendcmpct") == 0) {
        struct p2p_sendcmpct sc;
        err = p2p_sendcmpct_decode(f->payload, f->payload_len, &sc);
    }
    if (err != 0) {
        fail(p, "protocol violation: bad %s message: %s", f->command, p2p_msg_strerror(err));
        return -1;
    }
    return 0;
}

/* Returns 0 to go on, -1 once the probe has ended. */
static int on_message(struct probe *p, const struct p2p_frame *f)
{
    bool addr = strcmp(f->command, "addr") == 0, addrv2 = strcmp(f->command, "addrv2") == 0;
    /* The framer let through only printable commands; addr, addrv2 and
     * reject print their own line, with what they carry. */
    if (!addr && !addrv2 && strcmp(f->command, "reject") != 0)
        printf("received %s\n", f->command);
    if (strcmp(f->command, "version") == 0)
        return on_version(p, f);
    if (strcmp(f->command, "reject") == 0)
        return on_reject(p, f);
    if (!p->got_version) {
        fail(p, "protocol violation: %s before version", f->command);
        return -1;
    }
    if (strcmp(f->command, "verack") == 0)
        return on_verack(p);
    if (strcmp(f->command, "ping") == 0)
        return on_ping(p, f);
    if (addr || addrv2)
        return on_addr(p, f, addrv2);
    return check_payload(p, f);
}

/* Peeks at the header first, so a length over the limit is refused before
 * its payload is buffered; then waits until the whole frame is in. */
static int next_frame(struct evbuffer *in, const uint8_t magic[4], struct p2p_frame *f)
{
    size_t have = evbuffer_get_length(in);
    size_t look = have < P2P_HEADER_SIZE ? have : P2P_HEADER_SIZE;
    int status = p2p_frame_parse(magic, evbuffer_pullup(in, (ev_ssize_t)look), look, f);
    if (status != P2P_FRAME_NEED_MORE || f->frame_len > have)
        return status;
    return p2p_frame_parse(magic, evbuffer_pullup(in, (ev_ssize_t)f->frame_len), f->frame_len,
                           f);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    struct probe *p = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        struct p2p_frame f;
        int status = next_frame(in, p->chain->magic, &f);
        if (status == P2P_FRAME_NEED_MORE)
            break;
        if (status < 0) {
            fail(p, "protocol violation: %s", p2p_frame_strerror(status));
            return;
        }
        int rc = on_message(p, &f);
        fflush(stdout);
        if (rc != 0)
            return;
        evbuffer_drain(in, f.frame_len);
    }
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct probe *p = arg;
    if (what & BEV_EVENT_CONNECTED) {
        p->connected = true;
        log_debug("connected to %s", p->target_text);
        send_version(p);
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        int err = EVUTIL_SOCKET_ERROR();
        if (!p->connected)
            fail(p, "cannot connect: %s", evutil_socket_error_to_string(err));
        else
            fail(p, "connection error: %s", evutil_socket_error_to_string(err));
        return;
    }
    if (what & BEV_EVENT_EOF) {
        if (!p->handshake_done) {
            fail(p, "peer closed the connection during the handshake");
            return;
        }
        end_wait(p, "peer closed the connection");
    }
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct probe *p = arg;
    if (!p->handshake_done) {
        fail(p, "interrupted before the handshake was done");
        return;
    }
    end_wait(p, "wait cut short");
}

static void on_handshake_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct probe *p = arg;
    if (!p->connected)
        fail(p, "timed out connecting (%d s)", p->timeout_s);
    else if (!p->got_version)
        fail(p, "timed out waiting for the peer's version (%d s)", p->timeout_s);
    else
        fail(p, "timed out waiting for the peer's verack (%d s)", p->timeout_s);
}

/* ---- set-up ----------------------------------------------------------- */

static int run_probe(struct probe *p)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (netaddr_to_sockaddr(&p->target, &ss, &sslen) != 0) {
        fprintf(stderr, "btcseed probe: %s: %s addresses need a proxy, which probe has not\n",
                p->target_text, netaddr_net_name(p->target.net));
        return CLI_EXIT_USAGE;
    }
    p->exit_code = CLI_EXIT_FAIL;
    p->base = event_base_new();
    if (!p->base) {
        fprintf(stderr, "btcseed probe: cannot create event loop\n");
        return CLI_EXIT_FAIL;
    }
    p->bev = bufferevent_socket_new(p->base, -1, BEV_OPT_CLOSE_ON_FREE);
    p->timer = evtimer_new(p->base, on_handshake_timeout, p);
    p->sigint = evsignal_new(p->base, SIGINT, on_signal, p);
    p->sigterm = evsignal_new(p->base, SIGTERM, on_signal, p);
    struct timeval tv = {p->timeout_s, 0};
    if (!p->bev || !p->timer || !p->sigint || !p->sigterm || evtimer_add(p->timer, &tv) != 0 ||
        evsignal_add(p->sigint, NULL) != 0 || evsignal_add(p->sigterm, NULL) != 0) {
        fprintf(stderr, "btcseed probe: cannot set up the connection\n");
        goto out;
    }
    /* At most one whole frame buffered: the framer refuses larger lengths. */
    bufferevent_setwatermark(p->bev, EV_READ, 0, P2P_HEADER_SIZE + P2P_MAX_PAYLOAD);
    bufferevent_setcb(p->bev, on_read, NULL, on_event, p);
    bufferevent_enable(p->bev, EV_READ | EV_WRITE);
    if (bufferevent_socket_connect(p->bev, (struct sockaddr *)&ss, (int)sslen) != 0) {
        /* Immediate failures (no route, ...) also come here. */
        fprintf(stderr, "btcseed probe: %s: cannot connect: %s\n", p->target_text,
                evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
        goto out;
    }
    event_base_dispatch(p->base);
out:
    if (p->sigint)
        event_free(p->sigint);
    if (p->sigterm)
        event_free(p->sigterm);
    if (p->timer)
        event_free(p->timer);
    if (p->bev)
        bufferevent_free(p->bev);
    event_base_free(p->base);
    fflush(stdout);
    return p->exit_code;
}

static int parse_seconds(const char *flag, const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v <= 0 || v > MAX_SECONDS) {
        fprintf(stderr, "btcseed probe: %s wants 1..%d seconds, got '%s'\n", flag, MAX_SECONDS,
                text);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int parse_and_run(int argc, char **argv, struct probe *p)
{
    int opt;
    p->chain = chain_by_name("main");
    p->wait_s = DEFAULT_WAIT_S;
    p->timeout_s = DEFAULT_TIMEOUT_S;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", probe_options, NULL)) != -1) {
        switch (opt) {
        case OPT_CHAIN:
            p->chain = chain_by_name(optarg);
            if (!p->chain) {
                fprintf(stderr, "btcseed probe: unknown chain '%s' (one of: %s)\n", optarg,
                        chain_names());
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_WAIT:
            if (parse_seconds("--wait", optarg, &p->wait_s) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_TIMEOUT:
            if (parse_seconds("--timeout", optarg, &p->timeout_s) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "btcseed probe: bad option '%s' (see --help)\n", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "btcseed probe: want exactly one ADDR[:PORT] (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (netaddr_parse(argv[optind], p->chain->default_port, &p->target) != 0) {
        fprintf(stderr, "btcseed probe: '%s' is not an address (ADDR[:PORT])\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    netaddr_format(&p->target, p->target_text, sizeof p->target_text);
    return run_probe(p);
}

int cli_probe(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_prepare("probe", argc, argv, "h", probe_options, &args);
    if (rc != 0)
        return rc;
    /* The decode space for one addr message is 48 KB: off the stack. */
    struct probe *p = calloc(1, sizeof *p);
    if (!p) {
        fprintf(stderr, "btcseed probe: out of memory\n");
        cli_args_free(&args);
        return CLI_EXIT_FAIL;
    }
    rc = parse_and_run(args.argc, args.argv, p);
    free(p);
    cli_args_free(&args);
    return rc;
}
