#include "http/http_page.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "http/http_escape.h"
#include "http/http_svg.h"

#define COLOR_REACHABLE "#1f77b4"
#define COLOR_GOOD "#2ca02c"
#define COLOR_CRAWL "#ff7f0e"
#define COLOR_DNS "#9467bd"
#define COLOR_BARS "#4e79a7"
/* The chart that spans the page: on a narrow screen it keeps this width and
 * scrolls sideways rather than shrinking its text away. */
#define HTTP_PAGE_WIDE_CHART 1000

static const char page_style[] =
    ":root{color-scheme:light dark;--fg:#1d2127;--bg:#f6f7f9;--card:#fff;--muted:#6b7280;"
    "--line:#e3e5e8}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e3e5e8;--bg:#15171b;--card:#1f2228;"
    "--muted:#9aa0a8;--line:#30343b}}"
    "*{box-sizing:border-box}"
    "body{margin:0;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}"
    "header,main,footer{max-width:1200px;margin:0 auto;padding:10px 16px}"
    "h1{font-size:20px;margin:6px 0 2px}h1 small{font-weight:400;color:var(--muted)}"
    "h2{font-size:16px;margin:18px 0 8px}"
    ".meta{color:var(--muted);margin:0}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:8px 12px}"
    ".card b{display:block;font-size:12px;font-weight:400;color:var(--muted)}"
    ".card span{font-size:22px;font-weight:600}"
    ".grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px;margin-top:12px}"
    ".panel{margin:0;background:var(--card);border:1px solid var(--line);border-radius:6px;"
    "padding:8px 12px;min-width:0}"
    ".wide{grid-column:1/-1;overflow-x:auto}.wide svg.chart{min-width:640px}"
    "figcaption{font-weight:600;margin-bottom:4px}"
    "svg.chart{display:block;height:auto;max-width:100%;color:var(--fg)}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);"
    "white-space:nowrap}"
    "th{color:var(--muted);font-weight:600}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}"
    "td.ua,td.addr{max-width:280px;overflow:hidden;text-overflow:ellipsis}"
    ".yes{color:#2ca02c}.no{color:var(--muted)}"
    "footer{color:var(--muted)}footer a{color:inherit}"
    "@media (max-width:720px){.grid{grid-template-columns:minmax(0,1fr)}"
    ".narrow-hide{display:none}.card span{font-size:18px}header,main,footer{padding:8px}}";

static void format_ago(char *buf, size_t size, int64_t now, int64_t then)
{
    if (then <= 0) {
        snprintf(buf, size, "never");
        return;
    }
    int64_t d = now - then;
    if (d < 0)
        d = 0;
    if (d < 120)
        snprintf(buf, size, "%" PRId64 " s ago", d);
    else if (d < 7200)
        snprintf(buf, size, "%" PRId64 " min ago", d / 60);
    else if (d < 2 * 86400)
        snprintf(buf, size, "%" PRId64 " h ago", d / 3600);
    else
        snprintf(buf, size, "%" PRId64 " d ago", d / 86400);
}

static void card(struct evbuffer *out, const char *name, const char *value)
{
    evbuffer_add_printf(out, "<div class=\"card\"><b>%s</b><span>%s</span></div>", name, value);
}

static void card_count(struct evbuffer *out, const char *name, uint64_t v)
{
    char buf[32];
    http_svg_format_thousands(buf, sizeof buf, v);
    card(out, name, buf);
}

static void panel_open(struct evbuffer *out, const char *caption, bool wide)
{
    evbuffer_add_printf(out, "<figure class=\"panel%s\"><figcaption>%s</figcaption>",
                        wide ? " wide" : "", caption);
}

static void panel_close(struct evbuffer *out) { HTTP_PUT(out, "</figure>"); }

/* The time-series charts, from the snapshot rows thinned to at most
 * HTTP_PAGE_MAX_POINTS evenly spaced ones (the newest always kept). */
