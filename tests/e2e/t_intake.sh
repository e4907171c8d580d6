#!/usr/bin/env bash
# Document intake through the real server: every corpus file uploaded, with the verdict,
# status and code expected; accepted ones download byte for byte; refused ones leave no
# file and no row. Then the upload rules: who, whose case, size, quota, broken bodies.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_QUOTA_FILES=10000 SURAKSHA_QUOTA_BYTES=1000000000
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
up() { # up TOKEN FILE [KIND] [employee]
	req POST "/api/v1/cases/${4:-UCP-10001}/documents" "" -H "Authorization: Bearer $1" \
	    -F "kind=${3:-other}" -F "file=@$2"
}
state() {
	echo "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents") \
$(find "$DATA/blobs" -type f | wc -l) $(find "$DATA/tmp" -type f | wc -l)"
}
cd "$ROOT/tests/corpus" || exit 1
check "corpus has at least 40 cases" test "$(wc -l <expected.tsv)" -ge 40
for f in *; do
	case "$f" in expected.tsv|make.sh|craft.py|README*) continue ;; esac
	check "corpus file $f has an expected verdict" grep -q "^$f	" expected.tsv
done
while IFS=$'\t' read -r file verdict status code; do
	before=$(state)
	up "$EMP" "$file"
	if [ "$verdict" = accept ]; then
		expect_status 201 "$file accepted"
		n=$(jq '.documents | length' <<<"$BODY")
		check "$file: documents listed" test "$n" -ge 1
		for i in $(seq 0 $((n - 1))); do
			id=$(jq -r ".documents[$i].id" <<<"$BODY")
			sha=$(jq -r ".documents[$i].sha256" <<<"$BODY")
			curl -s -o "$T/dl" -H "Authorization: Bearer $EMP" "$BASE/api/v1/documents/$id"
			check "$file#$i downloads with its sha256" test "$(sha256sum <"$T/dl" | cut -d' ' -f1)" = "$sha"
		done
		if ! jq -e '.documents[0].bundle' >/dev/null <<<"$BODY"; then
			check "$file downloads byte-identical" cmp -s "$T/dl" "$file"
		fi
	else
		expect_error "$status" "$code" "$file refused"
		check "$file left no file and no row" test "$before" = "$(state)"
	fi
done <expected.tsv
cd "$ROOT" || exit 1

# The same bytes twice: two rows, one blob.
b1=$(find "$DATA/blobs" -type f | wc -l)
up "$EMP" tests/corpus/pdf_simple.pdf engagement_order
expect_status 201 "same bytes again"
check "stored once" test "$(find "$DATA/blobs" -type f | wc -l)" = "$b1"
check "blobs are read-only" test "$(stat -c %a "$(find "$DATA/blobs" -type f | head -1)")" = 440
ID=$(jq -r '.documents[0].id' <<<"$BODY")

# Downloads: headers; scope.
req GET "/api/v1/documents/$ID" "" -H "Authorization: Bearer $EMP"
check "download: nosniff" grep -qi '^X-Content-Type-Options: nosniff' <<<"$HEADERS"
check "download: detected type" grep -qi '^Content-Type: application/pdf' <<<"$HEADERS"
check "download: attachment with RFC 6266 name" grep -qi "^Content-Disposition: attachment; filename=\"pdf_simple.pdf\"; filename\*=UTF-8''pdf_simple.pdf" <<<"$HEADERS"
OTHER=$(otp_login UCP-10002 PPP10002B)
areq "$OTHER" GET "/api/v1/documents/$ID"
expect_error 404 not_found "another employee's document"
areq "$(login ddo.hlt.kkr)" GET "/api/v1/documents/$ID"
expect_error 404 not_found "a DDO of another office"
areq "$(login ddo.pwd.amb)" GET "/api/v1/documents/$ID"
expect_status 200 "the DDO of the office"
areq "$EMP" GET "/api/v1/documents/abc"
expect_error 404 not_found "a document id that is not a number"

# A name from the client is display text only.
cp tests/corpus/pdf_simple.pdf "$T/evil.pdf"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" -F kind=other \
    -F "file=@$T/evil.pdf;filename=../../etc/\"pass\"wd.pdf"
expect_status 201 "odd file name"
expect_json '.documents[0].name | (endswith("wd.pdf") and (contains("/") | not) and (contains("..") | not))' "cleaned name"

