#include "util/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM };

static const char *const type_names[] = {"counter", "gauge", "histogram"};

/* Label strings are short and few; these caps keep a typo from turning into
 * an unbounded allocation. */
#define METRICS_MAX_NAME 128
#define METRICS_MAX_LABEL_VALUE 128
#define METRICS_MAX_COLLECTORS 16

const double metrics_latency_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                          0.25,  0.5,    1,     2.5,  5,     10,   30};
const size_t metrics_latency_buckets_count =
    sizeof metrics_latency_buckets / sizeof metrics_latency_buckets[0];

struct series {
    struct family *family;
    struct series *next;
    char *labels; /* canonical `k="v",k="v"` (sorted by key, escaped), "" for none */
    _Atomic uint64_t value; /* counter value, or a gauge's double bits */
    _Atomic uint64_t count; /* histogram */
    _Atomic uint64_t sum;   /* histogram: double bits */
    _Atomic uint64_t buckets[]; /* histogram: nbounds + 1 (the +Inf overflow), not cumulative */
};

/* The public handle types are the series itself; distinct names keep a
 * gauge from being passed where a counter is expected. */
struct metrics_counter { struct series s; };
struct metrics_gauge { struct series s; };
struct metrics_histogram { struct series s; };

struct family {
    struct family *next;
    char *name;
    char *help;
    enum metrics_type type;
    size_t nbounds;
    double bounds[METRICS_MAX_BUCKETS];
    struct series *first, *last;
};

