/* btcseed-simnet -- a whole simulated Bitcoin network on loopback, the ground
 * truth that crawler tests and benchmarks run against. Flags are parsed here;
 * the parent process writes the manifest, serves the seed DNS zone and
 * supervises --procs worker processes that share the P2P listeners. */
#include <errno.h>
#include <fcntl.h>
#include <event2/event.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "simnet_dns.h"
#include "simnet_manifest.h"
#include "simnet_model.h"
#include "simnet_seeds.h"
#include "simnet_worker.h"
#include "util/log.h"

#define EXIT_USAGE 2
#define DEFAULT_NODES 1000
#define DEFAULT_HEIGHT_ABOVE_MIN 20000
#define DEFAULT_SLOW_MS 2000
#define DEFAULT_TRICKLE_MS 1000
#define DEFAULT_FLOOD_MS 50
#define DEFAULT_DNS_SEEDS 3
#define DEFAULT_DNS_ANSWERS 10
#define DEFAULT_PROCS 2
#define MAX_PROCS 64
#define MAX_DNS_LISTEN 4

struct options {
    struct simnet_config cfg;
    struct simnet_runtime rt;
    const char *counts[SIMNET_BEHAVIOUR_COUNT]; /* as given: count or fraction */
    const char *ipv6;
    const char *onion;
    const char *socks5_text;
    netaddr_t socks5;
    const char *hostile;
    const char *hostile_kinds;
    const char *manifest;
    bool manifest_gossip;
    const char *dns[MAX_DNS_LISTEN + 1];
    unsigned ndns;
    struct simnet_seeds seeds;
    unsigned procs;
    int32_t height;
    bool height_set;
    long port, alt_port, dead_port;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: btcseed-simnet [OPTIONS]\n"
            "A simulated Bitcoin network on loopback (run it in a loopback-only network\n"
            "namespace). Prints 'ready' once every listener is up; stops on SIGINT/SIGTERM.\n\n"
            "network (the same flags always give the same network):\n"
            "  --seed N             seed of everything (default 1)\n"
            "  --chain NAME         %s (default main): magic, port, minimum height\n"
            "  --nodes N            addresses in the network (default %d)\n"
            "  --dead X             refused: advertised on --dead-port, nothing listens\n"
            "  --silent X           accept, never say a word\n"
            "  --slow X             honest, every answer after --slow-delay\n"
            "  --churn X            honest, up only part of the time (schedule in manifest)\n"
            "  --hostile X          hostile nodes, shared among --hostile-kinds\n"
            "  --hostile-kinds L    comma list (default all): wrong-magic, bad-checksum,\n"
            "                       huge-payload, trickle, addr-flood, bad-timestamps,\n"
            "                       bad-gossip, bad-addrv2, absurd-version,\n"
            "                       msg-before-version, disconnect\n"
            "  --ipv6 X             nodes on the IPv6 prefix (needs --ipv6-prefix)\n"
            "  --ipv6-prefix P/LEN  e.g. 2001:db8:2::/64 (at most /64); the namespace needs\n"
            "                       'ip -6 route add local P/LEN dev lo'\n"
            "                       X is a count (500) or a fraction of --nodes (0.2, 20%%)\n"
            "  --onion X            nodes with TorV3 addresses, reached through --socks5\n"
            "  --port P             node port (default: the chain's)\n"
            "  --alt-port P         a few honest nodes listen here (default port+1)\n"
            "  --dead-port P        dead nodes' port (default port+2)\n"
            "  --height H           best height (default chain minimum + %d)\n"
            "behaviour in time:\n"
            "  --latency MS         mean answer delay per node (each node 50-150%%)\n"
            "  --jitter MS          + uniform [0, MS] per answer\n"
            "  --slow-delay MS      slow nodes' delay (default %d)\n"
            "  --trickle-ms MS      trickle nodes: one byte per MS (default %d)\n"
            "  --time-scale F       simulated seconds per real second (default 1)\n"
            "  --epoch T            simulated unix time at start (default: now)\n"
            "serving:\n"
            "  --procs N            worker processes sharing the listeners (default %d)\n"
            "  --dns IP:PORT        seed zone over UDP+TCP (loopback only, repeatable)\n"
            "  --socks5 IP:PORT     a SOCKS5 proxy (loopback only) that reaches every node,\n"
            "                       onion ones by name, as Tor would\n"
            "  --dns-zone NAME      default sim.test (names seedN.ZONE, xHEX.seedN.ZONE)\n"
            "  --dns-seeds N        default %d;  --dns-answers N  records per answer (default %d)\n"
            "  --manifest FILE      write the ground truth as JSON\n"
            "  --manifest-gossip    include every node's gossip view (large)\n"
            "  --log-level L        error, warn, info, debug (default warn)\n",
            chain_names(), DEFAULT_NODES, DEFAULT_HEIGHT_ABOVE_MIN, DEFAULT_SLOW_MS,
            DEFAULT_TRICKLE_MS, DEFAULT_PROCS, DEFAULT_DNS_SEEDS, DEFAULT_DNS_ANSWERS);
}

