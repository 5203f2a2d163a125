#include "http/http_server.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "http/http_api.h"
#include "http/http_escape.h"
#include "http/http_overview.h"
#include "http/http_page.h"
#include "http/http_query.h"
#include "net/netaddr.h"
#include "nodedb/nodedb.h"
#include "util/errmsg.h"
#include "util/log.h"
#include "util/metrics.h"

#define NODE_PREFIX "/api/v1/node/"
/* A GET has no body; this only bounds what a confused client can send. */
#define HTTP_MAX_BODY_SIZE 4096

enum { CODE_200, CODE_400, CODE_404, CODE_405, CODE_500, NCODES };
static const int code_values[NCODES] = {200, 400, 404, 405, 500};

struct http_server {
    struct event_base *base;
    bool own_thread;
    pthread_t thread;
    int wake_fd;
    struct event *wake_ev;
    struct evhttp *http;
    nodedb_t *db;
    const chain_params_t *chain;
    unsigned refresh;
    char address[NETADDR_STRLEN];

    struct http_overview overview;
    bool have_overview;
    int64_t overview_at;

    metrics_counter_t *requests[NCODES];
    metrics_gauge_t *known[NODEDB_NETS], *tried[NODEDB_NETS], *reachable[NODEDB_NETS],
        *good[NODEDB_NETS];
    metrics_gauge_t *best_height;

    /* Out of descriptors, accept() fails while the connection stays queued:
     * the listener is paused for a second instead of spinning. */
    struct evconnlistener *listener;
    struct event *accept_retry;
    int64_t accept_warned_at;
    struct http_server *next_server; /* in `servers` */
};

/* libevent hands accept errors the evhttp's pointer, not ours: this list of
 * live servers maps one to the other. */
static pthread_mutex_t servers_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_server *servers;

static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    struct http_server *s = arg;
    evconnlistener_enable(s->listener);
}

static void on_accept_error(struct evconnlistener *lev, void *ctx)
{
    int err = EVUTIL_SOCKET_ERROR();
    struct http_server *s;
    pthread_mutex_lock(&servers_lock);
    for (s = servers; s && (void *)s->http != ctx; s = s->next_server)
        ;
    pthread_mutex_unlock(&servers_lock);
    if (!s)
        return;
    int64_t now = (int64_t)time(NULL);
    if (now - s->accept_warned_at >= 60) {
        log_warn("http: accept: %s; pausing new connections for a second", strerror(err));
        s->accept_warned_at = now;
    }
    evconnlistener_disable(lev);
    struct timeval second = {1, 0};
    evtimer_add(s->accept_retry, &second);
}

static void register_metrics(struct http_server *s)
{
    char labels[64];
    for (int i = 0; i < NCODES; i++) {
        snprintf(labels, sizeof labels, "code=%d", code_values[i]);
        s->requests[i] = metrics_counter("btcseed_http_requests_total",
                                         "HTTP requests answered by the status server, by "
                                         "status code.",
                                         labels);
    }
    for (int i = 0; i < NODEDB_NETS; i++) {
        snprintf(labels, sizeof labels, "network=%s", netaddr_net_name(nodedb_net_of_index(i)));
        s->known[i] = metrics_gauge("btcseed_nodes_known",
                                    "Addresses in the node database.", labels);
        s->tried[i] = metrics_gauge("btcseed_nodes_tried",
                                    "Addresses tested at least once.", labels);
        s->reachable[i] = metrics_gauge("btcseed_nodes_reachable",
                                        "Nodes whose latest test succeeded.", labels);
        s->good[i] = metrics_gauge("btcseed_nodes_good",
                                   "Nodes good enough to hand out in DNS answers.", labels);
    }
    s->best_height = metrics_gauge("btcseed_best_height",
                                   "Median start height of the reachable nodes.", NULL);
    metrics_gauge_set(metrics_gauge("btcseed_build_info",
                                    "The running btcseed's version (value always 1).",
                                    "version=" BTCSEED_VERSION),
                      1);
}

/* The cached overview, recomputed when older than HTTP_CACHE_SECONDS.
 * Returns NULL (and logs) if the database cannot be read. */
