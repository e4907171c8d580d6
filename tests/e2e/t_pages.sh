#!/usr/bin/env bash
# The pages' HTTP contract with curl: the page CSP and headers, errors as pages for people
# and JSON for programs, the CSRF token from the form field, cross-site form posts refused,
# Post/Redirect/Get, the language cookie and its local-only return path, static caching.
source "$(dirname "$0")/lib.sh"
init_demo
open_windows
start_server

hdr() { grep -i "^$1:" <<<"$HEADERS" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
form() { # form JAR PATH BODY [curl args...]
	local jar=$1 path=$2 body=$3; shift 3
	req POST "$path" "" -b "$jar" -c "$jar" -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "$body" "$@"
}
csrf_of() { grep -o 'name="csrf" value="[0-9a-f]*"' "$T/body" | head -1 | sed 's/.*value="//;s/"//'; }

req GET /
expect_status 200 "sign-in page"
check "page CSP allows only our own script and style" \
	grep -q "script-src 'self'; img-src 'self'" <<<"$(hdr Content-Security-Policy)"
check "no inline script in the page" bash -c "! grep -q '<script>' $T/body"
check "pages are not cached" test "$(hdr Cache-Control)" = "no-store"
check "html" grep -q 'text/html; charset=utf-8' <<<"$(hdr Content-Type)"

req GET "/static/style.css"
expect_status 200 "stylesheet"
check "static files cached a year" grep -q "max-age=31536000" <<<"$(hdr Cache-Control)"
req GET "/static/nothing.css"
expect_status 404 "unknown static file"

req GET /no/such/page
expect_status 404 "unknown page"
check "people get an HTML error page" grep -q "There is no such address" "$T/body"
req GET /api/v1/no/such
expect_error 404 no_such_endpoint "programs get JSON"

req GET /home
expect_status 303 "home without a session"
check "to sign-in" test "$(hdr Location)" = "/?signin=1"

# staff sign-in by form, wrong then right
J=$T/jar
form "$J" /login/staff "username=admin&password=wrong"
expect_status 401 "wrong password"
check "wrong password said in the page" grep -q "username or password is not right" "$T/body"
form "$J" /login/staff "username=admin&password=suraksha-demo"
expect_status 303 "staff sign-in"
check "session cookie HttpOnly SameSite=Strict" grep -qi "suraksha=.*HttpOnly; SameSite=Strict" <<<"$HEADERS"
req GET /admin/users "" -b "$J"
expect_status 200 "users page"
CSRF=$(csrf_of)
check "form carries the csrf token" test ${#CSRF} -eq 32

# the CSRF token must come with the form (or the header)
form "$J" /admin/users "username=x.one&role=auditor&password=long-enough-1"
expect_status 403 "form without csrf"
check "csrf refusal in plain words" grep -q "security token" "$T/body"
WRONG=${CSRF%?}$([ "${CSRF: -1}" = 0 ] && echo 1 || echo 0)
form "$J" /admin/users "csrf=$WRONG&username=x.one&role=auditor&password=long-enough-1"
expect_status 403 "form with a wrong csrf"
form "$J" /admin/users "csrf=$CSRF&username=x.one&role=auditor&password=long-enough-1" \
	-H "Origin: http://evil.example"
expect_status 403 "cross-site form (Origin)"
form "$J" /admin/users "csrf=$CSRF&username=x.one&role=auditor&password=long-enough-1" \
	-H "Sec-Fetch-Site: cross-site"
expect_status 403 "cross-site form (Sec-Fetch-Site)"
req GET /api/v1/admin/users "" -b "$J"
check "nothing was added by refused forms" jq -e '[.users[].username] | index("x.one") == null' <<<"$BODY"
form "$J" /admin/users "csrf=$CSRF&username=x.one&role=auditor&password=long-enough-1" \
	-H "Sec-Fetch-Site: same-origin" -H "Origin: $BASE"
expect_status 303 "same-origin form"
check "Post/Redirect/Get" test "$(hdr Location)" = "/admin/users?done=added"
req GET /api/v1/admin/users "" -b "$J"
check "the user exists" jq -e '[.users[].username] | index("x.one") != null' <<<"$BODY"
# API routes keep wanting the header: a form field does not replace it there
req POST /api/v1/admin/users/x.one/disable "" -b "$J" -H 'Content-Type: application/json' \
	--data-binary "{\"csrf\":\"$CSRF\"}"
expect_error 403 csrf_failed "API ignores a csrf field"
# state never changes on GET
req GET /admin/users/x.one/disable "" -b "$J"
expect_status 405 "no disabling by GET"
# an administrator resets a forgotten password: confirmed, audited, sessions ended
X=$T/xjar
form "$X" /login/staff "username=x.one&password=long-enough-1"
expect_status 303 "x.one signs in"
form "$J" /admin/users/x.one/password "csrf=$CSRF&password=a-new-password-2"
expect_status 400 "a reset without the confirmation"
check "the confirmation asked for in words" grep -q "Tick the box to confirm" "$T/body"
form "$J" /admin/users/x.one/password "csrf=$CSRF&password=short&confirm=1"
expect_status 400 "a password too short"
form "$J" /admin/users/x.one/password "csrf=$CSRF&password=a-new-password-2&confirm=1"
expect_status 303 "password reset"
check "said done" test "$(hdr Location)" = "/admin/users?done=password"
req GET /api/v1/me "" -b "suraksha=$(awk '$6 == "suraksha" {print $7}' "$X")"
expect_status 401 "the old session is ended"
form "$T/x2jar" /login/staff "username=x.one&password=a-new-password-2"
expect_status 303 "the new password works"
check "the reset is audited" test "$(sqlite3 "$DATA/suraksha.db" "SELECT count(*) FROM audit WHERE action = 'user.password' AND object LIKE '%x.one%'")" -ge 1
# disabling asks to confirm
form "$J" /admin/users/x.one/disable "csrf=$CSRF"
expect_status 400 "disabling without the confirmation"
req GET /api/v1/admin/users "" -b "$J"
check "still active" jq -e '.users[] | select(.username == "x.one") | .disabled == false' <<<"$BODY"

# language: cookie, and only a local path to return to
form "$J" /lang "lang=hi&back=/admin/users"
expect_status 303 "language switch"
check "language cookie" grep -qi "set-cookie: lang=hi" <<<"$HEADERS"
check "back to the page" test "$(hdr Location)" = "/admin/users"
for evil in "//evil.example/x" "https://evil.example/" "/\\evil.example" "javascript:alert(1)"; do
	form "$J" /lang "lang=hi&back=$(jq -rn --arg v "$evil" '$v|@uri')"
	check "no open redirect to $evil" test "$(hdr Location)" = "/"
done
req GET /admin/users "" -b "$J" -b "lang=hi"
check "Hindi page" grep -q '<html lang="hi">' "$T/body"
check "Hindi labels" grep -q "स्टाफ़ खाते" "$T/body"

# sign-out by form ends the session server-side
form "$J" /logout "csrf=$CSRF"
expect_status 303 "sign out"
req GET /api/v1/me "" -b "suraksha=$(awk '$6 == "suraksha" {print $7}' "$J")"
expect_status 401 "session gone"

# employee: the Family ID stays out of addresses; a wrong OTP is a page with the reason
E=$T/ejar
# an unknown pair: the same page, and no made-up number on it
U=$T/ujar
form "$U" /login/employee "employee_id=UCP-99999&family_id=PPP99999Z"
expect_status 303 "OTP requested for an unknown pair"
req GET /login/otp "" -b "$U" -c "$U"
check "no number on the OTP page (unknown pair)" bash -c "! grep -qE '[0-9]{4}\b[^0-9]*</strong>|\*{4}' $T/body"
cp "$T/body" "$T/otp_unknown.html"
# ids typed as people type them: lower case, spaces, a no-break space
form "$E" /login/employee "employee_id=%20ucp-%C2%A010002%20&family_id=ppp10002b%20"
expect_status 303 "OTP requested with a lower-case id"
check "no Family ID in the address" bash -c "! grep -qi PPP10002B <<<'$(hdr Location)'"
req GET /login/otp "" -b "$E" -c "$E"
check "no number on the OTP page (known pair)" bash -c "! grep -qE '\*{4}' $T/body"
check "known and unknown pairs get the same words" bash -c \
	"diff <(sed 's/value=\"[0-9a-f]*\"//g' $T/body) <(sed 's/value=\"[0-9a-f]*\"//g' $T/otp_unknown.html)"
check "the code went to UCP-10002" test "$(tail -1 "$DATA/outbox/sms.jsonl" | jq -r .employee_id)" = UCP-10002
# asking again at once: refused, with the wait in words
form "$T/e2jar" /login/employee "employee_id=UCP-10002&family_id=PPP10002B"
expect_status 429 "a second code at once"
check "the refusal says how long to wait" grep -q "You can try again in [0-9]* seconds" "$T/body"
form "$E" /login/otp "otp=12345"
expect_status 400 "short OTP"
check "short OTP said in the page" grep -q "That code is not right" "$T/body"
form "$E" /login/otp "otp=$(last_otp)"
expect_status 303 "OTP sign-in"
check "to home" test "$(hdr Location)" = "/home"
req GET /home "" -b "$E"
expect_status 200 "employee home"
check "upload forms" grep -q 'enctype="multipart/form-data"' "$T/body"
check "documents listed by kind" grep -q 'id="kind-engagement_order"' "$T/body"
ECSRF=$(csrf_of)
req POST /cases/UCP-10001/documents "" -b "$E" -F "csrf=$ECSRF" -F kind=aadhaar \
	-F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 404 "upload to another employee's case"
req POST /cases/UCP-10002/documents "" -b "$E" -F "csrf=nope" -F kind=aadhaar \
	-F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 403 "upload form with a wrong csrf"
req POST /cases/UCP-10002/documents "" -b "$E" -F "csrf=$ECSRF" -F kind=aadhaar \
	-F "file=@$ROOT/tests/corpus/zip_absolute.zip"
expect_status 303 "refused upload"
check "refusal carried to the page" grep -q "refused=zip_" <<<"$(hdr Location)"
req GET "$(hdr Location)" "" -b "$E"
check "refusal in plain words" grep -q 'class="notice error"' "$T/body"
req POST /cases/UCP-10002/documents "" -b "$E" -F "csrf=$ECSRF" -F kind=aadhaar \
	-F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 303 "good upload"
check "stored, back to its kind" test "$(hdr Location)" = "/home?uploaded=1#kind-aadhaar"
req GET /home "" -b "$E"
ID=$(grep -o 'href="/api/v1/documents/[0-9]*"' "$T/body" | head -1 | sed 's|.*/||; s|"||')
check "listed with a download link" test -n "$ID"
form "$E" "/documents/$ID/delete" "csrf=$ECSRF"
expect_status 303 "delete"
req GET /home "" -b "$E"
check "deleted" bash -c "! grep -q 'href=\"/api/v1/documents/$ID\"' $T/body"
# a hostile value is text, never markup
req GET "/home?refused=zip_bad_name&entry=%3Cb%3Ex%3C/b%3E" "" -b "$E"
check "the refused entry is shown" grep -q '&lt;b&gt;x&lt;/b&gt;' "$T/body"
check "as text, never markup" bash -c "! grep -q '<b>x</b>' $T/body"

# Refusals on a Hindi page: Hindi words that name the field and what to do, and nothing of
# the API (no route, no JSON key, no code) anywhere in the notice.
notice_text() { sed -n '/id="notice"/,/<\/div>/p' "$T/body" | sed 's/<[^>]*>//g'; }
no_api_words() { ! grep -qE '/|\[|\]|\{|\}|"|_|\.\.\.|PUT|POST|spells|missing:' <<<"$(notice_text)"; }
form "$E" /cases/UCP-10002/submit "csrf=$ECSRF" -b "lang=hi"
expect_status 422 "submit before the service record (Hindi)"
check "Hindi reason: fill in the service record" grep -q "अपना सेवा विवरण भरें" <<<"$(notice_text)"
check "no API words in the Hindi refusal" no_api_words
form "$E" /cases/UCP-10002/service "csrf=$ECSRF&from_0=2016-05-01&to_0=2015-01-31&kind_0=hkrnl&org_0=PWD&marriage_clause=1" -b "lang=hi"
expect_status 400 "a spell that ends before it starts (Hindi)"
check "Hindi reason names the row" grep -q "सेवा की पंक्ति 1: अंतिम दिन पहले दिन से पहले है" <<<"$(notice_text)"
check "no API words in the spell refusal" no_api_words
check "the form keeps the typed first day" grep -q 'name="from_0" value="2016-05-01"' "$T/body"
check "the form keeps the typed last day" grep -q 'name="to_0" value="2015-01-31"' "$T/body"
check "the form keeps the kind" grep -q 'value="hkrnl" selected' "$T/body"
check "the form keeps the flag" grep -q 'id="f-mc" name="marriage_clause" value="1" checked' "$T/body"
check "several new spells in one form" test "$(grep -c 'class="spell new"' "$T/body")" -ge 2
cp "$T/body" "$ROOT/tests/out/refusal-hi.html" 2>/dev/null || true

# the case workflow's forms (h_pages_flow.c): the service record, submit, the inline view
form "$E" /cases/UCP-10002/service "csrf=$ECSRF&from_0=2015-07-15&kind_0=contract&org_0=%3Cb%3Ex%3C/b%3E"
expect_status 400 "a spell with neither an end nor still in service"
check "said in the page" grep -q "Give the last day of each spell" "$T/body"
form "$E" /cases/UCP-10002/service "csrf=$ECSRF&from_0=2015-07-15&open_0=1&kind_0=contract&org_0=%3Cb%3Ex%3C/b%3E&part_time=1"
expect_status 303 "service record saved"
check "back with a notice" test "$(hdr Location)" = "/home?done=saved"
req GET "$(hdr Location)" "" -b "$E"
check "the spell is in the form" grep -q 'name="from_0" value="2015-07-15"' "$T/body"
check "the flag is kept" grep -q 'id="f-pt" name="part_time" value="1" checked' "$T/body"
check "the organisation is text, never markup" grep -q 'value="&lt;b&gt;x&lt;/b&gt;"' "$T/body"
check "confirmed" grep -q "service record was saved" "$T/body"
check "saved for the domain" test "$(sqlite3 "$DATA/suraksha.db" "SELECT json_extract(declared, '\$.spells[0].from') || json_extract(declared, '\$.part_time') FROM cases WHERE employee_id = 'UCP-10002'")" = "2015-07-151"
form "$E" /cases/UCP-10002/submit ""
expect_status 403 "submit without the csrf field"
form "$E" /cases/UCP-10002/submit "csrf=$ECSRF"
expect_status 422 "submit with documents missing"
check "the domain's reason in the page" grep -q "Upload these documents first: .*Engagement order" "$T/body"
check "in words, not codes" no_api_words
check "still a draft" test "$(sqlite3 "$DATA/suraksha.db" "SELECT state FROM cases WHERE employee_id = 'UCP-10002'")" = draft
form "$E" /posts "csrf=$ECSRF&employee_id=UCP-10002&pay_level=6&designation=x"
expect_status 403 "an employee cannot create posts"
req POST /cases/UCP-10002/documents "" -b "$E" -F "csrf=$ECSRF" -F kind=engagement_order \
	-F "file=@$ROOT/tests/corpus/photo.jpg"
req GET /home "" -b "$E"
ID=$(grep -o 'href="/api/v1/documents/[0-9]*"' "$T/body" | head -1 | sed 's|.*/||; s|"||')
req GET "/documents/$ID/view" "" -b "$E"
expect_status 200 "the employee views their document"
check "inline" test "$(hdr Content-Disposition)" = "inline"
check "as the image it is" test "$(hdr Content-Type)" = "image/jpeg"
check "the bytes" cmp -s "$T/body" "$ROOT/tests/corpus/photo.jpg"
DH=$T/dhjar
form "$DH" /login/staff "username=ddo.hlt.kkr&password=suraksha-demo"
req GET "/documents/$ID/view" "" -b "$DH"
expect_status 404 "out of scope: no such document"
DP=$T/dpjar
form "$DP" /login/staff "username=ddo.pwd.amb&password=suraksha-demo"
req GET "/documents/$ID/view" "" -b "$DP"
expect_status 200 "the DDO of the office views it"
req GET "/home?state=draft" "" -b "$DP"
check "the DDO's queue lists the case" grep -q 'href="/cases/UCP-10002"' "$T/body"
req GET "/home?state=approved" "" -b "$DP"
check "filtered by state" bash -c "! grep -q 'href=\"/cases/UCP-10002\"' $T/body"
DCSRF=$(csrf_of)
form "$DP" /cases/UCP-10002/verify "csrf=$DCSRF&decision=verified"
expect_status 409 "a draft cannot be verified"
check "the state refusal in the page" grep -q "present state of the case" "$T/body"

# the rest of the way for UCP-10002: returned (remarks required), submitted again, verified,
# a post, then many approvals at once where one cannot go through
source "$ROOT/tests/e2e/cases_lib.sh"
add_docs UCP-10002
form "$E" /cases/UCP-10002/submit "csrf=$ECSRF"
expect_status 303 "submitted"
form "$DP" /cases/UCP-10002/verify "csrf=$DCSRF&decision=returned"
expect_status 400 "returned without remarks"
form "$DP" /cases/UCP-10002/verify "csrf=$DCSRF&decision=maybe"
expect_status 400 "an unknown decision"
form "$DP" /cases/UCP-10002/verify "csrf=$DCSRF&decision=returned&remarks=The+engagement+order+says+2015-08-01"
expect_status 303 "returned"
check "on to the next case waiting, or the queue" grep -qE '^/cases/[A-Z0-9-]+\?done=returned&prev=UCP-10002$|^/home\?done=returned#queue$' <<<"$(hdr Location)"
req GET /home "" -b "$E"
check "the employee reads the remarks of the return" grep -q "The engagement order says 2015-08-01" "$T/body"
check "and may edit again" grep -q 'id="service-form"' "$T/body"
# a returned employee replaces a wrong document: the new one up, the wrong one out
OLD_DOC=$(db "SELECT id FROM documents WHERE employee_id = 'UCP-10002' AND kind = 'engagement_order' ORDER BY id LIMIT 1")
check "the case offers Delete for the wrong document" grep -q "action=\"/documents/$OLD_DOC/delete\"" "$T/body"
req POST /cases/UCP-10002/documents "" -b "$E" -F "csrf=$ECSRF" -F kind=engagement_order \
	-F "file=@$ROOT/tests/corpus/pdf_multipage.pdf"
expect_status 303 "the right document uploaded to the returned case"
DELS=$(db "SELECT count(*) FROM audit WHERE action = 'document.delete'")
form "$E" "/documents/$OLD_DOC/delete" "csrf=$ECSRF"
expect_status 303 "the wrong document deleted from the returned case"
check "it is gone" test "$(db "SELECT count(*) FROM documents WHERE id = $OLD_DOC")" = 0
check "the replacement stays" test "$(db "SELECT count(*) FROM documents WHERE employee_id = 'UCP-10002' AND kind = 'engagement_order'")" -ge 1
check "the removal is audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'document.delete' AND object = 'document:$OLD_DOC'")" = "$((DELS + 1))" -o "$(db "SELECT count(*) FROM audit WHERE action = 'document.delete'")" = "$((DELS + 1))"
form "$E" /cases/UCP-10002/service "csrf=$ECSRF&from_0=2015-08-01&open_0=1&kind_0=contract"
expect_status 303 "corrected"
form "$E" /cases/UCP-10002/submit "csrf=$ECSRF"
expect_status 303 "submitted again"
form "$DP" /cases/UCP-10002/verify "csrf=$DCSRF&decision=verified"
expect_status 303 "verified"
FJ=$T/fjar
form "$FJ" /login/staff "username=finance&password=suraksha-demo"
req GET /home "" -b "$FJ"
FCSRF=$(csrf_of)
check "finance lists the verified case" grep -q 'id="p-UCP-10002"' "$T/body"
form "$FJ" /posts "csrf=$FCSRF&employee_id=UCP-10002&designation=Clerk&pay_level=six"
expect_status 400 "a pay level that is not a number"
check "the refused form keeps the ticks" grep -q 'id="p-UCP-10002" name="employee_id" value="UCP-10002" checked' "$T/body"
check "and the designation typed" grep -q 'id="p-designation" name="designation" maxlength="128" value="Clerk"' "$T/body"
form "$FJ" /posts "csrf=$FCSRF&designation=Clerk&pay_level=2"
expect_status 400 "no case ticked"
form "$FJ" /posts "csrf=$FCSRF&employee_id=UCP-10002&employee_id=UCP-10001&designation=Clerk&pay_level=2"
expect_status 409 "all or nothing: a draft among them"
check "the case is still waiting for its post" test "$(state_of UCP-10002)" = verified
form "$FJ" /posts "csrf=$FCSRF&employee_id=UCP-10002&designation=Clerk&pay_level=2"
expect_status 303 "post created"
HJ=$T/hjar
form "$HJ" /login/staff "username=hod.pwd&password=suraksha-demo"
req GET /home "" -b "$HJ"
HCSRF=$(csrf_of)
check "the HoD sees the case ready" grep -q 'id="a-UCP-10002"' "$T/body"
check "each ready case offers its letter's preview" grep -q 'href="/cases/UCP-10002/letter-preview"' "$T/body"
LETTERS=$(db "SELECT count(*) FROM letters")
req GET /cases/UCP-10002/letter-preview "" -b "$HJ"
expect_status 200 "the letter before signing"
check "a PDF, inline" test "$(hdr Content-Type)/$(hdr Content-Disposition)" = "application/pdf/inline"
cp "$T/body" "$T/preview.pdf"
curl -s -b "$HJ" "$BASE/cases/UCP-10002/letter-preview" -o "$T/preview.pdf"
check "the preview is the letter, marked not issued" bash -c "pdftotext '$T/preview.pdf' - | grep -q 'PREVIEW-NOT-ISSUED' && pdftotext '$T/preview.pdf' - | grep -q 'Rajesh Kumar'"
check "unsigned" bash -c "! pdfsig '$T/preview.pdf' 2>/dev/null | grep -q 'Signature #1'"
check "a preview stores nothing" test "$(db "SELECT count(*) FROM letters")" = "$LETTERS"
req GET /cases/UCP-10001/letter-preview "" -b "$HJ"
expect_status 409 "no preview for a case without a post"
req GET /cases/UCP-10002/letter-preview "" -b "$DP"
expect_status 403 "a DDO previews no letter"
form "$HJ" /approve "csrf=$HCSRF&employee_id=UCP-10001&employee_id=UCP-10002"
expect_status 200 "many approvals"
check "the one approved, with its letter" grep -q 'href="/api/v1/letters/HR/SOS/PWD/' "$T/body"
check "results name the people" grep -q '<a href="/cases/UCP-10002">Rajesh Kumar</a>' "$T/body"
check "the other said why" grep -q "present state of the case" "$T/body"
check "each its own transaction" test "$(state_of UCP-10002)/$(state_of UCP-10001)" = approved/draft
form "$HJ" /cases/UCP-10001/reject "csrf=$HCSRF"
expect_status 400 "reject without reasons"
form "$HJ" /cases/UCP-10001/reject "csrf=$HCSRF&remarks=no+post"
expect_status 409 "reject a draft"
form "$HJ" /cases/UCP-10002/approve "csrf=$HCSRF"
expect_status 409 "approve twice"
req GET /cases/UCP-10002 "" -b "$HJ"
check "the HoD's case page has the letter" grep -q 'id="letter-link"' "$T/body"
check "and no more decision forms" bash -c "! grep -q 'id=\"approve-case\"\|id=\"reject-case\"' $T/body"

# a discrepancy certified through the page's multipart form
E1=$(otp_login UCP-10001 PPP10001A)
areq "$E1" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)"
add_docs UCP-10001
areq "$E1" POST /api/v1/cases/UCP-10001/submit
expect_status 200 "UCP-10001 submitted"
form "$DP" /cases/UCP-10001/verify "csrf=$DCSRF&decision=discrepancy&remarks=wrong+number&field=mobile&field=head_of_account"
expect_status 303 "discrepancy"
req GET /cases/UCP-10001 "" -b "$DP"
check "the certification form: a row per flagged particular" \
	bash -c "grep -q 'name=\"do_mobile\" value=\"as\"' $T/body && grep -q 'name=\"do_head_of_account\" value=\"fix\"' $T/body && grep -q 'name=\"val_mobile\"' $T/body"