static int parse_long(const char *flag, const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr, "btcseed-simnet: %s: expected an integer in [%ld, %ld], got '%s'\n",
                flag, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

/* "500" is a count, "0.2" or "20%" a fraction of `total`. */
static int parse_amount(const char *flag, const char *text, uint32_t total, uint32_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    bool percent = *end == '%';
    if (percent)
        end++;
    if (errno || end == text || *end || !(v >= 0) || v > 4e9) {
        fprintf(stderr, "btcseed-simnet: %s: expected a count or fraction, got '%s'\n", flag,
                text);
        return -1;
    }
    if (percent)
        v /= 100;
    bool fraction = percent || strchr(text, '.');
    if (fraction && v > 1) {
        fprintf(stderr, "btcseed-simnet: %s: a fraction must be at most 1, got '%s'\n", flag,
                text);
        return -1;
    }
    *out = (uint32_t)(fraction ? llround(v * total) : v);
    return 0;
}

enum long_only {
    OPT_SEED = 256, OPT_CHAIN, OPT_NODES, OPT_DEAD, OPT_SILENT, OPT_SLOW, OPT_CHURN,
    OPT_HOSTILE, OPT_HOSTILE_KINDS, OPT_IPV6, OPT_IPV6_PREFIX, OPT_PORT, OPT_ALT_PORT,
    OPT_DEAD_PORT, OPT_HEIGHT, OPT_LATENCY, OPT_JITTER, OPT_SLOW_DELAY, OPT_TRICKLE,
    OPT_TIME_SCALE, OPT_EPOCH, OPT_PROCS, OPT_DNS, OPT_DNS_ZONE, OPT_DNS_SEEDS,
    OPT_DNS_ANSWERS, OPT_MANIFEST, OPT_MANIFEST_GOSSIP, OPT_LOG_LEVEL, OPT_HELP, OPT_ONION,
    OPT_SOCKS5,
};

static const struct option long_options[] = {
    {"seed", required_argument, NULL, OPT_SEED},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"nodes", required_argument, NULL, OPT_NODES},
    {"dead", required_argument, NULL, OPT_DEAD},
    {"silent", required_argument, NULL, OPT_SILENT},
    {"slow", required_argument, NULL, OPT_SLOW},
    {"churn", required_argument, NULL, OPT_CHURN},
    {"hostile", required_argument, NULL, OPT_HOSTILE},
    {"hostile-kinds", required_argument, NULL, OPT_HOSTILE_KINDS},
    {"ipv6", required_argument, NULL, OPT_IPV6},
    {"ipv6-prefix", required_argument, NULL, OPT_IPV6_PREFIX},
    {"onion", required_argument, NULL, OPT_ONION},
    {"socks5", required_argument, NULL, OPT_SOCKS5},
    {"port", required_argument, NULL, OPT_PORT},
    {"alt-port", required_argument, NULL, OPT_ALT_PORT},
    {"dead-port", required_argument, NULL, OPT_DEAD_PORT},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"latency", required_argument, NULL, OPT_LATENCY},
    {"jitter", required_argument, NULL, OPT_JITTER},
    {"slow-delay", required_argument, NULL, OPT_SLOW_DELAY},
    {"trickle-ms", required_argument, NULL, OPT_TRICKLE},
    {"time-scale", required_argument, NULL, OPT_TIME_SCALE},
    {"epoch", required_argument, NULL, OPT_EPOCH},
    {"procs", required_argument, NULL, OPT_PROCS},
    {"dns", required_argument, NULL, OPT_DNS},
    {"dns-zone", required_argument, NULL, OPT_DNS_ZONE},
    {"dns-seeds", required_argument, NULL, OPT_DNS_SEEDS},
    {"dns-answers", required_argument, NULL, OPT_DNS_ANSWERS},
    {"manifest", required_argument, NULL, OPT_MANIFEST},
    {"manifest-gossip", no_argument, NULL, OPT_MANIFEST_GOSSIP},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static const enum simnet_behaviour count_flags[] = {
    [OPT_DEAD - OPT_DEAD] = SIMNET_DEAD,
    [OPT_SILENT - OPT_DEAD] = SIMNET_SILENT,
    [OPT_SLOW - OPT_DEAD] = SIMNET_SLOW,
    [OPT_CHURN - OPT_DEAD] = SIMNET_CHURN,
};

