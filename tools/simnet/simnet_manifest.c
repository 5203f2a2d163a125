#include "simnet_manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p2p/msg.h"
#include "simnet_gossip.h"
#include "util/log.h"

#define MANIFEST_FORMAT "btcseed-simnet-manifest/1"
#define STDIO_BUFFER (1 << 20)

static const char reachable_rule[] =
    "a version/verack handshake completes whenever the node is up, under Bitcoin Core's "
    "rules: messages before version are ignored, peers below protocol 31800 are dropped, a "
    "wrong magic, wrong checksum or oversized header never makes a handshake; what the node "
    "sends after the handshake (malformed or hostile addr messages) does not change it";
static const char good_rule[] =
    "reachable and always_up and port == port (the default) and services & NODE_NETWORK "
    "and version >= 70001 and height >= chain_min_height and height >= best_height - 5 "
    "(unsynced nodes are 10000+ blocks behind, so any slack from 5 to 9999 agrees)";

/* A JSON string: quotes, backslashes and every byte outside printable ASCII
 * escaped (user agents are bytes, not UTF-8). */
static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_addr(FILE *f, const netaddr_t *a)
{
    char text[NETADDR_STRLEN];
    netaddr_format(a, text, sizeof text);
    json_string(f, text);
}

static void json_string_list(FILE *f, const char *const *list)
{
    fputc('[', f);
    for (size_t i = 0; list && list[i]; i++) {
        if (i)
            fputc(',', f);
        json_string(f, list[i]);
    }
    fputc(']', f);
}

static void write_seed_answers(FILE *f, const struct simnet_model *m,
                               const struct simnet_seeds *s, const struct simnet_seed_name *name)
{
    for (int family = 4; family <= 6; family += 2) {
        uint32_t idx[SIMNET_SEEDS_MAX_ANSWERS];
        size_t n = simnet_seeds_answer(s, name, family, idx);
        fprintf(f, ",\"%s\":[", family == 4 ? "a" : "aaaa");
        for (size_t i = 0; i < n; i++) {
            netaddr_t a;
            char host[NETADDR_STRLEN];
            simnet_model_address(m, idx[i], &a);
            netaddr_format_host(&a, host, sizeof host);
            if (i)
                fputc(',', f);
            json_string(f, host);
        }
        fputc(']', f);
    }
}

static void write_dns(FILE *f, const struct simnet_model *m,
                      const struct simnet_manifest_extra *extra)
{
    const struct simnet_seeds *s = extra->seeds;
    fprintf(f, "\"dns\":{\"zone\":");
    json_string(f, s->zone);
    fprintf(f, ",\"listen\":");
    json_string_list(f, extra->dns_listen);
    fprintf(f, ",\"seeds\":[");
    /* Every seed, plain and with the x9 filter crawlers ask for. */
    static const uint64_t filters[] = {0, NODE_NETWORK | NODE_WITNESS};
    bool first = true;
    for (unsigned k = 1; k <= s->count; k++) {
        for (size_t fi = 0; fi < sizeof filters / sizeof filters[0]; fi++) {
            struct simnet_seed_name name = {.seed = k, .services = filters[fi]};
            char text[300];
            if (filters[fi])
                snprintf(text, sizeof text, "x%" PRIx64 ".seed%u.%s", filters[fi], k, s->zone);
            else
                snprintf(text, sizeof text, "seed%u.%s", k, s->zone);
            fprintf(f, "%s\n{\"name\":", first ? "" : ",");
            first = false;
            json_string(f, text);
            write_seed_answers(f, m, s, &name);
            fputc('}', f);
        }
    }
    fprintf(f, "]}");
}

static void write_node(FILE *f, const struct simnet_model *m, uint32_t index, bool gossip,
                       uint32_t *view)
{
    struct simnet_node n;
    simnet_node_get(m, index, &n);
    fprintf(f, "{\"addr\":");
    json_addr(f, &n.addr);
    fprintf(f, ",\"index\":%" PRIu32 ",\"net\":\"%s\",\"behaviour\":\"%s\"", index,
            netaddr_net_name(n.addr.net), simnet_behaviour_name(n.behaviour));
    fprintf(f, ",\"reachable\":%s,\"always_up\":%s,\"good\":%s",
            simnet_node_reachable(&n) ? "true" : "false",
            simnet_node_always_up(&n) ? "true" : "false",
            simnet_node_good(m, &n) ? "true" : "false");
    fprintf(f, ",\"version\":%" PRId32 ",\"services\":%" PRIu64 ",\"height\":%" PRId32
               ",\"user_agent\":",
            n.v.version, n.v.services, n.v.height);
    json_string(f, n.v.user_agent);
    fprintf(f, ",\"relay\":%s,\"view_size\":%" PRIu32 ",\"answer_parts\":%u,\"latency_ms\":%" PRIu32,
            n.v.relay ? "true" : "false", n.view_size, n.answer_parts, n.latency_ms);
    if (n.behaviour == SIMNET_CHURN)
        fprintf(f, ",\"churn\":{\"period_s\":%" PRIu32 ",\"phase_s\":%" PRIu32
                   ",\"up_permille\":%u}",
                n.churn.period_s, n.churn.phase_s, n.churn.up_permille);
    if (gossip) {
        size_t count = simnet_gossip_indices(m, &n, view, P2P_MAX_ADDR);
        fprintf(f, ",\"gossip\":[");
        for (size_t i = 0; i < count; i++)
            fprintf(f, "%s%" PRIu32, i ? "," : "", view[i]);
        fputc(']', f);
    }
    fputc('}', f);
}