check "no choice made for the DDO" bash -c "! grep -q 'name=\"do_mobile\" value=\"[a-z]*\"[a-z ]* checked' $T/body"
check "only the flagged particulars" bash -c "! grep -q 'name=\"do_family_id\"' $T/body"
check "no JSON to type" bash -c "! grep -q 'name=\"fields\"' $T/body"
req POST /cases/UCP-10001/certify "" -b "$DP" -F "csrf=$DCSRF" -F do_mobile=as \
	-F remarks=checked -F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 422 "a flagged particular left out"
check "the reason in the page, in words" grep -q 'choose &quot;Confirm as recorded&quot; or &quot;Correct it&quot;' "$T/body"
check "the choice made is kept" grep -q 'id="c-as-mobile" name="do_mobile" value="as" required checked' "$T/body"
DOCS=$(db "SELECT count(*) FROM documents WHERE employee_id = 'UCP-10001'")
# a corrected mobile that is no mobile: refused in plain Hindi and English, nothing changes
req POST /cases/UCP-10001/certify "" -b "$DP" -b "lang=hi" -F "csrf=$DCSRF" -F do_mobile=fix \
	-F val_mobile=12345 -F do_head_of_account=as -F "remarks=typed by the DDO" \
	-F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 400 "a bad corrected mobile"
