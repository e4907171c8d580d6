#!/usr/bin/env bash
# Hostile upload names through the real server (the multipart filename, which the corpus
# cases do not vary): control, bidi and zero-width characters and broken UTF-8 refused as
# file_name_not_allowed, program and server-script types as file_name_executable (after
# the content passed: a page named .html is still type_not_accepted); the same bytes under
# a plain name are judged by their content; genuine names stored. Every refusal stores
# nothing and is audited.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0 SURAKSHA_QUOTA_FILES=10000 SURAKSHA_QUOTA_BYTES=1000000000
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
C=$ROOT/tests/corpus
state() {
	echo "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM documents") \
$(find "$DATA/blobs" -type f 2>/dev/null | wc -l) $(find "$DATA/tmp" -type f 2>/dev/null | wc -l)"
}
# upname FILE NAME: the file sent under NAME (raw bytes, as a browser would send them)
upname() {
	python3 - "$1" "$2" "$T/body.mp" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
name = sys.argv[2].encode("utf-8", "surrogateescape")
name = name.decode("unicode_escape").encode("latin-1") if b"\\x" in name else name
b = b"--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nother\r\n"
b += b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + b"\"\r\n"
b += b"Content-Type: application/octet-stream\r\n\r\n" + data + b"\r\n--XyZ--\r\n"
open(sys.argv[3], "wb").write(b)
PY
	req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" \
	    -H 'Content-Type: multipart/form-data; boundary=XyZ' --data-binary @"$T/body.mp"
}
refused() { # refused FILE NAME STATUS CODE
	local before; before=$(state)
	upname "$1" "$2"
	expect_error "$3" "$4" "name '$2'"
	check "name '$2' stored nothing" test "$before" = "$(state)"
}
P=$C/pdf_simple.pdf
refused "$P" 'invoice\xe2\x80\xaefdp.exe' 422 file_name_not_allowed
refused "$P" 'invoice\xe2\x81\xa7fdp.exe\xe2\x81\xa9.pdf' 422 file_name_not_allowed
refused "$P" 'cert\xe2\x80\x8b.pdf' 422 file_name_not_allowed
refused "$P" 'cert\x01.pdf' 422 file_name_not_allowed
refused "$P" 'cert\xc2\x9b.pdf' 422 file_name_not_allowed
refused "$P" 'cert\xff.pdf' 422 file_name_not_allowed
refused "$P" 'invoice.pdf.exe' 422 file_name_executable
refused "$P" 'invoice.pdf.scr' 422 file_name_executable
refused "$C/photo.jpg" 'photo.php.jpg' 422 file_name_executable
refused "$C/jpeg_comment_php.jpg" 'shell.php.jpg' 422 hidden_markup
refused "$C/page.html" 'page.html' 415 type_not_accepted
refused "$C/jpeg_comment_php.jpg" 'photo.jpg' 422 hidden_markup
refused "$C/pdf_uri_smb.pdf" 'letter.pdf' 422 pdf_external_link
refused "$C/zip_name_nul.zip" 'bundle.zip' 422 zip_bad_name
check "the refused entry is shown cleanly" jq -e '.error.entry == "invoice.pdf"' <<<"$BODY"
refused "$C/zip_name_rlo.zip" 'bundle.zip' 422 zip_bad_name
check "a bidi entry name is shown with the control replaced" jq -e '.error.entry | test("^invoice\\?+fdp\\.exe$")' <<<"$BODY"
AFTER=$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM audit WHERE action = 'document.refused' AND after LIKE '%file_name_%'")
check "name refusals audited" test "$AFTER" -ge 9
for name in 'M.Com marksheet.pdf' 'B.Com.pdf' 'सेवा प्रमाण पत्र.pdf' 'Appointment order (2019).pdf'; do
	upname "$P" "$name"
	expect_status 201 "genuine name '$name'"
	check "stored under its name '$name'" jq -e --arg n "$name" '.documents[0].name == $n' <<<"$BODY"
done
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
