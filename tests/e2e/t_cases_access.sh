#!/usr/bin/env bash
# Every transition of a case tried by every wrong role (403), out of scope (404, as for no
# case), in the wrong state (409) and after its window (423 naming the deadline); bad input
# refused with the API's error shape and nothing changed; windows extended by an admin
# (endpoint and CLI, audited) and the overdue listing per officer.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
# The portal's keys and certificates are made at the test's clock too.
export SURAKSHA_FAKE_NOW=$T_OPEN
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
login_staff
E1=$(otp_login UCP-10001 PPP10001A)
E2=$(otp_login UCP-10002 PPP10002B)
EH=$(otp_login HKRNL-20003 PPP20003G)
E3=$(otp_login UCP-10003 PPP10003C)
EH1=$(otp_login HKRNL-20001 PPP20001E)
EH2=$(otp_login HKRNL-20002 PPP20002F)

# Cases in each state: UCP-10001 draft (declared, documents in), UCP-10002 submitted,
# HKRNL-20003 discrepancy (PWD); UCP-10003 verified, HKRNL-20001 post_created (HLT).
for pair in "$E1 UCP-10001 2012-04-01 contract" "$E2 UCP-10002 2015-07-15 contract" \
    "$EH HKRNL-20003 2013-10-01 hkrnl" "$E3 UCP-10003 2019-08-15 contract" \
    "$EH1 HKRNL-20001 2016-02-01 hkrnl"; do
	set -- $pair
	areq "$1" PUT "/api/v1/cases/$2/service" "$(svc "$3" "$4")"
	expect_status 200 "declare $2"
	add_docs "$2" hkrnl_deployment_letter
	[ "$2" = UCP-10001 ] && continue
	areq "$1" POST "/api/v1/cases/$2/submit"
	expect_status 200 "submit $2"
done
areq "$DDO" POST /api/v1/cases/HKRNL-20003/verify '{"decision":"discrepancy","fields":["family_id"]}'
expect_status 200 "discrepancy"
for id in UCP-10003 HKRNL-20001; do
	areq "$DDOH" POST "/api/v1/cases/$id/verify" '{"decision":"verified"}'
	expect_status 200 "verify $id"
done
areq "$FIN" POST /api/v1/posts '{"employee_ids":["HKRNL-20001"],"designation":"Lab Attendant","pay_level":1}'
expect_status 201 "post"
expect_state UCP-10001 draft; expect_state UCP-10002 submitted; expect_state HKRNL-20003 discrepancy
expect_state UCP-10003 verified; expect_state HKRNL-20001 post_created
CERT=$(add_doc HKRNL-20003 discrepancy_certificate)
CERTBODY="{\"fields\":{\"family_id\":null},\"remarks\":\"genuine\",\"document_id\":$CERT}"
POSTBODY='{"employee_ids":["UCP-10003"],"designation":"Staff Nurse","pay_level":6}'

# try TOKEN METHOD PATH BODY STATUS CODE WHAT
try() { areq "$1" "$2" "$3" "$4"; expect_error "$5" "$6" "$7"; }

before=$(dump_db)
# --- wrong role: 403 ---
for t in "$DDO" "$HOD" "$SECY" "$FIN" "$AUD" "$ADMIN"; do
	try "$t" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)" 403 forbidden "staff declares service"
	try "$t" POST /api/v1/cases/UCP-10001/submit "" 403 forbidden "staff submits"
done
for t in "$E2" "$HOD" "$SECY" "$FIN" "$AUD" "$ADMIN"; do
	try "$t" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified"}' 403 forbidden "verify by a non-DDO"
done
for t in "$EH" "$FIN" "$AUD" "$ADMIN"; do
	try "$t" POST /api/v1/cases/HKRNL-20003/certification "$CERTBODY" 403 forbidden "certify by a non-certifier"
done
for t in "$E3" "$DDOH" "$HODH" "$SECY" "$AUD" "$ADMIN"; do
	try "$t" POST /api/v1/posts "$POSTBODY" 403 forbidden "posts by a non-finance"
done
for t in "$EH1" "$DDOH" "$SECY" "$FIN" "$AUD" "$ADMIN"; do
	try "$t" POST /api/v1/cases/HKRNL-20001/approve '{}' 403 forbidden "approve by a non-HoD"
	try "$t" POST /api/v1/cases/HKRNL-20001/reject '{"remarks":"no"}' 403 forbidden "reject by a non-HoD"
