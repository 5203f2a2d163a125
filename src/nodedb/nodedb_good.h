/* nodedb_good -- which nodes are good enough to hand to new nodes, which are
 * banned, and when each node is next due for a test. Pure functions of a
 * node's record and the time `now` passed in, so the crawler's scheduler and
 * these rules are tested with an injected clock.
 *
 * A node is good when all of these hold:
 *   - not banned (ban_until <= now);
 *   - it has answered at least once and its last NODEDB_GOOD_MAX_FAIL_STREAK
 *     tests did not all fail (a node that just failed twice in a row is not
 *     handed out, whatever its long-term average says);
 *   - it listens on the chain's default port (I2P: port 0 too, the only port
 *     Bitcoin Core uses there);
 *   - it offers NODE_NETWORK;
 *   - protocol >= NODEDB_MIN_PROTOCOL (70001);
 *   - its start height is >= the chain's min_height and, when a best height
 *     is known, not more than NODEDB_MAX_BEHIND blocks below it;
 *   - it is reliable: any one of
 *       2h uptime > 85% with count > 2,   8h > 70% / 4,   1d > 55% / 8,
 *       7d > 45% / 16,                    30d > 35% / 32,
 *     (uptime = reliability / weight, see nodedb_stats.h), or it is brand
 *     new: at most NODEDB_NEW_MAX_TRIES tries, every one a success, the last
 *     within NODEDB_NEW_RECENT seconds. */
#ifndef BTCSEED_NODEDB_GOOD_H
#define BTCSEED_NODEDB_GOOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/chain.h"
#include "net/netaddr.h"
#include "nodedb/nodedb_stats.h"

#define NODEDB_MIN_PROTOCOL 70001
/* About a week of mainnet blocks: a node that far behind is still syncing
 * (or stuck) and would serve new nodes a stale chain. */
#define NODEDB_MAX_BEHIND 1000
#define NODEDB_GOOD_MAX_FAIL_STREAK 2
#define NODEDB_NEW_MAX_TRIES 4
#define NODEDB_NEW_RECENT (2 * 3600)

/* Bans. */
#define NODEDB_BAN_OLD_PROTOCOL (7 * 86400) /* protocol < NODEDB_MIN_PROTOCOL */
#define NODEDB_BAN_FAILING_WEEK (86400)     /* 7d uptime < 10% over > 16 tests */
#define NODEDB_BAN_FAILING_MONTH (7 * 86400) /* 30d uptime < 15% over > 32 tests */

/* Scheduling. */
#define NODEDB_RETEST_GOOD (15 * 60)       /* good nodes */
#define NODEDB_RETEST_REACHABLE (60 * 60)  /* answered last time, but not good */
#define NODEDB_RETRY_LOST (10 * 60)        /* answered before, failed now: first retry */
#define NODEDB_RETRY_LOST_MAX (8 * 3600)
#define NODEDB_RETRY_NEVER (60 * 60)       /* never answered: first retry */
#define NODEDB_RETRY_NEVER_MAX (24 * 3600)
/* Forgetting: never answered after NODEDB_FORGET_MIN_TRIES tries and known
 * for NODEDB_FORGET_AGE; or answered once, silent for NODEDB_FORGET_AGE and
 * failed NODEDB_FORGET_FAIL_STREAK times in a row since. */
#define NODEDB_FORGET_AGE (30 * 86400)
#define NODEDB_FORGET_MIN_TRIES 3
#define NODEDB_FORGET_FAIL_STREAK 8

enum nodedb_verdict {
    NODEDB_VERDICT_GOOD = 0,
    NODEDB_VERDICT_BANNED,
    NODEDB_VERDICT_UNREACHED,  /* never answered */
    NODEDB_VERDICT_FAILING,    /* the last tests failed */
    NODEDB_VERDICT_PORT,       /* not the chain's default port */
    NODEDB_VERDICT_SERVICES,   /* no NODE_NETWORK */
    NODEDB_VERDICT_PROTOCOL,   /* protocol too old */
    NODEDB_VERDICT_HEIGHT,     /* below the chain's minimum height */
    NODEDB_VERDICT_BEHIND,     /* too far below the best height */
    NODEDB_VERDICT_UNRELIABLE, /* no reliability rule met */
};

/* "good", "banned", "unreached", ... */
const char *nodedb_verdict_name(enum nodedb_verdict v);

/* The first rule the node fails, or NODEDB_VERDICT_GOOD. `best_height` is
 * the network's current height as the crawler estimates it (see
 * nodedb_best_height), or 0 if unknown. Reads only addr->net and addr->port. */
enum nodedb_verdict nodedb_judge(const struct nodedb_health *h, const netaddr_t *addr,
                                 const chain_params_t *chain, int32_t best_height,
                                 int64_t now);
bool nodedb_is_good(const struct nodedb_health *h, const netaddr_t *addr,
                    const chain_params_t *chain, int32_t best_height, int64_t now);

/* The ban that should hold after the node's latest test, as an absolute
 * time (an existing later ban is kept), or 0 for none:
 *   - it answered with protocol < NODEDB_MIN_PROTOCOL: NODEDB_BAN_OLD_PROTOCOL;
 *   - 30d uptime < 15% with count > 32: NODEDB_BAN_FAILING_MONTH;
 *   - 7d uptime < 10% with count > 16: NODEDB_BAN_FAILING_WEEK. */
uint32_t nodedb_ban_until(const struct nodedb_health *h, int64_t now);

/* When the node should next be tested (unix seconds; may be <= now, i.e.
 * overdue):
 *   - banned: when the ban ends;
 *   - never tried: now;
 *   - last test succeeded: last_try + NODEDB_RETEST_GOOD if `good`, else
 *     + NODEDB_RETEST_REACHABLE;
 *   - failed k times in a row: exponential back-off from NODEDB_RETRY_LOST
 *     (it answered before) or NODEDB_RETRY_NEVER (never answered), doubling
 *     per failure up to the matching _MAX.
 * `jitter` (any value, e.g. random or an address hash) adds up to a quarter
 * of the interval, so nodes tested together drift apart. */
int64_t nodedb_next_due(const struct nodedb_health *h, bool good, int64_t now, uint32_t jitter);

/* True if the crawler should drop the address (see NODEDB_FORGET_*). */
bool nodedb_should_forget(const struct nodedb_health *h, int64_t now);

/* A best-height estimate from the start heights of recently reached nodes:
 * their median, so a minority of peers lying about their height cannot make
 * every honest node look behind (or ahead). Sorts `heights` in place.
 * Returns 0 for n == 0. */
int32_t nodedb_best_height(int32_t *heights, size_t n);

#endif
