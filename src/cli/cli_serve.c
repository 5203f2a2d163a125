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
#include "cli/cli_serve_opts.h"
#include "dns/dns_nodedb.h"
#include "dns/dns_privdrop.h"
#include "dns/dns_server.h"
#include "http/http_server.h"
#include "util/log.h"

/* serve's own flags, beyond the DNS flags it shares with run. */
enum { OPT_HTTP = 1000, OPT_CHAIN };
static const struct option status_options[] = {
    {"http", required_argument, NULL, OPT_HTTP},
    {"chain", required_argument, NULL, OPT_CHAIN},
};
#define N_STATUS_OPTIONS (sizeof status_options / sizeof status_options[0])

struct serve_status {
    const char *http;
    const chain_params_t *chain;
};

/* cli_serve_options (ending with its zero entry) plus status_options. */
static struct option serve_options[64];

static void build_options(void)
{
    size_t n = 0;
    while (cli_serve_options[n].name)
        n++;
    memcpy(serve_options, cli_serve_options, n * sizeof serve_options[0]);
    memcpy(serve_options + n, status_options, sizeof status_options);
    memset(&serve_options[n + N_STATUS_OPTIONS], 0, sizeof serve_options[0]);
}

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
            "  --db FILE             node database written by 'btcseed crawl'\n");
    cli_serve_opts_help(out);
    fputs("  --http IP:PORT        status page, JSON API and /metrics (off by default)\n"
          "  --chain C             the database's chain, for the status page (default main)\n",
          out);
    fputs(CLI_COMMON_HELP, out);
}

/* Returns -1 to go on, or an exit code. */
static int parse_args(int argc, char **argv, struct serve_opts *o, struct serve_status *st)
{
    cli_serve_opts_default(o);
    int c;
    while ((c = getopt_long(argc, argv, "h", serve_options, NULL)) != -1) {
        if (c == OPT_HTTP) {
            struct sockaddr_storage ss;
            unsigned len;
            char err[128];
            if (http_listen_parse(optarg, &ss, &len, err, sizeof err) < 0) {
                fprintf(stderr, "btcseed serve: --http: %s\n", err);
                return CLI_EXIT_USAGE;
            }
            st->http = optarg;
            continue;
        }
        if (c == OPT_CHAIN) {
            if (!(st->chain = chain_by_name(optarg))) {
                fprintf(stderr, "btcseed serve: unknown chain '%s' (one of: %s)\n", optarg,
                        chain_names());
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        if (c == 'h') {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        if (c == '?' || c == ':') {
            fprintf(stderr, "btcseed serve: see 'btcseed serve --help'\n");
            return CLI_EXIT_USAGE;
        }
        if (cli_serve_opt(c, optarg, o) < 0)
            return CLI_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "btcseed serve: unexpected argument '%s' (see 'btcseed serve --help')\n",
                argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (!o->db) {
        fprintf(stderr, "btcseed serve: --db is required (see 'btcseed serve --help')\n");
        return CLI_EXIT_USAGE;
    }
    return cli_serve_opts_check(o, "serve") < 0 ? CLI_EXIT_USAGE : -1;
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

static int serve(const struct serve_opts *o, const struct serve_status *status)
{
    dns_zone_t zone;
    if (cli_serve_opts_zone(o, "serve", &zone) != 0)
        return CLI_EXIT_USAGE;
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
    http_server_t *http = NULL;
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
    if (status->http) {
        /* After the privilege drop: the status server is a thread of its own. */
        struct http_server_config hc = {.listen = status->http, .db_path = o->db,
                                        .chain = status->chain};
        char err[256];
        if (http_server_start(NULL, &hc, &http, err, sizeof err) != 0) {
            log_error("serve: --http %s: %s", status->http, err);
            goto out;
        }
        log_info("serve: status page on http://%s/", http_server_address(http));
    }
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
    http_server_free(http);
    dns_server_free(srv);
    dns_publisher_free(pub);
    nodedb_close(db);
    return rc;
}

int cli_serve(int argc, char **argv)
{
    cli_args_t args;
    build_options();
    int rc = cli_prepare("serve", argc, argv, "h", serve_options, &args);
    if (rc != 0)
        return rc;
    struct serve_opts o;
    struct serve_status status = {NULL, chain_by_name("main")};
    rc = parse_args(args.argc, args.argv, &o, &status);
    if (rc < 0)
        rc = serve(&o, &status);
    cli_args_free(&args);
    return rc;
}