/* Shares --hostile among the enabled kinds, the first ones getting the rest. */
static int split_hostile(struct options *o)
{
    bool enabled[SIMNET_BEHAVIOUR_COUNT] = {false};
    unsigned kinds = 0;
    if (!o->hostile_kinds || strcmp(o->hostile_kinds, "all") == 0) {
        for (int b = SIMNET_FIRST_HOSTILE; b < SIMNET_BEHAVIOUR_COUNT; b++)
            enabled[b] = true;
    } else {
        char *list = strdup(o->hostile_kinds), *save = NULL;
        if (!list)
            return -1;
        for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            int b = simnet_behaviour_parse(t);
            if (b < 0 || !simnet_behaviour_is_hostile(b)) {
                fprintf(stderr, "btcseed-simnet: --hostile-kinds: unknown kind '%s'\n", t);
                free(list);
                return -1;
            }
            enabled[b] = true;
        }
        free(list);
    }
    for (int b = SIMNET_FIRST_HOSTILE; b < SIMNET_BEHAVIOUR_COUNT; b++)
        kinds += enabled[b];
    uint32_t total = 0;
    if (o->hostile && parse_amount("--hostile", o->hostile, o->cfg.nodes, &total) != 0)
        return -1;
    uint32_t share = kinds ? total / kinds : 0, rest = kinds ? total % kinds : 0;
    for (int b = SIMNET_FIRST_HOSTILE; b < SIMNET_BEHAVIOUR_COUNT; b++) {
        if (!enabled[b])
            continue;
        o->cfg.count[b] = share + (rest ? 1 : 0);
        if (rest)
            rest--;
    }
    return 0;
}

