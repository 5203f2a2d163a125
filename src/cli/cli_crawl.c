/* cli_crawl -- `btcseed crawl`: keep the node database of one chain current. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "cli/cli.h"
#include "cli/cli_args.h"
#include "cli/cli_crawl_opts.h"
#include "crawl/crawl.h"
#include "export/export_periodic.h"
#include "http/http_server.h"
#include "nodedb/nodedb.h"
#include "util/log.h"

#define PROGRESS_TTY_MS 1000
#define PROGRESS_LOG_S 10
#define STOP_GRACE_S 5

struct crawl_cli {
    struct event_base *base;
    crawl_t *crawl;
    struct event *progress;
    struct event *grace;
    bool tty;
    unsigned log_every;
    unsigned ticks;
    uint64_t last_visits;
    struct timespec started;
};

static double elapsed_s(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static void on_progress(evutil_socket_t fd, short what, void *arg)
{
    struct crawl_cli *cli = arg;
    struct crawl_counters k;
    crawl_counters(cli->crawl, &k);
    uint64_t per_tick = k.visits - cli->last_visits;
    cli->last_visits = k.visits;
    if (cli->tty) {
        fprintf(stderr,
                "\r\033[Kknown %llu  tried %llu  reachable %llu  good %llu  in flight %llu  %llu conn/s",
                (unsigned long long)k.known, (unsigned long long)k.tried,
                (unsigned long long)k.reachable, (unsigned long long)k.good,
                (unsigned long long)k.in_flight, (unsigned long long)per_tick);
        fflush(stderr);
        return;
    }
    if (++cli->ticks % PROGRESS_LOG_S == 0)
        log_info("known %llu tried %llu reachable %llu good %llu in_flight %llu visits %llu",
                 (unsigned long long)k.known, (unsigned long long)k.tried,
                 (unsigned long long)k.reachable, (unsigned long long)k.good,
                 (unsigned long long)k.in_flight, (unsigned long long)k.visits);
}

static void print_summary(struct crawl_cli *cli, const char *db_path)
{
    struct crawl_counters k;
    crawl_counters(cli->crawl, &k);
    double secs = elapsed_s(&cli->started);
    if (cli->tty)
        fputs("\r\033[K", stderr);
    printf("crawled for %.1f s\n", secs);
    printf("  known      %llu (ipv4 %llu, ipv6 %llu, onion %llu, i2p %llu, cjdns %llu)\n",
           (unsigned long long)k.known, (unsigned long long)k.known_by_net[NETADDR_IPV4],
           (unsigned long long)k.known_by_net[NETADDR_IPV6],
           (unsigned long long)k.known_by_net[NETADDR_TORV3],
           (unsigned long long)k.known_by_net[NETADDR_I2P],
           (unsigned long long)k.known_by_net[NETADDR_CJDNS]);
    printf("  tried      %llu\n", (unsigned long long)k.tried);
    printf("  reachable  %llu\n", (unsigned long long)k.reachable);
    printf("  good       %llu\n", (unsigned long long)k.good);
    printf("  visits     %llu (%.0f/s)\n", (unsigned long long)k.visits,
           secs > 0 ? (double)k.visits / secs : 0.0);
    double all = crawl_reached_after(cli->crawl, 1.0);
    if (all >= 0)
        printf("  handshakes %llu: 50%% after %.2f s, 99%% after %.2f s, all after %.2f s\n",
               (unsigned long long)k.visits_ok, crawl_reached_after(cli->crawl, 0.5),
               crawl_reached_after(cli->crawl, 0.99), all);
    printf("  failures  ");
    for (int i = 1; i < CRAWL_FAIL_COUNT; i++)
        printf(" %s %llu", crawl_fail_name((enum crawl_fail)i), (unsigned long long)k.failures[i]);
    printf("\n  addresses  received %llu, new %llu, dropped unroutable %llu, over cap %llu\n",
           (unsigned long long)k.addrs_received, (unsigned long long)k.addrs_new,
           (unsigned long long)k.dropped_unroutable, (unsigned long long)k.dropped_over_cap);
    printf("  memory     %.1f MB in the node table (%.0f bytes per known address)\n",
           (double)k.memory / 1e6, k.known ? (double)k.memory / (double)k.known : 0.0);
    printf("  database   %s (%llu rows in %llu batches)\n", db_path,
           (unsigned long long)k.db_rows, (unsigned long long)k.db_batches);
    fflush(stdout);
}

static void on_finished(void *arg)
{
    struct crawl_cli *cli = arg;
    event_base_loopexit(cli->base, NULL);
}

static void on_grace(evutil_socket_t fd, short what, void *arg)
{
    struct crawl_cli *cli = arg;
    log_warn("shutdown took too long; exiting");
    event_base_loopbreak(cli->base);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    struct crawl_cli *cli = arg;
    log_info("signal %d: stopping", (int)sig);
    struct timeval tv = {STOP_GRACE_S, 0};
    evtimer_add(cli->grace, &tv);
    crawl_stop(cli->crawl);
}

/* The crawler's loop. With the epoll change list, the several changes a
 * visit makes to its socket's interest within one loop iteration (connect,
 * write, read) cost one epoll_ctl instead of one each: about a tenth of the
 * crawler's CPU at thousands of visits per second. (The change list cannot
 * cope with dup()ed descriptors; the crawler never makes any.) */