done
for t in "$E1" "$DDO" "$HOD" "$FIN" "$AUD"; do
	try "$t" POST /api/v1/admin/deadlines '{"stage":"posts","closes":"2026-06-30 23:59","reason":"x"}' 403 forbidden "extension by a non-admin"
	try "$t" POST /api/v1/admin/export/hkcl '' 403 forbidden "export by a non-admin"
done
# --- out of scope: 404, the answer for no such case ---
try "$E2" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)" 404 not_found "service of a colleague"
try "$E2" POST /api/v1/cases/UCP-10001/submit "" 404 not_found "submit a colleague's case"
try "$E2" GET /api/v1/cases/UCP-10001 "" 404 not_found "read a colleague's case"
try "$DDOH" GET /api/v1/cases/UCP-10001 "" 404 not_found "ddo of another office reads"
try "$DDOH" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified"}' 404 not_found "ddo of another office verifies"
try "$HODH" POST /api/v1/cases/HKRNL-20003/certification "$CERTBODY" 404 not_found "HoD of another department certifies"
try "$DDOH" POST /api/v1/cases/HKRNL-20003/certification "$CERTBODY" 404 not_found "DDO of another office certifies"
try "$HOD" POST /api/v1/cases/HKRNL-20001/approve '{}' 404 not_found "HoD of another department approves"
try "$HOD" POST /api/v1/cases/HKRNL-20001/reject '{"remarks":"no"}' 404 not_found "HoD of another department rejects"
try "$FIN" POST /api/v1/posts '{"employee_ids":["NOPE-1"],"designation":"X","pay_level":1}' 404 not_found "post for no such case"
try "$AUD" GET /api/v1/cases/NOPE-1 "" 404 not_found "no such case"
# --- wrong state: 409 ---
try "$E2" PUT /api/v1/cases/UCP-10002/service "$(svc 2015-07-15)" 409 wrong_state "service of a submitted case"
try "$E2" POST /api/v1/cases/UCP-10002/submit "" 409 wrong_state "submit twice"
try "$DDO" POST /api/v1/cases/UCP-10001/verify '{"decision":"verified"}' 409 wrong_state "verify a draft"
try "$DDO" POST /api/v1/cases/HKRNL-20003/verify '{"decision":"verified"}' 409 wrong_state "verify in discrepancy"
try "$SECY" POST /api/v1/cases/UCP-10002/certification "{\"fields\":{\"mobile\":null},\"remarks\":\"x\",\"document_id\":$CERT}" 409 wrong_state "certify a submitted case"
try "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10002"],"designation":"X","pay_level":1}' 409 wrong_state "post for a submitted case"
try "$FIN" POST /api/v1/posts '{"employee_ids":["HKRNL-20001"],"designation":"X","pay_level":1}' 409 wrong_state "second post"
try "$HODH" POST /api/v1/cases/UCP-10003/approve '{}' 409 wrong_state "approve before the post"
try "$HODH" POST /api/v1/cases/UCP-10003/reject '{"remarks":"x"}' 409 wrong_state "reject an eligible case before its post"
try "$HOD" POST /api/v1/cases/UCP-10002/approve '{}' 409 wrong_state "approve a submitted case"
try "$EH2" POST /api/v1/cases/HKRNL-20002/submit "" 422 validation_failed "submit with no service declared"
# --- malformed or invalid input: 400, nothing changes ---
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[' 400 malformed_json "truncated JSON"
try "$E1" PUT /api/v1/cases/UCP-10001/service '[1]' 400 malformed_json "not an object"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[],"spells":[]}' 400 malformed_json "duplicate key"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[],"salary":1}' 400 invalid_field "unknown field"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[],"dob":"1990-01-01"}' 400 invalid_field "master data is not declared"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[{"from":"2012-02-30","to":null,"kind":"contract"}]}' 400 invalid_field "bad date"
check "names the field" grep -q 'spells\[0\].from' <<<"$BODY"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[{"from":"2012-02-01","to":null,"kind":"casual"}]}' 400 invalid_field "unknown spell kind"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"spells":[{"from":"2012-02-01","to":"2011-01-01","kind":"contract"}]}' 400 invalid_field "spell ending before it starts"
try "$E1" PUT /api/v1/cases/UCP-10001/service '{"part_time":"no"}' 400 invalid_field "wrong type"
try "$E1" POST /api/v1/cases/UCP-10001/submit '{"now":true}' 400 invalid_field "submit with fields"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"maybe"}' 400 invalid_field "unknown decision"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified","grade":"A"}' 400 invalid_field "unknown verify field"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"discrepancy","fields":["salary"]}' 400 invalid_field "unknown discrepancy field"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"discrepancy","fields":[]}' 400 invalid_field "empty discrepancy"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified","service":{"spells":[{"from":"2015-13-01","to":null,"kind":"contract"}]}}' 400 invalid_field "bad date in the verified record"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"returned","remarks":"x","fields":["mobile"]}' 400 invalid_field "fields with returned"
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified","service":{"spells":[]}}' 422 validation_failed "verified record without spells"
try "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10003"],"designation":"Staff Nurse","pay_level":11}' 400 invalid_field "pay level 11"
try "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10003","UCP-10003"],"designation":"Staff Nurse","pay_level":6}' 400 invalid_field "duplicate ids"
try "$FIN" POST /api/v1/posts '{"employee_ids":[],"designation":"Staff Nurse","pay_level":6}' 400 invalid_field "no ids"
try "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10003"],"designation":"Staff Nurse","pay_level":6,"no_equivalent":true}' 400 invalid_field "post and no_equivalent"
try "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10003"],"designation":"Staff Nurse","pay_level":"6"}' 400 invalid_field "pay level as text"
try "$SECY" POST /api/v1/cases/HKRNL-20003/certification '{"fields":{"family_id":null},"remarks":"x","document_id":"1"}' 400 invalid_field "document id as text"
try "$SECY" POST /api/v1/cases/HKRNL-20003/certification "{\"fields\":{\"family_id\":\"ppp-1\"},\"remarks\":\"x\",\"document_id\":$CERT}" 400 invalid_field "bad Family ID"
try "$SECY" POST /api/v1/cases/HKRNL-20003/certification "{\"fields\":{\"family_id\":null},\"document_id\":$CERT}" 400 invalid_field "certification without remarks"
try "$HODH" POST /api/v1/cases/HKRNL-20001/approve '{"remarks":"ok","letter":"x"}' 400 invalid_field "unknown approve field"
try "$HODH" POST /api/v1/cases/HKRNL-20001/reject '{"remarks":7}' 400 invalid_field "remarks not text"
try "$ADMIN" POST /api/v1/admin/deadlines '{"stage":"posts","closes":"2026-02-30 23:59","reason":"x"}' 400 invalid_field "bad deadline date"
try "$ADMIN" POST /api/v1/admin/deadlines '{"stage":"posts","closes":"2026-06-30 23:59","reason":"x","departments":[]}' 400 invalid_field "empty department list"
try "$ADMIN" POST /api/v1/admin/deadlines '{"stage":"posts","closes":"2026-06-30 23:59"}' 400 invalid_field "extension without a reason"
try "$ADMIN" POST /api/v1/admin/deadlines '{"stage":"lunch","closes":"2026-06-30 23:59","reason":"x"}' 400 invalid_field "unknown stage"
try "$ADMIN" POST /api/v1/admin/deadlines '{"stage":"posts","closes":"2026-06-30 23:59","reason":"x","departments":["NOPE"]}' 400 invalid_field "unknown department"
try "$DDO" GET "/api/v1/cases?state=limbo" "" 400 invalid_field "unknown state filter"
try "$DDO" GET "/api/v1/cases?page=0" "" 400 invalid_field "page 0"
try "$DDO" GET "/api/v1/cases?overdue=maybe" "" 400 invalid_field "overdue not boolean"
after=$(dump_db)
check "refused requests changed nothing" test "$before" = "$after"

