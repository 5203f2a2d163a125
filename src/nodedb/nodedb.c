#include "nodedb/nodedb.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodedb/nodedb_schema.h"
#include "util/log.h"

#define ERR_LEN 512
/* Readers and the writer share the file: a lock held for a checkpoint or a
 * migration is waited out rather than reported as an error. */
#define BUSY_TIMEOUT_MS 5000

/* The node columns, in the order of enum col: every statement that reads
 * or writes a whole node uses this list, so binding and reading share one
 * numbering. */
#define NODE_COLUMNS                                                                          \
    "net, addr, port, addr_text, first_seen, last_seen, last_try, last_success, tries, "      \
    "successes, fail_streak, protocol, services, user_agent, height, "                        \
    "r2h, w2h, c2h, r8h, w8h, c8h, r1d, w1d, c1d, r7d, w7d, c7d, r30d, w30d, c30d, "          \
    "good, ban_until, source, source_name"

enum col {
    COL_NET,
    COL_ADDR,
    COL_PORT,
    COL_ADDR_TEXT,
    COL_FIRST_SEEN,
    COL_LAST_SEEN,
    COL_LAST_TRY,
    COL_LAST_SUCCESS,
    COL_TRIES,
    COL_SUCCESSES,
    COL_FAIL_STREAK,
    COL_PROTOCOL,
    COL_SERVICES,
    COL_USER_AGENT,
    COL_HEIGHT,
    COL_STATS, /* reliability, weight, count per window */
    COL_GOOD = COL_STATS + 3 * NODEDB_WINDOWS,
    COL_BAN_UNTIL,
    COL_SOURCE,
    COL_SOURCE_NAME,
    COL_COUNT
};

#define KEY_WHERE " WHERE net = ?1 AND addr = ?2 AND port = ?3"

enum stmt_id {
    ST_BEGIN,
    ST_BEGIN_READ,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_PUT,
    ST_DELETE,
    ST_GET,
    ST_GOOD,
    ST_COUNT,
    ST_SNAP_PUT,
    ST_SNAP_NET_DELETE,
    ST_SNAP_NET_PUT,
    ST_SNAP_PRUNE,
    ST_SNAP_NET_PRUNE,
    ST_SNAP_LIST,
    ST_SNAP_NET_LIST,
    ST_N
};

static const char *const stmt_sql[ST_N] = {
    /* IMMEDIATE: a writer takes the write lock up front, so a batch never
     * fails half-way for want of it. */
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_PUT] = NULL, /* built from NODE_COLUMNS */
    [ST_DELETE] = "DELETE FROM nodes" KEY_WHERE,
    [ST_GET] = "SELECT " NODE_COLUMNS " FROM nodes" KEY_WHERE,
    /* INDEXED BY: a missing index is an error here, never a silent full scan. */
    [ST_GOOD] = "SELECT net, addr, port, services FROM nodes INDEXED BY nodes_good"
                " WHERE good = 1",
    [ST_COUNT] = "SELECT net, COUNT(*), TOTAL(last_try > 0),"
                 " TOTAL(last_success > 0 AND last_success >= last_try), TOTAL(good = 1)"
                 " FROM nodes GROUP BY net",
    [ST_SNAP_PUT] = "INSERT OR REPLACE INTO snapshots (time, known, tried, reachable, good,"
                    " crawl_rate, dns_rate, dns_queries) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_SNAP_NET_DELETE] = "DELETE FROM snapshot_nets WHERE time = ?",
    [ST_SNAP_NET_PUT] = "INSERT INTO snapshot_nets (time, net, known, tried, reachable, good)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
    [ST_SNAP_PRUNE] = "DELETE FROM snapshots WHERE time < ?",
    [ST_SNAP_NET_PRUNE] = "DELETE FROM snapshot_nets WHERE time < ?",
    [ST_SNAP_LIST] = "SELECT time, known, tried, reachable, good, crawl_rate, dns_rate,"
                     " dns_queries FROM snapshots WHERE time >= ? ORDER BY time DESC LIMIT ?",
    [ST_SNAP_NET_LIST] = "SELECT time, net, known, tried, reachable, good FROM snapshot_nets"
                         " WHERE time >= ? AND time <= ?",
};