check "said in Hindi, naming the particular" grep -q 'मोबाइल नंबर: सुधरा हुआ मान मान्य नहीं है' "$T/body"
check "no API words in the Hindi page" bash -c "! grep -q 'fields\.mobile\|not a valid value' $T/body"
check "the corrected value kept" grep -q 'id="c-val-mobile" name="val_mobile" maxlength="40" value="12345"' "$T/body"
check "the choices kept" bash -c "grep -q 'id=\"c-fix-mobile\" name=\"do_mobile\" value=\"fix\" checked' $T/body && grep -q 'id=\"c-as-head_of_account\" name=\"do_head_of_account\" value=\"as\" required checked' $T/body"
check "the remarks kept" grep -q '>typed by the DDO</textarea>' "$T/body"
check "still in discrepancy" test "$(state_of UCP-10001)" = discrepancy
check "no certificate stored" test "$(db "SELECT count(*) FROM documents WHERE employee_id = 'UCP-10001'")" = "$DOCS"
req POST /cases/UCP-10001/certify "" -b "$DP" -F "csrf=$DCSRF" -F do_mobile=fix \
	-F val_mobile=12345 -F do_head_of_account=as -F "remarks=typed by the DDO" \
	-F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 400 "a bad corrected mobile (English)"
check "said in English" grep -q 'Mobile number: the corrected value is not valid' "$T/body"
req POST /cases/UCP-10001/certify "" -b "$DP" -F "csrf=nope" -F do_mobile=as -F do_head_of_account=as \
	-F remarks=checked -F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 403 "certification with a wrong csrf"
