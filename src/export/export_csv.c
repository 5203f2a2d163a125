#include <inttypes.h>

#include "export/export.h"
#include "export/export_text.h"

#define CRLF "\r\n"

static int csv_node(const struct nodedb_node *n, void *ctx)
{
    FILE *out = ctx;
    const struct nodedb_health *h = &n->h;
    char addr[NETADDR_STRLEN];
    netaddr_format(&n->addr, addr, sizeof addr);
    export_csv_field(out, addr);
    fprintf(out,
            ",%s,%u,%d,%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32
            ",%u,%" PRId32 ",%" PRIu64 ",%" PRId32 ",",
            netaddr_net_name(n->addr.net), (unsigned)n->addr.port, n->good ? 1 : 0,
            h->first_seen, h->last_seen, h->last_try, h->last_success, h->tries, h->successes,
            (unsigned)h->fail_streak, h->protocol, h->services, h->height);
    export_csv_field(out, n->user_agent);
    for (int w = 0; w < NODEDB_WINDOWS; w++)
        fprintf(out, ",%.2f", 100.0 * nodedb_stats_uptime(&h->stats, w));
    fprintf(out, ",%" PRIu32 ",%s,", h->ban_until, nodedb_source_name(n->source));
    export_csv_field(out, n->source_name);
    fputs(CRLF, out);
    return ferror(out) ? 1 : 0;
}

int export_csv(nodedb_t *db, FILE *out)
{
    fputs("address,network,port,good,first_seen,last_seen,last_try,last_success,tries,"
          "successes,fail_streak,protocol,services,height,user_agent,uptime_2h,uptime_8h,"
          "uptime_1d,uptime_7d,uptime_30d,ban_until,source,source_name" CRLF,
          out);
    struct nodedb_filter f = {.order = NODEDB_ORDER_ADDR};
    return nodedb_query(db, &f, csv_node, out) == 0 ? 0 : NODEDB_ERROR;
}