struct nodedb {
    sqlite3 *h;
    bool readonly;
    int opened_version;
    sqlite3_stmt *st[ST_N];
    char err[ERR_LEN];
};

static const char *const source_names[] = {"unknown", "seed", "peer", "connect", "db"};

const char *nodedb_source_name(uint8_t source)
{
    return source < sizeof source_names / sizeof source_names[0] ? source_names[source]
                                                                 : "unknown";
}

static const uint8_t net_of_index[NODEDB_NETS] = {
    [NODEDB_NET_IPV4] = NETADDR_IPV4,   [NODEDB_NET_IPV6] = NETADDR_IPV6,
    [NODEDB_NET_ONION] = NETADDR_TORV3, [NODEDB_NET_I2P] = NETADDR_I2P,
    [NODEDB_NET_CJDNS] = NETADDR_CJDNS,
};

int nodedb_net_index(uint8_t net)
{
    for (int i = 0; i < NODEDB_NETS; i++)
        if (net_of_index[i] == net)
            return i;
    return -1;
}

uint8_t nodedb_net_of_index(int index)
{
    return index >= 0 && index < NODEDB_NETS ? net_of_index[index] : 0;
}

__attribute__((format(printf, 2, 3))) static int fail(nodedb_t *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->err, sizeof db->err, fmt, ap);
    va_end(ap);
    return NODEDB_ERROR;
}

static int fail_sqlite(nodedb_t *db, const char *what)
{
    return fail(db, "%s: %s", what, sqlite3_errmsg(db->h));
}

const char *nodedb_errmsg(const nodedb_t *db) { return db ? db->err : "no database"; }
int nodedb_opened_version(const nodedb_t *db) { return db->opened_version; }

/* Runs a statement that returns no rows, then resets it. */
static int step_done(nodedb_t *db, enum stmt_id id, const char *what)
{
    sqlite3_stmt *s = db->st[id];
    int rc = sqlite3_step(s);
    int ret = rc == SQLITE_DONE ? NODEDB_OK : fail_sqlite(db, what);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return ret;
}

static int begin(nodedb_t *db) { return step_done(db, ST_BEGIN, "begin transaction"); }
static int commit(nodedb_t *db) { return step_done(db, ST_COMMIT, "commit"); }

static void rollback(nodedb_t *db)
{
    /* Keep the first error's message: it says what went wrong. */
    if (sqlite3_get_autocommit(db->h))
        return;
    if (sqlite3_step(db->st[ST_ROLLBACK]) != SQLITE_DONE)
        log_warn("nodedb: rollback: %s", sqlite3_errmsg(db->h));
    sqlite3_reset(db->st[ST_ROLLBACK]);
}

/* Runs a statement whose parameters were bound with status `rc`. */
static int run_bound(nodedb_t *db, enum stmt_id id, int rc, const char *what)
{
    if (rc != SQLITE_OK) {
        fail(db, "%s: bind: %s", what, sqlite3_errmsg(db->h));
        sqlite3_reset(db->st[id]);
        sqlite3_clear_bindings(db->st[id]);
        return NODEDB_ERROR;
    }
    return step_done(db, id, what);
}

/* Ends the transaction: commits if everything in it went well (`ret` is
 * NODEDB_OK), else rolls it back. */
static int finish(nodedb_t *db, int ret)
{
    if (ret == NODEDB_OK && commit(db) == NODEDB_OK)
        return NODEDB_OK;
    rollback(db);
    return NODEDB_ERROR;
}

/* ---- open / close -------------------------------------------------------- */

static int pragma_int(nodedb_t *db, const char *sql, int *out)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK)
        return fail_sqlite(db, sql);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        fail_sqlite(db, sql);
        sqlite3_finalize(s);
        return NODEDB_ERROR;
    }
    *out = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return NODEDB_OK;
}

static int set_wal(nodedb_t *db)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &s, NULL) != SQLITE_OK)
        return fail_sqlite(db, "journal_mode");
    int rc = sqlite3_step(s);
    const unsigned char *mode = rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
    int ret = NODEDB_OK;
    if (!mode)
        ret = fail_sqlite(db, "journal_mode");
    else if (strcmp((const char *)mode, "wal") != 0)
        ret = fail(db, "journal_mode: cannot switch to WAL (still %s)", mode);
    sqlite3_finalize(s);
    return ret;
}

