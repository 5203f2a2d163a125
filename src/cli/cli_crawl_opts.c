#include "cli/cli_crawl_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_args.h"
#include "export/export.h"
#include "http/http_server.h"

enum {
    OPT_CHAIN = 1, OPT_DB, OPT_SEED, OPT_NO_SEEDS, OPT_RESOLVER, OPT_CONNECT, OPT_ALLOW_NET,
    OPT_CONCURRENCY, OPT_MAX_RATE, OPT_ONCE, OPT_ONION_PROXY, OPT_I2P_PROXY, OPT_CJDNS,
    OPT_CONNECT_TIMEOUT, OPT_HANDSHAKE_TIMEOUT, OPT_ADDR_TIMEOUT, OPT_QUIET, OPT_VISIT_TIMEOUT,
    OPT_NO_PROGRESS, OPT_DUMP, OPT_JSON, OPT_CSV, OPT_EXPORT_INTERVAL, OPT_SNAPSHOT_INTERVAL,
    OPT_HTTP, OPT_ONLY_ALLOWED, OPT_HELP,
};

static const struct option crawl_options[] = {
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"db", required_argument, NULL, OPT_DB},
    {"seed", required_argument, NULL, OPT_SEED},
    {"no-seeds", no_argument, NULL, OPT_NO_SEEDS},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"connect", required_argument, NULL, OPT_CONNECT},
    {"allow-net", required_argument, NULL, OPT_ALLOW_NET},
    {"concurrency", required_argument, NULL, OPT_CONCURRENCY},
    {"max-rate", required_argument, NULL, OPT_MAX_RATE},
    {"once", no_argument, NULL, OPT_ONCE},
    {"onion-proxy", required_argument, NULL, OPT_ONION_PROXY},
    {"i2p-proxy", required_argument, NULL, OPT_I2P_PROXY},
    {"cjdns", no_argument, NULL, OPT_CJDNS},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT},
    {"addr-timeout", required_argument, NULL, OPT_ADDR_TIMEOUT},
    {"quiet", required_argument, NULL, OPT_QUIET},
    {"visit-timeout", required_argument, NULL, OPT_VISIT_TIMEOUT},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"dump", required_argument, NULL, OPT_DUMP},
    {"json", required_argument, NULL, OPT_JSON},
    {"csv", required_argument, NULL, OPT_CSV},
    {"export-interval", required_argument, NULL, OPT_EXPORT_INTERVAL},
    {"snapshot-interval", required_argument, NULL, OPT_SNAPSHOT_INTERVAL},
    {"http", required_argument, NULL, OPT_HTTP},
    {"only-allowed", no_argument, NULL, OPT_ONLY_ALLOWED},
    {"help", no_argument, NULL, OPT_HELP},
};
#define N_CRAWL_OPTIONS (sizeof crawl_options / sizeof crawl_options[0])

static const char crawl_help[] =
    "  --chain C              main, testnet3, testnet4, signet, regtest (default main)\n"
    "  --db FILE              node database (default btcseed-CHAIN.db)\n"
    "  --seed HOST            DNS seed to bootstrap from (repeatable; replaces the chain's)\n"
    "  --no-seeds             do not resolve any DNS seed\n"
    "  --resolver IP:PORT     nameserver for seed look-ups (default: the system's)\n"
    "  --connect ADDR[:PORT]  extra start node (repeatable)\n"
    "  --allow-net CIDR       otherwise unroutable range that may be dialed (repeatable)\n"
    "  --only-allowed         dial IP addresses only inside the --allow-net ranges\n"
    "  --concurrency N        connections at once (default 1000)\n"
    "  --max-rate N           new connections per second (default 500)\n"
    "  --once                 try every known address once, print a summary, exit\n"
    "  --onion-proxy IP:PORT  SOCKS5 proxy for .onion nodes (off by default)\n"
    "  --i2p-proxy IP:PORT    SOCKS5 proxy for .i2p nodes (off by default)\n"
    "  --cjdns                this host is on CJDNS: dial fc00::/8 nodes directly\n"
    "  --connect-timeout S    (default 5)    --handshake-timeout S (default 10)\n"
    "  --addr-timeout S       (default 15)   --quiet S             (default 1)\n"
    "  --visit-timeout S      whole visit (default 30)\n"
    "  --dump FILE            keep FILE current with the makeseeds.py dump\n"
    "  --json FILE            keep FILE current with a JSON snapshot\n"
    "  --csv FILE             keep FILE current with a CSV snapshot\n"
    "  --export-interval S    how often those are rewritten (default 300; also at exit)\n"
    "  --snapshot-interval S  time-series rows for the status page (default 60; 0: none)\n"
    "  --http IP:PORT         status page, JSON API and /metrics (off by default)\n"
    "  --no-progress          no live progress line on a terminal\n" CLI_COMMON_HELP;

