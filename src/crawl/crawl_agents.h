/* crawl_agents -- interned user agent strings.
 *
 * A network has a few hundred distinct user agents among tens of thousands
 * of nodes, so each node keeps a 16-bit id instead of a string. The table is
 * capped: past CRAWL_AGENTS_MAX distinct strings (only a hostile network gets
 * there) new strings map to id 0, the empty string. */
#ifndef BTCSEED_CRAWL_AGENTS_H
#define BTCSEED_CRAWL_AGENTS_H

#include <stddef.h>
#include <stdint.h>

#define CRAWL_AGENTS_MAX 65535

typedef struct crawl_agents crawl_agents_t;

crawl_agents_t *crawl_agents_new(void);
void crawl_agents_free(crawl_agents_t *a);
/* Returns the id of `agent` (NUL-terminated), adding it if new. */
uint16_t crawl_agents_intern(crawl_agents_t *a, const char *agent);
/* The string of an id; "" for 0 or an unknown id. Valid until the table is freed. */
const char *crawl_agents_get(const crawl_agents_t *a, uint16_t id);
size_t crawl_agents_count(const crawl_agents_t *a);

#endif
