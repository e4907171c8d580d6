#!/usr/bin/env bash
# Malware scanning through a real clamd started here with a signature of our own (EICAR
# inside an otherwise valid PDF): a detection is 422 malware_detected with the signature
# in the audit record and nothing stored; clean files of every kind pass; clamd down or
# slower than clamd_timeout_ms is 503 scanner_unavailable and nothing stored (fail closed).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/tools/clamd.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_QUOTA_FILES=10000 SURAKSHA_QUOTA_BYTES=1000000000
trap 'clamd_stop; [ -n "${SLOW_PID:-}" ] && kill "$SLOW_PID" 2>/dev/null; cleanup' EXIT
python3 "$ROOT/tests/tools/eicar_pdf.py" "$T/eicar.pdf"
C="$ROOT/tests/corpus"
python3 - "$T" "$C" <<'PY'
import sys, zipfile
t, c = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(t + "/eicar_bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.write(c + "/pdf_simple.pdf", "appointment.pdf")
    z.write(t + "/eicar.pdf", "service/certificate.pdf")
PY
up() { # up TOKEN FILE
	req POST "/api/v1/cases/UCP-10001/documents" "" -H "Authorization: Bearer $1" \
	    -F "kind=other" -F "file=@$2"
}
state() {
	echo "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents") \
$(find "$DATA/blobs" -type f 2>/dev/null | wc -l) $(find "$DATA/tmp" -type f 2>/dev/null | wc -l)"
}

# Without a scanner the EICAR PDF is a valid PDF: the refusal below is clamd's alone.
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
up "$EMP" "$T/eicar.pdf"
expect_status 201 "EICAR PDF without clamd (intake alone cannot tell)"
stop_server

check "clamd starts" clamd_start "$T/clamd"
start_server --clamd_socket "$CLAMD_SOCKET" --clamd_timeout_ms 20000
EMP=$(otp_login UCP-10001 PPP10001A)
for f in pdf_simple.pdf pdf_object_streams.pdf photo.jpg photo_progressive.jpg scan.png \
    bundle_good.zip bundle_utf8_name.zip; do
	up "$EMP" "$C/$f"
	expect_status 201 "clean $f passes the scanner"
done
before=$(state)
up "$EMP" "$T/eicar.pdf"
expect_error 422 malware_detected "EICAR PDF"
check "detection stores nothing" test "$before" = "$(state)"
AFTER=$(sqlite3 "$DATA/suraksha.db" "SELECT after FROM audit WHERE action = 'document.refused' ORDER BY id DESC LIMIT 1")
check "audit names the signature" jq -e '.code == "malware_detected" and (.signature | startswith("Suraksha.Test.EICAR-in-document"))' <<<"$AFTER"
up "$EMP" "$T/eicar_bundle.zip"
expect_error 422 malware_detected "ZIP with an EICAR entry"
check "ZIP detection stores nothing" test "$before" = "$(state)"
check "server log names the signature" grep -q "Suraksha.Test.EICAR" "$T/server.log"

# clamd down: fail closed.
clamd_stop
up "$EMP" "$C/pdf_simple.pdf"
expect_error 503 scanner_unavailable "clamd down"
check "clamd down stores nothing" test "$before" = "$(state)"
check "clamd down is a warning in the log" grep -q "warn.*scanner_unavailable" "$T/server.log"
stop_server

# clamd too slow: a socket that takes the stream and never answers.
python3 - "$T/slow.sock" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
conns = []
t0 = time.time()
while time.time() - t0 < 60:
    c, _ = s.accept()
    conns.append(c)
PY
SLOW_PID=$!
for _ in $(seq 1 100); do [ -S "$T/slow.sock" ] && break; sleep 0.05; done
start_server --clamd_socket "$T/slow.sock" --clamd_timeout_ms 400
EMP=$(otp_login UCP-10001 PPP10001A)
up "$EMP" "$C/pdf_simple.pdf"
expect_error 503 scanner_unavailable "clamd slower than clamd_timeout_ms"
up "$EMP" "$C/bundle_good.zip"
expect_error 503 scanner_unavailable "ZIP while clamd is slow"
check "slow clamd stores nothing" test "$before" = "$(state)"
kill "$SLOW_PID" 2>/dev/null
SLOW_PID=
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
