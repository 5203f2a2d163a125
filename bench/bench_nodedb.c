/* bench_nodedb -- figures for the node database and the exports.
 *
 *   bench_nodedb [NODES [DIR]]      (default 1000000 nodes, DIR /tmp)
 *
 * Writes NODES synthetic nodes (a fifth of them good) in batches of 5,000
 * (one transaction each, as the crawler writes), then times: rewriting one
 * batch, loading every node (the crawler's restart), the good-node read (the
 * DNS server's refresh), the totals, and a dump and a CSV export. Prints the
 * figures; asserts nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "export/export.h"
#include "nodedb/nodedb.h"
#include "p2p/msg.h"

#define BATCH 5000
#define T0 1700000000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_node(struct nodedb_node *n, uint32_t i)
{
    memset(n, 0, sizeof *n);
    if (i % 4 == 3) {
        uint8_t ip[16] = {0x2a, 0x01, (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
                          (uint8_t)i, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        netaddr_set_ipv6(&n->addr, ip, 8333);
    } else {
        uint8_t ip[4] = {(uint8_t)(11 + (i >> 24)), (uint8_t)(i >> 16), (uint8_t)(i >> 8),
                         (uint8_t)i};
        netaddr_set_ipv4(&n->addr, ip, 8333);
    }
    n->h.first_seen = T0 - i % 86400;
    n->h.last_seen = T0 - i % 3600;
    if (i % 5 < 2) { /* two in five reached, one in five good */
        for (int k = 0; k < 4; k++)
            nodedb_health_record(&n->h, T0 - 3600 + 900 * k, k || i % 5 == 0);
        n->h.protocol = 70016;
        n->h.services = NODE_NETWORK | NODE_WITNESS;
        n->h.height = 850000;
        snprintf(n->user_agent, sizeof n->user_agent, "/Satoshi:27.%u.0/", i % 3);
        n->good = i % 5 == 0;
    } else {
        nodedb_health_record(&n->h, T0 - 1800, false);
    }
    n->source = NODEDB_SOURCE_PEER;
}

static int count_cb(const struct nodedb_node *n, void *ctx)
{
    (void)n;
    (*(size_t *)ctx)++;
    return 0;
}

static void time_export(nodedb_t *db, enum export_format fmt, const char *path)
{
    char err[256];
    double t = now_s();
    if (export_write(db, fmt, chain_by_name("main"), T0, path, err, sizeof err) != 0) {
        fprintf(stderr, "export: %s\n", err);
        exit(1);
    }
    struct stat st;
    stat(path, &st);
    printf("export %-4s            %8.3f s  (%.1f MB)\n", export_format_name(fmt), now_s() - t,
           (double)st.st_size / 1e6);
    unlink(path);
}

int main(int argc, char **argv)
{
    uint32_t total = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char path[400], out[512], err[256];
    snprintf(path, sizeof path, "%s/bench_nodedb.%d.db", dir, (int)getpid());
    nodedb_t *db;
    if (nodedb_open(path, NODEDB_CREATE, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    struct nodedb_node *batch = malloc(BATCH * sizeof *batch);
    double t = now_s(), worst = 0;
    for (uint32_t i = 0; i < total; i += BATCH) {
        uint32_t n = total - i < BATCH ? total - i : BATCH;
        for (uint32_t k = 0; k < n; k++)
            make_node(&batch[k], i + k);
        double b = now_s();
        if (nodedb_put_nodes(db, batch, n) != 0) {
            fprintf(stderr, "put: %s\n", nodedb_errmsg(db));
            return 1;
        }
        worst = now_s() - b > worst ? now_s() - b : worst;
    }
    double put = now_s() - t;
    printf("nodes                 %8" PRIu32 "\n", total);
    printf("insert                %8.3f s  (%.0f nodes/s, batches of %d, slowest %.1f ms)\n",
           put, total / put, BATCH, worst * 1e3);
    t = now_s();
    for (uint32_t k = 0; k < BATCH && k < total; k++)
        make_node(&batch[k], k);
    nodedb_put_nodes(db, batch, total < BATCH ? total : BATCH);
    printf("rewrite one batch     %8.1f ms\n", (now_s() - t) * 1e3);
    nodedb_close(db);

    if (nodedb_open(path, 0, &db, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    size_t n = 0;
    t = now_s();
    nodedb_load(db, count_cb, &n);
    printf("load all (restart)    %8.3f s  (%zu nodes)\n", now_s() - t, n);
    struct nodedb_good_node *good;
    t = now_s();
    nodedb_good_nodes(db, &good, &n);
    printf("good nodes (DNS)      %8.1f ms (%zu nodes)\n", (now_s() - t) * 1e3, n);
    free(good);
    struct nodedb_totals tot;
    t = now_s();
    nodedb_count(db, &tot);
    printf("totals                %8.1f ms\n", (now_s() - t) * 1e3);
    snprintf(out, sizeof out, "%s.export", path);
    time_export(db, EXPORT_DUMP, out);
    time_export(db, EXPORT_CSV, out);
    nodedb_close(db);
    struct stat st;
    stat(path, &st);
    printf("file size             %8.1f MB (%.0f bytes/node)\n", (double)st.st_size / 1e6,
           (double)st.st_size / total);
    free(batch);
    unlink(path);
    snprintf(out, sizeof out, "%s-wal", path);
    unlink(out);
    snprintf(out, sizeof out, "%s-shm", path);
    unlink(out);
    return 0;
}
