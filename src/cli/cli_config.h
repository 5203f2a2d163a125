/* cli_config -- `--config FILE` and the flags every command shares.
 *
 * A config file holds one `key = value` per line, each key the long name of
 * one of the command's flags (`concurrency = 5000`, `seed = seed.example.org`;
 * a repeatable flag may appear on several lines). Lines whose first non-blank
 * character is `#` are comments, blank lines are skipped. A value may be put
 * in double quotes to keep leading or trailing blanks. Flags that take no
 * value are set with `yes`/`true`/`1` (or left out with `no`/`false`/`0`).
 *
 * The file's entries are expanded into `--key=value` arguments placed before
 * the command line's, and any key also given on the command line is dropped
 * from the file, so the command line always wins (for repeatable flags too:
 * `--seed` on the command line replaces every `seed` line of the file).
 *
 * Shared flags, removed from argv here and applied by cli_prepare:
 *   --config FILE        (repeatable; files are read in order)
 *   --log-level LEVEL    error, warn, info (default) or debug
 *   --syslog             log to syslog (facility daemon) instead of stderr
 * Commands need not list them in their option tables.
 *
 * Use, at the top of a command:
 *     cli_args_t args;
 *     int rc = cli_prepare("crawl", argc, argv, shortopts, longopts, &args);
 *     if (rc != 0)
 *         return rc;                      // the error line was printed
 *     argc = args.argc; argv = args.argv; // then getopt_long as usual
 *     ...
 *     cli_args_free(&args);
 */
#ifndef BTCSEED_CLI_CONFIG_H
#define BTCSEED_CLI_CONFIG_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/log.h"

/* For each command's --help text. */
#define CLI_COMMON_HELP                                                             \
    "  --config FILE         read 'key = value' lines (long flag names) from FILE;\n" \
    "                        command-line flags win\n"                             \
    "  --log-level LEVEL     error, warn, info (default) or debug\n"               \
    "  --syslog              log to syslog instead of standard error\n"

/* Caps so that a wrong file (a database, /dev/zero) fails fast. */
#define CLI_CONFIG_MAX_BYTES (1 << 20)
#define CLI_CONFIG_MAX_LINE 4096

typedef struct cli_args {
    int argc;
    char **argv;        /* NULL-terminated; strings owned by this struct */
    bool log_level_set; /* --log-level was given (file or command line) */
    enum log_level log_level;
    bool syslog;
} cli_args_t;

/* Builds out->argv from argv[0], the config files' entries and the rest of
 * argv without the shared flags. `shortopts`/`longopts` are the command's
 * getopt_long tables (used to validate keys and to skip option arguments).
 * Returns 0, or -1 with a one-line message (no trailing newline) in err. */
int cli_config_expand(int argc, char **argv, const char *shortopts,
                      const struct option *longopts, cli_args_t *out, char *err,
                      size_t errsize);

/* cli_config_expand, then applies --log-level and --syslog. On error prints
 * "btcseed COMMAND: message" to stderr and returns CLI_EXIT_USAGE; 0 else.
 * Resets getopt (optind) for the command's parse. */
int cli_prepare(const char *command, int argc, char **argv, const char *shortopts,
                const struct option *longopts, cli_args_t *out);

/* Frees what cli_config_expand allocated; accepts a zeroed struct. */
void cli_args_free(cli_args_t *args);

#endif
