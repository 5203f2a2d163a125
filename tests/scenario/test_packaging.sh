# test_packaging.sh -- `cmake --install` puts the program, the man page, the
# example configuration and the systemd unit where they belong (for a custom
# prefix and for DESTDIR + /usr); the unit passes `systemd-analyze verify`
# without a single warning and its hardening scores as "OK" in
# `systemd-analyze security`; the man page renders without warnings (groff
# -ww, man -l) and names every command and every long option the program
# has; every command takes the shared flags (--config, --log-level,
# --syslog); the example configuration is accepted by the command it is for.
set -euo pipefail

: "${BTCSEED_BUILD:?}" "${BTCSEED_SRC:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# --- install to a prefix, and to DESTDIR with prefix /usr
cmake --install "$BTCSEED_BUILD" --prefix "$dir/prefix" >/dev/null
DESTDIR="$dir/root" cmake --install "$BTCSEED_BUILD" --prefix /usr >/dev/null
for f in prefix/bin/btcseed prefix/share/man/man1/btcseed.1 prefix/etc/btcseed/btcseed.conf \
  prefix/lib/systemd/system/btcseed.service root/usr/bin/btcseed \
  root/usr/share/man/man1/btcseed.1 root/etc/btcseed/btcseed.conf \
  root/usr/lib/systemd/system/btcseed.service; do
  [ -f "$dir/$f" ] || fail "cmake --install did not write $f"
done
[ -x "$dir/prefix/bin/btcseed" ] || fail "installed btcseed is not executable"
"$dir/prefix/bin/btcseed" --version | grep -q '^btcseed [0-9]' || fail "installed --version"
grep -qx "ExecStart=$dir/prefix/bin/btcseed run --config $dir/prefix/etc/btcseed/btcseed.conf --db /var/lib/btcseed/nodes.db" \
  "$dir/prefix/lib/systemd/system/btcseed.service" || fail "unit paths do not follow the prefix"
grep -qx 'ExecStart=/usr/bin/btcseed run --config /etc/btcseed/btcseed.conf --db /var/lib/btcseed/nodes.db' \
  "$dir/root/usr/lib/systemd/system/btcseed.service" || fail "unit paths for prefix /usr"
echo "install: ok"

# --- the unit
unit="$dir/prefix/lib/systemd/system/btcseed.service"
for key in DynamicUser=yes AmbientCapabilities=CAP_NET_BIND_SERVICE \
  CapabilityBoundingSet=CAP_NET_BIND_SERVICE ProtectSystem=strict StateDirectory=btcseed \
  NoNewPrivileges=yes PrivateTmp=yes; do
  grep -qx "$key" "$unit" || fail "unit lacks $key"
done
if command -v systemd-analyze >/dev/null; then
  # verify checks ExecStart's program exists and, with MANPATH, that the
  # Documentation= man page does; any message at all is a failure.
  if ! MANPATH="$dir/prefix/share/man" systemd-analyze verify "$unit" >"$dir/verify.out" 2>&1 \
    || [ -s "$dir/verify.out" ]; then
    cat "$dir/verify.out" >&2
    fail "systemd-analyze verify"
  fi
  # The check must be able to fail: a misspelt key is reported.
  sed 's/^NoNewPrivileges=/NoNewPrivilegs=/' "$unit" >"$dir/bad.service"
  MANPATH="$dir/prefix/share/man" systemd-analyze verify "$dir/bad.service" >"$dir/bad.out" 2>&1 || true
  grep -q "Unknown key" "$dir/bad.out" || fail "systemd-analyze verify missed a bad key"
  # Exposure 2.5 or less ("OK" and better) out of 10.
  systemd-analyze security --offline=true --threshold=25 "$unit" >"$dir/security.out" 2>&1 \
    || { tail -n 5 "$dir/security.out" >&2; fail "systemd-analyze security: exposure above 2.5"; }
  echo "unit: $(grep -o 'Overall exposure level.*' "$dir/security.out")"
else
  echo "SKIP: systemd-analyze is not installed (Debian package systemd); unit not verified"
