/* cli_serve_opts -- the DNS server's flags, shared by `serve` and `run`. */
#ifndef BTCSEED_CLI_SERVE_OPTS_H
#define BTCSEED_CLI_SERVE_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "dns/dns_server.h"

/* --ns-addr: up to DNS_ZONE_MAX_NS_ADDRS of each family. */
#define CLI_SERVE_MAX_NS_ADDRS (2 * DNS_ZONE_MAX_NS_ADDRS)

struct serve_opts {
    const char *db, *zone, *ns, *mbox, *user;
    const char *ns_addr[CLI_SERVE_MAX_NS_ADDRS];
    size_t ns_addrs;
    unsigned reload_s, stats_s;
    struct dns_server_config server;
};

/* The getopt_long table: every DNS flag, then --db and --help ('h'), then a
 * zero entry. Values are >= CLI_SERVE_OPT_FIRST. */
#define CLI_SERVE_OPT_FIRST 256
extern const struct option cli_serve_options[];
/* How many leading entries of cli_serve_options are DNS flags (those
 * before --db), counted from the table so it cannot drift. */
size_t cli_serve_dns_option_count(void);

void cli_serve_opts_default(struct serve_opts *o);
/* Applies one flag; returns 0, or -1 after printing one line. */
int cli_serve_opt(int opt, const char *arg, struct serve_opts *o);
/* Checks the required DNS flags; returns 0, or -1 after printing one line. */
int cli_serve_opts_check(const struct serve_opts *o, const char *command);
/* Builds the zone from --zone, --ns, --mbox and --ns-addr and checks it
 * can be served (an in-zone --ns needs --ns-addr). Returns 0, or -1 after
 * printing one line. */
int cli_serve_opts_zone(const struct serve_opts *o, const char *command, dns_zone_t *zone);
/* Writes the DNS flags' help lines. */
void cli_serve_opts_help(FILE *out);

#endif
