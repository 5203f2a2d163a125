/* cli_export -- `btcseed export`: write a dump, JSON or CSV snapshot of the
 * node database to a file (atomically) or to standard output. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_config.h"
#include "export/export.h"
#include "net/chain.h"
#include "nodedb/nodedb.h"

enum { OPT_DB = 256, OPT_FORMAT, OPT_OUT, OPT_CHAIN };
static const struct option export_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"out", required_argument, NULL, OPT_OUT},
    {"chain", required_argument, NULL, OPT_CHAIN},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: btcseed export --db FILE --format dump|json|csv [--out FILE] [--chain C]\n"
            "\n"
            "Writes a snapshot of the node database.\n"
            "  dump   the format Bitcoin Core's contrib/seeds/makeseeds.py reads: every\n"
            "         node ever reached, best 30-day uptime first\n"
            "  json   timestamp, chain, totals per network and the reached nodes\n"
            "  csv    every known node, one row each, with a header row (RFC 4180)\n"
            "\n"
            "  --db FILE      the database the crawler writes (an older schema is\n"
            "                 migrated in place)\n"
            "  --format F     dump, json or csv\n"
            "  --out FILE     write FILE (a new file renamed into place) instead of\n"
            "                 standard output\n"
            "  --chain C      %s (default main): named in the JSON\n"
            "%s"
            "\n"
            "Exit status: 0 written, 1 database or write error, 2 bad usage.\n",
            chain_names(), CLI_COMMON_HELP);
}

struct export_opts {
    const char *db;
    const char *out;
    const chain_params_t *chain;
    enum export_format format;
    bool format_set;
};

static int parse(int argc, char **argv, struct export_opts *o)
{
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", export_options, NULL)) != -1) {
        switch (opt) {
        case OPT_DB:
            o->db = optarg;
            break;
        case OPT_OUT:
            o->out = optarg;
            break;
        case OPT_FORMAT:
            if (export_format_parse(optarg, &o->format) != 0) {
                fprintf(stderr, "btcseed export: unknown format '%s' (dump, json or csv)\n",
                        optarg);
                return CLI_EXIT_USAGE;
            }
            o->format_set = true;
            break;
        case OPT_CHAIN:
            o->chain = chain_by_name(optarg);
            if (!o->chain) {
                fprintf(stderr, "btcseed export: unknown chain '%s' (one of: %s)\n", optarg,
                        chain_names());
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            fprintf(stderr, "btcseed export: bad option '%s' (see --help)\n", argv[optind - 1]);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "btcseed export: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    if (!o->db || !o->format_set) {
        fprintf(stderr, "btcseed export: --db and --format are required (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int run(const struct export_opts *o)
{
    char err[512];
    nodedb_t *db;
    /* Read-write without create: a missing file is an error, not a new empty
     * database, and an old schema gets migrated rather than refused. */
    if (nodedb_open(o->db, 0, &db, err, sizeof err) != 0) {
        fprintf(stderr, "btcseed export: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    int64_t now = (int64_t)time(NULL);
    int rc = o->out ? export_write(db, o->format, o->chain, now, o->out, err, sizeof err)
                    : export_stream(db, o->format, o->chain, now, stdout, err, sizeof err);
    nodedb_close(db);
    if (rc != 0) {
        fprintf(stderr, "btcseed export: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

int cli_export(int argc, char **argv)
{
    cli_args_t args;
    int rc = cli_prepare("export", argc, argv, "h", export_options, &args);
    if (rc != 0)
        return rc;
    struct export_opts o = {.chain = chain_by_name("main")};
    rc = parse(args.argc, args.argv, &o);
    if (rc == 0)
        rc = run(&o);
    else if (rc < 0)
        rc = CLI_EXIT_OK; /* --help */
    cli_args_free(&args);
    return rc;
}