static int finish_options(struct options *o)
{
    for (int b = 0; b < SIMNET_BEHAVIOUR_COUNT; b++) {
        char flag[32];
        snprintf(flag, sizeof flag, "--%s", simnet_behaviour_name(b));
        if (o->counts[b] && parse_amount(flag, o->counts[b], o->cfg.nodes, &o->cfg.count[b]) != 0)
            return -1;
    }
    if (split_hostile(o) != 0)
        return -1;
    if (o->ipv6 && parse_amount("--ipv6", o->ipv6, o->cfg.nodes, &o->cfg.ipv6_nodes) != 0)
        return -1;
    if (o->onion && parse_amount("--onion", o->onion, o->cfg.nodes, &o->cfg.onion_nodes) != 0)
        return -1;
    if (o->cfg.ipv6_nodes && o->cfg.ipv6_prefix.net == 0) {
        fprintf(stderr, "btcseed-simnet: --ipv6 needs --ipv6-prefix\n");
        return -1;
    }
    long port = o->port ? o->port : o->cfg.chain->default_port;
    o->cfg.port = (uint16_t)port;
    o->cfg.alt_port = (uint16_t)(o->alt_port ? o->alt_port : port + 1);
    o->cfg.dead_port = (uint16_t)(o->dead_port ? o->dead_port : port + 2);
    o->cfg.best_height =
        o->height_set ? o->height : o->cfg.chain->min_height + DEFAULT_HEIGHT_ABOVE_MIN;
    return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->cfg.seed = 1;
    o->cfg.chain = chain_by_name("main");
    o->cfg.nodes = DEFAULT_NODES;
    o->cfg.slow_ms = DEFAULT_SLOW_MS;
    o->rt.time_scale = 1;
    o->rt.epoch = (int64_t)time(NULL);
    o->rt.trickle_ms = DEFAULT_TRICKLE_MS;
    o->rt.flood_ms = DEFAULT_FLOOD_MS;
    o->procs = DEFAULT_PROCS;
    snprintf(o->seeds.zone, sizeof o->seeds.zone, "sim.test");
    o->seeds.count = DEFAULT_DNS_SEEDS;
    o->seeds.answers = DEFAULT_DNS_ANSWERS;
    log_set_level(LOG_LEVEL_WARN);
    int c;
    long v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        const char *flag = argv[optind - 1];
        switch (c) {
        case OPT_SEED: {
            char *end;
            errno = 0;
            o->cfg.seed = strtoull(optarg, &end, 0);
            if (errno || *end || end == optarg) {
                fprintf(stderr, "btcseed-simnet: --seed: expected a number\n");
                return -1;
            }
            break;
        }
        case OPT_CHAIN:
            if (!(o->cfg.chain = chain_by_name(optarg))) {
                fprintf(stderr, "btcseed-simnet: --chain: expected one of %s\n", chain_names());
                return -1;
            }
            break;
        case OPT_NODES:
            if (parse_long("--nodes", optarg, 1, 16000000, &v) != 0)
                return -1;
            o->cfg.nodes = (uint32_t)v;
            break;
        case OPT_DEAD:
        case OPT_SILENT:
        case OPT_SLOW:
        case OPT_CHURN:
            o->counts[count_flags[c - OPT_DEAD]] = optarg;
            break;
        case OPT_HOSTILE:
            o->hostile = optarg;
            break;
        case OPT_HOSTILE_KINDS:
            o->hostile_kinds = optarg;
            break;
        case OPT_IPV6:
            o->ipv6 = optarg;
            break;
        case OPT_ONION:
            o->onion = optarg;
            break;
        case OPT_SOCKS5:
            o->socks5_text = optarg;
            if (netaddr_parse(optarg, 0, &o->socks5) != 0 || o->socks5.port == 0) {
                fprintf(stderr, "btcseed-simnet: --socks5: expected IP:PORT\n");
                return -1;
            }
            if (!simnet_is_loopback(&o->socks5)) {
                fprintf(stderr, "btcseed-simnet: --socks5 %s: refusing to listen outside "
                                "loopback\n", optarg);
                return -1;
            }
            break;
        case OPT_IPV6_PREFIX:
            if (netaddr_cidr_parse(optarg, &o->cfg.ipv6_prefix) != 0 ||
                o->cfg.ipv6_prefix.net != NETADDR_IPV6) {
                fprintf(stderr, "btcseed-simnet: --ipv6-prefix: expected an IPv6 prefix\n");
                return -1;
            }
            break;
        case OPT_PORT:
        case OPT_ALT_PORT:
        case OPT_DEAD_PORT:
            if (parse_long(flag, optarg, 1, 65535, &v) != 0)
                return -1;
            *(c == OPT_PORT ? &o->port : c == OPT_ALT_PORT ? &o->alt_port : &o->dead_port) = v;
            break;
        case OPT_HEIGHT:
            if (parse_long("--height", optarg, 0, INT32_MAX, &v) != 0)
                return -1;
            o->height = (int32_t)v;
            o->height_set = true;
            break;
        case OPT_LATENCY:
        case OPT_JITTER:
        case OPT_SLOW_DELAY:
        case OPT_TRICKLE:
            if (parse_long(flag, optarg, c == OPT_TRICKLE ? 1 : 0, 3600000, &v) != 0)
                return -1;
            *(c == OPT_LATENCY  ? &o->cfg.latency_ms
              : c == OPT_JITTER ? &o->rt.jitter_ms
              : c == OPT_SLOW_DELAY ? &o->cfg.slow_ms
                                    : &o->rt.trickle_ms) = (uint32_t)v;
            break;
        case OPT_TIME_SCALE: {
            char *end;
            o->rt.time_scale = strtod(optarg, &end);
            if (*end || end == optarg || !(o->rt.time_scale > 0) || o->rt.time_scale > 1e9) {
                fprintf(stderr, "btcseed-simnet: --time-scale: expected a positive number\n");
                return -1;
            }
            break;
        }
        case OPT_EPOCH:
            if (parse_long("--epoch", optarg, 0, UINT32_MAX, &v) != 0)
                return -1;
            o->rt.epoch = v;
            break;
        case OPT_PROCS:
            if (parse_long("--procs", optarg, 1, MAX_PROCS, &v) != 0)
                return -1;
            o->procs = (unsigned)v;
            break;
        case OPT_DNS:
            if (o->ndns == MAX_DNS_LISTEN) {
                fprintf(stderr, "btcseed-simnet: at most %d --dns\n", MAX_DNS_LISTEN);
                return -1;
            }
            o->dns[o->ndns++] = optarg;
            break;
        case OPT_DNS_ZONE: {
            size_t n = strlen(optarg);
            while (n && optarg[n - 1] == '.')
                n--;
            if (n == 0 || n >= sizeof o->seeds.zone - 16) {
                fprintf(stderr, "btcseed-simnet: --dns-zone: bad zone name\n");
                return -1;
            }
            for (size_t i = 0; i < n; i++)
                o->seeds.zone[i] = (char)((optarg[i] >= 'A' && optarg[i] <= 'Z') ? optarg[i] + 32
                                                                                 : optarg[i]);
            o->seeds.zone[n] = '\0';
            break;
        }
        case OPT_DNS_SEEDS:
            if (parse_long("--dns-seeds", optarg, 1, 100, &v) != 0)
                return -1;
            o->seeds.count = (unsigned)v;
            break;
        case OPT_DNS_ANSWERS:
            if (parse_long("--dns-answers", optarg, 1, SIMNET_SEEDS_MAX_ANSWERS, &v) != 0)
                return -1;
            o->seeds.answers = (unsigned)v;
            break;
        case OPT_MANIFEST:
            o->manifest = optarg;
            break;
        case OPT_MANIFEST_GOSSIP:
            o->manifest_gossip = true;
            break;
        case OPT_LOG_LEVEL: {
            enum log_level level;
            if (log_level_parse(optarg, &level) != 0) {
                fprintf(stderr, "btcseed-simnet: --log-level: error, warn, info or debug\n");
                return -1;
            }
            log_set_level(level);
            break;
        }
        case OPT_HELP:
            usage(stdout);
            exit(0);
        default:
            fprintf(stderr, "btcseed-simnet: unknown or incomplete option '%s' (see --help)\n",
                    flag);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "btcseed-simnet: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return finish_options(o);
}

static pid_t workers[MAX_PROCS];
static unsigned nworkers;

static void stop_workers(void)
{
    for (unsigned i = 0; i < nworkers; i++)
        if (workers[i] > 0)
            kill(workers[i], SIGTERM);
    for (unsigned i = 0; i < nworkers; i++)
        if (workers[i] > 0)
            waitpid(workers[i], NULL, 0);
    nworkers = 0;
}

/* Forks the workers; returns 0 once each reported its listeners up. The
 * caller blocks SIGTERM/SIGINT/SIGCHLD around this; children restore `mask`. */
static int start_workers(const struct simnet_model *m, const struct simnet_runtime *rt,
                         const netaddr_t *socks5, unsigned procs, const sigset_t *mask)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t parent = getpid();
    for (unsigned i = 0; i < procs; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            log_error("simnet: fork: %s", strerror(errno));
            break;
        }
        if (pid == 0) {
            close(fds[0]);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            sigprocmask(SIG_SETMASK, mask, NULL);
            if (getppid() != parent)
                _exit(1);
            _exit(simnet_worker_run(m, rt, socks5, fds[1]) == 0 ? 0 : 1);
        }
        workers[nworkers++] = pid;
    }
    close(fds[1]);
    unsigned ready = 0;
    char byte;
    ssize_t n;
    while ((n = read(fds[0], &byte, 1)) == 1 || (n < 0 && errno == EINTR))
        ready += n == 1;
    close(fds[0]);
    return ready == procs && nworkers == procs ? 0 : -1;
}

