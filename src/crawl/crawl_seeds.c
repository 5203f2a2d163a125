#include "crawl/crawl_seeds.h"

#include <arpa/nameser.h>
#include <ares.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define DNS_PORT 53
#define DEFAULT_TIMEOUT_MS 10000
/* c-ares doubles the per-try timeout each round: with one nameserver and
 * three tries a name takes at most 1 + 2 + 4 = 7 per-try timeouts. */
#define ARES_TRIES 3
#define ARES_TIMEOUT_SHARES 7
#define MIN_TRY_TIMEOUT_MS 100
/* DNS names are at most 253 characters; "x<16 hex digits>." comes on top. */
#define MAX_SEED_LEN 253
#define MAX_NAME_LEN (MAX_SEED_LEN + 18)
/* At most this many records are taken from one answer (a TCP answer could
 * carry thousands); seeds return a few dozen. */
#define MAX_RECORDS_PER_ANSWER 256

enum family_index { FAMILY_A, FAMILY_AAAA, FAMILY_COUNT };

struct seed_lookup;

/* One of the two queries of a seed; the c-ares callback argument. */
struct family_query {
    struct seed_lookup *lookup;
    int type; /* ns_t_a or ns_t_aaaa */
};

struct seed_lookup {
    crawl_seeds_t *owner;
    struct family_query family[FAMILY_COUNT];
    int outstanding; /* queries not yet answered */
    size_t found;    /* addresses reported */
    int error;       /* first c-ares status that was not success/no data */
    char seed[MAX_SEED_LEN + 1];
};

/* An event watching one c-ares socket. Slots are reused, never freed before
 * the resolver itself: c-ares may close a socket from inside that socket's
 * own event callback. */
struct fd_watch {
    struct fd_watch *next;
    crawl_seeds_t *owner;
    ares_socket_t fd; /* ARES_SOCKET_BAD when the slot is free */
    struct event ev;
};

struct crawl_seeds {
    struct event_base *base;
    ares_channel channel;
    bool channel_ready;
    struct event timer;
    struct fd_watch *watches;
    crawl_seeds_addr_cb on_addr;
    crawl_seeds_done_cb on_done;
    void *arg;
    uint64_t services;
    uint16_t port;
    size_t pending;
    int depth;       /* > 0 while inside c-ares (and so maybe a user callback) */
    bool dying;      /* crawl_seeds_free was called inside a callback */
    bool destroying; /* ares_destroy is cancelling: no user callbacks */
};

static void destroy_now(crawl_seeds_t *s);

/* ---- driving c-ares from libevent --------------------------------------- */

static void reschedule_timer(crawl_seeds_t *s)
{
    struct timeval tv;
    if (ares_timeout(s->channel, NULL, &tv))
        evtimer_add(&s->timer, &tv);
    else
        evtimer_del(&s->timer);
}

/* Every entry into c-ares from the event loop goes through here, so a free
 * requested from a callback happens only once c-ares has returned. */
static void process(crawl_seeds_t *s, ares_socket_t read_fd, ares_socket_t write_fd)
{
    s->depth++;
    ares_process_fd(s->channel, read_fd, write_fd);
    s->depth--;
    if (s->depth == 0 && s->dying) {
        destroy_now(s);
        return;
    }
    reschedule_timer(s);
}

