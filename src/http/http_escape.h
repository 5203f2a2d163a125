/* http_escape -- text from peers (user agents) made safe for JSON, HTML and
 * SVG.
 *
 * Peers send any bytes as their user agent. Both escapers decode the input
 * with util/utf8 (each maximal ill-formed subpart becomes one U+FFFD, as
 * Python's and browsers' decoders do it), so the output is always valid
 * UTF-8 and says what any reader of the raw bytes would see. */
#ifndef BTCSEED_HTTP_ESCAPE_H
#define BTCSEED_HTTP_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* Appends a string literal (its length known at compile time). */
#define HTTP_PUT(out, lit) evbuffer_add((out), (lit), sizeof(lit) - 1)

/* Appends the JSON string body (no surrounding quotes) of s: `"` `\` and
 * control characters escaped, `<` `>` `&` U+2028 U+2029 as \uXXXX too (so the
 * JSON is safe inside a <script> or an HTML attribute). */
void http_json_escape(struct evbuffer *out, const char *s, size_t len);

/* Appends s as HTML/XML text or attribute value: & < > " ' as entities;
 * control characters other than tab and newline (not allowed in XML 1.0)
 * become U+FFFD. At most `max_chars` code points are written (0: no limit);
 * a longer text ends in an ellipsis. */
void http_html_escape(struct evbuffer *out, const char *s, size_t len, size_t max_chars);

/* http_html_escape of a NUL-terminated string, no limit. */
void http_html(struct evbuffer *out, const char *s);

#endif
