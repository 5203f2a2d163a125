#include "cli/cli_serve_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RELOAD_S 5
#define DEFAULT_STATS_S 60
#define MAX_INTERVAL_S 86400

enum {
    OPT_ZONE = CLI_SERVE_OPT_FIRST, OPT_NS, OPT_NS_ADDR, OPT_MBOX, OPT_LISTEN, OPT_USER, OPT_THREADS, OPT_RELOAD,
    OPT_STATS, OPT_TCP_MAX, OPT_TCP_IDLE, OPT_RRL_RATE, OPT_RRL_SLIP, OPT_RRL_V4, OPT_RRL_V6,
    OPT_RRL_BUCKETS, OPT_DB,
};

const struct option cli_serve_options[] = {
    {"zone", required_argument, NULL, OPT_ZONE},
    {"ns", required_argument, NULL, OPT_NS},
    {"ns-addr", required_argument, NULL, OPT_NS_ADDR},
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
    {"db", required_argument, NULL, OPT_DB},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
size_t cli_serve_dns_option_count(void)
{
    size_t n = 0;
    while (cli_serve_options[n].name && strcmp(cli_serve_options[n].name, "db") != 0)
        n++;
    return n;
}

void cli_serve_opts_help(FILE *out)
{
    fprintf(out,
            "  --zone NAME           the zone delegated to this server\n"
            "  --ns NAME             this server's name, for NS and SOA\n"
            "  --ns-addr IP          this server's public address (repeatable; IPv4 or\n"
            "                        IPv6), required when --ns is inside the zone: served\n"
            "                        as that name's A/AAAA and as glue in NS answers\n"
            "  --mbox EMAIL          the zone contact, for SOA (hostmaster@example.org)\n"
            "  --listen IP:PORT      address to answer on (repeatable; IPv4 or [IPv6])\n"
            "  --user USER           after binding, run as USER\n"
            "  --threads N           UDP threads (default: one per CPU)\n"
            "  --reload S            re-read the good nodes every S seconds (default %d)\n"
            "  --stats S             log query counts every S seconds (default %d)\n"
            "  --tcp-max N           open TCP connections at most (default %d)\n"
            "  --tcp-idle S          close TCP connections idle S seconds (default %d)\n"
            "  --rrl-rate N          UDP responses per second per source prefix,\n"
            "                        0 = no rate limiting (default %d)\n"
            "  --rrl-slip N          send every Nth limited response truncated (TC) so\n"
            "                        real resolvers retry over TCP; 0 = drop all (default %d)\n"
            "  --rrl-ipv4-prefix N   source prefix length for IPv4 (default %d)\n"
            "  --rrl-ipv6-prefix N   source prefix length for IPv6 (default %d)\n"
            "  --rrl-buckets N       rate-limit table size (default %d)\n",
            DEFAULT_RELOAD_S, DEFAULT_STATS_S, DNS_SERVER_DEFAULT_TCP_MAX,
            DNS_SERVER_DEFAULT_TCP_IDLE_MS / 1000, DNS_RRL_DEFAULT_RATE, DNS_RRL_DEFAULT_SLIP,
            DNS_RRL_DEFAULT_IPV4_PREFIX, DNS_RRL_DEFAULT_IPV6_PREFIX, DNS_RRL_DEFAULT_BUCKETS);
}

void cli_serve_opts_default(struct serve_opts *o)
{
    memset(o, 0, sizeof *o);
    dns_server_config_default(&o->server);
    o->reload_s = DEFAULT_RELOAD_S;
    o->stats_s = DEFAULT_STATS_S;
}

static int parse_uint(const char *flag, const char *text, unsigned min, unsigned max,
                      unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v < min || v > max) {
        fprintf(stderr, "btcseed: %s wants a whole number from %u to %u, not '%s'\n", flag, min,
                max, text);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

int cli_serve_opt(int opt, const char *arg, struct serve_opts *o)
{
    unsigned v;
    switch (opt) {
    case OPT_DB: o->db = arg; return 0;
    case OPT_ZONE: o->zone = arg; return 0;
    case OPT_NS: o->ns = arg; return 0;
    case OPT_MBOX: o->mbox = arg; return 0;
    case OPT_NS_ADDR:
        if (o->ns_addrs == CLI_SERVE_MAX_NS_ADDRS) {
            fprintf(stderr, "btcseed: at most %d --ns-addr addresses\n", CLI_SERVE_MAX_NS_ADDRS);
            return -1;
        }
        o->ns_addr[o->ns_addrs++] = arg;
        return 0;
    case OPT_USER: o->user = arg; return 0;
    case OPT_LISTEN:
        if (o->server.nlisten == DNS_SERVER_MAX_LISTEN) {
            fprintf(stderr, "btcseed: at most %d --listen addresses\n", DNS_SERVER_MAX_LISTEN);
            return -1;
        }
        o->server.listen[o->server.nlisten++] = arg;
        return 0;
    case OPT_THREADS: return parse_uint("--threads", arg, 1, DNS_SERVER_MAX_THREADS, &o->server.threads);
    case OPT_RELOAD: return parse_uint("--reload", arg, 1, MAX_INTERVAL_S, &o->reload_s);
    case OPT_STATS: return parse_uint("--stats", arg, 1, MAX_INTERVAL_S, &o->stats_s);
    case OPT_TCP_MAX: return parse_uint("--tcp-max", arg, 1, 65536, &o->server.tcp_max);
    case OPT_TCP_IDLE:
        if (parse_uint("--tcp-idle", arg, 1, 3600, &v) < 0)
            return -1;
        o->server.tcp_idle_ms = v * 1000;
        return 0;
    case OPT_RRL_RATE: return parse_uint("--rrl-rate", arg, 0, 1000000000, &o->server.rrl.rate);
    case OPT_RRL_SLIP: return parse_uint("--rrl-slip", arg, 0, 1000000, &o->server.rrl.slip);
    case OPT_RRL_V4: return parse_uint("--rrl-ipv4-prefix", arg, 8, 32, &o->server.rrl.ipv4_prefix);
    case OPT_RRL_V6:
        return parse_uint("--rrl-ipv6-prefix", arg, 16, 128, &o->server.rrl.ipv6_prefix);
    case OPT_RRL_BUCKETS:
        return parse_uint("--rrl-buckets", arg, 1, DNS_RRL_MAX_BUCKETS, &o->server.rrl.buckets);
    default: return -1;
    }
}

int cli_serve_opts_check(const struct serve_opts *o, const char *command)
{
    if (!o->zone || !o->ns || !o->mbox || o->server.nlisten == 0) {
        fprintf(stderr,
                "btcseed %s: --zone, --ns, --mbox and --listen are required (see 'btcseed %s "
                "--help')\n",
                command, command);
        return -1;
    }
    return 0;
}

int cli_serve_opts_zone(const struct serve_opts *o, const char *command, dns_zone_t *zone)
{
    if (dns_zone_init(zone, o->zone, o->ns, o->mbox) != 0) {
        fprintf(stderr, "btcseed %s: bad --zone, --ns or --mbox name\n", command);
        return -1;
    }
    for (size_t i = 0; i < o->ns_addrs; i++) {
        int rc = dns_zone_add_ns_addr(zone, o->ns_addr[i]);
        if (rc == DNS_ZONE_ADDR_BAD) {
            fprintf(stderr, "btcseed %s: --ns-addr '%s' is not an IPv4 or IPv6 address\n",
                    command, o->ns_addr[i]);
            return -1;
        }
        if (rc != 0) {
            fprintf(stderr, "btcseed %s: at most %d --ns-addr addresses of each family\n",
                    command, DNS_ZONE_MAX_NS_ADDRS);
            return -1;
        }
    }
    switch (dns_zone_check(zone)) {
    case DNS_ZONE_OK:
        return 0;
    case DNS_ZONE_NS_NEEDS_ADDR:
        fprintf(stderr,
                "btcseed %s: --ns %s is inside the zone %s, so the zone must give its "
                "addresses: add --ns-addr IP for each public address of this server\n",
                command, o->ns, o->zone);
        return -1;
    case DNS_ZONE_NS_ADDR_OUTSIDE:
        fprintf(stderr,
                "btcseed %s: --ns-addr is for a --ns inside the zone; %s is outside %s, so its "
                "addresses belong in its own zone\n",
                command, o->ns, o->zone);
        return -1;
    case DNS_ZONE_NS_CLASH:
        fprintf(stderr,
                "btcseed %s: --ns %s cannot be the zone's apex or an x<hex> name, whose "
                "A/AAAA records are the seed's nodes\n",
                command, o->ns);
        return -1;
    }
    return -1;
}