static struct event_base *new_crawl_base(void)
{
    struct event_config *cfg = event_config_new();
    if (!cfg)
        return NULL;
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

/* The crawler's connections need descriptors: take all the system allows. */
static void raise_fd_limit(uint32_t concurrency)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)concurrency + 64)
        log_warn("open-file limit %llu is below --concurrency %u plus headroom",
                 (unsigned long long)rl.rlim_cur, concurrency);
}

int cli_crawl_session(struct crawl_opts *o, const struct crawl_session_hooks *hooks)
{
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(o->crawl.concurrency);
    nodedb_t *db = NULL;
    char err[256] = "";
    if (nodedb_open(o->db_path, NODEDB_CREATE, &db, err, sizeof err) < 0) {
        fprintf(stderr, "btcseed: cannot open database %s: %s\n", o->db_path, err);
        return CLI_EXIT_FAIL;
    }
    struct crawl_cli cli = {0};
    cli.base = new_crawl_base();
    cli.crawl = cli.base ? crawl_new(cli.base, &o->crawl, db, err, sizeof err) : NULL;
    if (!cli.crawl) {
        fprintf(stderr, "btcseed: %s\n", err[0] ? err : "cannot start the event loop");
        if (cli.base)
            event_base_free(cli.base);
        nodedb_close(db);
        return CLI_EXIT_FAIL;
    }
    if (hooks && hooks->start(hooks->ctx, cli.base, cli.crawl) < 0) {
        crawl_free(cli.crawl);
        event_base_free(cli.base);
        nodedb_close(db);
        return CLI_EXIT_FAIL;
    }
    http_server_t *http = NULL;
    if (o->http) {
        /* Its own thread and database handle: a page view never stalls a visit. */
        struct http_server_config hc = {.listen = o->http, .db_path = o->db_path,
                                        .chain = o->crawl.chain};
        if (http_server_start(NULL, &hc, &http, err, sizeof err) != 0) {
            fprintf(stderr, "btcseed: --http %s: %s\n", o->http, err);
            if (hooks)
                hooks->stop(hooks->ctx);
            crawl_free(cli.crawl);
            event_base_free(cli.base);
            nodedb_close(db);
            return CLI_EXIT_FAIL;
        }
        log_info("status page on http://%s/", http_server_address(http));
    }
    cli.tty = o->progress && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &cli.started);
    crawl_on_finished(cli.crawl, on_finished, &cli);
    struct event *sigint = evsignal_new(cli.base, SIGINT, on_signal, &cli);
    struct event *sigterm = evsignal_new(cli.base, SIGTERM, on_signal, &cli);
    cli.progress = event_new(cli.base, -1, EV_PERSIST, on_progress, &cli);
    cli.grace = evtimer_new(cli.base, on_grace, &cli);
    evsignal_add(sigint, NULL);
    evsignal_add(sigterm, NULL);
    struct timeval tv = {PROGRESS_TTY_MS / 1000, 0};
    event_add(cli.progress, &tv);

    export_periodic_t *exports = NULL;
    if (o->export_path[EXPORT_DUMP] || o->export_path[EXPORT_JSON] || o->export_path[EXPORT_CSV]) {
        struct export_periodic_config ec = {o->db_path, o->crawl.chain,
                                            {o->export_path[0], o->export_path[1], o->export_path[2]},
                                            o->export_interval_s};
        exports = export_periodic_new(cli.base, &ec);
    }

    log_info("crawling %s, database %s, concurrency %u", o->crawl.chain->name, o->db_path,
             o->crawl.concurrency);
    crawl_start(cli.crawl);
    event_base_dispatch(cli.base);
    if (exports) {
        export_periodic_flush(exports); /* the files show the final state */
        export_periodic_free(exports);
    }

    bool clean = crawl_finished(cli.crawl);
    print_summary(&cli, o->db_path);
    http_server_free(http);
    if (hooks)
        hooks->stop(hooks->ctx);
    event_free(sigint);
    event_free(sigterm);
    event_free(cli.progress);
    event_free(cli.grace);
    crawl_free(cli.crawl);
    event_base_free(cli.base);
    nodedb_close(db);
    return clean ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cli_crawl(int argc, char **argv)
{
    struct crawl_opts o;
    int rc = cli_crawl_opts_parse(argc, argv, "crawl", &o, NULL);
    if (rc == 0)
        rc = cli_crawl_session(&o, NULL);
    else
        rc = rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    cli_crawl_opts_free(&o);
    return rc;
}
