/* cli_resolve -- `btcseed resolve`: look up a chain's DNS seeds and print the
 * addresses they give, once each, with the seed each came from. */
#include <errno.h>
#include <event2/event.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "crawl/crawl_seeds.h"
#include "net/chain.h"
#include "net/netaddr.h"
#include "util/log.h"

#define DEFAULT_TIMEOUT_S 10
#define MAX_TIMEOUT_S 3600
/* After the look-ups' own budget, one more second before giving up on c-ares. */
#define DEADLINE_SLACK_S 1
/* Bound on distinct addresses kept for de-duplication; seeds give dozens. */
#define MAX_ADDRESSES 100000
#define MAX_SEEDS 64

struct resolve_run {
    struct event_base *base;
    netaddr_t *seen;
    size_t nseen, cap;
    const char *seeds[MAX_SEEDS];
    bool finished[MAX_SEEDS];
    size_t nseeds;
    size_t failed;
};

enum { OPT_CHAIN = 256, OPT_SEED, OPT_RESOLVER, OPT_SERVICES, OPT_TIMEOUT };
static const struct option resolve_options[] = {
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"seed", required_argument, NULL, OPT_SEED},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"services", required_argument, NULL, OPT_SERVICES},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: btcseed resolve [--chain C] [--seed HOST]... [--resolver IP:PORT]\n"
            "                       [--services HEX] [--timeout S] [HOST...]\n"
            "\n"
            "Queries DNS seeds for A and AAAA records, all at once, and prints each\n"
            "address found once, as ADDRESS:PORT followed by the seed it came from.\n"
            "\n"
            "  --chain C             %s\n"
            "                        (default main): gives the seeds and the port\n"
            "  --seed HOST           query HOST instead of the chain's seeds (repeatable)\n"
            "  --resolver IP:PORT    nameserver to ask (default: the system's)\n"
            "  --services HEX        ask for nodes with these service bits: x<HEX>.<seed>\n"
            "  --timeout S           give up on a seed after S seconds (default %d)\n"
            "%s"
            "\n"
            "Exit status: 0 if any seed answered, 1 if every seed failed, 2 bad usage.\n",
            chain_names(), DEFAULT_TIMEOUT_S, CLI_COMMON_HELP);
}

static bool already_seen(struct resolve_run *run, const netaddr_t *a)
{
    for (size_t i = 0; i < run->nseen; i++)
        if (netaddr_equal_port(&run->seen[i], a))
            return true;
    return false;
}

static int remember(struct resolve_run *run, const netaddr_t *a)
{
    if (run->nseen == run->cap) {
        size_t cap = run->cap ? run->cap * 2 : 64;
        if (cap > MAX_ADDRESSES)
            return -1;
        netaddr_t *grown = realloc(run->seen, cap * sizeof *grown);
        if (!grown)
            return -1;
        run->seen = grown;
        run->cap = cap;
    }
    run->seen[run->nseen++] = *a;
    return 0;
}

static void on_addr(const netaddr_t *a, const char *seed, void *arg)
{
    struct resolve_run *run = arg;
    char text[NETADDR_STRLEN];
    if (already_seen(run, a))
        return;
    if (remember(run, a) != 0) {
        log_warn("too many addresses; ignoring the rest");
        return;
    }
    netaddr_format(a, text, sizeof text);
    printf("%s  %s\n", text, seed);
}

static void on_done(const char *seed, int status, const char *error, void *arg)
{
    struct resolve_run *run = arg;
    for (size_t i = 0; i < run->nseeds; i++) {
        if (!run->finished[i] && strcmp(run->seeds[i], seed) == 0) {
            run->finished[i] = true;
            break;
        }
    }
    if (status != 0) {
        log_warn("seed %s: %s", seed, error);
        run->failed++;
    }
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
    struct resolve_run *run = arg;
    event_base_loopbreak(run->base);
}

