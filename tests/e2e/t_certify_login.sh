#!/usr/bin/env bash
# Issue 14: employees the feeds got wrong, certified by their office before they can log
# in. Through the real server: a feed with a wrong mobile, a duplicated mobile, a head of
# account that is not contractual, a Family ID the other feed disagrees with and an
# unknown office; the employees exist with their flags; the one with the wrong mobile is
# told plainly (no code, no number); a certifier out of scope gets 404; the DDO certifies
# a corrected mobile with a certificate; the next OTP goes to the new number and the
# employee logs in; the dashboard counts change; every step is in the audit log.
. "$(dirname "$0")/lib.sh"
init_demo
C=$ROOT/tests/corpus
db() { sqlite3 "$DATA/suraksha.db" "$@"; }
imp() { "$BIN" import --data "$DATA" "$@" >"$T/out" 2>"$T/err"; RC=$?; }
H=employee_id,name,father_name,dob,gender,mobile,family_id,department_code,office_code,designation,pay_level,engagement_mode,head_of_account,monthly_remuneration,joining_date
{
	echo "$H"
	echo "W-1,Wrong Mobile,Father A,1985-01-01,F,5876543210,WRNG0001,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01"
	echo "W-2,Same Mobile,Father B,1986-01-01,M,9812345601,WRNG0002,PWD,PWD-AMB-01,Driver,2,direct,2059-80-001-97-51-69,22000,2014-04-01"
	echo "W-3,Other Head,Father C,1987-01-01,F,9812399003,WRNG0003,PWD,PWD-AMB-01,Peon,1,direct,2059-80-001-97-51-01,15000,2016-04-01"
	echo "W-4,Two Families,Father D,1988-01-01,M,9812399004,WRNG0004,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2013-04-01"
	echo "W-5,No Office,Father E,1989-01-01,F,9812399005,WRNG0005,PWD,PWD-NEW-09,Clerk,2,direct,2059-80-001-97-51-69,24000,2013-04-01"
} >"$T/treasury.csv"
imp --source treasury "$T/treasury.csv"
check "import exits 1 (a row held)" test $RC -eq 1
check "wrong mobile kept, flagged" grep -q "employee W-1: added; flagged: mobile '5876543210': not valid" "$T/out"
check "other head kept, flagged" grep -q "employee W-3: added; flagged: head_of_account" "$T/out"
check "unknown office held" grep -q "employee W-5: held" "$T/out"
check "shared mobile flagged on both" test "$(db "SELECT group_concat(employee_id) FROM (SELECT employee_id FROM employee_flags WHERE reason = 'shared' AND closed_at IS NULL ORDER BY 1)")" = "UCP-10001,W-2"
printf '%s\n%s\n' "$H" "W-4,Two Families,Father D,1988-01-01,M,9812399044,WRNG0044,PWD,PWD-AMB-01,Clerk,2,hkrnl,2059-80-001-97-51-69,24000,2013-04-01" >"$T/hkrnl.csv"
imp --source hkrnl "$T/hkrnl.csv"
check "feeds disagree on the Family ID" grep -q "employee W-4: updated; flagged: .*family_id 'WRNG0044': the other feed says otherwise" "$T/out"
check "and on the mobile" grep -q "employee W-4: updated; flagged: mobile '9812399044'" "$T/out"

# Back-to-back requests for one employee: no resend wait in this test.
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
DDO=$(login ddo.pwd.amb); DDOH=$(login ddo.hlt.kkr); HODH=$(login hod.hlt); SECY=$(login secy.pwd)
HOD=$(login hod.pwd)

# The office sees every flagged particular with both feeds' values, before any login.
areq "$DDO" GET /api/v1/employees/W-1
expect_status 200 "DDO opens an employee who never logged in"
expect_json '.can_log_in == false and .mobile == "" and (.discrepancies | length == 1) and .discrepancies[0].particular == "mobile" and .discrepancies[0].reason == "invalid" and .discrepancies[0].values.treasury == "5876543210" and .discrepancies[0].blocks_login and (.discrepancies[0].certified | not)' "W-1 flags"
areq "$SECY" GET /api/v1/employees/W-4
expect_json '[.discrepancies[] | select(.particular == "family_id" and .reason == "feeds_differ") | .values] == [{"recorded": "WRNG0044", "hkrnl": "WRNG0044", "treasury": "WRNG0004"}]' "both feeds' Family IDs"
areq "$HOD" GET /api/v1/employees/W-3
expect_json '.can_log_in == true and .discrepancies[0].reason == "not_contractual" and (.discrepancies[0].blocks_login | not)' "a head of account does not stop the login"
areq "$DDOH" GET /api/v1/employees/W-1
expect_error 404 not_found "DDO of another office"