static void on_socket_event(evutil_socket_t fd, short what, void *arg)
{
    struct fd_watch *w = arg;
    process(w->owner, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
            (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    process(arg, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* c-ares says what it wants to hear about on a socket (nothing: it closed). */
static void on_socket_state(void *data, ares_socket_t fd, int readable, int writable)
{
    crawl_seeds_t *s = data;
    struct fd_watch *w, *free_slot = NULL;
    for (w = s->watches; w; w = w->next) {
        if (w->fd == fd)
            break;
        if (w->fd == ARES_SOCKET_BAD && !free_slot)
            free_slot = w;
    }
    if (w)
        event_del(&w->ev);
    if (!readable && !writable) {
        if (w)
            w->fd = ARES_SOCKET_BAD;
        return;
    }
    if (!w) {
        w = free_slot;
        if (!w) {
            w = calloc(1, sizeof *w);
            if (!w) {
                /* The query on this socket then runs into its timeout. */
                log_error("seeds: out of memory watching a DNS socket");
                return;
            }
            w->owner = s;
            w->next = s->watches;
            s->watches = w;
        }
        w->fd = fd;
    }
    short what = EV_PERSIST | (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
    event_assign(&w->ev, s->base, fd, what, on_socket_event, w);
    event_add(&w->ev, NULL);
}

/* ---- answers ------------------------------------------------------------ */

static void report(struct seed_lookup *q, netaddr_t *a)
{
    crawl_seeds_t *s = q->owner;
    q->found++;
    if (!s->dying)
        s->on_addr(a, q->seed, s->arg);
}

static int take_answer(struct family_query *fq, const unsigned char *abuf, int alen)
{
    struct seed_lookup *q = fq->lookup;
    uint16_t port = q->owner->port;
    netaddr_t a;
    int n = MAX_RECORDS_PER_ANSWER, status;
    if (fq->type == ns_t_a) {
        struct ares_addrttl recs[MAX_RECORDS_PER_ANSWER];
        status = ares_parse_a_reply(abuf, alen, NULL, recs, &n);
        for (int i = 0; status == ARES_SUCCESS && i < n; i++) {
            netaddr_set_ipv4(&a, (const uint8_t *)&recs[i].ipaddr, port);
            report(q, &a);
        }
    } else {
        struct ares_addr6ttl recs[MAX_RECORDS_PER_ANSWER];
        status = ares_parse_aaaa_reply(abuf, alen, NULL, recs, &n);
        for (int i = 0; status == ARES_SUCCESS && i < n; i++) {
            netaddr_set_ipv6(&a, (const uint8_t *)&recs[i].ip6addr, port);
            report(q, &a);
        }
    }
    return status;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct family_query *fq = arg;
    struct seed_lookup *q = fq->lookup;
    crawl_seeds_t *s = q->owner;

    if (status == ARES_SUCCESS && !s->destroying)
        status = take_answer(fq, abuf, alen);
    /* "No data" for one family is normal (an IPv4-only seed): it only
     * counts as the reason if the other family fails too. */
    if (status != ARES_SUCCESS && status != ARES_ENODATA && q->error == ARES_SUCCESS)
        q->error = status;
    if (--q->outstanding > 0)
        return;

    s->pending--;
    if (!s->destroying && !s->dying) {
        if (q->found > 0)
            s->on_done(q->seed, 0, NULL, s->arg);
        else
            s->on_done(q->seed, -1,
                       q->error != ARES_SUCCESS ? ares_strerror(q->error) : "no addresses",
                       s->arg);
    }
    free(q);
}

/* ---- public interface --------------------------------------------------- */

/* "IP", "IP:PORT" or "[IPv6]:PORT" into the form c-ares takes. */
static int resolver_csv(const char *text, char *csv, size_t size)
{
    netaddr_t a;
    if (netaddr_parse(text, DNS_PORT, &a) != 0 ||
        (a.net != NETADDR_IPV4 && a.net != NETADDR_IPV6 && a.net != NETADDR_CJDNS) || a.port == 0)
        return -1;
    netaddr_format(&a, csv, size);
    return 0;
}

int crawl_seeds_new(struct event_base *base, const struct crawl_seeds_config *cfg,
                    crawl_seeds_addr_cb on_addr, crawl_seeds_done_cb on_done, void *arg,
                    crawl_seeds_t **out, char *err, size_t errlen)
{
    struct ares_options opts;
    char csv[NETADDR_STRLEN];
    int budget = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    int rc;

    if (cfg->resolver && resolver_csv(cfg->resolver, csv, sizeof csv) != 0) {
        snprintf(err, errlen, "bad resolver address '%s' (want IP:PORT)", cfg->resolver);
        return -1;
    }
    crawl_seeds_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    s->base = base;
    s->on_addr = on_addr;
    s->on_done = on_done;
    s->arg = arg;
    s->services = cfg->services;
    s->port = cfg->port;
    evtimer_assign(&s->timer, base, on_timer, s);

    rc = ares_library_init(ARES_LIB_INIT_ALL);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        free(s);
        return -1;
    }
    memset(&opts, 0, sizeof opts);
    opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    opts.timeout = budget / ARES_TIMEOUT_SHARES;
    if (opts.timeout < MIN_TRY_TIMEOUT_MS)
        opts.timeout = MIN_TRY_TIMEOUT_MS;
    opts.tries = ARES_TRIES;
    opts.sock_state_cb = on_socket_state;
    opts.sock_state_cb_data = s;
    rc = ares_init_options(&s->channel, &opts,
                           ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                               ARES_OPT_SOCK_STATE_CB);
    if (rc != ARES_SUCCESS) {
        snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
        ares_library_cleanup();
        free(s);
        return -1;
    }
    s->channel_ready = true;
    if (cfg->resolver) {
        rc = ares_set_servers_ports_csv(s->channel, csv);
        if (rc != ARES_SUCCESS) {
            snprintf(err, errlen, "resolver %s: %s", cfg->resolver, ares_strerror(rc));
            crawl_seeds_free(s);
            return -1;
        }
    }
    *out = s;
    return 0;
}

int crawl_seeds_query(crawl_seeds_t *s, const char *seed)
{
    char name[MAX_NAME_LEN + 1];
    size_t len = strlen(seed);
    if (s->dying || len == 0 || len > MAX_SEED_LEN)
        return -1;
    if (s->services)
        snprintf(name, sizeof name, "x%" PRIx64 ".%s", s->services, seed);
    else
        snprintf(name, sizeof name, "%s", seed);

    struct seed_lookup *q = calloc(1, sizeof *q);
    if (!q)
        return -1;
    q->owner = s;
    memcpy(q->seed, seed, len + 1);
    q->outstanding = FAMILY_COUNT;
    q->family[FAMILY_A] = (struct family_query){q, ns_t_a};
    q->family[FAMILY_AAAA] = (struct family_query){q, ns_t_aaaa};
    s->pending++;
    log_debug("seeds: querying %s", name);

    /* c-ares may answer (with an error) before ares_query returns, and the
     * last answer frees q: take nothing from q after the second call. */
    s->depth++;
    ares_query(s->channel, name, ns_c_in, ns_t_a, on_answer, &q->family[FAMILY_A]);
    ares_query(s->channel, name, ns_c_in, ns_t_aaaa, on_answer, &q->family[FAMILY_AAAA]);
    s->depth--;
    if (s->depth == 0 && s->dying) {
        destroy_now(s);
        return 0;
    }
    reschedule_timer(s);
    return 0;
}

size_t crawl_seeds_pending(const crawl_seeds_t *s) { return s->pending; }

static void destroy_now(crawl_seeds_t *s)
{
    s->destroying = true;
    if (s->channel_ready) {
        ares_destroy(s->channel); /* cancels the rest: on_answer frees them */
        ares_library_cleanup();
    }
    evtimer_del(&s->timer);
    while (s->watches) {
        struct fd_watch *w = s->watches;
        s->watches = w->next;
        if (w->fd != ARES_SOCKET_BAD)
            event_del(&w->ev);
        free(w);
    }
    free(s);
}

void crawl_seeds_free(crawl_seeds_t *s)
{
    if (!s)
        return;
    if (s->depth > 0) {
        s->dying = true; /* finished by process() once c-ares returns */
        return;
    }
    destroy_now(s);
}