static int build_put_sql(char *buf, size_t size)
{
    int columns = 1;
    for (const char *p = NODE_COLUMNS; *p; p++)
        columns += *p == ',';
    int n = snprintf(buf, size, "INSERT OR REPLACE INTO nodes (" NODE_COLUMNS ") VALUES (?");
    for (int i = 1; i < columns && n > 0 && (size_t)n < size; i++)
        n += snprintf(buf + n, size - (size_t)n, ", ?");
    if (n > 0 && (size_t)n < size)
        n += snprintf(buf + n, size - (size_t)n, ")");
    return n > 0 && (size_t)n < size && columns == COL_COUNT ? 0 : -1;
}

static int prepare_all(nodedb_t *db)
{
    char put_sql[1024];
    if (build_put_sql(put_sql, sizeof put_sql) != 0)
        return fail(db, "internal: node column list does not match");
    for (int i = 0; i < ST_N; i++) {
        const char *sql = i == ST_PUT ? put_sql : stmt_sql[i];
        if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) !=
            SQLITE_OK)
            return fail(db, "prepare \"%.60s\": %s", sql, sqlite3_errmsg(db->h));
    }
    return NODEDB_OK;
}

/* Brings the file to the current schema, or refuses it. */
static int check_schema(nodedb_t *db, const char *path)
{
    int version, tables;
    if (pragma_int(db, "PRAGMA user_version", &version) != 0 ||
        pragma_int(db, "SELECT COUNT(*) FROM sqlite_master", &tables) != 0)
        return fail(db, "%s: not a readable SQLite database (%s)", path,
                    sqlite3_errmsg(db->h));
    db->opened_version = version;
    if (version > NODEDB_SCHEMA_VERSION)
        return fail(db, "%s: schema version %d is newer than this btcseed's (%d)", path,
                    version, NODEDB_SCHEMA_VERSION);
    if (version == 0 && tables > 0)
        return fail(db, "%s: not a btcseed database (tables but no schema version)", path);
    if (version == NODEDB_SCHEMA_VERSION)
        return NODEDB_OK;
    if (db->readonly)
        return fail(db, "%s: schema version %d needs migrating to %d: open it read-write once",
                    path, version, NODEDB_SCHEMA_VERSION);
    if (nodedb_schema_migrate(db->h, version, db->err, sizeof db->err) != 0)
        return NODEDB_ERROR;
    if (version > 0)
        log_info("nodedb: %s migrated from schema version %d to %d", path, version,
                 NODEDB_SCHEMA_VERSION);
    return NODEDB_OK;
}

