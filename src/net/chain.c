#include "net/chain.h"

#include <stddef.h>
#include <string.h>

/* The DNS seeds Bitcoin Core (kernel/chainparams.cpp, v28-v29) ships. */
static const char *const main_seeds[] = {
    "seed.bitcoin.sipa.be",
    "dnsseed.bluematt.me",
    "dnsseed.bitcoin.dashjr-list-of-p2p-nodes.us",
    "seed.bitcoin.jonasschnelli.ch",
    "seed.btc.petertodd.net",
    "seed.bitcoin.sprovoost.nl",
    "dnsseed.emzy.de",
    "seed.bitcoin.wiz.biz",
    "seed.mainnet.achownodes.xyz",
    NULL,
};

static const char *const testnet3_seeds[] = {
    "testnet-seed.bitcoin.jonasschnelli.ch",
    "seed.tbtc.petertodd.net",
    "seed.testnet.bitcoin.sprovoost.nl",
    "testnet-seed.bluematt.me",
    "seed.testnet.achownodes.xyz",
    NULL,
};

static const char *const testnet4_seeds[] = {
    "seed.testnet4.bitcoin.sprovoost.nl",
    "seed.testnet4.wiz.biz",
    NULL,
};

static const char *const signet_seeds[] = {
    "seed.signet.bitcoin.sprovoost.nl",
    "seed.signet.achownodes.xyz",
    NULL,
};

static const char *const no_seeds[] = {NULL};

/* Minimum heights are well below each chain's tip at the time of writing:
 * they only keep nodes that never synced out of the answers; the crawler
 * also requires a node to be near the best height it has seen. */
static const chain_params_t chains[] = {
    {"main", {0xf9, 0xbe, 0xb4, 0xd9}, 8333, main_seeds, 900000},
    {"testnet3", {0x0b, 0x11, 0x09, 0x07}, 18333, testnet3_seeds, 4000000},
    {"testnet4", {0x1c, 0x16, 0x3f, 0x28}, 48333, testnet4_seeds, 50000},
    {"signet", {0x0a, 0x03, 0xcf, 0x40}, 38333, signet_seeds, 200000},
    {"regtest", {0xfa, 0xbf, 0xb5, 0xda}, 18444, no_seeds, 0},
};

const chain_params_t *chain_by_name(const char *name)
{
    if (strcmp(name, "mainnet") == 0 || strcmp(name, "bitcoin") == 0)
        name = "main";
    else if (strcmp(name, "testnet") == 0)
        name = "testnet3";
    for (size_t i = 0; i < sizeof chains / sizeof chains[0]; i++)
        if (strcmp(chains[i].name, name) == 0)
            return &chains[i];
    return NULL;
}

const char *chain_names(void) { return "main, testnet3, testnet4, signet, regtest"; }
