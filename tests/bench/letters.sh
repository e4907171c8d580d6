#!/bin/sh
# Letters benchmark: render+sign and verify throughput on one core, mean letter size.
# Targets: >= 1300 letters/s, <= 32 KB a letter, >= 2000 verifications/s. Prints figures,
# never fails on them. Usage: sh tests/bench/letters.sh [N]   (from the repository root)
set -e
make -s build/std/libsuraksha.a
out=build/std/bench/letters_bench
mkdir -p build/std/bench
# shellcheck disable=SC2046
cc -std=c17 -D_GNU_SOURCE -O2 -g -Isrc $(pkg-config --cflags libcrypto jansson) \
    -o "$out" tests/bench/letters_bench.c build/std/libsuraksha.a \
    $(pkg-config --libs libqpdf libqrencode libcrypto jansson) -lhpdf -lpthread -lm
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
echo "letters bench ($(nproc) cores here, pinned to one: ${pin:-no})"
$pin "$out" "${1:-2000}"
