#!/usr/bin/env bash
# The rules file decides: a bad one stops start-up naming the line; a changed one
# re-evaluates every case (at start, and with `suraksha cases reeval`), audited; the HKCL
# export of the verified cases passes sha256sum -c and openssl cms -verify.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
# The portal's keys and certificates are made at the test's clock too.
export SURAKSHA_FAKE_NOW=$T_OPEN
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
login_staff
E3=$(otp_login UCP-10003 PPP10003C)     # joined 2019-08-15: exactly five years
E1=$(otp_login UCP-10001 PPP10001A)     # since 2012
for pair in "$E3 UCP-10003 2019-08-15" "$E1 UCP-10001 2012-04-01"; do
	set -- $pair
	areq "$1" PUT "/api/v1/cases/$2/service" "$(svc "$3")"
	add_docs "$2"
	areq "$1" POST "/api/v1/cases/$2/submit"
	expect_status 200 "submit $2"
done
areq "$DDOH" POST /api/v1/cases/UCP-10003/verify '{"decision":"verified"}'
expect_json '.outcome.outcome == "eligible" and .stage == "posts"' "eligible at five years"
areq "$DDO" POST /api/v1/cases/UCP-10001/verify '{"decision":"verified"}'
expect_status 200 "verify UCP-10001"
db "UPDATE employees SET name = '+cmd|calc' WHERE id = 'UCP-10001'"
stop_server

# --- HKCL export (CLI) ---
"$BIN" export hkcl --data "$DATA" "$T/hkcl" >"$T/export.out" 2>&1
check "export runs" grep -q 'exported 2 verified cases' "$T/export.out"
check "sha256sum -c passes" sh -c "cd '$T/hkcl' && sha256sum -c MANIFEST.sha256"
check "openssl cms -verify passes" openssl cms -verify -in "$T/hkcl/manifest.p7s" -inform DER \
    -content "$T/hkcl/MANIFEST.sha256" -CAfile "$DATA/keys/ca.pem" -binary -out /dev/null
check "two rows and a header" test "$(wc -l <"$T/hkcl/hkcl_cases.csv")" = 3
check "csv injection neutralised" grep -q "\"'+cmd|calc\"" "$T/hkcl/hkcl_cases.csv"
check "export audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'export.hkcl' AND actor = 'cli'")" = 1
# A changed file fails both checks.
printf 'extra\r\n' >>"$T/hkcl/hkcl_cases.csv"
check "tampered csv fails sha256sum" sh -c "cd '$T/hkcl' && ! sha256sum -c MANIFEST.sha256 >/dev/null 2>&1"
sed -i 's/^./0/' "$T/hkcl/MANIFEST.sha256"
check "tampered manifest fails cms -verify" sh -c "! openssl cms -verify -in '$T/hkcl/manifest.p7s' -inform DER -content '$T/hkcl/MANIFEST.sha256' -CAfile '$DATA/keys/ca.pem' -binary -out /dev/null 2>/dev/null"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/other.key" \
    -out "$T/other.pem" -subj /CN=Other -days 2 >/dev/null 2>&1
"$BIN" export hkcl --data "$DATA" "$T/hkcl2" >/dev/null 2>&1
check "a foreign CA does not verify it" sh -c "! openssl cms -verify -in '$T/hkcl2/manifest.p7s' -inform DER -content '$T/hkcl2/MANIFEST.sha256' -CAfile '$T/other.pem' -binary -out /dev/null 2>/dev/null"
"$BIN" export nope "$T/x" >/dev/null 2>&1
check "export of an unknown kind is bad usage" test $? = 2

# --- a bad rules file stops start-up, naming the line ---
cp "$DATA/rules.conf" "$T/rules.good"
sed -i 's/^min_years = 5$/min_years = five/' "$DATA/rules.conf"
PORT=$(free_port)
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" >"$T/bad.log" 2>&1
check "bad rules file: exit 2" test $? = 2
check "names file and line" grep -q 'rules.conf.*16' "$T/bad.log"

# --- a changed rules file: the server re-evaluates every case at start, audited ---
sed 's/^min_years = 5$/min_years = 6/' "$T/rules.good" >"$DATA/rules.conf"
start_server
login_staff
areq "$DDOH" GET /api/v1/cases/UCP-10003
expect_json '.outcome.outcome == "ineligible" and .outcome.reasons == ["insufficient_service"] and .stage == "approval"' "re-evaluated at start"
areq "$DDO" GET /api/v1/cases/UCP-10001
expect_json '.outcome.outcome == "eligible"' "still eligible"
check "reeval audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'rules.reeval' AND actor = 'system'")" = 2
check "changed verdict audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'case.reeval' AND case_id = 'UCP-10003' AND after = '{\"verdict\":\"ineligible\"}'")" = 1
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10003"],"designation":"Staff Nurse","pay_level":6}'
expect_error 409 wrong_state "no post once ineligible"
# Restarting with the same file evaluates nothing again.
stop_server
start_server
check "no second reeval for the same rules" test "$(db "SELECT count(*) FROM audit WHERE action = 'rules.reeval'")" = 2
stop_server

# --- `suraksha cases reeval` after going back to the old rules ---
cp "$T/rules.good" "$DATA/rules.conf"
"$BIN" cases reeval --data "$DATA" >"$T/reeval.out" 2>&1
check "cli reeval" grep -q 're-evaluated 2 cases' "$T/reeval.out"
check "one changed" grep -q '1 changed outcome' "$T/reeval.out"
check "eligible again" test "$(db "SELECT verdict || ' ' || stage FROM cases WHERE employee_id = 'UCP-10003'")" = "eligible posts"
check "cli reeval audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'rules.reeval' AND actor = 'cli'")" = 1
check "audit chain intact" "$BIN" audit verify --data "$DATA"

# --- the admin endpoint of the export ---
start_server
login_staff
areq "$ADMIN" POST /api/v1/admin/export/hkcl
expect_status 201 "export endpoint"
expect_json '.cases == 2 and (.manifest | test("  hkcl_cases.csv\n$")) and (.signature_der_base64 | length > 100)' "export answer"
D=$DATA/$(jq -r .dir <<<"$BODY")
check "endpoint export verifies" sh -c "cd '$D' && sha256sum -c MANIFEST.sha256 >/dev/null && openssl cms -verify -in manifest.p7s -inform DER -content MANIFEST.sha256 -CAfile '$DATA/keys/ca.pem' -binary -out /dev/null 2>/dev/null"
jq -r .signature_der_base64 <<<"$BODY" | base64 -d >"$T/sig.der"
check "returned signature is the file" cmp -s "$T/sig.der" "$D/manifest.p7s"
stop_server
finish
