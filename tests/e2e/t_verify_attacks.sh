#!/usr/bin/env bash
# The verifier never calls a forged letter valid (issue 9). One genuine letter issued by
# the portal, then each attack class as an attacker would try it, each refused with its
# reason by both `suraksha verify --data` (the portal's database at hand) and the
# public POST /api/v1/verify; the two bombs refused within the parser's limits while the
# server keeps answering; genuine letters still valid, and pdfsig still satisfied.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cases_lib.sh"

FORGE=$T/forge
# the forge tool links the library of the variant under test (make SANITIZE=1 check: ASan)
LIB=$ROOT/build/std/libsuraksha.a SAN=
if ldd "$BIN" | grep libasan >/dev/null; then
	LIB=$ROOT/build/san/libsuraksha.a SAN="-fsanitize=address,undefined"
fi
# shellcheck disable=SC2046,SC2086
cc -std=c17 -D_GNU_SOURCE -O1 $SAN $(pkg-config --cflags libcrypto jansson) -o "$FORGE" \
    "$ROOT/tests/tools/forge.c" -I"$ROOT/src" "$LIB" \
    $(pkg-config --libs libmicrohttpd sqlite3 libcrypto libssl jansson libmagic libarchive \
    libqrencode libqpdf libpng libjpeg libcurl) -lhpdf -lpthread -lm ||
	{ echo "cannot build the forge tool"; exit 1; }
# (the forge tool is a short-lived test helper: its leaks are not the verifier's)
forge() { ASAN_OPTIONS=detect_leaks=0 "$FORGE" "$@"; }

init_demo
open_windows
export SURAKSHA_OTP_RESEND_INTERVAL=0
KEYS=$DATA/keys
NOW=$(date +%s)
# The portal's signing keys are in the token (issue 13), never files. The insider forgery
# needs an insider who holds a genuine key: HoDs who brought their own (a PKCS#12 they
# keep, imported into the token with 'hod import-p12'). The test plays the offline CA's
# operator for them; the insider's files are in $INS, apart from the portal's keys.
INS=$T/insider
mkdir -p "$INS"
cp "$KEYS/ca.pem" "$KEYS/ca.key" "$INS/"
own_key() { # USER NAME: an EC P-256 key and a HoD certificate of the portal CA, imported
	local u=$1
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$INS/hod-$u.key" 2>/dev/null
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature,nonRepudiation" "extendedKeyUsage=emailProtection" \
	    "crlDistributionPoints=URI:http://127.0.0.1:8080/crl" >"$T/own-$u.ext"
	openssl req -new -key "$INS/hod-$u.key" -subj "/C=IN/O=Government of Haryana/CN=$2" \
	    -out "$T/own-$u.csr"
	openssl x509 -req -in "$T/own-$u.csr" -CA "$KEYS/ca.pem" -CAkey "$KEYS/ca.key" -days 365 \
	    -set_serial "0x$(openssl rand -hex 12)" -extfile "$T/own-$u.ext" -out "$INS/hod-$u.pem" 2>/dev/null
	cat "$KEYS/ca.pem" >>"$INS/hod-$u.pem"
	openssl pkcs12 -export -inkey "$INS/hod-$u.key" -in "$INS/hod-$u.pem" -passout pass:own-p12 \
	    -out "$T/own-$u.p12"
	echo own-p12 | "$BIN" hod import-p12 --data "$DATA" --hod "$u" --p12 "$T/own-$u.p12" ||
		fail "hod import-p12 $u"
}
own_key hod.pwd "Engineer-in-Chief, PWD"
own_key hod.hlt "Director General, Health Services"
check "imported keys are in the token, not in the data folder" test ! -e "$KEYS/hod-hod.pwd.key"
# a small parser budget so that the bombs stop quickly
start_server --pdf-memory-max 100000000 --parser-cpu-seconds 5
login_staff