static const struct http_overview *overview(struct http_server *s)
{
    int64_t now = (int64_t)time(NULL);
    if (s->have_overview && now - s->overview_at < HTTP_CACHE_SECONDS && now >= s->overview_at)
        return &s->overview;
    struct http_overview fresh;
    char err[512];
    if (http_overview_load(s->db, now, &fresh, err, sizeof err) != 0) {
        log_warn("http: %s", err);
        return NULL;
    }
    http_overview_clear(&s->overview);
    s->overview = fresh;
    s->have_overview = true;
    s->overview_at = now;
    for (int i = 0; i < NODEDB_NETS; i++) {
        metrics_gauge_set(s->known[i], (double)fresh.totals.net[i].known);
        metrics_gauge_set(s->tried[i], (double)fresh.totals.net[i].tried);
        metrics_gauge_set(s->reachable[i], (double)fresh.totals.net[i].reachable);
        metrics_gauge_set(s->good[i], (double)fresh.totals.net[i].good);
    }
    metrics_gauge_set(s->best_height, fresh.best_height);
    return &s->overview;
}

static void reply(struct http_server *s, struct evhttp_request *req, int code,
                  const char *content_type, struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", content_type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "Content-Security-Policy",
                      strncmp(content_type, "text/html", 9) == 0 ? HTTP_PAGE_CSP
                                                                 : "default-src 'none'");
    if (code == 405)
        evhttp_add_header(h, "Allow", "GET, HEAD");
    const char *reason = code == 200   ? "OK"
                         : code == 400 ? "Bad Request"
                         : code == 404 ? "Not Found"
                         : code == 405 ? "Method Not Allowed"
                                       : "Internal Server Error";
    for (int i = 0; i < NCODES; i++)
        if (code_values[i] == code)
            metrics_counter_inc(s->requests[i]);
    evhttp_send_reply(req, code, reason, body);
}

#define JSON_TYPE "application/json"
#define TEXT_TYPE "text/plain; charset=utf-8"

static void json_error(struct http_server *s, struct evhttp_request *req, int code,
                       const char *message, struct evbuffer *body)
{
    evbuffer_drain(body, evbuffer_get_length(body));
    http_api_error(body, message);
    reply(s, req, code, JSON_TYPE, body);
}

/* Endpoints that take no parameters reject any, like the others do. */
static bool no_params(const char *query, char *err, size_t errsize)
{
    struct http_query q;
    if (http_query_split(query, &q, err, errsize) != 0)
        return false;
    if (q.n > 0) {
        errmsg_set(err, errsize, "unknown parameter '%s' (none taken)", q.p[0].key);
        return false;
    }
    return true;
}

static void handle_node(struct http_server *s, struct evhttp_request *req, const char *rest,
                        struct evbuffer *body)
{
    size_t len = 0;
    char *text = evhttp_uridecode(rest, 0, &len);
    if (!text || len != strlen(text)) { /* a %00 inside */
        free(text);
        json_error(s, req, HTTP_BAD_REQUEST, "bad address in the path", body);
        return;
    }
    const struct http_overview *o = overview(s);
    int code = http_api_node(body, s->db, text, s->chain, o ? o->best_height : 0,
                             (int64_t)time(NULL));
    free(text);
    reply(s, req, code, JSON_TYPE, body);
}