# Who is stuck, before.
areq "$DDO" GET /api/v1/dashboard/stuck
expect_status 200 "stuck dashboard"
STUCK0=$(jq .total <<<"$BODY")
expect_json '.total >= 3 and .by_reason.mobile_invalid == 1 and .by_office["PWD-AMB-01"] >= 3 and .certified_this_week == 0' "stuck counts"
areq "$DDOH" GET /api/v1/dashboard/stuck
expect_json '.total == 0' "another office sees none of them"
areq "$DDO" GET "/api/v1/dashboard/stuck?format=csv"
expect_status 200 "stuck CSV"
check "CSV names W-1 with its reason" grep -q '^W-1,.*mobile_invalid' "$T/body"

# Login that explains: the pair is known, no code, the office named, no number shown.
sms_count() { if [ -f "$DATA/outbox/sms.jsonl" ]; then wc -l <"$DATA/outbox/sms.jsonl"; else echo 0; fi; }
n_sms=$(sms_count)
req POST /api/v1/otp/request '{"employee_id":"W-1","family_id":"WRNG0001"}'
expect_error 403 particulars_not_certified "wrong mobile: told to see the office"
expect_json '.error.office.ddo_code == "DDO-PWD-0101" and (.error.message | test("DDO-PWD-0101")) and (.error.message | test("Ambala"))' "office and DDO code named"
check "the number on record is not shown" sh -c "! grep -q '3210' '$T/body'"
check "no code sent" test "$(sms_count)" = "$n_sms"
req POST /api/v1/otp/request '{"employee_id":"W-1","family_id":"NOTMINE1"}'
expect_status 202 "a pair that is not known answers as before"
req POST /api/v1/otp/request '{"employee_id":"W-2","family_id":"WRNG0002"}'
expect_error 403 particulars_not_certified "shared mobile: told to see the office"
req POST /api/v1/otp/request '{"employee_id":"W-4","family_id":"WRNG0044"}'
expect_error 403 particulars_not_certified "either feed's Family ID is a known pair while flagged"
req POST /login/employee "" --data-urlencode employee_id=W-1 --data-urlencode family_id=WRNG0001
check "sign-in page says the office must certify" sh -c "test '$STATUS' = 403 && grep -q 'DDO-PWD-0101' '$T/body' && grep -q 'certify' '$T/body'"
req POST /login/employee "" --data-urlencode employee_id=W-1 --data-urlencode family_id=WRNG0001 -b lang=hi
check "the same in Hindi" sh -c "test '$STATUS' = 403 && grep -q 'DDO-PWD-0101' '$T/body' && grep -q 'प्रमाणित' '$T/body'"

# Certification: out of scope is 404; the form is checked; then the DDO certifies.
cert() { # cert TOKEN EMPLOYEE FIELDS [FILE] [REMARKS]
	req POST "/api/v1/employees/$2/certification" "" -H "Authorization: Bearer $1" \
	    --form-string "fields=$3" --form-string "remarks=${5-Mobile verified with the employee in person}" \
	    -F "file=@${4:-$C/pdf_simple.pdf}"
}
before=$(db "SELECT count(*) FROM certifications; SELECT mobile FROM employees WHERE id = 'W-1'")
cert "$DDOH" W-1 '{"mobile":"9812399001"}'
expect_error 404 not_found "a DDO of another office certifies"
cert "$HODH" W-1 '{"mobile":"9812399001"}'
expect_error 404 not_found "a HoD of another department certifies"
cert "$DDO" W-1 '{"mobile":null}'
expect_error 422 validation_failed "an invalid mobile certified as recorded"
cert "$DDO" W-1 '{"head_of_account":null}'
expect_error 422 validation_failed "the flagged mobile left out"
cert "$DDO" W-1 '{"mobile":"12345"}'
expect_error 400 invalid_field "a corrected mobile that is not one"
cert "$DDO" W-1 '{"mobile":"9812399001","contractual_engagement":false}'
expect_error 400 invalid_field "contractual engagement denied"
cert "$DDO" W-1 '{"mobile":"9812399001"}' "$C/pdf_simple.pdf" ""
expect_error 400 invalid_field "no remarks"
cert "$DDO" W-1 '{"mobile":"9812399001"}' "$C/pdf_javascript_names.pdf"
check "a hostile certificate is refused by intake" test "$STATUS" = 422
check "refusals changed nothing" test "$before" = "$(db "SELECT count(*) FROM certifications; SELECT mobile FROM employees WHERE id = 'W-1'")"
cert "$DDO" W-1 '{"mobile":"9812399001","engagement_mode":null,"head_of_account":null,"contractual_engagement":true}'
expect_status 200 "the DDO certifies a corrected mobile"
expect_json '.can_log_in and .mobile == "9812399001" and .discrepancies[0].certified and .certification_id > 0 and .document.id > 0' "certified"
check "the certificate is the employee's discrepancy_certificate" test "$(db "SELECT kind FROM documents WHERE employee_id = 'W-1'")" = discrepancy_certificate
check "the case keeps its state" test "$(db "SELECT state FROM cases WHERE employee_id = 'W-1'")" = draft

