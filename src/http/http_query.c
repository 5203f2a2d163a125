#include "http/http_query.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "net/netaddr.h"
#include "util/errmsg.h"
#include "util/hex.h"

/* Decodes s[0..len) into out (cap bytes incl. NUL). Returns 0, -1 on a bad
 * escape or NUL, -2 if too long. */
static int decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3)
                return -1;
            int hi = hex_digit(s[i + 1]);
            int lo = hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi << 4 | lo);
            if (c == '\0')
                return -1;
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (o + 1 >= cap)
            return -2;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

int http_query_split(const char *query, struct http_query *q, char *err, size_t errsize)
{
    q->n = 0;
    if (!query || !*query)
        return 0;
    size_t total = strlen(query);
    if (total > HTTP_QUERY_MAX_LEN)
        return errmsg_set(err, errsize, "query string longer than %d bytes", HTTP_QUERY_MAX_LEN);
    const char *p = query;
    const char *end = query + total;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop == p) { /* "a=1&&b=2" or a trailing '&': nothing to read */
            p = stop + 1;
            continue;
        }
        if (q->n == HTTP_QUERY_MAX_PARAMS)
            return errmsg_set(err, errsize, "more than %d query parameters", HTTP_QUERY_MAX_PARAMS);
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *kend = eq ? eq : stop;
        int rc = decode(p, (size_t)(kend - p), q->p[q->n].key, sizeof q->p[q->n].key);
        if (rc == -2)
            return errmsg_set(err, errsize, "query parameter name too long");
        if (rc != 0 || q->p[q->n].key[0] == '\0')
            return errmsg_set(err, errsize, "malformed query string");
        if (eq)
            rc = decode(eq + 1, (size_t)(stop - eq - 1), q->p[q->n].value,
                        sizeof q->p[q->n].value);
        else
            q->p[q->n].value[0] = '\0';
        if (rc == -2)
            return errmsg_set(err, errsize, "value of '%s' too long", q->p[q->n].key);
        if (rc != 0)
            return errmsg_set(err, errsize, "malformed query string");
        for (size_t i = 0; i < q->n; i++)
            if (strcmp(q->p[i].key, q->p[q->n].key) == 0)
                return errmsg_set(err, errsize, "'%s' given twice", q->p[q->n].key);
        q->n++;
        p = stop + 1;
    }
    return 0;
}

/* Decimal digits only (no sign, no blanks), value <= max. */
static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    if (!*s || strlen(s) > 20)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Decimal, or hexadecimal with a 0x prefix, 64 bits. */
static bool parse_services(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        if (!*s || strlen(s) > 16)
            return false;
        uint64_t v = 0;
        for (; *s; s++) {
            int d = hex_digit(*s);
            if (d < 0)
                return false;
            v = v << 4 | (uint64_t)d;
        }
        *out = v;
        return true;
    }
    return parse_uint(s, UINT64_MAX, out);
}

static bool parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes")) {
        *out = 1;
        return true;
    }
    if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no")) {
        *out = 0;
        return true;
    }
    return false;
}

static int parse_limit(const char *v, uint32_t max, uint32_t *out, char *err, size_t errsize)
{
    uint64_t u;
    if (!parse_uint(v, max, &u) || u == 0)
        return errmsg_set(err, errsize, "limit must be an integer from 1 to %u", max);
    *out = (uint32_t)u;
    return 0;
}

static const uint8_t query_nets[] = {NETADDR_IPV4, NETADDR_IPV6, NETADDR_TORV3, NETADDR_I2P,
                                     NETADDR_CJDNS};

int http_query_nodes(const char *query, struct http_nodes_query *out, char *err, size_t errsize)
{
    *out = (struct http_nodes_query){.good = -1, .limit = HTTP_NODES_DEFAULT_LIMIT};
    struct http_query q;
    if (http_query_split(query, &q, err, errsize) != 0)
        return -1;
    for (size_t i = 0; i < q.n; i++) {
        const char *k = q.p[i].key, *v = q.p[i].value;
        if (!strcmp(k, "network")) {
            out->net = 0;
            for (size_t j = 0; j < sizeof query_nets; j++)
                if (!strcmp(v, netaddr_net_name(query_nets[j])))
                    out->net = query_nets[j];
            if (!out->net)
                return errmsg_set(err, errsize,
                                  "network must be one of ipv4, ipv6, onion, i2p, cjdns");
        } else if (!strcmp(k, "good")) {
            if (!parse_bool(v, &out->good))
                return errmsg_set(err, errsize, "good must be 1 or 0 (true or false)");
        } else if (!strcmp(k, "services")) {
            if (!parse_services(v, &out->services))
                return errmsg_set(err, errsize,
                            "services must be a 64-bit number, decimal or 0x hexadecimal");
        } else if (!strcmp(k, "limit")) {
            if (parse_limit(v, HTTP_NODES_MAX_LIMIT, &out->limit, err, errsize) != 0)
                return -1;
        } else if (!strcmp(k, "offset")) {
            if (!parse_uint(v, HTTP_MAX_OFFSET, &out->offset))
                return errmsg_set(err, errsize, "offset must be an integer from 0 to %d",
                            HTTP_MAX_OFFSET);
        } else {
            return errmsg_set(err, errsize,
                        "unknown parameter '%s' (network, good, services, limit, offset)", k);
        }
    }
    return 0;
}

int http_query_snapshots(const char *query, struct http_snapshots_query *out, char *err,
                         size_t errsize)
{
    *out = (struct http_snapshots_query){.since = 0, .limit = HTTP_SNAPSHOTS_DEFAULT_LIMIT};
    struct http_query q;
    if (http_query_split(query, &q, err, errsize) != 0)
        return -1;
    for (size_t i = 0; i < q.n; i++) {
        const char *k = q.p[i].key, *v = q.p[i].value;
        uint64_t u;
        if (!strcmp(k, "since")) {
            if (!parse_uint(v, INT64_MAX, &u))
                return errmsg_set(err, errsize, "since must be a time in unix seconds");
            out->since = (int64_t)u;
        } else if (!strcmp(k, "limit")) {
            if (parse_limit(v, HTTP_SNAPSHOTS_MAX_LIMIT, &out->limit, err, errsize) != 0)
                return -1;
        } else {
            return errmsg_set(err, errsize, "unknown parameter '%s' (since, limit)", k);
        }
    }
    return 0;
}