# ---- a genuine letter, issued through the portal ----
tok=$(otp_login UCP-10001 PPP10001A)
areq "$tok" PUT /api/v1/cases/UCP-10001/service "$(svc 2012-04-01)"
add_docs UCP-10001
areq "$tok" POST /api/v1/cases/UCP-10001/submit
areq "$DDO" POST /api/v1/cases/UCP-10001/verify '{"decision":"verified"}'
areq "$FIN" POST /api/v1/posts '{"employee_ids":["UCP-10001"],"designation":"Clerk","pay_level":2}'
areq "$HOD" POST /api/v1/approvals '{"employee_ids":["UCP-10001"]}'
expect_status 200 "approval"
REF=$(jq -r '.results[0].letter_ref' <<<"$BODY")
ISSUER=$(db "SELECT issued_by FROM letters WHERE ref = '$REF'")
areq "$HOD" GET "/api/v1/letters/$REF"
cp "$T/body" "$T/genuine.pdf"
check "a genuine letter was issued ($REF by $ISSUER)" test -s "$T/genuine.pdf"
check "its signed ranges and signer certificate are recorded" test \
    "$(db "SELECT length(signed_sha256) + length(cert_sha256) FROM letters WHERE ref = '$REF'")" = 128

# verify FILE: the CLI's report in $T/cli.json (exit code in CLI_RC), the endpoint's in
# $T/api.json
verify_both() {
	CLI_RC=0
	"$BIN" verify --data "$DATA" "$1" >"$T/cli.json" 2>"$T/cli.err" || CLI_RC=$?
	curl -s -H 'Content-Type: application/pdf' --data-binary @"$1" "$BASE/api/v1/verify" \
	    >"$T/api.json"
}
expect_valid() { # FILE what
	verify_both "$1"
	if [ "$CLI_RC" = 0 ] && jq -e '.valid == true and .reasons == []' "$T/cli.json" >/dev/null; then
		ok; else fail "$2: the CLI says $(head -c 400 "$T/cli.json")"; fi
	if jq -e '.valid == true and .issued_by_portal == true and .reasons == [] and
	    .time_source == "portal_issue_record"' "$T/api.json" >/dev/null; then
		ok; else fail "$2: the endpoint says $(head -c 400 "$T/api.json")"; fi
}
expect_refused() { # FILE REASON what [OTHER-ACCEPTED-REASON]
	local alt=${4:-$2}
	verify_both "$1"
	if [ "$CLI_RC" = 1 ] && jq -e --arg r "$2" --arg o "$alt" '.valid == false and
	    (.reasons | (index($r) != null or index($o) != null))' "$T/cli.json" >/dev/null; then
		ok; else fail "$3: the CLI (exit $CLI_RC) does not refuse it with $2: $(head -c 500 "$T/cli.json")"; fi
	if jq -e --arg r "$2" --arg o "$alt" '.valid == false and
	    (.reasons | (index($r) != null or index($o) != null)) and
	    (.messages | length) == (.reasons | length)' "$T/api.json" >/dev/null; then
		ok; else fail "$3: the endpoint does not refuse it with $2: $(head -c 500 "$T/api.json")"; fi
}
# patch IN OUT PYTHON: d is the file's bytes; the expression's value is written out
patch() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, sys, zlib
d = open(sys.argv[1], 'rb').read()
m = re.search(rb'/ByteRange \[([^\]]*)\]', d)
z, a, b, c = (int(x) for x in m.group(1).split())
def br(s):	# the ByteRange text replaced in place, same length
    s = s.encode().ljust(len(m.group(1)), b' ')
    assert len(s) == len(m.group(1))
    return d[:m.start(1)] + s + d[m.end(1):]