# a certificate intake refuses: the page again in Hindi, with the file's trouble in words and the form as typed
req POST /cases/UCP-10001/certify "" -b "$DP" -b "lang=hi" -F "csrf=$DCSRF" -F do_mobile=fix \
	-F val_mobile=9876500001 -F do_head_of_account=as -F "remarks=typed by the DDO" \
	-F "file=@$ROOT/tests/corpus/pdf_javascript_names.pdf"
expect_status 422 "a hostile certificate"
check "the file's trouble in Hindi" grep -q 'PDF में स्क्रिप्ट' "$T/body"
check "the form as typed" bash -c "grep -q 'name=\"val_mobile\" maxlength=\"40\" value=\"9876500001\"' $T/body && grep -q '>typed by the DDO</textarea>' $T/body"
check "still no certificate stored" test "$(db "SELECT count(*) FROM documents WHERE employee_id = 'UCP-10001'")" = "$DOCS"
# confirm one particular as recorded, correct another
req POST /cases/UCP-10001/certify "" -b "$DP" -F "csrf=$DCSRF" -F do_mobile=fix \
	-F "val_mobile= 9876500001 " -F do_head_of_account=as -F remarks=checked \
	-F "file=@$ROOT/tests/corpus/pdf_simple.pdf"
expect_status 303 "certified"
check "back to the case" test "$(hdr Location)" = "/cases/UCP-10001?done=certified"
check "the fields built by the server" test "$(db "SELECT fields FROM certifications WHERE employee_id = 'UCP-10001' ORDER BY id DESC LIMIT 1")" = '{"head_of_account":null,"mobile":"9876500001"}'
check "the case is certified" test "$(state_of UCP-10001)" = certified
check "the mobile corrected" test "$(db "SELECT mobile FROM employees WHERE id = 'UCP-10001'")" = 9876500001