struct collector {
    metrics_collector_fn fn;
    void *arg;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct family *families_first, *families_last;
static struct collector collectors[METRICS_MAX_COLLECTORS];
static size_t ncollectors;

static _Noreturn void misuse(const char *name, const char *what)
{
    log_error("metrics: %s: %s", name, what);
    abort();
}

static uint64_t double_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

static double bits_double(uint64_t u)
{
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void atomic_add_double(_Atomic uint64_t *slot, double delta)
{
    uint64_t old = atomic_load_explicit(slot, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(slot, &old, double_bits(bits_double(old) + delta),
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

static bool is_name_char(char c, bool first, bool colon_ok)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    if (c == ':' && colon_ok)
        return true;
    return !first && c >= '0' && c <= '9';
}

static bool valid_name(const char *s, size_t len, bool colon_ok)
{
    if (len == 0 || len > METRICS_MAX_NAME)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!is_name_char(s[i], i == 0, colon_ok))
            return false;
    return true;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

struct label {
    const char *key, *value;
    size_t key_len, value_len;
};

static int label_cmp(const void *a, const void *b)
{
    const struct label *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Appends `s` escaped as the exposition format wants label values
 * (backslash, double quote, newline) or help texts (no quote escaping). */
static void put_escaped(FILE *out, const char *s, size_t len, bool quote)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\')
            fputs("\\\\", out);
        else if (s[i] == '\n')
            fputs("\\n", out);
        else if (s[i] == '"' && quote)
            fputs("\\\"", out);
        else
            fputc(s[i], out);
    }
}

/* Parses "k=v,k=v" into the canonical rendered form; aborts on misuse. */
static char *canonical_labels(const char *name, const char *spec, enum metrics_type type)
{
    struct label labels[METRICS_MAX_LABELS];
    size_t n = 0;
    if (spec && *spec) {
        const char *p = spec;
        for (;;) {
            const char *comma = strchr(p, ',');
            const char *end = comma ? comma : p + strlen(p);
            const char *eq = memchr(p, '=', (size_t)(end - p));
            if (n == METRICS_MAX_LABELS)
                misuse(name, "too many labels");
            if (!eq)
                misuse(name, "label without '='");
            struct label *l = &labels[n++];
            l->key = p;
            l->key_len = (size_t)(eq - p);
            l->value = eq + 1;
            l->value_len = (size_t)(end - eq - 1);
            if (!valid_name(l->key, l->key_len, false) ||
                (l->key_len >= 2 && memcmp(l->key, "__", 2) == 0))
                misuse(name, "bad label name");
            if (memchr(l->value, '=', l->value_len) || l->value_len > METRICS_MAX_LABEL_VALUE)
                misuse(name, "bad label value");
            if (type == METRICS_HISTOGRAM && l->key_len == 2 && memcmp(l->key, "le", 2) == 0)
                misuse(name, "'le' is reserved in histograms");
            if (!comma)
                break;
            p = comma + 1;
        }
    }
    qsort(labels, n, sizeof labels[0], label_cmp);
    for (size_t i = 1; i < n; i++)
        if (label_cmp(&labels[i - 1], &labels[i]) == 0)
            misuse(name, "duplicate label name");

    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (!out)
        misuse(name, "out of memory");
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s%.*s=\"", i ? "," : "", (int)labels[i].key_len, labels[i].key);
        put_escaped(out, labels[i].value, labels[i].value_len, true);
        fputc('"', out);
    }
    if (fclose(out) != 0 || !text)
        misuse(name, "out of memory");
    return text;
}

static char *xstrdup(const char *name, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        misuse(name, "out of memory");
    return copy;
}

/* Finds or creates the family `name`, checking that an existing one was
 * registered the same way. Called with registry_lock held. */
static struct family *family_get(const char *name, const char *help, enum metrics_type type,
                                 const double *bounds, size_t nbounds)
{
    for (struct family *f = families_first; f; f = f->next) {
        if (strcmp(f->name, name) != 0)
            continue;
        if (f->type != type || strcmp(f->help, help) != 0 || f->nbounds != nbounds ||
            (nbounds && memcmp(f->bounds, bounds, nbounds * sizeof bounds[0]) != 0))
            misuse(name, "registered again with another type, help or buckets");
        return f;
    }
    struct family *f = calloc(1, sizeof *f);
    if (!f)
        misuse(name, "out of memory");
    f->name = xstrdup(name, name);
    f->help = xstrdup(name, help);
    f->type = type;
    f->nbounds = nbounds;
    if (nbounds)
        memcpy(f->bounds, bounds, nbounds * sizeof bounds[0]);
    if (families_last)
        families_last->next = f;
    else
        families_first = f;
    families_last = f;
    return f;
}

static struct series *series_get(const char *name, const char *help, const char *labels,
                                 enum metrics_type type, const double *bounds, size_t nbounds)
{
    if (!name || !valid_name(name, strlen(name), true) || strncmp(name, "__", 2) == 0)
        misuse(name ? name : "(null)", "bad metric name");
    if (!help)
        misuse(name, "missing help text");
    if (type == METRICS_COUNTER && !ends_with(name, "_total"))
        misuse(name, "counter names end in _total");
    if (type != METRICS_COUNTER && ends_with(name, "_total"))
        misuse(name, "only counter names end in _total");
    if (type == METRICS_HISTOGRAM) {
        if (nbounds > METRICS_MAX_BUCKETS)
            misuse(name, "too many buckets");
        for (size_t i = 0; i < nbounds; i++)
            if (!isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
                misuse(name, "bucket bounds must be finite and strictly increasing");
    }
    char *canon = canonical_labels(name, labels, type);

    pthread_mutex_lock(&registry_lock);
    struct family *f = family_get(name, help, type, bounds, nbounds);
    struct series *s;
    for (s = f->first; s; s = s->next)
        if (strcmp(s->labels, canon) == 0)
            break;
    if (!s) {
        size_t nslots = type == METRICS_HISTOGRAM ? nbounds + 1 : 0;
        s = calloc(1, sizeof *s + nslots * sizeof s->buckets[0]);
        if (!s)
            misuse(name, "out of memory");
        s->family = f;
        s->labels = canon;
        canon = NULL;
        atomic_init(&s->value, type == METRICS_GAUGE ? double_bits(0.0) : 0);
        atomic_init(&s->count, 0);
        atomic_init(&s->sum, double_bits(0.0));
        for (size_t i = 0; i < nslots; i++)
            atomic_init(&s->buckets[i], 0);
        if (f->last)
            f->last->next = s;
        else
            f->first = s;
        f->last = s;
    }
    pthread_mutex_unlock(&registry_lock);
    free(canon);
    return s;
}

metrics_counter_t *metrics_counter(const char *name, const char *help, const char *labels)
{
    return (metrics_counter_t *)series_get(name, help, labels, METRICS_COUNTER, NULL, 0);
}

void metrics_counter_inc(metrics_counter_t *c) { metrics_counter_add(c, 1); }

void metrics_counter_add(metrics_counter_t *c, uint64_t n)
{
    if (c)
        atomic_fetch_add_explicit(&c->s.value, n, memory_order_relaxed);
}

uint64_t metrics_counter_get(const metrics_counter_t *c)
{
    return c ? atomic_load_explicit(&((metrics_counter_t *)c)->s.value, memory_order_relaxed) : 0;
}

metrics_gauge_t *metrics_gauge(const char *name, const char *help, const char *labels)
{
    return (metrics_gauge_t *)series_get(name, help, labels, METRICS_GAUGE, NULL, 0);
}

void metrics_gauge_set(metrics_gauge_t *g, double v)
{
    if (g)
        atomic_store_explicit(&g->s.value, double_bits(v), memory_order_relaxed);
}

void metrics_gauge_add(metrics_gauge_t *g, double delta)
{
    if (g)
        atomic_add_double(&g->s.value, delta);
}

double metrics_gauge_get(const metrics_gauge_t *g)
{
    if (!g)
        return 0;
    return bits_double(atomic_load_explicit(&((metrics_gauge_t *)g)->s.value, memory_order_relaxed));
}

metrics_histogram_t *metrics_histogram(const char *name, const char *help, const char *labels,
                                       const double *bounds, size_t nbounds)
{
    if (!bounds || nbounds == 0) {
        bounds = metrics_latency_buckets;
        nbounds = metrics_latency_buckets_count;
    }
    return (metrics_histogram_t *)series_get(name, help, labels, METRICS_HISTOGRAM, bounds,
                                             nbounds);
}

void metrics_histogram_observe(metrics_histogram_t *h, double v)
{
    if (!h || isnan(v))
        return;
    const struct family *f = h->s.family;
    size_t i = 0;
    while (i < f->nbounds && v > f->bounds[i])
        i++;
    atomic_fetch_add_explicit(&h->s.buckets[i], 1, memory_order_relaxed);
    atomic_add_double(&h->s.sum, v);
    atomic_fetch_add_explicit(&h->s.count, 1, memory_order_relaxed);
}

uint64_t metrics_histogram_count(const metrics_histogram_t *h)
{
    return h ? atomic_load_explicit(&((metrics_histogram_t *)h)->s.count, memory_order_relaxed) : 0;
}

double metrics_histogram_sum(const metrics_histogram_t *h)
{
    if (!h)
        return 0;
    return bits_double(atomic_load_explicit(&((metrics_histogram_t *)h)->s.sum, memory_order_relaxed));
}

int metrics_add_collector(metrics_collector_fn fn, void *arg)
{
    int rc = -1;
    pthread_mutex_lock(&registry_lock);
    if (ncollectors < METRICS_MAX_COLLECTORS) {
        collectors[ncollectors++] = (struct collector){fn, arg};
        rc = 0;
    }
    pthread_mutex_unlock(&registry_lock);
    return rc;
}

void metrics_remove_collector(metrics_collector_fn fn, void *arg)
{
    pthread_mutex_lock(&registry_lock);
    for (size_t i = 0; i < ncollectors; i++) {
        if (collectors[i].fn == fn && collectors[i].arg == arg) {
            memmove(&collectors[i], &collectors[i + 1],
                    (ncollectors - i - 1) * sizeof collectors[0]);
            ncollectors--;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
}

/* Shortest text that reads back as the same double; Prometheus spells the
 * infinities and NaN its own way. */
static const char *format_double(char buf[static 40], double v)
{
    if (isnan(v))
        return "NaN";
    if (isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(buf, 40, "%.*g", precision, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

static void put_double(FILE *out, double v)
{
    char buf[40];
    fputs(format_double(buf, v), out);
}

static void put_sample(FILE *out, const char *name, const char *suffix, const char *labels,
                       const char *extra_label)
{
    fprintf(out, "%s%s", name, suffix);
    if (*labels || extra_label)
        fprintf(out, "{%s%s%s}", labels, *labels && extra_label ? "," : "",
                extra_label ? extra_label : "");
    fputc(' ', out);
}

static void render_histogram(FILE *out, const struct family *f, struct series *s)
{
    /* Buckets are read one by one while other threads may observe: the
     * count printed is the sum of the buckets read, so the exposition is
     * always self-consistent (+Inf bucket == _count). */
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= f->nbounds; i++) {
        cumulative += atomic_load_explicit(&s->buckets[i], memory_order_relaxed);
        char le[48], num[40];
        snprintf(le, sizeof le, "le=\"%s\"",
                 i < f->nbounds ? format_double(num, f->bounds[i]) : "+Inf");
        put_sample(out, f->name, "_bucket", s->labels, le);
        fprintf(out, "%llu\n", (unsigned long long)cumulative);
    }
    put_sample(out, f->name, "_sum", s->labels, NULL);
    put_double(out, bits_double(atomic_load_explicit(&s->sum, memory_order_relaxed)));
    fputc('\n', out);
    put_sample(out, f->name, "_count", s->labels, NULL);
    fprintf(out, "%llu\n", (unsigned long long)cumulative);
}

char *metrics_render(size_t *len)
{
    struct collector pending[METRICS_MAX_COLLECTORS];
    pthread_mutex_lock(&registry_lock);
    size_t npending = ncollectors;
    memcpy(pending, collectors, npending * sizeof pending[0]);
    pthread_mutex_unlock(&registry_lock);
    for (size_t i = 0; i < npending; i++)
        pending[i].fn(pending[i].arg);

    char *text = NULL;
    size_t text_len = 0;
    FILE *out = open_memstream(&text, &text_len);
    if (!out)
        return NULL;
    pthread_mutex_lock(&registry_lock);
    for (const struct family *f = families_first; f; f = f->next) {
        fprintf(out, "# HELP %s ", f->name);
        put_escaped(out, f->help, strlen(f->help), false);
        fprintf(out, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
        for (struct series *s = f->first; s; s = s->next) {
            switch (f->type) {
            case METRICS_COUNTER:
                put_sample(out, f->name, "", s->labels, NULL);
                fprintf(out, "%llu\n", (unsigned long long)atomic_load_explicit(
                                           &s->value, memory_order_relaxed));
                break;
            case METRICS_GAUGE:
                put_sample(out, f->name, "", s->labels, NULL);
                put_double(out, bits_double(atomic_load_explicit(&s->value, memory_order_relaxed)));
                fputc('\n', out);
                break;
            case METRICS_HISTOGRAM:
                render_histogram(out, f, s);
                break;
            }
        }
    }
    pthread_mutex_unlock(&registry_lock);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    if (len)
        *len = text_len;
    return text;
}

void metrics_reset(void)
{
    pthread_mutex_lock(&registry_lock);
    struct family *f = families_first;
    while (f) {
        struct series *s = f->first;
        while (s) {
            struct series *next = s->next;
            free(s->labels);
            free(s);
            s = next;
        }
        struct family *next = f->next;
        free(f->name);
        free(f->help);
        free(f);
        f = next;
    }
    families_first = families_last = NULL;
    ncollectors = 0;
    pthread_mutex_unlock(&registry_lock);
}
