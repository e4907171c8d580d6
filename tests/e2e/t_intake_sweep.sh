#!/usr/bin/env bash
# Leftovers swept while the server runs: upload and entry temp files, blobs no row names,
# and letter files an interrupted issue left (a temp file, a signed PDF whose row never
# committed), once untouched for sweep_min_age; fresh ones, stored documents and issued
# letters are kept. Then a real kill -9 of the server in the middle of an upload.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server --sweep_interval 1 --sweep_min_age 600
EMP=$(otp_login UCP-10001 PPP10001A)
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" \
    -F kind=other -F "file=@$ROOT/tests/corpus/bundle_good.zip"
expect_status 201 "a stored bundle"
KEPT_BLOB=$(jq -r '.documents[0].sha256' <<<"$BODY")
kept_blob=$DATA/blobs/${KEPT_BLOB:0:2}/${KEPT_BLOB:2:2}/$KEPT_BLOB
touch -d '-2 hours' "$kept_blob"
mkdir -p "$DATA/tmp" "$DATA/letters" "$DATA/blobs/ab/cd"
old() { printf 'leftover' >"$1"; touch -d '-2 hours' "$1"; }
old "$DATA/tmp/upload-AbC123"
old "$DATA/tmp/entry-XyZ789"
printf 'fresh' >"$DATA/tmp/upload-Fresh1"
Z=abcd$(printf '%060d' 7)
old "$DATA/blobs/ab/cd/$Z"
L1=$(printf '%064d' 1) L2=$(printf '%064d' 2) L3=$(printf '%064d' 3)
sqlite3 "$DATA/suraksha.db" "INSERT INTO letters (ref, employee_id, department_code, sha256, size, issued_at, issued_by) VALUES ('HR/SOS/T/2026/000001', 'UCP-10001', 'PWD', '$L3', 8, 0, 'hod')"
old "$DATA/letters/$L1.pdf"			# signed, row never committed
old "$DATA/letters/$L2.pdf.tmp.4242"		# write cut short
old "$DATA/letters/$L3.pdf"			# issued: its row exists
printf 'fresh' >"$DATA/letters/$(printf '%064d' 4).pdf"
for _ in $(seq 1 60); do
	[ ! -e "$DATA/tmp/upload-AbC123" ] && [ ! -e "$DATA/letters/$L1.pdf" ] && break
	sleep 0.1
done
sleep 1.2	# one more pass, so that every kind had its turn
check "old upload temp file swept while running" test ! -e "$DATA/tmp/upload-AbC123"
check "old entry temp file swept" test ! -e "$DATA/tmp/entry-XyZ789"
check "fresh temp file kept" test -e "$DATA/tmp/upload-Fresh1"
check "unreferenced blob swept" test ! -e "$DATA/blobs/ab/cd/$Z"
check "blob of a stored document kept" test -e "$kept_blob"
check "letter whose row never committed swept" test ! -e "$DATA/letters/$L1.pdf"
check "letter temp file swept" test ! -e "$DATA/letters/$L2.pdf.tmp.4242"
check "issued letter kept" test -e "$DATA/letters/$L3.pdf"
check "fresh letter file kept" test -e "$DATA/letters/$(printf '%064d' 4).pdf"
check "sweeps logged" grep -q "letter sweep: [12] files" "$T/server.log"
ID=$(jq -r '.documents[0].id' <<<"$BODY")
curl -s -o "$T/dl" -H "Authorization: Bearer $EMP" "$BASE/api/v1/documents/$ID"
check "stored document still downloads" test "$(sha256sum <"$T/dl" | cut -d' ' -f1)" = "$KEPT_BLOB"

# kill -9 in the middle of an upload: its temp file stays; the next server sweeps it once
# old enough (made old here rather than waited for).
head -c 3000000 /dev/urandom >"$T/slow.bin"
curl -s -o /dev/null --limit-rate 200k -H "Authorization: Bearer $EMP" -F kind=other \
    -F "file=@$T/slow.bin" "$BASE/api/v1/cases/UCP-10001/documents" &
CURL=$!
for _ in $(seq 1 100); do
	ls "$DATA/tmp" | grep -v Fresh1 | grep -q upload- && break
	sleep 0.05
done
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=
kill "$CURL" 2>/dev/null; wait "$CURL" 2>/dev/null
CUT=$(ls "$DATA/tmp" | grep -v Fresh1 | grep upload- | head -1)
check "kill -9 left the cut upload's temp file" test -n "$CUT"
touch -d '-20 minutes' "$DATA/tmp/$CUT"
start_server --sweep_interval 1 --sweep_min_age 600
for _ in $(seq 1 40); do [ ! -e "$DATA/tmp/$CUT" ] && break; sleep 0.1; done
check "the cut upload's temp file swept by the running server" test ! -e "$DATA/tmp/$CUT"
stop_server
check "server stops cleanly with the sweeper" test $? -eq 0
finish