# auditor: the chain check, intact and then broken by an edit made in the database file
A=$T/ajar
form "$A" /login/staff "username=auditor&password=suraksha-demo"
expect_status 303 "auditor sign-in"
req GET "/audit?chain=1" "" -b "$A"
expect_status 200 "chain check"
check "chain intact" grep -q "The chain is intact" "$T/body"
sqlite3 "$DATA/suraksha.db" "UPDATE audit SET actor = 'someone' WHERE id = 3"
req GET "/audit?chain=1" "" -b "$A"
check "chain broken at the edited record" grep -q "first at record 3" "$T/body"
req GET "/audit?action=LOGIN" "" -b "$A"
check "filtered to logins, by a part in any case" bash -c "! grep -oE '<small class=\"mono\">[a-z._]+</small>' $T/body | grep -v '>login'"
check "some logins listed" grep -q '<small class="mono">login' "$T/body"
req GET "/audit?action=document.upload" "" -b "$A"
check "actions in words" grep -q "<td>Document uploaded<br>" "$T/body"
check "times in IST" grep -qE '<td class="nowrap">[0-9]{2}-[0-9]{2}-[0-9]{4} [0-9]{2}:[0-9]{2} IST</td>' "$T/body"
req GET "/audit?action=document.upload" "" -b "$A" -b "lang=hi"
check "actions in Hindi words" grep -q "<td>दस्तावेज़ अपलोड हुआ<br>" "$T/body"
TODAY=$(TZ=Asia/Kolkata date +%Y-%m-%d)
req GET "/audit?from=2000-01-01&to=2000-12-31" "" -b "$A"
check "a date range with nothing in it" grep -q 'No records match' "$T/body"
req GET "/audit?from=$TODAY&to=$TODAY&action=upload" "" -b "$A"
check "today's uploads" grep -q "<td>Document uploaded<br>" "$T/body"
req GET "/audit?from=yesterday" "" -b "$A"
expect_status 400 "a date that is not one"
req GET "/audit?action=upload&format=csv" "" -b "$A"
expect_status 200 "CSV export"
check "as a CSV file" grep -q 'text/csv' <<<"$(hdr Content-Type)"
check "with a header and the uploads" bash -c "head -1 $T/body | grep -q '^id,at_ist,actor,role,action,action_name' && grep -q ',document.upload,Document uploaded,' $T/body"
check "every row a filtered one" bash -c "tail -n +2 $T/body | grep -v ',document.upload,' | grep -vc . | grep -q '^0$' || ! tail -n +2 $T/body | grep -qv 'document.upload'"

