/* Unit tests for the exports: the text escapes, the dump read the way
 * makeseeds.py reads it, JSON well-formedness, CSV parsed back, atomic
 * replacement of the output file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "export/export.h"
#include "export/export_text.h"
#include "p2p/msg.h"
#include "util/utf8.h"
#include "tmpdir.h"

#define T0 1700000000
#define N_NODES 60

/* ---- text escapes -------------------------------------------------------- */

static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, s);
    fclose(f);
    return buf;
}

static void test_json_string_escapes(void **state)
{
    char *s = capture(export_json_string, "a\"b\\c\n\t\x01\x7f\xc3\xa9\xe2\x82 /x/");
    assert_string_equal(s, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\xc3\xa9\\ufffd /x/\"");
    free(s);
}

static void test_csv_field_quoting(void **state)
{
    char *s = capture(export_csv_field, "/Satoshi:27.0.0/");
    assert_string_equal(s, "/Satoshi:27.0.0/");
    free(s);
    s = capture(export_csv_field, "a,\"b\"\r\nc");
    assert_string_equal(s, "\"a,\"\"b\"\"\r\nc\"");
    free(s);
    s = capture(export_csv_field, " lead");
    assert_string_equal(s, "\" lead\"");
    free(s);
    s = capture(export_csv_field, "bad\xff");
    assert_string_equal(s, "bad\xef\xbf\xbd");
    free(s);
    s = capture(export_csv_field, "");
    assert_string_equal(s, "");
    free(s);
}

static void test_dump_quoted_is_one_token(void **state)
{
    char *s = capture(export_dump_quoted, "/Satoshi:27.0.0/");
    assert_string_equal(s, "\"/Satoshi:27.0.0/\"");
    free(s);
    s = capture(export_dump_quoted, "a b\"c%d\n\xff");
    assert_string_equal(s, "\"a%20b%22c%25d%0A%FF\"");
    free(s);
    s = capture(export_dump_quoted, "");
    assert_string_equal(s, "\"\"");
    free(s);
}

/* ---- a database to export ----------------------------------------------- */

struct fixture {
    char *dir;
    char path[600];
    nodedb_t *db;
    struct nodedb_node nodes[N_NODES];
};

static const char hostile_agent[] = "/Evil:1.0/ \"quoted\"\ttab\nnewline,comma%\x01\xff\xc3\xa9";

static void fill_node(struct nodedb_node *n, uint32_t i)
{
    static const uint8_t nets[] = {NETADDR_IPV4, NETADDR_IPV6, NETADDR_TORV3, NETADDR_I2P,
                                   NETADDR_CJDNS};
    uint8_t net = nets[i % 5];
    uint8_t b[32];
    for (size_t k = 0; k < sizeof b; k++)
        b[k] = (uint8_t)(i * 7 + k * 13 + 1);
    memset(n, 0, sizeof *n);
    if (net == NETADDR_IPV4) {
        b[0] = 100 + (uint8_t)(i % 50);
        netaddr_set_ipv4(&n->addr, b, 8333);
    } else if (net == NETADDR_IPV6) {
        b[0] = 0x2a, b[1] = 0x01;
        netaddr_set_ipv6(&n->addr, b, 8333);
    } else if (net == NETADDR_CJDNS) {
        b[0] = 0xfc;
        netaddr_set_cjdns(&n->addr, b, 8333);
    } else {
        assert_int_equal(netaddr_set_bip155(&n->addr, net, b, 32, net == NETADDR_I2P ? 0 : 8333),
                         0);
    }
    n->h.first_seen = T0 - 86400;
    n->h.last_seen = T0 - 600;
    n->h.protocol = 70016;
    n->h.height = 850000 + (int32_t)i;
    n->h.services = NODE_NETWORK | NODE_WITNESS | (i % 3 ? NODE_NETWORK_LIMITED : 0);
    /* Every fourth node never answered; the rest answered i % 10 tests in
     * ten, hourly, so their uptimes differ. */
    int64_t t = T0 - 40 * 3600;
    for (int k = 0; k < 40; k++, t += 3600)
        nodedb_health_record(&n->h, t, i % 4 != 0 && k % 10 < (int)(i % 10 + 1));
    n->good = i % 4 != 0 && i % 10 > 5;
    n->source = NODEDB_SOURCE_PEER;
    snprintf(n->source_name, sizeof n->source_name, "1.2.3.%u:8333", i);
    snprintf(n->user_agent, sizeof n->user_agent, "/Satoshi:2%u.0.0/", i % 9);
    if (i == 5)
        snprintf(n->user_agent, sizeof n->user_agent, "%s", hostile_agent);
    if (i == 6)
        n->user_agent[0] = '\0';
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->dir = tmpdir_create();
    assert_non_null(fx->dir);
    tmpdir_path(fx->path, sizeof fx->path, fx->dir, "nodes.db");
    char err[256];
    assert_int_equal(nodedb_open(fx->path, NODEDB_CREATE, &fx->db, err, sizeof err), 0);
    for (uint32_t i = 0; i < N_NODES; i++)
        fill_node(&fx->nodes[i], i);
    assert_int_equal(nodedb_put_nodes(fx->db, fx->nodes, N_NODES), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    nodedb_close(fx->db);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static char *export_to_string(struct fixture *fx, enum export_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    char err[256] = "";
    int rc = export_stream(fx->db, fmt, chain_by_name("main"), T0, f, err, sizeof err);
    fclose(f);
    if (rc != 0)
        fail_msg("export: %s", err);
    return buf;
}

static const struct nodedb_node *find_node(struct fixture *fx, const char *addr)
{
    for (int i = 0; i < N_NODES; i++) {
        char text[NETADDR_STRLEN];
        netaddr_format(&fx->nodes[i].addr, text, sizeof text);
        if (strcmp(text, addr) == 0)
            return &fx->nodes[i];
    }
    return NULL;
}

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* ---- dump ------------------------------------------------------------------ */

/* makeseeds.py's address patterns, by hand. */
static bool all_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(set, s[i]))
            return false;
    return true;
}