# The next OTP goes to the new number and the employee logs in.
TOK=$(otp_login W-1 WRNG0001)
check "the code went to the corrected number" test "$(tail -n 1 "$DATA/outbox/sms.jsonl" | jq -r .mobile)" = 9812399001
req GET /api/v1/me "" -H "Authorization: Bearer $TOK"
expect_json '.role == "employee" and .employee_id == "W-1"' "the employee is logged in"

# A shared mobile certified as recorded; the HoD certifies for the department.
cert "$HOD" W-2 '{"mobile":null}' "" "Two employees of one family share this phone"
expect_status 200 "shared mobile certified as recorded"
expect_json '.can_log_in' "W-2 can log in"

# Who is stuck, after.
areq "$DDO" GET /api/v1/dashboard/stuck
expect_json ".total == $((STUCK0 - 2)) and .certified_this_week == 2 and (.by_reason.mobile_invalid // 0) == 0" "stuck counts after"

# The next feed still says the wrong number: the certified one stands, no new flag.
imp --source treasury "$T/treasury.csv"
check "certified mobile stands over the feed" test "$(db "SELECT mobile FROM employees WHERE id = 'W-1'")" = 9812399001
check "no new flag for W-1" test "$(db "SELECT count(*) FROM employee_flags WHERE employee_id = 'W-1' AND closed_at IS NULL")" = 0

# The pages, in both languages: the dashboard and the certification form in the browser.
P=$T/pjar
req POST /login/staff "" -b "$P" -c "$P" --data-urlencode username=ddo.pwd.amb --data-urlencode password=suraksha-demo
expect_status 303 "DDO signs in"
req GET /home "" -b "$P"
check "menu links the dashboard" grep -q 'href="/stuck"' "$T/body"
PCSRF=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$T/body" | head -1 | sed 's/.*value="//;s/"//')
req GET /stuck "" -b "$P"
check "stuck page lists W-4 with its reason" sh -c "test '$STATUS' = 200 && grep -q '/employees/W-4' '$T/body' && grep -q 'the feeds disagree on the Family ID' '$T/body'"
req GET /stuck "" -b "$P" -b lang=hi
check "stuck page in Hindi" sh -c "test '$STATUS' = 200 && grep -q 'फ़ीड में परिवार आईडी अलग' '$T/body'"
req GET /employees/W-4 "" -b "$P"
check "employee page: both feeds' values and the form" sh -c "test '$STATUS' = 200 && grep -q 'WRNG0044' '$T/body' && grep -q 'WRNG0004' '$T/body' && grep -q 'id=\"employee-certify-form\"' '$T/body'"
req GET /employees/W-4 "" -b "$P" -b lang=hi
check "employee page in Hindi" sh -c "test '$STATUS' = 200 && grep -q 'HKRNL और कोषागार में अंतर' '$T/body'"
check "a row per flagged particular, no JSON to type" sh -c "grep -q 'name=\"do_family_id\"' '$T/body' && grep -q 'name=\"do_mobile\"' '$T/body' && grep -q 'name=\"val_family_id\"' '$T/body' && ! grep -q 'name=\"fields\"' '$T/body'"
check "each row with both feeds' values" sh -c "grep -q '9812399044' '$T/body' && grep -q '9812399004' '$T/body'"
req POST /employees/W-4/certify "" -b "$P" -F "csrf=$PCSRF" -F do_mobile=as -F contractual=1 \
	-F remarks=checked -F "file=@$C/pdf_simple.pdf"
check "page form: a flagged particular left out, said in the page" sh -c "test '$STATUS' = 422 && grep -q 'class=\"notice error\"' '$T/body' && grep -q 'Confirm as recorded&quot; or &quot;Correct it' '$T/body'"
before=$(db "SELECT count(*) FROM certifications; SELECT count(*) FROM documents WHERE employee_id = 'W-4'; SELECT mobile || family_id FROM employees WHERE id = 'W-4'")
req POST /employees/W-4/certify "" -b "$P" -b lang=hi -F "csrf=$PCSRF" -F do_mobile=fix -F val_mobile=12345 \
	-F do_family_id=fix -F val_family_id=WRNG0004 -F contractual=1 -F "remarks=seen the papers" -F "file=@$C/pdf_simple.pdf"
