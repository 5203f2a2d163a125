/* Unit tests for the metrics registry and its Prometheus text rendering.
 *
 * The rendering is checked three ways: against exact expected text, by a
 * strict parser of the exposition format written here, and by Prometheus's
 * own `promtool check metrics` (Debian package prometheus). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/metrics.h"

static int reset(void **state)
{
    metrics_reset();
    return 0;
}

/* ---- a strict parser of the text exposition format (version 0.0.4) ---- */

#define MAX_FAMILIES 64
#define MAX_SAMPLES 512

struct parsed {
    int nfamilies;
    struct {
        char name[130];
        char type[16];
        bool has_help;
    } families[MAX_FAMILIES];
    int nsamples;
    struct {
        char key[512]; /* name + raw label text, for duplicate detection */
        double value;
    } samples[MAX_SAMPLES];
};

static bool name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

/* Parses `{k="v",...}` at *p; copies the raw text of le's value if asked. */
static bool parse_labels(const char **p, char *le, size_t le_size)
{
    const char *s = *p;
    if (*s != '{')
        return true;
    s++;
    while (*s != '}') {
        const char *key = s;
        while (*s && *s != '=')
            s++;
        if (*s != '=' || !name_ok(key, (size_t)(s - key)))
            return false;
        bool is_le = (s - key) == 2 && memcmp(key, "le", 2) == 0;
        s++;
        if (*s++ != '"')
            return false;
        const char *value = s;
        while (*s && *s != '"') {
            if (*s == '\\') {
                s++;
                if (*s != '\\' && *s != '"' && *s != 'n')
                    return false;
            }
            if (*s == '\n')
                return false;
            s++;
        }
        if (*s++ != '"')
            return false;
        if (is_le && le)
            snprintf(le, le_size, "%.*s", (int)(s - 1 - value), value);
        if (*s == ',')
            s++;
        else if (*s != '}')
            return false;
    }
    *p = s + 1;
    return true;
}

static bool parse_value(const char *s, double *out)
{
    if (strcmp(s, "+Inf") == 0) {
        *out = INFINITY;
        return true;
    }
    if (strcmp(s, "-Inf") == 0) {
        *out = -INFINITY;
        return true;
    }
    if (strcmp(s, "NaN") == 0) {
        *out = NAN;
        return true;
    }
    char *end;
    *out = strtod(s, &end);
    return *s && *end == '\0' && !isnan(*out) && !isinf(*out);
}

