#!/bin/bash
# Dashboard counts and overdue listings on a database holding 120,000 cases (30
# departments, 600 offices, states spread as a mid-season portal would have them),
# measured through the real server with curl. Prints milliseconds (best and median of 7);
# the target is under 50 ms each. Never fails on speed.
set -eu
cd "$(dirname "$0")/../.."
N=${CASES_BENCH_CASES:-120000}
T=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
[ -x ./suraksha ] || make -s suraksha
export SURAKSHA_SCRYPT_LOG2N=12
# 2026-03-05 12:00 IST: registration and verification closed, posts and approval open.
export SURAKSHA_FAKE_NOW=$(date -u -d '2026-03-05 06:30:00' +%s)
D=$T/data
./suraksha init --data "$D" >/dev/null
echo bench-password-1 | ./suraksha user add --data "$D" --role finance --username fin >/dev/null
echo bench-password-1 | ./suraksha user add --data "$D" --role admin --username adm >/dev/null

start=$(date +%s.%N)
sqlite3 "$D/suraksha.db" <<SQL
PRAGMA foreign_keys = ON;
BEGIN;
INSERT INTO imports (id, source, file_name, file_sha256, at, actor, rows_total, rows_inserted,
  rows_updated, rows_unchanged, rows_rejected) VALUES (1, 'treasury', 'bench', 'x', 0, 'bench',
  $N, $N, 0, 0, 0);
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 29)
INSERT INTO departments SELECT printf('D%02d', n), printf('Department %d', n), 1 FROM i;
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 599)
INSERT INTO offices SELECT printf('D%02d-O%03d', n % 30, n), printf('Office %d', n),
  printf('D%02d', n % 30), printf('DDO-%03d', n), 'Ambala', 1 FROM i;
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < $N - 1)
INSERT INTO employees SELECT printf('E-%06d', n), 'Name ' || n, 'Father', '1985-01-01', 'F',
  '9812345678', 'PPP00001A', printf('D%02d', (n % 600) % 30), printf('D%02d-O%03d',
  (n % 600) % 30, n % 600), 'Clerk', 1 + n % 10, CASE WHEN n % 3 THEN 'direct' ELSE 'hkrnl' END,
  '2059-80-001-97-51-69', 24000, '2015-01-01', 'treasury', 1, 0 FROM i;
-- states: a third still in verification, the rest spread over the later stages
UPDATE cases SET state = CASE abs(random()) % 10
  WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted' WHEN 2 THEN 'submitted' WHEN 3 THEN 'returned'
  WHEN 4 THEN 'verified' WHEN 5 THEN 'verified' WHEN 6 THEN 'post_created'
  WHEN 7 THEN 'post_created' WHEN 8 THEN 'approved' ELSE 'rejected' END,
  verdict = CASE WHEN abs(random()) % 8 THEN 'eligible' ELSE 'ineligible' END;
UPDATE cases SET stage = CASE state WHEN 'draft' THEN 'registration' WHEN 'submitted' THEN
  'verification' WHEN 'returned' THEN 'verification' WHEN 'verified' THEN CASE verdict WHEN
  'eligible' THEN 'posts' ELSE 'approval' END WHEN 'post_created' THEN 'approval' ELSE NULL END;
COMMIT;
SQL
gen=$(echo "$(date +%s.%N) - $start" | bc)
echo bench-password-1 | ./suraksha user add --data "$D" --role ddo --username ddo --office D07-O007 >/dev/null
echo bench-password-1 | ./suraksha user add --data "$D" --role hod --username hod --department D07 >/dev/null
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./suraksha serve --data "$D" --listen "127.0.0.1:$PORT" >"$T/server.log" 2>&1 &
PID=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.05; done
tok() { curl -s -X POST "http://127.0.0.1:$PORT/api/v1/login" -H 'Content-Type: application/json' \
    --data-binary "{\"username\":\"$1\",\"password\":\"bench-password-1\"}" | jq -r .token; }
FIN=$(tok fin); ADM=$(tok adm); DDO=$(tok ddo); HOD=$(tok hod)
printf 'cases: %s (generated in %.1f s); overdue in all: %s\n' \
    "$(sqlite3 "$D/suraksha.db" 'SELECT count(*) FROM cases')" "$gen" \
    "$(sqlite3 "$D/suraksha.db" "SELECT count(*) FROM cases WHERE due_at <= $SURAKSHA_FAKE_NOW")"
measure() { # measure LABEL TOKEN PATH
	local times=() t
	for _ in 1 2 3 4 5 6 7; do
		t=$(curl -s -o "$T/out" -w '%{time_total}' -H "Authorization: Bearer $2" "http://127.0.0.1:$PORT$3")
		times+=("$(echo "$t * 1000" | bc)")
	done
	sorted=$(printf '%s\n' "${times[@]}" | sort -n)
	printf '%-46s best %6.1f ms  median %6.1f ms  (%s)\n' "$1" "$(head -1 <<<"$sorted")" \
	    "$(sed -n 4p <<<"$sorted")" "$(jq -c '{total, overdue} | with_entries(select(.value != null))' "$T/out")"
}
measure "dashboard counts, all departments (finance)" "$FIN" /api/v1/dashboard
measure "dashboard counts, one department (hod)" "$HOD" /api/v1/dashboard
measure "dashboard counts, one office (ddo)" "$DDO" /api/v1/dashboard
measure "overdue listing, page 1 of all (admin)" "$ADM" "/api/v1/cases?overdue=true"
measure "overdue listing, finance's stage (posts)" "$FIN" "/api/v1/cases?overdue=true"
measure "overdue listing, one office (ddo)" "$DDO" "/api/v1/cases?overdue=true"
measure "listing, state=verified page 100 (finance)" "$FIN" "/api/v1/cases?state=verified&page=100"
# issue 12: the staff search (a part of an id or a name, any case) and the orders
measure "search q=name 4711, one office (ddo)" "$DDO" "/api/v1/cases?q=name%204711"
measure "search q=e-0047 sort=name, one dept (hod)" "$HOD" "/api/v1/cases?q=e-0047&sort=name"
measure "search q=name 11 (all, admin)" "$ADM" "/api/v1/cases?q=name%2011"
measure "listing sort=updated page 20, one dept (hod)" "$HOD" "/api/v1/cases?sort=updated&page=20"
kill $PID; wait $PID 2>/dev/null || true; PID=

# Re-evaluation after a rules change (what `suraksha serve` does at start when rules.conf
# changed): every case with a declared record.
sqlite3 "$D/suraksha.db" "UPDATE cases SET declared = '{\"spells\":[{\"from\":\"2015-01-01\",\"to\":null,\"kind\":\"contract\"}],\"unpaid\":[{\"from\":\"2018-01-01\",\"to\":\"2018-02-01\"}],\"centrally_sponsored\":false,\"part_time\":false,\"marriage_clause\":false}'"
start=$(date +%s.%N)
./suraksha cases reeval --data "$D" >"$T/reeval.out" 2>&1
printf '%-46s %6.2f s  (%s)\n' "cases reeval, all cases" "$(echo "$(date +%s.%N) - $start" | bc)" "$(cat "$T/reeval.out")"