# admin master data: deadlines, offices, imports (admin only)
M=$T/mjar
form "$M" /login/staff "username=admin&password=suraksha-demo"
expect_status 303 "admin sign-in again"
for pg in deadlines offices imports; do
	req GET "/admin/$pg" "" -b "$A"
	expect_status 403 "auditor refused /admin/$pg"
	req GET "/admin/$pg" "" -b "$E"
	expect_status 403 "employee refused /admin/$pg"
	req GET "/admin/$pg" "" -b "$M"
	expect_status 200 "admin /admin/$pg"
	check "menu links /admin/$pg" grep -q "<li><a href=\"/admin/$pg\">" "$T/body"
done
req GET /admin/deadlines "" -b "$M"
MCSRF=$(csrf_of)
check "windows per department" grep -q 'id="win-PWD"' "$T/body"
form "$A" /admin/deadlines "csrf=$MCSRF&stage=approval&closes=2030-03-31T23:59&reason=x"
expect_status 403 "auditor cannot extend by form"
form "$M" /admin/deadlines "csrf=$MCSRF&stage=approval&closes=2030-03-31T23:59&reason=Late+budget&department=NOPE"
expect_status 400 "an unknown department refused"
check "refusal names it in the page" grep -q 'NOPE' "$T/body"
check "what was typed is kept" grep -q '>Late budget</textarea>' "$T/body"
form "$M" /admin/deadlines "csrf=$MCSRF&stage=someday&closes=2030-03-31T23:59&reason=x"
expect_status 400 "an unknown stage refused"
form "$M" /admin/deadlines "csrf=$MCSRF&stage=approval&closes=2030-03-31T23:59&reason=Late+budget&department=HLT"
expect_status 303 "extension by form"
check "PRG to the deadlines" test "$(hdr Location)" = "/admin/deadlines?done=extended"
req GET /api/v1/deadlines "" -b "$M"
check "extension in the API, HLT only" jq -e '(.stages[] | select(.stage == "approval") | .departments.HLT.closes | startswith("2030-03-31T23:59")) and ([.extensions[] | select(.department == "HLT" and .reason == "Late budget")] | length == 1)' <<<"$BODY"
check "PWD untouched" jq -e '.stages[] | select(.stage == "approval") | .departments.PWD.closes | startswith("2030-03-31") | not' <<<"$BODY"
req GET "/admin/deadlines?done=extended" "" -b "$M"
check "the extension listed" grep -q "Late budget" "$T/body"
check "done notice" grep -q "The window was set" "$T/body"
check "audited" test "$(db "SELECT count(*) FROM audit WHERE action LIKE 'deadline%'")" -ge 1