static void handle(struct evhttp_request *req, void *arg)
{
    struct http_server *s = arg;
    struct evbuffer *body = evbuffer_new();
    if (!body) {
        evhttp_send_error(req, HTTP_INTERNAL_ERROR, NULL);
        return;
    }
    enum evhttp_cmd_type method = evhttp_request_get_command(req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    char err[256];

    if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
        json_error(s, req, 405, "only GET and HEAD", body);
    } else if (!path) {
        json_error(s, req, HTTP_BAD_REQUEST, "bad request target", body);
    } else if (strcmp(path, "/") == 0) {
        const struct http_overview *o = overview(s);
        if (o) {
            http_page_render(body, o, s->chain, s->refresh);
            reply(s, req, HTTP_OK, "text/html; charset=utf-8", body);
        } else {
            HTTP_PUT(body, "the node database cannot be read; see the server's log\n");
            reply(s, req, HTTP_INTERNAL_ERROR, TEXT_TYPE, body);
        }
    } else if (strcmp(path, "/metrics") == 0) {
        overview(s); /* refreshes the database gauges */
        size_t len = 0;
        char *text = metrics_render(&len);
        if (text) {
            evbuffer_add(body, text, len);
            free(text);
            reply(s, req, HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body);
        } else {
            HTTP_PUT(body, "out of memory\n");
            reply(s, req, HTTP_INTERNAL_ERROR, TEXT_TYPE, body);
        }
    } else if (strcmp(path, "/api/v1/summary") == 0) {
        const struct http_overview *o;
        if (!no_params(query, err, sizeof err))
            json_error(s, req, HTTP_BAD_REQUEST, err, body);
        else if (!(o = overview(s)))
            json_error(s, req, HTTP_INTERNAL_ERROR, "the node database cannot be read", body);
        else
            reply(s, req, http_api_summary(body, o, s->chain), JSON_TYPE, body);
    } else if (strcmp(path, "/api/v1/nodes") == 0) {
        reply(s, req, http_api_nodes(body, s->db, query), JSON_TYPE, body);
    } else if (strcmp(path, "/api/v1/snapshots") == 0) {
        reply(s, req, http_api_snapshots(body, s->db, query), JSON_TYPE, body);
    } else if (strncmp(path, NODE_PREFIX, strlen(NODE_PREFIX)) == 0) {
        handle_node(s, req, path + strlen(NODE_PREFIX), body);
    } else if (strncmp(path, "/api/", 5) == 0) {
        json_error(s, req, HTTP_NOT_FOUND,
                   "no such endpoint (summary, nodes, snapshots, node/<address>)", body);
    } else {
        HTTP_PUT(body, "not found\n");
        reply(s, req, HTTP_NOT_FOUND, TEXT_TYPE, body);
    }
    evbuffer_free(body);
}

int http_listen_parse(const char *text, struct sockaddr_storage *ss, unsigned *len, char *err,
                      size_t errsize)
{
    netaddr_t a, b;
    socklen_t sl = 0;
    /* Parsed with two default ports: if they differ, none was given. */
    if (!text || netaddr_parse(text, 0, &a) != 0 || netaddr_parse(text, 1, &b) != 0 ||
        a.port != b.port || (a.net != NETADDR_IPV4 && a.net != NETADDR_IPV6) ||
        netaddr_to_sockaddr(&a, ss, &sl) != 0)
        return errmsg_set(err, errsize, "--http wants IP:PORT (e.g. 127.0.0.1:8080), not '%s'",
                          text ? text : "");
    *len = (unsigned)sl;
    return 0;
}

static void wake(evutil_socket_t fd, short what, void *arg)
{
    struct http_server *s = arg;
    uint64_t v;
    if (read(fd, &v, sizeof v) < 0 && errno != EAGAIN)
        log_warn("http: wake-up read: %s", strerror(errno));
    event_base_loopbreak(s->base);
}

static void *run_thread(void *arg)
{
    struct http_server *s = arg;
    event_base_dispatch(s->base);
    return NULL;
}

static void destroy(struct http_server *s)
{
    pthread_mutex_lock(&servers_lock);
    for (struct http_server **p = &servers; *p; p = &(*p)->next_server)
        if (*p == s) {
            *p = s->next_server;
            break;
        }
    pthread_mutex_unlock(&servers_lock);
    if (s->accept_retry)
        event_free(s->accept_retry);
    if (s->http)
        evhttp_free(s->http);
    if (s->wake_ev)
        event_free(s->wake_ev);
    if (s->wake_fd >= 0)
        close(s->wake_fd);
    if (s->own_thread && s->base)
        event_base_free(s->base);
    nodedb_close(s->db);
    http_overview_clear(&s->overview);
    free(s);
}

/* Starts the server's own thread with every signal blocked, so SIGINT and
 * SIGTERM still reach the main thread. */
