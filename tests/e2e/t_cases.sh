#!/usr/bin/env bash
# Cases through the real server: draft to approved for each engagement mode, returned and
# resubmitted, a DDO-corrected record found ineligible and rejected with reasons, a
# discrepancy certified (the employee record corrected, audited), waiting for an
# equivalent post, listings, CSV and dashboard counts in scope.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
# The portal's keys and certificates are made at the test's clock too.
export SURAKSHA_FAKE_NOW=$T_OPEN
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
login_staff
E1=$(otp_login UCP-10001 PPP10001A)     # direct, PWD-AMB-01
E2=$(otp_login UCP-10002 PPP10002B)     # direct, PWD-AMB-01
EH=$(otp_login HKRNL-20003 PPP20003G)   # hkrnl, PWD-AMB-01
E3=$(otp_login UCP-10003 PPP10003C)     # direct, HLT-KKR-01
EH1=$(otp_login HKRNL-20001 PPP20001E)  # hkrnl, HLT-KKR-01

# A case exists for every imported employee, as a draft with the registration window.
areq "$E1" GET /api/v1/cases/UCP-10001
expect_status 200 "employee reads own case"
expect_json '.state == "draft" and .stage == "registration" and .employee.employee_id == "UCP-10001"
  and .overdue == false and (.deadlines | length == 4) and .deadlines[0].open == true
  and .deadlines[0].closes == "2026-01-31T23:59:00+05:30" and .outcome == null
  and (.missing_documents | length == 5)' "fresh case"

# --- direct engagement: draft -> submitted -> verified -> post_created -> approved ---
areq "$E1" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)"
expect_status 200 "declare service"
expect_json '.state == "draft" and .outcome.outcome == "eligible" and .outcome_basis == "declared"
  and .outcome.qualifying_years == 12 and .declared.spells[0].from == "2012-04-01"' "declared outcome"
areq "$E1" POST /api/v1/cases/UCP-10001/submit
expect_error 422 validation_failed "submit without documents"
check "names the missing kinds" grep -q salary_proof <<<"$BODY"
expect_state UCP-10001 draft
add_docs UCP-10001
areq "$E1" POST /api/v1/cases/UCP-10001/submit
expect_status 200 "submit"
expect_json '.state == "submitted" and .stage == "verification" and (.missing_documents | length == 0)
  and (.history | map(.action) | index("case.submit") != null)' "submitted"
areq "$DDO" POST /api/v1/cases/UCP-10001/verify '{"decision":"verified","remarks":"checked against the e-Salary record"}'
expect_status 200 "verify"
expect_json '.state == "verified" and .stage == "posts" and .outcome_basis == "verified"
  and .verified_by == "ddo.pwd.amb" and .outcome.outcome == "eligible"' "verified"
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10001"],"designation":"Clerk","pay_level":2}'
expect_status 201 "create post"
expect_json '.posts[0].employee_id == "UCP-10001" and .posts[0].effective_date == "2024-08-16"
  and .posts[0].department_code == "PWD"' "post"
areq "$E1" GET /api/v1/cases/UCP-10001
expect_json '.state == "post_created" and .stage == "approval" and .post.pay_level == 2
  and .outcome.entry_pay == 19900 and .outcome.band_percent == 15 and .outcome.consolidated == 22900' "pay at the post's level"
areq "$HOD" POST /api/v1/cases/UCP-10001/approve '{"remarks":"approved"}'
expect_status 200 "approve"
expect_json '.state == "approved" and (.letter_ref | test("^HR/SOS/PWD/20[0-9]{2}/[0-9]{6}$"))' "approved with its signed letter"
areq "$E1" GET /api/v1/cases/UCP-10001
expect_json '.state == "approved" and .stage == null and .decision.by == "hod.pwd"
  and ([.history[].to] == ["draft","submitted","verified","post_created","approved"])' "history"
check "audit has every step" test "$(db "SELECT group_concat(action, ' ') FROM (SELECT action FROM audit WHERE case_id = 'UCP-10001' AND action LIKE 'case.%' ORDER BY id)")" = "case.service case.submit case.verify case.post case.approve"

# --- hkrnl engagement: needs the deployment letter too ---
areq "$EH" PUT /api/v1/cases/HKRNL-20003/service "$(svc 2013-10-01 hkrnl)"
expect_status 200 "hkrnl declares"
add_docs HKRNL-20003
areq "$EH" POST /api/v1/cases/HKRNL-20003/submit
expect_error 422 validation_failed "hkrnl without the deployment letter"
check "names the letter" grep -q hkrnl_deployment_letter <<<"$BODY"
add_doc HKRNL-20003 hkrnl_deployment_letter >/dev/null
areq "$EH" POST /api/v1/cases/HKRNL-20003/submit
expect_status 200 "hkrnl submits"
areq "$DDO" POST /api/v1/cases/HKRNL-20003/verify '{"decision":"verified"}'
expect_status 200 "hkrnl verified"
areq "$FIN" POST /api/v1/posts '{"employee_ids":["HKRNL-20003"],"designation":"Computer Operator","pay_level":3}'
expect_status 201 "hkrnl post"
areq "$HOD" POST /api/v1/cases/HKRNL-20003/approve
expect_status 200 "hkrnl approved (no body)"
expect_state HKRNL-20003 approved

