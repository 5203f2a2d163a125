/* cli_serve -- `btcseed serve`: answer DNS for the seed's zone from the node
 * database, re-reading it every few seconds (so it can run beside `btcseed
 * crawl` as its own process). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "dns/dns_nodedb.h"
#include "dns/dns_privdrop.h"
#include "dns/dns_server.h"
#include "util/log.h"

#define DEFAULT_RELOAD_S 5
#define DEFAULT_STATS_S 60
#define MAX_INTERVAL_S 86400

enum {
    OPT_DB = 256, OPT_ZONE, OPT_NS, OPT_MBOX, OPT_LISTEN, OPT_USER, OPT_THREADS, OPT_RELOAD,
    OPT_STATS, OPT_TCP_MAX, OPT_TCP_IDLE, OPT_RRL_RATE, OPT_RRL_SLIP, OPT_RRL_V4, OPT_RRL_V6,
    OPT_RRL_BUCKETS,
};
static const struct option serve_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"zone", required_argument, NULL, OPT_ZONE},
    {"ns", required_argument, NULL, OPT_NS},
    {"mbox", required_argument, NULL, OPT_MBOX},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"user", required_argument, NULL, OPT_USER},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"reload", required_argument, NULL, OPT_RELOAD},
    {"stats", required_argument, NULL, OPT_STATS},
    {"tcp-max", required_argument, NULL, OPT_TCP_MAX},
    {"tcp-idle", required_argument, NULL, OPT_TCP_IDLE},
    {"rrl-rate", required_argument, NULL, OPT_RRL_RATE},
    {"rrl-slip", required_argument, NULL, OPT_RRL_SLIP},
    {"rrl-ipv4-prefix", required_argument, NULL, OPT_RRL_V4},
    {"rrl-ipv6-prefix", required_argument, NULL, OPT_RRL_V6},
    {"rrl-buckets", required_argument, NULL, OPT_RRL_BUCKETS},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: btcseed serve --db FILE --zone NAME --ns NAME --mbox EMAIL\n"
            "                     --listen IP:PORT... [OPTIONS]\n"
            "\n"
            "Answers DNS for the seed's zone with random good nodes from the database:\n"
            "A and AAAA at NAME and at x<HEX>.NAME (nodes with service bits HEX), NS and\n"
            "SOA at NAME. UDP and TCP on every --listen address.\n"
            "\n"
            "  --db FILE             node database written by 'btcseed crawl'\n"
            "  --zone NAME           the zone delegated to this server\n"
            "  --ns NAME             this server's name, for NS and SOA\n"
            "  --mbox EMAIL          the zone contact, for SOA (hostmaster@example.org)\n"
            "  --listen IP:PORT      address to answer on (repeatable; IPv4 or [IPv6])\n"
            "  --user USER           after binding, run as USER\n"
            "  --threads N           UDP threads (default: one per CPU)\n"
            "  --reload S            re-read the database every S seconds (default %d)\n"
            "  --stats S             log query counts every S seconds (default %d)\n"
            "  --tcp-max N           open TCP connections at most (default %d)\n"
            "  --tcp-idle S          close TCP connections idle S seconds (default %d)\n"
            "  --rrl-rate N          UDP responses per second per source prefix,\n"
            "                        0 = no rate limiting (default %d)\n"
            "  --rrl-slip N          send every Nth limited response truncated (TC) so\n"
            "                        real resolvers retry over TCP; 0 = drop all (default %d)\n"
            "  --rrl-ipv4-prefix N   source prefix length for IPv4 (default %d)\n"
            "  --rrl-ipv6-prefix N   source prefix length for IPv6 (default %d)\n"
            "  --rrl-buckets N       rate-limit table size (default %d)\n"
            "%s",
            DEFAULT_RELOAD_S, DEFAULT_STATS_S, DNS_SERVER_DEFAULT_TCP_MAX,
            DNS_SERVER_DEFAULT_TCP_IDLE_MS / 1000, DNS_RRL_DEFAULT_RATE, DNS_RRL_DEFAULT_SLIP,
            DNS_RRL_DEFAULT_IPV4_PREFIX, DNS_RRL_DEFAULT_IPV6_PREFIX, DNS_RRL_DEFAULT_BUCKETS,
            CLI_COMMON_HELP);
}

static int parse_uint(const char *text, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

struct serve_opts {
    const char *db, *zone, *ns, *mbox, *user;
    unsigned reload_s, stats_s;
    struct dns_server_config server;
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "btcseed serve: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see 'btcseed serve --help')\n");
    return CLI_EXIT_USAGE;
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct serve_opts *o)
{
    memset(o, 0, sizeof *o);
    dns_server_config_default(&o->server);
    o->reload_s = DEFAULT_RELOAD_S;
    o->stats_s = DEFAULT_STATS_S;
    unsigned v;
    int c;
    while ((c = getopt_long(argc, argv, "h", serve_options, NULL)) != -1) {
        switch (c) {
        case OPT_DB: o->db = optarg; break;
        case OPT_ZONE: o->zone = optarg; break;
        case OPT_NS: o->ns = optarg; break;
        case OPT_MBOX: o->mbox = optarg; break;
        case OPT_USER: o->user = optarg; break;
        case OPT_LISTEN:
            if (o->server.nlisten == DNS_SERVER_MAX_LISTEN)
                return usage_error("too many --listen addresses (at most %s)", "16");
            o->server.listen[o->server.nlisten++] = optarg;
            break;
        case OPT_THREADS:
            if (parse_uint(optarg, 1, DNS_SERVER_MAX_THREADS, &o->server.threads) < 0)
                return usage_error("bad --threads '%s'", optarg);
            break;
        case OPT_RELOAD:
            if (parse_uint(optarg, 1, MAX_INTERVAL_S, &o->reload_s) < 0)
                return usage_error("bad --reload '%s'", optarg);
            break;
        case OPT_STATS:
            if (parse_uint(optarg, 1, MAX_INTERVAL_S, &o->stats_s) < 0)
                return usage_error("bad --stats '%s'", optarg);
            break;
        case OPT_TCP_MAX:
            if (parse_uint(optarg, 1, 65536, &o->server.tcp_max) < 0)
                return usage_error("bad --tcp-max '%s'", optarg);
            break;
        case OPT_TCP_IDLE:
            if (parse_uint(optarg, 1, 3600, &v) < 0)
                return usage_error("bad --tcp-idle '%s'", optarg);
            o->server.tcp_idle_ms = v * 1000;
            break;
        case OPT_RRL_RATE:
            if (parse_uint(optarg, 0, 1000000000, &o->server.rrl.rate) < 0)
                return usage_error("bad --rrl-rate '%s'", optarg);
            break;
        case OPT_RRL_SLIP:
            if (parse_uint(optarg, 0, 1000000, &o->server.rrl.slip) < 0)
                return usage_error("bad --rrl-slip '%s'", optarg);
            break;
        case OPT_RRL_V4:
            if (parse_uint(optarg, 8, 32, &o->server.rrl.ipv4_prefix) < 0)
                return usage_error("bad --rrl-ipv4-prefix '%s' (8 to 32)", optarg);
            break;
        case OPT_RRL_V6:
            if (parse_uint(optarg, 16, 128, &o->server.rrl.ipv6_prefix) < 0)
                return usage_error("bad --rrl-ipv6-prefix '%s' (16 to 128)", optarg);
            break;
        case OPT_RRL_BUCKETS:
            if (parse_uint(optarg, 1, DNS_RRL_MAX_BUCKETS, &o->server.rrl.buckets) < 0)
                return usage_error("bad --rrl-buckets '%s'", optarg);
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "btcseed serve: see 'btcseed serve --help'\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!o->db || !o->zone || !o->ns || !o->mbox || o->server.nlisten == 0)
        return usage_error("%s", "--db, --zone, --ns, --mbox and --listen are required");
    return -1;
}

static void log_stats(const dns_server_t *srv, size_t nodes)
{
    struct dns_server_stats st;
    dns_server_stats(srv, &st);
    log_info("dns: %zu good nodes; queries udp %llu tcp %llu; A %llu AAAA %llu NS %llu SOA %llu "
             "ANY %llu other %llu; NOERROR %llu NXDOMAIN %llu REFUSED %llu FORMERR %llu NOTIMP %llu "
             "BADVERS %llu; truncated %llu; dropped malformed %llu ratelimit %llu slipped %llu",
             nodes, (unsigned long long)st.queries_udp, (unsigned long long)st.queries_tcp,
             (unsigned long long)st.qtype[DNS_STAT_A], (unsigned long long)st.qtype[DNS_STAT_AAAA],
             (unsigned long long)st.qtype[DNS_STAT_NS], (unsigned long long)st.qtype[DNS_STAT_SOA],
             (unsigned long long)st.qtype[DNS_STAT_ANY], (unsigned long long)st.qtype[DNS_STAT_OTHER],
             (unsigned long long)st.rcode[DNS_STAT_NOERROR],
             (unsigned long long)st.rcode[DNS_STAT_NXDOMAIN],
             (unsigned long long)st.rcode[DNS_STAT_REFUSED],
             (unsigned long long)st.rcode[DNS_STAT_FORMERR],
             (unsigned long long)st.rcode[DNS_STAT_NOTIMP],
             (unsigned long long)st.rcode[DNS_STAT_BADVERS], (unsigned long long)st.truncated,
             (unsigned long long)st.dropped, (unsigned long long)st.rrl_dropped,
             (unsigned long long)st.rrl_slipped);
}

static nodedb_t *open_db(const char *path)
{
    nodedb_t *db = NULL;
    char err[256];
    if (nodedb_open(path, NODEDB_READONLY, &db, err, sizeof err) != NODEDB_OK) {
        log_warn("serve: cannot open database %s: %s", path, err);
        return NULL;
    }
    return db;
}

/* Re-reads the database; reopens it after an error. */
static void reload(const char *path, nodedb_t **db, dns_publisher_t *pub, size_t *nodes)
{
    if (!*db && !(*db = open_db(path)))
        return;
    if (dns_nodedb_publish(pub, *db, nodes) != 0) {
        nodedb_close(*db);
        *db = NULL;
    }
}

