#include "nodedb/nodedb_stats.h"

#include <math.h>

#define HOUR 3600
#define DAY (24 * HOUR)

static const int64_t window_seconds[NODEDB_WINDOWS] = {
    [NODEDB_WIN_2H] = 2 * HOUR, [NODEDB_WIN_8H] = 8 * HOUR, [NODEDB_WIN_1D] = DAY,
    [NODEDB_WIN_1W] = 7 * DAY,  [NODEDB_WIN_1M] = 30 * DAY,
};

static const char *const window_names[NODEDB_WINDOWS] = {
    [NODEDB_WIN_2H] = "2h", [NODEDB_WIN_8H] = "8h", [NODEDB_WIN_1D] = "1d",
    [NODEDB_WIN_1W] = "7d", [NODEDB_WIN_1M] = "30d",
};

int64_t nodedb_window_seconds(enum nodedb_window w) { return window_seconds[w]; }
const char *nodedb_window_name(enum nodedb_window w) { return window_names[w]; }

void nodedb_stats_update(struct nodedb_stats *s, int64_t age, bool ok)
{
    if (age < 1)
        age = 1;
    for (int i = 0; i < NODEDB_WINDOWS; i++) {
        struct nodedb_stat *st = &s->w[i];
        /* Computed in double: for the 30-day window 1 - f is ~3e-4 at a
         * 15-minute age, which float alone would round coarsely. */
        double f = exp(-(double)age / (double)window_seconds[i]);
        st->reliability = (float)(st->reliability * f + (ok ? 1.0 - f : 0.0));
        st->weight = (float)(st->weight * f + (1.0 - f));
        st->count = (float)(st->count * f + 1.0);
    }
}

double nodedb_stats_uptime(const struct nodedb_stats *s, enum nodedb_window w)
{
    const struct nodedb_stat *st = &s->w[w];
    if (!(st->weight > 0.0f))
        return 0.0;
    double u = (double)st->reliability / (double)st->weight;
    /* Rounding can push the ratio a hair past 1 for an always-up node. */
    return u > 1.0 ? 1.0 : (u < 0.0 ? 0.0 : u);
}

double nodedb_stats_count(const struct nodedb_stats *s, enum nodedb_window w)
{
    return s->w[w].count;
}

void nodedb_health_record(struct nodedb_health *h, int64_t now, bool ok)
{
    int64_t age = h->last_try ? now - (int64_t)h->last_try : NODEDB_STATS_FIRST_AGE;
    nodedb_stats_update(&h->stats, age, ok);
    h->last_try = (uint32_t)now;
    if (h->tries < UINT32_MAX)
        h->tries++;
    if (ok) {
        h->last_success = (uint32_t)now;
        if (h->successes < UINT32_MAX)
            h->successes++;
        h->fail_streak = 0;
    } else if (h->fail_streak < UINT16_MAX) {
        h->fail_streak++;
    }
}