# --- returned, edited, resubmitted; the DDO corrects the record: ineligible; rejected ---
areq "$E2" PUT /api/v1/cases/UCP-10002/service "$(svc 2015-07-15)"
add_docs UCP-10002
areq "$E2" POST /api/v1/cases/UCP-10002/submit
expect_status 200 "submit to be returned"
areq "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"returned"}'
expect_error 400 invalid_field "return without remarks"
areq "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"returned","remarks":"add the 2015 engagement order"}'
expect_status 200 "returned"
expect_json '.state == "returned" and .remarks == "add the 2015 engagement order" and .stage == "verification"' "returned case"
areq "$E2" GET /api/v1/cases/UCP-10002
expect_json '.remarks == "add the 2015 engagement order"' "employee sees the remarks"
areq "$E2" PUT /api/v1/cases/UCP-10002/service "$(svc 2015-08-01)"
expect_status 200 "edit after return"
areq "$E2" POST /api/v1/cases/UCP-10002/submit
expect_status 200 "resubmit"
expect_state UCP-10002 submitted
areq "$DDO" POST /api/v1/cases/UCP-10002/verify "{\"decision\":\"verified\",\"remarks\":\"engagement in 2021 per the order\",\"service\":$(svc 2021-01-01)}"
expect_status 200 "verify a corrected record"
expect_json '.state == "verified" and .outcome.outcome == "ineligible" and .outcome.reasons == ["insufficient_service"]
  and .stage == "approval" and .verified.spells[0].from == "2021-01-01" and .declared.spells[0].from == "2015-08-01"' "ineligible goes to the HoD"
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10002"],"designation":"Driver","pay_level":2}'
expect_error 409 wrong_state "no post for an ineligible case"
areq "$HOD" POST /api/v1/cases/UCP-10002/approve
expect_error 409 wrong_state "approve an ineligible case"
areq "$HOD" POST /api/v1/cases/UCP-10002/reject
expect_error 400 invalid_field "reject without reasons"
areq "$HOD" POST /api/v1/cases/UCP-10002/reject '{"remarks":"less than five qualifying years (insufficient_service)"}'
expect_status 200 "reasoned rejection"
expect_json '.state == "rejected" and .decision.remarks != null' "rejected"

# --- discrepancy: certified by the HoD, mobile corrected, then verified ---
areq "$E3" PUT /api/v1/cases/UCP-10003/service "$(svc 2019-08-15)"
add_docs UCP-10003
areq "$E3" POST /api/v1/cases/UCP-10003/submit
expect_status 200 "submit (health)"
areq "$DDOH" POST /api/v1/cases/UCP-10003/verify '{"decision":"discrepancy","remarks":"OTP went to a wrong number","fields":["mobile","head_of_account"]}'
expect_status 200 "discrepancy"
expect_json '.state == "discrepancy" and .discrepancy_fields == ["mobile","head_of_account"]' "discrepancy fields"
DOC_OTHER=$(add_doc UCP-10003 other)
DOC_CERT=$(add_doc UCP-10003 discrepancy_certificate)
DOC_ELSE=$(add_doc UCP-10001 discrepancy_certificate)
areq "$HODH" POST /api/v1/cases/UCP-10003/certification "{\"fields\":{\"mobile\":\"+919876500003\",\"head_of_account\":null},\"remarks\":\"genuine contract\",\"document_id\":$DOC_OTHER}"
expect_error 422 validation_failed "certificate of the wrong kind"
areq "$HODH" POST /api/v1/cases/UCP-10003/certification "{\"fields\":{\"mobile\":\"+919876500003\",\"head_of_account\":null},\"remarks\":\"genuine contract\",\"document_id\":$DOC_ELSE}"
expect_error 422 validation_failed "another employee's certificate"
areq "$HODH" POST /api/v1/cases/UCP-10003/certification "{\"fields\":{\"mobile\":\"+919876500003\"},\"remarks\":\"genuine contract\",\"document_id\":$DOC_CERT}"
expect_error 422 validation_failed "certification missing a flagged field"
areq "$HODH" POST /api/v1/cases/UCP-10003/certification "{\"fields\":{\"mobile\":\"12345\",\"head_of_account\":null},\"remarks\":\"x\",\"document_id\":$DOC_CERT}"
expect_error 400 invalid_field "bad corrected mobile"
expect_state UCP-10003 discrepancy
areq "$HODH" POST /api/v1/cases/UCP-10003/certification "{\"fields\":{\"mobile\":\"+919876500003\",\"head_of_account\":null},\"remarks\":\"contract genuine; salary under 2210-01-110-99-51-69\",\"document_id\":$DOC_CERT}"
expect_status 201 "certified by the HoD"
expect_json '.state == "certified" and .certifications[0].issuer == "hod.hlt" and .certifications[0].role == "hod"
  and .certifications[0].document_id == '"$DOC_CERT"' and .employee.mobile == "9876500003"' "certification"