# Who uploads where.
before=$(state)
up "$(login ddo.pwd.amb)" tests/corpus/pdf_simple.pdf
expect_error 403 forbidden "staff upload"
up "$OTHER" tests/corpus/pdf_simple.pdf other UCP-10001
expect_error 404 not_found "upload to another employee's case"
up "$EMP" tests/corpus/pdf_simple.pdf passport
expect_error 400 invalid_field "unknown kind"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" -F kind=other
expect_error 400 invalid_field "no file"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" -F kind=other \
    -F file=@tests/corpus/pdf_simple.pdf -F file=@tests/corpus/pdf_simple.pdf
expect_error 400 invalid_field "two files"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" -F kind=other \
    -F file=@tests/corpus/pdf_simple.pdf -F note=hello
expect_error 400 invalid_field "unknown field"
req POST /api/v1/cases/UCP-10001/documents '{"kind":"other"}' -H "Authorization: Bearer $EMP"
expect_error 415 unsupported_media_type "JSON instead of multipart"
# A multipart body cut short: no closing boundary.
printf -- '--XyZ\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n' >"$T/cut"
head -c 400 tests/corpus/pdf_simple.pdf >>"$T/cut"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" \
    -H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary @"$T/cut"
expect_error 400 malformed_request "truncated multipart"
check "refused uploads left no file and no row" test "$before" = "$(state)"
stop_server

# Sizes: Content-Length over the limit is refused before reading; a chunked body is
# counted as it streams; a file over the limit inside a body under it is refused too.
SURAKSHA_UPLOAD_MAX_FILE=100000 start_server
head -c 300000 /dev/urandom >"$T/big.bin"
before=$(state)
up "$EMP" "$T/big.bin"
expect_error 413 too_large "Content-Length over the limit"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" \
    -H 'Transfer-Encoding: chunked' -F kind=other -F file=@"$T/big.bin"
expect_error 413 too_large "chunked body over the limit"
head -c 120000 /dev/urandom >"$T/mid.bin"
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" \
    -F kind=other -F file=@"$T/mid.bin"
expect_error 413 file_too_large "file over the limit, body within the slack"
check "size refusals left nothing" test "$before" = "$(state)"
stop_server

# Quota: documents per employee.
SURAKSHA_QUOTA_FILES=3 start_server
EMP3=$(otp_login UCP-10003 PPP10003C)
up "$EMP3" tests/corpus/pdf_simple.pdf other UCP-10003
up "$EMP3" tests/corpus/scan.png other UCP-10003
expect_status 201 "second document"
up "$EMP3" tests/corpus/bundle_good.zip other UCP-10003
expect_error 413 quota_exceeded "a bundle that would pass the quota"
up "$EMP3" tests/corpus/photo.jpg other UCP-10003
expect_status 201 "third document"
up "$EMP3" tests/corpus/pdf_simple.pdf other UCP-10003
expect_error 413 quota_exceeded "fourth document"

# Deletion, audited.
areq "$EMP3" DELETE "/api/v1/documents/$(sqlite3 "$DATA/suraksha.db" "SELECT max(id) FROM documents WHERE employee_id = 'UCP-10003'")"
expect_status 200 "delete"
areq "$(login ddo.hlt.kkr)" DELETE "/api/v1/documents/$(sqlite3 "$DATA/suraksha.db" "SELECT max(id) FROM documents WHERE employee_id = 'UCP-10003'")"
expect_error 403 forbidden "staff delete"
check "uploads, refusals and deletions audited" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(DISTINCT action) FROM audit WHERE action IN ('document.upload', 'document.refused', 'document.delete')")" = 3
# After the window closes: 423 naming the deadline, nothing stored.
"$BIN" cases extend --data "$DATA" --stage registration --reason "window closed for the test" \
    --closes "$(TZ=Asia/Kolkata date -d '-1 day' '+%Y-%m-%d 23:59')" >/dev/null
before=$(state)
up "$EMP3" tests/corpus/pdf_simple.pdf other UCP-10003
expect_error 423 window_closed "upload after the registration window"
check "the refusal names the deadline" grep -q "IST" <<<"$BODY"
check "a closed window stored nothing" test "$before" = "$(state)"
stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
