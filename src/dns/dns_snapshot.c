#include "dns/dns_snapshot.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "p2p/msg.h"

static const uint64_t known_services[DNS_KNOWN_SERVICES] = {
    NODE_NETWORK, NODE_BLOOM, NODE_WITNESS, NODE_COMPACT_FILTERS, NODE_NETWORK_LIMITED,
    NODE_P2P_V2,
};

static const size_t family_len[2] = {4, 16};

int dns_filter_index(uint64_t services)
{
    int index = 0;
    for (int i = 0; i < DNS_KNOWN_SERVICES; i++) {
        if (services & known_services[i]) {
            index |= 1 << i;
            services &= ~known_services[i];
        }
    }
    return services ? -1 : index;
}

uint64_t dns_filter_services(unsigned index)
{
    uint64_t services = 0;
    for (int i = 0; i < DNS_KNOWN_SERVICES; i++)
        if (index & (1u << i))
            services |= known_services[i];
    return services;
}

/* The known bits of a node's services, unknown ones ignored. */
static unsigned filter_mask_of(uint64_t services)
{
    unsigned mask = 0;
    for (int i = 0; i < DNS_KNOWN_SERVICES; i++)
        if (services & known_services[i])
            mask |= 1u << i;
    return mask;
}

/* The sample of one filter and family, grouped by netgroup:
 * addresses group_start[g] .. group_start[g+1]-1 share netgroup g. */
struct dns_list {
    uint32_t count;
    uint32_t ngroups;
    uint32_t total; /* matching nodes in the input, sampled or not */
    uint32_t *group_start;
    uint8_t *addrs; /* count * family_len bytes, network order */
};

struct dns_snapshot {
    uint32_t serial;
    struct dns_list lists[DNS_FILTER_COUNT][2];
};

/* Scratch state for building one family's lists. Nodes are visited in a
 * random order fixed once, which makes every later pass a fair sample. */
struct family_scratch {
    size_t n;
    uint32_t *node;  /* index into the input, in random order */
    uint8_t *mask;   /* filter mask of that node */
    uint32_t *group; /* dense netgroup id of that node */
    uint32_t ngroups;
    uint32_t *rank;  /* per group: nodes of it seen so far in this pass */
    uint32_t *hist;  /* per rank below DNS_SNAPSHOT_SAMPLE: how many nodes have it */
    size_t mask_count[DNS_FILTER_COUNT];
};

static void family_scratch_free(struct family_scratch *fs)
{
    free(fs->node);
    free(fs->mask);
    free(fs->group);
    free(fs->rank);
    free(fs->hist);
}

/* Assigns dense ids 0..ngroups-1 to the netgroups through an open-addressing table. */
static int assign_groups(struct family_scratch *fs, const struct dns_node *nodes)
{
    size_t cap = 16;
    while (cap < fs->n * 2)
        cap <<= 1;
    uint64_t *keys = malloc(cap * sizeof *keys);
    uint32_t *ids = malloc(cap * sizeof *ids);
    bool *used = calloc(cap, sizeof *used);
    if (!keys || !ids || !used) {
        free(keys);
        free(ids);
        free(used);
        return -1;
    }
    uint32_t next = 0;
    for (size_t i = 0; i < fs->n; i++) {
        uint64_t g = netaddr_netgroup(&nodes[fs->node[i]].addr);
        uint64_t h = g * UINT64_C(0x9e3779b97f4a7c15);
        size_t slot = (size_t)(h >> 20) & (cap - 1);
        while (used[slot] && keys[slot] != g)
            slot = (slot + 1) & (cap - 1);
        if (!used[slot]) {
            used[slot] = true;
            keys[slot] = g;
            ids[slot] = next++;
        }
        fs->group[i] = ids[slot];
    }
    fs->ngroups = next;
    free(keys);
    free(ids);
    free(used);
    return 0;
}

static int family_scratch_init(struct family_scratch *fs, const struct dns_node *nodes, size_t n,
                               uint8_t net, struct dns_rng *rng)
{
    memset(fs, 0, sizeof *fs);
    for (size_t i = 0; i < n; i++)
        if (nodes[i].addr.net == net)
            fs->n++;
    fs->node = malloc((fs->n + 1) * sizeof *fs->node);
    fs->mask = malloc(fs->n + 1);
    fs->group = malloc((fs->n + 1) * sizeof *fs->group);
    if (!fs->node || !fs->mask || !fs->group)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n && k < fs->n; i++)
        if (nodes[i].addr.net == net)
            fs->node[k++] = (uint32_t)i;
    for (size_t i = fs->n; i > 1; i--) { /* Fisher-Yates */
        size_t j = dns_rng_below(rng, (uint32_t)i);
        uint32_t t = fs->node[i - 1];
        fs->node[i - 1] = fs->node[j];
        fs->node[j] = t;
    }
    for (size_t i = 0; i < fs->n; i++) {
        fs->mask[i] = (uint8_t)filter_mask_of(nodes[fs->node[i]].services);
        fs->mask_count[fs->mask[i]]++;
    }
    if (assign_groups(fs, nodes) < 0)
        return -1;
    fs->rank = malloc((fs->ngroups + 1) * sizeof *fs->rank);
    fs->hist = malloc(DNS_SNAPSHOT_SAMPLE * sizeof *fs->hist);
    return fs->rank && fs->hist ? 0 : -1;
}

