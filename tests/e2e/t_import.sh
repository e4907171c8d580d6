#!/usr/bin/env bash
# CSV import: a file with good and bad rows (each bad row named with its reason, good rows
# land), particulars an office certifies kept and flagged (issue 14), rows of an office
# missing from the master list held until it is added, idempotent re-runs, files refused
# whole, provenance and audit.
. "$(dirname "$0")/lib.sh"
"$BIN" init --data "$DATA" >/dev/null || exit 1
imp() { "$BIN" import --data "$DATA" "$@" >"$T/out" 2>"$T/err"; RC=$?; }
dump() { sqlite3 "$DATA/suraksha.db" "SELECT * FROM departments ORDER BY code; SELECT * FROM offices ORDER BY code; SELECT id, name, father_name, dob, gender, mobile, family_id, department_code, office_code, designation, pay_level, engagement_mode, head_of_account, monthly_remuneration, joining_date, source, import_id, updated_at FROM employees ORDER BY id"; }

imp --source offices "$ROOT/docs/demo/offices.csv"
check "offices import exits 0" test $RC -eq 0
check "four offices added" grep -q "4 rows: 4 added, 0 updated, 0 unchanged, 0 rejected" "$T/out"

cat >"$T/emp.csv" <<'CSV'
name,employee_id,father_name,dob,gender,mobile,family_id,department_code,office_code,designation,pay_level,engagement_mode,head_of_account,monthly_remuneration,joining_date,remarks
Good One,T-1,Father A,1980-01-01,F,+919876543210,ABCD1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,x
"Good, Two",T-2,"Father ""B""",1981-02-28,m,09876543211,ABCD12345,HLT,HLT-KKR-01,Nurse,6,direct,2210-01-110-99-51-69,35000,2019-08-15,
Bad Mobile,T-3,Father C,1982-03-03,F,5876543210,ABCD1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Bad Family,T-4,Father D,1982-03-03,F,9876543212,abcd1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Bad Head,T-5,Father E,1982-03-03,F,9876543213,ABCD1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-01-97-51-69,24000,2012-04-01,
Unknown Office,T-6,Father F,1982-03-03,F,9876543214,ABCD1234,PWD,PWD-XXX-99,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Bad Date,T-7,Father G,1982-02-30,F,9876543215,ABCD1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Bad Level,T-8,Father H,1982-03-03,F,9876543216,ABCD1234,PWD,PWD-AMB-01,Clerk,11,direct,2059-80-001-97-51-69,24000,2012-04-01,
Wrong Mode,T-9,Father I,1982-03-03,F,9876543217,ABCD1234,PWD,PWD-AMB-01,Clerk,2,hkrnl,2059-80-001-97-51-69,24000,2012-04-01,
Bad Id,T 10,Father J,1982-03-03,F,9876543218,ABCD1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Wrong Dept,T-11,Father K,1982-03-03,F,9876543219,ABCD1234,HLT,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Repeat,T-1,Father A,1980-01-01,F,9876543210,ABCD1234,PWD,PWD-AMB-01,Clerk,2,direct,2059-80-001-97-51-69,24000,2012-04-01,
Short Row,T-12
Many Faults,T-13,,1982-13-01,X,12,A,PWD,PWD-AMB-01,Clerk,0,direct,bad,-5,never,
CSV
imp --source treasury "$T/emp.csv"
check "some rows rejected: exit 1" test $RC -eq 1
check "unknown column reported" grep -q "unknown column 'remarks' ignored" "$T/out"
check "good rows added" grep -q "line 2: employee T-1: added" "$T/out"
check "quoted fields" grep -q "line 3: employee T-2: added" "$T/out"
check "bad mobile kept and flagged" grep -q "line 4: employee T-3: added; flagged: mobile '5876543210': not valid" "$T/out"
check "bad family id kept and flagged" grep -q "line 5: employee T-4: added; flagged: family_id 'abcd1234': not valid" "$T/out"
check "bad head of account kept and flagged" grep -q "line 6: employee T-5: added; flagged: head_of_account '2059-80-01-97-51-69': not valid" "$T/out"
check "unknown office held, never created" grep -q "line 7: employee T-6: held: office_code 'PWD-XXX-99' of department_code 'PWD' is not in the master list" "$T/out"
check "no office made" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM offices WHERE code = 'PWD-XXX-99'")" = 0
check "impossible date" grep -q "line 8: employee T-7: rejected: dob '1982-02-30'" "$T/out"
check "pay level range" grep -q "line 9: employee T-8: rejected: pay_level '11'" "$T/out"
check "engagement mode against the feed" grep -q "line 10: employee T-9: rejected: engagement_mode 'hkrnl' must be direct" "$T/out"
check "bad id" grep -q "line 11: employee ?: rejected: employee_id 'T 10'" "$T/out"
check "office of another department" grep -q "line 12: employee T-11: rejected: office_code 'PWD-AMB-01' belongs to another department" "$T/out"
check "repeated id" grep -q "line 13: employee T-1: rejected: 'T-1' appears again (first on line 2)" "$T/out"
check "short row" grep -q "line 14: rejected: the row has 2 fields" "$T/out"
check "every fault of a row listed" sh -c "grep 'line 15' '$T/out' | grep -q 'father_name' && grep 'line 15' '$T/out' | grep -q 'dob' && grep 'line 15' '$T/out' | grep -q 'gender' && grep 'line 15' '$T/out' | grep -q 'joining_date'"
check "summary" grep -q "14 rows: 5 added, 0 updated, 0 unchanged, 8 rejected, 3 flagged, 1 held" "$T/out"
check "good rows landed, prefixes stripped, an invalid mobile not stored" test "$(sqlite3 "$DATA/suraksha.db" "SELECT group_concat(id || '=' || mobile || '=' || gender, ' ') FROM employees")" = "T-1=9876543210=F T-2=9876543211=M T-3==F T-4=9876543212=F T-5=9876543213=F"
check "flags stored" test "$(sqlite3 "$DATA/suraksha.db" "SELECT group_concat(employee_id || ':' || particular || ':' || reason, ' ') FROM employee_flags WHERE closed_at IS NULL ORDER BY employee_id")" = "T-3:mobile:invalid T-4:family_id:invalid T-5:head_of_account:invalid"
check "held row stored" test "$(sqlite3 "$DATA/suraksha.db" "SELECT employee_id || ':' || office_code || ':' || line FROM import_held WHERE taken_at IS NULL")" = "T-6:PWD-XXX-99:7"
check "flags audited" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM audit WHERE action = 'employee.flag'")" = 3
check "quotes kept" test "$(sqlite3 "$DATA/suraksha.db" "SELECT name || '|' || father_name FROM employees WHERE id = 'T-2'")" = 'Good, Two|Father "B"'

