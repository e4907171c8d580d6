#!/usr/bin/env bash
# Who may log in and how: staff passwords with lockout, employee OTP (single use, expiry,
# five tries, resend limits, no enumeration), sessions, CSRF, bearer tokens, logout,
# disabled accounts.
. "$(dirname "$0")/lib.sh"
init_demo
NOW=$(date +%s)
export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_OTP_MAX_PER_HOUR=50
start_server

# --- staff login
req POST /api/v1/login '{"username":"ddo.pwd.amb","password":"suraksha-demo"}'
expect_status 200 "staff login"
expect_json '.role == "ddo" and (.token | test("^[0-9a-f]{32}$")) and (.csrf_token | length == 32) and (.expires_at | length > 0)'
check "session cookie flags" grep -qiE '^Set-Cookie: suraksha=[0-9a-f]{32}; Path=/; Max-Age=[0-9]+; HttpOnly; SameSite=Strict' <<<"$HEADERS"
DDO=$(jq -r .token <<<"$BODY")
CSRF=$(jq -r .csrf_token <<<"$BODY")
areq "$DDO" GET /api/v1/me
expect_status 200 me
expect_json '.role == "ddo" and .username == "ddo.pwd.amb" and .scope.offices == ["PWD-AMB-01"]'

req POST /api/v1/login '{"username":"ddo.pwd.amb","password":"wrong-password"}'
expect_error 401 invalid_credentials "wrong password"
wrong=$BODY
req POST /api/v1/login '{"username":"nobody.here","password":"wrong-password"}'
expect_error 401 invalid_credentials "unknown user"
check "unknown user and wrong password answer alike" test "$wrong" = "$BODY"
req POST /api/v1/login '{"username":"ddo.pwd.amb"}'
expect_error 400 invalid_field "missing password"

# Lockout after five wrong passwords (login_max_failures), even for the right one then.
for i in 1 2 3 4; do req POST /api/v1/login '{"username":"finance","password":"not-the-password"}'; done
expect_error 401 invalid_credentials "fourth wrong password"
req POST /api/v1/login '{"username":"finance","password":"not-the-password"}'
expect_error 401 invalid_credentials "fifth wrong password"
req POST /api/v1/login '{"username":"finance","password":"suraksha-demo"}'
expect_error 429 account_locked "locked account, right password"
check "lockout says when" grep -q "try again in" <<<"$BODY"

# --- sessions: bearer needs no CSRF; a cookie does, on every state-changing request
req POST /api/v1/logout '{}' -H "Cookie: suraksha=$DDO"
expect_error 403 csrf_failed "cookie without CSRF token"
req POST /api/v1/logout '{}' -H "Cookie: suraksha=$DDO" -H "X-CSRF-Token: 0123456789abcdef0123456789abcdef"
expect_error 403 csrf_failed "cookie with a wrong CSRF token"
req GET /api/v1/me "" -H "Cookie: suraksha=$DDO"
expect_status 200 "cookie GET needs no CSRF"
req GET /api/v1/me "" -H "Authorization: Bearer 0123456789abcdef0123456789abcdef"
expect_error 401 not_logged_in "made-up token"
req GET /api/v1/me "" -H "Authorization: Bearer $DDO'; DROP TABLE sessions; --"
expect_error 401 not_logged_in "injection in the token"
req POST /api/v1/logout '{}' -H "Cookie: suraksha=$DDO" -H "X-CSRF-Token: $CSRF"
expect_status 200 "logout with cookie and CSRF"
areq "$DDO" GET /api/v1/me
expect_error 401 not_logged_in "token after logout"
T2=$(login ddo.pwd.amb)
T3=$(login ddo.pwd.amb)
check "a new token at every login" test "$T2" != "$T3" -a -n "$T2"
areq "$T2" POST /api/v1/logout '{}'
expect_status 200 "logout with bearer, no CSRF"

# --- employee OTP
req POST /api/v1/otp/request '{"employee_id":"UCP-10001","family_id":"PPP10001A"}'
expect_status 202 "otp request"
expect_json '.status == "sent" and .masked_mobile == "******5601"'
known=$(jq -c 'del(.masked_mobile)' <<<"$BODY")
line=$(tail -n 1 "$DATA/outbox/sms.jsonl")
check "outbox line has the API's keys" jq -e '(.at|length>0) and .mobile == "9812345601" and .employee_id == "UCP-10001" and (.otp|test("^[0-9]{6}$")) and (.otp as $o | .message | contains($o))' <<<"$line"
CODE=$(jq -r .otp <<<"$line")
check "OTP never in the server log" sh -c "! grep -q '$CODE' '$T/server.log'"
check "OTP stored only as an HMAC" sh -c "! sqlite3 '$DATA/suraksha.db' .dump | grep -q '$CODE'"

lines_before=$(wc -l <"$DATA/outbox/sms.jsonl")
req POST /api/v1/otp/request '{"employee_id":"NOPE-1","family_id":"PPP10001A"}'
expect_status 202 "otp request, unknown employee"
check "same answer shape for unknown" test "$known" = "$(jq -c 'del(.masked_mobile)' <<<"$BODY")"
expect_json '.masked_mobile | test("^\\*{6}[0-9]{4}$")'
m1=$(jq -r .masked_mobile <<<"$BODY")
req POST /api/v1/otp/request '{"employee_id":"NOPE-1","family_id":"PPP10001A"}'
check "made-up mask is stable" test "$m1" = "$(jq -r .masked_mobile <<<"$BODY")"
req POST /api/v1/otp/request '{"employee_id":"UCP-10002","family_id":"PPP10001A"}'
expect_status 202 "otp request, family id of someone else"
check "no SMS for unknown pairs" test "$(wc -l <"$DATA/outbox/sms.jsonl")" -eq "$lines_before"
req POST /api/v1/otp/request '{"employee_id":"../../etc","family_id":"PPP10001A"}'
expect_error 400 invalid_field "bad employee id"