# one office by form: validation of the import, then added, then corrected
OF="csrf=$MCSRF&office_name=Sirsa+Circle&department_code=PWD&department_name=$(jq -rn '"Public Works Department (Buildings & Roads)"|@uri')&district=Sirsa"
form "$M" /admin/offices "$OF&office_code=PWD-SRS-01&ddo_code=bad+code"
expect_status 400 "a bad DDO code refused"
check "the row's reason shown" grep -q "ddo_code &#39;bad code&#39; must be\|ddo_code &#x27;bad code&#x27; must be\|ddo_code .bad code. must be" "$T/body"
check "typed values kept" grep -q 'value="PWD-SRS-01"' "$T/body"
check "nothing added" test "$(db "SELECT count(*) FROM offices WHERE code = 'PWD-SRS-01'")" = 0
form "$M" /admin/offices "$OF&office_code=PWD-SRS-01&ddo_code=DDO-PWD-0901"
expect_status 303 "office added"
check "PRG added" test "$(hdr Location)" = "/admin/offices?done=added"
form "$M" /admin/offices "$OF&office_code=PWD-SRS-01&ddo_code=DDO-PWD-0902"
check "PRG corrected" test "$(hdr Location)" = "/admin/offices?done=updated"
req GET "/admin/offices?done=updated" "" -b "$M"
check "the office listed with its DDO" grep -q '<tr id="office-PWD-SRS-01"><td class="mono nowrap">PWD-SRS-01</td><td>Sirsa Circle</td><td class="mono nowrap">DDO-PWD-0902</td>' "$T/body"
check "office change audited" test "$(db "SELECT count(*) FROM audit WHERE object = 'office:PWD-SRS-01'")" = 2
check "no temporary files left" test -z "$(ls -A "$DATA/tmp" 2>/dev/null | grep import- || true)"

