#!/bin/sh
# Install the Debian bookworm packages suraksha builds and tests with, only those missing.
# Every dependency of the project is named here (README, "Dependencies").
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev
libmicrohttpd-dev libsqlite3-dev libssl-dev libjansson-dev libmagic-dev libarchive-dev
libhpdf-dev libqrencode-dev libqpdf-dev libpng-dev libjpeg-dev libcurl4-openssl-dev
libcmocka-dev libp11-kit-dev softhsm2 opensc
curl jq sqlite3 openssl poppler-utils qpdf libnss3-tools wrk zip unzip imagemagick
clamav-daemon
python3 file
chromium nodejs fonts-lohit-deva"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# npm comes with NodeSource's nodejs, separately with Debian's
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# The browser tests' npm package (playwright-core, pinned by tests/browser/package-lock.json).
sh "$(dirname "$0")/../tests/browser/install.sh"
