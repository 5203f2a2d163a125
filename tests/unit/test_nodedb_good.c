/* Unit tests for the good decision, bans and scheduling (injected clock). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "nodedb/nodedb_good.h"
#include "p2p/msg.h"

#define T0 1700000000
#define MINUTE 60
#define HOUR 3600
#define DAY 86400

static const chain_params_t *main_chain(void) { return chain_by_name("main"); }

static netaddr_t ipv4_addr(uint16_t port)
{
    netaddr_t a;
    memset(&a, 0, sizeof a);
    a.net = NETADDR_IPV4;
    a.bytes[0] = 1, a.bytes[1] = 2, a.bytes[2] = 3, a.bytes[3] = 4;
    a.port = port;
    return a;
}

/* A node tested every 15 minutes for `days`, always answering, with
 * version fields that pass every static rule. Returns the time of the last
 * test. */
static int64_t steady_node(struct nodedb_health *h, int days, int64_t start)
{
    memset(h, 0, sizeof *h);
    h->first_seen = (uint32_t)start;
    h->protocol = 70016;
    h->services = NODE_NETWORK | NODE_WITNESS;
    h->height = 950000;
    int64_t now = start;
    for (int i = 0; i < days * 24 * 4; i++, now += 15 * MINUTE)
        nodedb_health_record(h, now, true);
    return now - 15 * MINUTE;
}

static void test_steady_node_is_good(void **state)
{
    struct nodedb_health h;
    int64_t now = steady_node(&h, 3, T0);
    netaddr_t a = ipv4_addr(8333);
    assert_int_equal(nodedb_judge(&h, &a, main_chain(), 950100, now), NODEDB_VERDICT_GOOD);
    assert_true(nodedb_is_good(&h, &a, main_chain(), 950100, now));
    assert_true(nodedb_is_good(&h, &a, main_chain(), 0, now)); /* best height unknown */
}

static void test_each_static_rule_rejects(void **state)
{
    struct nodedb_health base, h;
    int64_t now = steady_node(&base, 3, T0);
    const chain_params_t *c = main_chain();
    netaddr_t a = ipv4_addr(8333);

    netaddr_t other_port = ipv4_addr(8334);
    assert_int_equal(nodedb_judge(&base, &other_port, c, 0, now), NODEDB_VERDICT_PORT);

    h = base;
    h.services = NODE_NETWORK_LIMITED | NODE_WITNESS;
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_SERVICES);

    h = base;
    h.protocol = 70000;
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_PROTOCOL);
    h.protocol = NODEDB_MIN_PROTOCOL;
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_GOOD);

    h = base;
    h.height = c->min_height - 1;
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_HEIGHT);

    h = base;
    assert_int_equal(nodedb_judge(&h, &a, c, 950000 + NODEDB_MAX_BEHIND, now),
                     NODEDB_VERDICT_GOOD);
    assert_int_equal(nodedb_judge(&h, &a, c, 950000 + NODEDB_MAX_BEHIND + 1, now),
                     NODEDB_VERDICT_BEHIND);

    h = base;
    h.ban_until = (uint32_t)(now + 1);
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_BANNED);
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now + 1), NODEDB_VERDICT_GOOD);

    /* Two failures in a row take a long-reliable node out of the answers;
     * one is tolerated, a success brings it back. */
    h = base;
    nodedb_health_record(&h, now + 15 * MINUTE, false);
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now + 15 * MINUTE), NODEDB_VERDICT_GOOD);
    nodedb_health_record(&h, now + 25 * MINUTE, false);
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now + 25 * MINUTE), NODEDB_VERDICT_FAILING);
    nodedb_health_record(&h, now + 35 * MINUTE, true);
    assert_int_equal(nodedb_judge(&h, &a, c, 0, now + 35 * MINUTE), NODEDB_VERDICT_GOOD);

    struct nodedb_health never = {.first_seen = T0, .protocol = 70016,
                                  .services = NODE_NETWORK, .height = 950000};
    assert_int_equal(nodedb_judge(&never, &a, c, 0, T0), NODEDB_VERDICT_UNREACHED);
    assert_string_equal(nodedb_verdict_name(NODEDB_VERDICT_BEHIND), "behind");
}