static int serve(const struct serve_opts *o)
{
    dns_zone_t zone;
    if (dns_zone_init(&zone, o->zone, o->ns, o->mbox) != 0) {
        fprintf(stderr, "btcseed serve: bad --zone, --ns or --mbox name\n");
        return CLI_EXIT_USAGE;
    }
    struct stat st;
    if (stat(o->db, &st) != 0) {
        log_error("serve: no database at %s: %s", o->db, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    /* Signals are taken synchronously by this thread; the server threads
     * inherit the blocked mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    int rc = CLI_EXIT_FAIL;
    dns_server_t *srv = NULL;
    nodedb_t *db = NULL;
    dns_publisher_t *pub = dns_publisher_new(dns_server_readers(&o->server));
    if (!pub || dns_server_new(&o->server, &zone, pub, &srv) != 0)
        goto out;
    if (dns_privdrop(o->user) != 0) /* before the first packet is read */
        goto out;
    size_t nodes = 0;
    reload(o->db, &db, pub, &nodes);
    if (dns_server_start(srv) != 0)
        goto out;
    log_info("serve: answering for %s with %zu good nodes", o->zone, nodes);
    time_t next_reload = time(NULL) + o->reload_s, next_stats = time(NULL) + o->stats_s;
    for (;;) {
        time_t now = time(NULL);
        time_t wake = next_reload < next_stats ? next_reload : next_stats;
        struct timespec ts = {.tv_sec = wake > now ? wake - now : 0};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        now = time(NULL);
        if (sig == SIGHUP || now >= next_reload) {
            reload(o->db, &db, pub, &nodes);
            next_reload = now + o->reload_s;
        }
        if (now >= next_stats) {
            log_stats(srv, nodes);
            next_stats = now + o->stats_s;
        }
    }
    log_stats(srv, nodes);
    log_info("serve: stopping");
    rc = CLI_EXIT_OK;
out:
    dns_server_free(srv);
    dns_publisher_free(pub);
    nodedb_close(db);
    return rc;
}

int cli_serve(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_prepare("serve", argc, argv, "h", serve_options, &args);
    if (rc != 0)
        return rc;
    struct serve_opts o;
    rc = parse_args(args.argc, args.argv, &o);
    if (rc < 0)
        rc = serve(&o);
    cli_args_free(&args);
    return rc;
}