def update(objs, prev_xref=True):	# an incremental update replacing/adding objects
    out = bytearray(d)
    startxref = int(re.findall(rb'startxref\s+(\d+)', d)[-1])
    size = max(int(x) for x in re.findall(rb'/Size (\d+)', d))
    offs = {}
    for n, body in objs.items():
        offs[n] = len(out)
        out += b'%d 0 obj\n' % n + body + b'\nendobj\n'
    if not prev_xref:
        return bytes(out)
    x = len(out)
    out += b'xref\n'
    for n, o in sorted(offs.items()):
        out += b'%d 1\n%010d 00000 n \n' % (n, o)
    root = re.findall(rb'/Root (\d+) 0 R', d)[-1]
    out += b'trailer\n<< /Size %d /Root %s 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n' % (
        max(size, max(offs) + 1), root, startxref, x)
    return bytes(out)
def obj(n):	# the last body of object n
    return re.findall(rb'\n%d 0 obj\s*(.*?)\s*endobj' % n, d, re.S)[-1]
out = eval(sys.argv[3])
assert out != d
open(sys.argv[2], 'wb').write(out)
PY
}

# ---- genuine letters stay valid ----
expect_valid "$T/genuine.pdf" "the genuine letter"
jq -e --arg r "$REF" '.letter_ref == $r and .issuance_checked == true and .revocation_checked == true and
    .revoked == false and .chain_trusted == true' "$T/api.json" >/dev/null ||
	fail "genuine report fields: $(cat "$T/api.json")"
# the /Contents hex re-encoded in upper case: the same signed letter, the same answer
patch "$T/genuine.pdf" "$T/upper.pdf" 'd[:a] + d[a:b].upper() + d[b:]'
expect_valid "$T/upper.pdf" "the genuine letter with upper-case /Contents hex"
# without the database (an auditor with /ca.pem): valid, and the report says plainly what
# was not checked
"$BIN" verify --ca "$KEYS/ca.pem" --data "$T/nowhere" "$T/genuine.pdf" >"$T/off.json" ||
	fail "offline verification: $(cat "$T/off.json")"
check "offline: issuance and revocation not checked, said in notes" jq -e '.valid == true and
    .issuance_checked == false and .revocation_checked == false and .issued_by_portal == null and
    (.notes | length) >= 2 and .time_source == "present"' "$T/off.json"
NSS=$T/nss
mkdir -p "$NSS"
certutil -N -d "sql:$NSS" --empty-password
certutil -A -d "sql:$NSS" -n portal -t "CT,C,C" -i "$KEYS/ca.pem"
pdfsig -nssdir "sql:$NSS" "$T/genuine.pdf" >"$T/pdfsig.txt" 2>&1 || true
for want in "Signature is Valid." "Certificate is Trusted." "Total document signed"; do
	grep -qF "$want" "$T/pdfsig.txt" || fail "pdfsig: no '$want': $(cat "$T/pdfsig.txt")"
done
for c in "hod-$ISSUER" seal hkcl tsa; do
	openssl x509 -in "$KEYS/$c.pem" -noout -text | grep -q "URI:http://127.0.0.1:8080/crl" ||
		fail "the $c certificate names no CRL distribution point"
done

# ---- universal signature forgery: ByteRange and Contents malformed in every way ----
patch "$T/genuine.pdf" "$T/u1.pdf" 'd.replace(b"/ByteRange [", b"/ByteRangX [", 1)'
expect_refused "$T/u1.pdf" byterange_invalid "ByteRange removed"
patch "$T/genuine.pdf" "$T/u2.pdf" 'br("0 0 0 0")'
expect_refused "$T/u2.pdf" byterange_invalid "ByteRange null"
patch "$T/genuine.pdf" "$T/u3.pdf" 'br("0 %d %d %d" % (a, b, c - 400))'
expect_refused "$T/u3.pdf" byterange_invalid "ByteRange shrunk" modified_after_signing
patch "$T/genuine.pdf" "$T/u4.pdf" 'br("-1 %d %d %d" % (a, b, c))'
expect_refused "$T/u4.pdf" byterange_invalid "ByteRange negative"
patch "$T/genuine.pdf" "$T/u5.pdf" 'br("0 %d %d" % (a, b))'
expect_refused "$T/u5.pdf" byterange_invalid "ByteRange of three numbers"
patch "$T/genuine.pdf" "$T/u6.pdf" 'd.replace(b"/Contents <", b"/Contentx <", 1)'
expect_refused "$T/u6.pdf" byterange_invalid "Contents removed"
patch "$T/genuine.pdf" "$T/u7.pdf" 'd[:a + 1] + b"0" * (b - a - 2) + d[b - 1:]'
expect_refused "$T/u7.pdf" contents_invalid "Contents all zeros"
patch "$T/genuine.pdf" "$T/u8.pdf" 'd[:a] + b"(" + b" " * (b - a - 2) + b")" + d[b:]'
expect_refused "$T/u8.pdf" byterange_invalid "Contents a literal string"

