# test_http_modes.sh -- the status server in both ways it runs: on its own
# thread (how the crawler attaches it) and on a caller's event loop (how
# `btcseed status` runs it). bench_http starts each over a database filled
# through the nodedb API, checks every reply (page, nodes API, metrics) and
# stops each cleanly; a short run here, the figures in the README come from
# longer ones.
set -euo pipefail

: "${BTCSEED_BUILD:?}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$BTCSEED_BUILD/http_mkdb" "$dir/nodes.db" 2000 3 >/dev/null
"$BTCSEED_BUILD/bench_http" "$dir/nodes.db" 0.3 >"$dir/out" 2>"$dir/err" || {
  cat "$dir/out" "$dir/err" >&2
  echo "FAIL: bench_http" >&2
  exit 1
}
cat "$dir/out"
for mode in "own thread" "caller's loop"; do
  for path in "/ " "/api/v1/nodes?limit=1000" "/metrics"; do
    grep -q "^$mode: GET $path.*requests/s" "$dir/out" || {
      echo "FAIL: no figure for $mode $path" >&2
      exit 1
    }
  done
done
[ "$(grep -c 'status page at http://127.0.0.1:' "$dir/err")" = 2 ] || {
  echo "FAIL: expected two servers in the log" >&2
  exit 1
}
echo "1 passed, 0 failed"
