# simnet: `btcseed probe` completes a handshake with simnet nodes over IPv4
# and IPv6, prints their version fields as the manifest has them and receives
# their whole getaddr answer; dead, silent and wrong-magic nodes fail it.
set -eu
tmp=$(mktemp -d)
fail() { echo "FAIL: $*" >&2; exit 1; }
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

ip -6 route add local 2001:db8:2::/64 dev lo
"$BTCSEED_SIMNET" --nodes 2000 --dead 300 --silent 20 --hostile 110 --ipv6 0.2 \
  --ipv6-prefix 2001:db8:2::/64 --seed 9 --manifest "$tmp/m.json" >"$tmp/stdout" &
pid=$!
for _ in $(seq 100); do grep -q '^ready$' "$tmp/stdout" && break; sleep 0.1; done
grep -q '^ready$' "$tmp/stdout" || fail "simnet not ready"

pick() { # pick PYTHON-CONDITION-ON-n: "addr version services height user_agent view_size"
  /usr/bin/python3 - "$tmp/m.json" "$1" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
n = next(n for n in m["nodes"] if eval(sys.argv[2]))
print(n["addr"], n["version"], "%016x" % n["services"], n["height"], n["view_size"], n["user_agent"])
EOF
}

for cond in 'n["good"] and n["net"] == "ipv4" and n["version"] == 70016' \
            'n["good"] and n["net"] == "ipv6" and n["answer_parts"] > 1' \
            'n["behaviour"] == "honest" and n["version"] < 70016'; do
  read -r addr version services height view agent <<<"$(pick "$cond")"
  "$BTCSEED" probe "$addr" --wait 1 --timeout 5 >"$tmp/out" 2>&1 || fail "probe $addr: $(cat "$tmp/out")"
  grep -Eq "^  version +$version\$" "$tmp/out" || fail "$addr version $version: $(head "$tmp/out")"
  grep -Eq "^  services +$services " "$tmp/out" || fail "$addr services $services"
  grep -Eq "^  height +$height\$" "$tmp/out" || fail "$addr height $height"
  grep -Fq "  user agent  $agent" "$tmp/out" || fail "$addr user agent $agent"
  got=$(sed -n 's/^received addr.* (\([0-9]*\) address.*/\1/p' "$tmp/out" | awk '{s += $1} END {print s}')
  [ "$got" = "$view" ] || fail "$addr: $got addresses received, its view holds $view"
  echo "probe $addr: $version $agent, $got addresses"
done

# Dead (refused), silent (handshake timeout), wrong magic: probe fails with 1.
for cond in 'n["behaviour"] == "dead"' 'n["behaviour"] == "silent"' \
            'n["behaviour"] == "wrong-magic"'; do
  read -r addr _ <<<"$(pick "$cond")"
  code=0
  "$BTCSEED" probe "$addr" --wait 1 --timeout 2 >"$tmp/out" 2>&1 || code=$?
  [ "$code" = 1 ] || fail "probe of $cond node $addr exited $code: $(cat "$tmp/out")"
done

kill "$pid"
wait "$pid" || fail "exit status $? after SIGTERM"
pid=
echo ok
