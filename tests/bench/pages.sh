#!/usr/bin/env bash
# Pages benchmark: the employee's case page (GET /home: session, master data, documents,
# both catalogues read and two templates rendered) and the sign-in page, each for 5 s at
# 16 connections with wrk. Prints requests/s and p99. Target on the 2-core machine:
# >= 1,000 pages/s, p99 < 50 ms (pages are read from disk on every request by design).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/suraksha-bench.XXXXXX)
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$T"' EXIT
"$ROOT/suraksha" init --data "$T/data" --demo >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ROOT/suraksha" serve --data "$T/data" --listen "127.0.0.1:$PORT" >"$T/server.log" 2>&1 &
PID=$!
B=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do curl -fs "$B/healthz" >/dev/null && break; sleep 0.05; done
curl -s -X POST "$B/api/v1/otp/request" -H 'Content-Type: application/json' \
    --data-binary '{"employee_id":"UCP-10001","family_id":"PPP10001A"}' >/dev/null
CODE=$(tail -n 1 "$T/data/outbox/sms.jsonl" | jq -r .otp)
TOKEN=$(curl -s -X POST "$B/api/v1/otp/verify" -H 'Content-Type: application/json' \
    --data-binary "{\"employee_id\":\"UCP-10001\",\"otp\":\"$CODE\"}" | jq -r .token)
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -F kind=aadhaar \
    -F "file=@$ROOT/tests/corpus/pdf_simple.pdf" "$B/api/v1/cases/UCP-10001/documents"
run() { # run NAME PATH [wrk args]
	local name=$1 path=$2; shift 2
	wrk -t 2 -c 16 -d "${BENCH_SECONDS:-5}s" --latency "$@" "$B$path" >"$T/wrk.out"
	echo "pages: $name: $(awk '/Requests\/sec/ {print $2}' "$T/wrk.out") requests/s, p99 $(awk '$1 == "99%" {print $2}' "$T/wrk.out") (target >= 1000/s, p99 < 50ms)"
}
run "GET /home (employee case page)" /home -H "Cookie: suraksha=$TOKEN"
run "GET / (sign-in, Hindi)" / -H "Cookie: lang=hi"
