/* cli_args -- value parsers shared by the subcommands' flag handling. Each
 * prints one clear line naming the flag on failure and returns -1. */
#ifndef BTCSEED_CLI_ARGS_H
#define BTCSEED_CLI_ARGS_H

#include <stdint.h>
#include <sys/socket.h>

#include "net/chain.h"
#include "net/netaddr.h"

int cli_parse_u32(const char *flag, const char *text, uint32_t min, uint32_t max, uint32_t *out);
/* Seconds as a decimal number ("2", "0.5") to milliseconds. */
int cli_parse_ms(const char *flag, const char *text, uint32_t max_ms, uint32_t *out);
int cli_parse_chain(const char *text, const chain_params_t **out);
/* IP:PORT (IPv6 in brackets) to a socket address; the port is required. */
int cli_parse_endpoint(const char *flag, const char *text, struct sockaddr_storage *out);

#endif