# ---- incremental saving: with an xref, without, hidden in the Contents gap ----
patch "$T/genuine.pdf" "$T/i1.pdf" 'update({9999: b"<< /Title (Forged) >>"})'
expect_refused "$T/i1.pdf" modified_after_signing "an update with an xref section"
jq -e '.modified_after_signing == true' "$T/api.json" >/dev/null || fail "modified flag"
patch "$T/genuine.pdf" "$T/i2.pdf" 'update({9999: b"<< /Title (Forged) >>"}, prev_xref=False)'
expect_refused "$T/i2.pdf" modified_after_signing "an object appended without an xref"
# the DER ends well before the gap does: content in the zero padding
patch "$T/genuine.pdf" "$T/i3.pdf" 'd[:b - 1 - 200] + b"2028466f72676564292054" + b"0" * 178 + d[b - 1:]'
expect_refused "$T/i3.pdf" contents_invalid "bytes hidden in the Contents padding"
patch "$T/genuine.pdf" "$T/i4.pdf" 'd[:b - 1 - 40] + b") 9999 0 obj << >> endobj (" + b"0" * 13 + d[b - 1:]'
expect_refused "$T/i4.pdf" byterange_invalid "PDF syntax hidden in the Contents gap" no_signature

# ---- signature wrapping: the signed ranges moved, a second signature dictionary ----
patch "$T/genuine.pdf" "$T/w1.pdf" 'br("0 %d %d %d" % (a + 2, b + 2, c - 2))'
expect_refused "$T/w1.pdf" byterange_invalid "ByteRange moved by two bytes"
patch "$T/genuine.pdf" "$T/w2.pdf" 'br("0 %d %d %d" % (a - 100, b - 100, c + 100))'
expect_refused "$T/w2.pdf" byterange_invalid "ByteRange pointing elsewhere"
patch "$T/genuine.pdf" "$T/w3.pdf" 'update({9998: b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 %d %d %d] /Contents <00> >>" % (a, b, c)})'
expect_refused "$T/w3.pdf" multiple_signatures "a second signature dictionary appended" modified_after_signing

# ---- shadow attacks: the page's content replaced, or an overlay revealed, by an update ----
PAGE=$(python3 -c "import re,sys; d=open(sys.argv[1],'rb').read(); print(re.search(rb'/Type /Page\b.*?', d) and re.findall(rb'(\d+) 0 obj\s*<<(?:(?!endobj).)*?/Type /Page[^s]', d, re.S)[-1].decode())" "$T/genuine.pdf")
patch "$T/genuine.pdf" "$T/s1.pdf" "update({$PAGE: re.sub(rb'/Contents [^/>]*', b'/Contents 9997 0 R ', obj($PAGE)), 9997: b'<< /Length 31 >>\nstream\nBT /F1 12 Tf (Rs. 99,999) Tj ET\nendstream'})"
expect_refused "$T/s1.pdf" modified_after_signing "shadow: the page content replaced"
patch "$T/genuine.pdf" "$T/s2.pdf" "update({$PAGE: obj($PAGE).replace(b'/Annots [', b'/Annots [9996 0 R '), 9996: b'<< /Type /Annot /Subtype /FreeText /Rect [0 0 600 800] /Contents (Rs. 99,999) >>'})"
expect_refused "$T/s2.pdf" modified_after_signing "shadow: an overlay revealed"