static const char *makeseeds_net(const char *tok)
{
    const char *colon = strrchr(tok, ':');
    if (!colon || !all_of(colon + 1, strlen(colon + 1), "0123456789") || !colon[1])
        return NULL;
    size_t host = (size_t)(colon - tok);
    if (tok[0] == '[')
        return tok[host - 1] == ']' && all_of(tok + 1, host - 2, "0123456789abcdefghijklmnopqrstuvwxyz:")
                   ? (strncmp(tok + 1, "fc", 2) == 0 ? "cjdns" : "ipv6")
                   : NULL;
    if (host == 56 + 6 && strncmp(tok + 56, ".onion", 6) == 0 &&
        all_of(tok, 56, "abcdefghijklmnopqrstuvwxyz234567"))
        return "onion";
    if (host == 52 + 8 && strncmp(tok + 52, ".b32.i2p", 8) == 0 &&
        all_of(tok, 52, "abcdefghijklmnopqrstuvwxyz234567"))
        return "i2p";
    if (all_of(tok, host, "0123456789."))
        return "ipv4";
    return NULL;
}

static void test_dump_parses_like_makeseeds(void **state)
{
    struct fixture *fx = *state;
    char *dump = export_to_string(fx, EXPORT_DUMP);
    int lines = 0, reached = 0;
    double prev_uptime = 1e9;
    bool saw_hostile = false, saw_empty = false;
    for (int i = 0; i < N_NODES; i++)
        reached += fx->nodes[i].h.last_success != 0;
    char *save = NULL;
    for (char *line = strtok_r(dump, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (lines++ == 0) {
            assert_true(line[0] == '#');
            continue;
        }
        /* line.split() */
        char *tok[32];
        int n = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(line, " \t\r\f\v", &s2); t && n < 32;
             t = strtok_r(NULL, " \t\r\f\v", &s2))
            tok[n++] = t;
        assert_int_equal(n, 12);
        const char *net = makeseeds_net(tok[0]);
        assert_non_null(net);
        const struct nodedb_node *node = find_node(fx, tok[0]);
        assert_non_null(node);
        assert_string_equal(net, netaddr_net_name(node->addr.net));
        assert_int_equal(strtol(tok[1], NULL, 10), node->good ? 1 : 0);
        assert_int_equal(strtoll(tok[2], NULL, 10), node->h.last_success);
        for (int w = 0; w < NODEDB_WINDOWS; w++) {
            size_t len = strlen(tok[3 + w]);
            assert_true(tok[3 + w][len - 1] == '%');
            double pct = strtod(tok[3 + w], NULL);
            assert_true(fabs(pct - 100 * nodedb_stats_uptime(&node->h.stats, w)) < 0.006);
        }
        double up30 = strtod(tok[7], NULL);
        assert_true(up30 <= prev_uptime); /* sorted by 30-day uptime */
        prev_uptime = up30;
        assert_int_equal(strtol(tok[8], NULL, 10), node->h.height);
        assert_int_equal(strlen(tok[9]), 16);
        assert_true(strtoull(tok[9], NULL, 16) == node->h.services);
        assert_int_equal(strtol(tok[10], NULL, 10), node->h.protocol);
        /* agent = sline[11][1:-1], then our %XX decoded: the exact bytes */
        size_t alen = strlen(tok[11]);
        assert_true(alen >= 2 && tok[11][0] == '"' && tok[11][alen - 1] == '"');
        char agent[1024];
        size_t o = 0;
        for (size_t k = 1; k < alen - 1; k++) {
            if (tok[11][k] == '%') {
                agent[o++] = (char)(hexval(tok[11][k + 1]) * 16 + hexval(tok[11][k + 2]));
                k += 2;
            } else {
                agent[o++] = tok[11][k];
            }
        }
        agent[o] = '\0';
        assert_string_equal(agent, node->user_agent);
        saw_hostile |= strcmp(agent, hostile_agent) == 0;
        saw_empty |= agent[0] == '\0';
    }
    assert_int_equal(lines - 1, reached); /* never-reached nodes are left out */
    assert_true(saw_hostile && saw_empty);
    free(dump);
}

