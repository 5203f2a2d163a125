/* cli_run -- `btcseed run`: crawl and serve DNS in one process, what a seed
 * operator runs. The crawler hands the DNS server a new immutable snapshot
 * of its good nodes every few seconds; queries never wait for the crawler. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <event2/event.h>

#include "cli/cli.h"
#include "cli/cli_crawl_opts.h"
#include "cli/cli_serve_opts.h"
#include "dns/dns_privdrop.h"
#include "dns/dns_server.h"
#include "nodedb/nodedb.h"
#include "util/log.h"

struct run {
    struct serve_opts dns;
    dns_zone_t zone;
    dns_publisher_t *publisher;
    dns_server_t *server;
    crawl_t *crawl;
    struct event *publish;
    struct event *stats;
    size_t published;
};

static int handle_dns_flag(int opt, const char *arg, void *ctx)
{
    struct run *r = ctx;
    return cli_serve_opt(opt, arg, &r->dns);
}

/* Hands the server the crawler's current good nodes. */
static void publish(struct run *r)
{
    struct nodedb_good_node *nodes;
    size_t n;
    if (crawl_good_nodes(r->crawl, &nodes, &n) < 0) {
        log_error("run: out of memory collecting good nodes");
        return;
    }
    /* struct nodedb_good_node and struct dns_node have the same layout, by
     * design: {netaddr_t addr; uint64_t services;}. */
    _Static_assert(sizeof(struct nodedb_good_node) == sizeof(struct dns_node),
                   "good-node layouts differ");
    if (dns_publisher_publish(r->publisher, (const struct dns_node *)nodes, n) == 0)
        r->published = n;
    free(nodes);
}

static void on_publish(evutil_socket_t fd, short what, void *arg) { publish(arg); }

static void on_stats(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    struct dns_server_stats st;
    dns_server_stats(r->server, &st);
    log_info("dns: %zu good nodes served; queries udp %llu tcp %llu; rate-limited %llu",
             r->published, (unsigned long long)st.queries_udp, (unsigned long long)st.queries_tcp,
             (unsigned long long)st.rrl_dropped);
}

static uint64_t dns_queries(void *ctx)
{
    struct run *r = ctx;
    struct dns_server_stats st;
    dns_server_stats(r->server, &st);
    return st.queries_udp + st.queries_tcp;
}

static int start(void *ctx, struct event_base *base, crawl_t *crawl)
{
    struct run *r = ctx;
    r->crawl = crawl;
    /* The server threads must not take the signals the loop handles. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int rc = dns_server_start(r->server);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return -1;
    publish(r); /* what the database already knew as good */
    r->publish = event_new(base, -1, EV_PERSIST, on_publish, r);
    r->stats = event_new(base, -1, EV_PERSIST, on_stats, r);
    if (!r->publish || !r->stats)
        return -1;
    struct timeval every = {r->dns.reload_s, 0}, stats = {r->dns.stats_s, 0};
    event_add(r->publish, &every);
    event_add(r->stats, &stats);
    log_info("run: answering for %s", r->dns.zone);
    return 0;
}

static void stop(void *ctx)
{
    struct run *r = ctx;
    dns_server_stop(r->server);
    if (r->publish)
        event_free(r->publish);
    if (r->stats)
        event_free(r->stats);
    r->publish = r->stats = NULL;
}

int cli_run(int argc, char **argv)
{
    struct run r = {0};
    cli_serve_opts_default(&r.dns);
    struct option dns_flags[32] = {{0}};
    size_t n_dns = cli_serve_dns_option_count();
    for (size_t i = 0; i < n_dns && i < sizeof dns_flags / sizeof dns_flags[0] - 1; i++)
        dns_flags[i] = cli_serve_options[i];
    struct cli_extra_opts extra = {
        .options = dns_flags,
        .handle = handle_dns_flag,
        .ctx = &r,
        .help = "\nDNS server:\n",
    };
    struct crawl_opts o;
    int rc = cli_crawl_opts_parse(argc, argv, "run", &o, &extra);
    if (rc == 1)
        cli_serve_opts_help(stdout);
    if (rc != 0) {
        cli_crawl_opts_free(&o);
        return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (cli_serve_opts_check(&r.dns, "run") < 0) {
        cli_crawl_opts_free(&o);
        return CLI_EXIT_USAGE;
    }
    if (o.crawl.once) {
        fprintf(stderr, "btcseed run: --once is for 'btcseed crawl'; run keeps serving\n");
        cli_crawl_opts_free(&o);
        return CLI_EXIT_USAGE;
    }
    if (cli_serve_opts_zone(&r.dns, "run", &r.zone) != 0) {
        cli_crawl_opts_free(&o);
        return CLI_EXIT_USAGE;
    }
    rc = CLI_EXIT_FAIL;
    r.publisher = dns_publisher_new(dns_server_readers(&r.dns.server));
    if (!r.publisher || dns_server_new(&r.dns.server, &r.zone, r.publisher, &r.server) != 0)
        goto out;
    /* Bound to port 53 (if asked); drop root before any packet is read.
     * The database is opened after this, as the unprivileged user. */
    if (dns_privdrop(r.dns.user) != 0)
        goto out;
    o.crawl.dns_queries = dns_queries;
    o.crawl.dns_queries_ctx = &r;
    struct crawl_session_hooks hooks = {start, stop, &r};
    rc = cli_crawl_session(&o, &hooks);
out:
    dns_server_free(r.server);
    dns_publisher_free(r.publisher);
    cli_crawl_opts_free(&o);
    return rc;
}