# ---- the insider forgery: a genuine HoD key, the reference removed, malformed or not
# the signed one ----
forge sign "$INS" "$ISSUER" "$T/f1.pdf" --ref "$REF" --pay 99900 || fail "forge f1"
expect_refused "$T/f1.pdf" not_issued_by_portal "a real reference over changed pay"
jq -e '.chain_trusted == true and .issued_by_portal == false' "$T/api.json" >/dev/null ||
	fail "the insider forgery chains to the CA and is reported not issued"
forge sign "$INS" "$ISSUER" "$T/f2.pdf" --ref "$REF" --pay 99900 --ref-mode remove || fail "forge f2"
expect_refused "$T/f2.pdf" ref_missing "the /SurakshaRef entry removed"
forge sign "$INS" "$ISSUER" "$T/f3.pdf" --ref "$REF" --pay 99900 --ref-mode name || fail "forge f3"
expect_refused "$T/f3.pdf" ref_malformed "the reference made a name"
forge sign "$INS" "$ISSUER" "$T/f4.pdf" --ref "$REF" --pay 99900 --ref-mode long || fail "forge f4"
expect_refused "$T/f4.pdf" ref_malformed "the reference made over-long"
forge sign "$INS" hod.hlt "$T/f5.pdf" --ref "$REF" --pay 99900 || fail "forge f5"
expect_refused "$T/f5.pdf" not_issued_by_portal "another department's HoD"
# (issue 9 signed here with the HKCL export key file; since issue 13 that key is in the
# token, so the stray genuine certificate is one the CA issued to nobody enrolled)
check "the HKCL export key is no file" test ! -e "$KEYS/hkcl-export.key" -a ! -e "$KEYS/hkcl.key"
forge leaf "$INS" stray $((NOW - 3600)) $((NOW + 86400)) || fail "forge stray leaf"
forge sign "$INS" stray "$T/f6.pdf" --ref "$REF" --pay 99900 || fail "forge f6"
expect_refused "$T/f6.pdf" not_issued_by_portal "a genuine certificate of the CA nobody enrolled"