static void usage(FILE *out, const char *command, const struct cli_extra_opts *extra)
{
    fprintf(out, "usage: btcseed %s [OPTIONS]\n\n%s%s", command, crawl_help,
            extra && extra->help ? extra->help : "");
}

static int handle(struct crawl_opts *o, int opt, const char *arg)
{
    struct crawl_config *c = &o->crawl;
    switch (opt) {
    case OPT_CHAIN: return 0; /* handled in the first pass */
    case OPT_DB: o->db_path = arg; return 0;
    case OPT_SEED:
        if (c->n_seeds == CRAWL_MAX_SEEDS) {
            fprintf(stderr, "btcseed: at most %d --seed\n", CRAWL_MAX_SEEDS);
            return -1;
        }
        c->seeds[c->n_seeds++] = arg;
        return 0;
    case OPT_NO_SEEDS: c->no_seeds = true; return 0;
    case OPT_RESOLVER: {
        struct sockaddr_storage ss;
        if (cli_parse_endpoint("--resolver", arg, &ss) < 0)
            return -1;
        c->resolver = arg;
        return 0;
    }
    case OPT_CONNECT:
        if (c->n_connect == CRAWL_MAX_CONNECT) {
            fprintf(stderr, "btcseed: at most %d --connect\n", CRAWL_MAX_CONNECT);
            return -1;
        }
        if (netaddr_parse(arg, c->chain->default_port, &c->connect[c->n_connect]) < 0) {
            fprintf(stderr, "btcseed: --connect: not an address: '%s'\n", arg);
            return -1;
        }
        c->n_connect++;
        return 0;
    case OPT_ALLOW_NET:
        if (c->n_allow == CRAWL_MAX_ALLOW) {
            fprintf(stderr, "btcseed: at most %d --allow-net\n", CRAWL_MAX_ALLOW);
            return -1;
        }
        if (netaddr_cidr_parse(arg, &c->allow[c->n_allow]) < 0) {
            fprintf(stderr, "btcseed: --allow-net wants a CIDR range like 127.0.0.0/8, not '%s'\n",
                    arg);
            return -1;
        }
        c->n_allow++;
        return 0;
    case OPT_CONCURRENCY: return cli_parse_u32("--concurrency", arg, 1, 100000, &c->concurrency);
    case OPT_MAX_RATE: return cli_parse_u32("--max-rate", arg, 1, 1000000, &c->max_connects_per_sec);
    case OPT_ONCE: c->once = true; return 0;
    case OPT_ONION_PROXY:
        c->has_onion_proxy = true;
        return cli_parse_endpoint("--onion-proxy", arg, &c->onion_proxy);
    case OPT_I2P_PROXY:
        c->has_i2p_proxy = true;
        return cli_parse_endpoint("--i2p-proxy", arg, &c->i2p_proxy);
    case OPT_CJDNS: c->cjdns = true; return 0;
    case OPT_ONLY_ALLOWED: c->only_allowed = true; return 0;
    case OPT_CONNECT_TIMEOUT:
        return cli_parse_ms("--connect-timeout", arg, 600000, &c->peer.connect_timeout_ms);
    case OPT_HANDSHAKE_TIMEOUT:
        return cli_parse_ms("--handshake-timeout", arg, 600000, &c->peer.handshake_timeout_ms);
    case OPT_ADDR_TIMEOUT:
        return cli_parse_ms("--addr-timeout", arg, 600000, &c->peer.addr_timeout_ms);
    case OPT_QUIET: return cli_parse_ms("--quiet", arg, 600000, &c->peer.quiet_ms);
    case OPT_VISIT_TIMEOUT:
        return cli_parse_ms("--visit-timeout", arg, 3600000, &c->peer.visit_timeout_ms);
    case OPT_NO_PROGRESS: o->progress = false; return 0;
    case OPT_HTTP: {
        struct sockaddr_storage ss;
        unsigned len;
        char err[128];
        if (http_listen_parse(arg, &ss, &len, err, sizeof err) < 0) {
            fprintf(stderr, "btcseed: --http: %s\n", err);
            return -1;
        }
        o->http = arg;
        return 0;
    }
    case OPT_DUMP: o->export_path[EXPORT_DUMP] = arg; return 0;
    case OPT_JSON: o->export_path[EXPORT_JSON] = arg; return 0;
    case OPT_CSV: o->export_path[EXPORT_CSV] = arg; return 0;
    case OPT_EXPORT_INTERVAL:
        return cli_parse_u32("--export-interval", arg, 1, 86400 * 7, &o->export_interval_s);
    case OPT_SNAPSHOT_INTERVAL:
        return cli_parse_u32("--snapshot-interval", arg, 0, 86400, &c->snapshot_interval_s);
    default: return -1;
    }
}

