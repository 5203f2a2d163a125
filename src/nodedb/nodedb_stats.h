/* nodedb_stats -- what the crawler remembers about each node's tests, and the
 * reliability figures derived from it. Pure functions: time is a parameter.
 *
 * Reliability is the reference seeder's scheme: five exponentially decaying
 * averages of test outcomes. On each test, with `a` seconds since the previous
 * one and f = exp(-a / window):
 *     reliability = reliability * f + (ok ? 1 - f : 0)
 *     weight      = weight * f + (1 - f)
 *     count       = count * f + 1
 * The figure shown is reliability / weight, so a new node that always answers
 * shows 100%, not the few percent the raw average would give. Floats are
 * plenty (the windows forget anything smaller than float precision long before
 * it matters) and keep the record small: the crawler holds one per node. */
#ifndef BTCSEED_NODEDB_STATS_H
#define BTCSEED_NODEDB_STATS_H

#include <stdbool.h>
#include <stdint.h>

enum nodedb_window {
    NODEDB_WIN_2H,
    NODEDB_WIN_8H,
    NODEDB_WIN_1D,
    NODEDB_WIN_1W,
    NODEDB_WIN_1M, /* 30 days */
    NODEDB_WINDOWS
};

/* The age used for a node's first test: with no previous test there is no
 * real age, and the reference seeder's 1000 s makes the first result count
 * for a little in every window (any positive value gives 100% or 0%). */
#define NODEDB_STATS_FIRST_AGE 1000

struct nodedb_stat {
    float reliability;
    float weight;
    float count;
};

struct nodedb_stats {
    struct nodedb_stat w[NODEDB_WINDOWS]; /* indexed by enum nodedb_window */
};

/* Everything the good decision and the scheduler look at. Times are unix
 * seconds as 32-bit unsigned (good until 2106): this record lives in memory
 * for every node the crawler has reached, so it is kept small. 0 = never. */
struct nodedb_health {
    struct nodedb_stats stats;
    uint32_t first_seen;   /* when we first learned the address */
    uint32_t last_seen;    /* newest timestamp gossip gave for it */
    uint32_t last_try;     /* last test, successful or not */
    uint32_t last_success; /* last completed handshake */
    uint32_t ban_until;    /* not tested or served before this time */
    uint32_t tries;
    uint32_t successes;
    uint16_t fail_streak;  /* failed tests since the last success (saturates) */
    int32_t protocol;      /* from the node's last version message */
    int32_t height;        /* its start height then */
    uint64_t services;
};

/* Window length in seconds. */
int64_t nodedb_window_seconds(enum nodedb_window w);
/* "2h", "8h", "1d", "7d", "30d". */
const char *nodedb_window_name(enum nodedb_window w);

/* Folds one test outcome into every window; `age` is the time since the
 * previous test in seconds (clamped to at least 1, so a repeat test in the
 * same second still counts a little and weight never stays 0). */
void nodedb_stats_update(struct nodedb_stats *s, int64_t age, bool ok);
/* Share of successful tests in window w, 0.0-1.0 (0 if never tested). */
double nodedb_stats_uptime(const struct nodedb_stats *s, enum nodedb_window w);
/* Decayed number of tests in window w. */
double nodedb_stats_count(const struct nodedb_stats *s, enum nodedb_window w);

/* Records a test made at `now`: statistics (age from last_try, or
 * NODEDB_STATS_FIRST_AGE for the first test), tries, successes, fail_streak,
 * last_try, last_success. Version fields and ban_until are the caller's. */
void nodedb_health_record(struct nodedb_health *h, int64_t now, bool ok);

#endif
