#!/usr/bin/env bash
# Notifications (src/notify/): each change that the employee must hear of (returned,
# verified, discrepancy, approved with the letter's reference, rejected, letter revoked)
# puts one row in the outbox in the change's own transaction; the sender delivers it with
# its DLT template id and text, retrying with backoff through a gateway that refuses each
# message twice first, and never sends one twice. Then the same through the file sink.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
export SURAKSHA_FAKE_NOW=$T_OPEN
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0

python3 "$ROOT/tests/e2e/fake_sms_gateway.py" 2 "$T/tries.jsonl" "$T/taken.jsonl" >"$T/gw.port" &
GW_PID=$!
for _ in $(seq 1 50); do [ -s "$T/gw.port" ] && break; sleep 0.05; done
GW=http://127.0.0.1:$(cat "$T/gw.port")/sms
trap 'kill $GW_PID 2>/dev/null; cleanup' EXIT

start_server --notify_sink "$GW" --notify_retry_base 1 --notify_retry_max 2 --notify_poll 1 \
	--sms_tpl_returned 1107160000000011111
login_staff
E2=$(otp_login UCP-10002 PPP10002B)
E3=$(otp_login UCP-10003 PPP10003C)
notes() { db "SELECT count(*) FROM notifications $1"; }

check "nothing to tell yet" test "$(notes "")" = 0
# returned, then verified, a post, approved with its letter, the letter revoked
areq "$E2" PUT /api/v1/cases/UCP-10002/service "$(svc 2012-04-01)"
add_docs UCP-10002
areq "$E2" POST /api/v1/cases/UCP-10002/submit
expect_status 200 "submit"
check "a submission tells no one" test "$(notes "")" = 0
areq "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"returned","remarks":"add the 2015 order"}'
expect_status 200 "returned"
check "the return is in the outbox with the move" test "$(notes "WHERE kind = 'returned' AND employee_id = 'UCP-10002'")" = 1
# the employee corrects the service record: saved in the same state, no new message
areq "$E2" PUT /api/v1/cases/UCP-10002/service "$(svc 2012-05-01)"
expect_status 200 "service corrected in the returned case"
check "a correction in the same state tells nothing" test "$(notes "")" = 1
# a refused change writes nothing
areq "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"returned","remarks":"again"}'
expect_status 409 "returned twice"
check "a refused change tells nothing" test "$(notes "")" = 1
areq "$E2" POST /api/v1/cases/UCP-10002/submit
areq "$DDO" POST /api/v1/cases/UCP-10002/verify '{"decision":"verified"}'
expect_status 200 "verified"
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10002"],"designation":"Clerk","pay_level":2}'
expect_status 201 "post"
areq "$HOD" POST /api/v1/cases/UCP-10002/approve '{"remarks":"approved"}'
expect_status 200 "approved"
REF=$(jq -r .letter_ref <<<"$BODY")
areq "$HOD" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{"reason":"found ineligible on audit"}'
expect_status 200 "revoked"
req GET /home "" -b "suraksha=$E2"
check "the employee's page says the letter is revoked" grep -q 'id="letter-revoked"' "$T/body"
check "with its reason" grep -q 'id="revoke-reason">found ineligible on audit<' "$T/body"
check "and offers no current letter" bash -c "! grep -q 'report good' $T/body"
req GET /home "" -b "suraksha=$E2" -b "lang=hi"
check "in Hindi too" grep -q "रद्द, अब मान्य नहीं" "$T/body"
# a discrepancy for another employee
areq "$E3" PUT /api/v1/cases/UCP-10003/service "$(svc 2012-04-01)"
add_docs UCP-10003
areq "$E3" POST /api/v1/cases/UCP-10003/submit
areq "$DDOH" POST /api/v1/cases/UCP-10003/verify '{"decision":"discrepancy","remarks":"mobile","fields":["mobile"]}'
expect_status 200 "discrepancy"
check "one row per event" test "$(db "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM notifications ORDER BY id)")" = "returned verified approved revoked discrepancy"

# the sender: each refused twice (503), then taken; bounded wait
for _ in $(seq 1 100); do
	[ "$(notes "WHERE sent_at IS NULL")" = 0 ] && break
	sleep 0.1
done
check "every message sent in the end" test "$(notes "WHERE sent_at IS NULL")" = 0
check "each after two refusals (3 tries)" test "$(notes "WHERE attempts = 3")" = 5
check "the gateway saw 15 tries" test "$(wc -l <"$T/tries.jsonl")" = 15
check "and took each message once" test "$(jq -r .id "$T/taken.jsonl" | sort | uniq -d | wc -l)/$(wc -l <"$T/taken.jsonl")" = 0/5
check "the return carries its DLT template id" jq -e -s \
	'map(select(.kind == "returned"))[0] | .template_id == "1107160000000011111" and .employee_id == "UCP-10002" and (.mobile | test("^[6-9][0-9]{9}$"))' "$T/taken.jsonl"
check "every message has a template id, its text filled, its variables" jq -e -s \
	'all(.[]; (.template_id | test("^[0-9]+$")) and (.message | contains("{#var#}") | not) and (.vars | length) >= 1)' "$T/taken.jsonl"
check "the approval names the letter" jq -e -s --arg r "$REF" \
	'map(select(.kind == "approved"))[0] | .vars == ["UCP-10002", $r] and (.message | contains($r))' "$T/taken.jsonl"
check "the revocation names the letter" jq -e -s --arg r "$REF" \
	'map(select(.kind == "revoked"))[0].message | contains($r) and contains("revoked")' "$T/taken.jsonl"
check "the row keeps what was sent" test "$(db "SELECT template_id FROM notifications WHERE kind = 'returned'")" = 1107160000000011111
check "the retries were logged" grep -q "notify: message 1 not taken by the sink (try 1)" "$T/server.log"
stop_server

# file sink: the same fields, one line per message, also across a restart (no doubles)
start_server --notify_poll 1
areq "$HOD" GET /api/v1/me
login_staff
areq "$HOD" POST /api/v1/cases/UCP-10002/reject '{"remarks":"x"}' >/dev/null
E1=$(otp_login UCP-10001 PPP10001A)
areq "$E1" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)"
add_docs UCP-10001
areq "$E1" POST /api/v1/cases/UCP-10001/submit
areq "$DDO" POST /api/v1/cases/UCP-10001/verify '{"decision":"returned","remarks":"x"}'
expect_status 200 "returned (file sink)"
for _ in $(seq 1 40); do
	[ -s "$DATA/outbox/notify.jsonl" ] && break
	sleep 0.1
done
check "the file sink has the message" jq -e -s 'length == 1 and .[0].kind == "returned" and .[0].employee_id == "UCP-10001" and (.[0].template_id | length) > 0 and .[0].id > 5' "$DATA/outbox/notify.jsonl"
stop_server
start_server --notify_poll 1
sleep 1.5
check "a restart sends nothing twice" test "$(wc -l <"$DATA/outbox/notify.jsonl")" = 1
check "no notification in the OTP outbox" bash -c "! grep -q template_id '$DATA/outbox/sms.jsonl'"
finish
