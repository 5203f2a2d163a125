"""End to end: simnet (seed DNS, IPv4 and IPv6 nodes, hostile peers) ->
`btcseed run` crawls it -> A and AAAA queries at the zone (dnspython, real
UDP and TCP) return only addresses the manifest calls good, for the apex and
for x9, and the crawl reaches every good node of the manifest in time."""
import os
import signal
import subprocess
import sys
import time

import dns.message
import dns.query
import dns.rdatatype

from simnet_net import PREFIX, Simnet

BTCSEED = os.environ["BTCSEED"]
ZONE = "seed.example.org"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def ask(name, rdtype, tcp=False):
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
    send = dns.query.tcp if tcp else dns.query.udp
    r = send(q, "127.0.0.1", port=5400, timeout=2)
    return [rr.address for rrset in r.answer for rr in rrset]


def main():
    sim = Simnet(["--seed", "11", "--nodes", "3000", "--ipv6", "800", "--ipv6-prefix", PREFIX,
                  "--dead", "600", "--silent", "200", "--hostile", "200", "--procs", "1"],
                 ipv6=True)
    good = {n["addr"].rsplit(":", 1)[0].strip("[]"): n for n in sim.manifest["nodes"] if n["good"]}
    good_v4 = {a for a in good if ":" not in a}
    good_v6 = {a for a in good if ":" in a}
    db = os.path.join(sim.dir, "run.db")
    run = subprocess.Popen(
        [BTCSEED, "run", "--db", db, "--zone", ZONE, "--ns", "ns.example.net",
         "--mbox", "hostmaster.example.org", "--listen", "127.0.0.1:5400",
         "--listen", "[::1]:5400", "--reload", "1", "--allow-net", "127.0.0.0/8",
         "--allow-net", "2001:db8::/32", "--only-allowed", "--concurrency", "1000",
         "--max-rate", "5000", "--connect-timeout", "2", "--handshake-timeout", "3",
         "--addr-timeout", "2", "--quiet", "0.3", "--visit-timeout", "5", "--no-progress",
         "--rrl-rate", "0"] + sim.seed_args(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen_v4, seen_v6, seen_x9 = set(), set(), set()
        deadline = time.time() + 40
        while time.time() < deadline:
            try:
                seen_v4.update(ask(ZONE, "A"))
                seen_v6.update(ask(ZONE, "AAAA"))
                seen_x9.update(ask("x9." + ZONE, "A", tcp=True))
            except Exception as e:  # not up yet
                print("waiting:", e)
            if len(seen_v4) >= 100 and len(seen_v6) >= 50 and seen_x9:
                break
            time.sleep(0.5)
        bad = (seen_v4 - good_v4) | (seen_v6 - good_v6) | (seen_x9 - good_v4)
        if bad:
            fail("answers hold addresses the manifest does not call good: %s" % sorted(bad)[:10])
        if len(seen_v4) < 100 or len(seen_v6) < 50:
            fail("too few distinct answers: %d A, %d AAAA" % (len(seen_v4), len(seen_v6)))
        for a in seen_x9:
            if good[a]["services"] & 9 != 9:
                fail("x9 answer %s has services %x" % (a, good[a]["services"]))
        print("answers: %d distinct A, %d distinct AAAA, %d distinct x9 A; all good per the "
              "manifest (%d good IPv4, %d good IPv6)" %
              (len(seen_v4), len(seen_v6), len(seen_x9), len(good_v4), len(good_v6)))
    finally:
        run.send_signal(signal.SIGTERM)
        try:
            _, err = run.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            run.kill()
            fail("run did not stop on SIGTERM")
        sim.stop()
    if run.returncode != 0:
        fail("run exited %d: %s" % (run.returncode, err[-1500:]))
    print("PASS")


main()