/* Returns NULL if `text` is valid, else a description of the first error. */
static const char *strict_parse(const char *text, struct parsed *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    if (len == 0 || text[len - 1] != '\n')
        return "does not end in a newline";
    char *copy = strdup(text);
    char *save = NULL;
    int cur = -1;
    double last_le = -INFINITY, last_bucket = 0, inf_bucket = -1;
    const char *err = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line && !err;
         line = strtok_r(NULL, "\n", &save)) {
        char name[130], word[16];
        int used = 0;
        if (strncmp(line, "# HELP ", 7) == 0) {
            if (sscanf(line + 7, "%129s%n", name, &used) != 1 || !name_ok(name, strlen(name)))
                err = "bad HELP";
            else if (out->nfamilies && strcmp(out->families[out->nfamilies - 1].name, name) == 0 &&
                     out->families[out->nfamilies - 1].has_help)
                err = "second HELP";
            for (const char *h = line + 7 + used; !err && *h; h++)
                if (*h == '\\' && h[1] != '\\' && h[1] != 'n')
                    err = "bad escape in HELP";
                else if (*h == '\\')
                    h++;
            if (!err) {
                for (int i = 0; i < out->nfamilies; i++)
                    if (strcmp(out->families[i].name, name) == 0)
                        err = "family appears twice";
                if (!err && out->nfamilies < MAX_FAMILIES) {
                    cur = out->nfamilies++;
                    snprintf(out->families[cur].name, sizeof out->families[cur].name, "%s", name);
                    out->families[cur].has_help = true;
                }
            }
        } else if (strncmp(line, "# TYPE ", 7) == 0) {
            if (sscanf(line + 7, "%129s %15s", name, word) != 2 || cur < 0 ||
                strcmp(out->families[cur].name, name) != 0 || out->families[cur].type[0])
                err = "TYPE not right after its HELP";
            else if (strcmp(word, "counter") && strcmp(word, "gauge") && strcmp(word, "histogram"))
                err = "unknown TYPE";
            else
                snprintf(out->families[cur].type, sizeof out->families[cur].type, "%s", word);
            last_le = -INFINITY;
            last_bucket = 0;
            inf_bucket = -1;
        } else if (line[0] == '#') {
            err = "unexpected comment";
        } else {
            const char *p = line;
            while (*p && *p != '{' && *p != ' ')
                p++;
            size_t n = (size_t)(p - line);
            char le[40] = "";
            if (cur < 0 || !out->families[cur].type[0] || !name_ok(line, n))
                err = "sample outside a family";
            else if (!parse_labels(&p, le, sizeof le) || *p != ' ')
                err = "bad labels";
            double value = 0;
            if (!err && !parse_value(p + 1, &value))
                err = "bad value";
            if (err)
                break;
            const char *fam = out->families[cur].name;
            size_t fl = strlen(fam);
            bool hist = strcmp(out->families[cur].type, "histogram") == 0;
            const char *suffix = line + fl;
            if (n < fl || strncmp(line, fam, fl) != 0)
                err = "sample name does not match its family";
            else if (!hist && n != fl)
                err = "sample name does not match its family";
            else if (hist && strncmp(suffix, "_bucket", 7) == 0 && n == fl + 7) {
                double bound;
                if (!parse_value(le, &bound) || bound <= last_le || value < last_bucket)
                    err = "histogram buckets not increasing";
                last_le = bound;
                last_bucket = value;
                if (isinf(bound))
                    inf_bucket = value;
            } else if (hist && strncmp(suffix, "_count", 6) == 0 && n == fl + 6) {
                if (inf_bucket != value)
                    err = "_count differs from the +Inf bucket";
                last_le = -INFINITY;
                last_bucket = 0;
            } else if (hist && !(strncmp(suffix, "_sum", 4) == 0 && n == fl + 4)) {
                err = "unexpected histogram sample";
            }
            if (err)
                break;
            if (strcmp(out->families[cur].type, "counter") == 0 && value < 0)
                err = "negative counter";
            if (!err && out->nsamples < MAX_SAMPLES) {
                /* key: everything before the value */
                snprintf(out->samples[out->nsamples].key, sizeof out->samples[0].key, "%.*s",
                         (int)(p - line), line);
                for (int i = 0; i < out->nsamples && !err; i++)
                    if (strcmp(out->samples[i].key, out->samples[out->nsamples].key) == 0)
                        err = "duplicate series";
                out->samples[out->nsamples++].value = value;
            }
        }
    }
    free(copy);
    return err;
}

static double sample(const struct parsed *p, const char *key)
{
    for (int i = 0; i < p->nsamples; i++)
        if (strcmp(p->samples[i].key, key) == 0)
            return p->samples[i].value;
    fail_msg("no sample %s", key);
    return -1;
}

/* Runs `promtool check metrics` on text; returns its exit status. */
static int promtool_check(const char *text)
{
    FILE *p = popen("promtool check metrics", "w");
    assert_non_null(p);
    fputs(text, p);
    int status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* ---- tests ---- */

static void test_exact_rendering(void **state)
{
    metrics_counter_t *ok = metrics_counter("btcseed_test_connections_total",
                                            "Connections by result.", "result=ok");
    metrics_counter_t *refused = metrics_counter("btcseed_test_connections_total",
                                                 "Connections by result.", "result=refused");
    metrics_gauge_t *nodes = metrics_gauge("btcseed_test_nodes", "Nodes known.", "network=ipv4");
    const double bounds[] = {0.1, 0.5, 1};
    metrics_histogram_t *lat = metrics_histogram("btcseed_test_handshake_seconds",
                                                 "Handshake time.", NULL, bounds, 3);
    metrics_counter_add(ok, 41);
    metrics_counter_inc(ok);
    metrics_counter_inc(refused);
    metrics_gauge_set(nodes, 1500);
    metrics_gauge_add(nodes, -0.5);
    metrics_histogram_observe(lat, 0.05);
    metrics_histogram_observe(lat, 0.1); /* le is inclusive */
    metrics_histogram_observe(lat, 0.7);
    metrics_histogram_observe(lat, 3);

    const char *expected =
        "# HELP btcseed_test_connections_total Connections by result.\n"
        "# TYPE btcseed_test_connections_total counter\n"
        "btcseed_test_connections_total{result=\"ok\"} 42\n"
        "btcseed_test_connections_total{result=\"refused\"} 1\n"
        "# HELP btcseed_test_nodes Nodes known.\n"
        "# TYPE btcseed_test_nodes gauge\n"
        "btcseed_test_nodes{network=\"ipv4\"} 1499.5\n"
        "# HELP btcseed_test_handshake_seconds Handshake time.\n"
        "# TYPE btcseed_test_handshake_seconds histogram\n"
        "btcseed_test_handshake_seconds_bucket{le=\"0.1\"} 2\n"
        "btcseed_test_handshake_seconds_bucket{le=\"0.5\"} 2\n"
        "btcseed_test_handshake_seconds_bucket{le=\"1\"} 3\n"
        "btcseed_test_handshake_seconds_bucket{le=\"+Inf\"} 4\n"
        "btcseed_test_handshake_seconds_sum 3.85\n"
        "btcseed_test_handshake_seconds_count 4\n";
    size_t len = 0;
    char *text = metrics_render(&len);
    assert_non_null(text);
    assert_string_equal(text, expected);
    assert_int_equal(len, strlen(expected));
    assert_int_equal(promtool_check(text), 0);
    free(text);
}

static void test_same_series_same_handle_and_label_order(void **state)
{
    metrics_counter_t *a = metrics_counter("btcseed_test_queries_total", "Queries.",
                                           "qtype=A,rcode=NOERROR");
    metrics_counter_t *b = metrics_counter("btcseed_test_queries_total", "Queries.",
                                           "rcode=NOERROR,qtype=A");
    metrics_counter_t *c = metrics_counter("btcseed_test_queries_total", "Queries.",
                                           "rcode=NXDOMAIN,qtype=A");
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, c);
    metrics_counter_inc(a);
    metrics_counter_inc(b);
    assert_int_equal(metrics_counter_get(a), 2);
    char *text = metrics_render(NULL);
    assert_non_null(strstr(text, "btcseed_test_queries_total{qtype=\"A\",rcode=\"NOERROR\"} 2\n"));
    free(text);
}