static void time_series(struct evbuffer *out, const struct http_overview *o)
{
    size_t n = o->nsnapshots < HTTP_PAGE_MAX_POINTS ? o->nsnapshots : HTTP_PAGE_MAX_POINTS;
    int64_t *x = calloc(n ? n : 1, sizeof *x);
    double *ys = calloc(4 * (n ? n : 1), sizeof *ys);
    if (!x || !ys) {
        free(x);
        free(ys);
        HTTP_PUT(out, "<p>out of memory</p>");
        return;
    }
    double *reachable = ys, *good = ys + n, *crawl = ys + 2 * n, *dns = ys + 3 * n;
    for (size_t i = 0; i < n; i++) {
        size_t src = n == o->nsnapshots
                         ? i
                         : (o->nsnapshots - 1) - (n - 1 - i) * (o->nsnapshots - 1) / (n - 1);
        const struct nodedb_snapshot *s = &o->snapshots[src];
        x[i] = s->time;
        reachable[i] = (double)s->totals.all.reachable;
        good[i] = (double)s->totals.all.good;
        crawl[i] = s->crawl_rate;
        dns[i] = s->dns_rate;
    }
    const struct http_svg_series nodes[] = {{"reachable", COLOR_REACHABLE, reachable},
                                            {"good", COLOR_GOOD, good}};
    const struct http_svg_series crawl_series = {"node tests per second", COLOR_CRAWL, crawl};
    const struct http_svg_series dns_series = {"DNS queries per second", COLOR_DNS, dns};

    panel_open(out, "Reachable and good nodes (last 7 days, UTC)", true);
    http_svg_line_chart(out, "chart-nodes", "Reachable and good nodes over time",
                        HTTP_PAGE_WIDE_CHART, x, n, nodes, 2);
    panel_close(out);
    panel_open(out, "Crawl rate", false);
    http_svg_line_chart(out, "chart-crawl-rate", "Node tests per second over time",
                        HTTP_SVG_WIDTH, x, n,
                        &crawl_series, 1);
    panel_close(out);
    panel_open(out, "DNS queries", false);
    http_svg_line_chart(out, "chart-dns-rate", "DNS queries per second over time",
                        HTTP_SVG_WIDTH, x, n,
                        &dns_series, 1);
    panel_close(out);
    free(x);
    free(ys);
}

static void tally_chart(struct evbuffer *out, const char *id, const char *caption,
                        const struct http_tally *t, size_t n)
{
    struct http_svg_bar bars[HTTP_TOP_AGENTS + HTTP_TOP_VERSIONS + 2];
    for (size_t i = 0; i < n; i++)
        bars[i] = (struct http_svg_bar){t[i].label, strlen(t[i].label), (double)t[i].n};
    panel_open(out, caption, false);
    http_svg_bar_chart(out, id, caption, bars, n, COLOR_BARS);
    panel_close(out);
}

static void distributions(struct evbuffer *out, const struct http_overview *o)
{
    struct http_svg_bar bars[NODEDB_NETS + HTTP_SERVICES + HTTP_HEIGHT_BANDS];
    for (int i = 0; i < NODEDB_NETS; i++) {
        const char *name = netaddr_net_name(nodedb_net_of_index(i));
        bars[i] = (struct http_svg_bar){name, strlen(name), (double)o->totals.net[i].reachable};
    }
    panel_open(out, "Reachable nodes by network", false);
    http_svg_bar_chart(out, "chart-networks", "Reachable nodes by network", bars, NODEDB_NETS,
                       COLOR_BARS);
    HTTP_PUT(out, "<div class=\"scroll\"><table><tr><th>network</th><th class=\"num\">known</th>"
                  "<th class=\"num\">reachable</th><th class=\"num\">good</th></tr>");
    for (int i = 0; i < NODEDB_NETS; i++) {
        char known[32], reach[32], good[32];
        http_svg_format_thousands(known, sizeof known, o->totals.net[i].known);
        http_svg_format_thousands(reach, sizeof reach, o->totals.net[i].reachable);
        http_svg_format_thousands(good, sizeof good, o->totals.net[i].good);
        evbuffer_add_printf(out,
                            "<tr><td>%s</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                            "<td class=\"num\">%s</td></tr>",
                            netaddr_net_name(nodedb_net_of_index(i)), known, reach, good);
    }
    HTTP_PUT(out, "</table></div>");
    panel_close(out);

    tally_chart(out, "chart-versions", "Protocol versions (reachable nodes)", o->versions,
                o->nversions);
    tally_chart(out, "chart-agents", "Top user agents (reachable nodes)", o->agents, o->nagents);

    for (int i = 0; i < HTTP_SERVICES; i++) {
        const char *name = http_service_bits[i].name;
        bars[i] = (struct http_svg_bar){name, strlen(name), (double)o->services[i]};
    }
    panel_open(out, "Service bits (reachable nodes)", false);
    http_svg_bar_chart(out, "chart-services", "Reachable nodes offering each service", bars,
                       HTTP_SERVICES, COLOR_BARS);
    panel_close(out);

    for (int i = 0; i < HTTP_HEIGHT_BANDS; i++) {
        const char *name = http_height_band_names[i];
        bars[i] = (struct http_svg_bar){name, strlen(name), (double)o->heights[i]};
    }
    char caption[96];
    snprintf(caption, sizeof caption, "Start height relative to the best height (%" PRId32 ")",
             o->best_height);
    panel_open(out, caption, false);
    http_svg_bar_chart(out, "chart-heights", caption, bars, HTTP_HEIGHT_BANDS, COLOR_BARS);
    panel_close(out);
}

