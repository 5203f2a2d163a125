"""http_common -- shared pieces of the status server's scenario tests.

Runs inside the loopback-only network namespace that in_netns.sh makes; every
URL here is on 127.0.0.1. Uses /usr/bin/python3's standard library only.
"""
import math
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

BTCSEED = os.environ["BTCSEED"]
BUILD = os.environ["BTCSEED_BUILD"]
NETS = {1: "ipv4", 2: "ipv6", 4: "onion", 5: "i2p", 6: "cjdns"}
WINDOWS = ["2h", "8h", "1d", "7d", "30d"]

def fail(msg):
    raise AssertionError(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def text(b):
    """The server decodes bytes from peers as Python's 'replace' does (one
    U+FFFD per maximal ill-formed subpart, util/utf8)."""
    return b.decode("utf-8", errors="replace") if isinstance(b, bytes) else b


def make_db(path, nodes, seed=7, now=0, days=7):
    """Fills a database through the nodedb API (bench/http_mkdb.c); now=0 is
    the current time, days=0 writes no snapshot row."""
    cmd = [os.path.join(BUILD, "http_mkdb"), path, str(nodes), str(seed), str(now), str(days)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return out


def open_db(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    con.text_factory = bytes  # user agents may be invalid UTF-8
    return con


# No proxy from the environment: every request goes straight to loopback.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url, method="GET"):
    """Returns (status, headers, body bytes); never raises on HTTP errors."""
    req = urllib.request.Request(url, method=method)
    try:
        with _opener.open(req, timeout=20) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class StatusServer:
    """`btcseed status` on 127.0.0.1 with a port the kernel picks."""

    def __init__(self, db, *extra):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [BTCSEED, "status", "--db", db, "--http", "127.0.0.1:0", *extra],
            stderr=self.log)
        deadline = time.time() + 10
        self.url = None
        while time.time() < deadline and self.url is None:
            self.log.seek(0)
            m = re.search(rb"status page at (http://127\.0\.0\.1:\d+)/", self.log.read())
            if m:
                self.url = m.group(1).decode()
            elif self.proc.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if self.url is None:
            self.stop(expect_ok=False)
            fail("btcseed status did not start: " + self.stderr())

    def stderr(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self, expect_ok=True):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("btcseed status did not stop on SIGTERM")
        if expect_ok:
            check(self.proc.returncode == 0,
                  "btcseed status exited %d: %s" % (self.proc.returncode, self.stderr()))


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


def parse_metrics(body):
    """A strict parser of the Prometheus text format (0.0.4): every line is
    HELP, TYPE or a sample of the family just declared; label values escaped
    right; no duplicate series; histogram buckets cumulative with +Inf equal
    to _count. Returns {(name, frozenset(labels.items())): value}."""
    check(body.endswith("\n"), "metrics do not end in a newline")
    samples, types = {}, {}
    family = None
    buckets = {}
    for line in body.split("\n")[:-1]:
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            check(name not in types, "family %s declared twice" % name)
            family = name
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            check(name == family, "TYPE %s without its HELP" % name)
            check(kind in ("counter", "gauge", "histogram"), "unknown type " + kind)
            types[name] = kind
        else:
            m = _SAMPLE.match(line)
            check(m is not None, "bad sample line %r" % line)
            name, _, labeltext, value = m.groups()
            labels = {}
            if labeltext:
                pos = 0
                while pos < len(labeltext):
                    lm = _LABEL.match(labeltext, pos)
                    check(lm is not None, "bad labels in %r" % line)
                    labels[lm.group(1)] = lm.group(2)
                    pos = lm.end()
            kind = types.get(family)
            check(kind is not None, "sample %s outside a family" % name)
            if kind == "histogram":
                check(name in (family + "_bucket", family + "_sum", family + "_count"),
                      "sample %s not of histogram %s" % (name, family))
            else:
                check(name == family, "sample %s not of family %s" % (name, family))
            v = float(value)
            check(not math.isnan(v) or kind == "gauge", "NaN in %s" % name)
            if kind == "counter":
                check(v >= 0 and v == int(v), "counter %s = %s" % (name, value))
            key = (name, frozenset(labels.items()))
            check(key not in samples, "duplicate series %r" % line)
            samples[key] = v
            if name.endswith("_bucket") and kind == "histogram":
                le = labels.pop("le")
                buckets.setdefault((family, frozenset(labels.items())), []).append(
                    (float(le), v))
    for (fam, labels), bs in buckets.items():
        les = [b[0] for b in bs]
        counts = [b[1] for b in bs]
        check(les == sorted(les) and les[-1] == math.inf, "buckets of %s out of order" % fam)
        check(counts == sorted(counts), "buckets of %s not cumulative" % fam)
        check(samples[(fam + "_count", labels)] == counts[-1], "%s_count != +Inf" % fam)
    return samples


def promtool_check(body):
    r = subprocess.run(["promtool", "check", "metrics"], input=body.encode(),
                       capture_output=True)
    check(r.returncode == 0, "promtool check metrics: %s%s" % (
        r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")))
