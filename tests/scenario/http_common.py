"""http_common -- shared pieces of the status server's scenario tests.

Runs inside the loopback-only network namespace that in_netns.sh makes; every
URL here is on 127.0.0.1. Uses /usr/bin/python3's standard library only.
"""
import html.parser
import json
import math
import os
import re
import signal
import sqlite3
import struct
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import zlib

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


def wait_for_url(log, proc, timeout=20):
    """The status page URL a btcseed process logs when its HTTP server is up
    ("http: status page at http://127.0.0.1:PORT/"), or None if it exits."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        log.seek(0)
        m = re.search(rb"status page at (http://127\.0\.0\.1:\d+)/", log.read())
        if m:
            return m.group(1).decode()
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


class StatusServer:
    """`btcseed status` on 127.0.0.1 with a port the kernel picks."""

    def __init__(self, db, *extra):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [BTCSEED, "status", "--db", db, "--http", "127.0.0.1:0", *extra],
            stderr=self.log)
        self.url = wait_for_url(self.log, self.proc)
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


# --- the browser: Debian's chromium, headless ---

CHROMIUM = "/usr/bin/chromium"
CHARTS_LINE = ["chart-nodes", "chart-crawl-rate", "chart-dns-rate"]
CHARTS_BAR = ["chart-networks", "chart-versions", "chart-agents", "chart-services",
              "chart-heights"]
# Series colours the page draws with (http_page.c).
COLORS = {"reachable": (0x1f, 0x77, 0xb4), "good": (0x2c, 0xa0, 0x2c),
          "crawl": (0xff, 0x7f, 0x0e), "dns": (0x94, 0x67, 0xbd), "bars": (0x4e, 0x79, 0xa7)}


def chromium(url, work, *extra):
    profile = tempfile.mkdtemp(dir=work)  # a new, empty profile each run
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
           "--user-data-dir=" + profile,
           "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", *extra, url]
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    check(r.returncode == 0, "chromium exited %d: %s" % (r.returncode, r.stderr[-2000:]))
    return r


class Dom(html.parser.HTMLParser):
    """Collects the charts: each <svg class="chart ..."> with its data
    attribute, its series paths and its bars."""

    def __init__(self):
        super().__init__()
        self.charts = {}
        self.current = None
        self.bar_rects = None
        self.scripts = 0
        self.refs = []
        self.table_rows = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href", "action", "srcset", "poster"):
            if key in a:
                self.refs.append(a[key])
        if tag == "script":
            self.scripts += 1
        if tag == "tr":
            self.table_rows += 1
        if tag == "svg" and "chart" in a.get("class", "").split():
            self.current = {"class": a["class"], "points": a.get("data-points"),
                            "bars": a.get("data-bars"), "paths": [], "bar_groups": 0,
                            "bar_widths": []}
            self.charts[a.get("id")] = self.current
        elif self.current is not None:
            if tag == "path" and a.get("class") == "series":
                self.current["paths"].append(a.get("d", ""))
            elif tag == "g" and a.get("class") == "bar":
                self.current["bar_groups"] += 1
                self.bar_rects = self.current["bar_widths"]
            elif tag == "rect" and self.bar_rects is not None:
                self.bar_rects.append(float(a.get("width", "0")))
                self.bar_rects = None

    def handle_endtag(self, tag):
        if tag == "svg":
            self.current = None


def check_dom(dom_text, min_points=100, min_bars=4, min_rows=20):
    """The page as chromium rendered it: no script, no reference to another
    host, every chart present with at least min_points points per line (and
    a path through them) or min_bars bars of which some have length, and at
    least min_rows rows in the recent-nodes table."""
    dom = Dom()
    dom.feed(dom_text)
    check(dom.scripts == 0, "the page has a script")
    check(all(r.startswith("/") and not r.startswith("//") for r in dom.refs),
          "the page refers to another host: %r" % dom.refs)
    for cid in CHARTS_LINE:
        c = dom.charts.get(cid)
        check(c is not None, "line chart %s missing from the DOM" % cid)
        check(int(c["points"]) >= min_points, "%s has %s points" % (cid, c["points"]))
        check(c["paths"] and all(p.count("L") >= min_points - 1 for p in c["paths"]),
              "%s: series paths without data: %r" % (cid, [p[:40] for p in c["paths"]]))
    check(len(dom.charts["chart-nodes"]["paths"]) == 2, "nodes chart: reachable and good")
    for cid in CHARTS_BAR:
        c = dom.charts.get(cid)
        check(c is not None, "bar chart %s missing from the DOM" % cid)
        check(int(c["bars"]) >= min_bars and c["bar_groups"] == int(c["bars"]),
              "%s: %s bars declared, %d drawn" % (cid, c["bars"], c["bar_groups"]))
        check(sum(1 for w in c["bar_widths"] if w > 1) >= min(3, min_bars),
              "%s: bars without length %r" % (cid, c["bar_widths"]))
    check(dom.table_rows >= min_rows, "recent nodes table has %d rows" % dom.table_rows)
    return dom


def read_png(path):
    """Decodes an 8-bit RGB/RGBA PNG (what chromium writes) with the
    standard library: returns (width, height, rows of bytes, bytes/pixel)."""
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path)
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    check(depth == 8 and ctype in (2, 6), "PNG type %d/%d" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = prev[i]
            ul = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + left) & 0xff
            elif f == 2:
                line[i] = (line[i] + up) & 0xff
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xff
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else ul
                line[i] = (line[i] + pred) & 0xff
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def colour_counts(path):
    width, height, rows, bpp = read_png(path)
    counts = {name: 0 for name in COLORS}
    for row in rows:
        for x in range(0, width * bpp, bpp):
            px = (row[x], row[x + 1], row[x + 2])
            for name, c in COLORS.items():
                if abs(px[0] - c[0]) + abs(px[1] - c[1]) + abs(px[2] - c[2]) < 24:
                    counts[name] += 1
    return width, height, counts


def check_netlog(path, port):
    """Every request the page caused went to the server; nothing at all
    connected anywhere but 127.0.0.1."""
    log = json.load(open(path))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    page_urls, addresses = [], []
    for e in log["events"]:
        p = e.get("params") or {}
        t = types.get(e["type"], "")
        if (t == "URL_REQUEST_START_JOB" and "url" in p
                and p.get("network_isolation_key") != "null null"):
            page_urls.append(p["url"])
        if "address" in p and t.startswith("TCP_CONNECT"):
            addresses.append(p["address"])
        if t == "TCP_CONNECT" and "address_list" in p:
            addresses.extend(p["address_list"])
    base = "http://127.0.0.1:%d/" % port
    check(page_urls and all(u.startswith(base) for u in page_urls),
          "the page requested %r" % page_urls)
    check(page_urls.count(base) >= 1, "the page itself was not requested")
    check(all(a.startswith("127.0.0.1:") for a in addresses),
          "chromium connected to %r" % addresses)
    return page_urls, addresses