/* ---- JSON ------------------------------------------------------------------ */

static void test_json_is_well_formed(void **state)
{
    struct fixture *fx = *state;
    char *json = export_to_string(fx, EXPORT_JSON);
    size_t len = strlen(json);
    /* Valid UTF-8 throughout, no raw control characters inside strings, and
     * brackets balanced outside strings. */
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len;) {
        bool valid;
        size_t n = utf8_next((const uint8_t *)json + i, len - i, NULL, &valid);
        assert_true(valid);
        unsigned char c = (unsigned char)json[i];
        if (in_string) {
            assert_true(c >= 0x20);
            if (c == '\\')
                n = 2;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            assert_true(depth >= 0);
        }
        i += n;
    }
    assert_int_equal(depth, 0);
    assert_false(in_string);
    assert_non_null(strstr(json, "\"timestamp\": 1700000000"));
    assert_non_null(strstr(json, "\"chain\": \"main\""));
    int reached = 0;
    for (int i = 0; i < N_NODES; i++)
        reached += fx->nodes[i].h.last_success != 0;
    char want[64];
    snprintf(want, sizeof want, "\"total_nodes\": %d", reached);
    assert_non_null(strstr(json, want));
    assert_non_null(strstr(json, "/Evil:1.0/ \\\"quoted\\\"\\ttab\\nnewline,comma%\\u0001"
                                 "\\ufffd\xc3\xa9"));
    free(json);
}

/* ---- CSV ------------------------------------------------------------------- */

/* RFC 4180 reader: fields of one record into out[], returns the count and
 * advances *p past the record's CRLF. */
static int csv_record(const char **p, char out[][400], int max)
{
    const char *s = *p;
    int n = 0;
    for (;;) {
        size_t o = 0;
        assert_true(n < max);
        if (*s == '"') {
            s++;
            for (;;) {
                assert_true(*s != '\0');
                if (*s == '"' && s[1] == '"')
                    out[n][o++] = '"', s += 2;
                else if (*s == '"')
                    break;
                else
                    out[n][o++] = *s++;
            }
            s++;
        } else {
            while (*s && *s != ',' && *s != '\r') {
                assert_true(*s != '"' && *s != '\n');
                out[n][o++] = *s++;
            }
        }
        out[n++][o] = '\0';
        if (*s == ',') {
            s++;
            continue;
        }
        assert_true(s[0] == '\r' && s[1] == '\n');
        *p = s + 2;
        return n;
    }
}

