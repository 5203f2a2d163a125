#include "dns/dns_privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"

int dns_privdrop(const char *user)
{
    if (!user || !*user)
        return 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        log_error("privdrop: no user '%s'", user);
        return -1;
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
        log_error("privdrop: cannot become '%s': %s", user, strerror(errno));
        return -1;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        log_error("privdrop: root could be regained after dropping to '%s'", user);
        return -1;
    }
    log_info("privdrop: running as %s (uid %u, gid %u)", user, (unsigned)uid, (unsigned)gid);
    return 0;
}
