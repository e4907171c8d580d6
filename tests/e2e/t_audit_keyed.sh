#!/usr/bin/env bash
# Issue 11, item 5: a database writer cannot rewrite the audit trail unseen. The chain is
# keyed (keys/audit.key, not in the database), its head is checkpointed outside the
# database (audit.checkpoints), and every case's state must match its audit history.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
check "init wrote the chain key" test -s "$DATA/keys/audit.key"
check "the key is for the service alone" test "$(stat -c %a "$DATA/keys/audit.key")" = 600
check "init wrote a checkpoint" test -s "$DATA/audit.checkpoints"
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
ADMIN=$(login admin)
areq "$ADMIN" POST /api/v1/admin/users/finance/disable '{}'
expect_status 200 "a change to audit"
stop_server
n=$(sqlite3 "$DATA/suraksha.db" "SELECT max(id) FROM audit")
check "serve checkpointed its last record on the way out" \
    test "$(tail -n 1 "$DATA/audit.checkpoints" | cut -d' ' -f1)" = "$n"
check "intact chain verifies" "$BIN" audit verify --data "$DATA"
check "no key material in the database" \
    test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM meta WHERE value LIKE '%$(cat "$DATA/keys/audit.key")%'")" = 0

# The HKCL export carries the head under its signature.
"$BIN" export hkcl --data "$DATA" "$T/hkcl" >"$T/export.out" 2>&1
check "the export carries the audit head" grep -q "^audit_head $n [0-9a-f]\{64\}$" "$T/hkcl/audit_head.txt"
check "the head is in the signed manifest" sh -c "cd '$T/hkcl' && sha256sum -c MANIFEST.sha256 | grep -q 'audit_head.txt: OK'"
check "the export checkpointed its own record" \
    test "$(tail -n 1 "$DATA/audit.checkpoints" | cut -d' ' -f1)" = "$((n + 1))"
n=$((n + 1))
cp "$DATA/suraksha.db" "$T/clean.db"
cp "$DATA/audit.checkpoints" "$T/clean.ckpt"
verify_says() { # verify_says WHAT WANT-WORDS (after the database was tampered with)
	"$BIN" audit verify --data "$DATA" >"$T/v.out" 2>&1
	local rc=$?
	check "$1: exits 1 (got $rc: $(cat "$T/v.out"))" test $rc -eq 1
	check "$1: says '$2' ($(cat "$T/v.out"))" grep -q "$2" "$T/v.out"
	cp "$T/clean.db" "$DATA/suraksha.db"
	cp "$T/clean.ckpt" "$DATA/audit.checkpoints"
	rm -f "$DATA/suraksha.db-wal" "$DATA/suraksha.db-shm"
}
# 1. Rewrite record 3 and recompute the whole chain and its head as the old, unkeyed
# scheme would (SHA-256 of the same serialisation): the keyed hash no longer matches.
python3 - "$DATA/suraksha.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE audit SET actor = 'someone-else' WHERE id = 3")
def f(v):
    return "-|" if v is None else "%d:%s|" % (len(v.encode()), v)
prev = "0" * 64
for row in db.execute("SELECT id, at, actor, role, action, case_id, object, ip, before, after FROM audit ORDER BY id").fetchall():
    s = prev + "|%d|%d|" % (row[0], row[1]) + "".join(f(v) for v in row[2:])
    h = hashlib.sha256(s.encode()).hexdigest()
    db.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row[0]))
    prev = h
db.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", ("%d:%s" % (row[0], prev),))
db.commit()
PY
verify_says "rewritten and recomputed history" "BROKEN at record 1: record 1 was altered"
# 2. Every audit row and the head deleted.
sqlite3 "$DATA/suraksha.db" "DELETE FROM audit; DELETE FROM meta WHERE key = 'audit_head'"
verify_says "a wiped trail" "records were dropped from the end"
# 3. The newest three records dropped, the head in meta made to agree.
sqlite3 "$DATA/suraksha.db" "DELETE FROM audit WHERE id > $((n - 3));
    UPDATE meta SET value = (SELECT id || ':' || hash FROM audit ORDER BY id DESC LIMIT 1) WHERE key = 'audit_head'"
verify_says "a dropped tail with a fixed head" "a checkpoint written at"
# 4. A case approved directly in the database.
sqlite3 "$DATA/suraksha.db" "UPDATE cases SET state = 'approved' WHERE employee_id = 'UCP-10001'"
verify_says "a state set in the database" "case UCP-10001 is 'approved' but its audit history"
# 5. A made-up checkpoint appended (it cannot carry the key's mac).
echo "$((n + 5)) $(printf '%064d' 0) $(date +%s) $(printf '%064d' 0)" >>"$DATA/audit.checkpoints"
verify_says "a forged checkpoint" "is not a checkpoint this portal wrote"
# 6. Without the key, verify cannot vouch for anything.
mv "$DATA/keys/audit.key" "$T/audit.key"
"$BIN" audit verify --data "$DATA" >"$T/v.out" 2>&1
check "no key: verify fails (exit 2)" test $? -eq 2
mv "$T/audit.key" "$DATA/keys/audit.key"
check "intact again" "$BIN" audit verify --data "$DATA"
finish