check "a bad corrected mobile, refused in plain Hindi" sh -c "test '$STATUS' = 400 && grep -q 'मोबाइल नंबर: सुधरा हुआ मान मान्य नहीं है' '$T/body' && ! grep -q 'fields\.mobile' '$T/body'"
check "what was typed is kept" sh -c "grep -q 'id=\"ec-val-mobile\" name=\"val_mobile\" maxlength=\"40\" value=\"12345\"' '$T/body' && grep -q 'id=\"ec-fix-mobile\" name=\"do_mobile\" value=\"fix\" checked' '$T/body' && grep -q 'value=\"WRNG0004\"' '$T/body' && grep -q '>seen the papers</textarea>' '$T/body' && grep -q 'name=\"contractual\" value=\"1\" checked' '$T/body'"
req POST /employees/W-4/certify "" -b "$P" -F "csrf=$PCSRF" -F do_mobile=fix -F val_mobile=12345 \
	-F do_family_id=fix -F val_family_id=WRNG0004 -F contractual=1 -F "remarks=seen the papers" -F "file=@$C/pdf_simple.pdf"
check "and in plain English" sh -c "test '$STATUS' = 400 && grep -q 'Mobile number: the corrected value is not valid' '$T/body'"
check "the refusals changed nothing" test "$before" = "$(db "SELECT count(*) FROM certifications; SELECT count(*) FROM documents WHERE employee_id = 'W-4'; SELECT mobile || family_id FROM employees WHERE id = 'W-4'")"
req POST /employees/W-4/certify "" -b "$P" -F "csrf=nope" -F do_mobile=as -F do_family_id=fix -F val_family_id=WRNG0004 \
	-F remarks=checked -F "file=@$C/pdf_simple.pdf"
expect_status 403 "page form with a wrong csrf"
# confirm the mobile as recorded, correct the Family ID
req POST /employees/W-4/certify "" -b "$P" -F "csrf=$PCSRF" -F do_mobile=as -F do_family_id=fix -F val_family_id=WRNG0004 \
	-F contractual=1 -F remarks=checked -F "file=@$C/pdf_simple.pdf"
expect_status 303 "certified through the page"
check "back to the employee" test "$(grep -i '^location:' <<<"$HEADERS" | tr -d '\r' | cut -d' ' -f2)" = "/employees/W-4?done=certified"
req GET /employees/W-4 "" -b "$P"
check "W-4 can log in now" grep -q 'Can log in' "$T/body"
check "the fields built by the server" test "$(db "SELECT fields FROM certifications WHERE employee_id = 'W-4'")" = '{"contractual_engagement":true,"family_id":"WRNG0004","mobile":null}'
check "W-4 logs in with the certified Family ID" test "$(otp_login W-4 WRNG0004)" != null
req POST /api/v1/otp/request '{"employee_id":"W-4","family_id":"WRNG0044"}'
expect_status 202 "the other feed's Family ID is no longer a known pair"

# Overdue: a flag older than stuck_overdue_days (15) counts as overdue and goes to HKCL.
db "UPDATE employee_flags SET since = since - 20 * 86400 WHERE employee_id = 'UCP-10001' AND closed_at IS NULL"
areq "$DDO" GET /api/v1/dashboard/stuck
expect_json '.overdue == 1 and ([.items[] | select(.overdue) | .employee_id] == ["UCP-10001"]) and .by_age.over_30_days == 0 and .by_age["7_to_30_days"] == 1' "overdue counted"
"$BIN" export hkcl --data "$DATA" "$T/hkcl" >"$T/export.out" 2>&1
check "export names the overdue count" grep -q "1 employees waiting past 15 days" "$T/export.out"
check "overdue stuck employees in the HKCL export" sh -c "grep -q '^UCP-10001,.*mobile_shared' '$T/hkcl/hkcl_stuck_overdue.csv' && test \$(wc -l <'$T/hkcl/hkcl_stuck_overdue.csv') = 2"
check "the manifest covers it" sh -c "cd '$T/hkcl' && grep -q hkcl_stuck_overdue.csv MANIFEST.sha256 && sha256sum -c MANIFEST.sha256 >/dev/null"
check "the manifest signature holds" openssl cms -verify -in "$T/hkcl/manifest.p7s" -inform DER \
    -content "$T/hkcl/MANIFEST.sha256" -CAfile "$DATA/keys/ca.pem" -binary -out /dev/null

# Every step is in the audit log, and the chain holds.
for a in employee.flag employee.certify employee.correct employee.flag_certify otp.issue login.otp import.hold; do
	check "audit has $a" test "$(db "SELECT count(*) FROM audit WHERE action = '$a'")" -gt 0
done
check "the certification names the certifier" test "$(db "SELECT actor FROM audit WHERE action = 'employee.certify' AND case_id = 'W-1'")" = ddo.pwd.amb
stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
