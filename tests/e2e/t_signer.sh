#!/usr/bin/env bash
# The signer process (issue 13): the portal's keys are in the data folder's PKCS#11 token
# (SoftHSM2), reached only by the signer that serve forks; the HTTP server never loads the
# module, opens the token or a key file. Letters it signs are strict PAdES B-B, certified.
# A signer that stops answering makes approval fail cleanly (nothing issued, the case as
# it was) and its late answer is never taken for the next request; one that dies is
# replaced by the next request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_SIGNER_TIMEOUT_MS=400
# ca.key (the offline CA), otp.key and audit.key (secrets for MACs, issue 11): no signing
# key of the portal is a file
check "no private key file but the offline CA's" test "$(ls "$DATA/keys" | grep '\.key$' | tr '\n' ' ')" = "audit.key ca.key otp.key "
check "the certificates name the CRL (issue 9)" sh -c "for c in seal hkcl tsa hod-hod.hlt; do openssl x509 -in '$DATA/keys/'\$c.pem -noout -ext crlDistributionPoints | grep -q '/crl' || exit 1; done"
check "no HoD key file" test -z "$(ls "$DATA/keys" | grep '^hod-.*\.key$')"
check "the seal's certificate" openssl verify -CAfile "$DATA/keys/ca.pem" "$DATA/keys/seal.pem"
check "the TSA certificate has the critical EKU timeStamping" sh -c \
    "openssl x509 -in '$DATA/keys/tsa.pem' -noout -text | grep -A1 'Extended Key Usage: critical' | grep -q 'Time Stamping'"
start_server
login_staff
for e in UCP-10001:PPP10001A UCP-10002:PPP10002B UCP-10003:PPP10003C; do
	id=${e%%:*}
	tok=$(otp_login "$id" "${e##*:}")
	areq "$tok" PUT "/api/v1/cases/$id/service" "$(svc 2012-04-01)"
	add_docs "$id"
	areq "$tok" POST "/api/v1/cases/$id/submit"
	[ "$id" = UCP-10003 ] && d=$DDOH || d=$DDO
	areq "$d" POST "/api/v1/cases/$id/verify" '{"decision":"verified"}'
	expect_status 200 "$id verified"
done
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10001","UCP-10002","UCP-10003"],"designation":"Clerk","pay_level":2}'
expect_status 201 "posts"

# the processes: the signer is a child of serve; only it has the module mapped
SIGNER=
for c in $(pgrep -P "$SERVER_PID"); do
	[ "$(cat "/proc/$c/comm")" = suraksha-signer ] && SIGNER=$c
done
check "serve forked a signer process" test -n "$SIGNER"
check "the signer has the PKCS#11 module loaded" grep -q libsofthsm2 "/proc/$SIGNER/maps"
check "the HTTP server never loaded the PKCS#11 module" sh -c "! grep -q libsofthsm2 /proc/$SERVER_PID/maps"

areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001"]}'
expect_json '.approved == 1' "approval signed through the signer"
ref=$(jq -r '.results[0].letter_ref' <<<"$BODY")
ls -l "/proc/$SERVER_PID/fd" >"$T/fds.txt" 2>/dev/null
check "the HTTP server has files open" grep -q suraksha.db "$T/fds.txt"
check "the HTTP server has no key or token file open" sh -c "! grep -qE '/hsm/|\\.key\$' '$T/fds.txt'"
areq "$HOD" GET "/api/v1/letters/$ref"
expect_status 200 "letter $ref"
cp "$T/body" "$T/letter.pdf"
NSS=$T/nss; mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n portal -t "CT,C,C" -i "$DATA/keys/ca.pem"
pdfsig -nssdir "sql:$NSS" "$T/letter.pdf" >"$T/pdfsig.txt" 2>&1
for want in "Signature is Valid." "Certificate is Trusted." "Total document signed"; do
	check "pdfsig: $want" grep -qF "$want" "$T/pdfsig.txt"
done
# certified (DocMDP P 2): the catalog's /Perms names the signature, whose /Reference says so
check "qpdf --check is clean" qpdf --check "$T/letter.pdf"
check "the catalog names the certification signature" sh -c \
    "LC_ALL=C grep -aqE '/Perms << /DocMDP [0-9]+ 0 R >>' '$T/letter.pdf'"
