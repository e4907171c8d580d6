#!/usr/bin/env python3
"""Attack traffic for the flood tests and benchmarks (issue 11), over loopback only.

  attack.py login-flood PORT SECONDS CLIENTS        flood POST /api/v1/login with unknown
                                                    names from 127.0.0.2-9 while /healthz
                                                    is probed from 127.0.0.1
  attack.py slow-headers PORT SECONDS CONNS [ADDRS] open CONNS connections from ADDRS source
                                                    addresses (127.0.0.10 on), each sending
                                                    a header line every 2 s; probe /healthz
                                                    from 127.0.0.1 meanwhile
  attack.py slow-one PORT INTERVAL LINES            one connection, a header line every
                                                    INTERVAL s; prints when the server closed
  attack.py raw PORT                                sends stdin as bytes, prints the reply

Each prints one JSON object of figures; the shell test decides what they must be."""
import json
import os
import subprocess
import select
import socket
import statistics
import sys
import threading
import time


def http(port, method, path, body=b"", src="127.0.0.1", timeout=5.0, headers=None):
    s = socket.socket()
    s.settimeout(timeout)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    h = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method, path)
    for k, v in (headers or {}).items():
        h += "%s: %s\r\n" % (k, v)
    if body:
        h += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
    s.sendall(h.encode() + b"\r\n" + body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status = int(head.split(" ", 2)[1])
    hdrs = {}
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs


def probe(port, stop, lat, failures):
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            st, _ = http(port, "GET", "/healthz", timeout=10.0)
            if st != 200:
                failures.append(st)
        except Exception as e:  # a timeout is what the test is about
            failures.append(str(e))
        lat.append(time.monotonic() - t0)
        time.sleep(0.1)


def probe_process(port, seconds):
    """/healthz probes from a process of their own, so the attack's threads never hold up
    a probe inside Python (the GIL) and the figures are the server's."""
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "probe", str(port),
                             str(seconds)], stdout=subprocess.PIPE)


def probe_result(p):
    out, _ = p.communicate()
    return json.loads(out)


def probe_only(port, seconds):
    stop = threading.Event()
    lat, pfail = [], []
    t = threading.Thread(target=probe, args=(port, stop, lat, pfail))
    t.start()
    time.sleep(seconds)
    stop.set()
    t.join()
    out = {"healthz_failures": len(pfail)}
    out.update(summary(lat))
    return out


def summary(lat):
    if not lat:
        return {}
    lat = sorted(lat)
    return {"probes": len(lat), "median_ms": round(statistics.median(lat) * 1000, 1),
            "p95_ms": round(lat[int(len(lat) * 0.95) - 1 if len(lat) > 1 else 0] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1)}


def login_flood(port, seconds, clients):
    stop = threading.Event()
    counts = {}
    no_retry_after = [0]
    lock = threading.Lock()

    def flood(n):
        src = "127.0.0.%d" % (2 + n % 8)
        i = 0
        while not stop.is_set():
            i += 1
            body = json.dumps({"username": "nobody%d.%d" % (n, i),
                               "password": "wrong-password-%d" % i}).encode()
            try:
                st, h = http(port, "POST", "/api/v1/login", body, src=src, timeout=20.0)
            except Exception as e:
                st, h = "error " + type(e).__name__, {}
            with lock:
                counts[str(st)] = counts.get(str(st), 0) + 1
                if st == 429 and "retry-after" not in h:
                    no_retry_after[0] += 1

    threads = [threading.Thread(target=flood, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(0.3)  # the flood under way before the first probe
    pp = probe_process(port, seconds - 0.3)
    time.sleep(seconds - 0.3)
    out = probe_result(pp)
    stop.set()
    for t in threads:
        t.join()
    out.update({"logins": counts, "429_without_retry_after": no_retry_after[0]})
    return out


def slow_headers(port, seconds, conns, addrs):
    socks, refused = [], 0
    for i in range(conns):
        s = socket.socket()
        s.setblocking(True)
        s.settimeout(2.0)
        try:
            s.bind(("127.0.0.%d" % (10 + i % addrs), 0))
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except Exception:
            refused += 1
            s.close()
    pp = probe_process(port, seconds)
    t_end = time.monotonic() + seconds
    closed = 0
    while time.monotonic() < t_end:
        alive = []
        for s in socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                alive.append(s)
            except Exception:
                closed += 1
                s.close()
        socks = alive
        time.sleep(min(2.0, max(0.0, t_end - time.monotonic())))
    probed = probe_result(pp)
    # A connection the server closed may still accept one more write: a readable socket
    # (end of stream or an error reply) was closed by the server.
    readable = set()
    if socks:
        readable, _, _ = select.select(socks, [], [], 0.5)
        readable = set(readable)
    still_open = len(socks) - len(readable)
    closed += len(readable)
    for s in socks:
        s.close()
    out = {"connections": conns, "refused_at_connect": refused, "closed_by_server": closed,
           "still_open": still_open}
    out.update(probed)
    return out


def slow_one(port, interval, lines):
    s = socket.socket()
    s.connect(("127.0.0.1", port))
    t0 = time.monotonic()
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    s.settimeout(interval)
    sent = 0
    closed_after = None
    for _ in range(lines):
        try:
            if s.recv(4096) == b"":
                closed_after = time.monotonic() - t0
                break
        except socket.timeout:
            pass
        except Exception:
            closed_after = time.monotonic() - t0
            break
        try:
            s.sendall(b"X-Slow: 1\r\n")
            sent += 1
        except Exception:
            closed_after = time.monotonic() - t0
            break
    return {"lines_sent": sent, "closed_after_s": closed_after}


def raw(port):
    data = sys.stdin.buffer.read()
    s = socket.socket()
    s.settimeout(3.0)
    s.connect(("127.0.0.1", port))
    s.sendall(data)
    got = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            got += c
    except socket.timeout:
        got += b"\n<<still open>>"
    sys.stdout.buffer.write(got)
    return None


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "login-flood":
        r = login_flood(port, float(sys.argv[3]), int(sys.argv[4]))
    elif mode == "slow-headers":
        r = slow_headers(port, float(sys.argv[3]), int(sys.argv[4]),
                         int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    elif mode == "probe":
        r = probe_only(port, float(sys.argv[3]))
    elif mode == "slow-one":
        r = slow_one(port, float(sys.argv[3]), int(sys.argv[4]))
    else:
        r = raw(port)
    if r is not None:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
