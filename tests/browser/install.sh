#!/bin/sh
# Installs the browser tests' npm packages (playwright-core, pinned in package-lock.json)
# into tests/browser/node_modules, only when missing or out of date. Never downloads a
# browser: the tests drive Debian's chromium (scripts/deps.sh installs it).
set -e
cd "$(dirname "$0")"
stamp=node_modules/.lock-installed
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
	exit 0
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
cp package-lock.json "$stamp"
