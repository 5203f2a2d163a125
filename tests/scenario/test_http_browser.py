"""test_http_browser -- the status page in a real browser: Debian's chromium,
headless, loads `/` from `btcseed status` over a database filled through the
nodedb API. Checks the rendered DOM for every chart with its data, takes
screenshots (wide and narrow) and checks that the charts' colours are on
them, and checks from chromium's own network log that the page made no
request to anything but the server on 127.0.0.1.

The screenshots stay in $BTCSEED_BUILD/http-screenshots/ for a person to look
at. Runs in a loopback-only network namespace; on top of that chromium's
host resolver is told to resolve no name at all, so even its own background
requests (update checks it makes despite the flags) cannot leave the machine.
"""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_common import BUILD, StatusServer, check, fail, make_db  # noqa: E402

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


def check_dom(dom_text):
    dom = Dom()
    dom.feed(dom_text)
    check(dom.scripts == 0, "the page has a script")
    check(all(r.startswith("/") and not r.startswith("//") for r in dom.refs),
          "the page refers to another host: %r" % dom.refs)
    for cid in CHARTS_LINE:
        c = dom.charts.get(cid)
        check(c is not None, "line chart %s missing from the DOM" % cid)
        check(int(c["points"]) > 100, "%s has %s points" % (cid, c["points"]))
        check(c["paths"] and all(p.count("L") > 100 for p in c["paths"]),
              "%s: series paths without data: %r" % (cid, [p[:40] for p in c["paths"]]))
    check(len(dom.charts["chart-nodes"]["paths"]) == 2, "nodes chart: reachable and good")
    for cid in CHARTS_BAR:
        c = dom.charts.get(cid)
        check(c is not None, "bar chart %s missing from the DOM" % cid)
        check(int(c["bars"]) >= 4 and c["bar_groups"] == int(c["bars"]),
              "%s: %s bars declared, %d drawn" % (cid, c["bars"], c["bar_groups"]))
        check(sum(1 for w in c["bar_widths"] if w > 1) >= 3,
              "%s: bars without length %r" % (cid, c["bar_widths"]))
    check(dom.table_rows >= 20, "recent nodes table has %d rows" % dom.table_rows)
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


def main():
    work = tempfile.mkdtemp()
    shots = os.path.join(BUILD, "http-screenshots")
    os.makedirs(shots, exist_ok=True)
    server = None
    try:
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        check([l.split(":")[1].strip() for l in links.splitlines()] == ["lo"],
              "not in a loopback-only namespace: %s" % links)
        db = os.path.join(work, "nodes.db")
        print(make_db(db, 3000, seed=5).strip())
        server = StatusServer(db)
        url = server.url + "/"
        port = int(server.url.rsplit(":", 1)[1])

        netlog = os.path.join(work, "netlog.json")
        r = chromium(url, work, "--dump-dom", "--log-net-log=" + netlog)
        dom_text = r.stdout.decode("utf-8")
        check_dom(dom_text)
        page_urls, addresses = check_netlog(netlog, port)
        print("page requests: %s; connections: %s" % (page_urls, sorted(set(addresses))))

        for name, size in (("wide", "1280,2600"), ("narrow", "390,2200")):
            png = os.path.join(shots, name + ".png")
            if os.path.exists(png):
                os.unlink(png)
            chromium(url, work, "--window-size=" + size, "--screenshot=" + png)
            width, height, counts = colour_counts(png)
            print("%s: %dx%d, chart colour pixels %s" % (png, width, height, counts))
            check((width, height) == tuple(int(v) for v in size.split(",")), "screenshot size")
            for colour, n in counts.items():
                check(n > 60, "%s screenshot: almost no %s pixels (%d)" % (name, colour, n))
        server.stop()
        server = None
        print("1 passed, 0 failed")
    finally:
        if server:
            server.stop(expect_ok=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