check "the signature is a DocMDP certification, changes limited to P 2" sh -c \
    "LC_ALL=C grep -aq '/TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P 2' '$T/letter.pdf'"
python3 - "$T/letter.pdf" "$T/sig.der" <<'PY'
import re, sys
d = open(sys.argv[1], 'rb').read()
h = re.search(rb'/Contents <([0-9a-f]+)>', d).group(1).rstrip(b'0')
open(sys.argv[2], 'wb').write(bytes.fromhex((h + b'0' * (len(h) % 2)).decode()))
PY
openssl cms -cmsout -print -inform DER -in "$T/sig.der" >"$T/cms.txt" 2>&1
check "strict B-B: no signingTime in the CMS" sh -c "! grep -q signingTime '$T/cms.txt'"
check "ESS signing-certificate-v2" grep -q signingCertificateV2 "$T/cms.txt"
check "the chain is in the CMS" test "$(grep -c 'subject:' "$T/cms.txt")" -ge 2
# issue 9's verifier calls the certified B-B letter valid, and says which level it is
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf"
expect_json '.valid == true and .issued_by_portal == true and .level == "B-B" and
    .time_source == "portal_issue_record" and .portal_seal == false and .reasons == []' \
    "the B-B certified letter verifies (issue 9's verifier)"

# a signer that stops answering: approval fails after signer_timeout_ms, nothing issued
letters=$(db "SELECT count(*) FROM letters")
kill -STOP "$SIGNER"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10002"]}'
expect_json '.approved == 0 and .failed == 1' "no approval while the signer is stuck"
kill -CONT "$SIGNER"
expect_state UCP-10002 post_created "the case as it was"
check "nothing issued by a stuck signer" test "$(db "SELECT count(*) FROM letters")" = "$letters"
# its late answer is dropped: the next letter gets its own signature and verifies
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10002"]}'
expect_json '.approved == 1' "approval once the signer answers again"
ref=$(jq -r '.results[0].letter_ref' <<<"$BODY")
areq "$HOD" GET "/api/v1/letters/$ref"
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/body"
expect_json '.valid == true and .issued_by_portal == true' "the letter after a late answer verifies"

# a dead signer is replaced (a fresh image, fork+exec from the threaded server) and the
# request that found it dead goes through the new one
kill -KILL "$SIGNER"
# ... and the HoD of Health has no key of their own (their certificate withdrawn here):
# the letter carries the portal seal, and the verifier names it so
mv "$DATA/keys/hod-hod.hlt.pem" "$T/"
areq "$HODH" POST /api/v1/approvals '{"employee_ids":["UCP-10003"]}'
expect_json '.approved == 1' "approval through a restarted signer"
NEW=
for c in $(pgrep -P "$SERVER_PID"); do
	[ "$(cat "/proc/$c/comm")" = suraksha-signer ] && NEW=$c
done
check "a new signer process" test -n "$NEW" -a "$NEW" != "$SIGNER"
check "the HTTP server still never loaded the PKCS#11 module" sh -c "! grep -q libsofthsm2 /proc/$SERVER_PID/maps"
ref=$(jq -r '.results[0].letter_ref' <<<"$BODY")
areq "$HODH" GET "/api/v1/letters/$ref"
cp "$T/body" "$T/sealed.pdf"
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/sealed.pdf"
expect_json '.valid == true and .issued_by_portal == true' "the letter from the new signer verifies"
expect_json '.portal_seal == true and (.signer | startswith("Suraksha Portal seal")) and
    .level == "B-B" and (.notes | map(select(test("portal.s seal"))) | length) == 1' \
    "a HoD without a key: the letter is the portal seal's, and the report says so"
"$BIN" verify --data "$DATA" "$T/sealed.pdf" >"$T/sealed.json" ||
	fail "suraksha verify of the sealed letter: $(cat "$T/sealed.json")"
check "the CLI too names the seal" jq -e '.valid == true and .portal_seal == true' "$T/sealed.json"
req GET /healthz
expect_status 200 "the server is up"
stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
