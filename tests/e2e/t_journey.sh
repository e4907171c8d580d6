#!/usr/bin/env bash
# One case end to end through the real server, with real uploads: an employee declares and
# documents their service, the DDO flags a discrepancy, the HoD certifies it with a signed
# certificate (multipart), the DDO verifies, finance creates the post, the HoD approves and
# the portal issues the PAdES-signed offer letter. The letter is checked by independent
# tools (qpdf, pdftotext, pdfsig with an NSS database trusting the portal CA), by
# POST /api/v1/verify (intact, tampered, revoked) and by suraksha verify.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
C=$ROOT/tests/corpus
EMP=$(otp_login UCP-10003 PPP10003C)          # direct, HLT-KKR-01, joined 2019-08-15
OTHER=$(otp_login UCP-10001 PPP10001A)
DDO=$(login ddo.hlt.kkr)
DDOX=$(login ddo.pwd.amb)
HOD=$(login hod.hlt)
HODX=$(login hod.pwd)
FIN=$(login finance)
AUD=$(login auditor)
up() { # up KIND FILE
	req POST /api/v1/cases/UCP-10003/documents "" -H "Authorization: Bearer $EMP" \
	    -F "kind=$1" -F "file=@$2"
}

# --- the employee: service record, documents (one of them a bundle), submission
areq "$EMP" PUT /api/v1/cases/UCP-10003/service '{"spells":[{"from":"2019-08-15","to":null,"kind":"contract","organisation":"Health"}],"unpaid":[],"centrally_sponsored":false,"part_time":false,"marriage_clause":false}'
expect_status 200 "service declared"
up engagement_order "$C/pdf_simple.pdf";      expect_status 201 "engagement order"
up salary_proof "$C/bundle_good.zip";         expect_status 201 "salary slips as a bundle"
up dob_proof "$C/photo.jpg";                  expect_status 201 "date of birth proof"
up family_id "$C/scan.png";                   expect_status 201 "family id"
up other "$C/pdf_multipage.pdf";              expect_status 201 "another document"
DEL=$(jq -r '.documents[0].id' <<<"$BODY")
areq "$EMP" DELETE "/api/v1/documents/$DEL"
expect_status 200 "delete while a draft"
areq "$EMP" POST /api/v1/cases/UCP-10003/submit
expect_error 422 validation_failed "submit with a kind missing"
check "names the missing kind" grep -q marital_declaration <<<"$BODY"
up marital_declaration "$C/pdf_object_streams.pdf"; expect_status 201 "marital declaration"
areq "$EMP" POST /api/v1/cases/UCP-10003/submit
expect_status 200 "submitted"
# Documents are frozen once submitted: no upload (409) and no deletion (409).
before=$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents")
up other "$C/pdf_simple.pdf"
expect_error 409 wrong_state "upload after submission"
areq "$EMP" DELETE "/api/v1/documents/$(sqlite3 "$DATA/suraksha.db" "SELECT min(id) FROM documents WHERE employee_id = 'UCP-10003'")"
expect_error 409 wrong_state "delete after submission"
check "nothing changed" test "$before" = "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents")"

# --- the DDO sees every document and flags the mobile number
areq "$DDO" GET /api/v1/cases/UCP-10003
expect_json '.state == "submitted" and (.documents | length) >= 7' "the DDO's view"
for id in $(jq -r '.documents[].id' <<<"$BODY"); do
	areq "$DDO" GET "/api/v1/documents/$id"
	expect_status 200 "DDO opens document $id"
done
areq "$DDO" POST /api/v1/cases/UCP-10003/verify '{"decision":"discrepancy","remarks":"OTP goes to an old number","fields":["mobile"]}'
expect_status 200 "discrepancy"

# --- the certification, multipart: the signed certificate and the corrected mobile
cert() { # cert TOKEN FILE FIELDS [REMARKS]
	req POST /api/v1/cases/UCP-10003/certify "" -H "Authorization: Bearer $1" \
	    -F "fields=$3" -F "remarks=${4-contract genuine; mobile corrected}" -F "file=@$2"
}
before=$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents; SELECT state FROM cases WHERE employee_id = 'UCP-10003'")
cert "$EMP" "$C/pdf_simple.pdf" '{"mobile":"9876500003"}'
expect_error 403 forbidden "the employee cannot certify"
cert "$HODX" "$C/pdf_simple.pdf" '{"mobile":"9876500003"}'
expect_error 404 not_found "a HoD of another department"
cert "$HOD" "$C/pdf_simple.pdf" '{"mobile":'
expect_error 400 invalid_field "fields not JSON"
cert "$HOD" "$C/pdf_simple.pdf" '{"mobile":"9876500003"}' ""
expect_error 400 invalid_field "no remarks"
cert "$HOD" "$C/bundle_good.zip" '{"mobile":"9876500003"}'
expect_error 422 validation_failed "a bundle as the certificate"
cert "$HOD" "$C/pdf_javascript_names.pdf" '{"mobile":"9876500003"}'
check "a hostile certificate is refused by intake" test "$STATUS" = 422
cert "$HOD" "$C/pdf_simple.pdf" '{"mobile":"12345"}'
expect_error 400 invalid_field "a bad corrected mobile"
check "refused certifications changed nothing" test "$before" = "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents; SELECT state FROM cases WHERE employee_id = 'UCP-10003'")"
cert "$HOD" "$C/pdf_multipage.pdf" '{"mobile":"9876500003"}'
expect_status 200 "certified by the HoD"
expect_json '.state == "certified" and .document.kind == "discrepancy_certificate"' "certification answer"
CERTDOC=$(jq -r .document.id <<<"$BODY")
areq "$DDO" GET /api/v1/cases/UCP-10003
expect_json ".employee.mobile == \"9876500003\" and .certifications[0].issuer == \"hod.hlt\" and .certifications[0].document_id == $CERTDOC" "record corrected, certificate linked"
areq "$DDO" GET "/api/v1/documents/$CERTDOC"
check "certificate stored byte for byte" cmp -s "$T/body" "$C/pdf_multipage.pdf"