int nodedb_open(const char *path, unsigned flags, nodedb_t **out, char *err, size_t errlen)
{
    *out = NULL;
    nodedb_t *db = calloc(1, sizeof *db);
    if (!db) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return NODEDB_ERROR;
    }
    db->readonly = flags & NODEDB_READONLY;
    int oflags = db->readonly ? SQLITE_OPEN_READONLY
                              : SQLITE_OPEN_READWRITE | (flags & NODEDB_CREATE ? SQLITE_OPEN_CREATE : 0);
    int ret = NODEDB_OK;
    if (sqlite3_open_v2(path, &db->h, oflags, NULL) != SQLITE_OK)
        ret = fail(db, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "cannot open");
    else if (sqlite3_extended_result_codes(db->h, 1) != SQLITE_OK ||
             sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS) != SQLITE_OK)
        ret = fail_sqlite(db, path);
    /* WAL: readers never block the writer, and a crash loses nothing that
     * committed. synchronous=NORMAL in WAL mode syncs at checkpoints only:
     * an application crash still loses nothing; a power loss may lose the
     * last transactions but never corrupts the file. */
    else if (!db->readonly && set_wal(db) != 0)
        ret = NODEDB_ERROR;
    else if (sqlite3_exec(db->h, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        ret = fail_sqlite(db, "synchronous");
    else if (check_schema(db, path) != 0 || prepare_all(db) != 0)
        ret = NODEDB_ERROR;
    if (ret != NODEDB_OK) {
        /* SQLite needs the -wal and -shm files beside a WAL database; the
         * last writer to close deletes them, and a reader without write access
         * to the directory cannot create them. Say so: "attempt to write a
         * readonly database" alone sends the operator the wrong way. */
        if (db->readonly && db->h &&
            sqlite3_extended_errcode(db->h) == SQLITE_READONLY_DIRECTORY)
            fail(db, "%s: cannot read it without its -wal and -shm files, which only a writer "
                 "of the directory can create: open it while the crawler has it open, or let "
                 "this user write the directory", path);
        if (err && errlen)
            snprintf(err, errlen, "%s", db->err);
        nodedb_close(db);
        return ret;
    }
    *out = db;
    return NODEDB_OK;
}

void nodedb_close(nodedb_t *db)
{
    if (!db)
        return;
    for (int i = 0; i < ST_N; i++)
        sqlite3_finalize(db->st[i]);
    if (db->h && sqlite3_close(db->h) != SQLITE_OK)
        log_warn("nodedb: close: %s", sqlite3_errmsg(db->h));
    free(db);
}

int nodedb_read_begin(nodedb_t *db)
{
    return step_done(db, ST_BEGIN_READ, "begin read");
}

int nodedb_read_end(nodedb_t *db)
{
    return step_done(db, ST_COMMIT, "end read");
}

/* ---- nodes ----------------------------------------------------------------- */

static int bind_key(sqlite3_stmt *s, const netaddr_t *a)
{
    int rc = sqlite3_bind_int(s, 1, a->net);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_blob(s, 2, a->bytes, (int)netaddr_len(a->net), SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int(s, 3, a->port);
    return rc;
}

/* Binds every column of `n` to the put statement; the strings are bound
 * SQLITE_STATIC, so `n` and `text` must live until the step. */
static int bind_node(sqlite3_stmt *s, const struct nodedb_node *n, const char *text)
{
    const struct nodedb_health *h = &n->h;
    int rc = bind_key(s, &n->addr);
#define BIND(call)                                                                             \
    do {                                                                                       \
        if (rc == SQLITE_OK)                                                                   \
            rc = (call);                                                                       \
    } while (0)
    BIND(sqlite3_bind_text(s, COL_ADDR_TEXT + 1, text, -1, SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, COL_FIRST_SEEN + 1, h->first_seen));
    BIND(sqlite3_bind_int64(s, COL_LAST_SEEN + 1, h->last_seen));
    BIND(sqlite3_bind_int64(s, COL_LAST_TRY + 1, h->last_try));
    BIND(sqlite3_bind_int64(s, COL_LAST_SUCCESS + 1, h->last_success));
    BIND(sqlite3_bind_int64(s, COL_TRIES + 1, h->tries));
    BIND(sqlite3_bind_int64(s, COL_SUCCESSES + 1, h->successes));
    BIND(sqlite3_bind_int64(s, COL_FAIL_STREAK + 1, h->fail_streak));
    BIND(sqlite3_bind_int64(s, COL_PROTOCOL + 1, h->protocol));
    /* SQLite integers are signed 64-bit: service bit 63 reads back negative
     * in the sqlite3 shell, and round-trips exactly through this API. */
    BIND(sqlite3_bind_int64(s, COL_SERVICES + 1, (sqlite3_int64)h->services));
    BIND(sqlite3_bind_text(s, COL_USER_AGENT + 1, n->user_agent,
                           (int)strnlen(n->user_agent, sizeof n->user_agent), SQLITE_STATIC));
    BIND(sqlite3_bind_int64(s, COL_HEIGHT + 1, h->height));
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        const struct nodedb_stat *st = &h->stats.w[w];
        BIND(sqlite3_bind_double(s, COL_STATS + 3 * w + 1, st->reliability));
        BIND(sqlite3_bind_double(s, COL_STATS + 3 * w + 2, st->weight));
        BIND(sqlite3_bind_double(s, COL_STATS + 3 * w + 3, st->count));
    }
    BIND(sqlite3_bind_int(s, COL_GOOD + 1, n->good ? 1 : 0));
    BIND(sqlite3_bind_int64(s, COL_BAN_UNTIL + 1, h->ban_until));
    BIND(sqlite3_bind_int(s, COL_SOURCE + 1, n->source));
    BIND(sqlite3_bind_text(s, COL_SOURCE_NAME + 1, n->source_name,
                           (int)strnlen(n->source_name, sizeof n->source_name), SQLITE_STATIC));
#undef BIND
    return rc;
}

static uint32_t column_u32(sqlite3_stmt *s, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(s, col);
    return v < 0 ? 0 : v > (sqlite3_int64)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static int32_t column_i32(sqlite3_stmt *s, int col)
{
    sqlite3_int64 v = sqlite3_column_int64(s, col);
    return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : (int32_t)v;
}

static void column_text(sqlite3_stmt *s, int col, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    size_t len = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    if (len >= size)
        len = size - 1;
    if (len)
        memcpy(dst, t, len);
    dst[len] = '\0';
}

/* Reads the current row (in NODE_COLUMNS order). Returns -1 for a row that
 * cannot be a node (hand-edited or damaged file). */
static int read_node(sqlite3_stmt *s, struct nodedb_node *n)
{
    memset(n, 0, sizeof *n);
    sqlite3_int64 net = sqlite3_column_int64(s, COL_NET);
    sqlite3_int64 port = sqlite3_column_int64(s, COL_PORT);
    size_t len = net > 0 && net < 256 && net != NETADDR_TORV2 ? netaddr_len((uint8_t)net) : 0;
    const void *bytes = sqlite3_column_blob(s, COL_ADDR);
    if (len == 0 || !bytes || (size_t)sqlite3_column_bytes(s, COL_ADDR) != len || port < 0 ||
        port > UINT16_MAX)
        return -1;
    n->addr.net = (uint8_t)net;
    memcpy(n->addr.bytes, bytes, len);
    n->addr.port = (uint16_t)port;
    struct nodedb_health *h = &n->h;
    h->first_seen = column_u32(s, COL_FIRST_SEEN);
    h->last_seen = column_u32(s, COL_LAST_SEEN);
    h->last_try = column_u32(s, COL_LAST_TRY);
    h->last_success = column_u32(s, COL_LAST_SUCCESS);
    h->tries = column_u32(s, COL_TRIES);
    h->successes = column_u32(s, COL_SUCCESSES);
    uint32_t streak = column_u32(s, COL_FAIL_STREAK);
    h->fail_streak = streak > UINT16_MAX ? UINT16_MAX : (uint16_t)streak;
    h->protocol = column_i32(s, COL_PROTOCOL);
    h->services = (uint64_t)sqlite3_column_int64(s, COL_SERVICES);
    column_text(s, COL_USER_AGENT, n->user_agent, sizeof n->user_agent);
    h->height = column_i32(s, COL_HEIGHT);
    for (int w = 0; w < NODEDB_WINDOWS; w++) {
        struct nodedb_stat *st = &h->stats.w[w];
        st->reliability = (float)sqlite3_column_double(s, COL_STATS + 3 * w);
        st->weight = (float)sqlite3_column_double(s, COL_STATS + 3 * w + 1);
        st->count = (float)sqlite3_column_double(s, COL_STATS + 3 * w + 2);
    }
    n->good = sqlite3_column_int64(s, COL_GOOD) != 0;
    h->ban_until = column_u32(s, COL_BAN_UNTIL);
    sqlite3_int64 source = sqlite3_column_int64(s, COL_SOURCE);
    n->source = source >= 0 && source <= UINT8_MAX ? (uint8_t)source : NODEDB_SOURCE_UNKNOWN;
    column_text(s, COL_SOURCE_NAME, n->source_name, sizeof n->source_name);
    return 0;
}

int nodedb_put_nodes(nodedb_t *db, const struct nodedb_node *nodes, size_t n)
{
    if (n == 0)
        return NODEDB_OK;
    if (begin(db) != 0)
        return NODEDB_ERROR;
    int ret = NODEDB_OK;
    for (size_t i = 0; i < n && ret == NODEDB_OK; i++) {
        const struct nodedb_node *node = &nodes[i];
        if (netaddr_len(node->addr.net) == 0 || node->addr.net == NETADDR_TORV2) {
            ret = fail(db, "put: node %zu has unknown network %u", i, node->addr.net);
            break;
        }
        char text[NETADDR_STRLEN];
        netaddr_format(&node->addr, text, sizeof text);
        ret = run_bound(db, ST_PUT, bind_node(db->st[ST_PUT], node, text), "put");
    }
    return finish(db, ret);
}

int nodedb_delete(nodedb_t *db, const netaddr_t *addrs, size_t n)
{
    if (n == 0)
        return NODEDB_OK;
    if (begin(db) != 0)
        return NODEDB_ERROR;
    int ret = NODEDB_OK;
    for (size_t i = 0; i < n && ret == NODEDB_OK; i++)
        ret = run_bound(db, ST_DELETE, bind_key(db->st[ST_DELETE], &addrs[i]), "delete");
    return finish(db, ret);
}

int nodedb_node_get(nodedb_t *db, const netaddr_t *addr, struct nodedb_node *out)
{
    sqlite3_stmt *s = db->st[ST_GET];
    int ret;
    if (bind_key(s, addr) != SQLITE_OK) {
        ret = fail_sqlite(db, "get: bind");
    } else {
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            ret = read_node(s, out) == 0 ? NODEDB_OK : fail(db, "get: damaged row");
        else if (rc == SQLITE_DONE)
            ret = NODEDB_NOT_FOUND;
        else
            ret = fail_sqlite(db, "get");
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return ret;
}

static const char *const order_sql[] = {
    [NODEDB_ORDER_NONE] = "",
    [NODEDB_ORDER_ADDR] = " ORDER BY net, addr, port",
    [NODEDB_ORDER_UPTIME_30D] = (" ORDER BY CASE WHEN w30d > 0 THEN r30d / w30d ELSE 0 END DESC,"
                                 " last_success DESC, net, addr, port"),
    [NODEDB_ORDER_LAST_SUCCESS] = " ORDER BY last_success DESC, net, addr, port",
};

static sqlite3_int64 clamp_i64(uint64_t v)
{
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

int nodedb_query(nodedb_t *db, const struct nodedb_filter *f, nodedb_node_cb cb, void *ctx)
{
    static const struct nodedb_filter all = {0};
    if (!f)
        f = &all;
    if ((size_t)f->order >= sizeof order_sql / sizeof order_sql[0])
        return fail(db, "query: unknown order %d", (int)f->order);
    char sql[1024];
    /* Only fixed fragments go into the text; every value is bound. */
    snprintf(sql, sizeof sql, "SELECT " NODE_COLUMNS " FROM nodes WHERE 1 = 1%s%s%s%s%s"
             " LIMIT ?4 OFFSET ?5",
             f->net ? " AND net = ?1" : "", f->reached_only ? " AND last_success > 0" : "",
             f->good_only ? " AND good = 1" : "", f->services ? " AND (services & ?2) = ?3" : "",
             order_sql[f->order]);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db->h, sql, -1, &s, NULL) != SQLITE_OK)
        return fail_sqlite(db, "query: prepare");
    int rc = SQLITE_OK;
    if (f->net)
        rc = sqlite3_bind_int(s, 1, f->net);
    if (rc == SQLITE_OK && f->services)
        rc = sqlite3_bind_int64(s, 2, (sqlite3_int64)f->services);
    if (rc == SQLITE_OK && f->services)
        rc = sqlite3_bind_int64(s, 3, (sqlite3_int64)f->services);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 4, f->limit ? clamp_i64(f->limit) : -1);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 5, clamp_i64(f->offset));
    if (rc != SQLITE_OK) {
        fail_sqlite(db, "query: bind");
        sqlite3_finalize(s);
        return NODEDB_ERROR;
    }
    struct nodedb_node *node = malloc(sizeof *node);
    if (!node) {
        sqlite3_finalize(s);
        return fail(db, "query: out of memory");
    }
    int ret = NODEDB_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (read_node(s, node) != 0) {
            log_warn("nodedb: skipping a damaged row (network %lld)",
                     (long long)sqlite3_column_int64(s, COL_NET));
            continue;
        }
        if ((ret = cb(node, ctx)) != 0)
            break;
    }
    if (ret == 0 && rc != SQLITE_DONE)
        ret = fail_sqlite(db, "query");
    free(node);
    sqlite3_finalize(s);
    return ret;
}

