/* dns_privdrop -- give up root after binding port 53. */
#ifndef BTCSEED_DNS_PRIVDROP_H
#define BTCSEED_DNS_PRIVDROP_H

/* Switches the whole process (all threads: call before starting any) to
 * `user`'s uid and gid with only that group (setgroups, setresgid,
 * setresuid), leaving no capability in any set, the bounding set included,
 * and no_new_privs on (these two are per thread: threads started later
 * inherit them, earlier ones would not); then checks root cannot be regained. Needs root
 * (CAP_SETUID, CAP_SETGID, CAP_SETPCAP). NULL or "" does nothing.
 * Returns 0, or -1 after logging why. */
int dns_privdrop(const char *user);

#endif
