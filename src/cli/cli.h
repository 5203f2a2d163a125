/* cli -- one entry point per subcommand; each parses its own flags.
 *
 * Exit codes: 0 success, 1 the job failed (peer refused, every seed failed,
 * ...), 2 bad command line. */
#ifndef BTCSEED_CLI_H
#define BTCSEED_CLI_H

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

int cli_crawl(int argc, char **argv);
int cli_run(int argc, char **argv);

/* btcseed resolve [--chain C] [--seed HOST]... [--resolver IP:PORT]
 *                 [--services HEX] [--timeout S] [HOST...] */
int cli_resolve(int argc, char **argv);
int cli_serve(int argc, char **argv);

/* btcseed export --db FILE --format dump|json|csv [--out FILE] [--chain C] */
int cli_export(int argc, char **argv);

/* btcseed status --db FILE --http IP:PORT [--chain C] [--refresh S] */
int cli_status(int argc, char **argv);

/* btcseed probe ADDR[:PORT] [--chain C] [--wait S] [--timeout S] */
int cli_probe(int argc, char **argv);

#endif