static void test_null_handles_are_ignored(void **state)
{
    metrics_counter_inc(NULL);
    metrics_counter_add(NULL, 5);
    metrics_gauge_set(NULL, 1);
    metrics_gauge_add(NULL, 1);
    metrics_histogram_observe(NULL, 1);
    assert_int_equal(metrics_counter_get(NULL), 0);
    assert_int_equal(metrics_histogram_count(NULL), 0);
    char *text = metrics_render(NULL);
    assert_string_equal(text, "");
    free(text);
}

static void test_escaping(void **state)
{
    metrics_gauge_t *g = metrics_gauge("btcseed_test_escape", "Help with \\ and\nnewline.",
                                       "agent=/Sat\"oshi\\:0.1\n/");
    metrics_gauge_set(g, -2);
    char *text = metrics_render(NULL);
    assert_string_equal(text, "# HELP btcseed_test_escape Help with \\\\ and\\nnewline.\n"
                              "# TYPE btcseed_test_escape gauge\n"
                              "btcseed_test_escape{agent=\"/Sat\\\"oshi\\\\:0.1\\n/\"} -2\n");
    struct parsed parsed;
    assert_null(strict_parse(text, &parsed));
    assert_int_equal(promtool_check(text), 0);
    free(text);
}

static void test_special_values(void **state)
{
    metrics_gauge_t *inf = metrics_gauge("btcseed_test_value", "Values.", "v=inf");
    metrics_gauge_t *nan = metrics_gauge("btcseed_test_value", "Values.", "v=nan");
    metrics_gauge_t *tiny = metrics_gauge("btcseed_test_value", "Values.", "v=tiny");
    metrics_gauge_t *third = metrics_gauge("btcseed_test_value", "Values.", "v=third");
    metrics_gauge_set(inf, INFINITY);
    metrics_gauge_set(nan, NAN);
    metrics_gauge_set(tiny, 1e-300);
    metrics_gauge_set(third, 1.0 / 3);
    char *text = metrics_render(NULL);
    assert_non_null(strstr(text, "{v=\"inf\"} +Inf\n"));
    assert_non_null(strstr(text, "{v=\"nan\"} NaN\n"));
    assert_non_null(strstr(text, "{v=\"tiny\"} 1e-300\n"));
    /* shortest form that reads back exactly */
    const char *t = strstr(text, "{v=\"third\"} ");
    assert_non_null(t);
    assert_true(strtod(t + strlen("{v=\"third\"} "), NULL) == 1.0 / 3);
    assert_int_equal(promtool_check(text), 0);
    free(text);
}

struct worker_args {
    metrics_counter_t *counter;
    metrics_gauge_t *gauge;
    metrics_histogram_t *hist;
    int rounds;
};

