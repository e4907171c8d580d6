# Offer letters end to end through the command line: a portal CA and a HoD in a temporary
# data folder, a signed sample letter, then the independent checkers (qpdf, pdftotext,
# poppler's pdfsig with an NSS database trusting the CA) and the attacks, each reported
# invalid by `suraksha verify` with its reason. Leaves tests/out/letter-1.png to look at.
set -euo pipefail

S=./suraksha
T=$(mktemp -d /tmp/t_letters.XXXXXX)
trap 'rm -rf "$T"' EXIT
D=$T/data
fail() { echo "FAIL: $*" >&2; exit 1; }

# keys
$S letter ca --data "$D"
$S letter ca --data "$D"	# idempotent
[ "$(stat -c %a "$D/keys/ca.key")" = 600 ] || fail "ca.key mode"
[ "$(stat -c %a "$D/keys/ca.pem")" = 644 ] || fail "ca.pem mode"
$S letter hod --data "$D" --hod hod.health --name "Dr. Ramesh Kumar Sharma"
# the HoD's key is in the data folder's token (SoftHSM2), never a file
[ ! -e "$D/keys/hod-hod.health.key" ] || fail "a HoD key file exists"
[ "$(stat -c %a "$D/hsm")" = 700 ] && [ "$(stat -c %a "$D/hsm/pin")" = 600 ] || fail "token modes"
SOFTHSM2_CONF=$D/hsm/softhsm2.conf pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so \
    --token-label suraksha --login --pin "$(cat "$D/hsm/pin")" --list-objects --type privkey \
    2>/dev/null >"$T/objects.txt"
grep -q "label: *hod-hod.health" "$T/objects.txt" || { cat "$T/objects.txt"; fail "no HoD key in the token"; }
grep -A6 "label: *hod-hod.health" "$T/objects.txt" | grep -q "never extractable" ||
	fail "the HoD key is extractable"
openssl x509 -in "$D/keys/ca.pem" -noout -text | grep -q "CA:TRUE" || fail "CA constraint"
openssl x509 -in "$D/keys/hod-hod.health.pem" -noout -text | grep -q "E-mail Protection" ||
	fail "HoD EKU"
if openssl x509 -in "$D/keys/hod-hod.health.pem" -noout -text | grep -q "Authority Information Access"; then
	fail "HoD certificate must carry no AIA"
fi

# a letter
cat >"$T/facts.json" <<'EOF'
{"ref": "HR/SOS/PWD/2026/000042", "employee_name": "Rajesh Kumar",
 "employee_id": "UCP-88231", "family_id": "1ABCD2345", "department": "Public Works",
 "office": "Executive Engineer, Provincial Division", "district": "Hisar",
 "designation": "Junior Engineer", "pay_level": 6, "entry_pay": 35400,
 "band_percent": 15, "qualifying_years": 12, "additional_remuneration": 5300,
 "consolidated": 40700, "effective_date": "2026-12-15",
 "hod_name": "Dr. Ramesh Kumar Sharma", "hod_designation": "Engineer-in-Chief"}
EOF
$S letter sample --data "$D" --hod hod.health --facts "$T/facts.json" --out "$T/letter.pdf"
size=$(stat -c %s "$T/letter.pdf")
[ "$size" -le 32768 ] || fail "letter is $size bytes"

qpdf --check "$T/letter.pdf" >"$T/qpdf.txt" 2>&1 || { cat "$T/qpdf.txt"; fail "qpdf --check"; }
grep -q "No syntax or stream encoding errors found" "$T/qpdf.txt" || fail "qpdf output"

# one line of text with single spaces, so wrapped phrases are found whole
pdftotext "$T/letter.pdf" - | tr -s ' \n' '  ' >"$T/letter.txt"
for fact in "HR/SOS/PWD/2026/000042" "Rajesh Kumar" "UCP-88231" "1ABCD2345" \
    "Department of Public Works" "Executive Engineer, Provincial Division" "Junior Engineer" \
    "pay level 6" "15 December 2026" "Rs. 35,400" "Rs. 5,300" "Rs. 40,700" \
    "15 % for 12 qualifying years" "1 January 2025" "1 July 2025" "age of 58 years" \
    "transferable" "withdrawn" "Act, 2024" "Rules, 2025" "Digitally signed by" \
    "Engineer-in-Chief" "https://sos.haryana.gov.in/verify/HR/SOS/PWD/2026/000042"; do
	grep -qF -- "$fact" "$T/letter.txt" || fail "pdftotext lacks '$fact'"
done

