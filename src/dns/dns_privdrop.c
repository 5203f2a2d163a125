#include "dns/dns_privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util/log.h"

/* Empties the capability bounding set (needs CAP_SETPCAP, which root has
 * until setresuid): with it and no_new_privs, not even exec'ing a set-uid
 * or file-capability program could give a compromised server a capability
 * back. */
static int drop_bounding_set(void)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            log_error("privdrop: cannot drop capability %d from the bounding set: %s", cap,
                      strerror(errno));
            return -1;
        }
    }
    return 0;
}

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
    if (drop_bounding_set() != 0)
        return -1;
    /* A switch away from uid 0 clears the permitted, effective and ambient
     * capability sets of every thread (glibc applies set*id to all). */
    if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
        log_error("privdrop: cannot become '%s': %s", user, strerror(errno));
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        log_error("privdrop: cannot set no_new_privs: %s", strerror(errno));
        return -1;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        log_error("privdrop: root could be regained after dropping to '%s'", user);
        return -1;
    }
    log_info("privdrop: running as %s (uid %u, gid %u), no capabilities", user, (unsigned)uid,
             (unsigned)gid);
    return 0;
}