int nodedb_load(nodedb_t *db, nodedb_node_cb cb, void *ctx)
{
    return nodedb_query(db, NULL, cb, ctx);
}

/* Grows *array (of *cap elements of `size` bytes) to hold at least `need`. */
static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 256;
    while (n < need)
        n *= 2;
    void *p = realloc(*array, n * size);
    if (!p)
        return -1;
    *array = p;
    *cap = n;
    return 0;
}

int nodedb_good_nodes(nodedb_t *db, struct nodedb_good_node **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = db->st[ST_GOOD];
    struct nodedb_good_node *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, ret = NODEDB_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        sqlite3_int64 net = sqlite3_column_int64(s, 0);
        sqlite3_int64 port = sqlite3_column_int64(s, 2);
        size_t len = net > 0 && net < 256 && net != NETADDR_TORV2 ? netaddr_len((uint8_t)net) : 0;
        const void *bytes = sqlite3_column_blob(s, 1);
        if (len == 0 || !bytes || (size_t)sqlite3_column_bytes(s, 1) != len || port < 0 ||
            port > UINT16_MAX)
            continue;
        if (grow((void **)&arr, &cap, count + 1, sizeof *arr) != 0) {
            ret = fail(db, "good nodes: out of memory");
            break;
        }
        struct nodedb_good_node *g = &arr[count++];
        memset(g, 0, sizeof *g);
        g->addr.net = (uint8_t)net;
        memcpy(g->addr.bytes, bytes, len);
        g->addr.port = (uint16_t)port;
        g->services = (uint64_t)sqlite3_column_int64(s, 3);
    }
    if (ret == NODEDB_OK && rc != SQLITE_DONE)
        ret = fail_sqlite(db, "good nodes");
    sqlite3_reset(s);
    if (ret != NODEDB_OK) {
        free(arr);
        return ret;
    }
    *out = arr;
    *n = count;
    return NODEDB_OK;
}

