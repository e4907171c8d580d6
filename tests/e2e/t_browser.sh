#!/usr/bin/env bash
# The pages in a real browser: Debian's chromium driven by playwright-core
# (tests/browser/run.mjs) against the real server on a demo data folder. Screenshots of
# each main page go to tests/out/screenshots/ for a person to look at.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/many_cases.sh"

sh "$ROOT/tests/browser/install.sh" || { fail "npm ci in tests/browser"; finish; exit 1; }
# A fresh Debian bookworm has nodejs 18.19 (18.20 with security updates): the pinned
# playwright-core must declare that it runs there, whatever node this machine carries.
BOOKWORM_NODE=18.19.0
engines=$(jq -r '.engines.node' "$ROOT/tests/browser/node_modules/playwright-core/package.json")
min=${engines#>=}
if [ "$(printf '%s\n%s\n' "$min" "$BOOKWORM_NODE" | sort -V | head -1)" = "$min" ]; then ok; else
	fail "playwright-core needs node $engines; Debian bookworm has $BOOKWORM_NODE"
fi
echo "node $(node --version), playwright-core $(jq -r .version "$ROOT/tests/browser/node_modules/playwright-core/package.json")"
init_demo
many_cases 300	# a DDO's real load: ddo.pwd.amb pages, sorts and searches them
open_windows
"$BIN" letter sample --data "$DATA" --hod hod.pwd --out "$T/letter.pdf" >/dev/null ||
	{ fail "sample letter"; finish; exit 1; }
# a short resend interval, so that the test sees the resend timer run out
start_server --otp_resend_interval 2
mkdir -p "$ROOT/tests/out/screenshots"
if BASE=$BASE DATA=$DATA LETTER=$T/letter.pdf CORPUS=$ROOT/tests/corpus \
    SHOTS=$ROOT/tests/out/screenshots node "$ROOT/tests/browser/run.mjs"; then
	ok
else
	fail "browser checks (above)"
fi
finish
