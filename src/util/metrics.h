/* metrics -- process-wide registry of counters, gauges and histograms,
 * rendered in the Prometheus text exposition format (version 0.0.4).
 *
 * Usable from any thread: registration takes a mutex (do it once at start-up
 * and keep the handle), updates are lock-free C11 atomics, so the crawler's
 * event loop and the DNS server's threads can count on their hot paths.
 *
 *   static metrics_counter_t *refused;
 *   refused = metrics_counter("btcseed_crawl_connections_failed_total",
 *                             "Connections that failed, by reason.", "reason=refused");
 *   metrics_counter_inc(refused);
 *
 * Names follow Prometheus conventions: `btcseed_` prefix, base units in the
 * name (`_seconds`, `_bytes`), counters end in `_total`. A name or label that
 * breaks the rules, or a name registered again with another type, help text or
 * bucket layout, is a programming error: it is logged and the process aborts
 * (at start-up, where such calls belong).
 *
 * Labels are given as one string "key=value,key=value" (at most
 * METRICS_MAX_LABELS pairs; values may not contain ',' or '='; NULL or "" for
 * none). Registering the same name and labels again returns the same handle.
 * Handles stay valid until metrics_reset(). Every update function accepts a
 * NULL handle and then does nothing. */
#ifndef BTCSEED_METRICS_H
#define BTCSEED_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define METRICS_MAX_LABELS 4
#define METRICS_MAX_BUCKETS 32

typedef struct metrics_counter metrics_counter_t;
typedef struct metrics_gauge metrics_gauge_t;
typedef struct metrics_histogram metrics_histogram_t;

/* Default histogram buckets for latencies in seconds, 1 ms to 30 s. */
extern const double metrics_latency_buckets[];
extern const size_t metrics_latency_buckets_count;

metrics_counter_t *metrics_counter(const char *name, const char *help, const char *labels);
void metrics_counter_inc(metrics_counter_t *c);
void metrics_counter_add(metrics_counter_t *c, uint64_t n);
uint64_t metrics_counter_get(const metrics_counter_t *c);

metrics_gauge_t *metrics_gauge(const char *name, const char *help, const char *labels);
void metrics_gauge_set(metrics_gauge_t *g, double v);
void metrics_gauge_add(metrics_gauge_t *g, double delta);
double metrics_gauge_get(const metrics_gauge_t *g);

/* `bounds`: strictly increasing finite upper bounds (copied; +Inf is implied),
 * at most METRICS_MAX_BUCKETS; NULL/0 means metrics_latency_buckets. */
metrics_histogram_t *metrics_histogram(const char *name, const char *help, const char *labels,
                                       const double *bounds, size_t nbounds);
void metrics_histogram_observe(metrics_histogram_t *h, double v);
/* Observations so far and their sum (for tests and summaries). */
uint64_t metrics_histogram_count(const metrics_histogram_t *h);
double metrics_histogram_sum(const metrics_histogram_t *h);

/* A function called at the start of every render, so gauges that mirror a
 * state held elsewhere (e.g. node counts in the database) are refreshed only
 * when someone looks. Called with the registry unlocked, from the rendering
 * thread; it may register and set metrics. Returns 0, or -1 if full. */
typedef void (*metrics_collector_fn)(void *arg);
int metrics_add_collector(metrics_collector_fn fn, void *arg);
/* Removes a collector added with the same fn and arg (no-op if absent). */
void metrics_remove_collector(metrics_collector_fn fn, void *arg);

/* Renders every metric: families in registration order, each with its # HELP
 * and # TYPE lines, histograms as cumulative _bucket{le=...}, _sum, _count.
 * Returns a NUL-terminated malloc'd string (caller frees) and its length in
 * *len (may be NULL), or NULL if out of memory. */
char *metrics_render(size_t *len);

/* Frees every metric and collector; outstanding handles become invalid. For
 * tests and process exit only: no other thread may be using the registry. */
void metrics_reset(void);

#endif
