#!/usr/bin/env bash
# PAdES B-T (issue 13): `suraksha tsa` (RFC 3161, key in the token, certificate with the
# critical EKU timeStamping) and a server with tsa_url set: the approved letter's CMS has no
# signingTime and an id-aa-signatureTimeStampToken over its signature value, which
# OpenSSL's own `ts -verify` accepts against the portal CA; pdfsig still says valid and
# trusted. Bad queries get a rejection, not a token. Without the TSA, no letter is issued.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
init_demo
open_windows
TSA_PORT=$(free_port)
"$BIN" tsa --data "$DATA" --listen "127.0.0.1:$TSA_PORT" >>"$T/tsa.log" 2>&1 &
TSA_PID=$!
trap 'kill $TSA_PID 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 100); do
	curl -s -o /dev/null "http://127.0.0.1:$TSA_PORT/" && break
	sleep 0.05
done
TSA=http://127.0.0.1:$TSA_PORT/

# the TSA alone, checked by OpenSSL's client
echo "a document" >"$T/doc.txt"
openssl ts -query -data "$T/doc.txt" -sha256 -cert -out "$T/q.tsq" 2>/dev/null
curl -s -H 'Content-Type: application/timestamp-query' --data-binary @"$T/q.tsq" "$TSA" -o "$T/r.tsr"
check "openssl ts verifies the TSA's reply" openssl ts -verify -in "$T/r.tsr" -queryfile "$T/q.tsq" \
    -CAfile "$DATA/keys/ca.pem" -untrusted "$DATA/keys/tsa.pem"
openssl ts -reply -in "$T/r.tsr" -text >"$T/r.txt" 2>/dev/null
check "granted" grep -q "Status: Granted." "$T/r.txt"
check "the nonce echoed" sh -c "grep -q 'Nonce: 0x' '$T/r.txt'"
printf 'not a query' >"$T/bad.tsq"
curl -s -H 'Content-Type: application/timestamp-query' --data-binary @"$T/bad.tsq" "$TSA" -o "$T/bad.tsr"
openssl ts -reply -in "$T/bad.tsr" -text >"$T/bad.txt" 2>/dev/null
check "garbage is rejected" grep -q "Status: Rejected" "$T/bad.txt"
check "with badDataFormat" grep -q "the data submitted has the wrong format" "$T/bad.txt"
openssl ts -query -data "$T/doc.txt" -sha1 -out "$T/sha1.tsq" 2>/dev/null
curl -s -H 'Content-Type: application/timestamp-query' --data-binary @"$T/sha1.tsq" "$TSA" -o "$T/sha1.tsr"
openssl ts -reply -in "$T/sha1.tsr" -text >"$T/sha1.txt" 2>/dev/null
check "SHA-1 imprints are refused (badAlg)" grep -q "unsupported algorithm" "$T/sha1.txt"
check "GET is not a query" test "$(curl -s -o /dev/null -w '%{http_code}' "$TSA")" = 405
check "a query needs its content type" test "$(curl -s -o /dev/null -w '%{http_code}' \
    --data-binary @"$T/q.tsq" "$TSA")" = 415

export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_TSA_URL=$TSA SURAKSHA_TSA_TIMEOUT_MS=1000
start_server
login_staff
for e in UCP-10001:PPP10001A UCP-10002:PPP10002B; do
	id=${e%%:*}
	tok=$(otp_login "$id" "${e##*:}")
	areq "$tok" PUT "/api/v1/cases/$id/service" "$(svc 2012-04-01)"
	add_docs "$id"
	areq "$tok" POST "/api/v1/cases/$id/submit"
	areq "$DDO" POST "/api/v1/cases/$id/verify" '{"decision":"verified"}'
