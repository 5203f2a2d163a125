/* http_json -- a small streaming JSON writer into an evbuffer.
 *
 * It places the commas and colons, so a handler only says what comes next:
 *
 *   struct http_json j;
 *   http_json_init(&j, buf);
 *   http_json_object(&j);
 *   http_json_key(&j, "good"); http_json_uint(&j, 42);
 *   http_json_key(&j, "agents"); http_json_array(&j); ... http_json_end(&j);
 *   http_json_end(&j);
 *
 * Strings may hold any bytes (see http_escape.h). Non-finite doubles are
 * written as null, since JSON has no NaN or infinity. Nesting deeper than
 * HTTP_JSON_MAX_DEPTH is a programming error and sets `err`. */
#ifndef BTCSEED_HTTP_JSON_H
#define BTCSEED_HTTP_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define HTTP_JSON_MAX_DEPTH 16

struct http_json {
    struct evbuffer *out;
    int depth;
    bool first[HTTP_JSON_MAX_DEPTH + 1]; /* no value yet at this depth */
    char closer[HTTP_JSON_MAX_DEPTH + 1]; /* '}' or ']' */
    bool after_key;
    bool err;
};

void http_json_init(struct http_json *j, struct evbuffer *out);
void http_json_object(struct http_json *j);
void http_json_array(struct http_json *j);
/* Closes the innermost object or array. */
void http_json_end(struct http_json *j);
void http_json_key(struct http_json *j, const char *key);
void http_json_string(struct http_json *j, const char *s);
void http_json_string_len(struct http_json *j, const char *s, size_t len);
void http_json_int(struct http_json *j, int64_t v);
void http_json_uint(struct http_json *j, uint64_t v);
void http_json_double(struct http_json *j, double v);
void http_json_bool(struct http_json *j, bool v);
void http_json_null(struct http_json *j);

#endif
