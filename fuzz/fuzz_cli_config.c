/* Fuzz target: config files (cli_config_expand), through a memfd so the
 * real file-reading path runs. Checks that a successful expansion yields a
 * NULL-terminated argv whose entries are all options from the table or the
 * command line's own words, and that an error message is one line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/cli_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct option longopts[] = {
    {"db", required_argument, NULL, 'd'},  {"seed", required_argument, NULL, 's'},
    {"once", no_argument, NULL, '1'},      {"zone", optional_argument, NULL, 'z'},
    {NULL, 0, NULL, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-config", 0);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    char *argv[] = {"crawl", "--config", path, "--seed", "x", NULL};
    cli_args_t args;
    char err[512];
    if (cli_config_expand(5, argv, "h", longopts, &args, err, sizeof err) == 0) {
        if (args.argv[args.argc] != NULL || strcmp(args.argv[0], "crawl") != 0)
            abort();
        for (int i = 1; i < args.argc - 2; i++)
            if (strncmp(args.argv[i], "--db", 4) && strncmp(args.argv[i], "--once", 6) &&
                strncmp(args.argv[i], "--zone", 6))
                abort(); /* seed is on the command line: the file's must be gone */
        cli_args_free(&args);
    } else if (strchr(err, '\n')) {
        abort(); /* lines are split at newlines: a message is always one line */
    }
    close(fd);
    return 0;
}