/* ---- totals and snapshots -------------------------------------------------- */

static void add_counts(struct nodedb_counts *to, const struct nodedb_counts *c)
{
    to->known += c->known;
    to->tried += c->tried;
    to->reachable += c->reachable;
    to->good += c->good;
}

int nodedb_count(nodedb_t *db, struct nodedb_totals *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s = db->st[ST_COUNT];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct nodedb_counts c = {
            .known = (uint64_t)sqlite3_column_int64(s, 1),
            .tried = (uint64_t)sqlite3_column_double(s, 2),
            .reachable = (uint64_t)sqlite3_column_double(s, 3),
            .good = (uint64_t)sqlite3_column_double(s, 4),
        };
        int i = nodedb_net_index((uint8_t)sqlite3_column_int(s, 0));
        if (i >= 0)
            add_counts(&out->net[i], &c);
        add_counts(&out->all, &c);
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? NODEDB_OK : fail_sqlite(db, "count");
}

static int bind_counts(sqlite3_stmt *s, int first, const struct nodedb_counts *c)
{
    int rc = sqlite3_bind_int64(s, first, clamp_i64(c->known));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, first + 1, clamp_i64(c->tried));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, first + 2, clamp_i64(c->reachable));
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, first + 3, clamp_i64(c->good));
    return rc;
}

