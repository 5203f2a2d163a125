/* cli_crawl_opts -- the crawler's flags, shared by `crawl` and `run`. */
#ifndef BTCSEED_CLI_CRAWL_OPTS_H
#define BTCSEED_CLI_CRAWL_OPTS_H

#include <getopt.h>
#include <stdbool.h>

#include "cli/cli_config.h"
#include "crawl/crawl.h"

struct crawl_opts {
    struct crawl_config crawl;
    const char *db_path;
    bool progress;
    const char *export_path[3]; /* by enum export_format; NULL: none */
    uint32_t export_interval_s;
    const char *http;           /* status server address, or NULL */
    cli_args_t args; /* the expanded command line the strings above point into */
    char default_db[64];
};

/* Extra flags a command adds (e.g. `run`'s DNS flags): `extra` is a
 * getopt_long table (terminated by a zero entry, `val` >= 256), `handle`
 * gets each one and returns 0 or -1 after printing an error. */
struct cli_extra_opts {
    const struct option *options;
    int (*handle)(int val, const char *arg, void *ctx);
    void *ctx;
    const char *help;
};

/* Parses argv (argv[0] is the command name), config files included (see
 * cli_config.h). Returns 0 to go on, 1 after printing --help, -1 after
 * printing one line about a bad flag. Free with cli_crawl_opts_free in
 * every case. */
int cli_crawl_opts_parse(int argc, char **argv, const char *command, struct crawl_opts *o,
                         const struct cli_extra_opts *extra);
void cli_crawl_opts_free(struct crawl_opts *o);

/* What a command adds around a crawl (e.g. `run`'s DNS server): `start`
 * runs once the crawler exists, before the loop (returns 0 or -1 after
 * logging why), `stop` after the loop has ended. */
struct crawl_session_hooks {
    int (*start)(void *ctx, struct event_base *base, crawl_t *crawl);
    void (*stop)(void *ctx);
    void *ctx;
};

/* Runs a crawl with `o` until it finishes (--once) or a signal stops it;
 * prints the summary. Returns an exit code. */
int cli_crawl_session(struct crawl_opts *o, const struct crawl_session_hooks *hooks);

#endif
