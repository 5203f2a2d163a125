#include "simnet_seeds.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Bounds the work one query can cause: a rare filter scans at most this many
 * honest nodes for matches. */
#define SCAN_LIMIT 50000

int simnet_seeds_parse(const struct simnet_seeds *s, const char *relative,
                       struct simnet_seed_name *out)
{
    out->services = 0;
    const char *dot = strchr(relative, '.');
    if (dot) {
        if (relative[0] != 'x' || dot == relative + 1 || dot - relative > 17)
            return -1;
        uint64_t mask = 0;
        for (const char *p = relative + 1; p < dot; p++) {
            if (!isxdigit((unsigned char)*p))
                return -1;
            int d = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
            mask = mask << 4 | (uint64_t)d;
        }
        out->services = mask;
        relative = dot + 1;
    }
    if (strncmp(relative, "seed", 4) != 0 || !isdigit((unsigned char)relative[4]))
        return -1;
    char *end;
    errno = 0;
    unsigned long n = strtoul(relative + 4, &end, 10);
    if (errno || *end || n < 1 || n > s->count || relative[4] == '0')
        return -1;
    out->seed = (unsigned)n;
    return 0;
}

size_t simnet_seeds_answer(const struct simnet_seeds *s, const struct simnet_seed_name *name,
                           int family, uint32_t *out)
{
    const struct simnet_model *m = s->model;
    uint32_t honest = m->cfg.count[SIMNET_HONEST];
    uint32_t limit = honest < SCAN_LIMIT ? honest : SCAN_LIMIT;
    /* The pool holds every seed's slice; seed k gets slice k (wrapping). */
    size_t want = (size_t)s->count * s->answers;
    size_t skip = (size_t)(name->seed - 1) * s->answers;
    size_t found = 0, count = 0;
    uint32_t first[SIMNET_SEEDS_MAX_ANSWERS];
    size_t nfirst = 0;
    for (uint32_t rank = 0; rank < limit && found < want && count < s->answers; rank++) {
        uint32_t index = simnet_model_index_at_rank(m, rank);
        bool v6 = index >= m->first_ipv6 && index < m->first_onion;
        if (index >= m->first_onion || (family == 6) != v6)
            continue;
        struct simnet_node n;
        simnet_node_get(m, index, &n);
        if (!simnet_node_good(m, &n) || (n.v.services & name->services) != name->services)
            continue;
        if (nfirst < s->answers)
            first[nfirst++] = index;
        if (found >= skip)
            out[count++] = index;
        found++;
    }
    /* Fewer good nodes than slices: later seeds repeat the first ones. */
    for (size_t i = 0; count == 0 && i < nfirst; i++)
        out[i] = first[i];
    return count ? count : nfirst;
}