# --- verification, post, approval: the letter
areq "$DDO" POST /api/v1/cases/UCP-10003/verify '{"decision":"verified","remarks":"records checked"}'
expect_status 200 "verified"
expect_json '.outcome.outcome == "eligible" and .outcome.qualifying_years == 5' "five years exactly"
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10003"],"designation":"Staff Nurse","pay_level":6}'
expect_status 201 "post created"
areq "$HODX" POST /api/v1/cases/UCP-10003/approve '{"remarks":"ok"}'
expect_error 404 not_found "approval by a HoD of another department"
areq "$HOD" POST /api/v1/cases/UCP-10003/approve '{"remarks":"approved under section 3"}'
expect_status 200 "approved"
REF=$(jq -r .letter_ref <<<"$BODY")
check "reference format" grep -qE '^HR/SOS/HLT/20[0-9]{2}/000001$' <<<"$REF"
check "letter issue audited" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM audit WHERE action = 'letter.issue' AND case_id = 'UCP-10003'")" = 1

# --- the letter: who may download it
req GET "/api/v1/letters/$REF" "" -H "Authorization: Bearer $EMP"
expect_status 200 "the employee downloads the letter"
cp "$T/body" "$T/letter.pdf"
check "served as PDF" grep -qi '^Content-Type: application/pdf' <<<"$HEADERS"
areq "$AUD" GET "/api/v1/letters/${REF//\//%2F}"
expect_status 200 "the auditor, with the reference escaped"
areq "$OTHER" GET "/api/v1/letters/$REF"
expect_error 404 not_found "another employee"
areq "$DDOX" GET "/api/v1/letters/$REF"
expect_error 404 not_found "a DDO of another office"

# --- independent checkers
check "qpdf --check" qpdf --check "$T/letter.pdf"
pdftotext -layout "$T/letter.pdf" "$T/letter.txt"
for fact in "Meena Rani" "UCP-10003" "PPP10003C" "$REF" "Staff Nurse" "Health Services" \
    "Civil Surgeon, Kurukshetra" "35,400" "1,800" "37,200" "16 August 2024"; do
	check "letter shows '$fact'" grep -qF "$fact" "$T/letter.txt"
done
NSS=$T/nss
mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n portal -t "CT,C,C" -i "$DATA/keys/ca.pem"
pdfsig -nssdir "sql:$NSS" "$T/letter.pdf" >"$T/pdfsig.txt" 2>&1
for want in "Signature is Valid." "Certificate is Trusted." "Total document signed"; do
	check "pdfsig: $want" grep -qF "$want" "$T/pdfsig.txt"
done
mkdir -p "$ROOT/tests/out"
pdftoppm -r 70 -png -singlefile "$T/letter.pdf" "$ROOT/tests/out/letter-journey"
check "letter rendered to PNG for a person to look at" test -s "$ROOT/tests/out/letter-journey.png"

# --- POST /api/v1/verify: anyone
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf"
expect_status 200 "verify"
expect_json ".valid == true and .chain_trusted == true and .modified_after_signing == false
  and .letter_ref == \"$REF\" and .issued_by_portal == true and .revoked == false
  and .signer == \"Director General, Health Services\" and .reasons == []" "the issued letter is valid"
python3 - "$T/letter.pdf" "$T/changed.pdf" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
i = d.index(b'stream\n') + 40      # inside the first (compressed) content stream
d[i] ^= 0x01
open(sys.argv[2], 'wb').write(d)
PY
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/changed.pdf"
expect_json '.valid == false and (.reasons | index("digest_mismatch")) != null' "a byte changed"
{ cat "$T/letter.pdf"; printf '\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%%%EOF\n'; } >"$T/appended.pdf"
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/appended.pdf"
expect_json '.valid == false and .modified_after_signing == true' "content appended after signing"
head -c 20000 "$T/letter.pdf" >"$T/cut.pdf"
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/cut.pdf"
expect_json '.valid == false' "a truncated letter"
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$C/pdf_simple.pdf"
expect_json '.valid == false and (.reasons | index("no_signature")) != null' "an unsigned PDF"
"$BIN" verify --data "$DATA" "$T/letter.pdf" >"$T/v.json"
check "suraksha verify: exit 0 and issued by the portal" jq -e '.valid and .issued_by_portal and (.revoked | not)' "$T/v.json"

# --- revocation
areq "$HODX" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{"reason":"x"}'
expect_error 404 not_found "revoked by a HoD of another department"
areq "$DDO" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{"reason":"x"}'
expect_error 403 forbidden "a DDO cannot revoke"
areq "$HOD" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{}'
expect_error 400 invalid_field "revocation without a reason"
areq "$HOD" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{"reason":"found ineligible on audit"}'
expect_status 200 "revoked"
areq "$HOD" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{"reason":"again"}'
expect_error 409 wrong_state "revoked twice"
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/letter.pdf"
expect_json '.valid == false and .revoked == true and (.reasons | index("revoked")) != null' "a revoked letter"
"$BIN" verify --data "$DATA" "$T/letter.pdf" >"$T/v.json"
check "suraksha verify: exit 1 when revoked" test $? -eq 1
stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
