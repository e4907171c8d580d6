#!/usr/bin/env bash
# Every role against objects inside and outside its scope, and role-only endpoints.
. "$(dirname "$0")/lib.sh"
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server

EMP=$(otp_login UCP-10001 PPP10001A)       # PWD-AMB-01, PWD
DDO=$(login ddo.pwd.amb)                    # office PWD-AMB-01
DDOH=$(login ddo.hlt.kkr)                   # office HLT-KKR-01
HOD=$(login hod.pwd)                        # department PWD
SECY=$(login secy.pwd)                      # department PWD
FIN=$(login finance)
AUD=$(login auditor)
ADMIN=$(login admin)

sees() { # sees TOKEN EMPLOYEE WHO
	areq "$1" GET "/api/v1/employees/$2"
	expect_status 200 "$3 sees $2"
	expect_json ".employee_id == \"$2\"" "$3 sees $2"
}
hidden() { # hidden TOKEN EMPLOYEE WHO: 404, the same answer as for no such employee
	areq "$1" GET "/api/v1/employees/$2"
	expect_error 404 not_found "$3 must not see $2"
}
sees "$EMP" UCP-10001 employee
hidden "$EMP" UCP-10002 "employee (a colleague)"
hidden "$EMP" HKRNL-20001 "employee (another department)"
sees "$DDO" UCP-10001 ddo
sees "$DDO" HKRNL-20003 ddo
hidden "$DDO" UCP-10004 "ddo (another office of the department)"
hidden "$DDO" UCP-10003 "ddo (another department)"
sees "$DDOH" UCP-10003 "ddo of health"
hidden "$DDOH" UCP-10001 "ddo of health"
sees "$HOD" UCP-10004 hod
hidden "$HOD" HKRNL-20001 "hod (another department)"
sees "$SECY" UCP-10002 "admin secretary"
hidden "$SECY" HKRNL-20002 "admin secretary (another department)"
for t in "$FIN" "$AUD" "$ADMIN"; do sees "$t" HKRNL-20002 "finance/auditor/admin"; done
areq "$AUD" GET /api/v1/employees/NOPE-9
expect_error 404 not_found "no such employee"
areq "$AUD" GET /api/v1/employees/UCP%2F1
expect_error 404 not_found "an id with an escaped slash stays one segment"

# Role-only endpoints: 403 for every other role.
for t in "$EMP" "$DDO" "$HOD" "$FIN" "$ADMIN"; do
	areq "$t" GET /api/v1/audit
	expect_error 403 forbidden "audit log for a non-auditor"
done
for t in "$EMP" "$DDO" "$HOD" "$SECY" "$FIN" "$AUD"; do
	areq "$t" GET /api/v1/admin/users
	expect_error 403 forbidden "user list for a non-admin"
	areq "$t" POST /api/v1/admin/users '{"username":"evil","role":"admin","password":"0123456789ab"}'
	expect_error 403 forbidden "user creation by a non-admin"
done
req GET /api/v1/audit
expect_error 401 not_logged_in "audit log without a session"

# Admin: create, re-scope, and refuse bad input without changing anything.
areq "$ADMIN" POST /api/v1/admin/users '{"username":"ddo.two","role":"ddo","password":"a-long-password","display_name":"Second DDO","offices":["PWD-KNL-01"]}'
expect_status 201 "admin adds a ddo"
T2=$(login ddo.two a-long-password)
sees "$T2" UCP-10004 "new ddo"
hidden "$T2" UCP-10001 "new ddo"
areq "$ADMIN" PUT /api/v1/admin/users/ddo.two/scope '{"offices":["PWD-AMB-01"]}'
expect_status 200 "re-scope"
sees "$T2" UCP-10001 "re-scoped ddo"
hidden "$T2" UCP-10004 "re-scoped ddo"
before=$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM users; SELECT count(*) FROM user_scopes; SELECT count(*) FROM audit")
areq "$ADMIN" POST /api/v1/admin/users '{"username":"ddo.three","role":"ddo","password":"a-long-password","offices":["NO-SUCH-OFFICE"]}'
expect_error 400 invalid_field "unknown office"
check "names the office" grep -q NO-SUCH-OFFICE <<<"$BODY"
areq "$ADMIN" POST /api/v1/admin/users '{"username":"hod.three","role":"hod","password":"a-long-password"}'
expect_error 400 invalid_field "hod without a department"
areq "$ADMIN" POST /api/v1/admin/users '{"username":"ddo.two","role":"finance","password":"a-long-password"}'
expect_error 409 already_exists "duplicate username"
areq "$ADMIN" POST /api/v1/admin/users '{"username":"x.short","role":"finance","password":"short"}'
expect_error 400 invalid_field "short password"
areq "$ADMIN" POST /api/v1/admin/users '{"username":"Bad Name","role":"finance","password":"a-long-password"}'
expect_error 400 invalid_field "bad username"
areq "$ADMIN" POST /api/v1/admin/users '{"username":"god","role":"superuser","password":"a-long-password"}'
expect_error 400 invalid_field "unknown role"
areq "$ADMIN" PUT /api/v1/admin/users/ddo.two/scope '{"offices":"PWD-AMB-01"}'
expect_error 400 invalid_field "scope not an array"
areq "$ADMIN" POST /api/v1/admin/users/nobody/disable '{}'
expect_error 404 not_found "disable unknown user"
areq "$ADMIN" POST /api/v1/admin/users/admin/disable '{}'
expect_error 409 wrong_state "admin disabling itself"
after=$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM users; SELECT count(*) FROM user_scopes; SELECT count(*) FROM audit")
check "refused requests changed nothing" test "$before" = "$after"
areq "$ADMIN" GET /api/v1/admin/users
expect_json '[.users[] | select(.username == "ddo.two")][0] | .role == "ddo" and .offices == ["PWD-AMB-01"]'
# A HoD made through the API gets no key: the server reaches none and never holds the
# offline CA (issues 9 and 13); the HoD's letters carry the portal seal until the operator
# issues a key in the token ('suraksha hod issue') or imports the HoD's own certificate.
areq "$ADMIN" POST /api/v1/admin/users '{"username":"hod.new","role":"hod","password":"a-long-password","display_name":"New HoD","departments":["HLT"]}'
expect_status 201 "admin adds a hod"
check "no key file made by the server" test ! -e "$DATA/keys/hod-hod.new.key"
check "no certificate made by the server" test ! -e "$DATA/keys/hod-hod.new.pem"
check "the operator issues it offline" "$BIN" hod issue --data "$DATA" --hod hod.new --name "New HoD"
check "hod certificate issued by the portal CA" openssl verify -CAfile "$DATA/keys/ca.pem" "$DATA/keys/hod-hod.new.pem"
check "its key is in the token, not in a file" test ! -e "$DATA/keys/hod-hod.new.key"
finish
