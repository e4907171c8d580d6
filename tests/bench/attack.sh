#!/usr/bin/env bash
# Issue 11: /healthz latency while the server is attacked, with the production settings.
#  - a login flood: 32 clients posting logins with unknown names (each would cost a full
#    scrypt at the production cost) from 8 addresses for 10 s;
#  - 1,000 slow connections from 5 addresses, each sending a header line every 2 s, 10 s.
# Target: /healthz median under 50 ms and no probe failing in both.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/suraksha-bench.XXXXXX)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
ulimit -n 8192 2>/dev/null || true
"$ROOT/suraksha" init --data "$T/data" --demo >/dev/null 2>&1
start() {
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$ROOT/suraksha" serve --data "$T/data" --listen "127.0.0.1:$PORT" >>"$T/server.log" 2>&1 &
	PID=$!
	for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
}
stop() { kill $PID; wait $PID 2>/dev/null || true; PID=; }
S=${BENCH_SECONDS:-10}
start
r=$(python3 "$ROOT/tests/tools/attack.py" login-flood "$PORT" "$S" 32)
echo "attack: login flood, 32 clients from 8 addresses, ${S} s: $(jq -r '"/healthz median \(.median_ms) ms, p95 \(.p95_ms) ms, max \(.max_ms) ms, \(.healthz_failures) failed probes; logins answered \(.logins)"' <<<"$r") (target: median < 50 ms, no failure)"
stop
start
r=$(python3 "$ROOT/tests/tools/attack.py" slow-headers "$PORT" "$S" 1000 5)
echo "attack: 1000 slow-header connections from 5 addresses, ${S} s: $(jq -r '"/healthz median \(.median_ms) ms, p95 \(.p95_ms) ms, max \(.max_ms) ms, \(.healthz_failures) failed probes; \(.still_open) held open, \(.closed_by_server + .refused_at_connect) refused or closed"' <<<"$r") (target: median < 50 ms, no failure)"
stop