# ---- certificate profile ----
profile() { # NAME EXTENSIONS [KEY-ALGORITHM OPTIONS]: a HoD-like certificate of the portal CA
	local name=$1 ext=$2; shift 2
	if [ $# -eq 0 ]; then set -- -algorithm EC -pkeyopt ec_paramgen_curve:P-256; fi
	openssl genpkey "$@" -out "$INS/hod-$name.key" 2>/dev/null
	printf '%s\n' "$ext" >"$T/$name.ext"
	openssl req -new -key "$INS/hod-$name.key" -subj "/C=IN/O=Government of Haryana/CN=Dr. Ramesh Kumar Sharma" \
	    -out "$T/$name.csr"
	openssl x509 -req -in "$T/$name.csr" -CA "$KEYS/ca.pem" -CAkey "$KEYS/ca.key" -days 30 \
	    -set_serial "0x$(openssl rand -hex 12)" -extfile "$T/$name.ext" -out "$INS/hod-$name.pem" 2>/dev/null
	cat "$KEYS/ca.pem" >>"$INS/hod-$name.pem"
	# signed by the holder of that key (the token takes EC P-256 keys only: not RSA-1024)
	forge sign "$INS" "$name" "$T/p-$name.pdf" || fail "cannot sign with the $name certificate"
}
profile noku "basicConstraints=critical,CA:FALSE
extendedKeyUsage=emailProtection"
expect_refused "$T/p-noku.pdf" key_usage_invalid "a certificate without key usage"
profile tls "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth"
expect_refused "$T/p-tls.pdf" eku_not_allowed "a TLS server certificate"
profile tsa "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=critical,timeStamping"
expect_refused "$T/p-tsa.pdf" eku_not_allowed "a time-stamping certificate"
profile cacert "basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,keyCertSign"
expect_refused "$T/p-cacert.pdf" signer_is_ca "a CA certificate as the signer"
profile rsa1024 "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,nonRepudiation
extendedKeyUsage=emailProtection" -algorithm RSA -pkeyopt rsa_keygen_bits:1024
expect_refused "$T/p-rsa1024.pdf" weak_key "an RSA-1024 key"
forge sign "$INS" "$ISSUER" "$T/p-ess.pdf" --ess-hod hod.hlt || fail "forge ESS"
expect_refused "$T/p-ess.pdf" ess_cert_mismatch "ESS naming another certificate"

# ---- claimed time: an expired certificate with a back-dated signing time; the future ----
forge leaf "$INS" old $((NOW - 400 * 86400)) $((NOW - 30 * 86400)) || fail "forge leaf"
forge sign "$INS" old "$T/t1.pdf" --time $((NOW - 200 * 86400)) || fail "forge t1"
expect_refused "$T/t1.pdf" cert_expired "an expired certificate, signing time back-dated"
forge sign "$INS" "$ISSUER" "$T/t2.pdf" --time $((NOW + 90 * 86400)) || fail "forge t2"
expect_refused "$T/t2.pdf" signing_time_in_future "a signing time months ahead"

# ---- revoked letter, revoked certificate ----
"$BIN" ca revoke-cert --data "$DATA" --hod hod.hlt --reason "key lost" >/dev/null ||
	fail "ca revoke-cert"
curl -s "$BASE/crl" -o "$T/crl.der"
check "GET /crl lists the revoked serial" sh -c "openssl crl -inform DER -in '$T/crl.der' -noout -text -CAfile '$KEYS/ca.pem' 2>&1 | grep -qi \"$(openssl x509 -in "$KEYS/hod-hod.hlt.pem" -noout -serial | cut -d= -f2)\""
check "the revocation is audited" test "$(db "SELECT count(*) FROM audit WHERE action = 'ca.revoke_cert'")" = 1
rc=0; "$BIN" ca revoke-cert --data "$DATA" --hod hod.hlt --reason "again" >/dev/null 2>&1 || rc=$?
check "revoking twice is refused" test "$rc" = 2
forge sign "$INS" hod.hlt "$T/r1.pdf" || fail "forge r1"
expect_refused "$T/r1.pdf" cert_revoked "a revoked HoD certificate"
expect_valid "$T/genuine.pdf" "the genuine letter, its HoD's certificate not revoked"
areq "$HOD" POST "/api/v1/letters/${REF//\//%2F}/revoke" '{"reason":"issued in error"}'
expect_status 200 "revoke the letter"
expect_refused "$T/genuine.pdf" revoked "the revoked letter"

# ---- the two bombs: refused within the parser limits, the server answering meanwhile ----
# 40 Mi entries of an xref stream (280 MB inflated from 420 KB, and gigabytes of
# qpdf's table), and an object stream of 400 MB holding the AcroForm
python3 - "$T" $((40 << 20)) 400 <<'PY'
import struct, sys, zlib
t = sys.argv[1]
def xref_bomb(n):
    # a valid-looking xref stream of n entries: 7n bytes inflated from about n/150
    co = zlib.compressobj(9)
    entry = b"\x01" + struct.pack(">IH", 15, 0)
    chunk = entry * (1 << 16)
    z = b""
    for _ in range(n >> 16):
        z += co.compress(chunk)
    z += co.flush()
    out = bytearray(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n")
    x = len(out)
    out += (b"3 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R "
            b"/Filter /FlateDecode /Length %d >>\nstream\n" % ((n >> 16) << 16, len(z)) + z +
            b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % x)
    return bytes(out)
open(t + "/xref_bomb.pdf", "wb").write(xref_bomb(int(sys.argv[2])))
def objstm_bomb(mb):
    # an object stream that inflates to mb MB, holding the AcroForm the verifier reads
    co = zlib.compressobj(9)
    bomb = co.compress(b"5 0 ") + co.compress(b" " * (mb << 20)) + co.compress(b"<< /Fields [] >>") + co.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R /AcroForm 5 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n"
            % len(bomb) + bomb + b"\nendstream"]
    out = bytearray(b"%PDF-1.7\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    xs = b"".join([struct.pack(">BIH", 0, 0, 65535)] +
                  [struct.pack(">BIH", 1, o, 0) for o in offs] +
                  [struct.pack(">BIH", 2, 4, 0), struct.pack(">BIH", 1, x, 0)])
    out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
            % len(xs) + xs + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % x)
    return bytes(out)
