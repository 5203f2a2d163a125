/* Unit tests for --config expansion and the shared flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_config.h"

static const struct option longopts[] = {
    {"db", required_argument, NULL, 'd'},
    {"seed", required_argument, NULL, 's'},
    {"concurrency", required_argument, NULL, 'c'},
    {"once", no_argument, NULL, '1'},
    {"mbox", required_argument, NULL, 'm'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};
static const char shortopts[] = "ho:";

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/btcseed-cfg-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd);
}

/* Writes `len` bytes of `text` to a file in the test directory. */
static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *config(const char *text) { return write_file("c.conf", text, strlen(text)); }

/* Expands argv (NULL-terminated list) and joins the result with spaces. */
static int expand(cli_args_t *out, char *joined, size_t size, char *err, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, err);
    for (const char *a; (a = va_arg(ap, const char *));)
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    int rc = cli_config_expand(argc, argv, shortopts, longopts, out, err, 256);
    joined[0] = '\0';
    for (int i = 0; rc == 0 && i < out->argc; i++) {
        strncat(joined, out->argv[i], size - strlen(joined) - 2);
        if (i + 1 < out->argc)
            strcat(joined, " ");
    }
    return rc;
}

static void test_file_entries_come_first(void **state)
{
    const char *path = config("# a comment\n"
                              "\n"
                              "  db = /var/lib/btcseed/nodes.db  \r\n"
                              "seed=a.example\n"
                              "seed = b.example\n"
                              "   # indented comment\n"
                              "once = yes\n"
                              "mbox = \" spaced value \"\n"
                              "log-level = debug\n"
                              "syslog = no");
    cli_args_t args;
    char joined[1024], err[256];
    assert_int_equal(expand(&args, joined, sizeof joined, err, "crawl", "--config", path,
                            "extra", NULL),
                     0);
    assert_string_equal(joined, "crawl --db=/var/lib/btcseed/nodes.db --seed=a.example "
                                "--seed=b.example --once --mbox= spaced value  extra");
    assert_true(args.log_level_set);
    assert_int_equal(args.log_level, LOG_LEVEL_DEBUG);
    assert_false(args.syslog);
    assert_null(args.argv[args.argc]);
    cli_args_free(&args);
}

static void test_command_line_wins(void **state)
{
    const char *path = config("db = file.db\nseed = a.example\nseed = b.example\n"
                              "concurrency = 5\nonce = no\nlog-level = debug\nsyslog = yes\n");
    cli_args_t args;
    char joined[1024], err[256];
    /* --conc is an abbreviation getopt_long accepts: it must win too. */
    assert_int_equal(expand(&args, joined, sizeof joined, err, "crawl", "--seed", "c.example",
                            "--config=", NULL),
                     -1);
    assert_string_equal(err, "--config needs a FILE");
    assert_int_equal(expand(&args, joined, sizeof joined, err, "crawl", "--seed", "c.example",
                            "--conc=7", "--log-level=warn", "--config", path, NULL),
                     0);
    assert_string_equal(joined, "crawl --db=file.db --seed c.example --conc=7");
    assert_int_equal(args.log_level, LOG_LEVEL_WARN);
    assert_true(args.syslog);
    cli_args_free(&args);

    /* And getopt_long, run on the result, sees the command line's values. */
    assert_int_equal(expand(&args, joined, sizeof joined, err, "crawl", "--config", path,
                            "--db", "cli.db", NULL),
                     0);
    optind = 0;
    const char *db = NULL;
    int seeds = 0, c;
    while ((c = getopt_long(args.argc, args.argv, shortopts, longopts, NULL)) != -1) {
        if (c == 'd')
            db = optarg;
        if (c == 's')
            seeds++;
    }
    assert_string_equal(db, "cli.db");
    assert_int_equal(seeds, 2);
    cli_args_free(&args);
}

