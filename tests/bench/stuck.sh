#!/usr/bin/env bash
# Issue 14 at the size of a state feed: N employees (50000) from the Treasuries with a wrong
# mobile on 1 in 10, a shared mobile on 1 in 20, a head of account not contractual on 1 in
# 20; then the HKRNL feed of the same ids disagreeing on the Family ID for 1 in 20. Prints
# rows a second for the first import, the re-import (nothing changes) and the other feed,
# and the time of the who-is-stuck dashboard (JSON for a HoD, CSV for all) and of one
# certification, through the real server.
# Targets: the dashboard under 1 s for a department; the import with flags within twice
# the time of the same import before issue 14 (both are bound by SQLite page writes here).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/suraksha-bench.XXXXXX)
N=${N:-50000}
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$ROOT/suraksha" init --data "$T/data" --demo >/dev/null 2>&1
python3 - "$T" "$N" <<'PY'
import sys
t, n = sys.argv[1], int(sys.argv[2])
h = "employee_id,name,father_name,dob,gender,mobile,family_id,department_code,office_code,designation,pay_level,engagement_mode,head_of_account,monthly_remuneration,joining_date\n"
offices = [("PWD", "PWD-AMB-01"), ("PWD", "PWD-KNL-01"), ("HLT", "HLT-KKR-01"), ("HLT", "HLT-AMB-01")]
with open(f"{t}/treasury.csv", "w") as tr, open(f"{t}/hkrnl.csv", "w") as hk:
    tr.write(h); hk.write(h)
    for i in range(n):
        d, o = offices[i % 4]
        mob = f"9{i:09d}"
        if i % 10 == 3: mob = f"5{i:09d}"
        if i % 20 == 7: mob = "9000000007"
        hoa = "2059-80-001-97-51-01" if i % 20 == 11 else "2059-80-001-97-51-69"
        fam = f"F{i:08d}"
        row = f"B-{i},Name {i},Father {i},1985-01-01,F,{mob},{fam},{d},{o},Clerk,2,%s,{hoa},24000,2012-04-01\n"
        tr.write(row % "direct")
        if i % 20 == 5: fam2 = f"G{i:08d}"
        else: fam2 = fam
        hk.write((row % "hkrnl").replace(fam, fam2))
PY
now() { date +%s.%N; }
rate() { python3 -c "print(f'{$N / ($2 - $1):.0f}')"; }
t0=$(now); "$ROOT/suraksha" import --data "$T/data" --source treasury "$T/treasury.csv" >"$T/imp1" || true; t1=$(now)
echo "import of $N rows with flags: $(rate "$t0" "$t1") rows/s; $(tail -n 1 "$T/imp1")"
t0=$(now); "$ROOT/suraksha" import --data "$T/data" --source treasury "$T/treasury.csv" >"$T/imp2" || true; t1=$(now)
echo "re-import, nothing changes: $(rate "$t0" "$t1") rows/s"
t0=$(now); "$ROOT/suraksha" import --data "$T/data" --source hkrnl "$T/hkrnl.csv" >"$T/imp3" || true; t1=$(now)
echo "the other feed, Family IDs compared: $(rate "$t0" "$t1") rows/s; $(tail -n 1 "$T/imp3")"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ROOT/suraksha" serve --data "$T/data" --listen "127.0.0.1:$PORT" --log_level warn >"$T/server.log" 2>&1 &
PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.05; done
tok() { curl -s -X POST "$BASE/api/v1/login" -H 'Content-Type: application/json' \
    --data-binary "{\"username\":\"$1\",\"password\":\"suraksha-demo\"}" | jq -r .token; }
HOD=$(tok hod.pwd); ADMIN=$(tok admin); DDO=$(tok ddo.pwd.amb)
tm() { curl -s -o "$T/out" -w '%{time_total}' -H "Authorization: Bearer $1" "$BASE$2"; }
echo "dashboard JSON, HoD of PWD: $(tm "$HOD" /api/v1/dashboard/stuck) s ($(jq .total "$T/out") stuck) (target < 1 s)"
echo "dashboard CSV, admin, all departments: $(tm "$ADMIN" '/api/v1/dashboard/stuck?format=csv') s ($(($(wc -l <"$T/out") - 1)) rows)"
echo "dashboard JSON, DDO of one office: $(tm "$DDO" /api/v1/dashboard/stuck) s"
t=$(curl -s -o "$T/out" -w "%{time_total}" -H "Authorization: Bearer $HOD" \
    --form-string 'fields={"mobile":"9812300003"}' --form-string remarks=checked \
    -F "file=@$ROOT/tests/corpus/pdf_simple.pdf" "$BASE/api/v1/employees/B-13/certification")
echo "one certification (certificate through intake, shared-mobile check): $t s ($(jq -r '.can_log_in' "$T/out"))"
