/* chain -- parameters of each Bitcoin network a seeder can serve. */
#ifndef BTCSEED_CHAIN_H
#define BTCSEED_CHAIN_H

#include <stdint.h>

typedef struct chain_params {
    const char *name;          /* "main", "testnet3", "testnet4", "signet", "regtest" */
    uint8_t magic[4];          /* message start bytes, as they appear on the wire */
    uint16_t default_port;
    const char *const *seeds;  /* Bitcoin Core's DNS seeds, NULL-terminated */
    int32_t min_height;        /* a node below this height is never good */
} chain_params_t;

/* Returns the chain called `name` ("mainnet"/"testnet" accepted as aliases),
 * or NULL. */
const chain_params_t *chain_by_name(const char *name);
/* A comma-separated list of the names, for help texts. */
const char *chain_names(void);

#endif