static void test_csv_round_trips(void **state)
{
    struct fixture *fx = *state;
    char *csv = export_to_string(fx, EXPORT_CSV);
    static char f[32][400];
    const char *p = csv;
    int cols = csv_record(&p, f, 32);
    assert_int_equal(cols, 23);
    assert_string_equal(f[0], "address");
    assert_string_equal(f[14], "user_agent");
    int rows = 0;
    while (*p) {
        assert_int_equal(csv_record(&p, f, 32), cols);
        const struct nodedb_node *n = find_node(fx, f[0]);
        assert_non_null(n);
        assert_string_equal(f[1], netaddr_net_name(n->addr.net));
        assert_int_equal(atoi(f[2]), n->addr.port);
        assert_int_equal(atoi(f[3]), n->good);
        assert_int_equal(strtoll(f[7], NULL, 10), n->h.last_success);
        assert_int_equal(strtoll(f[8], NULL, 10), n->h.tries);
        assert_true(strtoull(f[12], NULL, 10) == n->h.services);
        if (n == &fx->nodes[5])
            assert_string_equal(f[14], "/Evil:1.0/ \"quoted\"\ttab\nnewline,comma%\x01"
                                       "\xef\xbf\xbd\xc3\xa9");
        else
            assert_string_equal(f[14], n->user_agent);
        assert_true(fabs(strtod(f[19], NULL) -
                         100 * nodedb_stats_uptime(&n->h.stats, NODEDB_WIN_1M)) < 0.006);
        assert_string_equal(f[21], "peer");
        assert_string_equal(f[22], n->source_name);
        rows++;
    }
    assert_int_equal(rows, N_NODES); /* every known node */
    free(csv);
}

/* ---- files ----------------------------------------------------------------- */

static size_t count_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_export_write_replaces_atomically(void **state)
{
    struct fixture *fx = *state;
    char out[700], err[256];
    tmpdir_path(out, sizeof out, fx->dir, "seeds.txt");
    FILE *f = fopen(out, "w");
    fputs("old\n", f);
    fclose(f);
    size_t before = count_dir_entries(fx->dir);
    assert_int_equal(export_write(fx->db, EXPORT_DUMP, chain_by_name("main"), T0, out, err,
                                  sizeof err),
                     0);
    assert_int_equal(count_dir_entries(fx->dir), before); /* no temp file left */
    char *want = export_to_string(fx, EXPORT_DUMP);
    f = fopen(out, "r");
    char *got = calloc(1, strlen(want) + 16);
    size_t n = fread(got, 1, strlen(want) + 15, f);
    fclose(f);
    assert_int_equal(n, strlen(want));
    assert_string_equal(got, want);
    struct stat st;
    assert_int_equal(stat(out, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    free(want);
    free(got);

    /* A directory that does not exist: an error, nothing written. */
    char bad[700];
    tmpdir_path(bad, sizeof bad, fx->dir, "missing/seeds.txt");
    assert_int_equal(export_write(fx->db, EXPORT_JSON, chain_by_name("main"), T0, bad, err,
                                  sizeof err),
                     -1);
    assert_non_null(strstr(err, "missing"));

    /* A database error mid-way (the table dropped behind the handle's
     * back) leaves the old file and no temp file. */
    sqlite3 *h;
    assert_int_equal(sqlite3_open(fx->path, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "DROP TABLE nodes", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(export_write(fx->db, EXPORT_CSV, chain_by_name("main"), T0, out, err,
                                  sizeof err),
                     -1);
    print_message("expected error: %s\n", err);
    assert_int_equal(count_dir_entries(fx->dir), before);
    assert_int_equal(stat(out, &st), 0);
    assert_true(st.st_size > 100); /* still the dump */
}

static void test_format_names(void **state)
{
    enum export_format f;
    assert_int_equal(export_format_parse("dump", &f), 0);
    assert_int_equal(f, EXPORT_DUMP);
    assert_int_equal(export_format_parse("csv", &f), 0);
    assert_int_equal(f, EXPORT_CSV);
    assert_int_equal(export_format_parse("xml", &f), -1);
    assert_string_equal(export_format_name(EXPORT_JSON), "json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_csv_field_quoting),
        cmocka_unit_test(test_dump_quoted_is_one_token),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test_setup_teardown(test_dump_parses_like_makeseeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_is_well_formed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_round_trips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_write_replaces_atomically, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
