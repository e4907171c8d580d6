#!/usr/bin/env bash
# The staff queue at a DDO's scale (300 cases in one office): GET /api/v1/cases with q
# (part of an id or a name, any case, Devanagari too), sort and page/per_page with totals,
# the filters combined; the staff home's search, order and pager.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"
. "$(dirname "$0")/many_cases.sh"
init_demo
many_cases 300
start_server
DDO=$(login ddo.pwd.amb)

areq "$DDO" GET "/api/v1/cases?per_page=50"
expect_status 200 "first page"
expect_json '.total >= 300 and (.items | length) == 50 and .page == 1' "a page of 50 with the total"
TOTAL=$(jq .total <<<"$BODY")
areq "$DDO" GET "/api/v1/cases?per_page=50&page=7"
expect_json "(.items | length) == ($TOTAL - 300) and .page == 7" "the last page holds the rest"
areq "$DDO" GET "/api/v1/cases?q=rajesh"
expect_status 200 "find by part of a name"
expect_json '(.items | map(.name) | index("Rajesh Kumar")) != null and (.items | map(.name) | index("Rajesh Test 050")) != null and .total == 7' "any case, every Rajesh (6 made, 1 of the demo)"
areq "$DDO" GET "/api/v1/cases?q=%20ucp-5000%20"
expect_json '.total == 9 and all(.items[]; .employee_id | startswith("UCP-5000"))' "part of an id, any case"
areq "$DDO" GET "/api/v1/cases?q=$(jq -rn '"राजेश" | @uri')"
expect_json '.total == 1 and .items[0].name == "राजेश कुमार शर्मा"' "a Devanagari name"
areq "$DDO" GET "/api/v1/cases?q=50%25"
expect_json '.total == 0' "% is a character, not a wildcard"
areq "$DDO" GET "/api/v1/cases?q=rajesh&sort=name&per_page=3"
expect_json '[.items[].name] == ["Rajesh Kumar", "Rajesh Test 050", "Rajesh Test 100"] and .total == 7' "sorted by name, paged"
areq "$DDO" GET "/api/v1/cases?q=rajesh&state=submitted"
expect_json '.total == 0' "filters combine"
areq "$DDO" GET "/api/v1/cases?sort=bogus"
expect_error 400 invalid_field "an unknown order"
areq "$DDO" GET "/api/v1/cases?q=$(head -c 70 /dev/zero | tr '\0' x)"
expect_error 400 invalid_field "a search too long"

# the page: search, order, pager that keeps the filters
J=$T/jar
req POST /login/staff "" -c "$J" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "username=ddo.pwd.amb&password=suraksha-demo"
req GET "/home" "" -b "$J"
check "the search is the first form on the page" test "$(grep -o 'id="[a-z-]*-form\|id="queue-filter"' "$T/body" | head -1)" = 'id="queue-filter"'
check "a page of 50 rows" test "$(grep -c 'href="/cases/' "$T/body")" -ge 50
check "showing 1-50 of all" grep -q "<strong id=\"queue-found\">$TOTAL</strong>" "$T/body"
NEXT=$(grep -o 'href="[^"]*" id="queue-next"' "$T/body" | sed 's/href="//;s/" id.*//;s/&amp;/\&/g')
check "a next page" test -n "$NEXT"
req GET "/home?q=TEST&sort=name" "" -b "$J"
NEXT=$(grep -o 'href="[^"]*" id="queue-next"' "$T/body" | sed 's/href="//;s/" id.*//;s/&amp;/\&/g')
check "the pager keeps search and order" grep -q 'q=TEST&sort=name' <<<"$NEXT"
req GET "${NEXT%#*}" "" -b "$J"
check "page 2 starts at 51" grep -q '<strong id="queue-from">51</strong>' "$T/body"
req GET "/home?q=rAjEsH" "" -b "$J"
check "Rajesh found on the page" grep -q '>Rajesh Kumar</a>' "$T/body"
stop_server
# base_url at start: a loopback base_url on a listen address for other machines is warned
# of (an address of the documentation range: the bind fails, nothing is sent)
"$BIN" serve --data "$DATA" --listen 192.0.2.1:9 --base_url http://127.0.0.1:8080 >"$T/warn.log" 2>&1
check "a loopback base_url on a public listen is warned of" grep -q "base_url http://127.0.0.1:8080 is a loopback address" "$T/warn.log"
"$BIN" serve --data "$DATA" --listen 192.0.2.1:9 --base_url https://sos.example.in >"$T/nowarn.log" 2>&1
check "a public base_url is not" bash -c "! grep -q 'loopback address' $T/nowarn.log"
finish