# a CSV upload: one good row, one bad, the report in the page
printf 'office_code,office_name,department_code,department_name,ddo_code,district\nHLT-HSR-01,Hisar PHC,HLT,Health Services,DDO-HLT-0901,Hisar\nHLT-BAD-01,,HLT,Health Services,DDO-HLT-0902,Hisar\n' >"$T/offices.csv"
req POST /admin/imports "" -b "$M" -F "csrf=nope" -F source=offices -F "file=@$T/offices.csv"
expect_status 403 "import with a wrong csrf"
check "nothing imported" test "$(db "SELECT count(*) FROM offices WHERE code = 'HLT-HSR-01'")" = 0
req POST /admin/imports "" -b "$A" -F "csrf=$MCSRF" -F source=offices -F "file=@$T/offices.csv"
expect_status 403 "auditor cannot import"
req POST /admin/imports "" -b "$M" -F "csrf=$MCSRF" -F source=offices -F "file=@$T/offices.csv"
expect_status 200 "import report"
check "counts" grep -q '<dd id="c-inserted">1</dd>' "$T/body"
check "rejected count" grep -q '<dd id="c-rejected">1</dd>' "$T/body"
check "the bad row with its reason" grep -q 'line 3: office HLT-BAD-01: rejected: office_name' "$T/body"
check "the rejected row listed before the accepted one" test "$(grep -o '<li class="mono small[^"]*">[^<]*' "$T/body" | head -1 | grep -c 'rejected')" = 1
check "the imported office appears" test "$(db "SELECT ddo_code FROM offices WHERE code = 'HLT-HSR-01'")" = DDO-HLT-0901
check "provenance names the uploaded file" test "$(db "SELECT file_name FROM imports ORDER BY id DESC LIMIT 1")" = offices.csv
req GET /admin/offices "" -b "$M"
check "and is listed" grep -q 'id="office-HLT-HSR-01"' "$T/body"
printf 'office_code,office_name\nX,Y\n' >"$T/short.csv"
req POST /admin/imports "" -b "$M" -F "csrf=$MCSRF" -F source=offices -F "file=@$T/short.csv"
expect_status 400 "a file without the columns refused"
check "the missing column named" grep -q "required column &#39;department_code&#39;\|required column .department_code." "$T/body"
head -c $((5 * 1024 * 1024 + 10)) /dev/zero | tr '\0' 'a' >"$T/big.csv"
req POST /admin/imports "" -b "$M" -F "csrf=$MCSRF" -F source=offices -F "file=@$T/big.csv"
check "a file over 5 MB refused" test "$STATUS" = 413
check "no temporary files left after imports" test -z "$(ls -A "$DATA/tmp" 2>/dev/null | grep import- || true)"
req GET /admin/imports "" -b "$M" -b "lang=hi"
check "Hindi import page" grep -q "मास्टर डेटा आयात करें" "$T/body"
finish