# --- the last open minute, then each window closed: 423 naming the deadline ---
stop_server
export SURAKSHA_FAKE_NOW=$T_LAST_REG
start_server
E1=$(otp_login UCP-10001 PPP10001A)
areq "$E1" POST /api/v1/cases/UCP-10001/submit
expect_status 200 "submit in the last open minute (23:59 IST)"
stop_server
db "UPDATE cases SET state = 'draft', stage = 'registration' WHERE employee_id = 'UCP-10001'"
export SURAKSHA_FAKE_NOW=$T_AFTER_REG
start_server
E1=$(otp_login UCP-10001 PPP10001A)
try "$E1" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)" 423 window_closed "service after registration closed"
check "names the deadline in IST" grep -q '2026-01-31 23:59 IST' <<<"$BODY"
try "$E1" POST /api/v1/cases/UCP-10001/submit "" 423 window_closed "submit after registration closed"
stop_server
export SURAKSHA_FAKE_NOW=$T_AFTER_VER
start_server
login_staff
try "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified"}' 423 window_closed "verify after the window"
check "names the verification deadline" grep -q '2026-02-28 23:59 IST' <<<"$BODY"
try "$SECY" POST /api/v1/cases/HKRNL-20003/certification "$CERTBODY" 423 window_closed "certify after the window"
# Overdue, per officer: the DDO's are the cases waiting for verification in the office.
areq "$DDO" GET "/api/v1/cases?overdue=true"
expect_status 200 "overdue listing"
expect_json '.total == 2 and ([.items[].employee_id] | sort) == ["HKRNL-20003","UCP-10002"] and all(.items[]; .overdue and .stage == "verification")' "ddo's overdue cases"
areq "$DDOH" GET "/api/v1/cases?overdue=1"
expect_json '.total == 0' "health ddo has none overdue (verified already)"
areq "$ADMIN" GET "/api/v1/dashboard"
expect_json '.overdue == 5 and .overdue_by_department.PWD == 4 and .overdue_by_department.HLT == 1' "overdue counts (drafts past registration too)"
# An admin extends verification for PWD alone: the DDO can act again, health cannot.
areq "$ADMIN" POST /api/v1/admin/deadlines '{"stage":"verification","closes":"2026-03-15 23:59","reason":"flood relief work","departments":["PWD"]}'
expect_status 201 "extend verification for PWD"
expect_json '(.extensions | length) == 1 and .extensions[0].department == "PWD" and .extensions[0].by == "admin"' "extension listed"
check "extension audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'deadline.extend' AND object = 'deadline:verification:PWD'")" = 1
areq "$DDO" GET "/api/v1/cases?overdue=true"
expect_json '.total == 0' "no longer overdue"
areq "$DDO" GET /api/v1/cases/UCP-10002
expect_json '.due == "2026-03-16T00:00:00+05:30" and (.deadlines[1] | .extended and .open)' "case shows the new window"
areq "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified"}'
expect_status 200 "verify within the extension"
stop_server
export SURAKSHA_FAKE_NOW=$T_AFTER_POSTS
start_server
login_staff
try "$FIN" POST /api/v1/posts "$POSTBODY" 423 window_closed "post after the window"
check "names the posts deadline" grep -q '2026-03-31 23:59 IST' <<<"$BODY"
areq "$FIN" GET "/api/v1/cases?overdue=true"
expect_json '([.items[].employee_id] | sort) == ["UCP-10002","UCP-10003"] and all(.items[]; .stage == "posts")' "finance's overdue cases"
areq "$FIN" GET "/api/v1/cases?overdue=true&format=csv"
check "overdue csv" test "$(printf '%s' "$BODY" | grep -c ',yes,')" = 2
# The CLI extends posts for all departments (audited as cli).
stop_server
"$BIN" cases extend --data "$DATA" --stage posts --closes '2026-04-10 23:59' --reason 'budget session' >"$T/ext.out" 2>&1
check "cli extension" grep -q 'now closes at 2026-04-10 23:59 IST for all departments' "$T/ext.out"
"$BIN" cases extend --data "$DATA" --stage nope --closes '2026-04-10 23:59' --reason x >/dev/null 2>&1
check "cli refuses a bad stage" test $? = 2
"$BIN" cases deadlines --data "$DATA" >"$T/dl.json"
check "cli lists deadlines" jq -e '.stages[2].departments.HLT.closes == "2026-04-10T23:59:00+05:30"' "$T/dl.json"
start_server
login_staff
areq "$FIN" POST /api/v1/posts "$POSTBODY"
expect_status 201 "post within the extension"
stop_server
export SURAKSHA_FAKE_NOW=$T_AFTER_APPR
start_server
login_staff
try "$HODH" POST /api/v1/cases/HKRNL-20001/approve '{}' 423 window_closed "approve after the window"
check "names the approval deadline" grep -q '2026-04-30 23:59 IST' <<<"$BODY"
try "$HODH" POST /api/v1/cases/HKRNL-20001/reject '{"remarks":"late"}' 423 window_closed "reject after the window"
areq "$HODH" GET "/api/v1/cases?overdue=true"
expect_json '([.items[].employee_id] | sort) == ["HKRNL-20001","UCP-10003"]' "HoD's overdue cases"
"$BIN" cases overdue --data "$DATA" --stage approval >"$T/od.csv"
check "cli overdue listing" test "$(grep -c ',approval,' "$T/od.csv")" = 2
stop_server
finish