static void write_body(FILE *f, const struct simnet_model *m,
                       const struct simnet_manifest_extra *extra, uint32_t *view)
{
    const struct simnet_config *c = &m->cfg;
    fprintf(f, "{\"format\":\"%s\",\"seed\":%" PRIu64 ",\"chain\":", MANIFEST_FORMAT, c->seed);
    json_string(f, c->chain->name);
    fprintf(f, ",\"magic\":\"%02x%02x%02x%02x\"", c->chain->magic[0], c->chain->magic[1],
            c->chain->magic[2], c->chain->magic[3]);
    fprintf(f, ",\"port\":%u,\"alt_port\":%u,\"dead_port\":%u", c->port, c->alt_port,
            c->dead_port);
    fprintf(f, ",\"best_height\":%" PRId32 ",\"chain_min_height\":%" PRId32
               ",\"nodes\":%" PRIu32 ",\"ipv6_nodes\":%" PRIu32,
            c->best_height, c->chain->min_height, c->nodes, c->ipv6_nodes);
    fprintf(f, ",\"ipv6_prefix\":");
    if (c->ipv6_nodes) {
        netaddr_t prefix;
        char host[NETADDR_STRLEN], cidr[NETADDR_STRLEN + 8];
        netaddr_set_ipv6(&prefix, c->ipv6_prefix.bytes, 0);
        netaddr_format_host(&prefix, host, sizeof host);
        snprintf(cidr, sizeof cidr, "%s/%u", host, c->ipv6_prefix.prefix_bits);
        json_string(f, cidr);
    } else {
        fprintf(f, "null");
    }
    fprintf(f, ",\"onion_nodes\":%" PRIu32 ",\"socks5\":", c->onion_nodes);
    if (extra->socks5)
        json_string(f, extra->socks5);
    else
        fprintf(f, "null");
    fprintf(f, ",\n\"counts\":{");
    for (int b = 0; b < SIMNET_BEHAVIOUR_COUNT; b++)
        fprintf(f, "%s\"%s\":%" PRIu32, b ? "," : "", simnet_behaviour_name(b), c->count[b]);
    fprintf(f, "},\n\"rules\":{\"reachable\":");
    json_string(f, reachable_rule);
    fprintf(f, ",\"good\":");
    json_string(f, good_rule);
    fprintf(f, "},\n\"junk\":{\"public\":");
    json_string_list(f, simnet_junk_public);
    fprintf(f, ",\"reserved\":");
    json_string_list(f, simnet_junk_reserved);
    fprintf(f, "},\n");
    write_dns(f, m, extra);
    fprintf(f, ",\n\"nodes\":[");
    for (uint32_t i = 0; i < c->nodes; i++) {
        fputs(i ? ",\n" : "\n", f);
        write_node(f, m, i, extra->gossip, view);
    }
    fprintf(f, "]}\n");
}

int simnet_manifest_write(const char *path, const struct simnet_model *m,
                          const struct simnet_manifest_extra *extra)
{
    size_t len = strlen(path) + sizeof ".tmp";
    char *tmp = malloc(len);
    uint32_t *view = malloc(P2P_MAX_ADDR * sizeof *view);
    char *buffer = malloc(STDIO_BUFFER);
    int status = -1;
    FILE *f = NULL;
    if (!tmp || !view || !buffer)
        goto out;
    snprintf(tmp, len, "%s.tmp", path);
    f = fopen(tmp, "w");
    if (!f) {
        log_error("simnet: manifest %s: %s", tmp, strerror(errno));
        goto out;
    }
    setvbuf(f, buffer, _IOFBF, STDIO_BUFFER);
    write_body(f, m, extra, view);
    if (ferror(f) | (fclose(f) != 0)) {
        f = NULL;
        log_error("simnet: manifest %s: write failed", tmp);
        goto out_unlink;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        log_error("simnet: manifest %s: %s", path, strerror(errno));
        goto out_unlink;
    }
    status = 0;
    goto out;
out_unlink:
    unlink(tmp);
out:
    if (f)
        fclose(f);
    free(buffer);
    free(view);
    free(tmp);
    return status;
}