struct pick_entry {
    uint32_t group;
    uint32_t pos; /* position in the scratch order */
};

static int compare_entries(const void *a, const void *b)
{
    const struct pick_entry *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

/* Chooses at most DNS_SNAPSHOT_SAMPLE matching nodes, preferring the first
 * nodes (in random order) of each netgroup: all first-of-group nodes before
 * any second-of-group node, and so on. Two passes: one to find the rank at
 * which the sample fills up, one to collect. */
static size_t select_sample(struct family_scratch *fs, unsigned filter, size_t total,
                            struct pick_entry *out)
{
    size_t quota = DNS_SNAPSHOT_SAMPLE;
    uint32_t threshold = UINT32_MAX; /* take every rank below it, plus `extra` at it */
    size_t extra = 0;
    if (total > quota) {
        uint32_t *hist = fs->hist;
        memset(hist, 0, DNS_SNAPSHOT_SAMPLE * sizeof *hist);
        memset(fs->rank, 0, fs->ngroups * sizeof *fs->rank);
        for (size_t i = 0; i < fs->n; i++) {
            if ((fs->mask[i] & filter) != filter)
                continue;
            uint32_t r = fs->rank[fs->group[i]]++;
            if (r < DNS_SNAPSHOT_SAMPLE)
                hist[r]++;
        }
        size_t below = 0;
        for (threshold = 0; threshold < DNS_SNAPSHOT_SAMPLE && below + hist[threshold] <= quota;
             threshold++)
            below += hist[threshold];
        extra = quota - below;
    }
    memset(fs->rank, 0, fs->ngroups * sizeof *fs->rank);
    size_t count = 0;
    for (size_t i = 0; i < fs->n && count < quota; i++) {
        if ((fs->mask[i] & filter) != filter)
            continue;
        uint32_t r = fs->rank[fs->group[i]]++;
        if (r < threshold || (r == threshold && extra > 0)) {
            if (r == threshold)
                extra--;
            out[count].group = fs->group[i];
            out[count].pos = (uint32_t)i;
            count++;
        }
    }
    return count;
}

static int build_list(struct dns_list *list, struct family_scratch *fs, const struct dns_node *nodes,
                      unsigned filter, enum dns_family fam, struct pick_entry *scratch)
{
    size_t total = 0;
    for (unsigned m = 0; m < DNS_FILTER_COUNT; m++)
        if ((m & filter) == filter)
            total += fs->mask_count[m];
    list->total = (uint32_t)total;
    if (total == 0)
        return 0;
    size_t count = select_sample(fs, filter, total, scratch);
    qsort(scratch, count, sizeof *scratch, compare_entries);
    size_t ngroups = 0;
    for (size_t i = 0; i < count; i++)
        if (i == 0 || scratch[i].group != scratch[i - 1].group)
            ngroups++;
    size_t alen = family_len[fam];
    list->group_start = malloc((ngroups + 1) * sizeof *list->group_start);
    list->addrs = malloc(count * alen);
    if (!list->group_start || !list->addrs)
        return -1;
    size_t g = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == 0 || scratch[i].group != scratch[i - 1].group)
            list->group_start[g++] = (uint32_t)i;
        memcpy(list->addrs + i * alen, nodes[fs->node[scratch[i].pos]].addr.bytes, alen);
    }
    list->group_start[g] = (uint32_t)count;
    list->count = (uint32_t)count;
    list->ngroups = (uint32_t)ngroups;
    return 0;
}

