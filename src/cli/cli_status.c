/* cli_status -- `btcseed status`: the status server alone, over a node
 * database that another process (`btcseed crawl`, `serve`) keeps current. */
#include <getopt.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "http/http_page.h"
#include "http/http_server.h"
#include "net/chain.h"
#include "util/log.h"

#define MAX_REFRESH_S 86400

enum { OPT_DB = 256, OPT_HTTP, OPT_CHAIN, OPT_REFRESH };
static const struct option status_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"http", required_argument, NULL, OPT_HTTP},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"refresh", required_argument, NULL, OPT_REFRESH},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: btcseed status --db FILE --http IP:PORT [--chain C] [--refresh S]\n"
            "\n"
            "Serves the status page, the JSON API and Prometheus metrics for a node\n"
            "database that another btcseed process keeps current. Read-only.\n"
            "\n"
            "  --db FILE             the node database (SQLite) to show\n"
            "  --http IP:PORT        address to serve HTTP on, e.g. 127.0.0.1:8080\n"
            "  --chain C             %s\n"
            "                        (default main): the chain the database holds\n"
            "  --refresh S           the page reloads itself every S seconds (default %d)\n"
            "%s"
            "\n"
            "Runs until SIGINT or SIGTERM. Exit status: 0 after a signal, 1 if it cannot\n"
            "serve (database or address unusable), 2 bad usage.\n",
            chain_names(), HTTP_PAGE_DEFAULT_REFRESH, CLI_COMMON_HELP);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    log_info("status: signal %d, stopping", (int)sig);
    event_base_loopexit(arg, NULL);
}

static int serve(const struct http_server_config *cfg)
{
    struct event_base *base = event_base_new();
    if (!base) {
        log_error("status: cannot create an event loop");
        return CLI_EXIT_FAIL;
    }
    struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
    struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
    int rc = CLI_EXIT_FAIL;
    char err[512];
    http_server_t *server = NULL;
    if (!sigint || !sigterm || event_add(sigint, NULL) != 0 || event_add(sigterm, NULL) != 0) {
        log_error("status: cannot watch signals");
    } else if (http_server_start(base, cfg, &server, err, sizeof err) != 0) {
        log_error("status: %s", err);
    } else {
        event_base_dispatch(base);
        rc = CLI_EXIT_OK;
    }
    http_server_free(server);
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    event_base_free(base);
    return rc;
}

static int parse_and_run(int argc, char **argv)
{
    struct http_server_config cfg = {.chain = chain_by_name("main")};
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", status_options, NULL)) != -1) {
        char *end;
        long v;
        switch (opt) {
        case OPT_DB:
            cfg.db_path = optarg;
            break;
        case OPT_HTTP:
            cfg.listen = optarg;
            break;
        case OPT_CHAIN:
            cfg.chain = chain_by_name(optarg);
            if (!cfg.chain) {
                fprintf(stderr, "btcseed status: unknown chain '%s' (one of: %s)\n", optarg,
                        chain_names());
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_REFRESH:
            v = strtol(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > MAX_REFRESH_S) {
                fprintf(stderr, "btcseed status: --refresh wants 1..%d seconds, got '%s'\n",
                        MAX_REFRESH_S, optarg);
                return CLI_EXIT_USAGE;
            }
            cfg.refresh_seconds = (unsigned)v;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "btcseed status: bad option '%s' (see --help)\n", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "btcseed status: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (!cfg.db_path || !cfg.listen) {
        fprintf(stderr, "btcseed status: --db FILE and --http IP:PORT are required\n");
        return CLI_EXIT_USAGE;
    }
    struct sockaddr_storage ss;
    unsigned sslen;
    char err[256];
    if (http_listen_parse(cfg.listen, &ss, &sslen, err, sizeof err) != 0) {
        fprintf(stderr, "btcseed status: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    /* A client that hangs up mid-reply must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    return serve(&cfg);
}

int cli_status(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_prepare("status", argc, argv, "h", status_options, &args);
    if (rc != 0)
        return rc;
    rc = parse_and_run(args.argc, args.argv);
    cli_args_free(&args);
    return rc;
}