static void test_other_chains_and_i2p_port(void **state)
{
    struct nodedb_health h;
    int64_t now = steady_node(&h, 1, T0);
    h.height = 100;
    const chain_params_t *regtest = chain_by_name("regtest");
    netaddr_t a = ipv4_addr(18444);
    assert_true(nodedb_is_good(&h, &a, regtest, 0, now));
    a.port = 8333;
    assert_int_equal(nodedb_judge(&h, &a, regtest, 0, now), NODEDB_VERDICT_PORT);

    /* Bitcoin Core's I2P addresses carry port 0. */
    h.height = 950000;
    netaddr_t i2p;
    memset(&i2p, 0, sizeof i2p);
    i2p.net = NETADDR_I2P;
    i2p.port = 0;
    assert_true(nodedb_is_good(&h, &i2p, main_chain(), 0, now));
    i2p.port = 1234;
    assert_false(nodedb_is_good(&h, &i2p, main_chain(), 0, now));
}

/* Each reliability rule alone, with many tries so the brand-new rule is
 * out of play: just above the threshold with enough count is good, just
 * below or with too small a count is not. */
static void test_each_reliability_window(void **state)
{
    static const struct {
        enum nodedb_window w;
        double uptime, count;
    } rules[] = {
        {NODEDB_WIN_2H, 0.85, 2}, {NODEDB_WIN_8H, 0.70, 4}, {NODEDB_WIN_1D, 0.55, 8},
        {NODEDB_WIN_1W, 0.45, 16}, {NODEDB_WIN_1M, 0.35, 32},
    };
    struct nodedb_health base;
    int64_t now = steady_node(&base, 1, T0);
    memset(&base.stats, 0, sizeof base.stats);
    netaddr_t a = ipv4_addr(8333);
    const chain_params_t *c = main_chain();
    assert_int_equal(nodedb_judge(&base, &a, c, 0, now), NODEDB_VERDICT_UNRELIABLE);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        struct nodedb_health h = base;
        struct nodedb_stat *st = &h.stats.w[rules[i].w];
        st->weight = 0.5f;
        st->count = (float)(rules[i].count + 0.5);
        st->reliability = (float)(0.5 * (rules[i].uptime + 0.01));
        assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_GOOD);
        st->reliability = (float)(0.5 * (rules[i].uptime - 0.01));
        assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_UNRELIABLE);
        st->reliability = (float)(0.5 * (rules[i].uptime + 0.01));
        st->count = (float)(rules[i].count - 0.1);
        assert_int_equal(nodedb_judge(&h, &a, c, 0, now), NODEDB_VERDICT_UNRELIABLE);
    }
}

/* A brand-new node is good after its first successful test, stays good
 * through a few more, and loses the shortcut with its first failure. */
static void test_brand_new_node(void **state)
{
    struct nodedb_health h = {.first_seen = T0, .protocol = 70016, .services = NODE_NETWORK,
                              .height = 950000};
    netaddr_t a = ipv4_addr(8333);
    const chain_params_t *c = main_chain();
    nodedb_health_record(&h, T0, true);
    assert_true(nodedb_is_good(&h, &a, c, 0, T0));
    /* ... but not if that one success is old. */
    assert_false(nodedb_is_good(&h, &a, c, 0, T0 + NODEDB_NEW_RECENT + 1));
    /* Hourly tests: the 2h count stays below 2 for three tests, so the
     * brand-new rule is what keeps it good. */
    nodedb_health_record(&h, T0 + HOUR, true);
    nodedb_health_record(&h, T0 + 2 * HOUR, true);
    assert_true(nodedb_stats_count(&h.stats, NODEDB_WIN_2H) < 2.0);
    assert_true(nodedb_is_good(&h, &a, c, 0, T0 + 2 * HOUR));

    struct nodedb_health mixed = {.first_seen = T0, .protocol = 70016,
                                  .services = NODE_NETWORK, .height = 950000};
    nodedb_health_record(&mixed, T0, false);
    nodedb_health_record(&mixed, T0 + HOUR, true);
    assert_int_equal(nodedb_judge(&mixed, &a, c, 0, T0 + HOUR), NODEDB_VERDICT_UNRELIABLE);
}

