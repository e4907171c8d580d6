#!/usr/bin/env bash
# Issue 11, item 6: a backup taken while letters are being issued, then restored. Every
# letter issued before the backup finished still verifies as issued, no reference number is
# given twice, sessions from before the backup do not work, the audit trail verifies.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
login_staff
for e in UCP-10001:PPP10001A UCP-10002:PPP10002B HKRNL-20003:PPP20003G; do
	id=${e%%:*}
	tok=$(otp_login "$id" "${e##*:}")
	areq "$tok" PUT "/api/v1/cases/$id/service" "$(svc 2012-04-01)"
	add_docs "$id" hkrnl_deployment_letter
	areq "$tok" POST "/api/v1/cases/$id/submit"
	areq "$DDO" POST "/api/v1/cases/$id/verify" '{"decision":"verified"}'
	expect_status 200 "$id verified"
done
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10001","UCP-10002","HKRNL-20003"],"designation":"Clerk","pay_level":2}'
expect_status 201 "posts"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001"]}'
expect_json '.approved == 1' "first letter"
REF1=$(jq -r '.results[0].letter_ref' <<<"$BODY")

# The backup's database snapshot, then a letter issued, then the backup's file copy: what
# the order "database first, files after" allows while approvals go on. The snapshot is
# taken by the real command; the second letter lands between its two phases.
"$BIN" backup --data "$DATA" "$T/bk" >"$T/bk.out" 2>&1
check "backup runs" grep -q "backup of" "$T/bk.out"
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10002"]}'
expect_json '.approved == 1' "second letter, after the snapshot"
REF2=$(jq -r '.results[0].letter_ref' <<<"$BODY")
areq "$HOD" GET "/api/v1/letters/$REF2"
cp "$T/body" "$T/letter2.pdf"
# The backup's file phase sees the new letter (PDF and journal entry) and the live
# database that has committed it: exactly what backup_finish records.
cp -p "$DATA"/letters/*.pdf "$DATA"/letters/*.json "$T/bk/letters/" 2>/dev/null
chmod u+w "$T/bk/letters"
sha2=$(sha256sum "$T/letter2.pdf" | cut -c1-64)
echo "$sha2" >"$T/bk/letters/after-snapshot.list"
check "the snapshot holds one letter" test "$(sqlite3 "$T/bk/suraksha.db" "SELECT count(*) FROM letters")" = 1
check "the snapshot holds no session" test "$(sqlite3 "$T/bk/suraksha.db" "SELECT count(*) FROM sessions")" = 0
stop_server

cp -a "$T/bk" "$T/bk2"

# --- restore: serve from the copy after 'suraksha restore'
DATA=$T/bk
"$BIN" restore --data "$DATA" >"$T/restore.out" 2>&1
check "restore runs ($(cat "$T/restore.out"))" grep -q "1 registered again" "$T/restore.out"
check "the restored audit trail verifies" "$BIN" audit verify --data "$DATA"
start_server
areq "$HOD" GET /api/v1/me
expect_error 401 not_logged_in "a session from before the backup"
login_staff
req POST /api/v1/verify "" -H 'Content-Type: application/pdf' --data-binary @"$T/letter2.pdf"
expect_json ".valid == true and .issued_by_portal == true and .letter_ref == \"$REF2\"" "the letter issued after the snapshot verifies"
areq "$HOD" GET "/api/v1/letters/$REF1"
expect_status 200 "the letter before the snapshot is there"
expect_state UCP-10002 approved
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["HKRNL-20003"]}'
expect_json '.approved == 1' "a new approval on the restored portal"
REF3=$(jq -r '.results[0].letter_ref' <<<"$BODY")
check "no reference given twice ($REF1 $REF2 $REF3)" test "$(printf '%s\n' "$REF1" "$REF2" "$REF3" | sort -u | wc -l)" = 3
stop_server
check "audit verifies after serving the restore" "$BIN" audit verify --data "$DATA"

# --- a copy served without 'suraksha restore' still never gives a reference twice
DATA=$T/bk2
start_server
check "start-up says a letter on disk is unknown" grep -q "1 letters on disk are not in the database" "$T/server.log"
login_staff
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["HKRNL-20003"]}'
expect_json '.approved == 1' "an approval on the unreconciled copy"
REF4=$(jq -r '.results[0].letter_ref' <<<"$BODY")
check "its reference is above the unknown letter's ($REF2 $REF4)" test "$REF4" != "$REF2" -a "$REF4" != "$REF1"
stop_server
finish
