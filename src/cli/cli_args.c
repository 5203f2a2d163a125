#include "cli/cli_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_parse_u32(const char *flag, const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
        fprintf(stderr, "btcseed: %s wants a whole number from %u to %u, not '%s'\n", flag, min, max,
                text);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cli_parse_ms(const char *flag, const char *text, uint32_t max_ms, uint32_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v) || v < 0 || v * 1000 > max_ms) {
        fprintf(stderr, "btcseed: %s wants seconds from 0 to %u, not '%s'\n", flag, max_ms / 1000,
                text);
        return -1;
    }
    *out = (uint32_t)(v * 1000);
    return 0;
}

int cli_parse_chain(const char *text, const chain_params_t **out)
{
    *out = chain_by_name(text);
    if (!*out) {
        fprintf(stderr, "btcseed: unknown chain '%s' (one of: %s)\n", text, chain_names());
        return -1;
    }
    return 0;
}

int cli_parse_endpoint(const char *flag, const char *text, struct sockaddr_storage *out)
{
    netaddr_t a;
    socklen_t len;
    if (netaddr_parse(text, 0, &a) < 0 || a.port == 0 || netaddr_to_sockaddr(&a, out, &len) < 0) {
        fprintf(stderr, "btcseed: %s wants IP:PORT (IPv6 as [addr]:port), not '%s'\n", flag, text);
        return -1;
    }
    return 0;
}