static void test_bans(void **state)
{
    struct nodedb_health h;
    int64_t now = steady_node(&h, 1, T0);
    assert_int_equal(nodedb_ban_until(&h, now), 0);

    h.protocol = 60002;
    assert_int_equal(nodedb_ban_until(&h, now), now + NODEDB_BAN_OLD_PROTOCOL);

    /* A node that never completed a handshake has no protocol to judge. */
    struct nodedb_health never = {.first_seen = T0};
    nodedb_health_record(&never, T0, false);
    assert_int_equal(nodedb_ban_until(&never, T0), 0);

    /* Reliable for three weeks, then down for 18 days (tested hourly): the
     * week's figure is near 0, the month's still well above 15%: the short
     * ban. */
    struct nodedb_health lost = {.first_seen = T0, .protocol = 70016};
    int64_t t = T0;
    for (int i = 0; i < 21 * 24; i++, t += HOUR)
        nodedb_health_record(&lost, t, true);
    for (int i = 0; i < 18 * 24; i++, t += HOUR)
        nodedb_health_record(&lost, t, false);
    t -= HOUR;
    assert_true(nodedb_stats_uptime(&lost.stats, NODEDB_WIN_1W) < 0.10);
    assert_true(nodedb_stats_uptime(&lost.stats, NODEDB_WIN_1M) > 0.15);
    assert_int_equal(nodedb_ban_until(&lost, t), t + NODEDB_BAN_FAILING_WEEK);

    /* Answers one test in twenty for a month: the long ban. */
    struct nodedb_health flaky = {.first_seen = T0, .protocol = 70016};
    t = T0;
    for (int i = 0; i < 30 * 24; i++, t += HOUR)
        nodedb_health_record(&flaky, t, i % 20 == 0);
    t -= HOUR;
    assert_true(nodedb_stats_uptime(&flaky.stats, NODEDB_WIN_1M) < 0.15);
    assert_int_equal(nodedb_ban_until(&flaky, t), t + NODEDB_BAN_FAILING_MONTH);

    /* Too few tests to judge: no ban, whatever the ratio. */
    struct nodedb_health young = {.first_seen = T0, .protocol = 70016};
    for (int i = 0; i < 10; i++)
        nodedb_health_record(&young, T0 + i * HOUR, false);
    assert_int_equal(nodedb_ban_until(&young, T0 + 9 * HOUR), 0);

    /* A running ban that ends later is kept; an expired one is dropped. */
    h.protocol = 70016;
    h.ban_until = (uint32_t)(now + 10 * DAY);
    assert_int_equal(nodedb_ban_until(&h, now), now + 10 * DAY);
    assert_int_equal(nodedb_ban_until(&h, now + 11 * DAY), 0);
}

