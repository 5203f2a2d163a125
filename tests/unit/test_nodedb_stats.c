/* Unit tests for the reliability statistics, driven by an injected clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "nodedb/nodedb_stats.h"

#define T0 1700000000
#define MINUTE 60
#define HOUR 3600
#define DAY 86400

/* The scheme in double precision, to check that floats lose nothing that
 * matters over weeks of tests. */
struct ref_stat {
    double reliability, weight, count;
};

static void ref_update(struct ref_stat *r, int64_t age, bool ok)
{
    for (int i = 0; i < NODEDB_WINDOWS; i++) {
        double f = exp(-(double)age / (double)nodedb_window_seconds(i));
        r[i].reliability = r[i].reliability * f + (ok ? 1 - f : 0);
        r[i].weight = r[i].weight * f + (1 - f);
        r[i].count = r[i].count * f + 1;
    }
}

static void test_new_always_up_node_shows_100(void **state)
{
    struct nodedb_health h = {.first_seen = T0};
    nodedb_health_record(&h, T0, true);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        assert_true(fabs(nodedb_stats_uptime(&h.stats, w) - 1.0) < 1e-6);
        /* The raw reliability is tiny: normalising by weight is what matters. */
        assert_true(h.stats.w[w].reliability < 0.5f);
        assert_true(fabs(nodedb_stats_count(&h.stats, w) - 1.0) < 1e-6);
    }
    for (int i = 1; i <= 3; i++)
        nodedb_health_record(&h, T0 + i * 15 * MINUTE, true);
    for (int w = 0; w < NODEDB_WINDOWS; w++)
        assert_true(fabs(nodedb_stats_uptime(&h.stats, w) - 1.0) < 1e-6);
    assert_int_equal(h.tries, 4);
    assert_int_equal(h.successes, 4);
    assert_int_equal(h.fail_streak, 0);
    assert_int_equal(h.last_try, T0 + 45 * MINUTE);
    assert_int_equal(h.last_success, T0 + 45 * MINUTE);
}

static void test_new_always_down_node_shows_0(void **state)
{
    struct nodedb_health h = {.first_seen = T0};
    nodedb_health_record(&h, T0, false);
    nodedb_health_record(&h, T0 + HOUR, false);
    for (int w = 0; w < NODEDB_WINDOWS; w++)
        assert_true(nodedb_stats_uptime(&h.stats, w) == 0.0);
    assert_int_equal(h.fail_streak, 2);
    assert_int_equal(h.successes, 0);
    assert_int_equal(h.last_success, 0);
}

static void test_never_tested_is_zero_not_nan(void **state)
{
    struct nodedb_stats s;
    memset(&s, 0, sizeof s);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        assert_true(nodedb_stats_uptime(&s, w) == 0.0);
        assert_true(nodedb_stats_count(&s, w) == 0.0);
    }
}

/* A node tested every 15 minutes for ten weeks that answers 9 tests out of
 * 10 (a fixed pattern) shows about 90% in every window: the long windows at
 * any moment, the short ones on average (2 hours hold only 8 tests, so one
 * failure moves them by several points). */