static void *worker(void *arg)
{
    struct worker_args *w = arg;
    for (int i = 0; i < w->rounds; i++) {
        metrics_counter_inc(w->counter);
        metrics_gauge_add(w->gauge, 1);
        metrics_histogram_observe(w->hist, (double)(i % 4)); /* 0,1,2,3: exact sums */
    }
    return NULL;
}

static void *renderer(void *arg)
{
    const int *stop = arg;
    int renders = 0;
    while (!__atomic_load_n(stop, __ATOMIC_RELAXED) || renders < 3) {
        char *text = metrics_render(NULL);
        struct parsed parsed;
        const char *err = strict_parse(text, &parsed);
        if (err)
            fail_msg("render during updates: %s", err);
        free(text);
        renders++;
    }
    return NULL;
}

static void test_concurrent_updates_are_exact(void **state)
{
    enum { THREADS = 4, ROUNDS = 100000 };
    const double bounds[] = {0.5, 1.5, 2.5};
    struct worker_args w = {
        metrics_counter("btcseed_test_events_total", "Events.", NULL),
        metrics_gauge("btcseed_test_level", "Level.", NULL),
        metrics_histogram("btcseed_test_size_bytes", "Sizes.", "kind=x", bounds, 3),
        ROUNDS,
    };
    pthread_t threads[THREADS], render_thread;
    int stop = 0;
    assert_int_equal(pthread_create(&render_thread, NULL, renderer, &stop), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, worker, &w), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    pthread_join(render_thread, NULL);

    assert_int_equal(metrics_counter_get(w.counter), THREADS * ROUNDS);
    assert_true(metrics_gauge_get(w.gauge) == THREADS * ROUNDS);
    assert_int_equal(metrics_histogram_count(w.hist), THREADS * ROUNDS);
    assert_true(metrics_histogram_sum(w.hist) == THREADS * (ROUNDS / 4) * 6.0);

    char *text = metrics_render(NULL);
    struct parsed parsed;
    const char *err = strict_parse(text, &parsed);
    if (err)
        fail_msg("%s", err);
    const double quarter = THREADS * ROUNDS / 4;
    assert_true(sample(&parsed, "btcseed_test_size_bytes_bucket{kind=\"x\",le=\"0.5\"}") == quarter);
    assert_true(sample(&parsed, "btcseed_test_size_bytes_bucket{kind=\"x\",le=\"1.5\"}") ==
                2 * quarter);
    assert_true(sample(&parsed, "btcseed_test_size_bytes_bucket{kind=\"x\",le=\"+Inf\"}") ==
                4 * quarter);
    assert_true(sample(&parsed, "btcseed_test_events_total") == THREADS * ROUNDS);
    assert_int_equal(promtool_check(text), 0);
    free(text);
}

static void test_default_buckets(void **state)
{
    metrics_histogram_t *h = metrics_histogram("btcseed_test_write_seconds", "Writes.", NULL,
                                               NULL, 0);
    metrics_histogram_observe(h, 0.002);
    metrics_histogram_observe(h, 100);
    char *text = metrics_render(NULL);
    struct parsed parsed;
    assert_null(strict_parse(text, &parsed));
    assert_true(sample(&parsed, "btcseed_test_write_seconds_bucket{le=\"0.001\"}") == 0);
    assert_true(sample(&parsed, "btcseed_test_write_seconds_bucket{le=\"0.0025\"}") == 1);
    assert_true(sample(&parsed, "btcseed_test_write_seconds_bucket{le=\"30\"}") == 1);
    assert_true(sample(&parsed, "btcseed_test_write_seconds_bucket{le=\"+Inf\"}") == 2);
    /* 14 bounds + Inf + sum + count */
    assert_int_equal(parsed.nsamples, (int)metrics_latency_buckets_count + 3);
    free(text);
}

struct collect_state {
    metrics_gauge_t *gauge;
    int calls;
};

static void collect(void *arg)
{
    struct collect_state *c = arg;
    c->calls++;
    metrics_gauge_set(c->gauge, c->calls * 10);
}

static void test_collectors_run_at_render(void **state)
{
    struct collect_state c = {metrics_gauge("btcseed_test_good_nodes", "Good nodes.", NULL), 0};
    assert_int_equal(metrics_add_collector(collect, &c), 0);
    char *text = metrics_render(NULL);
    assert_non_null(strstr(text, "btcseed_test_good_nodes 10\n"));
    free(text);
    text = metrics_render(NULL);
    assert_non_null(strstr(text, "btcseed_test_good_nodes 20\n"));
    free(text);
    metrics_remove_collector(collect, &c);
    text = metrics_render(NULL);
    assert_non_null(strstr(text, "btcseed_test_good_nodes 20\n"));
    free(text);
    assert_int_equal(c.calls, 2);
}