check "employee record corrected and audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'employee.correct' AND case_id = 'UCP-10003' AND after LIKE '%9876500003%'")" = 1
areq "$DDOH" POST /api/v1/cases/UCP-10003/verify '{"decision":"verified"}'
expect_status 200 "verify after certification"
expect_json '.state == "verified" and .outcome.qualifying_years == 5' "exactly five years"

# --- waiting for an equivalent post, then the post, then approval ---
areq "$EH1" PUT /api/v1/cases/HKRNL-20001/service "$(svc 2016-02-01 hkrnl)"
add_docs HKRNL-20001 hkrnl_deployment_letter
areq "$EH1" POST /api/v1/cases/HKRNL-20001/submit
areq "$DDOH" POST /api/v1/cases/HKRNL-20001/verify '{"decision":"verified"}'
expect_status 200 "verified (lab attendant)"
areq "$FIN" POST /api/v1/posts '{"employee_ids":["HKRNL-20001","UCP-10003"],"no_equivalent":true,"remarks":"no corresponding post in the cadre"}'
expect_status 201 "no equivalent post (bulk)"
expect_json '.waiting == ["HKRNL-20001","UCP-10003"]' "waiting list"
expect_state HKRNL-20001 waiting_equivalent_post
areq "$FIN" POST /api/v1/posts '{"employee_ids":["HKRNL-20001","UCP-10001"],"designation":"Lab Attendant","pay_level":1}'
expect_error 409 wrong_state "bulk is all or nothing (one approved already)"
check "names the failing case" grep -q UCP-10001 <<<"$BODY"
expect_state HKRNL-20001 waiting_equivalent_post
areq "$FIN" POST /api/v1/posts '{"employee_ids":["HKRNL-20001","UCP-10003"],"designation":"Lab Attendant","pay_level":1}'
expect_status 201 "equivalent post determined (bulk)"
expect_json '(.posts | length) == 2' "two posts"
areq "$HODH" POST /api/v1/cases/HKRNL-20001/approve '{"remarks":"ok"}'
expect_status 200 "approve after waiting"

# --- listings, CSV and counts, in scope ---
areq "$DDO" GET "/api/v1/cases?per_page=2"
expect_status 200 "ddo lists"
expect_json '.total == 3 and (.items | length) == 2 and .page == 1 and ([.items[].office_code] | unique) == ["PWD-AMB-01"]' "ddo's office only"
areq "$DDO" GET "/api/v1/cases?per_page=2&page=2"
expect_json '(.items | length) == 1 and .items[0].employee_id == "UCP-10002"' "page 2"
areq "$HOD" GET "/api/v1/cases?state=approved"
expect_json '.total == 2 and ([.items[].employee_id] == ["HKRNL-20003","UCP-10001"])' "hod filter by state"
areq "$HODH" GET "/api/v1/cases?office=HLT-KKR-01"
expect_json '.total == 2' "hod of health by office"
areq "$HODH" GET "/api/v1/cases?department=PWD"
expect_json '.total == 0' "department filter cannot widen scope"
areq "$AUD" GET "/api/v1/cases"
expect_json '.total == 7' "auditor sees all"
areq "$FIN" GET "/api/v1/dashboard"
expect_status 200 "dashboard"
expect_json '.total == 7 and .by_state.approved == 3 and .by_state.rejected == 1 and .by_state.draft == 2
  and .by_state.post_created == 1 and .by_department.PWD.approved == 2 and .by_office["HLT-KKR-01"].approved == 1' "counts"
areq "$DDOH" GET "/api/v1/dashboard"
expect_json '.total == 2 and (.by_department | keys) == ["HLT"]' "counts in scope"
areq "$E1" GET "/api/v1/dashboard"
expect_error 403 forbidden "employee has no dashboard"
areq "$E1" GET "/api/v1/cases"
expect_error 403 forbidden "employee has no listing"
db "UPDATE employees SET name = '=HYPERLINK(\"http://x\")' WHERE id = 'UCP-10002'"
areq "$HOD" GET "/api/v1/cases?format=csv"
expect_status 200 "csv"
check "csv content type" grep -qi 'content-type: text/csv' <<<"$HEADERS"
check "csv header" grep -q '^employee_id,name,department_code' <<<"$BODY"
check "csv rows" test "$(printf '%s' "$BODY" | grep -c 'PWD')" = 4
check "formula cell neutralised" grep -q "\"'=HYPERLINK(\"\"http://x\"\")\"" <<<"$BODY"

stop_server

# An employee imported later gets a draft case at once, with its window's due time.
{ head -1 "$ROOT/docs/demo/treasury.csv"
  echo 'UCP-10099,New Person,Some One,1990-01-01,M,9812345699,PPP10099Z,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,20000,2020-01-01'; } >"$T/new.csv"
"$BIN" import --data "$DATA" --source treasury "$T/new.csv" >/dev/null
check "case made at import" test "$(state_of UCP-10099)" = draft
check "with the department's registration due time" test "$(db "SELECT due_at FROM cases WHERE employee_id = 'UCP-10099'")" = "$(db "SELECT due_at FROM cases WHERE employee_id = 'UCP-10004'")"
finish