int cli_crawl_opts_parse(int argc, char **argv, const char *command, struct crawl_opts *o,
                         const struct cli_extra_opts *extra)
{
    struct option all[N_CRAWL_OPTIONS + 32];
    size_t n = 0;
    memcpy(all, crawl_options, sizeof crawl_options);
    n = N_CRAWL_OPTIONS;
    for (size_t i = 0; extra && extra->options[i].name && n < sizeof all / sizeof all[0] - 1; i++)
        all[n++] = extra->options[i];
    memset(&all[n], 0, sizeof all[n]);

    memset(o, 0, sizeof *o);
    if (cli_prepare(command, argc, argv, "", all, &o->args) != 0)
        return -1;
    argc = o->args.argc;
    argv = o->args.argv;

    /* First pass: the chain, because defaults (ports, seeds) depend on it. */
    const chain_params_t *chain = chain_by_name("main");
    opterr = 0;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "", all, NULL)) != -1)
        if (opt == OPT_CHAIN && cli_parse_chain(optarg, &chain) < 0)
            return -1;
    crawl_config_defaults(&o->crawl, chain);
    o->progress = true;
    o->export_interval_s = 300;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", all, NULL)) != -1) {
        if (opt == '?' || opt == ':') {
            fprintf(stderr, "btcseed: %s: unknown option or missing value: '%s' (see --help)\n",
                    command, argv[optind - 1]);
            return -1;
        }
        if (opt == OPT_HELP) {
            usage(stdout, command, extra);
            return 1;
        }
        int rc = opt >= 256 && extra ? extra->handle(opt, optarg, extra->ctx)
                                      : handle(o, opt, optarg);
        if (rc < 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "btcseed: %s: unexpected argument '%s'\n", command, argv[optind]);
        return -1;
    }
    if (!o->db_path) {
        snprintf(o->default_db, sizeof o->default_db, "btcseed-%s.db", chain->name);
        o->db_path = o->default_db;
    }
    return 0;
}

void cli_crawl_opts_free(struct crawl_opts *o) { cli_args_free(&o->args); }
