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
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_common import (BUILD, StatusServer, check, check_dom, check_netlog,  # noqa: E402
                         chromium, colour_counts, make_db)

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
