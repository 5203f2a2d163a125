#include "cli/cli_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/errmsg.h"

/* A growing vector of owned strings. */
struct strvec {
    char **v;
    size_t n, cap;
    bool oom;
};

static void strvec_push_owned(struct strvec *s, char *str)
{
    if (!str) {
        s->oom = true;
        return;
    }
    if (s->n + 2 > s->cap) { /* room for the terminating NULL too */
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            free(str);
            s->oom = true;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = str;
    s->v[s->n] = NULL;
}

static void strvec_push(struct strvec *s, const char *str) { strvec_push_owned(s, strdup(str)); }

static void strvec_free(struct strvec *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    *s = (struct strvec){0};
}

static size_t count_options(const struct option *longopts)
{
    size_t n = 0;
    while (longopts && longopts[n].name)
        n++;
    return n;
}

/* Index of the long option `name` (first `len` bytes), exact or as an
 * unambiguous prefix, as getopt_long resolves it; -1 if none or ambiguous. */
static int find_option(const struct option *longopts, const char *name, size_t len, bool exact)
{
    int found = -1;
    for (int i = 0; longopts && longopts[i].name; i++) {
        if (strncmp(longopts[i].name, name, len) != 0)
            continue;
        if (longopts[i].name[len] == '\0')
            return i;
        if (!exact)
            found = found == -1 ? i : -2;
    }
    return found < 0 ? -1 : found;
}

/* True if the short option `c` takes a required argument. */
static bool short_takes_arg(const char *shortopts, char c)
{
    if (!shortopts || c == ':')
        return false;
    const char *p = strchr(shortopts, c);
    return p && p[1] == ':' && p[2] != ':';
}

static int parse_bool(const char *v)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
        return 1;
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
        return 0;
    return -1;
}

static int parse_log_level(const char *v, enum log_level *out, char *err, size_t errsize,
                           const char *where)
{
    if (log_level_parse(v, out) != 0)
        return errmsg_set(err, errsize, "%sbad log level '%s' (error, warn, info or debug)",
                          where, v);
    return 0;
}

struct expand_state {
    const struct option *longopts;
    bool *on_command_line; /* per long option */
    struct strvec from_files;
    bool cl_log_level; /* command line's --log-level beats the files' */
    bool cl_syslog;
};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* One `key = value` line of `path`. */
static int config_line(struct expand_state *st, cli_args_t *out, const char *path, int lineno,
                       char *line, char *err, size_t errsize)
{
    char where[300];
    snprintf(where, sizeof where, "%s:%d: ", path, lineno);
    char *eq = strchr(line, '=');
    if (!eq)
        return errmsg_set(err, errsize, "%sexpected 'key = value'", where);
    *eq = '\0';
    char *key = trim(line);
    char *value = trim(eq + 1);
    if (!*key)
        return errmsg_set(err, errsize, "%sexpected 'key = value'", where);
    size_t vlen = strlen(value);
    if (value[0] == '"') {
        if (vlen < 2 || value[vlen - 1] != '"')
            return errmsg_set(err, errsize, "%sunterminated quote", where);
        value[vlen - 1] = '\0';
        value++;
    }
    if (!*value)
        return errmsg_set(err, errsize, "%s'%s' needs a value", where, key);

    if (!strcmp(key, "config") || !strcmp(key, "help") || !strcmp(key, "version"))
        return errmsg_set(err, errsize, "%s'%s' cannot be set in a config file", where, key);
    if (!strcmp(key, "log-level")) {
        enum log_level level;
        if (parse_log_level(value, &level, err, errsize, where) != 0)
            return -1;
        if (!st->cl_log_level) {
            out->log_level = level;
            out->log_level_set = true;
        }
        return 0;
    }
    if (!strcmp(key, "syslog")) {
        int b = parse_bool(value);
        if (b < 0)
            return errmsg_set(err, errsize, "%s'syslog' takes yes or no", where);
        if (!st->cl_syslog)
            out->syslog = b;
        return 0;
    }
    int idx = find_option(st->longopts, key, strlen(key), true);
    if (idx < 0)
        return errmsg_set(err, errsize, "%sunknown key '%s'", where, key);
    if (st->on_command_line[idx])
        return 0;
    if (st->longopts[idx].has_arg == no_argument) {
        int b = parse_bool(value);
        if (b < 0)
            return errmsg_set(err, errsize, "%s'%s' takes yes or no", where, key);
        if (b) {
            char *arg = NULL;
            strvec_push_owned(&st->from_files, asprintf(&arg, "--%s", key) < 0 ? NULL : arg);
        }
        return 0;
    }
    char *arg = NULL;
    strvec_push_owned(&st->from_files, asprintf(&arg, "--%s=%s", key, value) < 0 ? NULL : arg);
    return 0;
}

