#!/usr/bin/env bash
# The audit trail: records for every state change, the auditor's paged and filtered view,
# and tampering made directly in the database file found by 'suraksha audit verify'.
. "$(dirname "$0")/lib.sh"
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
AUD=$(login auditor)
ADMIN=$(login admin)
areq "$ADMIN" POST /api/v1/admin/users/finance/disable '{}'

areq "$AUD" GET "/api/v1/audit?limit=5"
expect_status 200 "audit page"
expect_json '(.items | length) == 5 and (.next_before | type) == "number"'
expect_json '[.items[].id] == ([.items[].id] | sort | reverse)' "newest first"
next=$(jq -r .next_before <<<"$BODY")
areq "$AUD" GET "/api/v1/audit?limit=5&before=$next"
expect_json "(.items | length) == 5 and .items[0].id < $next" "second page"
areq "$AUD" GET "/api/v1/audit?case=UCP-10001"
expect_json '(.items | length) >= 2 and all(.items[]; .case_id == "UCP-10001")' "filter by case"
expect_json 'any(.items[]; .action == "login.otp" and .actor == "employee:UCP-10001")' "otp login audited"
areq "$AUD" GET "/api/v1/audit?actor=admin&action=user.disable"
expect_json '(.items | length) == 1 and .items[0].object == "user:finance" and .items[0].before.disabled == false and .items[0].after.disabled == true' "filter by actor and action"
areq "$AUD" GET "/api/v1/audit?limit=0"
expect_error 400 invalid_field "limit 0"
areq "$AUD" GET "/api/v1/audit?before=abc"
expect_error 400 invalid_field "before not a number"
check "no secret in any audit record" sh -c "! sqlite3 '$DATA/suraksha.db' 'SELECT * FROM audit' | grep -qiE 'suraksha-demo|\"otp\":|password_hash|scrypt'"
stop_server

check "intact chain verifies" "$BIN" audit verify --data "$DATA"
n=$(sqlite3 "$DATA/suraksha.db" "SELECT max(id) FROM audit")
cp "$DATA/suraksha.db" "$T/clean.db"
tamper() { # tamper SQL WANT-WORDS
	cp "$T/clean.db" "$DATA/suraksha.db"
	rm -f "$DATA/suraksha.db-wal" "$DATA/suraksha.db-shm"
	sqlite3 "$DATA/suraksha.db" "$1"
	"$BIN" audit verify --data "$DATA" >"$T/v.out" 2>&1
	local rc=$?
	check "tamper '$1' exits 1" test $rc -eq 1
	check "tamper '$1' names '$2'" grep -q "$2" "$T/v.out"
}
tamper "UPDATE audit SET actor = 'someone' WHERE id = 7" "BROKEN at record 7: record 7 was altered"
tamper "UPDATE audit SET after = '{\"disabled\":false}' WHERE action = 'user.disable'" "was altered"
tamper "DELETE FROM audit WHERE id = 9" "BROKEN at record 9: record 9 is missing"
tamper "DELETE FROM audit WHERE id = $n" "records were dropped from the end"
tamper "UPDATE audit SET at = at + 1 WHERE id = 3" "BROKEN at record 3"
# Reordering: swap the content of two records (ids kept).
tamper "UPDATE audit SET id = -1 WHERE id = 4; UPDATE audit SET id = 4 WHERE id = 5; UPDATE audit SET id = 5 WHERE id = -1" "BROKEN at record 4"
# Re-hashing one record is not enough: the next record no longer follows it.
tamper "UPDATE audit SET actor = 'x', hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE id = 6" "BROKEN at record"
cp "$T/clean.db" "$DATA/suraksha.db"
check "clean copy verifies again" "$BIN" audit verify --data "$DATA"
finish
