#include "nodedb/nodedb_schema.h"

#include <stdio.h>

#include "nodedb/nodedb.h"

/* Version 1: the nodes and what the crawler measured. WITHOUT ROWID: the
 * (network, address, port) key is the only way rows are looked up, so the
 * table is its own index. The partial index on good rows is what the DNS
 * server's refresh scans: it holds (good, services, key) for good rows only,
 * which covers that query (good must be in it for SQLite to see that). */
static const char schema_v1[] =
    "CREATE TABLE nodes ("
    " net INTEGER NOT NULL,"
    " addr BLOB NOT NULL,"
    " port INTEGER NOT NULL,"
    " addr_text TEXT NOT NULL,"
    " first_seen INTEGER NOT NULL DEFAULT 0,"
    " last_seen INTEGER NOT NULL DEFAULT 0,"
    " last_try INTEGER NOT NULL DEFAULT 0,"
    " last_success INTEGER NOT NULL DEFAULT 0,"
    " tries INTEGER NOT NULL DEFAULT 0,"
    " successes INTEGER NOT NULL DEFAULT 0,"
    " protocol INTEGER NOT NULL DEFAULT 0,"
    " services INTEGER NOT NULL DEFAULT 0,"
    " user_agent TEXT NOT NULL DEFAULT '',"
    " height INTEGER NOT NULL DEFAULT 0,"
    " r2h REAL NOT NULL DEFAULT 0, w2h REAL NOT NULL DEFAULT 0, c2h REAL NOT NULL DEFAULT 0,"
    " r8h REAL NOT NULL DEFAULT 0, w8h REAL NOT NULL DEFAULT 0, c8h REAL NOT NULL DEFAULT 0,"
    " r1d REAL NOT NULL DEFAULT 0, w1d REAL NOT NULL DEFAULT 0, c1d REAL NOT NULL DEFAULT 0,"
    " r7d REAL NOT NULL DEFAULT 0, w7d REAL NOT NULL DEFAULT 0, c7d REAL NOT NULL DEFAULT 0,"
    " r30d REAL NOT NULL DEFAULT 0, w30d REAL NOT NULL DEFAULT 0, c30d REAL NOT NULL DEFAULT 0,"
    " good INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (net, addr, port)"
    ") WITHOUT ROWID;"
    "CREATE INDEX nodes_good ON nodes (good, services) WHERE good = 1;";

/* Version 2: failure streaks, bans and where each address came from; the
 * snapshot rows of the status page. A version-1 file never counted
 * failure streaks: a node whose latest test failed gets 1, the least it
 * can be, so the back-off and the good rule start from the truth. */
static const char schema_v2[] =
    "ALTER TABLE nodes ADD COLUMN fail_streak INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN ban_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN source INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE nodes ADD COLUMN source_name TEXT NOT NULL DEFAULT '';"
    "UPDATE nodes SET fail_streak = 1 WHERE last_try > last_success;"
    "CREATE TABLE snapshots ("
    " time INTEGER PRIMARY KEY,"
    " known INTEGER NOT NULL, tried INTEGER NOT NULL,"
    " reachable INTEGER NOT NULL, good INTEGER NOT NULL,"
    " crawl_rate REAL NOT NULL, dns_rate REAL NOT NULL, dns_queries INTEGER NOT NULL);"
    "CREATE TABLE snapshot_nets ("
    " time INTEGER NOT NULL,"
    " net INTEGER NOT NULL,"
    " known INTEGER NOT NULL, tried INTEGER NOT NULL,"
    " reachable INTEGER NOT NULL, good INTEGER NOT NULL,"
    " PRIMARY KEY (time, net)) WITHOUT ROWID;";

static const char *const steps[NODEDB_SCHEMA_VERSION + 1] = {
    [1] = schema_v1,
    [2] = schema_v2,
};

static int exec(sqlite3 *h, const char *sql, char *err, size_t errlen, const char *what)
{
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", what, msg ? msg : sqlite3_errmsg(h));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int nodedb_schema_migrate(sqlite3 *h, int from, char *err, size_t errlen)
{
    for (int v = from + 1; v <= NODEDB_SCHEMA_VERSION; v++) {
        char what[64], pragma[64];
        snprintf(what, sizeof what, "schema migration to version %d", v);
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v);
        if (exec(h, "BEGIN IMMEDIATE;", err, errlen, what) != 0)
            return -1;
        /* user_version lives in the file header, which the transaction
         * covers: a crash leaves the file at v-1 or at v, never between. */
        if (exec(h, steps[v], err, errlen, what) != 0 ||
            exec(h, pragma, err, errlen, what) != 0 ||
            exec(h, "COMMIT;", err, errlen, what) != 0) {
            sqlite3_exec(h, "ROLLBACK;", NULL, NULL, NULL);
            return -1;
        }
    }
    return 0;
}