static int start_thread(struct http_server *s, char *err, size_t errsize)
{
    s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (s->wake_fd < 0)
        return errmsg_set(err, errsize, "eventfd: %s", strerror(errno));
    s->wake_ev = event_new(s->base, s->wake_fd, EV_READ | EV_PERSIST, wake, s);
    if (!s->wake_ev || event_add(s->wake_ev, NULL) != 0)
        return errmsg_set(err, errsize, "cannot add the wake-up event");
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, run_thread, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return errmsg_set(err, errsize, "cannot start the HTTP thread: %s", strerror(rc));
    return 0;
}

int http_server_start(struct event_base *base, const struct http_server_config *cfg,
                      http_server_t **out, char *err, size_t errsize)
{
    *out = NULL;
    struct sockaddr_storage ss;
    unsigned sslen;
    if (http_listen_parse(cfg->listen, &ss, &sslen, err, errsize) != 0)
        return -1;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s)
        return errmsg_set(err, errsize, "out of memory");
    s->wake_fd = -1;
    s->chain = cfg->chain ? cfg->chain : chain_by_name("main");
    s->refresh = cfg->refresh_seconds;
    s->own_thread = base == NULL;
    s->base = base ? base : event_base_new();
    char dberr[512];
    if (!s->base) {
        errmsg_set(err, errsize, "cannot create an event loop");
        goto fail;
    }
    if (nodedb_open(cfg->db_path, NODEDB_READONLY, &s->db, dberr, sizeof dberr) != 0) {
        errmsg_set(err, errsize, "%s", dberr);
        goto fail;
    }
    s->http = evhttp_new(s->base);
    if (!s->http) {
        errmsg_set(err, errsize, "cannot create the HTTP server");
        goto fail;
    }
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(s->http, HTTP_TIMEOUT_SECONDS);
    evhttp_set_max_headers_size(s->http, HTTP_MAX_HEADERS_SIZE);
    evhttp_set_max_body_size(s->http, HTTP_MAX_BODY_SIZE);
    evhttp_set_gencb(s->http, handle, s);
    struct evconnlistener *listener = evconnlistener_new_bind(
        s->base, NULL, NULL, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
        HTTP_LISTEN_BACKLOG, (struct sockaddr *)&ss, (int)sslen);
    if (!listener) {
        errmsg_set(err, errsize, "cannot listen on %s: %s", cfg->listen, strerror(errno));
        goto fail;
    }
    if (!evhttp_bind_listener(s->http, listener)) {
        evconnlistener_free(listener);
        errmsg_set(err, errsize, "cannot serve HTTP on %s", cfg->listen);
        goto fail;
    }
    s->listener = listener;
    s->accept_retry = evtimer_new(s->base, on_accept_retry, s);
    if (!s->accept_retry) {
        errmsg_set(err, errsize, "cannot create a timer");
        goto fail;
    }
    pthread_mutex_lock(&servers_lock);
    s->next_server = servers;
    servers = s;
    pthread_mutex_unlock(&servers_lock);
    evconnlistener_set_error_cb(listener, on_accept_error);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    netaddr_t a;
    if (getsockname(evconnlistener_get_fd(listener), (struct sockaddr *)&bound, &blen) != 0 ||
        netaddr_from_sockaddr(&a, (struct sockaddr *)&bound, blen) != 0) {
        errmsg_set(err, errsize, "getsockname: %s", strerror(errno));
        goto fail;
    }
    netaddr_format(&a, s->address, sizeof s->address);
    register_metrics(s);
    if (s->own_thread && start_thread(s, err, errsize) != 0)
        goto fail;
    log_info("http: status page at http://%s/", s->address);
    *out = s;
    return 0;
fail:
    destroy(s); /* the thread is the last thing started: none runs here */
    return -1;
}

const char *http_server_address(const http_server_t *s) { return s->address; }

void http_server_free(http_server_t *s)
{
    if (!s)
        return;
    if (s->own_thread) {
        uint64_t one = 1;
        if (write(s->wake_fd, &one, sizeof one) != sizeof one)
            log_warn("http: cannot wake the server thread: %s", strerror(errno));
        pthread_join(s->thread, NULL);
    }
    destroy(s);
}