static void test_next_due(void **state)
{
    struct nodedb_health h = {.first_seen = T0};
    assert_int_equal(nodedb_next_due(&h, false, T0 + 5, 0), T0 + 5); /* new: now */

    nodedb_health_record(&h, T0, false);
    int64_t expect = T0 + NODEDB_RETRY_NEVER;
    assert_int_equal(nodedb_next_due(&h, false, T0, 0), expect);
    /* Doubling per failure up to the cap. */
    int64_t interval = NODEDB_RETRY_NEVER;
    for (int i = 0; i < 10; i++) {
        int64_t due = nodedb_next_due(&h, false, h.last_try, 0);
        assert_int_equal(due - h.last_try, interval);
        nodedb_health_record(&h, due, false);
        interval = interval * 2 > NODEDB_RETRY_NEVER_MAX ? NODEDB_RETRY_NEVER_MAX : interval * 2;
    }
    assert_int_equal(nodedb_next_due(&h, false, h.last_try, 0) - h.last_try,
                     NODEDB_RETRY_NEVER_MAX);
    /* Answering resets the back-off. */
    nodedb_health_record(&h, h.last_try + 10, true);
    assert_int_equal(nodedb_next_due(&h, true, h.last_try, 0), h.last_try + NODEDB_RETEST_GOOD);
    assert_int_equal(nodedb_next_due(&h, false, h.last_try, 0),
                     h.last_try + NODEDB_RETEST_REACHABLE);
    /* A node that answered before retries sooner after a failure. */
    nodedb_health_record(&h, h.last_try + 900, false);
    assert_int_equal(nodedb_next_due(&h, false, h.last_try, 0), h.last_try + NODEDB_RETRY_LOST);
    for (int i = 0; i < 20; i++)
        nodedb_health_record(&h, h.last_try + 60, false);
    assert_int_equal(nodedb_next_due(&h, false, h.last_try, 0),
                     h.last_try + NODEDB_RETRY_LOST_MAX);

    /* Banned: due when the ban ends. */
    h.ban_until = (uint32_t)(h.last_try + 5 * DAY);
    assert_int_equal(nodedb_next_due(&h, false, h.last_try, 0), h.ban_until);

    /* Jitter stays within a quarter of the interval and spreads. */
    struct nodedb_health g;
    int64_t now = steady_node(&g, 1, T0);
    int64_t lo = INT64_MAX, hi = 0;
    for (uint32_t j = 0; j < 1000; j++) {
        int64_t due = nodedb_next_due(&g, true, now, j * 2654435761u);
        lo = due < lo ? due : lo;
        hi = due > hi ? due : hi;
    }
    assert_true(lo >= now + NODEDB_RETEST_GOOD);
    assert_true(hi <= now + NODEDB_RETEST_GOOD + NODEDB_RETEST_GOOD / 4);
    assert_true(hi - lo > NODEDB_RETEST_GOOD / 8);
}

static void test_should_forget(void **state)
{
    struct nodedb_health h = {.first_seen = T0};
    assert_false(nodedb_should_forget(&h, T0 + 60 * DAY)); /* never tried */
    for (int i = 0; i < NODEDB_FORGET_MIN_TRIES; i++)
        nodedb_health_record(&h, T0 + i * DAY, false);
    assert_false(nodedb_should_forget(&h, T0 + NODEDB_FORGET_AGE));
    assert_true(nodedb_should_forget(&h, T0 + NODEDB_FORGET_AGE + 1));

    struct nodedb_health once = {.first_seen = T0};
    nodedb_health_record(&once, T0, true);
    for (int i = 1; i <= NODEDB_FORGET_FAIL_STREAK; i++)
        nodedb_health_record(&once, T0 + i * 4 * DAY, false);
    assert_true(nodedb_should_forget(&once, T0 + NODEDB_FORGET_AGE + 1));
    assert_false(nodedb_should_forget(&once, T0 + NODEDB_FORGET_AGE - 1));
    once.fail_streak = NODEDB_FORGET_FAIL_STREAK - 1;
    assert_false(nodedb_should_forget(&once, T0 + 90 * DAY));
}

static void test_best_height_resists_liars(void **state)
{
    int32_t heights[101];
    for (int i = 0; i < 70; i++)
        heights[i] = 950000 + i % 3;
    for (int i = 70; i < 101; i++)
        heights[i] = i % 2 ? INT32_MAX : 0; /* 31 liars, both ways */
    int32_t best = nodedb_best_height(heights, 101);
    assert_true(best >= 950000 && best <= 950002);
    assert_int_equal(nodedb_best_height(heights, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steady_node_is_good),
        cmocka_unit_test(test_each_static_rule_rejects),
        cmocka_unit_test(test_other_chains_and_i2p_port),
        cmocka_unit_test(test_each_reliability_window),
        cmocka_unit_test(test_brand_new_node),
        cmocka_unit_test(test_bans),
        cmocka_unit_test(test_next_due),
        cmocka_unit_test(test_should_forget),
        cmocka_unit_test(test_best_height_resists_liars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