struct supervisor {
    struct event_base *base;
    int status;
};

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    struct supervisor *s = arg;
    event_base_loopbreak(s->base);
}

static void on_child(evutil_socket_t sig, short what, void *arg)
{
    struct supervisor *s = arg;
    int wstatus;
    pid_t pid;
    while ((pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
        for (unsigned i = 0; i < nworkers; i++) {
            if (workers[i] == pid) {
                log_error("simnet: worker %d stopped unexpectedly", (int)pid);
                workers[i] = 0;
                s->status = 1;
                event_base_loopbreak(s->base);
            }
        }
    }
}

static int serve(struct options *o, const struct simnet_model *m)
{
    struct supervisor sup = {.base = NULL, .status = 1};
    struct simnet_dns *dns[MAX_DNS_LISTEN] = {NULL};
    struct event *sigs[3] = {NULL, NULL, NULL};
    /* Workers are forked before the parent owns any event base, socket or
     * signal handler, so they inherit none; signals wait until the loop runs. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    clock_gettime(CLOCK_MONOTONIC, &o->rt.start);
    if (start_workers(m, &o->rt, o->socks5_text ? &o->socks5 : NULL, o->procs, &old) != 0) {
        log_error("simnet: the workers could not start listening");
        goto out;
    }
    if (!(sup.base = event_base_new()))
        goto out;
    for (unsigned i = 0; i < o->ndns; i++)
        if (!(dns[i] = simnet_dns_start(sup.base, &o->seeds, o->dns[i])))
            goto out;
    sigs[0] = evsignal_new(sup.base, SIGTERM, on_stop_signal, &sup);
    sigs[1] = evsignal_new(sup.base, SIGINT, on_stop_signal, &sup);
    sigs[2] = evsignal_new(sup.base, SIGCHLD, on_child, &sup);
    for (int i = 0; i < 3; i++)
        if (!sigs[i] || event_add(sigs[i], NULL) != 0)
            goto out;
    sup.status = 0;
    printf("ready\n");
    fflush(stdout);
    sigprocmask(SIG_SETMASK, &old, NULL);
    event_base_dispatch(sup.base);
out:
    stop_workers();
    for (int i = 0; i < 3; i++)
        if (sigs[i])
            event_free(sigs[i]);
    for (unsigned i = 0; i < o->ndns; i++)
        simnet_dns_stop(dns[i]);
    if (sup.base)
        event_base_free(sup.base);
    return sup.status;
}

int main(int argc, char **argv)
{
    struct options o;
    if (parse_options(argc, argv, &o) != 0)
        return EXIT_USAGE;
    struct simnet_model model;
    char err[200];
    if (simnet_model_init(&model, &o.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "btcseed-simnet: %s\n", err);
        return EXIT_USAGE;
    }
    o.seeds.model = &model;
    if (o.manifest) {
        struct simnet_manifest_extra extra = {.seeds = &o.seeds,
                                              .dns_listen = o.dns,
                                              .socks5 = o.socks5_text,
                                              .gossip = o.manifest_gossip};
        if (simnet_manifest_write(o.manifest, &model, &extra) != 0) {
            simnet_model_free(&model);
            return 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    int status = serve(&o, &model);
    simnet_model_free(&model);
    return status;
}