# Running it twice changes nothing.
d1=$(dump)
imp --source treasury "$T/emp.csv"
check "second run: unchanged" grep -q "14 rows: 0 added, 0 updated, 5 unchanged, 8 rejected" "$T/out"
check "second run: no new flags" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM employee_flags")" = 3
check "second run changed no data" test "$d1" = "$(dump)"
imp --source offices "$ROOT/docs/demo/offices.csv"
check "offices second run unchanged" grep -q "4 rows: 0 added, 0 updated, 4 unchanged, 0 rejected" "$T/out"
check "offices second run changed no data" test "$d1" = "$(dump)"
# A changed row updates, with its audit record holding before and after.
sed 's/Good One,T-1,Father A,1980-01-01,F,+919876543210/Good One,T-1,Father A,1980-01-01,F,+919876500000/' "$T/emp.csv" >"$T/emp2.csv"
imp --source treasury "$T/emp2.csv"
check "changed row updated" grep -q "line 2: employee T-1: updated" "$T/out"
check "audit holds before and after" test "$(sqlite3 "$DATA/suraksha.db" "SELECT json_extract(before, '$.mobile') || '>' || json_extract(after, '$.mobile') FROM audit WHERE action = 'employee.update'")" = "9876543210>9876500000"
check "provenance recorded" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM imports WHERE source = 'treasury' AND length(file_sha256) = 64")" = 3
check "employee row names its import" test "$(sqlite3 "$DATA/suraksha.db" "SELECT source || ':' || import_id FROM employees WHERE id = 'T-1'")" = "treasury:$(sqlite3 "$DATA/suraksha.db" "SELECT max(id) FROM imports")"

