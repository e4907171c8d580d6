#!/usr/bin/env bash
# Issue 11, items 1, 2 and 7: floods are refused before the password hash and /healthz
# stays up; lockouts cannot be aimed at someone else (a wrong Family ID from another
# address, a wrong password from another address); an unknown name locks out exactly like
# a known one; every 429 carries Retry-After. Source addresses 127.0.0.x stand for
# different clients (Linux routes all of 127/8 to the loopback).
. "$(dirname "$0")/lib.sh"
init_demo
ATTACK="python3 $ROOT/tests/tools/attack.py"
# The limits under test, back to production-like values; a realistic password-hash cost
# for the unknown names the flood uses (known accounts keep their cheap test hashes).
export SURAKSHA_AUTH_IP_PER_MINUTE=30 SURAKSHA_AUTH_IP_BURST=8 SURAKSHA_AUTH_GLOBAL_PER_SECOND=10
export SURAKSHA_LOGIN_KDF_CONCURRENCY=1 SURAKSHA_LOGIN_KDF_QUEUE=4 SURAKSHA_SCRYPT_LOG2N=16
start_server

# --- 1. a login flood from eight addresses, 24 clients, 2 seconds
t0=$(date +%s.%N)
$ATTACK login-flood "$PORT" 2 24 >"$T/flood.json"
echo "flood took $(echo "$(date +%s.%N) - $t0" | bc)s"
cat "$T/flood.json"
BODY=$(cat "$T/flood.json")
expect_json '.healthz_failures == 0' "healthz answered every probe during the flood"
expect_json '.logins["429"] > 0' "the flood was refused with 429"
expect_json '."429_without_retry_after" == 0' "every 429 carries Retry-After"
# At most the global bucket's burst (2 s) and 2 s of its rate reach the password hash.
expect_json '(.logins["401"] // 0) <= 60' "few flood requests reached the password hash"
expect_json '[.logins | keys[] | select(startswith("error"))] == []' "no flood request failed"

# Once the flood stops, a real login works again (the buckets refill).
sleep 1
req POST /api/v1/login '{"username":"ddo.pwd.amb","password":"suraksha-demo"}'
expect_status 200 "login after the flood"

# --- 2a. staff lockout is per address and account: 127.0.0.20 locks itself out of
# hod.pwd, the real hod.pwd still logs in from 127.0.0.1.
for i in 1 2 3 4 5; do
	req POST /api/v1/login '{"username":"hod.pwd","password":"not-the-password"}' --interface 127.0.0.20
done
expect_error 401 invalid_credentials "fifth wrong password"
req POST /api/v1/login '{"username":"hod.pwd","password":"suraksha-demo"}' --interface 127.0.0.20
expect_error 429 account_locked "locked for the attacking address"
check "Retry-After on account_locked" grep -qiE '^Retry-After: [0-9]+' <<<"$HEADERS"
known_locked=$(jq -c .error.code <<<"$BODY")
req POST /api/v1/login '{"username":"hod.pwd","password":"suraksha-demo"}'
expect_status 200 "the real hod still logs in from their own address"
# An unknown name locks exactly as a known one: the answer tells no name exists.
for i in 1 2 3 4 5; do
	req POST /api/v1/login '{"username":"hod.nobody","password":"not-the-password"}' --interface 127.0.0.25
done
req POST /api/v1/login '{"username":"hod.nobody","password":"whatever-else"}' --interface 127.0.0.25
expect_error 429 account_locked "an unknown name locks the same way"
check "known and unknown names lock alike" test "$known_locked" = "$(jq -c .error.code <<<"$BODY")"

# --- 2b. a wrong-Family-ID storm against UCP-10001 from 127.0.0.21 and .22
for src in 127.0.0.21 127.0.0.22; do
	for i in 1 2 3 4 5 6 7; do
		req POST /api/v1/otp/request '{"employee_id":"UCP-10001","family_id":"PPP99999Z"}' --interface $src
	done
done
expect_error 429 too_many_requests "the storm is limited"
check "Retry-After on the OTP limit" grep -qiE '^Retry-After: [0-9]+' <<<"$HEADERS"
req POST /api/v1/otp/request '{"employee_id":"UCP-10001","family_id":"PPP10001A"}'
expect_status 202 "the real employee still gets a code"
code=$(last_otp)
req POST /api/v1/otp/verify "{\"employee_id\":\"UCP-10001\",\"otp\":\"$code\"}"
expect_status 200 "and logs in"
# The same storm from the employee's own address does not block them either.
for i in 1 2 3 4 5 6; do
	req POST /api/v1/otp/request '{"employee_id":"UCP-10002","family_id":"PPP00000X"}' --interface 127.0.0.24
done
req POST /api/v1/otp/request '{"employee_id":"UCP-10002","family_id":"PPP10002A"}' --interface 127.0.0.24
expect_status 202 "a wrong Family ID from the same address does not block the right one"

# --- 7. the per-address bucket on the OTP route answers 429 with Retry-After
for i in $(seq 1 10); do
	req POST /api/v1/otp/request '{"employee_id":"NOPE-9","family_id":"PPP1"}' --interface 127.0.0.23
done
expect_error 429 too_many_requests "per-address limit on OTP requests"
check "Retry-After on the bucket's 429" grep -qiE '^Retry-After: [1-9][0-9]*' <<<"$HEADERS"

# --- behind a reverse proxy (trusted_proxy): the client it names is what counts; anyone
# else's X-Forwarded-For is ignored.
stop_server
start_server --trusted_proxy 127.0.0.1
for i in 1 2 3 4 5; do
	req POST /api/v1/login '{"username":"secy.pwd","password":"not-the-password"}' -H 'X-Forwarded-For: 203.0.113.9'
done
req POST /api/v1/login '{"username":"secy.pwd","password":"suraksha-demo"}' -H 'X-Forwarded-For: 203.0.113.9'
expect_error 429 account_locked "locked for the client the proxy names"
req POST /api/v1/login '{"username":"secy.pwd","password":"suraksha-demo"}' -H 'X-Forwarded-For: 198.51.100.7, 203.0.113.9'
expect_error 429 account_locked "a client-supplied earlier X-Forwarded-For entry changes nothing"
req POST /api/v1/login '{"username":"secy.pwd","password":"suraksha-demo"}' -H 'X-Forwarded-For: 198.51.100.7'
expect_status 200 "the real user behind the same proxy logs in"
for i in 1 2 3 4 5; do
	req POST /api/v1/login '{"username":"auditor","password":"not-the-password"}' --interface 127.0.0.31 -H "X-Forwarded-For: 198.51.100.$i"
done
req POST /api/v1/login '{"username":"auditor","password":"suraksha-demo"}' --interface 127.0.0.31 -H 'X-Forwarded-For: 198.51.100.99'
expect_error 429 account_locked "X-Forwarded-For from an address that is not the proxy is ignored"
finish
