/* export_periodic -- the crawler's periodic exports, written off the event
 * loop: an export of a large database takes seconds, so each round runs on
 * its own thread with its own read-only database handle (WAL lets it read
 * while the crawler writes). A round that is still running when the next is
 * due is not doubled up; the next simply waits for the following tick. */
#ifndef BTCSEED_EXPORT_PERIODIC_H
#define BTCSEED_EXPORT_PERIODIC_H

#include <stdint.h>

#include "export/export.h"

struct event_base;

struct export_periodic_config {
    const char *db_path;
    const chain_params_t *chain;
    const char *path[3];   /* indexed by enum export_format; NULL: not written */
    uint32_t interval_s;
};

typedef struct export_periodic export_periodic_t;

/* Starts the timer on `base` (the config's strings must outlive it).
 * Returns NULL on failure. */
export_periodic_t *export_periodic_new(struct event_base *base,
                                       const struct export_periodic_config *cfg);
/* Runs one round now and waits for it (used at shutdown, so the files show
 * the final state). */
void export_periodic_flush(export_periodic_t *e);
/* Waits for a running round, then frees; NULL ok. */
void export_periodic_free(export_periodic_t *e);

#endif
