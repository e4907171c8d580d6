#!/bin/sh
# make bench: every benchmark under tests/bench/ prints its figures beside its target.
# Figures are information, never a pass or fail of make check.
cd "$(dirname "$0")/../.." || exit 1
status=0
for b in tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	bash "$b" || { echo "benchmark $b did not run"; status=1; }
done
exit $status
