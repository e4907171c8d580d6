#!/usr/bin/env bash
# The server's common ground: health, routing errors, limits, headers, errors' shape,
# the CA certificate, and a clean stop on SIGTERM with requests in flight.
. "$(dirname "$0")/lib.sh"
init_demo
start_server --max-json-body 4096 --max-url 512

req GET /healthz
expect_status 200 healthz
expect_json '.status == "ok" and .database == "ok" and .storage == "ok"'

# Security headers and the request id on every response, errors included.
for path in /healthz /api/v1/nothing; do
	req GET "$path"
	for h in 'X-Content-Type-Options: nosniff' 'X-Frame-Options: DENY' \
	    'Content-Security-Policy: default-src' 'Cache-Control: no-store' \
	    'Referrer-Policy: no-referrer'; do
		check "header '$h' on $path" grep -qi "^$h" <<<"$HEADERS"
	done
	check "request id on $path" grep -qiE '^X-Request-Id: [0-9a-f]{16}' <<<"$HEADERS"
done

req GET /api/v1/nothing
expect_error 404 no_such_endpoint "unknown route"
req DELETE /healthz
expect_error 405 method_not_allowed "wrong method"
req POST /api/v1/me '{}'
expect_error 405 method_not_allowed "POST on a GET route"
req GET "/api/v1/$(head -c 600 /dev/zero | tr '\0' a)"
expect_error 414 uri_too_long "over-long URL"
req GET "/api/v1/employees/%zz"
expect_error 400 malformed_request "bad percent-escape"
req GET "/api/v1/employees/a%00b"
expect_error 400 malformed_request "percent-escaped NUL"

# Bodies: Content-Length over the limit is refused before reading; a chunked body that
# grows past it too.
big=$(head -c 5000 /dev/zero | tr '\0' ' ')
req POST /api/v1/login "{\"username\":\"admin\",\"password\":\"x\"$big}"
expect_error 413 too_large "Content-Length over max_json_body"
head -c 5000 /dev/zero | tr '\0' ' ' >"$T/big"
req POST /api/v1/login "" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary @"$T/big"
expect_error 413 too_large "chunked body over max_json_body"
req POST /api/v1/login '{"username": "admin", "password": '
expect_error 400 malformed_json "truncated JSON"
req POST /api/v1/login '{"username": "admin", "username": "x", "password": "suraksha-demo"}'
expect_error 400 malformed_json "duplicate keys"
req POST /api/v1/login '["admin"]'
expect_error 400 malformed_json "JSON that is not an object"
req POST /api/v1/login '{"username": 5, "password": "suraksha-demo"}'
expect_error 400 invalid_field "wrong type"
req GET /healthz "" --data-binary 'x' -X GET
check "GET with a body is refused" test "$STATUS" = 400

# The trust anchor.
req GET /ca.pem
expect_status 200 ca.pem
check "ca.pem is the CA file" cmp -s "$T/body" "$DATA/keys/ca.pem"
check "ca.pem parses as a CA certificate" sh -c "openssl x509 -in '$T/body' -noout -text | grep -q 'CA:TRUE'"

# A bad setting stops start-up naming the setting and the range.
"$BIN" serve --data "$DATA" --threads 999 >"$T/bad.out" 2>&1
check "bad setting exits 2" test $? -eq 2
check "bad setting named" grep -q "setting threads: '999' is not a whole number from 0 to 64" "$T/bad.out"
echo "connection_timeout = forever" >"$T/bad.conf"
"$BIN" serve --data "$DATA" --config "$T/bad.conf" >"$T/bad.out" 2>&1
check "bad config file exits 2" test $? -eq 2
check "bad config line named" grep -q "bad.conf:1: setting connection_timeout" "$T/bad.out"
"$BIN" serve --help >"$T/help.out"
check "serve --help lists settings" grep -q -- "--otp_sink" "$T/help.out"
SURAKSHA_OTP_TTL=5 "$BIN" serve --data "$DATA" >"$T/bad.out" 2>&1
check "bad environment setting exits 2" test $? -eq 2

# SIGTERM with requests in flight: every request gets its answer, the server exits 0.
# Logins hash with scrypt at the production cost, so some are surely running at the signal.
stop_server
SURAKSHA_SCRYPT_LOG2N=15 start_server
for i in $(seq 1 20); do
	curl -s -o /dev/null -w '%{http_code}\n' -X POST -H 'Content-Type: application/json' \
	    --data-binary '{"username":"auditor","password":"suraksha-demo"}' \
	    "$BASE/api/v1/login" >>"$T/inflight" &
done
sleep 0.3
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=
wait
check "server exits 0 on SIGTERM" test "$rc" -eq 0
check "server logged its stop" grep -q "stopped" "$T/server.log"
# Requests that reached the server before the signal were answered 200; the others were
# refused at connect (000), none was cut off half way.
check "no request cut off" sh -c "! grep -vE '^(200|000)$' '$T/inflight'"
check "requests were answered" grep -q '^200$' "$T/inflight"
finish
