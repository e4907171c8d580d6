#!/usr/bin/env bash
# Issue 11, item 7: finance sees case states for posts, never an employee's documents
# (SECURITY.md); the others in scope still do.
. "$(dirname "$0")/lib.sh"
init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
start_server
EMP=$(otp_login UCP-10001 PPP10001A)
req POST /api/v1/cases/UCP-10001/documents "" -H "Authorization: Bearer $EMP" \
    -F kind=engagement_order -F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 201 "upload"
DOC=$(jq -r '.documents[0].id // .id' <<<"$BODY")
FIN=$(login finance); AUD=$(login auditor); DDO=$(login ddo.pwd.amb)
areq "$FIN" GET "/api/v1/documents/$DOC"
expect_error 404 not_found "finance downloads a document"
areq "$FIN" GET "/documents/$DOC/view"
check "finance views a document page: 404" test "$STATUS" = 404
areq "$FIN" GET /api/v1/cases/UCP-10001
expect_status 200 "finance reads the case (for posts)"
expect_json '.documents == []' "finance sees no document list"
areq "$FIN" GET /cases/UCP-10001
check "finance's case page: 200" test "$STATUS" = 200
check "finance's case page links no document" test "$(grep -c "/documents/$DOC/view" <<<"$BODY")" = 0
areq "$DDO" GET /cases/UCP-10001
check "the ddo's case page links the document" grep -q "/documents/$DOC/view" <<<"$BODY"
for t in "$AUD" "$DDO" "$EMP"; do
	areq "$t" GET "/api/v1/documents/$DOC"
	expect_status 200 "auditor, ddo and the employee still download it"
done
areq "$DDO" GET /api/v1/cases/UCP-10001
expect_json '.documents | length == 1' "the ddo sees the document list"
finish