/* Binds `t` to a one-parameter statement and runs it. */
static int run_with_time(nodedb_t *db, enum stmt_id id, int64_t t, const char *what)
{
    return run_bound(db, id, sqlite3_bind_int64(db->st[id], 1, t), what);
}

int nodedb_put_snapshot(nodedb_t *db, const struct nodedb_snapshot *snap)
{
    if (begin(db) != 0)
        return NODEDB_ERROR;
    sqlite3_stmt *s = db->st[ST_SNAP_PUT];
    int rc = sqlite3_bind_int64(s, 1, snap->time);
    if (rc == SQLITE_OK)
        rc = bind_counts(s, 2, &snap->totals.all);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_double(s, 6, snap->crawl_rate);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_double(s, 7, snap->dns_rate);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 8, clamp_i64(snap->dns_queries));
    int ret = run_bound(db, ST_SNAP_PUT, rc, "snapshot");
    if (ret == NODEDB_OK)
        ret = run_with_time(db, ST_SNAP_NET_DELETE, snap->time, "snapshot");
    for (int i = 0; i < NODEDB_NETS && ret == NODEDB_OK; i++) {
        s = db->st[ST_SNAP_NET_PUT];
        rc = sqlite3_bind_int64(s, 1, snap->time);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int(s, 2, net_of_index[i]);
        if (rc == SQLITE_OK)
            rc = bind_counts(s, 3, &snap->totals.net[i]);
        ret = run_bound(db, ST_SNAP_NET_PUT, rc, "snapshot");
    }
    return finish(db, ret);
}

