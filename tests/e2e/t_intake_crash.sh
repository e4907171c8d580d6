#!/usr/bin/env bash
# Crash safety of uploads: kill -9 the server while large uploads stream and while many
# small ones commit. After a restart: every upload acknowledged (201) before the kill is
# there byte for byte, every row has its complete blob, and the start-up sweep removes the
# temp files and the blobs whose rows never committed.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_QUOTA_FILES=10000 SURAKSHA_QUOTA_BYTES=10000000000
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
python3 "$ROOT/tests/tools/big_pdf.py" "$T/big.pdf" 15 || exit 1
mkdir -p "$T/small" "$T/acks"
for i in $(seq 1 80); do python3 "$ROOT/tests/tools/big_pdf.py" "$T/small/$i.pdf" 0.001 "$i"; done

crash_round() { # crash_round NAME SECONDS: uploads in flight, then kill -9
	local name=$1 secs=$2 pids=()
	for i in 1 2 3 4; do	# large, slow: still streaming at the kill
		curl -s -o "$T/acks/$name-big-$i" -w '%{http_code}' --limit-rate 3M \
		    -H "Authorization: Bearer $EMP" -F kind=salary_proof -F "file=@$T/big.pdf" \
		    "$BASE/api/v1/cases/UCP-10001/documents" >"$T/acks/$name-big-$i.code" &
		pids+=($!)
	done
	for w in 1 2; do	# small, many: some are committing at the kill
		( for i in $(seq "$w" 2 80); do
			curl -s -o "$T/acks/$name-s$i" -w '%{http_code}' -H "Authorization: Bearer $EMP" \
			    -F kind=salary_proof -F "file=@$T/small/$i.pdf" \
			    "$BASE/api/v1/cases/UCP-10001/documents" >"$T/acks/$name-s$i.code" || break
		done ) &
		pids+=($!)
	done
	sleep "$secs"
	kill -KILL "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	wait "${pids[@]}" 2>/dev/null
}
crash_round a 1.5
check "some uploads were acknowledged before the kill" sh -c "grep -l '^201$' '$T'/acks/*.code | grep -q ."
check "large uploads were cut off by the kill" sh -c "! grep -q '^201$' '$T'/acks/a-big-*.code"
check "temp files were left behind by the kill" test "$(find "$DATA/tmp" -type f | wc -l)" -gt 0
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
crash_round b 2.5
# Restart two hours later, so the sweep takes what the kills left behind.
SURAKSHA_FAKE_NOW=$(( $(date +%s) + 7200 )) start_server
check "sweep reported" grep -q "start-up sweep" "$T/server.log"
stop_server

acked=0
for code in "$T"/acks/*.code; do
	[ "$(cat "$code")" = 201 ] || continue
	body=${code%.code}
	while read -r id sha; do
		acked=$((acked + 1))
		row=$(sqlite3 "$DATA/suraksha.db" "SELECT sha256 FROM documents WHERE id = $id")
		check "acknowledged document $id has its row" test "$row" = "$sha"
		blob="$DATA/blobs/${sha:0:2}/${sha:2:2}/$sha"
		check "acknowledged document $id intact" test "$(sha256sum <"$blob" | cut -d' ' -f1)" = "$sha"
	done < <(jq -r '.documents[] | "\(.id) \(.sha256)"' "$body")
done
check "acknowledged uploads were checked" test "$acked" -gt 0
sqlite3 "$DATA/suraksha.db" "SELECT sha256, size FROM documents" | while IFS='|' read -r sha size; do
	blob="$DATA/blobs/${sha:0:2}/${sha:2:2}/$sha"
	[ -f "$blob" ] && [ "$(stat -c %s "$blob")" = "$size" ] && [ "$(sha256sum <"$blob" | cut -d' ' -f1)" = "$sha" ] || echo "$sha"
done >"$T/bad_rows"
check "no row without its complete blob" test ! -s "$T/bad_rows"
check "no temp file after the sweep" test "$(find "$DATA/tmp" -type f | wc -l)" -eq 0
for b in $(find "$DATA/blobs" -type f); do
	n=$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents WHERE sha256 = '$(basename "$b")'")
	[ "$n" -gt 0 ] || echo "$b"
done >"$T/orphans"
check "no blob without a row after the sweep" test ! -s "$T/orphans"
check "audit chain intact after the kills" "$BIN" audit verify --data "$DATA"
finish
