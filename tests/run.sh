#!/bin/sh
# Runs test programs (cmocka binaries, end-to-end shell scripts), each one a test item;
# keeps each one's output under tests/out/ and prints the plain closing line
# "N passed, N failed". Exit 1 when any failed.
kind=$1; shift
mkdir -p tests/out
pass=0; fail=0; failed=""
for t in "$@"; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log="tests/out/$name.log"
	start=$(date +%s)
	case "$t" in
	*.sh) bash "$t" >"$log" 2>&1 ;;
	*) "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "PASS $name (${secs}s)"
	else
		fail=$((fail + 1)); failed="$failed $name"; echo "FAIL $name (${secs}s, rc $rc)"
		tail -n 30 "$log" | sed 's/^/    /'
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