# our verifier
$S verify --data "$D" "$T/letter.pdf" >"$T/v.json" || { cat "$T/v.json"; fail "verify"; }
jq -e '.valid == true and .chain_trusted == true and .modified_after_signing == false and
    .letter_ref == "HR/SOS/PWD/2026/000042" and .signer == "Dr. Ramesh Kumar Sharma" and
    .reasons == [] and .issued_by_portal == null and (.signed_at | test("Z$"))' \
    "$T/v.json" >/dev/null || { cat "$T/v.json"; fail "verify report"; }

# poppler's pdfsig with an NSS database trusting the portal CA (its exit code is 0 even for
# bad signatures: the text is what counts)
NSS=$T/nss
mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n portal -t "CT,C,C" -i "$D/keys/ca.pem"
pdfsig -nssdir "sql:$NSS" "$T/letter.pdf" >"$T/pdfsig.txt" 2>&1 || true
for want in "Signature is Valid." "Certificate is Trusted." "Total document signed" \
    "ETSI.CAdES.detached" "SHA-256"; do
	grep -qF "$want" "$T/pdfsig.txt" || { cat "$T/pdfsig.txt"; fail "pdfsig: no '$want'"; }
done

mkdir -p tests/out
pdftoppm -r 60 -png "$T/letter.pdf" tests/out/letter
[ -s tests/out/letter-1.png ] || fail "no PNG"

# The same checks through the real server's POST /api/v1/verify: a portal on this data
# folder (init keeps the CA made above).
$S init --data "$D" >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$S serve --data "$D" --listen "127.0.0.1:$PORT" >"$T/server.log" 2>&1 &
SPID=$!
trap 'kill $SPID 2>/dev/null; wait $SPID 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.05; done
endpoint() {	# file -> the report in $T/e.json
	curl -s -H 'Content-Type: application/pdf' --data-binary @"$1" \
	    "http://127.0.0.1:$PORT/api/v1/verify" >"$T/e.json"
}
endpoint "$T/letter.pdf"
jq -e '.chain_trusted == true and .modified_after_signing == false and
    .issued_by_portal == false and .valid == false and .reasons == ["not_issued_by_portal"]' \
    "$T/e.json" >/dev/null || { cat "$T/e.json"; fail "endpoint on a letter this portal did not issue"; }

# attacks: each must be invalid (exit 1) with its reason, by suraksha verify and the endpoint
expect() {	# file reason [other accepted reason]
	local rc=0
	$S verify --data "$D" "$1" >"$T/a.json" || rc=$?
	[ $rc -eq 1 ] || { cat "$T/a.json"; fail "$1: exit $rc, want 1"; }
	jq -e --arg r "$2" --arg o "${3:-$2}" '.valid == false and
	    ((.reasons | index($r)) != null or (.reasons | index($o)) != null)' "$T/a.json" \
	    >/dev/null || { cat "$T/a.json"; fail "$1: reason $2 missing"; }
	endpoint "$1"
	jq -e --arg r "$2" --arg o "${3:-$2}" '.valid == false and
	    ((.reasons | index($r)) != null or (.reasons | index($o)) != null)' "$T/e.json" \
	    >/dev/null || { cat "$T/e.json"; fail "$1: the endpoint missed $2"; }
}
# The ByteRange rewritten in place (same length, so nothing else moves).
byterange() {	# out python-expression-of-a,b,c
	python3 - "$T/letter.pdf" "$1" "$2" <<'PY'
import re, sys
d = open(sys.argv[1], 'rb').read()
m = re.search(rb'/ByteRange \[([^\]]*)\]', d)
z, a, b, c = (int(x) for x in m.group(1).split())
new = eval(sys.argv[3]).encode()
assert len(new) <= len(m.group(1))
new = new.ljust(len(m.group(1)), b' ')
open(sys.argv[2], 'wb').write(d[:m.start(1)] + new + d[m.end(1):])
PY
}

# a byte changed inside the signed ranges
LC_ALL=C sed 's/(Offer letter /(Offer lettex /' "$T/letter.pdf" >"$T/changed.pdf"
cmp -s "$T/letter.pdf" "$T/changed.pdf" && fail "sed changed nothing"
expect "$T/changed.pdf" digest_mismatch
pdfsig -nssdir "sql:$NSS" "$T/changed.pdf" 2>&1 | grep -q "Digest Mismatch." ||
	fail "pdfsig missed the changed byte"

# an incremental update appended after signing
cp "$T/letter.pdf" "$T/appended.pdf"
prev=$(tail -c 32 "$T/letter.pdf" | sed -n '/startxref/{n;p}')
at=$(stat -c %s "$T/appended.pdf")
printf '3 0 obj\n<< /Title (Forged) >>\nendobj\n' >>"$T/appended.pdf"
xr=$(stat -c %s "$T/appended.pdf")
printf 'xref\n3 1\n%010d 00000 n\r\ntrailer\n<< /Size 20 /Root 1 0 R /Info 3 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' \
    "$at" "$prev" "$xr" >>"$T/appended.pdf"
