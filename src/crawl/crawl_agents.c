#include "crawl/crawl_agents.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 4096 /* power of two */

struct crawl_agents {
    char **strings;     /* by id; strings[0] is unused (the empty string) */
    uint16_t *next;     /* next id in the same bucket */
    uint16_t buckets[BUCKETS];
    size_t count;       /* ids handed out, including 0 */
    size_t cap;
};

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h & (BUCKETS - 1);
}

crawl_agents_t *crawl_agents_new(void)
{
    crawl_agents_t *a = calloc(1, sizeof *a);
    if (a)
        a->count = 1;
    return a;
}

void crawl_agents_free(crawl_agents_t *a)
{
    if (!a)
        return;
    for (size_t i = 1; i < a->count; i++)
        free(a->strings[i]);
    free(a->strings);
    free(a->next);
    free(a);
}

uint16_t crawl_agents_intern(crawl_agents_t *a, const char *agent)
{
    if (!agent[0])
        return 0;
    uint32_t b = hash_str(agent);
    for (uint16_t id = a->buckets[b]; id; id = a->next[id])
        if (strcmp(a->strings[id], agent) == 0)
            return id;
    if (a->count > CRAWL_AGENTS_MAX)
        return 0;
    if (a->count >= a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        char **s = realloc(a->strings, cap * sizeof *s);
        if (!s)
            return 0;
        a->strings = s;
        uint16_t *n = realloc(a->next, cap * sizeof *n);
        if (!n)
            return 0;
        a->next = n;
        a->cap = cap;
    }
    char *copy = strdup(agent);
    if (!copy)
        return 0;
    uint16_t id = (uint16_t)a->count++;
    a->strings[id] = copy;
    a->next[id] = a->buckets[b];
    a->buckets[b] = id;
    return id;
}

const char *crawl_agents_get(const crawl_agents_t *a, uint16_t id)
{
    return id && id < a->count ? a->strings[id] : "";
}

size_t crawl_agents_count(const crawl_agents_t *a) { return a->count - 1; }
