#!/bin/sh
# Intake throughput: validation of ~20 MB PDFs (scanned pages; many text pages) and a ~20
# MB JPEG (`suraksha intake`,
# libmagic + deep validation) against `sha256sum` on the same files, in MB/s. Prints
# figures, never fails on them. Run from the repository root after `make`.
set -eu
BIN=${BIN:-./suraksha}
REPEAT=${REPEAT:-5}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# A 20-page PDF, each page a 1 MB uncompressed grey image of random bytes (what a scanner
# without compression produces), written with a correct xref table.
python3 "$(dirname "$0")/../tools/big_pdf.py" "$W/big.pdf" 19
# A 9,000-page text PDF (about 27,000 objects, most in object streams): the object walk
# dominates here, not the bytes.
python3 - "$W/pages.pdf" <<'PY'
import os, sys, zlib
pages = 9000
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
kids = []
for p in range(pages):
    n = len(objs) + 1
    kids.append(b"%d 0 R" % n)
    text = b"BT /F1 9 Tf 40 800 Td " + b" ".join(
        b"(%s) Tj 0 -11 Td" % os.urandom(40).hex().encode() for _ in range(40)) + b" ET"
    c = zlib.compress(text)
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /Font << /F1 3 0 R >> >> /Annots [%d 0 R] >>" % (n + 1, n + 2))
    objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(c) + c + b"\nendstream")
    objs.append(b"<< /Type /Annot /Subtype /Link /Rect [40 40 100 60] /Border [0 0 0] "
                b"/A << /S /URI /URI (https://example.org/%d) >> >>" % p)
objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
out = bytearray(b"%PDF-1.7\n")
offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out)); out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs: out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[1] + ".raw", "wb").write(out)
PY
qpdf --object-streams=generate "$W/pages.pdf.raw" "$W/pages.pdf"
rm -f "$W/pages.pdf.raw"
# A noisy photo: 29 megapixels, about 19.6 MiB at quality 90 (just under the cap).
convert -size 6200x4700 xc:gray +noise Random -quality 90 "$W/big.jpg"

now() { date +%s.%N; }
for f in "$W/big.pdf" "$W/pages.pdf" "$W/big.jpg"; do
	bytes=$(stat -c %s "$f")
	"$BIN" intake "$f" >/dev/null || { echo "intake refused $f:"; "$BIN" intake "$f"; }
	t0=$(now); "$BIN" intake --repeat "$REPEAT" "$f" >/dev/null || true; t1=$(now)
	i=0; t2=$(now)
	while [ $i -lt "$REPEAT" ]; do sha256sum "$f" >/dev/null; i=$((i + 1)); done
	t3=$(now)
	awk -v n="$(basename "$f")" -v b="$bytes" -v r="$REPEAT" -v a="$t0" -v z="$t1" \
	    -v c="$t2" -v e="$t3" 'BEGIN {
		mb = b / 1048576
		printf "intake %-9s %6.1f MB: validate %7.1f MB/s (%6.0f ms/file)   sha256sum %7.1f MB/s\n",
		    n, mb, mb * r / (z - a), 1000 * (z - a) / r, mb * r / (e - c) }'
done