fi

# --- the man page
page="$BTCSEED_SRC/doc/btcseed.1"
groff -man -Tutf8 -ww -z "$page" 2>"$dir/groff.err" || fail "groff failed"
[ -s "$dir/groff.err" ] && { cat "$dir/groff.err" >&2; fail "groff warnings"; }
MANWIDTH=80 man -l "$dir/prefix/share/man/man1/btcseed.1" >"$dir/man.txt" 2>"$dir/man.err" \
  || fail "man -l failed"
[ -s "$dir/man.err" ] && { cat "$dir/man.err" >&2; fail "man -l warnings"; }
grep -q 'CONFIGURATION FILE' "$dir/man.txt" || fail "man -l rendered no text"

# Every command in main.c's table has a section, every long option of every
# command (src/cli/*.c option tables) is named.
commands=$(sed -n 's/^ *{"\([a-z]*\)", cli_[a-z_]*,.*/\1/p' "$BTCSEED_SRC/src/main.c")
[ -n "$commands" ] || fail "no commands found in main.c"
for c in $commands; do
  grep -qx ".SS $c" "$page" || fail "doc/btcseed.1 has no section for 'btcseed $c'"
done
options=$(cat "$BTCSEED_SRC"/src/cli/*.c | sed -n 's/.*{"\([a-z0-9-]*\)", *\(required\|no\|optional\)_argument.*/\1/p' | sort -u)
[ "$(echo "$options" | wc -l)" -gt 10 ] || fail "found too few options in src/cli"
for o in $options config log-level syslog; do
  esc=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
  grep -q -- "\\\\-\\\\-$esc\\b" "$page" \
    || fail "doc/btcseed.1 does not document --$o (see src/cli/*.c): add it"
done
echo "man page: $(echo "$commands" | wc -w) commands, $(echo "$options" | wc -l) options, no warnings"

# --- every command takes --config, --log-level and --syslog, and rejects a
# bad file or level with one line and exit 2
printf '# comment\nconcurency = 5\n' >"$dir/typo.conf"
for c in $commands; do
  set +e
  out=$("$BTCSEED_BUILD/btcseed" "$c" --config "$dir/typo.conf" --help 2>&1 >/dev/null)
  rc=$?
  lvl=$("$BTCSEED_BUILD/btcseed" "$c" --log-level loud --help 2>&1 >/dev/null)
  lrc=$?
  "$BTCSEED_BUILD/btcseed" "$c" --log-level debug --syslog --help >/dev/null 2>&1
  hrc=$?
  set -e
  [ "$rc" = 2 ] && [ "$out" = "btcseed $c: $dir/typo.conf:2: unknown key 'concurency'" ] \
    || fail "btcseed $c --config with an unknown key: exit $rc, '$out'"
  [ "$lrc" = 2 ] && [ "$(echo "$lvl" | wc -l)" = 1 ] \
    || fail "btcseed $c --log-level loud: exit $lrc, '$lvl'"
  [ "$hrc" = 0 ] || fail "btcseed $c --log-level debug --syslog --help: exit $hrc"
done
echo "shared flags: every command takes --config, --log-level, --syslog"

# --- the example configuration is valid for the command the unit runs
conf="$BTCSEED_SRC/contrib/btcseed.conf"
if echo "$commands" | grep -qx run; then target=run; else target=serve; fi
out=$("$BTCSEED_BUILD/btcseed" "$target" --config "$conf" --help 2>&1) \
  || fail "btcseed $target rejects contrib/btcseed.conf: $out"
bad="$dir/bad.conf"
printf 'zone = x\nconcurency = 5\n' >"$bad"
if out=$("$BTCSEED_BUILD/btcseed" "$target" --config "$bad" --help 2>&1); then
  fail "a config with an unknown key was accepted"
fi
echo "$out" | grep -q "bad.conf:2: unknown key 'concurency'" || fail "config error message: $out"
echo "example config: accepted by 'btcseed $target'"
echo "1 passed, 0 failed"
