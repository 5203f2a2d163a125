"""The node database survives kill -9 and a crawl resumes from it; SIGTERM
stops a crawl within seconds with everything written.

1. A crawl is killed with SIGKILL in the middle: the database opens cleanly
   (integrity_check), holds at least every result that a reader saw
   committed just before the kill, and a restarted `--once` crawl resumes
   from it (the nodes it knew are still there) and finishes.
2. SIGTERM during a crawl with slow and silent peers in flight: exit status
   0 within a few seconds, and the rows written are consistent.
"""
import os
import signal
import sqlite3
import subprocess
import sys
import time

from simnet_net import Simnet

BTCSEED = os.environ["BTCSEED"]
CRAWL = ["--allow-net", "127.0.0.0/8", "--only-allowed", "--concurrency", "300",
         "--max-rate", "400", "--connect-timeout", "2", "--handshake-timeout", "4",
         "--addr-timeout", "3", "--quiet", "0.5", "--visit-timeout", "6", "--no-progress"]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def tried(db):
    con = sqlite3.connect(db, timeout=10)
    n = con.execute("select count(*) from nodes where tries > 0").fetchone()[0]
    con.close()
    return n


def main():
    sim = Simnet(["--seed", "3", "--nodes", "4000", "--dead", "1000", "--silent", "300",
                  "--slow", "300", "--procs", "1"])
    try:
        db = os.path.join(sim.dir, "crawl.db")
        crawl = subprocess.Popen([BTCSEED, "crawl", "--db", db] + sim.seed_args() + CRAWL,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(4)
        before = tried(db)
        crawl.send_signal(signal.SIGKILL)
        crawl.wait()
        if before == 0:
            fail("nothing was committed in 4 s")
        con = sqlite3.connect(db)
        check = con.execute("pragma integrity_check").fetchone()[0]
        known = con.execute("select count(*) from nodes").fetchone()[0]
        con.close()
        after = tried(db)
        if check != "ok":
            fail("integrity_check after kill -9: %s" % check)
        if after < before:
            fail("lost results: %d tried before the kill, %d after" % (before, after))
        print("kill -9: %d tried seen before the kill, %d in the file, %d known" %
              (before, after, known))

        # Resume without any seed: the database alone must carry the crawl.
        out = subprocess.run([BTCSEED, "crawl", "--db", db, "--once", "--no-seeds"] + CRAWL,
                             capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            fail("resumed crawl exited %d: %s" % (out.returncode, out.stderr[-1000:]))
        con = sqlite3.connect(db)
        known2, untried = con.execute(
            "select count(*), sum(tries = 0) from nodes where addr_text like '127.%'").fetchone()
        con.close()
        if known2 < known:
            fail("the restarted crawl lost nodes: %d -> %d" % (known, known2))
        if untried:
            fail("%d known nodes still untried after the resumed --once crawl" % untried)
        print("resumed: %d known, all tried" % known2)

        # SIGTERM with visits in flight.
        db2 = os.path.join(sim.dir, "term.db")
        crawl = subprocess.Popen([BTCSEED, "crawl", "--db", db2] + sim.seed_args() + CRAWL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        t0 = time.time()
        crawl.send_signal(signal.SIGTERM)
        out, err = crawl.communicate(timeout=30)
        took = time.time() - t0
        if crawl.returncode != 0:
            fail("SIGTERM: exit %d: %s" % (crawl.returncode, err[-1000:]))
        if took > 5:
            fail("SIGTERM took %.1f s" % took)
        con = sqlite3.connect(db2)
        if con.execute("pragma integrity_check").fetchone()[0] != "ok":
            fail("database after SIGTERM not ok")
        n = con.execute("select count(*) from nodes where tries > 0").fetchone()[0]
        con.close()
        if n == 0:
            fail("no result written before SIGTERM")
        print("SIGTERM: exit 0 in %.2f s, %d results written" % (took, n))
    finally:
        sim.stop()
    print("PASS")


main()
