#!/usr/bin/env bash
# Ingest through the real server: 8 clients at once upload ~19 MB PDFs, then ~19 MB
# baseline JPEGs, then ~17 MB progressive JPEGs of 7000x5700 (near the 40 Mpx cap: libjpeg
# holds all 240 MB of their coefficients; they are decoded in limited child processes).
# Each upload is streamed, hashed, validated, stored. Prints MB/s beside sha256sum's MB/s
# on the same files, and the server's peak RSS (VmHWM) during each kind and overall.
# Targets: PDF ingest at least half of sha256sum's rate (clamd off); peak RSS under 64 MB
# however large the uploads. Then the PDFs and JPEGs again through a clamd of our own
# (tests/tools/clamd.sh) for the cost of malware scanning.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/suraksha-bench.XXXXXX)
CLIENTS=${CLIENTS:-8}
ROUNDS=${ROUNDS:-2}
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; clamd_stop 2>/dev/null; rm -rf "$T"' EXIT
"$ROOT/suraksha" init --data "$T/data" --demo >/dev/null 2>&1
sh "$ROOT/scripts/open-windows.sh" "$ROOT/suraksha" "$T/data"
python3 "$ROOT/tests/tools/big_pdf.py" "$T/big.pdf" 19
convert -size 6000x4400 xc:gray +noise Random -quality 90 "$T/big.jpg"
# Colour, no chroma subsampling: three full-size components, the most coefficient memory a
# 40 Mpx JPEG can ask for. Noise at a quarter of the size keeps the file under 20 MB.
convert -size 1750x1425 xc:gray +noise Random -scale 400% -type TrueColor -interlace JPEG \
    -sampling-factor 1x1 -quality 97 "$T/progressive.jpg"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SURAKSHA_QUOTA_FILES=10000 SURAKSHA_QUOTA_BYTES=10000000000 SURAKSHA_OTP_RESEND_INTERVAL=0 \
    "$ROOT/suraksha" serve --data "$T/data" --listen "127.0.0.1:$PORT" --log_level warn \
    >"$T/server.log" 2>&1 &
PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.05; done
# One employee per client (so per-employee quotas do not interfere).
ids=(UCP-10001 UCP-10002 UCP-10003 UCP-10004 HKRNL-20001 HKRNL-20002 HKRNL-20003)
fams=(PPP10001A PPP10002B PPP10003C PPP10004D PPP20001E PPP20002F PPP20003G)
tokens=()
for i in "${!ids[@]}"; do
	curl -s -X POST "$BASE/api/v1/otp/request" -H 'Content-Type: application/json' \
	    --data-binary "{\"employee_id\":\"${ids[$i]}\",\"family_id\":\"${fams[$i]}\"}" >/dev/null
	code=$(tail -n 1 "$T/data/outbox/sms.jsonl" | jq -r .otp)
	tokens+=("$(curl -s -X POST "$BASE/api/v1/otp/verify" -H 'Content-Type: application/json' \
	    --data-binary "{\"employee_id\":\"${ids[$i]}\",\"otp\":\"$code\"}" | jq -r .token)")
done
now() { date +%s.%N; }
peak=0
# ingest FILE [LABEL]: every client uploads FILE ROUNDS times; MB/s beside sha256sum's.
ingest() {
	local f=$1 label=${2:-}
	# Peak RSS per kind of file: reset VmHWM before each (Linux clear_refs 5).
	echo 5 >/proc/$PID/clear_refs
	bytes=$(stat -c %s "$T/$f")
	t0=$(now)
	for c in $(seq 0 $((CLIENTS - 1))); do
		k=$((c % ${#ids[@]}))
		( for r in $(seq 1 "$ROUNDS"); do
			curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer ${tokens[$k]}" \
			    -F kind=salary_proof -F "file=@$T/$f" "$BASE/api/v1/cases/${ids[$k]}/documents"
		done ) >"$T/codes.$c" &
	done
	wait $(jobs -p | grep -v "^$PID$" | grep -v "^${CLAMD_PID:-x}$") 2>/dev/null || true
	t1=$(now)
	ok=$(cat "$T"/codes.* | grep -c '^201$' || true)
	[ "$ok" -eq $((CLIENTS * ROUNDS)) ] ||
		echo "ingest $f: WARNING only $ok of $((CLIENTS * ROUNDS)) uploads were stored: the figure below is not ingest" >&2
	t2=$(now)
	for i in $(seq 1 $((CLIENTS * ROUNDS))); do sha256sum "$T/$f" >/dev/null; done
	t3=$(now)
	awk -v n="$f$label" -v b="$bytes" -v k=$((CLIENTS * ROUNDS)) -v cl="$CLIENTS" -v ok="$ok" \
	    -v a="$t0" -v z="$t1" -v c="$t2" -v e="$t3" 'BEGIN { mb = b / 1000000
		printf "ingest %s: %d uploads of %.1f MB by %d clients, %d stored: %.1f MB/s; sha256sum on the same files: %.1f MB/s (target: PDF at least half, clamd off)\n",
		    n, k, mb, cl, ok, mb * k / (z - a), mb * k / (e - c) }'
	LAST_RATE=$(awk -v b="$bytes" -v k=$((CLIENTS * ROUNDS)) -v a="$t0" -v z="$t1" \
	    'BEGIN { printf "%.1f", b / 1000000 * k / (z - a) }')
	hwm=$(awk '/VmHWM/ {print $2}' /proc/$PID/status)
	[ "$hwm" -gt "$peak" ] && peak=$hwm
	echo "ingest $f$label: server peak RSS $(awk -v k="$hwm" 'BEGIN { printf "%.1f MB", k / 1024 }')"
}
declare -A off
for f in big.pdf big.jpg progressive.jpg; do
	ingest "$f"
	off[$f]=$LAST_RATE
done
echo "ingest: server peak RSS $(awk -v k="$peak" 'BEGIN { printf "%.1f MB", k / 1024 }') (target < 64 MB)"

# The cost of malware scanning: the same uploads with a clamd of our own (one signature;
# the real databases make clamd's per-byte work larger, see docs/intake.md).
. "$ROOT/tests/tools/clamd.sh"
if clamd_start "$T/clamd" >/dev/null; then
	kill "$PID"; wait "$PID" 2>/dev/null
	SURAKSHA_QUOTA_FILES=10000 SURAKSHA_QUOTA_BYTES=10000000000 \
	    "$ROOT/suraksha" serve --data "$T/data" --listen "127.0.0.1:$PORT" --log_level warn \
	    --clamd_socket "$CLAMD_SOCKET" >>"$T/server.log" 2>&1 &
	PID=$!
	for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.05; done
	for f in big.pdf big.jpg; do
		ingest "$f" " (clamd on)"
		awk -v n="$f" -v on="$LAST_RATE" -v off="${off[$f]}" 'BEGIN {
			printf "ingest %s: clamd scanning costs %.0f%% of the rate (%.1f -> %.1f MB/s)\n",
			    n, 100 * (1 - on / off), off, on }'
	done
	clamd_stop
else
	echo "ingest: clamd did not start; no figures with clamd on"
fi
