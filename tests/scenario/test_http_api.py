"""test_http_api -- `btcseed status` over a database filled through the
nodedb API: the JSON API checked against the database itself (read with
Python's sqlite3), pagination limits, 400s with JSON errors, /metrics through
promtool and a strict parser, and the page's escaping of hostile user agents.
"""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_common import (NETS, WINDOWS, StatusServer, check, fail, get, make_db,  # noqa: E402
                         open_db, parse_metrics, promtool_check, text)

NODES = 3000


def get_json(base, path, want=200):
    status, headers, body = get(base + path)
    check(status == want, "%s: status %d, wanted %d: %r" % (path, status, want, body[:300]))
    check(headers["Content-Type"] == "application/json", "%s: content type %s" % (
        path, headers["Content-Type"]))
    try:
        # strict: the server must send valid UTF-8 JSON, no NaN
        return json.loads(body.decode("utf-8"), parse_constant=lambda c: fail("JSON " + c))
    except ValueError as e:
        fail("%s: invalid JSON (%s): %r" % (path, e, body[:300]))


def db_totals(con):
    totals = {name: [0, 0, 0, 0] for name in NETS.values()}
    for net, known, tried, reachable, good in con.execute(
            "SELECT net, COUNT(*), SUM(last_try > 0),"
            " SUM(last_success > 0 AND last_success >= last_try), SUM(good = 1)"
            " FROM nodes GROUP BY net"):
        totals[NETS[net]] = [known, tried, reachable, good]
    return totals


def counts_of(obj):
    return [obj["known"], obj["tried"], obj["reachable"], obj["good"]]