# Files refused whole: nothing changes.
d1=$(dump)
cut -d, -f1-14 "$T/emp.csv" >"$T/missing.csv"
imp --source treasury "$T/missing.csv"
check "missing column: exit 2" test $RC -eq 2
check "missing column named" grep -q "required column 'joining_date' is missing" "$T/err"
printf 'employee_id,employee_id\nA,B\n' >"$T/dup.csv"
imp --source hkrnl "$T/dup.csv"
check "duplicate column: exit 2" test $RC -eq 2
head -3 "$T/emp.csv" >"$T/quote.csv"; printf 'X,"unclosed\n' >>"$T/quote.csv"
imp --source treasury "$T/quote.csv"
check "unclosed quote: exit 2, nothing imported" sh -c "test $RC -eq 2 && grep -q 'not closed' '$T/err'"
: >"$T/empty.csv"
imp --source treasury "$T/empty.csv"
check "empty file: exit 2" test $RC -eq 2
imp --source payroll "$T/emp.csv"
check "unknown source: exit 2" test $RC -eq 2
imp --source treasury "$T/no-such-file.csv"
check "missing file: exit 2" test $RC -eq 2
check "refused files changed nothing" test "$d1" = "$(dump)"

# The other feed disagrees on a Family ID; a new employee shares another's mobile.
cat >"$T/hk.csv" <<'CSV'
employee_id,name,father_name,dob,gender,mobile,family_id,department_code,office_code,designation,pay_level,engagement_mode,head_of_account,monthly_remuneration,joining_date
T-1,Good One,Father A,1980-01-01,F,9876500000,ABCD9999,PWD,PWD-AMB-01,Clerk,2,hkrnl,2059-80-001-97-51-69,24000,2012-04-01
H-1,Hk One,Father H,1990-01-01,M,9876543211,HKRN0001,PWD,PWD-AMB-01,Mason,1,hkrnl,2059-80-001-97-51-01,15000,2018-01-01
CSV
imp --source hkrnl "$T/hk.csv"
check "feeds differ: flagged" grep -q "line 2: employee T-1: updated; flagged: family_id 'ABCD9999': the other feed says otherwise" "$T/out"
check "not contractual: flagged" grep -q "line 3: employee H-1: added; flagged: head_of_account '2059-80-001-97-51-01': not the contractual" "$T/out"
check "shared mobile reported" grep -q "shared mobiles: 2 employees flagged" "$T/out"
check "shared mobile on both" test "$(sqlite3 "$DATA/suraksha.db" "SELECT group_concat(employee_id, ' ') FROM (SELECT employee_id FROM employee_flags WHERE reason = 'shared' AND closed_at IS NULL ORDER BY employee_id)")" = "H-1 T-2"
check "both feeds kept" test "$(sqlite3 "$DATA/suraksha.db" "SELECT group_concat(source || '=' || family_id, ' ') FROM (SELECT * FROM employee_feeds WHERE employee_id = 'T-1' ORDER BY source)")" = "hkrnl=ABCD9999 treasury=ABCD1234"
# A re-import that corrects a particular clears its flag, audited.
sed -e 's/^Bad Mobile,T-3,Father C,1982-03-03,F,5876543210/Bad Mobile,T-3,Father C,1982-03-03,F,9876543230/' "$T/emp2.csv" >"$T/emp3.csv"
imp --source treasury "$T/emp3.csv"
check "corrected row updated, no flag" grep -q "line 4: employee T-3: updated$" "$T/out"
check "flag closed by the feed" test "$(sqlite3 "$DATA/suraksha.db" "SELECT closed_how FROM employee_flags WHERE employee_id = 'T-3'")" = feed_corrected
check "flag clearing audited" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM audit WHERE action = 'employee.flag_clear' AND case_id = 'T-3'")" = 1
# The administrator adds the missing office: the held row is taken.
printf 'office_code,office_name,department_code,department_name,ddo_code,district\nPWD-XXX-99,New Division,PWD,Public Works Department (Buildings & Roads),DDO-PWD-0999,Ambala\n' >"$T/newoffice.csv"
imp --source offices "$T/newoffice.csv"
check "held row taken" grep -q "held row (import [0-9]*, line 7): employee T-6: added" "$T/out"
check "held employee exists" test "$(sqlite3 "$DATA/suraksha.db" "SELECT office_code FROM employees WHERE id = 'T-6'")" = PWD-XXX-99
check "held row marked taken" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM import_held WHERE taken_at IS NULL")" = 0
check "audit chain intact after imports" "$BIN" audit verify --data "$DATA"
finish
