/* bench_http -- figures for the status server over a node database, in both
 * ways it runs: on its own thread (http_server_start with no event base, as
 * the crawler uses it) and on a caller's event loop (as `btcseed status`
 * does), each serving on 127.0.0.1 with a kernel-chosen port.
 *
 *   bench_http DB [SECONDS]
 *
 * Prints the cost of one overview (the scan behind the page), the first and
 * the cached page, and requests per second for the page, /api/v1/nodes with
 * 1000 rows and /metrics, each for about SECONDS (default 2) per mode. Every
 * reply is checked (status 200, a body of the right kind); exit 1 if any is
 * wrong. Run it in a loopback-only network namespace:
 *   unshare -n sh -c 'ip link set lo up; build/bench_http nodes.db' */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "http/http_overview.h"
#include "http/http_server.h"
#include "nodedb/nodedb.h"

#define MAX_REPLY (64 << 20)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One HTTP/1.0 GET; returns the status code and the body in *body (malloc'd). */
static int get(const char *address, const char *path, char **body, size_t *len)
{
    char host[64];
    int port;
    if (sscanf(address, "127.0.0.1:%d", &port) != 1)
        return -1;
    snprintf(host, sizeof host, "127.0.0.1");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path, address);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    size_t cap = 1 << 16, used = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (used == cap) {
            if (cap >= MAX_REPLY)
                break;
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + used, cap - used);
        if (r <= 0)
            break;
        used += (size_t)r;
    }
    close(fd);
    buf[used] = '\0';
    int status = -1;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    char *start = strstr(buf, "\r\n\r\n");
    *len = start ? used - (size_t)(start + 4 - buf) : 0;
    *body = malloc(*len + 1);
    memcpy(*body, start ? start + 4 : "", *len);
    (*body)[*len] = '\0';
    free(buf);
    return status;
}

/* GET path, checking the reply; returns its size or -1. */
static long fetch(const char *address, const char *path, const char *must_contain)
{
    char *body;
    size_t len;
    int status = get(address, path, &body, &len);
    bool ok = status == 200 && strstr(body, must_contain);
    if (!ok)
        fprintf(stderr, "bench_http: GET %s: status %d, %zu bytes\n", path, status, len);
    free(body);
    return ok ? (long)len : -1;
}

struct load {
    const char *path, *must;
};

static int measure(const char *mode, const char *address, double seconds)
{
    double t0 = now_s();
    long size = fetch(address, "/", "chart-nodes");
    double first = now_s() - t0;
    if (size < 0)
        return -1;
    printf("%s: first page %.1f ms (%ld bytes)\n", mode, first * 1e3, size);
    const struct load loads[] = {
        {"/", "chart-agents"},
        {"/api/v1/nodes?limit=1000", "\"total\":"},
        {"/metrics", "btcseed_nodes_known"},
    };
    for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++) {
        unsigned count = 0;
        double start = now_s(), end;
        do {
            if (fetch(address, loads[i].path, loads[i].must) < 0)
                return -1;
            count++;
            end = now_s();
        } while (end - start < seconds);
        printf("%s: GET %-26s %7.0f requests/s (%.2f ms each)\n", mode, loads[i].path,
               count / (end - start), (end - start) / count * 1e3);
    }
    return 0;
}

static void *loop_thread(void *arg)
{
    event_base_dispatch(arg);
    return NULL;
}

static void stop_loop(evutil_socket_t fd, short what, void *arg) { event_base_loopbreak(arg); }

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_http DB [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 2;
    char err[512];

    nodedb_t *db;
    if (nodedb_open(argv[1], NODEDB_READONLY, &db, err, sizeof err) != 0) {
        fprintf(stderr, "bench_http: %s\n", err);
        return 1;
    }
    struct http_overview o;
    double t0 = now_s();
    if (http_overview_load(db, (int64_t)time(NULL), &o, err, sizeof err) != 0) {
        fprintf(stderr, "bench_http: %s\n", err);
        return 1;
    }
    printf("overview: %.1f ms for %llu known, %llu reachable nodes, %zu snapshot rows\n",
           (now_s() - t0) * 1e3, (unsigned long long)o.totals.all.known,
           (unsigned long long)o.reachable, o.nsnapshots);
    http_overview_clear(&o);
    nodedb_close(db);

    const struct http_server_config cfg = {.listen = "127.0.0.1:0", .db_path = argv[1]};
    int rc = 0;

    /* Its own thread. */
    http_server_t *s;
    if (http_server_start(NULL, &cfg, &s, err, sizeof err) != 0) {
        fprintf(stderr, "bench_http: %s\n", err);
        return 1;
    }
    rc |= measure("own thread", http_server_address(s), seconds);
    http_server_free(s);

    /* A caller's loop, run here on a thread of ours as a crawler runs its
     * loop. */
    struct event_base *base = event_base_new();
    if (http_server_start(base, &cfg, &s, err, sizeof err) != 0) {
        fprintf(stderr, "bench_http: %s\n", err);
        return 1;
    }
    /* The loop's owner stops it through a pipe it watches (libevent here is
     * not set up for calls from other threads). */
    int wake[2];
    if (pipe(wake) != 0)
        return 1;
    struct event *stop = event_new(base, wake[0], EV_READ, stop_loop, base);
    event_add(stop, NULL);
    pthread_t t;
    pthread_create(&t, NULL, loop_thread, base);
    rc |= measure("caller's loop", http_server_address(s), seconds);
    if (write(wake[1], "x", 1) != 1)
        return 1;
    pthread_join(t, NULL);
    event_free(stop);
    close(wake[0]);
    close(wake[1]);
    http_server_free(s);
    event_base_free(base);
    return rc ? 1 : 0;
}
