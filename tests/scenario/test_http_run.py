"""test_http_run -- the status server attached to what an operator runs:
simnet (IPv4 and IPv6 nodes, dead, silent and hostile ones, seed DNS) crawled
by `btcseed run --http` (crawler and DNS server in one process, sharing the
crawler's code with `btcseed crawl --http`), bootstrapped from simnet's seed
names only, while a client sends it DNS queries. While it runs:
  - the JSON API's nodes are exactly what the database holds (read here with
    sqlite3 while the crawler writes), and the crawl found the network the
    manifest describes (disagreements are printed);
  - the time series shows the DNS queries the client sent;
  - /metrics passes promtool and the strict parser and carries the crawler's
    and the DNS server's metrics next to the database's counts;
  - chromium renders the page with every chart drawn from the crawl's own
    time series (a screenshot is kept in $BTCSEED_BUILD/http-screenshots/),
    and its network log shows nothing but 127.0.0.1;
then SIGTERM stops it cleanly.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.query

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_common import (BTCSEED, BUILD, check, check_dom, check_netlog, chromium,  # noqa: E402
                         colour_counts, fail, get, open_db, parse_metrics, promtool_check,
                         text, wait_for_url)
from simnet_client import Simnet  # noqa: E402

PREFIX = "2001:db8:7::/64"
DNS = "127.0.0.1:5354"      # simnet's seed zone
SEED_DNS = ("127.0.0.1", 5300)  # btcseed's own zone
ZONE = "seed.test"
QUERIES = 300
HTTP_CACHE_SECONDS = 5  # src/http/http_server.h


def get_json(url):
    import json
    status, _, body = get(url)
    check(status == 200, "%s: status %d" % (url, status))
    return json.loads(body)


def api_nodes(base, query):
    nodes, offset = [], 0
    while True:
        page = get_json("%s/api/v1/nodes?limit=1000&offset=%d&%s" % (base, offset, query))
        nodes.extend(page["nodes"])
        offset += 1000
        if offset >= page["total"]:
            return nodes


def main():
    subprocess.run(["ip", "-6", "route", "add", "local", PREFIX, "dev", "lo"], check=True)
    work = tempfile.mkdtemp()
    shots = os.path.join(BUILD, "http-screenshots")
    os.makedirs(shots, exist_ok=True)
    sim = crawl = None
    log = tempfile.TemporaryFile()
    try:
        # Trickling nodes send a byte every 20 ms: slow, but within the
        # crawler's handshake deadline, so they count as reachable for both.
        sim = Simnet("--nodes", "1200", "--dead", "250", "--silent", "30", "--hostile", "60",
                     "--trickle-ms", "20", "--ipv6", "0.2", "--ipv6-prefix", PREFIX,
                     "--seed", "21", "--dns", DNS)
        m = sim.manifest
        reachable = {n["addr"]: n for n in m["nodes"] if n["reachable"]}
        behaviour = {n["addr"]: n["behaviour"] for n in m["nodes"]}
        good = {n["addr"] for n in m["nodes"] if n["good"]}
        print("simnet: %d nodes, %d reachable, %d good" % (
            len(m["nodes"]), len(reachable), len(good)))

        db = os.path.join(work, "nodes.db")
        cmd = [BTCSEED, "run", "--db", db, "--resolver", DNS, "--allow-net", "127.0.0.0/8",
               "--allow-net", PREFIX, "--http", "127.0.0.1:0", "--snapshot-interval", "1",
               "--no-progress", "--concurrency", "400", "--zone", ZONE, "--ns", "ns.example.org",
               "--mbox", "hostmaster@example.org", "--listen", "%s:%d" % SEED_DNS,
               "--reload", "1", "--rrl-rate", "0"]  # one client, many queries: no RRL
        for seed in m["dns"]["seeds"]:
            if not seed["name"].startswith("x"):
                cmd += ["--seed", seed["name"]]
        crawl = subprocess.Popen(cmd, stderr=log)
        base = wait_for_url(log, crawl)
        if base is None:
            log.seek(0)
            fail("run did not start its status server: %s" % log.read()[-2000:])

        # Until the crawl has reached every reachable node and written a few
        # time-series rows.
        deadline = time.time() + 90
        while True:
            s = get_json(base + "/api/v1/summary")
            rows = len(get_json(base + "/api/v1/snapshots")["snapshots"])
            if s["totals"]["tried"] >= len(m["nodes"]) and rows >= 5 and \
                    s["latest_snapshot"]["reachable"] == s["totals"]["reachable"]:
                break
            if time.time() > deadline:
                fail("crawl tried %d of %d nodes, %d snapshot rows" % (
                    s["totals"]["tried"], len(m["nodes"]), rows))
            time.sleep(0.5)
        print("crawl: %s reachable, %s good, %d snapshot rows" % (
            s["totals"]["reachable"], s["totals"]["good"], rows))
        time.sleep(1)  # let the crawler's last batch of results settle

        # The API says what the database says (read here with sqlite3 while
        # the crawler writes), and the crawl found the network simnet built.
        # (Exact agreement with the manifest is the crawler's own test; here
        # a few disagreements are reported, not failed on.)
        listed = {n["address"]: n for n in api_nodes(base, "") if n["reachable"]}
        con = open_db(db)
        # SQLite keeps the 64 service bits as a signed integer.
        rows_now = {text(a): (p, sv & (2**64 - 1), h, text(ua)) for a, p, sv, h, ua in con.execute(
            "SELECT addr_text, protocol, services, height, user_agent FROM nodes"
            " WHERE last_success > 0 AND last_success >= last_try")}
        check(set(listed) == set(rows_now), "API reachable %d, database %d" % (
            len(listed), len(rows_now)))
        for addr, n in listed.items():
            check((n["protocol"], n["services"], n["height"], n["user_agent"]) == rows_now[addr],
                  "%s: API %r, database %r" % (addr, n, rows_now[addr]))
        extra = sorted(set(listed) - set(reachable))
        missing = sorted(set(reachable) - set(listed))
        print("crawl vs manifest: %d reachable in both, %d only crawled (%s), %d only in the "
              "manifest (%s)" % (len(set(listed) & set(reachable)), len(extra),
                                 sorted({behaviour[a] for a in extra}), len(missing),
                                 sorted({behaviour[a] for a in missing})))
        check(len(set(listed) & set(reachable)) >= 0.95 * len(reachable),
              "the crawl found too few of simnet's reachable nodes")
        agree = [a for a in set(listed) & set(reachable)
                 if (listed[a]["protocol"], listed[a]["services"], listed[a]["height"],
                     listed[a]["user_agent"]) == (reachable[a]["version"],
                                                  reachable[a]["services"],
                                                  reachable[a]["height"],
                                                  reachable[a]["user_agent"])]
        check(len(agree) >= 0.95 * len(reachable), "version fields differ from the manifest")
        api_good = {n["address"] for n in api_nodes(base, "good=1")}
        check(api_good, "no good node")
        print("good: %d (manifest %d, %d in both)" % (len(api_good), len(good),
                                                      len(api_good & good)))
        check(s["networks"]["ipv6"]["reachable"] > 0, "no IPv6 node reached")

        # DNS queries: counted by the server, recorded in the time series.
        answered = 0
        for i in range(QUERIES):
            q = dns.message.make_query(ZONE, "A")
            r = dns.query.udp(q, SEED_DNS[0], port=SEED_DNS[1], timeout=2)
            answered += len(r.answer) > 0
        check(answered == QUERIES, "DNS answers with addresses: %d of %d" % (answered, QUERIES))
        deadline = time.time() + 20
        while True:
            snaps = get_json(base + "/api/v1/snapshots")["snapshots"]
            if snaps[-1]["dns_queries"] >= QUERIES:
                break
            if time.time() > deadline:
                fail("snapshots count %d DNS queries" % snaps[-1]["dns_queries"])
            time.sleep(0.5)
        check(max(r["dns_rate"] for r in snaps) > 0, "no DNS rate in the time series")

        # Metrics: the crawler's, the DNS server's and the database's, in one
        # valid exposition.
        status, _, body = get(base + "/metrics")
        check(status == 200, "/metrics status %d" % status)
        body = body.decode()
        promtool_check(body)
        samples = parse_metrics(body)
        names = {name for name, _ in samples}
        for family in ("btcseed_crawl_connections_attempted_total",
                       "btcseed_crawl_handshake_seconds_count", "btcseed_nodes_reachable",
                       "btcseed_http_requests_total", "btcseed_dns_queries_total"):
            check(family in names, "/metrics lacks %s" % family)
        handshakes = samples[("btcseed_crawl_handshake_seconds_count", frozenset())]
        check(handshakes >= len(reachable), "handshake histogram counted %d" % handshakes)
        dns_udp = samples[("btcseed_dns_queries_total", frozenset({("transport", "udp")}))]
        check(dns_udp >= QUERIES, "btcseed_dns_queries_total{udp} = %d" % dns_udp)
        metric_reachable = sum(v for (name, _), v in samples.items()
                               if name == "btcseed_nodes_reachable")
        check(metric_reachable >= len(reachable), "btcseed_nodes_reachable %d" % metric_reachable)

        # The page in the browser, drawn from the crawl's own rows.
        time.sleep(HTTP_CACHE_SECONDS + 1)  # the page's figures are cached this long
        netlog = os.path.join(work, "netlog.json")
        r = chromium(base + "/", work, "--dump-dom", "--log-net-log=" + netlog)
        dom = check_dom(r.stdout.decode("utf-8"), min_points=5, min_bars=2, min_rows=20)
        ys = [float(y) for y in re.findall(r"[ML][\d.]+ ([\d.]+)",
                                           dom.charts["chart-dns-rate"]["paths"][0])]
        check(min(ys) < max(ys), "the DNS chart is flat: the queries are not on it")
        check_netlog(netlog, int(base.rsplit(":", 1)[1]))
        png = os.path.join(shots, "run.png")
        chromium(base + "/", work, "--window-size=1280,2400", "--screenshot=" + png)
        width, height, counts = colour_counts(png)
        print("%s: %dx%d, chart colour pixels %s" % (png, width, height, counts))
        for colour in ("reachable", "good", "crawl", "dns", "bars"):
            check(counts[colour] > 60, "run screenshot: almost no %s pixels" % colour)

        crawl.send_signal(signal.SIGTERM)
        try:
            code = crawl.wait(timeout=15)
        except subprocess.TimeoutExpired:
            fail("run did not stop within 15 s of SIGTERM")
        check(code == 0, "run exited %d after SIGTERM" % code)
        crawl = None
        sim.stop()
        sim = None
        print("1 passed, 0 failed")
    finally:
        if crawl and crawl.poll() is None:
            crawl.kill()
            crawl.wait()
        if sim:
            sim.proc.kill()
            sim.proc.wait()
        log.seek(0)
        tail = log.read()[-3000:].decode(errors="replace")
        if tail and sys.exc_info()[0]:
            print("--- run log (end)\n" + tail, file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(sim.tmp if sim else "", ignore_errors=True)


if __name__ == "__main__":
    main()
