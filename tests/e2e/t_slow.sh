#!/usr/bin/env bash
# Issue 11, items 3 and 4: slow clients and ambiguous framing.
# - a client sending one header line every half second is closed at header_timeout, though
#   each line resets libmicrohttpd's idle timeout; likewise a trickled body at body_timeout;
# - connections held by a few flooding addresses leave a share for another address;
# - two Content-Length headers, or Content-Length with Transfer-Encoding, get one 400 and
#   the connection closes: the bytes after them are never answered as a request.
. "$(dirname "$0")/lib.sh"
init_demo
ATTACK="python3 $ROOT/tests/tools/attack.py"
start_server --header_timeout 2 --body_timeout 2 --max_connections 60 \
    --busy_connections_percent 50 --busy_per_ip_connections 4

# --- 3. slow headers, slow body
BODY=$($ATTACK slow-one "$PORT" 0.5 16)
expect_json '.closed_after_s != null and .closed_after_s < 5' "slow header sender closed at header_timeout"
python3 - "$PORT" >"$T/slowbody.json" <<'PY'
import json, socket, sys, time
s = socket.socket(); s.connect(("127.0.0.1", int(sys.argv[1]))); s.settimeout(0.5)
s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          b"Content-Length: 200\r\n\r\n{")
t0, closed = time.monotonic(), None
for _ in range(16):
    try:
        if s.recv(4096) == b"":
            closed = time.monotonic() - t0; break
    except socket.timeout:
        pass
    except OSError:
        closed = time.monotonic() - t0; break
    try:
        s.sendall(b" ")
    except OSError:
        closed = time.monotonic() - t0; break
print(json.dumps({"closed_after_s": closed}))
PY
BODY=$(cat "$T/slowbody.json")
expect_json '.closed_after_s != null and .closed_after_s < 5' "slow body sender closed at body_timeout"
req GET /healthz
expect_status 200 "the server is fine after reaping"

# --- 3. five addresses hold slow connections; a sixth still gets in. Deadlines long here,
# so what closes connections is the busy share alone: past 30 open, an address holding 4
# is refused, so at most 30 + 5 * 4 stay open and 127.0.0.1 is always served.
stop_server
start_server --header_timeout 60 --max_connections 60 --busy_connections_percent 50 \
    --busy_per_ip_connections 4 --per_ip_connections 50
BODY=$($ATTACK slow-headers "$PORT" 2 60 5)
echo "$BODY"
expect_json '.refused_at_connect + .closed_by_server >= 10' "flooding addresses were refused past the busy share"
expect_json '.still_open >= 30 and .still_open <= 50' "the flooders kept at most their share"
expect_json '.healthz_failures == 0' "another address was served throughout"

# --- 4. smuggling: the second request must never be answered
smuggle() { # NAME BYTES
	printf "$2" | $ATTACK raw "$PORT" >"$T/raw" 2>&1
	local n; n=$(grep -ao 'HTTP/1\.[01] [0-9]' "$T/raw" | wc -l)
	check "$1: one reply only (got $n)" test "$n" = 1
	check "$1: 400" grep -aq '^HTTP/1.1 400 ' "$T/raw"
	check "$1: malformed_request" grep -aq '"code":"malformed_request"' "$T/raw"
	check "$1: connection closed" grep -aqi '^Connection: close' "$T/raw"
	check "$1: not left open" bash -c "! grep -aq 'still open' '$T/raw'"
}
smuggle "two Content-Length" 'POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
smuggle "equal Content-Length twice" 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
smuggle "Content-Length with chunked" 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
smuggle "a transfer coding other than chunked" 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
smuggle "two Host headers" 'GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
# A Content-Length that is not a number is refused by libmicrohttpd itself before any
# callback of ours; 0.9.75 writes that 400 twice (a library bug, fixed upstream), but closes
# the connection: the request behind it is never answered.
printf 'POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' | $ATTACK raw "$PORT" >"$T/raw"
check "bad Content-Length: 400" grep -aq '^HTTP/1.1 400 ' "$T/raw"
check "bad Content-Length: nothing smuggled" test "$(grep -ao 'HTTP/1.1 200' "$T/raw" | wc -l)" = 0
check "bad Content-Length: closed" bash -c "! grep -aq 'still open' '$T/raw'"
# A well-framed pipelined pair is still answered twice.
printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | $ATTACK raw "$PORT" >"$T/raw"
check "pipelined requests both answered" test "$(grep -ao 'HTTP/1.1 200' "$T/raw" | wc -l)" = 2
finish
