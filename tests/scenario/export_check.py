"""export_check.py DB DUMP JSON CSV -- checks btcseed's three export files
against the database they came from (read here with python's sqlite3).

The dump is read with a port of parseline() from Bitcoin Core's
contrib/seeds/makeseeds.py (v28: IPv4, IPv6, CJDNS, onion, I2P), then every
column is compared with the database; the JSON must load with python's
strict parser and hold every reached node; the CSV must read back through
python's csv module to every known node's fields, byte for byte where the
text is valid UTF-8 and with U+FFFD where it is not."""
import csv
import json
import re
import sqlite3
import sys

# ---- makeseeds.py's parser (ported: same patterns, same columns) ----------
PATTERN_IPV4 = re.compile(r"^((\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})):(\d+)$")
PATTERN_IPV6 = re.compile(r"^\[([0-9a-z:]+)\]:(\d+)$")
PATTERN_ONION = re.compile(r"^([a-z2-7]{56}\.onion):(\d+)$")
PATTERN_I2P = re.compile(r"^([a-z2-7]{52}\.b32.i2p):(\d+)$")


def parseline(line):
    if line.startswith('#'):
        return None
    sline = line.split()
    if len(sline) < 11:
        return None
    if int(sline[1]) == 0:
        return None
    m = PATTERN_IPV4.match(sline[0])
    ip = None
    if m is None:
        m = PATTERN_IPV6.match(sline[0])
        if m is None:
            m = PATTERN_ONION.match(sline[0])
            if m is None:
                m = PATTERN_I2P.match(sline[0])
                if m is None:
                    return None
                net = 'i2p'
                ipstr = sortkey = m.group(1)
                port = int(m.group(2))
            else:
                net = 'onion'
                ipstr = sortkey = m.group(1)
                port = int(m.group(2))
        else:
            net = 'ipv6'
            if m.group(1) in ['::']:
                return None
            ipstr = m.group(1)
            if ipstr.startswith("fc"):
                net = "cjdns"
            sortkey = ipstr
            port = int(m.group(2))
    else:
        ip = 0
        for i in range(0, 4):
            if int(m.group(i + 2)) < 0 or int(m.group(i + 2)) > 255:
                return None
            ip = ip + (int(m.group(i + 2)) << (8 * (3 - i)))
        if ip == 0:
            return None
        net = 'ipv4'
        sortkey = ip
        ipstr = m.group(1)
        port = int(m.group(6))
    uptime30 = float(sline[7][:-1])
    lastsuccess = int(sline[2])
    version = int(sline[10])
    agent = sline[11][1:-1]
    service = int(sline[9], 16)
    blocks = int(sline[8])
    return {'net': net, 'ip': ipstr, 'port': port, 'ipnum': ip, 'uptime': uptime30,
            'lastsuccess': lastsuccess, 'version': version, 'agent': agent,
            'service': service, 'blocks': blocks, 'sortkey': sortkey}
# ---------------------------------------------------------------------------

WINDOWS = ['2h', '8h', '1d', '7d', '30d']
NETS = {1: 'ipv4', 2: 'ipv6', 4: 'onion', 5: 'i2p', 6: 'cjdns'}


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def uptime(row, w):
    r, wt = row['r' + w], row['w' + w]
    if not wt > 0:
        return 0.0
    return max(0.0, min(1.0, r / wt)) * 100


