#!/usr/bin/env python3
"""Writes a valid PDF of about SIZE_MB megabytes: pages of uncompressed random grey images
(what a scanner without compression makes), with a correct xref table.
usage: big_pdf.py OUT.pdf SIZE_MB [SEED]"""
import random, sys

out_path, size_mb = sys.argv[1], float(sys.argv[2])
rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
side = 1000
pages = max(1, int(size_mb * 1000000 / (side * side)))
objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None]
kids = []
for p in range(pages):
    n = len(objs) + 1
    kids.append(b"%d 0 R" % n)
    c = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    img = rnd.randbytes(side * side)
    objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                b"/Resources << /XObject << /Im0 %d 0 R >> >> >>" % (n + 1, n + 2))
    objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(c), c))
    objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace "
                b"/DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(img))
                + img + b"\nendstream")
objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
out = bytearray(b"%PDF-1.7\n")
offs = []
for i, o in enumerate(objs, 1):
    offs.append(len(out))
    out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(out_path, "wb").write(out)