static void recent_table(struct evbuffer *out, const struct http_overview *o)
{
    HTTP_PUT(out, "<h2>Most recently reached nodes</h2><div class=\"scroll\">"
                  "<table id=\"recent\"><tr><th>address</th><th>user agent</th>"
                  "<th class=\"num narrow-hide\">protocol</th><th class=\"num\">height</th>"
                  "<th class=\"narrow-hide\">services</th><th>last reached</th>"
                  "<th class=\"num\">30-day uptime</th><th>good</th></tr>");
    for (size_t i = 0; i < o->nrecent; i++) {
        const struct nodedb_node *n = &o->recent[i];
        char addr[NETADDR_STRLEN], ago[32];
        netaddr_format(&n->addr, addr, sizeof addr);
        format_ago(ago, sizeof ago, o->generated, n->h.last_success);
        HTTP_PUT(out, "<tr><td class=\"addr\" title=\"");
        http_html(out, addr);
        HTTP_PUT(out, "\">");
        http_html(out, addr);
        HTTP_PUT(out, "</td><td class=\"ua\" title=\"");
        http_html(out, n->user_agent);
        HTTP_PUT(out, "\">");
        http_html(out, n->user_agent);
        evbuffer_add_printf(out,
                            "</td><td class=\"num narrow-hide\">%" PRId32 "</td>"
                            "<td class=\"num\">%" PRId32 "</td>"
                            "<td class=\"narrow-hide\"><code>%" PRIx64 "</code></td>"
                            "<td>%s</td><td class=\"num\">%.1f%%</td>"
                            "<td class=\"%s\">%s</td></tr>",
                            n->h.protocol, n->h.height, n->h.services, ago,
                            100 * nodedb_stats_uptime(&n->h.stats, NODEDB_WIN_1M),
                            n->good ? "yes" : "no", n->good ? "yes" : "no");
    }
    if (o->nrecent == 0)
        HTTP_PUT(out, "<tr><td colspan=\"8\">no node reached yet</td></tr>");
    HTTP_PUT(out, "</table></div>");
}

void http_page_render(struct evbuffer *out, const struct http_overview *o,
                      const chain_params_t *chain, unsigned refresh_seconds)
{
    char stamp[32];
    time_t t = (time_t)o->generated;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S UTC", &tm);
    evbuffer_add_printf(out,
                        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                        "<meta http-equiv=\"refresh\" content=\"%u\">"
                        "<title>btcseed %s status</title><style>%s</style></head><body>",
                        refresh_seconds ? refresh_seconds : HTTP_PAGE_DEFAULT_REFRESH,
                        chain->name, page_style);
    evbuffer_add_printf(out,
                        "<header><h1>btcseed <small>%s</small></h1>"
                        "<p class=\"meta\">updated %s &middot; version %s &middot; "
                        "refreshes every %u s</p></header><main>",
                        chain->name, stamp, BTCSEED_VERSION,
                        refresh_seconds ? refresh_seconds : HTTP_PAGE_DEFAULT_REFRESH);

    HTTP_PUT(out, "<section class=\"cards\">");
    card_count(out, "known addresses", o->totals.all.known);
    card_count(out, "tried", o->totals.all.tried);
    card_count(out, "reachable", o->totals.all.reachable);
    card_count(out, "good", o->totals.all.good);
    char best[32];
    http_svg_format_thousands(best, sizeof best, (uint64_t)(o->best_height > 0 ? o->best_height : 0));
    card(out, "best height", best);
    if (o->nsnapshots) {
        char rate[32];
        snprintf(rate, sizeof rate, "%.1f", o->snapshots[o->nsnapshots - 1].dns_rate);
        card(out, "DNS queries/s", rate);
    }
    HTTP_PUT(out, "</section><section class=\"grid\">");
    time_series(out, o);
    distributions(out, o);
    HTTP_PUT(out, "</section>");
    recent_table(out, o);
    HTTP_PUT(out, "</main><footer>JSON: <a href=\"/api/v1/summary\">summary</a> &middot; "
                  "<a href=\"/api/v1/nodes\">nodes</a> &middot; "
                  "<a href=\"/api/v1/snapshots\">snapshots</a> &middot; "
                  "Prometheus: <a href=\"/metrics\">metrics</a></footer></body></html>\n");
}
