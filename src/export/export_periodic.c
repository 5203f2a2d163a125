#include "export/export_periodic.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "util/log.h"

struct export_periodic {
    struct export_periodic_config cfg;
    struct event *timer;
    pthread_t thread;
    bool joinable;        /* a thread was started and not yet joined */
    atomic_bool running;  /* that thread has not finished its round */
};

static void *export_round(void *arg)
{
    export_periodic_t *e = arg;
    nodedb_t *db = NULL;
    char err[256];
    if (nodedb_open(e->cfg.db_path, NODEDB_READONLY, &db, err, sizeof err) != NODEDB_OK) {
        log_warn("export: cannot open %s: %s", e->cfg.db_path, err);
    } else {
        for (int f = EXPORT_DUMP; f <= EXPORT_CSV; f++) {
            if (!e->cfg.path[f])
                continue;
            if (export_write(db, (enum export_format)f, e->cfg.chain, (int64_t)time(NULL),
                             e->cfg.path[f], err, sizeof err) != 0)
                log_warn("export %s to %s: %s", export_format_name((enum export_format)f),
                         e->cfg.path[f], err);
        }
    }
    nodedb_close(db);
    atomic_store(&e->running, false);
    return NULL;
}

static void join(export_periodic_t *e)
{
    if (e->joinable) {
        pthread_join(e->thread, NULL);
        e->joinable = false;
    }
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    export_periodic_t *e = arg;
    if (atomic_load(&e->running))
        return; /* the previous round is still writing */
    join(e);
    atomic_store(&e->running, true);
    if (pthread_create(&e->thread, NULL, export_round, e) != 0) {
        atomic_store(&e->running, false);
        log_warn("export: cannot start a thread");
        return;
    }
    e->joinable = true;
}

export_periodic_t *export_periodic_new(struct event_base *base,
                                       const struct export_periodic_config *cfg)
{
    export_periodic_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->cfg = *cfg;
    e->timer = event_new(base, -1, EV_PERSIST, on_timer, e);
    if (!e->timer) {
        free(e);
        return NULL;
    }
    struct timeval tv = {cfg->interval_s, 0};
    event_add(e->timer, &tv);
    return e;
}

void export_periodic_flush(export_periodic_t *e)
{
    join(e);
    atomic_store(&e->running, true);
    export_round(e);
}

void export_periodic_free(export_periodic_t *e)
{
    if (!e)
        return;
    join(e);
    event_free(e->timer);
    free(e);
}
