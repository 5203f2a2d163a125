#!/bin/bash
# glibc getaddrinfo (`getent ahosts`) through a resolv.conf bind-mounted in a
# private mount namespace, btcseed on port 53 of 127.0.0.53, run as it is
# deployed: bind port 53 as root, then drop to --user nobody.
. "$(dirname "$0")/dns_common.sh"
make_db 200 30
chmod 1777 "$WORK" # SQLite's -shm/-wal files, as user nobody
start_serve main 127.0.0.53 53 --user nobody
pid=${SERVE_PIDS[0]}
uid=$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/$pid/status)
[ "$uid" = "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" ] || fail "uid after drop: $uid"
gid=$(awk '/^Gid:/ {print $2}' /proc/$pid/status)
[ "$gid" = "$(id -g nobody)" ] || fail "gid after drop: $gid"
groups=$(awk '/^Groups:/ {print $2}' /proc/$pid/status)
[ -z "$groups" ] || [ "$groups" = "$(id -g nobody)" ] || fail "supplementary groups: $groups"
pass "serve bound 127.0.0.53:53 and runs as nobody (uid $uid)"
# Leaving uid 0 cleared every capability set of every thread; the bounding
# set is emptied too and no_new_privs set, so no exec could bring one back.
check_threads $pid "$(id -u nobody)" 0000000000000000 CapEff CapPrm CapInh CapAmb CapBnd
for status in /proc/$pid/task/*/status; do
  [ "$(awk '/^NoNewPrivs:/ {print $2}' "$status")" = 1 ] || fail "$status: no_new_privs not set"
done
pass "all $THREADS threads: no capability in any set (CapEff 0, CapBnd 0), no_new_privs"

echo "nameserver 127.0.0.53" > "$WORK/resolv.conf"
out=$(unshare -m bash -c "mount --bind '$WORK/resolv.conf' /etc/resolv.conf && getent ahosts $ZONE")
v4=$(echo "$out" | awk '$2 == "STREAM" && $1 !~ /:/ {print $1}')
v6=$(echo "$out" | awk '$2 == "STREAM" && $1 ~ /:/ {print $1}')
[ "$(echo "$v4" | grep -c .)" -ge 20 ] || fail "getent IPv4: $out"
[ "$(echo "$v6" | grep -c .)" -ge 10 ] || fail "getent IPv6: $out"
for a in $v4 $v6; do good_addr "$a" || fail "getent gave $a, not a good node"; done
pass "getent ahosts $ZONE: $(echo "$v4" | wc -l) IPv4 and $(echo "$v6" | wc -l) IPv6 good nodes"
out=$(unshare -m bash -c "mount --bind '$WORK/resolv.conf' /etc/resolv.conf && getent ahosts x409.$ZONE")
for a in $(echo "$out" | awk '$2 == "STREAM" {print $1}'); do
  grep -q "^$a 409 1\$\|^$a c09 1\$" "$WORK/manifest.txt" || fail "x409 via getent: $a"
done
pass "getent ahosts x409.$ZONE: only nodes with those bits"
if unshare -m bash -c "mount --bind '$WORK/resolv.conf' /etc/resolv.conf && getent ahosts nothere.$ZONE" > /dev/null; then
  fail "getent resolved a name that does not exist"
fi
pass "getent fails for a name that does not exist"
echo "all getent checks passed"