def unescape_agent(tok):
    out = bytearray()
    i = 0
    while i < len(tok):
        if tok[i] == '%':
            out.append(int(tok[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(ord(tok[i]))
            i += 1
    return bytes(out)


def main():
    db_path, dump_path, json_path, csv_path = sys.argv[1:5]
    con = sqlite3.connect(db_path)
    con.text_factory = bytes  # user agents may be any bytes
    con.row_factory = sqlite3.Row
    rows = {r['addr_text'].decode(): r for r in con.execute('SELECT * FROM nodes')}
    check(len(rows) > 100, 'too few nodes in the database: %d' % len(rows))
    reached = {k: r for k, r in rows.items() if r['last_success'] > 0}
    good_reached = {k for k, r in reached.items() if r['good']}
    check(0 < len(good_reached) < len(reached) < len(rows), 'test data lacks variety')

    # ---- dump --------------------------------------------------------------
    with open(dump_path, encoding='utf8') as f:  # as makeseeds.py opens it
        lines = f.readlines()
    check(lines[0].startswith('#'), 'dump: no # header line')
    check(parseline(lines[0]) is None, 'dump: header parsed as a node')
    body = lines[1:]
    check(len(body) == len(reached), 'dump: %d lines, %d reached nodes' % (len(body), len(reached)))
    parsed = [p for p in (parseline(l) for l in body) if p is not None]
    check(len(parsed) == len(good_reached),
          'dump: makeseeds parsed %d lines, %d good nodes' % (len(parsed), len(good_reached)))
    prev = None
    for line in body:
        tok = line.split()
        check(len(tok) == 12, 'dump: %d columns in %r' % (len(tok), line))
        row = reached.get(tok[0])
        check(row is not None, 'dump: unknown address %s' % tok[0])
        check(int(tok[1]) == row['good'], 'dump: good of ' + tok[0])
        check(int(tok[2]) == row['last_success'], 'dump: lastSuccess of ' + tok[0])
        for i, w in enumerate(WINDOWS):
            check(tok[3 + i].endswith('%'), 'dump: percent sign')
            check(abs(float(tok[3 + i][:-1]) - uptime(row, w)) < 0.006,
                  'dump: %s uptime of %s' % (w, tok[0]))
        check(int(tok[8]) == row['height'], 'dump: blocks of ' + tok[0])
        check(re.fullmatch(r'[0-9a-f]{16}', tok[9]) is not None, 'dump: svcs ' + tok[9])
        check(int(tok[9], 16) == row['services'] & (2**64 - 1), 'dump: svcs of ' + tok[0])
        check(int(tok[10]) == row['protocol'], 'dump: version of ' + tok[0])
        check(tok[11][0] == '"' and tok[11][-1] == '"', 'dump: agent quotes')
        check(unescape_agent(tok[11][1:-1]) == row['user_agent'], 'dump: agent of ' + tok[0])
        up = float(tok[7][:-1])
        check(prev is None or up <= prev, 'dump: not sorted by 30-day uptime')
        prev = up
    for p in parsed:
        row = reached[('[%s]:%d' if p['net'] in ('ipv6', 'cjdns') else '%s:%d') % (p['ip'], p['port'])]
        check(NETS[row['net']] == p['net'], 'makeseeds: network of %s' % p['ip'])
        check(p['agent'].encode('latin-1') == row['user_agent'] or '%' in p['agent'],
              'makeseeds: agent of %s' % p['ip'])
    nets = {p['net'] for p in parsed}
    check(nets == set(NETS.values()), 'makeseeds: networks seen: %s' % sorted(nets))

    # ---- JSON --------------------------------------------------------------
    with open(json_path, 'rb') as f:
        raw = f.read()
    doc = json.loads(raw.decode('utf-8', 'strict'))  # strict: valid UTF-8 and JSON
    check(doc['chain'] == 'testnet4', 'json: chain')
    check(isinstance(doc['timestamp'], int), 'json: timestamp')
    check(doc['total_nodes'] == len(reached) == len(doc['nodes']), 'json: node count')
    check(doc['totals']['known'] == len(rows), 'json: known total')
    for code, name in NETS.items():
        known = sum(1 for r in rows.values() if r['net'] == code)
        good = sum(1 for r in rows.values() if r['net'] == code and r['good'])
        check(doc['networks'][name]['known'] == known, 'json: %s known' % name)
        check(doc['networks'][name]['good'] == good, 'json: %s good' % name)
    fields = doc['node_fields']
    for addr, values in doc['nodes'].items():
        row = reached[addr]
        v = dict(zip(fields, values))
        check(v['protocol'] == row['protocol'], 'json: protocol of ' + addr)
        check(v['user_agent'] == row['user_agent'].decode('utf-8', 'replace'),
              'json: user agent of %s: %r' % (addr, v['user_agent']))
        check(v['services'] == row['services'] & (2**64 - 1), 'json: services of ' + addr)
        check(v['height'] == row['height'], 'json: height of ' + addr)
        check(v['network'] == NETS[row['net']], 'json: network of ' + addr)
        check(v['first_seen'] == row['first_seen'], 'json: first_seen of ' + addr)
        check(v['last_success'] == row['last_success'], 'json: last_success of ' + addr)
        check(v['good'] is bool(row['good']), 'json: good of ' + addr)
        check(abs(v['uptime_30d'] - uptime(row, '30d')) < 0.006, 'json: uptime of ' + addr)

    # ---- CSV ---------------------------------------------------------------
    with open(csv_path, newline='', encoding='utf-8') as f:
        records = list(csv.reader(f, strict=True))
    header = records[0]
    check(header[:3] == ['address', 'network', 'port'], 'csv: header %s' % header[:3])
    check(len(records) - 1 == len(rows), 'csv: %d rows, %d nodes' % (len(records) - 1, len(rows)))
    for rec in records[1:]:
        check(len(rec) == len(header), 'csv: row width')
        v = dict(zip(header, rec))
        row = rows[v['address']]
        for col in ('port', 'first_seen', 'last_seen', 'last_try', 'last_success', 'tries',
                    'successes', 'fail_streak', 'protocol', 'height', 'ban_until', 'good'):
            check(int(v[col]) == row[col], 'csv: %s of %s' % (col, v['address']))
        check(int(v['services']) == row['services'] & (2**64 - 1), 'csv: services')
        check(v['user_agent'] == row['user_agent'].decode('utf-8', 'replace'),
              'csv: user agent of %s: %r' % (v['address'], v['user_agent']))
        check(v['source_name'] == row['source_name'].decode(), 'csv: source_name')
        for w in WINDOWS:
            check(abs(float(v['uptime_' + w]) - uptime(row, w)) < 0.006, 'csv: uptime')
    hostile = sum(1 for r in rows.values() if any(c in r['user_agent'] for c in b' ",\n%\xff'))
    check(hostile > 20, 'too few hostile user agents: %d' % hostile)
    print('ok: %d nodes, %d reached, %d parsed by makeseeds, %d hostile agents'
          % (len(rows), len(reached), len(parsed), hostile))


main()
