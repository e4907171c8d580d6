#!/bin/bash
# Throughput of `suraksha rules eval --batch`, JSON in and out included: 120,000 synthetic,
# varied cases (1-5 spells, unpaid intervals, exclusions, missing fields, both modes),
# generated deterministically (Park-Miller generator, fixed seed, so any awk gives the same
# file). Prints cases per second; the target is 100,000/s on one core. Never fails on speed.
# Cases are read by jansson (json_loadb with JSON_REJECT_DUPLICATES) over an arena allocator
# (rules_cmd.c); jansson's lexer and hash tables are about two thirds of the time.
set -eu
cd "$(dirname "$0")/../.."
N=${RULES_BENCH_CASES:-120000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ -x ./suraksha ] || make -s suraksha

awk -v n="$N" 'function r(m) { seed = (seed * 16807) % 2147483647; return seed % m }
function d(y) { return sprintf("\"%04d-%02d-%02d\"", y, 1 + r(12), 1 + r(28)) }
BEGIN {
	seed = 20240815
	for (i = 0; i < n; i++) {
		s = "{"
		if (r(50)) s = s "\"dob\":" d(1960 + r(40)) ","
		mode = r(3) ? "direct" : "hkrnl"
		if (r(60)) s = s "\"engagement_mode\":\"" mode "\","
		if (mode == "direct" || r(2)) s = s "\"monthly_remuneration\":" (12000 + r(45000)) ","
		s = s "\"centrally_sponsored\":" (r(20) ? "false" : "true") ","
		s = s "\"part_time\":" (r(25) ? "false" : "true") ","
		s = s "\"marriage_clause\":" (r(40) ? "false" : "true") ","
		if (r(2)) s = s "\"marriage_exemption\":" (r(2) ? "false" : "true") ","
		s = s "\"pay_level\":" (1 + r(10)) ","
		ns = 1 + r(5); y = 1995 + r(20)
		s = s "\"spells\":["
		for (k = 0; k < ns; k++) {
			from = d(y); y += 1 + r(5); last = (k == ns - 1)
			to = (last && r(4)) ? "null" : d(y)
			kind = r(10) ? (mode == "hkrnl" ? "hkrnl" : "contract") : "hssc_regular"
			s = s (k ? "," : "") "{\"from\":" from ",\"to\":" to ",\"kind\":\"" kind \
			    "\",\"organisation\":\"Dept " r(90) "\"}"
			y += r(2) + 1
			if (y > 2024) y = 2024
		}
		s = s "]"
		nu = r(3)
		if (nu) {
			s = s ",\"unpaid\":["
			for (k = 0; k < nu; k++) {
				uy = 1996 + r(28)
				s = s (k ? "," : "") "{\"from\":" sprintf("\"%04d-%02d-01\"", uy, 1 + r(6)) \
				    ",\"to\":" sprintf("\"%04d-%02d-15\"", uy, 7 + r(6)) "}"
			}
			s = s "]"
		}
		print s "}"
	}
}' >"$T/cases.jsonl"

[ -n "${RULES_BENCH_KEEP:-}" ] && cp "$T/cases.jsonl" "$RULES_BENCH_KEEP"
bytes=$(wc -c <"$T/cases.jsonl")
start=$(date +%s.%N)
rc=0
./suraksha rules eval --batch --data "$T/none" "$T/cases.jsonl" >"$T/out.jsonl" 2>"$T/err" || rc=$?
end=$(date +%s.%N)
[ $rc -eq 0 ] || { echo "rules bench: exit $rc: $(head -3 "$T/err")"; exit 1; }
lines=$(wc -l <"$T/out.jsonl")
awk -v n="$N" -v s="$start" -v e="$end" -v b="$bytes" -v l="$lines" 'BEGIN {
	t = e - s
	printf "rules eval --batch: %d cases (%.1f MB in), %d outcomes, %.3f s, %.0f cases/s\n",
	    n, b / 1e6, l, t, n / t
}'
sort "$T/out.jsonl" | cut -c1-40 | sed 's/,"reasons.*//' | sort | uniq -c | sed 's/^/  /'
