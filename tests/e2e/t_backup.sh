#!/usr/bin/env bash
# suraksha backup while the server runs; a server started from the backup serves the same
# data, its logins work, and its audit chain is intact.
. "$(dirname "$0")/lib.sh"
init_demo
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
ADMIN=$(login admin)
areq "$ADMIN" POST /api/v1/admin/users '{"username":"ddo.backup","role":"ddo","password":"a-long-password","offices":["HLT-AMB-01"]}'
expect_status 201 "user before backup"
areq "$ADMIN" GET /api/v1/employees/HKRNL-20002
before=$BODY
# Writes keep going while the backup runs.
( for i in $(seq 1 30); do curl -s -o /dev/null -X POST "$BASE/api/v1/login" -H 'Content-Type: application/json' --data-binary '{"username":"auditor","password":"suraksha-demo"}'; done ) &
LOOP=$!
"$BIN" backup --data "$DATA" "$T/backup" >"$T/b.out" 2>&1
check "backup exits 0" test $? -eq 0
wait "$LOOP"
"$BIN" backup --data "$DATA" "$T/backup" >"$T/b2.out" 2>&1
check "backup refuses an existing folder" test $? -eq 2
stop_server

check "backup has the CA" cmp -s "$DATA/keys/ca.pem" "$T/backup/keys/ca.pem"
check "backup keeps key modes" test "$(stat -c %a "$T/backup/keys/ca.key")" = 600
check "backup's audit chain intact" "$BIN" audit verify --data "$T/backup"
DATA=$T/backup start_server
DATA_SAVED=$DATA
DATA=$T/backup
areq "$(login admin)" GET /api/v1/employees/HKRNL-20002
expect_status 200 "restored server serves the employee"
check "same employee data" test "$before" = "$BODY"
check "user made before the backup logs in" test "$(login ddo.backup a-long-password)" != null
tok=$(otp_login UCP-10003 PPP10003C)
check "OTP login on the restored server" test -n "$tok" -a "$tok" != null
stop_server
finish