open(t + "/objstm_bomb.pdf", "wb").write(objstm_bomb(int(sys.argv[3])))
PY
pids=
for bomb in xref_bomb objstm_bomb; do
	curl -s -m 60 -H 'Content-Type: application/pdf' --data-binary @"$T/$bomb.pdf" \
	    "$BASE/api/v1/verify" >"$T/$bomb.json" &
	pids="$pids $!"
done
curl -s -m 60 -H 'Content-Type: application/pdf' --data-binary @"$T/xref_bomb.pdf" \
    "$BASE/api/v1/verify" >"$T/xref_bomb2.json" &
pids="$pids $!"
sleep 0.2
healthy=0
for _ in 1 2 3 4 5; do
	curl -fs -m 2 "$BASE/healthz" >/dev/null && healthy=$((healthy + 1))
	sleep 0.1
done
check "the server answers /healthz while bombs are parsed" test "$healthy" = 5
# shellcheck disable=SC2086
wait $pids
# each refused as too complex, or (verifications may hold every server thread but one)
# answered 503 while the others are parsed; at least the first two parsed and refused
refused=0
for bomb in xref_bomb objstm_bomb xref_bomb2; do
	if jq -e '.valid == false and (.reasons | index("too_complex") != null)' "$T/$bomb.json" >/dev/null; then
		refused=$((refused + 1))
	elif ! jq -e '.error.code == "unavailable"' "$T/$bomb.json" >/dev/null; then
		fail "$bomb: neither refused as too complex nor busy: $(head -c 300 "$T/$bomb.json")"
	fi
done
check "the bombs were parsed and refused as too complex" test "$refused" -ge 1
for bomb in xref_bomb objstm_bomb; do
	curl -s -m 60 -H 'Content-Type: application/pdf' --data-binary @"$T/$bomb.pdf" \
	    "$BASE/api/v1/verify" >"$T/$bomb.json"
	check "$bomb alone: refused as too complex" jq -e '.valid == false and (.reasons | index("too_complex") != null)' "$T/$bomb.json"
done
rc=0; SURAKSHA_PDF_MEMORY_MAX=100000000 "$BIN" verify --data "$DATA" "$T/xref_bomb.pdf" \
    >"$T/cli.json" 2>/dev/null || rc=$?
check "the CLI exits 1 on the bomb" test "$rc" = 1
check "the CLI refuses the bomb too" jq -e '.valid == false and (.reasons | index("too_complex") != null)' "$T/cli.json"
# and after the bombs, the workers that replaced the stopped ones verify as before
curl -s -H 'Content-Type: application/pdf' --data-binary @"$T/upper.pdf" "$BASE/api/v1/verify" >"$T/after.json"
check "verification works after the bombs" jq -e '.reasons == ["revoked"]' "$T/after.json"

stop_server
check "audit chain intact" "$BIN" audit verify --data "$DATA"
finish
