#!/bin/sh
# Regenerates the intake corpus: every file here plus expected.tsv (file, verdict, status,
# code). The generated files are committed so tests do not depend on tool versions; run
# this only to change the corpus: sh tests/corpus/make.sh (needs qpdf, imagemagick, zip,
# tar, python3; see scripts/deps.sh).
set -eu
cd "$(dirname "$0")"
find . -maxdepth 1 -type f ! -name make.sh ! -name craft.py ! -name README -delete
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ROWS="$W/rows.tsv"
: >"$ROWS"
row() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$ROWS"; }
okf() { row "$1" accept 0 ok; }

# Base documents, written by hand then normalised by qpdf.
python3 - "$W" <<'PY'
import sys
out = sys.argv[1]
def pdf(objs):
    b = bytearray(b"%PDF-1.7\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(b)); b += b"%d 0 obj\n%s\nendobj\n" % (i, o)
    x = len(b)
    b += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs: b += b"%010d 00000 n \n" % o
    b += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(b)
def page(n, text):
    s = b"BT /F1 14 Tf 72 720 Td (%s) Tj ET" % text
    return [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (n + 1),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(s), s)]
font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
one = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", font]
one += page(4, b"Appointment order")
open(out + "/one.pdf", "wb").write(pdf(one))
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None, font]
kids = []
for p in range(3):
    n = 4 + 2 * p
    kids.append(b"%d 0 R" % n)
    objs += page(n, b"Page %d of the service record" % (p + 1))
objs[1] = b"<< /Type /Pages /Kids [%s] /Count 3 >>" % b" ".join(kids)
open(out + "/three.pdf", "wb").write(pdf(objs))
PY
qpdf "$W/one.pdf" pdf_simple.pdf;				okf pdf_simple.pdf
qpdf "$W/three.pdf" pdf_multipage.pdf;				okf pdf_multipage.pdf
qpdf --object-streams=generate "$W/three.pdf" pdf_object_streams.pdf
okf pdf_object_streams.pdf
qpdf --linearize "$W/three.pdf" pdf_linearized.pdf;		okf pdf_linearized.pdf
qpdf --encrypt secret owner 256 -- "$W/one.pdf" pdf_encrypted.pdf
row pdf_encrypted.pdf refuse 422 pdf_encrypted
qpdf --encrypt "" owner 256 -- "$W/one.pdf" pdf_encrypted_no_password.pdf
row pdf_encrypted_no_password.pdf refuse 422 pdf_encrypted

# Images and other formats, made small by ImageMagick.
convert -size 96x64 gradient:navy-orange -quality 85 photo.jpg;	okf photo.jpg
convert -size 96x64 gradient:navy-orange -interlace JPEG photo_progressive.jpg
okf photo_progressive.jpg
convert -size 48x32 gradient:red-blue -colorspace CMYK photo_cmyk.jpg;	okf photo_cmyk.jpg
# Progressive, colour, no subsampling: 18 MB of coefficients, above the in-process budget,
# so it is decoded in a limited child (a smaller image_memory_max_bytes refuses it).
convert -size 2000x1500 gradient:navy-orange -interlace JPEG -sampling-factor 1x1 \
    -quality 85 photo_progressive_large.jpg
okf photo_progressive_large.jpg
convert -size 96x64 plasma:fractal -seed 7 scan.png 2>/dev/null ||
	convert -size 96x64 gradient:green-white scan.png
okf scan.png
convert -size 64x64 gradient:white-black -interlace PNG scan_interlaced.png
okf scan_interlaced.png
convert -size 40x30 gradient:white-black -depth 16 -colorspace Gray scan_gray16.png
okf scan_gray16.png
convert -size 16x16 xc:red image.gif;	row image.gif refuse 415 type_not_accepted
convert -size 16x16 xc:red image.bmp;	row image.bmp refuse 415 type_not_accepted
convert -size 16x16 xc:red image.tiff;	row image.tiff refuse 415 type_not_accepted
convert -size 16x16 xc:red image.webp;	row image.webp refuse 415 type_not_accepted

# Archives made by the real tools.
cp pdf_simple.pdf "$W/a.pdf"
cp photo.jpg "$W/b.jpg"
(cd "$W" && tar czf archive.tar.gz a.pdf) && mv "$W/archive.tar.gz" .
row archive.tar.gz refuse 415 type_not_accepted
(cd "$W" && zip -q -P secret enc.zip a.pdf) && mv "$W/enc.zip" zip_encrypted.zip
row zip_encrypted.zip refuse 422 zip_encrypted
(cd "$W" && zip -q -e -P secret enc2.zip b.jpg a.pdf) && mv "$W/enc2.zip" zip_encrypted_all.zip
row zip_encrypted_all.zip refuse 422 zip_encrypted
(cd "$W" && ln -s /etc/passwd link.pdf && zip -q -y sym.zip a.pdf link.pdf) &&
	mv "$W/sym.zip" zip_symlink_infozip.zip
row zip_symlink_infozip.zip refuse 422 zip_symlink
mkdir -p "$W/bundle/service" && cp pdf_simple.pdf pdf_multipage.pdf "$W/bundle/service/" &&
	cp scan.png "$W/bundle/"
(cd "$W/bundle" && zip -q -r -X ../withdir.zip service scan.png) &&
	mv "$W/withdir.zip" bundle_with_dirs.zip
okf bundle_with_dirs.zip

# Byte-level cases.
python3 craft.py .
cat crafted.tsv >>"$ROWS"
rm -f crafted.tsv

# Active content hidden in object streams (qpdf moves the action dictionaries there).
qpdf --object-streams=generate pdf_openaction_js.pdf pdf_js_in_object_stream.pdf
row pdf_js_in_object_stream.pdf refuse 422 pdf_active_content
qpdf --object-streams=generate --compress-streams=y pdf_js_escaped_names.pdf \
	pdf_js_escaped_object_stream.pdf
row pdf_js_escaped_object_stream.pdf refuse 422 pdf_active_content
qpdf --object-streams=generate pdf_js_escaped_annot.pdf pdf_js_escaped_annot_objstm.pdf
row pdf_js_escaped_annot_objstm.pdf refuse 422 pdf_active_content
qpdf --object-streams=generate pdf_unreferenced_js.pdf --preserve-unreferenced \
	pdf_unreferenced_js_object_stream.pdf
row pdf_unreferenced_js_object_stream.pdf refuse 422 pdf_active_content

sort "$ROWS" >expected.tsv
echo "corpus: $(wc -l <expected.tsv) cases, $(du -sk . | cut -f1) KB"
