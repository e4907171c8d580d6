#!/bin/bash
# `suraksha rules eval|show` on the golden cases of tests/rules/ (see its README): the real
# binary, outputs compared with jq -S, batch mode, stdin, parameter files, malformed input.
set -u
cd "$(dirname "$0")/../.."
S=./suraksha
G=tests/rules
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
same_json() { # file-or-text-a file-b: equal as JSON
	[ "$(jq -S . <<<"$1")" = "$(jq -S . "$2")" ]
}

# Golden cases, one file each.
n=0
for in in "$G"/*.json; do
	case "$in" in *.out.json) continue ;; esac
	name=$(basename "$in" .json)
	want="$G/$name.out.json"
	[ -f "$want" ] || { fail "$name: no $want"; continue; }
	args=()
	[ -f "$G/$name.rules" ] && args=(--rules "$G/$name.rules")
	got=$($S rules eval "${args[@]}" --data "$T/none" "$in" 2>"$T/err")
	rc=$?
	[ $rc -eq 0 ] || { fail "$name: exit $rc: $(cat "$T/err")"; continue; }
	# Always the same keys, in a fixed order, on one line.
	keys=$(jq -c 'keys_unsorted' <<<"$got")
	[ "$keys" = '["outcome","reasons","qualifying_years","band_percent","entry_pay","additional","consolidated","periods"]' ] ||
		fail "$name: keys $keys"
	same_json "$got" "$want" || { fail "$name: got $got"; diff <(jq -S . <<<"$got") <(jq -S . "$want"); }
	n=$((n + 1))
done
[ $n -ge 6 ] || fail "only $n golden cases ran"
echo "golden: $n cases"

# Stdin.
got=$($S rules eval --data "$T/none" - <"$G/api_example.json") || fail "stdin: exit $?"
same_json "$got" "$G/api_example.out.json" || fail "stdin: got $got"

# Malformed cases: exit 2, the fault named on stderr, nothing on stdout.
for in in "$G"/bad/*.json; do
	name=$(basename "$in" .json)
	out=$($S rules eval --data "$T/none" "$in" 2>"$T/err")
	rc=$?
	[ $rc -eq 2 ] || fail "bad/$name: exit $rc, want 2"
	[ -z "$out" ] || fail "bad/$name: printed $out"
	grep -qF -- "$(cat "$G/bad/$name.err")" "$T/err" ||
		fail "bad/$name: stderr '$(cat "$T/err")' lacks '$(cat "$G/bad/$name.err")'"
done
$S rules eval --data "$T/none" "$T/absent.json" 2>/dev/null; [ $? -eq 2 ] || fail "absent file: not exit 2"
$S rules eval --data "$T/none" 2>/dev/null; [ $? -eq 2 ] || fail "no file: not exit 2"
$S rules eval --bogus x 2>/dev/null; [ $? -eq 2 ] || fail "unknown option: not exit 2"
$S rules frobnicate 2>/dev/null; [ $? -eq 2 ] || fail "unknown subcommand: not exit 2"
$S rules eval --help | grep -q -- "--batch" || fail "--help lacks --batch"

# Batch: the golden inputs one a line, a malformed line 3 and an empty line 6.
{
	jq -c . "$G/api_example.json"
	jq -c . "$G/joined_2019_08_15.json"
	echo '{"pay_level": 0}'
	jq -c . "$G/incomplete.json"
	jq -c . "$G/overlap_hssc.json"
	echo ''
	jq -c . "$G/joined_2019_08_16_aged.json"
} >"$T/batch.jsonl"
$S rules eval --batch --data "$T/none" "$T/batch.jsonl" >"$T/out.jsonl" 2>"$T/err"
rc=$?
[ $rc -eq 2 ] || fail "batch with a bad line: exit $rc, want 2"
[ "$(wc -l <"$T/out.jsonl")" -eq 7 ] || fail "batch: $(wc -l <"$T/out.jsonl") lines, want 7"
line() { sed -n "${1}p" "$T/out.jsonl"; }
same_json "$(line 1)" "$G/api_example.out.json" || fail "batch line 1: $(line 1)"
same_json "$(line 2)" "$G/joined_2019_08_15.out.json" || fail "batch line 2: $(line 2)"
[ "$(line 3 | jq -c '[.error.code, .error.line]')" = '["malformed",3]' ] || fail "batch line 3: $(line 3)"
line 3 | jq -r .error.message | grep -q 'pay_level: 0 outside 1-10' || fail "batch line 3 message: $(line 3)"
same_json "$(line 4)" "$G/incomplete.out.json" || fail "batch line 4: $(line 4)"
same_json "$(line 5)" "$G/overlap_hssc.out.json" || fail "batch line 5: $(line 5)"
[ "$(line 6 | jq -c '.error.line')" = 6 ] || fail "batch line 6 (empty): $(line 6)"
same_json "$(line 7)" "$G/joined_2019_08_16_aged.out.json" || fail "batch line 7: $(line 7)"
grep -q '^suraksha rules eval: line 3: ' "$T/err" || fail "batch: stderr lacks line 3: $(cat "$T/err")"

# Batch without faults exits 0, also from stdin; no final newline on the last line is fine.
grep -v '^$' "$T/batch.jsonl" | grep -v '"pay_level": 0' | head -c -1 >"$T/good.jsonl"
$S rules eval --batch --data "$T/none" - <"$T/good.jsonl" >"$T/out2.jsonl" || fail "good batch: exit $?"
[ "$(wc -l <"$T/out2.jsonl")" -eq 5 ] || fail "good batch: $(wc -l <"$T/out2.jsonl") lines"
same_json "$(sed -n 5p "$T/out2.jsonl")" "$G/joined_2019_08_16_aged.out.json" || fail "good batch line 5"

# A line over 1 MiB is reported and skipped to its newline; CRLF line ends are fine.
{
	printf '{"dob": "'; head -c 1100000 /dev/zero | tr '\0' x; printf '"}\n'
	jq -c . "$G/api_example.json" | sed 's/$/\r/'
	printf '{"dob": "'; head -c 1100000 /dev/zero | tr '\0' y; printf '"}'
} >"$T/long.jsonl"
$S rules eval --batch --data "$T/none" "$T/long.jsonl" >"$T/out3.jsonl" 2>/dev/null
[ $? -eq 2 ] || fail "long line: not exit 2"
[ "$(wc -l <"$T/out3.jsonl")" -eq 3 ] || fail "long line: $(wc -l <"$T/out3.jsonl") lines"
[ "$(sed -n 1p "$T/out3.jsonl" | jq -c '[.error.line, .error.message]')" = '[1,"line longer than 1 MiB"]' ] ||
	fail "long line 1: $(sed -n 1p "$T/out3.jsonl" | head -c 200)"
same_json "$(sed -n 2p "$T/out3.jsonl")" "$G/api_example.out.json" || fail "after a long line"
[ "$(sed -n 3p "$T/out3.jsonl" | jq -c '.error.line')" = 3 ] || fail "long last line"
head -n 1 "$T/long.jsonl" >"$T/long.json"
$S rules eval --data "$T/none" "$T/long.json" >/dev/null 2>"$T/err"
[ $? -eq 2 ] || fail "long single case: not exit 2"
grep -q "larger than 1 MiB" "$T/err" || fail "long single case: $(cat "$T/err")"

# Parameters: show prints the defaults; its output is a valid file; <data>/rules.conf is
# used when present; --rules wins over it; a bad file exits 2 naming the line.
$S rules show --data "$T/none" >"$T/show.conf" || fail "show: exit $?"
grep -qx 'min_paid_days = 240' "$T/show.conf" || fail "show lacks min_paid_days = 240"
grep -qx 'entry_pay.2 = 19900' "$T/show.conf" || fail "show lacks entry_pay.2"
grep -qx 'deadline.registration = 2026-01-31 23:59' "$T/show.conf" || fail "show lacks deadline"
$S rules show --rules "$T/show.conf" --data "$T/none" | cmp -s - "$T/show.conf" || fail "show round trip"
mkdir -p "$T/data"
sed 's/^year_basis = service$/year_basis = calendar/' "$T/show.conf" >"$T/data/rules.conf"
got=$($S rules eval --data "$T/data" "$G/joined_2019_08_15.json") || fail "data rules: exit $?"
same_json "$got" "$G/calendar_joined_2019_08_15.out.json" || fail "<data>/rules.conf not used: $got"
got=$($S rules eval --data "$T/data" --rules "$T/show.conf" "$G/joined_2019_08_15.json")
same_json "$got" "$G/joined_2019_08_15.out.json" || fail "--rules does not win: $got"
printf 'min_years = 5\nmin_yeras = 6\n' >"$T/bad.conf"
$S rules show --rules "$T/bad.conf" >/dev/null 2>"$T/err"
[ $? -eq 2 ] || fail "bad rules file: not exit 2"
grep -qF "$T/bad.conf:2: unknown parameter 'min_yeras'" "$T/err" || fail "bad rules: $(cat "$T/err")"
printf 'min_years = 6\n' >"$T/data/rules.conf"
got=$($S rules eval --data "$T/data" "$G/joined_2019_08_15.json")
[ "$(jq -c '[.outcome, .reasons]' <<<"$got")" = '["ineligible",["insufficient_service"]]' ] ||
	fail "min_years = 6 not applied: $got"

if [ $fails -ne 0 ]; then
	echo "$fails failure(s)"
	exit 1
fi
echo "ok"
