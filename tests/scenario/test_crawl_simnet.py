"""Crawl a simulated network and compare the database with its ground truth.

simnet: 5,000 addresses (1,000 of them IPv6 on 2001:db8:2::/64, 200 onion
names reached through simnet's SOCKS5 proxy), 2,000 honest
reachable nodes, the rest dead, silent, slow, churning and hostile of every
kind, bootstrapped only from simnet's seed DNS names. After `crawl --once`:
  - every always-up reachable node is in the database as reached, with the
    version fields the manifest gives; every unreachable one as failed;
  - the good set equals the manifest's (churning nodes aside: up or down
    at crawl time is luck);
  - nothing outside the allowed ranges was ever dialed: public-looking junk
    from hostile gossip is kept untried, reserved junk is not kept at all;
  - hostile timestamps were clamped (nothing seen in the future).
"""
import ipaddress
import os
import sqlite3
import subprocess
import sys
import time

from simnet_net import PREFIX, Simnet

BTCSEED = os.environ["BTCSEED"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def host_of(addr):
    """The IP address of an address text, or None for an onion name."""
    host = addr.rsplit(":", 1)[0]
    if host.endswith(".onion"):
        return None
    return ipaddress.ip_address(host.strip("[]"))


def main():
    sim = Simnet(["--seed", "7", "--nodes", "5000", "--ipv6", "1000", "--ipv6-prefix", PREFIX,
                  "--dead", "1500", "--silent", "500", "--slow", "300", "--churn", "300",
                  "--hostile", "400", "--onion", "200", "--socks5", "127.0.0.1:9050"], ipv6=True)
    manifest = sim.manifest
    db = os.path.join(sim.dir, "c.db")
    try:
        started = time.time()
        args = [BTCSEED, "crawl", "--once", "--db", db,
                "--allow-net", "127.0.0.0/8", "--allow-net", "2001:db8::/32", "--only-allowed",
                "--concurrency", "2000", "--max-rate", "20000", "--connect-timeout", "3",
                "--handshake-timeout", "5", "--addr-timeout", "4", "--quiet", "0.5",
                "--visit-timeout", "8", "--no-progress",
                "--onion-proxy", "127.0.0.1:9050"] + sim.seed_args()
        crawl = subprocess.run(args, capture_output=True, text=True, timeout=120)
        print(crawl.stdout)
        if crawl.returncode != 0:
            fail("crawl exited %d: %s" % (crawl.returncode, crawl.stderr[-2000:]))
        elapsed = time.time() - started
    finally:
        sim.stop()

    rows = {}
    con = sqlite3.connect(db)
    for (addr, tries, successes, protocol, services, agent, height, good, last_seen) in con.execute(
            "select addr_text, tries, successes, protocol, services, user_agent, height, good,"
            " last_seen from nodes"):
        rows[addr] = dict(tries=tries, successes=successes, protocol=protocol,
                          services=services, agent=agent, height=height, good=good,
                          last_seen=last_seen)

    allowed = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("2001:db8::/32")]
    junk_public = [ipaddress.ip_network(n) for n in manifest["junk"]["public"]]
    junk_reserved = [ipaddress.ip_network(n) for n in manifest["junk"]["reserved"]]
    problems = []

    # 1. Ground truth, node by node.
    reached = good_seen = onions = 0
    for node in manifest["nodes"]:
        row = rows.get(node["addr"])
        churn = node["behaviour"] == "churn"
        if row is None:
            problems.append("%s (%s) never learned" % (node["addr"], node["behaviour"]))
            continue
        if row["tries"] != 1:
            problems.append("%s tried %d times in one --once crawl" % (node["addr"], row["tries"]))
        if node["reachable"] and not churn and row["successes"] != 1:
            problems.append("%s (%s) reachable but not reached" % (node["addr"], node["behaviour"]))
        if not node["reachable"] and row["successes"] != 0:
            problems.append("%s (%s) unreachable but reached" % (node["addr"], node["behaviour"]))
        if row["successes"]:
            reached += 1
            onions += node["net"] == "onion"
            want = (node["version"], node["services"], node["user_agent"], node["height"])
            got = (row["protocol"], row["services"], row["agent"], row["height"])
            if want != got:
                problems.append("%s version fields %r, manifest %r" % (node["addr"], got, want))
        if not churn and bool(row["good"]) != node["good"]:
            problems.append("%s (%s) good=%d, manifest %s" % (node["addr"], node["behaviour"],
                                                              row["good"], node["good"]))
        good_seen += row["good"]

    # 2. Safety: only allowed ranges dialed; junk kept untried or dropped.
    now = time.time()
    junk_kept = 0
    for addr, row in rows.items():
        ip = host_of(addr)
        if ip is None:
            continue  # onion: only ever dialed through the proxy
        if row["tries"] and not any(ip in n for n in allowed):
            problems.append("dialed %s outside the allowed ranges" % addr)
        if any(ip in n for n in junk_reserved) and not any(ip in n for n in allowed):
            problems.append("kept reserved address %s" % addr)
        if any(ip in n for n in junk_public):
            junk_kept += 1
            if row["tries"]:
                problems.append("dialed public-looking junk %s" % addr)
        if row["last_seen"] > now + 600:
            problems.append("%s seen in the future (%d)" % (addr, row["last_seen"]))

    if problems:
        for p in problems[:30]:
            print("  ", p)
        fail("%d disagreements with the manifest" % len(problems))
    if "dropped unroutable 0," in crawl.stdout:
        fail("hostile gossip of reserved addresses was not dropped")
    if not onions:
        fail("no onion node reached through the proxy")
    print("PASS: %d nodes reached (%d onion), %d good, %d rows, %d public-looking junk kept "
          "untried, crawl %.1f s" % (reached, onions, good_seen, len(rows), junk_kept, elapsed))


main()
