#!/bin/sh
# Opens every stage's window for the coming months, as an administrator's audited
# extension: registration 30 days from today, verification 60, posts 90, approval 120.
# The rules file's deadlines (RULES.md §4) are in the past on today's clock, so the demo
# (make run) and the tests that need open windows use this.
# usage: scripts/open-windows.sh [BIN] [DATA]
set -e
BIN=${1:-./suraksha}
DATA=${2:-storage}
days=30
for stage in registration verification posts approval; do
	"$BIN" cases extend --data "$DATA" --stage "$stage" \
	    --closes "$(TZ=Asia/Kolkata date -d "+$days days" '+%Y-%m-%d 23:59')" \
	    --reason "demo: windows open for the coming months" >/dev/null
	days=$((days + 30))
done