static struct nodedb_snapshot *find_snapshot(struct nodedb_snapshot *arr, size_t n, int64_t t)
{
    size_t lo = 0, hi = n; /* arr is in ascending time order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (arr[mid].time < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && arr[lo].time == t ? &arr[lo] : NULL;
}

static void read_counts(sqlite3_stmt *s, int first, struct nodedb_counts *c)
{
    c->known = (uint64_t)sqlite3_column_int64(s, first);
    c->tried = (uint64_t)sqlite3_column_int64(s, first + 1);
    c->reachable = (uint64_t)sqlite3_column_int64(s, first + 2);
    c->good = (uint64_t)sqlite3_column_int64(s, first + 3);
}

int nodedb_snapshots(nodedb_t *db, int64_t since, size_t max, struct nodedb_snapshot **out,
                     size_t *n)
{
    *out = NULL;
    *n = 0;
    struct nodedb_snapshot *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, ret = NODEDB_OK;
    sqlite3_stmt *s = db->st[ST_SNAP_LIST];
    if (sqlite3_bind_int64(s, 1, since) != SQLITE_OK ||
        sqlite3_bind_int64(s, 2, max ? clamp_i64(max) : -1) != SQLITE_OK) {
        sqlite3_reset(s);
        return fail_sqlite(db, "snapshots: bind");
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (grow((void **)&arr, &cap, count + 1, sizeof *arr) != 0) {
            ret = fail(db, "snapshots: out of memory");
            break;
        }
        struct nodedb_snapshot *snap = &arr[count++];
        memset(snap, 0, sizeof *snap);
        snap->time = sqlite3_column_int64(s, 0);
        read_counts(s, 1, &snap->totals.all);
        snap->crawl_rate = sqlite3_column_double(s, 5);
        snap->dns_rate = sqlite3_column_double(s, 6);
        snap->dns_queries = (uint64_t)sqlite3_column_int64(s, 7);
    }
    if (ret == NODEDB_OK && rc != SQLITE_DONE)
        ret = fail_sqlite(db, "snapshots");
    sqlite3_reset(s);
    if (ret != NODEDB_OK || count == 0) {
        free(arr);
        return ret;
    }
    /* Newest first from the query (so LIMIT keeps the newest); callers
     * draw charts left to right. */
    for (size_t i = 0; i < count / 2; i++) {
        struct nodedb_snapshot t = arr[i];
        arr[i] = arr[count - 1 - i];
        arr[count - 1 - i] = t;
    }
    s = db->st[ST_SNAP_NET_LIST];
    if (sqlite3_bind_int64(s, 1, arr[0].time) != SQLITE_OK ||
        sqlite3_bind_int64(s, 2, arr[count - 1].time) != SQLITE_OK) {
        ret = fail_sqlite(db, "snapshots: bind");
    } else {
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            struct nodedb_snapshot *snap = find_snapshot(arr, count, sqlite3_column_int64(s, 0));
            int i = nodedb_net_index((uint8_t)sqlite3_column_int(s, 1));
            if (snap && i >= 0)
                read_counts(s, 2, &snap->totals.net[i]);
        }
        if (rc != SQLITE_DONE)
            ret = fail_sqlite(db, "snapshots");
    }
    sqlite3_reset(s);
    if (ret != NODEDB_OK) {
        free(arr);
        return ret;
    }
    *out = arr;
    *n = count;
    return NODEDB_OK;
}

int nodedb_prune_snapshots(nodedb_t *db, int64_t before)
{
    if (begin(db) != 0)
        return NODEDB_ERROR;
    int ret = run_with_time(db, ST_SNAP_NET_PRUNE, before, "prune snapshots");
    if (ret == NODEDB_OK)
        ret = run_with_time(db, ST_SNAP_PRUNE, before, "prune snapshots");
    return finish(db, ret);
}