static void test_errors_are_one_clear_line(void **state)
{
    const struct {
        const char *text;
        const char *message; /* after "<path>:" */
    } cases[] = {
        {"db = x\nconcurency = 5\n", "2: unknown key 'concurency'"},
        {"just words\n", "1: expected 'key = value'"},
        {" = value\n", "1: expected 'key = value'"},
        {"seed =\n", "1: 'seed' needs a value"},
        {"mbox = \"open\n", "1: unterminated quote"},
        {"once = maybe\n", "1: 'once' takes yes or no"},
        {"syslog = maybe\n", "1: 'syslog' takes yes or no"},
        {"log-level = loud\n", "1: bad log level 'loud' (error, warn, info or debug)"},
        {"config = other.conf\n", "1: 'config' cannot be set in a config file"},
        {"help = yes\n", "1: 'help' cannot be set in a config file"},
        {"conc = 5\n", "1: unknown key 'conc'"}, /* no abbreviations in files */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *path = config(cases[i].text);
        cli_args_t args;
        char joined[1024], err[256], want[512];
        assert_int_equal(expand(&args, joined, sizeof joined, err, "crawl", "--config", path,
                                NULL),
                         -1);
        snprintf(want, sizeof want, "%s:%s", path, cases[i].message);
        assert_string_equal(err, want);
        assert_null(strchr(err, '\n'));
    }
}

static void test_bad_files_and_flags(void **state)
{
    cli_args_t args;
    char joined[1024], err[256], want[512];
    snprintf(want, sizeof want, "%s/missing.conf", dir);
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--config", want, NULL), -1);
    assert_non_null(strstr(err, "cannot read config"));
    assert_non_null(strstr(err, "No such file"));

    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--config", dir, NULL), -1);
    assert_non_null(strstr(err, "Is a directory"));

    const char binary[] = "db = x\0\1\2";
    const char *path = write_file("bin.conf", binary, sizeof binary);
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--config", path, NULL), -1);
    assert_non_null(strstr(err, "not a text file"));

    char *big = malloc(CLI_CONFIG_MAX_BYTES + 10);
    memset(big, '#', CLI_CONFIG_MAX_BYTES + 10);
    path = write_file("big.conf", big, CLI_CONFIG_MAX_BYTES + 10);
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--config", path, NULL), -1);
    assert_non_null(strstr(err, "larger than"));
    big[CLI_CONFIG_MAX_LINE + 5] = '\n';
    path = write_file("long.conf", big, CLI_CONFIG_MAX_LINE + 6);
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--config", path, NULL), -1);
    assert_non_null(strstr(err, ":1: line longer than"));
    free(big);

    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--log-level", "loud", NULL),
                     -1);
    assert_string_equal(err, "bad log level 'loud' (error, warn, info or debug)");
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--log-level", NULL), -1);
    assert_string_equal(err, "--log-level needs a LEVEL");
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--syslog=yes", NULL), -1);
    assert_string_equal(err, "--syslog takes no value");
}

static void test_option_arguments_and_double_dash(void **state)
{
    cli_args_t args;
    char joined[1024], err[256];
    /* "--syslog" here is the value of -o and of --db, and after "--" it is
     * an operand: none of them may be taken as the shared flag. */
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "-o", "--syslog", "--db",
                            "--syslog", "-h", "--", "--config", "--syslog", NULL),
                     0);
    assert_string_equal(joined, "x -o --syslog --db --syslog -h -- --config --syslog");
    assert_false(args.syslog);
    cli_args_free(&args);

    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "-o--syslog", "--syslog",
                            NULL),
                     0);
    assert_string_equal(joined, "x -o--syslog");
    assert_true(args.syslog);
    cli_args_free(&args);
}

static void test_several_files_in_order(void **state)
{
    const char *first = write_file("1.conf", "db = one.db\nseed = a\n", 21);
    char first_path[128];
    snprintf(first_path, sizeof first_path, "%s", first);
    const char *second = write_file("2.conf", "db = two.db\n", 12);
    cli_args_t args;
    char joined[1024], err[256];
    assert_int_equal(expand(&args, joined, sizeof joined, err, "x", "--config", first_path,
                            "--config", second, NULL),
                     0);
    assert_string_equal(joined, "x --db=one.db --seed=a --db=two.db");
    cli_args_free(&args);
    cli_args_free(&args); /* second free is harmless */
    cli_args_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_entries_come_first),
        cmocka_unit_test(test_command_line_wins),
        cmocka_unit_test(test_errors_are_one_clear_line),
        cmocka_unit_test(test_bad_files_and_flags),
        cmocka_unit_test(test_option_arguments_and_double_dash),
        cmocka_unit_test(test_several_files_in_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