expect "$T/appended.pdf" modified_after_signing
jq -e '.modified_after_signing == true' "$T/a.json" >/dev/null || fail "modified flag"
pdfsig -nssdir "sql:$NSS" "$T/appended.pdf" 2>&1 | grep -q "Not total document signed" ||
	fail "pdfsig missed the appended update"

# ByteRange removed
LC_ALL=C sed 's|/ByteRange \[|/ByteRangX [|' "$T/letter.pdf" >"$T/nobr.pdf"
expect "$T/nobr.pdf" byterange_invalid

# ByteRange null, pointing elsewhere, shrunk (universal forgery, signature wrapping)
byterange "$T/brnull.pdf" '"0 0 0 0"'
expect "$T/brnull.pdf" byterange_invalid
byterange "$T/brelse.pdf" '"%d %d %d %d" % (0, a - 100, b - 100, c + 100)'
expect "$T/brelse.pdf" byterange_invalid
byterange "$T/brshrunk.pdf" '"%d %d %d %d" % (0, a, b, c - 200)'
expect "$T/brshrunk.pdf" byterange_invalid modified_after_signing
# the signature moved: the gap no longer frames /Contents
byterange "$T/moved.pdf" '"%d %d %d %d" % (0, a + 2, b + 2, c - 2)'
expect "$T/moved.pdf" byterange_invalid

# truncated
head -c $((size - 300)) "$T/letter.pdf" >"$T/truncated.pdf"
expect "$T/truncated.pdf" truncated

# signed by a HoD of another CA
D2=$T/other
$S letter ca --data "$D2"
$S letter hod --data "$D2" --hod hod.health --name "Dr. Ramesh Kumar Sharma"
$S letter sample --data "$D2" --hod hod.health --out "$T/foreign.pdf"
expect "$T/foreign.pdf" untrusted_signer
jq -e '.chain_trusted == false' "$T/a.json" >/dev/null || fail "foreign chain"
# the CMS carries the foreign CA, so pdfsig says "issuer isn't Trusted" rather than "unknown"
pdfsig -nssdir "sql:$NSS" "$T/foreign.pdf" >"$T/pdfsig2.txt" 2>&1 || true
grep -qE "Certificate issuer (is unknown|isn't Trusted)" "$T/pdfsig2.txt" ||
	{ cat "$T/pdfsig2.txt"; fail "pdfsig trusted a foreign CA"; }

# a HoD's own PKCS#12 (here a key certified by this CA), imported into the token and used
openssl ecparam -name prime256v1 -genkey -noout -out "$T/own.key" 2>/dev/null
openssl req -new -key "$T/own.key" -subj "/C=IN/O=Government of Haryana/CN=Own HoD" \
    -out "$T/own.csr" 2>/dev/null
printf 'keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=emailProtection\n' \
    >"$T/own.ext"
openssl x509 -req -in "$T/own.csr" -CA "$D/keys/ca.pem" -CAkey "$D/keys/ca.key" \
    -CAcreateserial -days 30 -extfile "$T/own.ext" -out "$T/own.pem" 2>/dev/null
openssl pkcs12 -export -inkey "$T/own.key" -in "$T/own.pem" -certfile "$D/keys/ca.pem" \
    -passout pass:s3cret -out "$T/hod.p12"
echo s3cret | $S hod import-p12 --data "$D" --hod hod.own --p12 "$T/hod.p12" >/dev/null ||
	fail "hod import-p12"
[ ! -e "$D/keys/hod-hod.own.key" ] && [ -s "$D/keys/hod-hod.own.pem" ] || fail "imported key file"
rc=0; echo wrong | $S hod import-p12 --data "$D" --hod hod.bad --p12 "$T/hod.p12" \
    >/dev/null 2>&1 || rc=$?
[ $rc -ne 0 ] && [ ! -e "$D/keys/hod-hod.bad.pem" ] || fail "a wrong PKCS#12 password"
$S letter sample --data "$D" --hod hod.own --out "$T/own.pdf" >/dev/null
# (a sample letter: signed and trusted, but not one this portal's database issued)
$S verify --data "$D" "$T/own.pdf" >"$T/own.json" || true
jq -e '.chain_trusted and (.modified_after_signing | not) and .reasons == ["not_issued_by_portal"]' \
    "$T/own.json" >/dev/null || { cat "$T/own.json"; fail "letter signed with an imported key"; }

# usage and unreadable input
rc=0; $S verify --data "$D" "$T/nonexistent.pdf" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "unreadable file: exit $rc"
rc=0; $S verify 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "no file: exit $rc"
rc=0; $S verify --ca "$T/nonexistent.pem" "$T/letter.pdf" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "unreadable CA: exit $rc"
$S letter --help | grep -q "sample" || fail "letter --help"

echo "t_letters: ok ($size bytes)"