/* The strict parser must itself reject broken text, or the checks above
 * could pass on broken output. It is stricter than promtool, which accepts
 * duplicate series and inconsistent histograms; where promtool rejects a
 * case as well, the test says so, which also proves promtool_check can fail. */
static void test_strict_parser_rejects_bad_text(void **state)
{
    const struct {
        const char *text;
        bool promtool_rejects;
    } bad[] = {
        {"# HELP a x\n# TYPE a gauge\na 1", true},                 /* no final newline */
        {"a 1\n", true},                                            /* no HELP/TYPE */
        {"# HELP a x\n# TYPE a gauge\na{b=\"1} 1\n", true},        /* open quote */
        {"# HELP a x\n# TYPE a gauge\na{b=\"\\q\"} 1\n", true},    /* bad escape */
        {"# HELP a x\n# TYPE a gauge\na one\n", true},             /* bad value */
        {"# HELP a x\n# TYPE a gauge\nb 1\n", true},               /* wrong family */
        {"# HELP a x\n# TYPE a gauge\na 1\na 2\n", false},         /* duplicate */
        {"# HELP a x\n# TYPE a histogram\na_bucket{le=\"1\"} 2\n"
         "a_bucket{le=\"+Inf\"} 1\na_sum 1\na_count 1\n", false},  /* decreasing */
        {"# HELP a x\n# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\n"
         "a_sum 1\na_count 3\n", false},                           /* count mismatch */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct parsed parsed;
        if (!strict_parse(bad[i].text, &parsed))
            fail_msg("accepted bad text %zu", i);
        if (bad[i].promtool_rejects)
            assert_int_not_equal(promtool_check(bad[i].text), 0);
    }
    struct parsed parsed;
    const char *good = "# HELP a x\n# TYPE a gauge\na 1\n";
    assert_null(strict_parse(good, &parsed));
    assert_int_equal(promtool_check(good), 0);
}

/* Misuse is a programming error caught at start-up: the process aborts. */
static void expect_abort(void (*fn)(void))
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fclose(stderr); /* keep the test output readable */
        fn();
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

static void counter_without_total(void) { metrics_counter("btcseed_x", "x", NULL); }
static void gauge_with_total(void) { metrics_gauge("btcseed_x_total", "x", NULL); }
static void bad_name(void) { metrics_gauge("btcseed-x", "x", NULL); }
static void bad_label(void) { metrics_gauge("btcseed_x", "x", "1a=b"); }
static void label_without_value(void) { metrics_gauge("btcseed_x", "x", "a"); }
static void le_in_histogram(void) { metrics_histogram("btcseed_x", "x", "le=1", NULL, 0); }
static void duplicate_label(void) { metrics_gauge("btcseed_x", "x", "a=1,a=2"); }
static void too_many_labels(void) { metrics_gauge("btcseed_x", "x", "a=1,b=2,c=3,d=4,e=5"); }
static void type_conflict(void)
{
    metrics_gauge("btcseed_x", "x", NULL);
    metrics_histogram("btcseed_x", "x", NULL, NULL, 0);
}
static void bucket_order(void)
{
    const double b[] = {1, 1};
    metrics_histogram("btcseed_x", "x", NULL, b, 2);
}

static void test_misuse_aborts(void **state)
{
    expect_abort(counter_without_total);
    expect_abort(gauge_with_total);
    expect_abort(bad_name);
    expect_abort(bad_label);
    expect_abort(label_without_value);
    expect_abort(le_in_histogram);
    expect_abort(duplicate_label);
    expect_abort(too_many_labels);
    expect_abort(type_conflict);
    expect_abort(bucket_order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_exact_rendering, reset),
        cmocka_unit_test_teardown(test_same_series_same_handle_and_label_order, reset),
        cmocka_unit_test_teardown(test_null_handles_are_ignored, reset),
        cmocka_unit_test_teardown(test_escaping, reset),
        cmocka_unit_test_teardown(test_special_values, reset),
        cmocka_unit_test_teardown(test_concurrent_updates_are_exact, reset),
        cmocka_unit_test_teardown(test_default_buckets, reset),
        cmocka_unit_test_teardown(test_collectors_run_at_render, reset),
        cmocka_unit_test(test_strict_parser_rejects_bad_text),
        cmocka_unit_test_teardown(test_misuse_aborts, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