static int config_file(struct expand_state *st, cli_args_t *out, const char *path, char *err,
                       size_t errsize)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errmsg_set(err, errsize, "cannot read config %s: %s", path, strerror(errno));
    char *text = malloc(CLI_CONFIG_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        return errmsg_set(err, errsize, "out of memory");
    }
    size_t len = fread(text, 1, CLI_CONFIG_MAX_BYTES + 1, f);
    int read_error = ferror(f) ? errno : 0;
    fclose(f);
    int rc = 0;
    if (read_error)
        rc = errmsg_set(err, errsize, "cannot read config %s: %s", path, strerror(read_error));
    else if (len > CLI_CONFIG_MAX_BYTES)
        rc = errmsg_set(err, errsize, "config %s is larger than %d bytes", path,
                        CLI_CONFIG_MAX_BYTES);
    else if (memchr(text, '\0', len))
        rc = errmsg_set(err, errsize, "config %s is not a text file", path);
    text[len < CLI_CONFIG_MAX_BYTES ? len : CLI_CONFIG_MAX_BYTES] = '\0';

    char *p = text;
    for (int lineno = 1; rc == 0 && *p; lineno++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (strlen(p) > CLI_CONFIG_MAX_LINE) {
            rc = errmsg_set(err, errsize, "%s:%d: line longer than %d bytes", path, lineno,
                      CLI_CONFIG_MAX_LINE);
            break;
        }
        char *line = trim(p);
        if (*line && *line != '#')
            rc = config_line(st, out, path, lineno, line, err, errsize);
        if (!nl)
            break;
        p = nl + 1;
    }
    free(text);
    return rc;
}

int cli_config_expand(int argc, char **argv, const char *shortopts,
                      const struct option *longopts, cli_args_t *out, char *err,
                      size_t errsize)
{
    *out = (cli_args_t){.log_level = LOG_LEVEL_INFO};
    struct expand_state st = {.longopts = longopts};
    struct strvec kept = {0}, files = {0}, result = {0};
    int rc = -1;
    st.on_command_line = calloc(count_options(longopts) + 1, sizeof *st.on_command_line);
    if (!st.on_command_line) {
        errmsg_set(err, errsize, "out of memory");
        goto out;
    }

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            for (; i < argc; i++)
                strvec_push(&kept, argv[i]);
            break;
        }
        if (!strcmp(a, "--config") || !strncmp(a, "--config=", 9)) {
            const char *path = a[8] == '=' ? a + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (!path || !*path) {
                errmsg_set(err, errsize, "--config needs a FILE");
                goto out;
            }
            strvec_push(&files, path);
        } else if (!strcmp(a, "--log-level") || !strncmp(a, "--log-level=", 12)) {
            const char *level = a[11] == '=' ? a + 12 : (i + 1 < argc ? argv[++i] : NULL);
            if (!level) {
                errmsg_set(err, errsize, "--log-level needs a LEVEL");
                goto out;
            }
            if (parse_log_level(level, &out->log_level, err, errsize, "") != 0)
                goto out;
            out->log_level_set = st.cl_log_level = true;
        } else if (!strncmp(a, "--syslog", 8) && (a[8] == '\0' || a[8] == '=')) {
            if (a[8] == '=') {
                errmsg_set(err, errsize, "--syslog takes no value");
                goto out;
            }
            out->syslog = st.cl_syslog = true;
        } else if (!strncmp(a, "--", 2)) {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            int idx = find_option(longopts, name, len, false);
            strvec_push(&kept, a);
            if (idx >= 0) {
                st.on_command_line[idx] = true;
                if (longopts[idx].has_arg == required_argument && !eq && i + 1 < argc)
                    strvec_push(&kept, argv[++i]);
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            strvec_push(&kept, a);
            for (const char *c = a + 1; *c; c++) {
                if (short_takes_arg(shortopts, *c)) {
                    if (c[1] == '\0' && i + 1 < argc)
                        strvec_push(&kept, argv[++i]);
                    break;
                }
            }
        } else {
            strvec_push(&kept, a);
        }
    }

    for (size_t f = 0; f < files.n; f++)
        if (config_file(&st, out, files.v[f], err, errsize) != 0)
            goto out;

    strvec_push(&result, argc > 0 ? argv[0] : "btcseed");
    for (size_t i = 0; i < st.from_files.n; i++)
        strvec_push(&result, st.from_files.v[i]);
    for (size_t i = 0; i < kept.n; i++)
        strvec_push(&result, kept.v[i]);
    if (kept.oom || files.oom || st.from_files.oom || result.oom) {
        errmsg_set(err, errsize, "out of memory");
        goto out;
    }
    out->argc = (int)result.n;
    out->argv = result.v;
    result = (struct strvec){0};
    rc = 0;
out:
    strvec_free(&result);
    strvec_free(&kept);
    strvec_free(&files);
    strvec_free(&st.from_files);
    free(st.on_command_line);
    return rc;
}

int cli_prepare(const char *command, int argc, char **argv, const char *shortopts,
                const struct option *longopts, cli_args_t *out)
{
    char err[512];
    if (cli_config_expand(argc, argv, shortopts, longopts, out, err, sizeof err) != 0) {
        fprintf(stderr, "btcseed %s: %s\n", command, err);
        return CLI_EXIT_USAGE;
    }
    if (out->log_level_set)
        log_set_level(out->log_level);
    if (out->syslog)
        log_use_syslog("btcseed");
    optind = 0; /* GNU: full re-initialisation for the command's getopt_long */
    return 0;
}

void cli_args_free(cli_args_t *args)
{
    if (!args || !args->argv)
        return;
    for (int i = 0; i < args->argc; i++)
        free(args->argv[i]);
    free(args->argv);
    args->argv = NULL;
    args->argc = 0;
}
