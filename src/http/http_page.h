/* http_page -- the status page: one self-contained HTML document (inline CSS
 * and SVG, no script, no external asset, no URL of another host) that
 * refreshes itself and reads well from a phone's width up. */
#ifndef BTCSEED_HTTP_PAGE_H
#define BTCSEED_HTTP_PAGE_H

#include "http/http_overview.h"
#include "net/chain.h"

struct evbuffer;

/* Most points a time-series chart draws (one per ~pixel of its width). */
#define HTTP_PAGE_MAX_POINTS 600
#define HTTP_PAGE_DEFAULT_REFRESH 60

/* The Content-Security-Policy the server sends with the page: nothing may
 * be loaded from anywhere, inline styles excepted. */
#define HTTP_PAGE_CSP                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
    "form-action 'none'; frame-ancestors 'none'"

void http_page_render(struct evbuffer *out, const struct http_overview *o,
                      const chain_params_t *chain, unsigned refresh_seconds);

#endif
