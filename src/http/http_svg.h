/* http_svg -- line and bar charts drawn as inline SVG by the server, so the
 * status page needs no script and no external asset.
 *
 * Charts scale to their container (viewBox, width 100%). Each <svg> carries
 * class "chart line" or "chart bar", the given id, and data-points /
 * data-bars with the number of data items drawn, and each item is an element
 * of class "series" (a path per line) or "bar" (a <g> per bar) with a <title>
 * tooltip: a browser test (and a reader with a screen reader) can find them.
 * No xmlns attribute: inline SVG in HTML needs none, and so the page holds no
 * URL of any other host. */
#ifndef BTCSEED_HTTP_SVG_H
#define BTCSEED_HTTP_SVG_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* Width of the drawing in viewBox units: about the width a chart gets on a
 * page (half a desktop window), so 12-unit text shows near 12 px. */
#define HTTP_SVG_WIDTH 480
#define HTTP_SVG_MIN_WIDTH 240

struct http_svg_series {
    const char *name;  /* legend text */
    const char *color; /* CSS colour, e.g. "#1f77b4" */
    const double *y;   /* one value per x; NaN leaves a gap */
};

/* Draws nseries lines over n points whose x are unix times (increasing),
 * `width` viewBox units wide (HTTP_SVG_WIDTH, or more for a chart spanning
 * the page). With n == 0 it draws a "no data yet" placeholder. Times are
 * shown in UTC. */
void http_svg_line_chart(struct evbuffer *out, const char *id, const char *title, int width,
                         const int64_t *x, size_t n, const struct http_svg_series *series,
                         size_t nseries);

struct http_svg_bar {
    const char *label; /* any bytes (a user agent): escaped, long ones cut */
    size_t label_len;
    double value;      /* >= 0 */
};

/* Draws one horizontal bar per item, in the order given, scaled to the
 * largest value, with the exact value written after each bar. */
void http_svg_bar_chart(struct evbuffer *out, const char *id, const char *title,
                        const struct http_svg_bar *bars, size_t n, const char *color);

/* "950", "1.2k", "15k", "2.3M": short axis labels. */
void http_svg_format_count(char *buf, size_t size, double v);
/* 1234567 -> "1,234,567": exact figures (bar values, the page's cards). */
void http_svg_format_thousands(char *buf, size_t size, uint64_t v);

#endif
