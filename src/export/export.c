#include "export/export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Exports are meant to be published (a web server, makeseeds.py): readable
 * by all, like a file written under the usual umask. */
#define EXPORT_FILE_MODE 0644

static const char *const format_names[] = {
    [EXPORT_DUMP] = "dump",
    [EXPORT_JSON] = "json",
    [EXPORT_CSV] = "csv",
};

int export_format_parse(const char *name, enum export_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (enum export_format)i;
            return 0;
        }
    }
    return -1;
}

const char *export_format_name(enum export_format f)
{
    return (size_t)f < sizeof format_names / sizeof format_names[0] ? format_names[f] : "?";
}

int export_stream(nodedb_t *db, enum export_format fmt, const chain_params_t *chain,
                  int64_t now, FILE *out, char *err, size_t errlen)
{
    if (nodedb_read_begin(db) != 0) {
        snprintf(err, errlen, "%s", nodedb_errmsg(db));
        return -1;
    }
    int rc;
    switch (fmt) {
    case EXPORT_DUMP:
        rc = export_dump(db, out);
        break;
    case EXPORT_JSON:
        rc = export_json(db, chain, now, out);
        break;
    case EXPORT_CSV:
        rc = export_csv(db, out);
        break;
    default:
        rc = -1;
        break;
    }
    bool write_failed = fflush(out) != 0 || ferror(out);
    int saved_errno = errno;
    if (write_failed)
        snprintf(err, errlen, "write: %s", strerror(saved_errno));
    else if (rc != 0)
        snprintf(err, errlen, "%s", nodedb_errmsg(db));
    if (nodedb_read_end(db) != 0 && rc == 0 && !write_failed) {
        snprintf(err, errlen, "%s", nodedb_errmsg(db));
        return -1;
    }
    return rc != 0 || write_failed ? -1 : 0;
}

int export_write(nodedb_t *db, enum export_format fmt, const chain_params_t *chain,
                 int64_t now, const char *path, char *err, size_t errlen)
{
    /* The new file goes in the same directory, so the rename is atomic. */
    size_t len = strlen(path);
    char *tmp = malloc(len + sizeof ".tmp.XXXXXX");
    if (!tmp) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *out = fdopen(fd, "w");
    if (!out) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        close(fd);
        goto out_unlink;
    }
    if (fchmod(fd, EXPORT_FILE_MODE) != 0) {
        snprintf(err, errlen, "%s: chmod: %s", tmp, strerror(errno));
        fclose(out);
        goto out_unlink;
    }
    if (export_stream(db, fmt, chain, now, out, err, errlen) != 0) {
        fclose(out);
        goto out_unlink;
    }
    /* On disk before the rename: after a crash the path holds a whole
     * export, old or new. */
    if (fsync(fd) != 0) {
        snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
        fclose(out);
        goto out_unlink;
    }
    if (fclose(out) != 0) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        goto out_unlink;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "rename to %s: %s", path, strerror(errno));
        goto out_unlink;
    }
    free(tmp);
    return 0;
out_unlink:
    unlink(tmp);
    free(tmp);
    return -1;
}