static int parse_services(const char *text, uint64_t *out)
{
    char *end;
    if (text[0] == '\0' || text[0] == '-' || text[0] == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 16);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

static int parse_timeout(const char *text, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0' || end == text || v <= 0 || v > MAX_TIMEOUT_S)
        return -1;
    *out = (int)v;
    return 0;
}

static int add_seed(struct resolve_run *run, const char *seed)
{
    for (size_t i = 0; i < run->nseeds; i++)
        if (strcmp(run->seeds[i], seed) == 0)
            return 0; /* asked twice: one look-up */
    if (run->nseeds == MAX_SEEDS)
        return -1;
    run->seeds[run->nseeds++] = seed;
    return 0;
}

static int run_lookups(struct resolve_run *run, const struct crawl_seeds_config *cfg)
{
    char err[256];
    crawl_seeds_t *seeds = NULL;
    struct event *deadline = NULL;
    int rc = CLI_EXIT_FAIL;

    run->base = event_base_new();
    if (!run->base) {
        fprintf(stderr, "btcseed resolve: cannot create event loop\n");
        return CLI_EXIT_FAIL;
    }
    if (crawl_seeds_new(run->base, cfg, on_addr, on_done, run, &seeds, err, sizeof err) != 0) {
        fprintf(stderr, "btcseed resolve: %s\n", err);
        rc = CLI_EXIT_USAGE;
        goto out_base;
    }
    for (size_t i = 0; i < run->nseeds; i++) {
        if (crawl_seeds_query(seeds, run->seeds[i]) != 0) {
            log_warn("seed %s: not a valid DNS name", run->seeds[i]);
            run->finished[i] = true;
            run->failed++;
        }
    }

    /* c-ares gives up within the budget; the deadline only guards the loop. */
    struct timeval tv = {cfg->timeout_ms / 1000 + DEADLINE_SLACK_S, 0};
    deadline = evtimer_new(run->base, on_deadline, run);
    if (!deadline || evtimer_add(deadline, &tv) != 0) {
        fprintf(stderr, "btcseed resolve: cannot set the deadline timer\n");
        goto out_seeds;
    }
    while (crawl_seeds_pending(seeds) > 0) {
        if (event_base_loop(run->base, EVLOOP_ONCE) != 0 || event_base_got_break(run->base))
            break;
    }
    for (size_t i = 0; i < run->nseeds; i++) {
        if (!run->finished[i]) {
            log_warn("seed %s: no answer in time", run->seeds[i]);
            run->failed++;
        }
    }
    fflush(stdout);
    rc = run->failed == run->nseeds ? CLI_EXIT_FAIL : CLI_EXIT_OK;

out_seeds:
    if (deadline)
        event_free(deadline);
    crawl_seeds_free(seeds);
out_base:
    event_base_free(run->base);
    return rc;
}

static int parse_and_run(int argc, char **argv, const struct option *options)
{
    struct resolve_run run;
    struct crawl_seeds_config cfg;
    const chain_params_t *chain = chain_by_name("main");
    int timeout_s = DEFAULT_TIMEOUT_S;
    int opt, rc;

    memset(&run, 0, sizeof run);
    memset(&cfg, 0, sizeof cfg);
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_CHAIN:
            chain = chain_by_name(optarg);
            if (!chain) {
                fprintf(stderr, "btcseed resolve: unknown chain '%s' (one of: %s)\n", optarg,
                        chain_names());
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_SEED:
            if (add_seed(&run, optarg) != 0) {
                fprintf(stderr, "btcseed resolve: at most %d seeds\n", MAX_SEEDS);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_RESOLVER:
            cfg.resolver = optarg;
            break;
        case OPT_SERVICES:
            if (parse_services(optarg, &cfg.services) != 0) {
                fprintf(stderr, "btcseed resolve: --services wants hex digits, got '%s'\n",
                        optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_TIMEOUT:
            if (parse_timeout(optarg, &timeout_s) != 0) {
                fprintf(stderr, "btcseed resolve: --timeout wants 1..%d seconds, got '%s'\n",
                        MAX_TIMEOUT_S, optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "btcseed resolve: bad option '%s' (see --help)\n", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (add_seed(&run, argv[i]) != 0) {
            fprintf(stderr, "btcseed resolve: at most %d seeds\n", MAX_SEEDS);
            return CLI_EXIT_USAGE;
        }
    }
    if (run.nseeds == 0) {
        for (size_t i = 0; chain->seeds[i]; i++)
            add_seed(&run, chain->seeds[i]);
    }
    if (run.nseeds == 0) {
        fprintf(stderr, "btcseed resolve: chain %s has no DNS seeds; name some with --seed\n",
                chain->name);
        return CLI_EXIT_USAGE;
    }

    cfg.port = chain->default_port;
    cfg.timeout_ms = timeout_s * 1000;
    rc = run_lookups(&run, &cfg);
    free(run.seen);
    return rc;
}

/* Flags come from the command line and --config files (cli_config); the
 * expanded argv owns the strings the seeds and resolver point into, so it
 * lives until the look-ups are done. */
int cli_resolve(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_prepare("resolve", argc, argv, "h", resolve_options, &args);
    if (rc != 0)
        return rc;
    rc = parse_and_run(args.argc, args.argv, resolve_options);
    cli_args_free(&args);
    return rc;
}