def check_summary(base, con):
    s = get_json(base, "/api/v1/summary")
    totals = db_totals(con)
    for name, want in totals.items():
        check(counts_of(s["networks"][name]) == want,
              "summary %s: %r != database %r" % (name, s["networks"][name], want))
    check(counts_of(s["totals"]) == [sum(t[i] for t in totals.values()) for i in range(4)],
          "summary totals differ from the database")
    check(s["chain"] == "main" and s["version"], "summary chain/version")
    # best height: the median start height of the reachable nodes
    heights = sorted(h for (h,) in con.execute(
        "SELECT height FROM nodes WHERE last_success > 0 AND last_success >= last_try"))
    check(heights and s["best_height"] in (heights[len(heights) // 2],
                                           heights[(len(heights) - 1) // 2]),
          "best height %d is not the median" % s["best_height"])
    # user agents: counts of reachable nodes per agent, as the database has them
    agents = {}
    for (ua,) in con.execute(
            "SELECT user_agent FROM nodes WHERE last_success > 0 AND last_success >= last_try"):
        agents[text(ua)] = agents.get(text(ua), 0) + 1
    for entry in s["user_agents"]:
        if entry["name"] != "other":
            check(agents.get(entry["name"]) == entry["nodes"],
                  "user agent %r: %d nodes, database %r" % (
                      entry["name"], entry["nodes"], agents.get(entry["name"])))
    check(sum(e["nodes"] for e in s["user_agents"]) == sum(agents.values()),
          "user agent counts do not add up to the reachable nodes")
    check(any("<script>" in e["name"] for e in s["user_agents"]),
          "the hostile user agent is missing (test data changed?)")
    last = con.execute("SELECT time, reachable, good, dns_queries FROM snapshots"
                       " ORDER BY time DESC LIMIT 1").fetchone()
    ls = s["latest_snapshot"]
    check((ls["time"], ls["reachable"], ls["good"], ls["dns_queries"]) == last,
          "latest snapshot %r != database %r" % (ls, last))
    svc = s["services"]
    for name, bit in (("NODE_NETWORK", 1), ("NODE_WITNESS", 8), ("NODE_P2P_V2", 2048)):
        (n,) = con.execute("SELECT COUNT(*) FROM nodes WHERE last_success > 0 AND"
                           " last_success >= last_try AND (services & ?) != 0", (bit,)).fetchone()
        check(svc[name] == n, "services %s: %d != %d" % (name, svc[name], n))
    check(sum(s["heights"].values()) == sum(agents.values()), "height bands do not add up")


def node_matches(j, row):
    (addr_text, net, protocol, services, ua, height, good, first_seen, last_seen, last_try,
     last_success, tries, successes, source_name, r30d, w30d) = row
    check(j["address"] == text(addr_text), "address %r != %r" % (j["address"], addr_text))
    check(j["network"] == NETS[net], "%s: network" % j["address"])
    check(j["protocol"] == protocol and j["services"] == services and j["height"] == height,
          "%s: version fields differ" % j["address"])
    check(j["services_hex"] == "%016x" % services, "%s: services_hex" % j["address"])
    check(j["user_agent"] == text(ua), "%s: user agent %r != %r" % (
        j["address"], j["user_agent"], text(ua)))
    check(j["good"] == bool(good), "%s: good" % j["address"])
    check([j["first_seen"], j["last_seen"], j["last_try"], j["last_success"], j["tries"],
           j["successes"]] == [first_seen, last_seen, last_try, last_success, tries, successes],
          "%s: times/counts differ" % j["address"])
    check(j["source_name"] == text(source_name), "%s: source" % j["address"])
    want = r30d / w30d if w30d > 0 else 0
    check(abs(j["uptime"]["30d"] - want) < 1e-4, "%s: 30d uptime %r != %r" % (
        j["address"], j["uptime"]["30d"], want))


ROW = ("SELECT addr_text, net, protocol, services, user_agent, height, good, first_seen,"
       " last_seen, last_try, last_success, tries, successes, source_name, r30d, w30d"
       " FROM nodes")


def check_nodes(base, con):
    rows = con.execute(ROW + " ORDER BY net, addr, port").fetchall()
    check(len(rows) == NODES, "database holds %d nodes" % len(rows))
    # Every node, page by page at the largest limit, in address order.
    seen = []
    offset = 0
    while True:
        page = get_json(base, "/api/v1/nodes?limit=1000&offset=%d" % offset)
        check(page["total"] == NODES and page["limit"] == 1000 and page["offset"] == offset,
              "page header %r" % {k: page[k] for k in ("total", "limit", "offset")})
        check(len(page["nodes"]) == min(1000, max(0, NODES - offset)), "page size")
        if not page["nodes"]:
            break
        seen.extend(page["nodes"])
        offset += 1000
    check(len(seen) == len(rows), "pages hold %d nodes, database %d" % (len(seen), len(rows)))
    for j, row in zip(seen, rows):
        node_matches(j, row)

    # Default limit, and filters against the same filters in SQL.
    page = get_json(base, "/api/v1/nodes")
    check(page["limit"] == 100 and len(page["nodes"]) == 100, "default limit is 100")
    cases = [
        ("network=onion", "net = 4"),
        ("network=ipv6&good=1", "net = 2 AND good = 1"),
        ("good=0", "good = 0"),
        ("good=true&services=0x800", "good = 1 AND (services & 2048) = 2048"),
        ("services=1033", "(services & 1033) = 1033"),
        ("network=i2p&good=false&limit=7&offset=3", "net = 5 AND good = 0"),
    ]
    for query, where in cases:
        params = urllib.parse.parse_qs(query)
        limit = int(params.get("limit", ["100"])[0])
        off = int(params.get("offset", ["0"])[0])
        want = con.execute(ROW + " WHERE " + where + " ORDER BY net, addr, port").fetchall()
        page = get_json(base, "/api/v1/nodes?" + query)
        check(page["total"] == len(want), "%s: total %d, database %d" % (
            query, page["total"], len(want)))
        check(len(want) > off, "%s: test data too small" % query)
        window = want[off:off + limit]
        check(len(page["nodes"]) == len(window), "%s: %d nodes, wanted %d" % (
            query, len(page["nodes"]), len(window)))
        for j, row in zip(page["nodes"], window):
            node_matches(j, row)
    page = get_json(base, "/api/v1/nodes?offset=%d" % (NODES + 5))
    check(page["nodes"] == [] and page["total"] == NODES, "past the end: empty page")


def check_bad_requests(base):
    bad = [
        "/api/v1/nodes?limit=0", "/api/v1/nodes?limit=1001", "/api/v1/nodes?limit=-5",
        "/api/v1/nodes?limit=abc", "/api/v1/nodes?offset=100000001",
        "/api/v1/nodes?network=tor", "/api/v1/nodes?good=maybe",
        "/api/v1/nodes?services=0xzz", "/api/v1/nodes?sort=height",
        "/api/v1/nodes?limit=1&limit=2", "/api/v1/nodes?a=%zz",
        "/api/v1/nodes?" + "&".join("k%d=1" % i for i in range(9)),
        "/api/v1/snapshots?limit=0", "/api/v1/snapshots?since=yesterday",
        "/api/v1/summary?verbose=1", "/api/v1/node/not-an-address",
        "/api/v1/node/1.2.3.4%00:8333", "/api/v1/node/" + "a" * 300,
    ]
    for path in bad:
        j = get_json(base, path, want=400)
        check(isinstance(j.get("error"), str) and j["error"], "%s: no error message" % path)
    j = get_json(base, "/api/v1/node/192.0.2.1:8333", want=404)
    check("no such node" in j["error"], "404 message")
    j = get_json(base, "/api/v1/nosuch", want=404)
    check("error" in j, "404 for unknown endpoints")
    status, headers, _ = get(base + "/api/v1/summary", method="POST")
    check(status == 405 and headers["Allow"] == "GET, HEAD", "POST: %d" % status)
    status, _, body = get(base + "/db/nodes.db")
    check(status == 404, "a file path must not be served: %d" % status)


def check_node_and_snapshots(base, con):
    for (addr_text,) in con.execute(
            "SELECT addr_text FROM nodes WHERE tries > 0 ORDER BY addr LIMIT 12"):
        addr = text(addr_text)
        j = get_json(base, "/api/v1/node/" + urllib.parse.quote(addr, safe=""))
        row = con.execute(ROW + " WHERE addr_text = ?", (addr,)).fetchone()
        node_matches(j, row)
        check(j["verdict"] in ("good", "banned", "unreached", "failing", "port", "services",
                               "protocol", "height", "behind", "unreliable"),
              "verdict %r" % j["verdict"])
        check(set(j["tests"]) == set(WINDOWS), "tests per window")
        check((j["verdict"] == "good") == j["good"],
              "%s: verdict %s but good %s" % (addr, j["verdict"], j["good"]))
    # An IPv4 node without its port: the chain's default port is assumed.
    (addr_text,) = con.execute(
        "SELECT addr_text FROM nodes WHERE net = 1 AND port = 8333 LIMIT 1").fetchone()
    host = text(addr_text).rsplit(":", 1)[0]
    check(get_json(base, "/api/v1/node/" + host)["address"] == text(addr_text), "default port")

    rows = con.execute("SELECT time, known, tried, reachable, good, crawl_rate, dns_rate,"
                       " dns_queries FROM snapshots ORDER BY time").fetchall()
    snaps = get_json(base, "/api/v1/snapshots?limit=10000")["snapshots"]
    check(len(snaps) == len(rows), "snapshots: %d, database %d" % (len(snaps), len(rows)))
    for j, r in zip(snaps, rows):
        check([j["time"], j["known"], j["tried"], j["reachable"], j["good"]] == list(r[:5])
              and abs(j["crawl_rate"] - r[5]) < 1e-6 and abs(j["dns_rate"] - r[6]) < 1e-6
              and j["dns_queries"] == r[7], "snapshot %d differs" % r[0])
        check(set(j["networks"]) == set(NETS.values()), "snapshot networks")
    newest = get_json(base, "/api/v1/snapshots?limit=5")["snapshots"]
    check([s["time"] for s in newest] == [r[0] for r in rows[-5:]], "limit=5: the newest 5")
    since = rows[-10][0]
    check(len(get_json(base, "/api/v1/snapshots?since=%d" % since)["snapshots"]) == 10,
          "since= keeps rows at or after the time")


def check_metrics(base, con):
    status, headers, body = get(base + "/metrics")
    check(status == 200, "/metrics status %d" % status)
    check(headers["Content-Type"].startswith("text/plain; version=0.0.4"), "metrics type")
    body = body.decode("utf-8")
    promtool_check(body)
    samples = parse_metrics(body)
    totals = db_totals(con)
    for name, (known, tried, reachable, good) in totals.items():
        for metric, want in (("btcseed_nodes_known", known), ("btcseed_nodes_tried", tried),
                             ("btcseed_nodes_reachable", reachable),
                             ("btcseed_nodes_good", good)):
            got = samples.get((metric, frozenset({("network", name)})))
            check(got == want, "%s{network=%s} = %r, database %d" % (metric, name, got, want))
    ok = samples[("btcseed_http_requests_total", frozenset({("code", "200")}))]
    bad = samples[("btcseed_http_requests_total", frozenset({("code", "400")}))]
    check(ok >= 10 and bad >= 18, "request counters: 200=%d 400=%d" % (ok, bad))
    # The parser must reject what it should, or the checks above prove little.
    for broken in ("x 1\n", "# HELP a b\n# TYPE a gauge\na{b=\"c} 1\n",
                   "# HELP a b\n# TYPE a gauge\na 1\na 2\n"):
        try:
            parse_metrics(broken)
        except AssertionError:
            continue
        fail("the metrics parser accepted %r" % broken)


def check_page(base):
    status, headers, body = get(base + "/")
    check(status == 200 and headers["Content-Type"] == "text/html; charset=utf-8", "page")
    csp = headers["Content-Security-Policy"]
    check("default-src 'none'" in csp, "page CSP: %s" % csp)
    page = body.decode("utf-8")  # valid UTF-8 whatever the peers sent
    check("<script" not in page, "a user agent's markup reached the page")
    check("&lt;script&gt;alert(&#39;ua&#39;)&lt;/script&gt;" in page, "escaped agent missing")
    check("&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page, "quote/bold agent")
    check("\x01" not in page and "\x1b" not in page, "control bytes reached the page")
    check("http://" not in page and "https://" not in page and 'href="//' not in page
          and "src=" not in page and "url(" not in page, "the page refers to another host")
    for chart in ("chart-nodes", "chart-networks", "chart-versions", "chart-agents",
                  "chart-services", "chart-heights", "chart-crawl-rate", "chart-dns-rate"):
        check('id="%s"' % chart in page, "chart %s missing" % chart)
    status, headers, body = get(base + "/", method="HEAD")
    check(status == 200 and body == b"", "HEAD: %d, %d bytes" % (status, len(body)))


def check_empty(work):
    """A database with no node and no snapshot yet (a crawl just started)."""
    db = os.path.join(work, "empty.db")
    make_db(db, 0, seed=1, now=0, days=0)
    server = StatusServer(db)
    try:
        s = get_json(server.url, "/api/v1/summary")
        check(s["latest_snapshot"] is None and s["totals"]["known"] == 0
              and s["best_height"] == 0 and s["user_agents"] == [], "empty summary %r" % s)
        page = get_json(server.url, "/api/v1/nodes")
        check(page["nodes"] == [] and page["total"] == 0, "empty nodes")
        check(get_json(server.url, "/api/v1/snapshots")["snapshots"] == [], "empty snapshots")
        status, _, body = get(server.url + "/")
        check(status == 200 and body.count(b"no data yet") >= 3
              and b"no node reached yet" in body, "empty page")
        status, _, body = get(server.url + "/metrics")
        promtool_check(body.decode())
        samples = parse_metrics(body.decode())
        check(samples[("btcseed_nodes_known", frozenset({("network", "ipv4")}))] == 0,
              "empty metrics")
        check(samples[("btcseed_build_info", frozenset({("version", s["version"])}))] == 1,
              "build info")
    finally:
        server.stop()


def main():
    work = tempfile.mkdtemp()
    server = None
    try:
        db = os.path.join(work, "nodes.db")
        print(make_db(db, NODES, seed=11).strip())
        con = open_db(db)
        server = StatusServer(db)
        base = server.url
        check_summary(base, con)
        check_nodes(base, con)
        check_bad_requests(base)
        check_node_and_snapshots(base, con)
        check_page(base)
        check_metrics(base, con)
        server.stop()
        server = None
        check_empty(work)

        # Bad command lines: one line on stderr, exit 2; a missing database: 1.
        import subprocess
        from http_common import BTCSEED
        for args, want in ((["--db", db], 2), (["--http", "127.0.0.1:0"], 2),
                           (["--db", db, "--http", "127.0.0.1"], 2),
                           (["--db", db, "--http", "example.org:80"], 2),
                           (["--db", db, "--http", "127.0.0.1:0", "--refresh", "0"], 2),
                           (["--db", os.path.join(work, "missing.db"), "--http",
                             "127.0.0.1:0"], 1),
                           (["--db", db, "--http", "127.0.0.1:0", "--bogus"], 2)):
            r = subprocess.run([BTCSEED, "status", *args], capture_output=True, timeout=20)
            check(r.returncode == want, "status %r: exit %d, wanted %d (%s)" % (
                args, r.returncode, want, r.stderr))
            check(r.stderr.strip() and len(r.stderr.strip().split(b"\n")) == 1,
                  "status %r: not one line: %r" % (args, r.stderr))
        # The same flags from a config file.
        conf = os.path.join(work, "btcseed.conf")
        with open(conf, "w") as f:
            f.write("# status page\ndb = %s\nhttp = 127.0.0.1:0\nrefresh = 30\n" % db)
        server = StatusServer(db, "--config", conf)
        status, _, body = get(server.url + "/")
        check(status == 200 and b'content="30"' in body, "config file refresh = 30")
        server.stop()
        server = None
        print("1 passed, 0 failed")
    finally:
        if server:
            server.stop(expect_ok=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    start = time.time()
    main()
    print("test_http_api: %.1f s" % (time.time() - start))
