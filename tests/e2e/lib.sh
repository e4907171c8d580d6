# Shared by the end-to-end tests: a fresh data folder, the real server on a free loopback
# port, curl requests, and checks that count and fail loudly. Source it from a t_*.sh.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/suraksha
T=$(mktemp -d /tmp/suraksha-e2e.XXXXXX)
DATA=$T/data
SERVER_PID=
CHECKS=0
FAILS=0
# Keep password hashing cheap in tests; the production default stays in the config table.
export SURAKSHA_SCRYPT_LOG2N=${SURAKSHA_SCRYPT_LOG2N:-12}
# Every test comes from 127.0.0.1: the per-address flood limits (issue 11) are opened wide
# here, and t_flood.sh sets them back to what it tests.
export SURAKSHA_AUTH_IP_PER_MINUTE=${SURAKSHA_AUTH_IP_PER_MINUTE:-100000}
export SURAKSHA_AUTH_IP_BURST=${SURAKSHA_AUTH_IP_BURST:-100000}
export SURAKSHA_AUTH_GLOBAL_PER_SECOND=${SURAKSHA_AUTH_GLOBAL_PER_SECOND:-100000}
export SURAKSHA_VERIFY_IP_PER_MINUTE=${SURAKSHA_VERIFY_IP_PER_MINUTE:-100000}
export SURAKSHA_VERIFY_IP_BURST=${SURAKSHA_VERIFY_IP_BURST:-100000}
export SURAKSHA_VERIFY_GLOBAL_PER_SECOND=${SURAKSHA_VERIFY_GLOBAL_PER_SECOND:-100000}
export SURAKSHA_LOGIN_KDF_CONCURRENCY=${SURAKSHA_LOGIN_KDF_CONCURRENCY:-16}
export SURAKSHA_OTP_SMS_MAX_PER_HOUR=${SURAKSHA_OTP_SMS_MAX_PER_HOUR:-1000}

cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	if [ "$FAILS" -eq 0 ]; then rm -rf "$T"; else echo "kept $T for a look"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }
check() { # check DESCRIPTION COMMAND...
	local what=$1; shift
	if "$@" >/dev/null; then ok; else fail "$what"; fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Every stage's window open for the coming months (RULES.md §4's deadlines have passed on
# today's clock): an administrator's extension, audited, as in the demo.
open_windows() { sh "$ROOT/scripts/open-windows.sh" "$BIN" "$DATA" || { echo "cannot open windows"; exit 1; }; }

init_demo() { "$BIN" init --data "$DATA" --demo >"$T/init.log" 2>&1 || { cat "$T/init.log"; exit 1; }; }

start_server() { # extra args are passed to serve
	PORT=$(free_port)
	BASE=http://127.0.0.1:$PORT
	"$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" "$@" >>"$T/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 1 100); do
		curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "server did not start:"; cat "$T/server.log"; exit 1
}

stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill -TERM "$SERVER_PID"
	wait "$SERVER_PID"
	local rc=$?
	SERVER_PID=
	return $rc
}

# req METHOD PATH [BODY] [curl args...]: sets STATUS, BODY, HEADERS.
req() {
	local method=$1 path=$2 body=${3-}
	shift 3 2>/dev/null || shift $#
	local args=(-s -o "$T/body" -D "$T/headers" -w '%{http_code}' -X "$method")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	STATUS=$(curl "${args[@]}" "$@" "$BASE$path")
	BODY=$(tr -d '\000' <"$T/body")
	HEADERS=$(cat "$T/headers")
}

# As a logged-in user: areq TOKEN METHOD PATH [BODY] [curl args...]
areq() {
	local tok=$1; shift
	local method=$1 path=$2 body=${3-}
	shift 3 2>/dev/null || shift $#
	req "$method" "$path" "$body" -H "Authorization: Bearer $tok" "$@"
}

expect_status() { # expect_status CODE [what]
	if [ "$STATUS" = "$1" ]; then ok; else fail "${2:-request}: status $STATUS, want $1; body: ${BODY:0:300}"; fi
}
expect_json() { # expect_json JQ-FILTER [what]
	if jq -e "$1" >/dev/null 2>&1 <<<"$BODY"; then ok; else fail "${2:-body} does not satisfy $1: ${BODY:0:300}"; fi
}
expect_error() { # expect_error STATUS CODE [what]
	expect_status "$1" "${3:-}"
	expect_json ".error.code == \"$2\" and (.error.message | length > 0)" "${3:-error}"
}

login() { # login USER [PASSWORD] -> prints token
	local pw=${2:-suraksha-demo}
	curl -s -X POST "$BASE/api/v1/login" -H 'Content-Type: application/json' \
	    --data-binary "{\"username\":\"$1\",\"password\":\"$pw\"}" | jq -r .token
}

last_otp() { tail -n 1 "$DATA/outbox/sms.jsonl" | jq -r .otp; }

otp_login() { # otp_login EMPLOYEE FAMILY -> prints token
	curl -s -X POST "$BASE/api/v1/otp/request" -H 'Content-Type: application/json' \
	    --data-binary "{\"employee_id\":\"$1\",\"family_id\":\"$2\"}" >/dev/null
	local code; code=$(tail -n 1 "$DATA/outbox/sms.jsonl" | jq -r "select(.employee_id == \"$1\") | .otp")
	curl -s -X POST "$BASE/api/v1/otp/verify" -H 'Content-Type: application/json' \
	    --data-binary "{\"employee_id\":\"$1\",\"otp\":\"$code\"}" | jq -r .token
}

finish() {
	# Under make SANITIZE=1 the server reports memory errors and leaks in its log. The one
	# report expected is the PDF parser's child reaching its memory cap (a hostile PDF),
	# which intake turns into a refusal.
	local pat='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:'
	if [ -f "$T/server.log" ] && grep -E "$pat" "$T/server.log" | grep -qv 'allocator is out of memory'; then
		fail "sanitizer report in the server log:"
		grep -E -A 20 -m 3 "$pat" "$T/server.log" | head -60
	fi
	echo "$CHECKS checks passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}