dns_snapshot_t *dns_snapshot_build(const struct dns_node *nodes, size_t n, uint32_t serial,
                                   uint64_t seed)
{
    if (n > UINT32_MAX)
        return NULL;
    dns_snapshot_t *s = calloc(1, sizeof *s);
    struct pick_entry *scratch = malloc(DNS_SNAPSHOT_SAMPLE * sizeof *scratch);
    if (!s || !scratch)
        goto fail;
    s->serial = serial;
    struct dns_rng rng;
    dns_rng_seed_from(&rng, seed);
    static const uint8_t nets[2] = {NETADDR_IPV4, NETADDR_IPV6};
    for (int fam = 0; fam < 2; fam++) {
        struct family_scratch fs;
        if (family_scratch_init(&fs, nodes, n, nets[fam], &rng) < 0) {
            family_scratch_free(&fs);
            goto fail;
        }
        for (unsigned f = 0; f < DNS_FILTER_COUNT; f++) {
            if (build_list(&s->lists[f][fam], &fs, nodes, f, (enum dns_family)fam, scratch) < 0) {
                family_scratch_free(&fs);
                goto fail;
            }
        }
        family_scratch_free(&fs);
    }
    free(scratch);
    return s;
fail:
    free(scratch);
    dns_snapshot_free(s);
    return NULL;
}

void dns_snapshot_free(dns_snapshot_t *s)
{
    if (!s)
        return;
    for (unsigned f = 0; f < DNS_FILTER_COUNT; f++) {
        for (int fam = 0; fam < 2; fam++) {
            free(s->lists[f][fam].group_start);
            free(s->lists[f][fam].addrs);
        }
    }
    free(s);
}

uint32_t dns_snapshot_serial(const dns_snapshot_t *s) { return s->serial; }

size_t dns_snapshot_total(const dns_snapshot_t *s, unsigned index, enum dns_family fam)
{
    return index < DNS_FILTER_COUNT ? s->lists[index][fam].total : 0;
}

static bool contains(const uint32_t *set, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == v)
            return true;
    return false;
}

/* Robert Floyd's algorithm: k distinct values of [0, n) in O(k^2) without
 * touching n-sized memory (k <= DNS_PICK_MAX). Leaves them in random order. */
static void sample_distinct(uint32_t n, size_t k, struct dns_rng *rng, uint32_t *out)
{
    size_t m = 0;
    for (uint32_t j = n - (uint32_t)k; j < n; j++) {
        uint32_t t = dns_rng_below(rng, j + 1);
        out[m] = contains(out, m, t) ? j : t;
        m++;
    }
    for (size_t i = k; i > 1; i--) { /* Floyd's order is not uniform: shuffle */
        size_t r = dns_rng_below(rng, (uint32_t)i);
        uint32_t tmp = out[i - 1];
        out[i - 1] = out[r];
        out[r] = tmp;
    }
}

size_t dns_snapshot_pick(const dns_snapshot_t *s, unsigned index, enum dns_family fam,
                         size_t max, struct dns_rng *rng, const uint8_t **out)
{
    if (!s || index >= DNS_FILTER_COUNT)
        return 0;
    const struct dns_list *l = &s->lists[index][fam];
    size_t alen = family_len[fam];
    if (max > DNS_PICK_MAX)
        max = DNS_PICK_MAX;
    size_t k = max < l->count ? max : l->count;
    if (k == 0)
        return 0;
    uint32_t chosen[DNS_PICK_MAX];
    if (l->ngroups >= k) {
        /* Enough netgroups: k distinct groups, one random member of each. */
        sample_distinct(l->ngroups, k, rng, chosen);
        for (size_t i = 0; i < k; i++) {
            uint32_t g = chosen[i];
            uint32_t size = l->group_start[g + 1] - l->group_start[g];
            out[i] = l->addrs + (size_t)(l->group_start[g] + dns_rng_below(rng, size)) * alen;
        }
        return k;
    }
    /* Too few groups: every group once, then distinct others at random. */
    size_t m = 0;
    for (uint32_t g = 0; g < l->ngroups; g++) {
        uint32_t size = l->group_start[g + 1] - l->group_start[g];
        chosen[m++] = l->group_start[g] + dns_rng_below(rng, size);
    }
    uint32_t more[DNS_PICK_MAX];
    sample_distinct(l->count, k, rng, more);
    for (size_t i = 0; i < k && m < k; i++)
        if (!contains(chosen, l->ngroups, more[i]))
            chosen[m++] = more[i];
    for (size_t i = m; i > 1; i--) {
        size_t r = dns_rng_below(rng, (uint32_t)i);
        uint32_t tmp = chosen[i - 1];
        chosen[i - 1] = chosen[r];
        chosen[r] = tmp;
    }
    for (size_t i = 0; i < m; i++)
        out[i] = l->addrs + (size_t)chosen[i] * alen;
    return m;
}

/* ---- publisher ---- */

#define DNS_CACHE_LINE 64

struct reader_slot {
    _Atomic(dns_snapshot_t *) pinned;
    atomic_bool claimed;
    char pad[DNS_CACHE_LINE - sizeof(dns_snapshot_t *) - sizeof(atomic_bool)];
};

