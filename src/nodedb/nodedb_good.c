#include "nodedb/nodedb_good.h"

#include <stdlib.h>

#include "p2p/msg.h"

/* One reliability rule: uptime above `min_uptime` over more than `min_count`
 * decayed tests in the window. */
struct reliability_rule {
    enum nodedb_window window;
    double min_uptime;
    double min_count;
};

static const struct reliability_rule reliability_rules[] = {
    {NODEDB_WIN_2H, 0.85, 2}, {NODEDB_WIN_8H, 0.70, 4},   {NODEDB_WIN_1D, 0.55, 8},
    {NODEDB_WIN_1W, 0.45, 16}, {NODEDB_WIN_1M, 0.35, 32},
};

static const char *const verdict_names[] = {
    [NODEDB_VERDICT_GOOD] = "good",         [NODEDB_VERDICT_BANNED] = "banned",
    [NODEDB_VERDICT_UNREACHED] = "unreached", [NODEDB_VERDICT_FAILING] = "failing",
    [NODEDB_VERDICT_PORT] = "port",         [NODEDB_VERDICT_SERVICES] = "services",
    [NODEDB_VERDICT_PROTOCOL] = "protocol", [NODEDB_VERDICT_HEIGHT] = "height",
    [NODEDB_VERDICT_BEHIND] = "behind",     [NODEDB_VERDICT_UNRELIABLE] = "unreliable",
};

const char *nodedb_verdict_name(enum nodedb_verdict v)
{
    if ((size_t)v >= sizeof verdict_names / sizeof verdict_names[0])
        return "unknown";
    return verdict_names[v];
}

static bool is_reliable(const struct nodedb_health *h, int64_t now)
{
    for (size_t i = 0; i < sizeof reliability_rules / sizeof reliability_rules[0]; i++) {
        const struct reliability_rule *r = &reliability_rules[i];
        if (nodedb_stats_uptime(&h->stats, r->window) > r->min_uptime &&
            nodedb_stats_count(&h->stats, r->window) > r->min_count)
            return true;
    }
    /* Brand new: too few tests for any window's count, all of them good. */
    return h->tries <= NODEDB_NEW_MAX_TRIES && h->successes == h->tries &&
           now - (int64_t)h->last_success <= NODEDB_NEW_RECENT;
}

static bool is_default_port(const netaddr_t *addr, const chain_params_t *chain)
{
    return addr->port == chain->default_port || (addr->net == NETADDR_I2P && addr->port == 0);
}

enum nodedb_verdict nodedb_judge(const struct nodedb_health *h, const netaddr_t *addr,
                                 const chain_params_t *chain, int32_t best_height,
                                 int64_t now)
{
    if ((int64_t)h->ban_until > now)
        return NODEDB_VERDICT_BANNED;
    if (h->last_success == 0)
        return NODEDB_VERDICT_UNREACHED;
    if (h->fail_streak >= NODEDB_GOOD_MAX_FAIL_STREAK)
        return NODEDB_VERDICT_FAILING;
    if (!is_default_port(addr, chain))
        return NODEDB_VERDICT_PORT;
    if (!(h->services & NODE_NETWORK))
        return NODEDB_VERDICT_SERVICES;
    if (h->protocol < NODEDB_MIN_PROTOCOL)
        return NODEDB_VERDICT_PROTOCOL;
    if (h->height < chain->min_height)
        return NODEDB_VERDICT_HEIGHT;
    if (best_height > 0 && (int64_t)h->height < (int64_t)best_height - NODEDB_MAX_BEHIND)
        return NODEDB_VERDICT_BEHIND;
    if (!is_reliable(h, now))
        return NODEDB_VERDICT_UNRELIABLE;
    return NODEDB_VERDICT_GOOD;
}

bool nodedb_is_good(const struct nodedb_health *h, const netaddr_t *addr,
                    const chain_params_t *chain, int32_t best_height, int64_t now)
{
    return nodedb_judge(h, addr, chain, best_height, now) == NODEDB_VERDICT_GOOD;
}

static uint32_t clamp_time(int64_t t)
{
    if (t < 0)
        return 0;
    return t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

uint32_t nodedb_ban_until(const struct nodedb_health *h, int64_t now)
{
    int64_t ban = 0;
    /* Only a node that completed a handshake has told us its protocol. */
    if (h->successes > 0 && h->protocol < NODEDB_MIN_PROTOCOL)
        ban = now + NODEDB_BAN_OLD_PROTOCOL;
    else if (nodedb_stats_uptime(&h->stats, NODEDB_WIN_1M) < 0.15 &&
             nodedb_stats_count(&h->stats, NODEDB_WIN_1M) > 32)
        ban = now + NODEDB_BAN_FAILING_MONTH;
    else if (nodedb_stats_uptime(&h->stats, NODEDB_WIN_1W) < 0.10 &&
             nodedb_stats_count(&h->stats, NODEDB_WIN_1W) > 16)
        ban = now + NODEDB_BAN_FAILING_WEEK;
    if ((int64_t)h->ban_until > ban && (int64_t)h->ban_until > now)
        ban = h->ban_until;
    return clamp_time(ban);
}

/* base << (streak - 1), capped, without overflowing the shift. */
static int64_t backoff(int64_t base, int64_t max, unsigned streak)
{
    int64_t interval = base;
    for (unsigned i = 1; i < streak && interval < max; i++)
        interval *= 2;
    return interval < max ? interval : max;
}

int64_t nodedb_next_due(const struct nodedb_health *h, bool good, int64_t now, uint32_t jitter)
{
    if ((int64_t)h->ban_until > now)
        return h->ban_until;
    if (h->last_try == 0)
        return now;
    int64_t interval;
    if (h->fail_streak == 0)
        interval = good ? NODEDB_RETEST_GOOD : NODEDB_RETEST_REACHABLE;
    else if (h->last_success != 0)
        interval = backoff(NODEDB_RETRY_LOST, NODEDB_RETRY_LOST_MAX, h->fail_streak);
    else
        interval = backoff(NODEDB_RETRY_NEVER, NODEDB_RETRY_NEVER_MAX, h->fail_streak);
    return (int64_t)h->last_try + interval + (int64_t)(jitter % (uint32_t)(interval / 4 + 1));
}

bool nodedb_should_forget(const struct nodedb_health *h, int64_t now)
{
    if (h->last_success == 0)
        return h->tries >= NODEDB_FORGET_MIN_TRIES &&
               now - (int64_t)h->first_seen > NODEDB_FORGET_AGE;
    return h->fail_streak >= NODEDB_FORGET_FAIL_STREAK &&
           now - (int64_t)h->last_success > NODEDB_FORGET_AGE;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int32_t nodedb_best_height(int32_t *heights, size_t n)
{
    if (n == 0)
        return 0;
    qsort(heights, n, sizeof heights[0], cmp_i32);
    return heights[n / 2];
}
