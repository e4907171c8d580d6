#!/usr/bin/env bash
# Foundation benchmark: authenticated GET /api/v1/me for 10 s at 64 connections with wrk
# (sharing the machine's cores with the server). Prints requests/s and p99 latency.
# Target on the 2-core machine: >= 15,000 requests/s, p99 < 20 ms.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/suraksha-bench.XXXXXX)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
"$ROOT/suraksha" init --data "$T/data" --demo >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ROOT/suraksha" serve --data "$T/data" --listen "127.0.0.1:$PORT" >"$T/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
TOKEN=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'Content-Type: application/json' \
    --data-binary '{"username":"ddo.pwd.amb","password":"suraksha-demo"}' | jq -r .token)
wrk -t 2 -c 64 -d "${BENCH_SECONDS:-10}s" --latency -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/me" >"$T/wrk.out"
rps=$(awk '/Requests\/sec/ {print $2}' "$T/wrk.out")
p99=$(awk '$1 == "99%" {print $2}' "$T/wrk.out")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$T/wrk.out")
echo "http: GET /api/v1/me authenticated, 64 connections, ${BENCH_SECONDS:-10} s: ${rps} requests/s, p99 ${p99}${non2xx:+ (non-2xx: $non2xx)} (target >= 15000/s, p99 < 20ms)"