req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10001\",\"otp\":\"$CODE\"}"
expect_status 200 "otp verify"
expect_json '.role == "employee"'
EMP=$(jq -r .token <<<"$BODY")
areq "$EMP" GET /api/v1/me
expect_json '.role == "employee" and .employee_id == "UCP-10001"'
req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10001\",\"otp\":\"$CODE\"}"
expect_error 401 otp_invalid "reused OTP"

# Five wrong codes kill the code, even for the right one afterwards.
req POST /api/v1/otp/request '{"employee_id":"UCP-10002","family_id":"PPP10002B"}'
CODE=$(last_otp)
WRONG=$(printf '%06d' $(( (10#$CODE + 1) % 1000000 )))
for i in 1 2 3 4; do
	req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10002\",\"otp\":\"$WRONG\"}"
	expect_error 401 otp_invalid "wrong OTP $i"
done
req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10002\",\"otp\":\"$WRONG\"}"
expect_error 429 otp_attempts_exceeded "fifth wrong OTP"
req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10002\",\"otp\":\"$CODE\"}"
expect_error 429 otp_attempts_exceeded "right OTP after five wrong"
req POST /api/v1/otp/verify '{"employee_id":"UCP-10002","otp":"12ab56"}'
expect_error 401 otp_invalid "non-digit OTP"
req POST /api/v1/otp/verify '{"employee_id":"NOPE-1","otp":"123456"}'
expect_error 401 otp_invalid "OTP for an unknown employee"

# A code issued and then checked eleven minutes later has expired.
stop_server
export SURAKSHA_FAKE_NOW=$NOW
start_server
req POST /api/v1/otp/request '{"employee_id":"UCP-10003","family_id":"PPP10003C"}'
CODE=$(last_otp)
stop_server
export SURAKSHA_FAKE_NOW=$((NOW + 660))
start_server
req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10003\",\"otp\":\"$CODE\"}"
expect_error 401 otp_invalid "expired OTP"
# A staff session idle past session_idle (30 min) has ended.
stop_server
export SURAKSHA_FAKE_NOW=$NOW
start_server
OLD=$(login auditor)
stop_server
export SURAKSHA_FAKE_NOW=$((NOW + 1900))
start_server
areq "$OLD" GET /api/v1/me
expect_error 401 not_logged_in "idle session"
stop_server
unset SURAKSHA_FAKE_NOW

# Resend limits: one code per otp_resend_interval per employee.
SURAKSHA_OTP_RESEND_INTERVAL=30 start_server
req POST /api/v1/otp/request '{"employee_id":"HKRNL-20001","family_id":"PPP20001E"}'
expect_status 202 "first code"
req POST /api/v1/otp/request '{"employee_id":"HKRNL-20001","family_id":"PPP20001E"}'
expect_error 429 too_many_requests "resend too soon"
req POST /api/v1/otp/request '{"employee_id":"NOPE-2","family_id":"PPP20001E"}'
req POST /api/v1/otp/request '{"employee_id":"NOPE-2","family_id":"PPP20001E"}'
expect_error 429 too_many_requests "resend too soon, unknown employee alike"
stop_server

# Per client address limit (the count so far is cleared: the tests above asked many).
sqlite3 "$DATA/suraksha.db" "DELETE FROM rate_events"
SURAKSHA_OTP_IP_MAX_PER_HOUR=3 start_server
for i in 1 2 3; do req POST /api/v1/otp/request "{\"employee_id\":\"IP-$i\",\"family_id\":\"PPP20001E\"}"; done
expect_status 202 "third request from one address"
req POST /api/v1/otp/request '{"employee_id":"IP-4","family_id":"PPP20001E"}'
expect_error 429 too_many_requests "fourth request from one address"
stop_server

# An SMS gateway that fails: "could not send", nothing counted, the next request retries.
SURAKSHA_OTP_SINK=http://127.0.0.1:9/ SURAKSHA_OTP_HTTP_TIMEOUT=2 start_server
req POST /api/v1/otp/request '{"employee_id":"HKRNL-20002","family_id":"PPP20002F"}'
expect_error 503 otp_not_sent "gateway down"
stop_server
GW=$(free_port)
python3 - "$GW" "$T/gateway.jsonl" <<'PY' &
import http.server, sys
port, out = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length']))
        open(out, 'ab').write(body + b'\n')
        self.send_response(202); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', port), H).handle_request()
PY
GWPID=$!
sleep 0.3
SURAKSHA_OTP_SINK=http://127.0.0.1:$GW/sms start_server
req POST /api/v1/otp/request '{"employee_id":"HKRNL-20002","family_id":"PPP20002F"}'
expect_status 202 "gateway up again: sent"
wait $GWPID
check "gateway got the JSON message" jq -e '.employee_id == "HKRNL-20002" and (.otp|test("^[0-9]{6}$"))' "$T/gateway.jsonl"

# --- disabling an account ends its sessions and its logins
HOD=$(login hod.pwd)
ADMIN=$(login admin)
areq "$ADMIN" POST /api/v1/admin/users/hod.pwd/disable '{}'
expect_status 200 "admin disables hod.pwd"
areq "$HOD" GET /api/v1/me
expect_error 401 not_logged_in "session of a disabled account"
req POST /api/v1/login '{"username":"hod.pwd","password":"suraksha-demo"}'
expect_error 401 invalid_credentials "login of a disabled account"
"$BIN" user enable hod.pwd --data "$DATA" >/dev/null
check "re-enabled account logs in" test "$(login hod.pwd)" != null
stop_server
finish