done
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10001","UCP-10002"],"designation":"Clerk","pay_level":2}'
expect_status 201 "posts"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001"]}'
expect_json '.approved == 1' "approval with a timestamp"
ref=$(jq -r '.results[0].letter_ref' <<<"$BODY")
areq "$HOD" GET "/api/v1/letters/$ref"
cp "$T/body" "$T/letter.pdf"
python3 "$ROOT/tests/e2e/cms_parts.py" "$T/letter.pdf" "$T"
openssl cms -cmsout -print -inform DER -in "$T/cms.der" >"$T/cms.txt" 2>&1
check "no signingTime" sh -c "! grep -q signingTime '$T/cms.txt'"
check "a signature timestamp token" grep -q "id-smime-aa-timeStampToken" "$T/cms.txt"
check "the token extracted" test -s "$T/tst.der"
digest=$(sha256sum "$T/sigvalue.bin" | cut -d' ' -f1)
check "openssl ts: the token is over the signature value" openssl ts -verify -digest "$digest" \
    -in "$T/tst.der" -token_in -CAfile "$DATA/keys/ca.pem" -untrusted "$DATA/keys/tsa.pem"
check "a token over anything else does not verify" sh -c "! openssl ts -verify -digest \
    $(printf '%064d' 0) -in '$T/tst.der' -token_in -CAfile '$DATA/keys/ca.pem' \
    -untrusted '$DATA/keys/tsa.pem' 2>/dev/null"
NSS=$T/nss; mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n portal -t "CT,C,C" -i "$DATA/keys/ca.pem"
pdfsig -nssdir "sql:$NSS" "$T/letter.pdf" >"$T/pdfsig.txt" 2>&1
for want in "Signature is Valid." "Certificate is Trusted." "Total document signed"; do
	check "pdfsig: $want" grep -qF "$want" "$T/pdfsig.txt"
done
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf"
expect_json '.valid == true and .issued_by_portal == true' "our verifier accepts the B-T letter"
# issue 9's verifier on issue 13's B-T letter: the token checked (imprint over the
# signature value, the TSA's certificate with the critical EKU timeStamping chaining to the
# portal CA), its genTime the proven time, the level reported
expect_json '.level == "B-T" and .time_source == "timestamp" and .timestamp_at != null and
    .tsa == "Suraksha Portal Time-Stamping Authority" and .reasons == [] and
    .portal_seal == false' "the report: B-T, proven by the timestamp"
"$BIN" verify --ca "$DATA/keys/ca.pem" --data "$T/nowhere" "$T/letter.pdf" >"$T/off.json" ||
	fail "offline verification of the B-T letter: $(cat "$T/off.json")"
check "an auditor offline: B-T, the time proven by the token" jq -e '.valid == true and
    .level == "B-T" and .time_source == "timestamp" and .issuance_checked == false' "$T/off.json"
# one byte of the token's own signature changed (the letter's signature is untouched: the
# token is an unsigned attribute): the timestamp no longer verifies, the letter is invalid
python3 - "$T/letter.pdf" "$T/tst.der" "$T/badtst.pdf" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
tail = open(sys.argv[2], 'rb').read()[-6:].hex().encode()
i = d.find(tail)
assert i > 0 and d.find(tail, i + 1) < 0
j = i + len(tail) - 1
d = d[:j] + (b'0' if d[j:j + 1] != b'0' else b'1') + d[j + 1:]
open(sys.argv[3], 'wb').write(d)
PY
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/badtst.pdf"
expect_json '.valid == false and (.reasons | index("timestamp_invalid") != null) and
    .time_source != "timestamp"' "a tampered timestamp token is refused"

# no TSA, no letter: the case waits, nothing is issued
kill "$TSA_PID"; wait "$TSA_PID" 2>/dev/null
letters=$(db "SELECT count(*) FROM letters")
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10002"]}'
expect_json '.approved == 0 and .failed == 1' "no approval without a timestamp"
expect_state UCP-10002 post_created "the case as it was"
check "nothing issued without a timestamp" test "$(db "SELECT count(*) FROM letters")" = "$letters"
stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
