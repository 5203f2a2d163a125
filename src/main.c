/* main -- command dispatch only. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"run", cli_run, "crawl and serve DNS in one process (what a seed operator runs)"},
    {"crawl", cli_crawl, "crawl a Bitcoin network and keep the node database current"},
    {"resolve", cli_resolve, "look up DNS seeds and print the addresses they give"},
    {"serve", cli_serve, "answer DNS for the seed's zone from the node database"},
    {"export", cli_export, "write a dump, JSON or CSV snapshot of the node database"},
    {"status", cli_status, "serve the status page, JSON API and metrics for a database"},
    {"probe", cli_probe, "connect to one node, handshake, print what it says and its addresses"},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: btcseed COMMAND [OPTIONS]\n\ncommands:\n");
    for (size_t i = 0; commands[i].name; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'btcseed COMMAND --help' describes each command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("btcseed %s\n", BTCSEED_VERSION);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; commands[i].name; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "btcseed: unknown command '%s' (see 'btcseed --help')\n", argv[1]);
    return CLI_EXIT_USAGE;
}