struct dns_publisher {
    _Atomic(dns_snapshot_t *) current;
    struct reader_slot *slots;
    unsigned nslots;
    pthread_mutex_t write_lock; /* writers only */
    dns_snapshot_t **retired;   /* swapped out, maybe still pinned */
    size_t nretired;
    size_t retired_cap;
    uint64_t last_hash;
    uint32_t last_serial;
    bool published;
    struct dns_rng rng;
};

dns_publisher_t *dns_publisher_new(unsigned readers)
{
    dns_publisher_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->slots = calloc(readers ? readers : 1, sizeof *p->slots);
    if (!p->slots || pthread_mutex_init(&p->write_lock, NULL) != 0) {
        free(p->slots);
        free(p);
        return NULL;
    }
    p->nslots = readers;
    atomic_init(&p->current, NULL);
    dns_rng_seed(&p->rng);
    return p;
}

void dns_publisher_free(dns_publisher_t *p)
{
    if (!p)
        return;
    dns_snapshot_free(atomic_load(&p->current));
    for (size_t i = 0; i < p->nretired; i++)
        dns_snapshot_free(p->retired[i]);
    free(p->retired);
    free(p->slots);
    pthread_mutex_destroy(&p->write_lock);
    free(p);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Order-independent digest of the node set, to tell whether the SOA serial must move. */
static uint64_t nodes_digest(const struct dns_node *nodes, size_t n)
{
    uint64_t sum = n, xor = 0;
    for (size_t i = 0; i < n; i++) {
        const netaddr_t *a = &nodes[i].addr;
        uint64_t h = mix64(a->net ^ ((uint64_t)a->port << 8) ^ (nodes[i].services << 24));
        for (size_t j = 0; j < sizeof a->bytes; j += 8) {
            uint64_t w;
            memcpy(&w, a->bytes + j, 8);
            h = mix64(h ^ w);
        }
        sum += h;
        xor ^= mix64(h);
    }
    return sum ^ mix64(xor);
}

static bool is_pinned(const dns_publisher_t *p, const dns_snapshot_t *s)
{
    for (unsigned i = 0; i < p->nslots; i++)
        if (atomic_load(&p->slots[i].pinned) == s)
            return true;
    return false;
}

int dns_publisher_publish(dns_publisher_t *p, const struct dns_node *nodes, size_t n)
{
    pthread_mutex_lock(&p->write_lock);
    uint64_t digest = nodes_digest(nodes, n);
    uint32_t serial = p->last_serial;
    if (!p->published || digest != p->last_hash) {
        uint32_t now = (uint32_t)time(NULL);
        serial = (p->published && now <= p->last_serial) ? p->last_serial + 1 : now;
    }
    int rc = -1;
    if (p->nretired == p->retired_cap) {
        size_t cap = p->retired_cap ? p->retired_cap * 2 : 8;
        dns_snapshot_t **r = realloc(p->retired, cap * sizeof *r);
        if (!r)
            goto out;
        p->retired = r;
        p->retired_cap = cap;
    }
    dns_snapshot_t *s = dns_snapshot_build(nodes, n, serial, dns_rng_next(&p->rng));
    if (!s)
        goto out;
    dns_snapshot_t *old = atomic_exchange(&p->current, s);
    if (old)
        p->retired[p->nretired++] = old;
    size_t keep = 0;
    for (size_t i = 0; i < p->nretired; i++) {
        if (is_pinned(p, p->retired[i]))
            p->retired[keep++] = p->retired[i];
        else
            dns_snapshot_free(p->retired[i]);
    }
    p->nretired = keep;
    p->last_hash = digest;
    p->last_serial = serial;
    p->published = true;
    rc = 0;
out:
    pthread_mutex_unlock(&p->write_lock);
    return rc;
}

int dns_publisher_reader(dns_publisher_t *p)
{
    for (unsigned i = 0; i < p->nslots; i++) {
        bool expected = false;
        if (atomic_compare_exchange_strong(&p->slots[i].claimed, &expected, true))
            return (int)i;
    }
    return -1;
}

void dns_publisher_reader_release(dns_publisher_t *p, int slot)
{
    atomic_store(&p->slots[slot].pinned, NULL);
    atomic_store(&p->slots[slot].claimed, false);
}

const dns_snapshot_t *dns_publisher_enter(dns_publisher_t *p, int slot)
{
    struct reader_slot *rs = &p->slots[slot];
    dns_snapshot_t *s;
    /* Announce, then check the announcement was in time (hazard pointer). */
    do {
        s = atomic_load(&p->current);
        atomic_store(&rs->pinned, s);
    } while (atomic_load(&p->current) != s);
    return s;
}

void dns_publisher_leave(dns_publisher_t *p, int slot)
{
    atomic_store(&p->slots[slot].pinned, NULL);
}
