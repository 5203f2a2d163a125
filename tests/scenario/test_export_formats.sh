#!/bin/bash
# Fills a node database through the nodedb API (helper_nodedb_fill), runs
# `btcseed export` in all three formats, and checks each file against the
# database with python: the dump through a port of makeseeds.py's parser,
# the JSON through python's strict json, the CSV through python's csv.
# Also: --out and standard output agree, bad usage exits 2, a missing
# database exits 1, and a version-1 database is migrated by the export.
set -euo pipefail
: "${BTCSEED:?}" "${BTCSEED_BUILD:?}" "${BTCSEED_SRC:?}"
PY=/usr/bin/python3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$BTCSEED_BUILD/helper_nodedb_fill" "$dir/nodes.db" 3000 7
"$BTCSEED" export --db "$dir/nodes.db" --format dump --out "$dir/seeds.txt"
"$BTCSEED" export --db "$dir/nodes.db" --format json --chain testnet4 --out "$dir/nodes.json"
"$BTCSEED" export --db "$dir/nodes.db" --format csv > "$dir/nodes.csv"
"$PY" -m json.tool "$dir/nodes.json" > /dev/null
"$PY" "$BTCSEED_SRC/tests/scenario/export_check.py" "$dir/nodes.db" "$dir/seeds.txt" \
  "$dir/nodes.json" "$dir/nodes.csv"

# The same dump on standard output as in the file.
"$BTCSEED" export --db "$dir/nodes.db" --format dump | cmp - "$dir/seeds.txt"
# No temporary files left beside the outputs.
[ "$(ls "$dir" | grep -c tmp)" = 0 ] || { echo "FAIL: temp files left"; ls "$dir"; exit 1; }

expect_exit() {
  local want=$1; shift
  set +e
  "$@" > "$dir/out" 2> "$dir/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    echo "FAIL: '$*' exited $got, want $want"; cat "$dir/err"; exit 1
  fi
}
expect_exit 2 "$BTCSEED" export --db "$dir/nodes.db" --format xml
expect_exit 2 "$BTCSEED" export --format dump
expect_exit 2 "$BTCSEED" export --db "$dir/nodes.db" --format dump --chain nochain
expect_exit 2 "$BTCSEED" export --db "$dir/nodes.db" --format dump --bogus
expect_exit 1 "$BTCSEED" export --db "$dir/missing.db" --format dump
[ ! -e "$dir/missing.db" ] || { echo "FAIL: export created a database"; exit 1; }
expect_exit 1 "$BTCSEED" export --db "$dir/nodes.db" --format dump --out "$dir/no/such/dir"
expect_exit 0 "$BTCSEED" export --help
grep -q -- '--format' "$dir/out"

# A database as btcseed's schema version 1 wrote it: exported, and migrated.
"$PY" - "$dir/v1.db" <<'PYEOF'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript("""
CREATE TABLE nodes (net INTEGER NOT NULL, addr BLOB NOT NULL, port INTEGER NOT NULL,
 addr_text TEXT NOT NULL, first_seen INTEGER NOT NULL DEFAULT 0,
 last_seen INTEGER NOT NULL DEFAULT 0, last_try INTEGER NOT NULL DEFAULT 0,
 last_success INTEGER NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0,
 successes INTEGER NOT NULL DEFAULT 0, protocol INTEGER NOT NULL DEFAULT 0,
 services INTEGER NOT NULL DEFAULT 0, user_agent TEXT NOT NULL DEFAULT '',
 height INTEGER NOT NULL DEFAULT 0,
 r2h REAL NOT NULL DEFAULT 0, w2h REAL NOT NULL DEFAULT 0, c2h REAL NOT NULL DEFAULT 0,
 r8h REAL NOT NULL DEFAULT 0, w8h REAL NOT NULL DEFAULT 0, c8h REAL NOT NULL DEFAULT 0,
 r1d REAL NOT NULL DEFAULT 0, w1d REAL NOT NULL DEFAULT 0, c1d REAL NOT NULL DEFAULT 0,
 r7d REAL NOT NULL DEFAULT 0, w7d REAL NOT NULL DEFAULT 0, c7d REAL NOT NULL DEFAULT 0,
 r30d REAL NOT NULL DEFAULT 0, w30d REAL NOT NULL DEFAULT 0, c30d REAL NOT NULL DEFAULT 0,
 good INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (net, addr, port)) WITHOUT ROWID;
CREATE INDEX nodes_good ON nodes (good, services) WHERE good = 1;
INSERT INTO nodes (net, addr, port, addr_text, last_try, last_success, protocol, services,
 user_agent, height, r30d, w30d, good)
 VALUES (1, x'08080808', 8333, '8.8.8.8:8333', 1700000000, 1700000000, 70016, 1033,
 '/Satoshi:27.0.0/', 850000, 0.9, 1.0, 1);
PRAGMA user_version = 1;
""")
con.close()
PYEOF
"$BTCSEED" export --db "$dir/v1.db" --format dump > "$dir/v1.txt"
grep -q '^8\.8\.8\.8:8333 .* 90\.00% .*"/Satoshi:27\.0\.0/"$' "$dir/v1.txt" \
  || { echo "FAIL: v1 export"; cat "$dir/v1.txt"; exit 1; }
[ "$(sqlite3 "$dir/v1.db" 'PRAGMA user_version')" = 2 ] || { echo "FAIL: not migrated"; exit 1; }
echo "ok: exports"
