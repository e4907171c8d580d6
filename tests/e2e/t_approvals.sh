#!/usr/bin/env bash
# Bulk approval by a HoD: each case and its signed letter in its own transaction, one
# failure stopping none of the others; the answer says what happened to each.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
login_staff
for e in UCP-10001:PPP10001A UCP-10002:PPP10002B; do
	id=${e%%:*}
	tok=$(otp_login "$id" "${e##*:}")
	areq "$tok" PUT "/api/v1/cases/$id/service" "$(svc 2012-04-01)"
	add_docs "$id"
	areq "$tok" POST "/api/v1/cases/$id/submit"
	areq "$DDO" POST "/api/v1/cases/$id/verify" '{"decision":"verified"}'
	expect_status 200 "$id verified"
done
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10001","UCP-10002"],"designation":"Clerk","pay_level":2}'
expect_status 201 "posts"

before=$(dump_db)
areq "$HOD" POST /api/v1/approvals '{"employee_ids":[]}'
expect_error 400 invalid_field "no ids"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":"UCP-10001"}'
expect_error 400 invalid_field "ids not a list"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001"],"force":true}'
expect_error 400 invalid_field "unknown key"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001", 5]}'
expect_error 400 invalid_field "an id that is not text"
areq "$HOD" POST /api/v1/approvals "{\"employee_ids\":[$(seq -s, -f '"E-%g"' 1 501)]}"
expect_error 400 invalid_field "more than 500 ids"
areq "$DDO" POST /api/v1/approvals '{"employee_ids":["UCP-10001"]}'
expect_error 403 forbidden "a DDO"
check "refused requests changed nothing" test "$before" = "$(dump_db)"

areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001","UCP-10004","HKRNL-20001","UCP-10002"],"remarks":"approved in bulk"}'
expect_status 200 "bulk approval"
expect_json '.approved == 2 and .failed == 2' "counts"
expect_json '.results[0].state == "approved" and (.results[0].letter_ref | test("^HR/SOS/PWD/20[0-9]{2}/00000[12]$"))' "first approved"
expect_json '.results[1].error.code == "wrong_state"' "a draft case"
expect_json '.results[2].error.code == "not_found"' "a case of another department"
expect_json '.results[3].state == "approved" and .results[3].letter_ref != .results[0].letter_ref' "second approved, its own reference"
expect_state UCP-10001 approved
expect_state UCP-10002 approved
expect_state UCP-10004 draft
check "two letters stored" test "$(db "SELECT count(*) FROM letters")" = 2
for ref in $(jq -r '.results[] | select(.letter_ref) | .letter_ref' <<<"$BODY"); do
	areq "$HOD" GET "/api/v1/letters/$ref"
	expect_status 200 "letter $ref"
	req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/body"
	expect_json '.valid == true and .issued_by_portal == true' "letter $ref verifies"
done
stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
