/* http_escape -- text from peers (user agents) made safe for JSON, HTML and
 * SVG.
 *
 * Peers send any bytes as their user agent. Both escapers read the input as
 * UTF-8 and replace every byte that is not part of a valid sequence (overlong
 * forms, surrogates, code points past U+10FFFF, truncated sequences) with
 * U+FFFD, so the output is always valid UTF-8, whatever came in. */
#ifndef BTCSEED_HTTP_ESCAPE_H
#define BTCSEED_HTTP_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define HTTP_UTF8_REPLACEMENT 0xFFFDu

/* Appends a string literal (its length known at compile time). */
#define HTTP_PUT(out, lit) evbuffer_add((out), (lit), sizeof(lit) - 1)

/* Decodes one code point at s (n > 0 bytes available). Returns the number of
 * bytes consumed (1-4) and the code point in *cp, or 1 and
 * HTTP_UTF8_REPLACEMENT for an invalid byte. */
size_t http_utf8_next(const uint8_t *s, size_t n, uint32_t *cp);

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
