/* cli_serve_opts -- the DNS server's flags, shared by `serve` and `run`. */
#ifndef BTCSEED_CLI_SERVE_OPTS_H
#define BTCSEED_CLI_SERVE_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "dns/dns_server.h"

struct serve_opts {
    const char *db, *zone, *ns, *mbox, *user;
    unsigned reload_s, stats_s;
    struct dns_server_config server;
};

/* The getopt_long table: every DNS flag, then --db and --help ('h'), then a
 * zero entry. Values are >= CLI_SERVE_OPT_FIRST. */
#define CLI_SERVE_OPT_FIRST 256
extern const struct option cli_serve_options[];
/* How many entries of cli_serve_options are DNS flags (before --db). */
extern const size_t cli_serve_dns_options;

void cli_serve_opts_default(struct serve_opts *o);
/* Applies one flag; returns 0, or -1 after printing one line. */
int cli_serve_opt(int opt, const char *arg, struct serve_opts *o);
/* Checks the required DNS flags; returns 0, or -1 after printing one line. */
int cli_serve_opts_check(const struct serve_opts *o, const char *command);
/* Writes the DNS flags' help lines. */
void cli_serve_opts_help(FILE *out);

#endif
