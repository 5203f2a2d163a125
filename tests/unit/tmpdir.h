/* tmpdir -- a scratch directory per test, removed with its contents. */
#ifndef BTCSEED_TEST_TMPDIR_H
#define BTCSEED_TEST_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int tmpdir_remove_one(const char *path, const struct stat *sb, int flag,
                                    struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* Creates a fresh directory; returns a malloc'ed path (free with tmpdir_remove). */
static inline char *tmpdir_create(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/btcseed-test-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(tmpl);
    return dir ? strdup(dir) : NULL;
}

static inline void tmpdir_remove(char *dir)
{
    if (!dir)
        return;
    nftw(dir, tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* dir + "/" + name into buf. */
static inline const char *tmpdir_path(char *buf, size_t size, const char *dir, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

#endif
