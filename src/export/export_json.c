#include <inttypes.h>

#include "export/export.h"
#include "export/export_text.h"

static const char *const node_fields[] = {
    "protocol",   "user_agent", "connected_since", "services",  "height",
    "network",    "first_seen", "last_seen",       "last_success", "uptime_2h",
    "uptime_8h",  "uptime_1d",  "uptime_7d",       "uptime_30d", "good",
};

struct json_ctx {
    FILE *out;
    uint64_t count;
};

static void json_counts(FILE *out, const struct nodedb_counts *c)
{
    fprintf(out,
            "{\"known\": %" PRIu64 ", \"tried\": %" PRIu64 ", \"reachable\": %" PRIu64
            ", \"good\": %" PRIu64 "}",
            c->known, c->tried, c->reachable, c->good);
}

static int json_node(const struct nodedb_node *n, void *arg)
{
    struct json_ctx *ctx = arg;
    FILE *out = ctx->out;
    const struct nodedb_health *h = &n->h;
    char addr[NETADDR_STRLEN];
    netaddr_format(&n->addr, addr, sizeof addr);
    fputs(ctx->count++ ? ",\n    " : "\n    ", out);
    export_json_string(out, addr);
    fprintf(out, ": [%" PRId32 ", ", h->protocol);
    export_json_string(out, n->user_agent);
    fprintf(out, ", %" PRIu32 ", %" PRIu64 ", %" PRId32 ", \"%s\", %" PRIu32 ", %" PRIu32
                 ", %" PRIu32,
            h->last_success, h->services, h->height, netaddr_net_name(n->addr.net),
            h->first_seen, h->last_seen, h->last_success);
    for (int w = 0; w < NODEDB_WINDOWS; w++)
        fprintf(out, ", %.2f", 100.0 * nodedb_stats_uptime(&h->stats, w));
    fprintf(out, ", %s]", n->good ? "true" : "false");
    return ferror(out) ? 1 : 0;
}

int export_json(nodedb_t *db, const chain_params_t *chain, int64_t now, FILE *out)
{
    struct nodedb_totals t;
    if (nodedb_count(db, &t) != 0)
        return NODEDB_ERROR;
    fprintf(out, "{\n  \"timestamp\": %" PRId64 ",\n  \"chain\": ", now);
    export_json_string(out, chain->name);
    fputs(",\n  \"totals\": ", out);
    json_counts(out, &t.all);
    fputs(",\n  \"networks\": {", out);
    for (int i = 0; i < NODEDB_NETS; i++) {
        fprintf(out, "%s\n    \"%s\": ", i ? "," : "", netaddr_net_name(nodedb_net_of_index(i)));
        json_counts(out, &t.net[i]);
    }
    fputs("\n  },\n  \"node_fields\": [", out);
    for (size_t i = 0; i < sizeof node_fields / sizeof node_fields[0]; i++)
        fprintf(out, "%s\"%s\"", i ? ", " : "", node_fields[i]);
    fputs("],\n  \"nodes\": {", out);
    struct json_ctx ctx = {out, 0};
    struct nodedb_filter f = {.reached_only = true, .order = NODEDB_ORDER_UPTIME_30D};
    if (nodedb_query(db, &f, json_node, &ctx) != 0)
        return NODEDB_ERROR;
    fprintf(out, "%s},\n  \"total_nodes\": %" PRIu64 "\n}\n", ctx.count ? "\n  " : "",
            ctx.count);
    return 0;
}