static void test_ninety_percent_node_converges(void **state)
{
    struct nodedb_health h = {.first_seen = T0};
    struct ref_stat ref[NODEDB_WINDOWS];
    memset(ref, 0, sizeof ref);
    const int64_t step = 15 * MINUTE;
    const int tests = 10 * 7 * 24 * 4;
    double sum[NODEDB_WINDOWS] = {0};
    int samples = 0;
    int64_t now = T0;
    for (int i = 0; i < tests; i++) {
        bool ok = i % 10 != 7;
        ref_update(ref, i == 0 ? NODEDB_STATS_FIRST_AGE : step, ok);
        nodedb_health_record(&h, now, ok);
        if (i >= tests - 7 * 24 * 4) { /* the last week */
            for (int w = 0; w < NODEDB_WINDOWS; w++)
                sum[w] += nodedb_stats_uptime(&h.stats, w);
            samples++;
        }
        now += step;
    }
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        double mean = sum[w] / samples;
        double last = nodedb_stats_uptime(&h.stats, w);
        double exact = ref[w].reliability / ref[w].weight;
        print_message("window %-3s last %.4f mean %.4f (double %.4f) count %.1f\n",
                      nodedb_window_name(w), last, mean, exact,
                      nodedb_stats_count(&h.stats, w));
        assert_true(fabs(mean - 0.90) < 0.01);
        assert_true(fabs(last - exact) < 1e-3); /* float tracks double */
        if (w >= NODEDB_WIN_1D)
            assert_true(fabs(last - 0.90) < 0.02);
        else
            assert_true(last > 0.70 && last <= 1.0);
        /* count is the geometric sum (1 - f^n) / (1 - f), i.e. 1 / (1 - f)
         * once the window is full */
        double f = exp(-(double)step / (double)nodedb_window_seconds(w));
        double count = (1 - pow(f, tests)) / (1 - f);
        assert_true(fabs(nodedb_stats_count(&h.stats, w) / count - 1.0) < 0.01);
    }
    assert_int_equal(h.tries, tests);
    assert_int_equal(h.successes, tests - tests / 10);
}

/* A reliable node that goes down: the 2h figure drops within hours, the
 * 30-day figure barely moves. */
static void test_outage_hits_short_windows_first(void **state)
{
    struct nodedb_health h = {.first_seen = T0};
    int64_t now = T0;
    for (int i = 0; i < 30 * 24 * 4; i++, now += 15 * MINUTE)
        nodedb_health_record(&h, now, true);
    for (int i = 0; i < 4 * 4; i++, now += 15 * MINUTE)
        nodedb_health_record(&h, now, false);
    assert_true(nodedb_stats_uptime(&h.stats, NODEDB_WIN_2H) < 0.20);
    /* 16 failures at f = exp(-900 / 28800) leave f^16 = 0.61 in 8 hours */
    assert_true(fabs(nodedb_stats_uptime(&h.stats, NODEDB_WIN_8H) - 0.6065) < 0.01);
    assert_true(nodedb_stats_uptime(&h.stats, NODEDB_WIN_1M) > 0.99);
    assert_int_equal(h.fail_streak, 16);
}

/* Tests in the same second or with a clock that went backwards still move
 * the averages and never divide by zero. */
static void test_zero_and_negative_age(void **state)
{
    struct nodedb_stats s;
    memset(&s, 0, sizeof s);
    nodedb_stats_update(&s, 0, true);
    nodedb_stats_update(&s, -500, false);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        double u = nodedb_stats_uptime(&s, w);
        assert_true(u > 0.45 && u < 0.55);
    }
}

/* The first test uses NODEDB_STATS_FIRST_AGE, later ones the real age. */
static void test_age_from_last_try(void **state)
{
    struct nodedb_health h = {0};
    nodedb_health_record(&h, T0, true);
    double f = exp(-(double)NODEDB_STATS_FIRST_AGE / (2 * HOUR));
    assert_true(fabs(h.stats.w[NODEDB_WIN_2H].weight - (1 - f)) < 1e-6);
    nodedb_health_record(&h, T0 + 2 * HOUR, false);
    double f2 = exp(-1.0);
    double weight = (1 - f) * f2 + (1 - f2);
    assert_true(fabs(h.stats.w[NODEDB_WIN_2H].weight - weight) < 1e-6);
    assert_true(fabs(nodedb_stats_uptime(&h.stats, NODEDB_WIN_2H) - (1 - f) * f2 / weight) <
                1e-6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_always_up_node_shows_100),
        cmocka_unit_test(test_new_always_down_node_shows_0),
        cmocka_unit_test(test_never_tested_is_zero_not_nan),
        cmocka_unit_test(test_ninety_percent_node_converges),
        cmocka_unit_test(test_outage_hits_short_windows_first),
        cmocka_unit_test(test_zero_and_negative_age),
        cmocka_unit_test(test_age_from_last_try),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
