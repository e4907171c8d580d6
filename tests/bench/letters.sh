#!/bin/sh
# Letters benchmark: render+sign and verify throughput on one core, mean letter size.
# Targets: >= 1300 letters/s, <= 32 KB a letter, >= 2000 verifications/s. Then the portal
# seal through the signer process (key in a SoftHSM2 token) without and with a B-T
# timestamp from `suraksha tsa` on loopback. Prints figures, never fails on them.
# Usage: sh tests/bench/letters.sh [N]   (from the repository root)
set -e
make -s build/std/libsuraksha.a
out=build/std/bench/letters_bench
mkdir -p build/std/bench
# shellcheck disable=SC2046
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc $(pkg-config --cflags libcrypto jansson) \
    -o "$out" tests/bench/letters_bench.c build/std/libsuraksha.a \
    $(pkg-config --libs libqpdf libqrencode libcrypto jansson libcurl libmicrohttpd) \
    -lhpdf -lpthread -lm
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
echo "letters bench ($(nproc) cores here, pinned to one: ${pin:-no})"
make -s suraksha
D=$(mktemp -d /tmp/bench-letters.XXXXXX)
./suraksha init --data "$D/data" >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
./suraksha tsa --data "$D/data" --listen "127.0.0.1:$port" >"$D/tsa.log" 2>&1 &
tsa=$!
trap 'kill $tsa 2>/dev/null; rm -rf "$D"' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.05; done
$pin "$out" "${1:-2000}" "$D/data" "http://127.0.0.1:$port/"
