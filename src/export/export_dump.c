#include <inttypes.h>

#include "export/export.h"
#include "export/export_text.h"

/* Column widths as the reference seeder aligns them; makeseeds.py splits on
 * whitespace, so they are for people only. */
#define ADDR_WIDTH 47

static int dump_node(const struct nodedb_node *n, void *ctx)
{
    FILE *out = ctx;
    char addr[NETADDR_STRLEN];
    netaddr_format(&n->addr, addr, sizeof addr);
    fprintf(out, "%-*s %4d %11" PRIu32, ADDR_WIDTH, addr, n->good ? 1 : 0, n->h.last_success);
    for (int w = 0; w < NODEDB_WINDOWS; w++)
        fprintf(out, " %6.2f%%", 100.0 * nodedb_stats_uptime(&n->h.stats, w));
    fprintf(out, " %7" PRId32 " %016" PRIx64 " %6" PRId32 " ", n->h.height, n->h.services,
            n->h.protocol);
    export_dump_quoted(out, n->user_agent);
    fputc('\n', out);
    return ferror(out) ? 1 : 0;
}

int export_dump(nodedb_t *db, FILE *out)
{
    fprintf(out, "# %-*s %4s %11s %7s %7s %7s %7s %7s %7s %16s %6s %s\n", ADDR_WIDTH - 2,
            "address", "good", "lastSuccess", "%(2h)", "%(8h)", "%(1d)", "%(7d)", "%(30d)",
            "blocks", "svcs", "version", "\"user agent\"");
    struct nodedb_filter f = {.reached_only = true, .order = NODEDB_ORDER_UPTIME_30D};
    int rc = nodedb_query(db, &f, dump_node, out);
    return rc == 0 ? 0 : NODEDB_ERROR;
}
