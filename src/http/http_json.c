#include "http/http_json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "http/http_escape.h"

void http_json_init(struct http_json *j, struct evbuffer *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = true;
}

/* Writes the separator a new value needs at the current depth. */
static void before_value(struct http_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth])
        evbuffer_add(j->out, ",", 1);
    j->first[j->depth] = false;
}

static void open_container(struct http_json *j, char opener, char closer)
{
    before_value(j);
    if (j->depth == HTTP_JSON_MAX_DEPTH) {
        j->err = true;
        return;
    }
    evbuffer_add(j->out, &opener, 1);
    j->depth++;
    j->first[j->depth] = true;
    j->closer[j->depth] = closer;
}

void http_json_object(struct http_json *j) { open_container(j, '{', '}'); }
void http_json_array(struct http_json *j) { open_container(j, '[', ']'); }

void http_json_end(struct http_json *j)
{
    if (j->depth == 0) {
        j->err = true;
        return;
    }
    evbuffer_add(j->out, &j->closer[j->depth], 1);
    j->depth--;
}

void http_json_key(struct http_json *j, const char *key)
{
    before_value(j);
    evbuffer_add(j->out, "\"", 1);
    http_json_escape(j->out, key, strlen(key));
    evbuffer_add(j->out, "\":", 2);
    j->after_key = true;
}

void http_json_string_len(struct http_json *j, const char *s, size_t len)
{
    before_value(j);
    evbuffer_add(j->out, "\"", 1);
    http_json_escape(j->out, s, len);
    evbuffer_add(j->out, "\"", 1);
}

void http_json_string(struct http_json *j, const char *s) { http_json_string_len(j, s, strlen(s)); }

void http_json_int(struct http_json *j, int64_t v)
{
    before_value(j);
    evbuffer_add_printf(j->out, "%" PRId64, v);
}

void http_json_uint(struct http_json *j, uint64_t v)
{
    before_value(j);
    evbuffer_add_printf(j->out, "%" PRIu64, v);
}

void http_json_double(struct http_json *j, double v)
{
    before_value(j);
    if (!isfinite(v)) {
        evbuffer_add(j->out, "null", 4);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.10g", v);
    evbuffer_add(j->out, buf, strlen(buf));
}

void http_json_bool(struct http_json *j, bool v)
{
    before_value(j);
    evbuffer_add(j->out, v ? "true" : "false", v ? 4 : 5);
}

void http_json_null(struct http_json *j)
{
    before_value(j);
    evbuffer_add(j->out, "null", 4);
}
