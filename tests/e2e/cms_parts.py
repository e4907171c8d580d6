#!/usr/bin/env python3
"""Splits the CMS of a signed PDF for independent checks: cms_parts.py LETTER.pdf OUTDIR
writes OUTDIR/cms.der (the /Contents), OUTDIR/sigvalue.bin (the SignerInfo's signature
value) and, when present, OUTDIR/tst.der (the id-aa-signatureTimeStampToken's token)."""
import re
import sys

TST_OID = bytes.fromhex("060b2a864886f70d010910020e")


def tlv(d, i):
    """(tag, header length, content length) at i."""
    tag, n = d[i], d[i + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7f
    return tag, 2 + k, int.from_bytes(d[i + 2:i + 2 + k], "big")


def children(d, i):
    tag, h, n = tlv(d, i)
    j, end = i + h, i + h + n
    out = []
    while j < end:
        out.append(j)
        _, hh, nn = tlv(d, j)
        j += hh + nn
    return out


def content(d, i):
    _, h, n = tlv(d, i)
    return d[i + h:i + h + n]


def whole(d, i):
    _, h, n = tlv(d, i)
    return d[i:i + h + n]


pdf = open(sys.argv[1], "rb").read()
hexs = re.search(rb"/Contents <([0-9a-fA-F]+)>", pdf).group(1)
der = bytes.fromhex(hexs.decode())
der = der[:sum(tlv(der, 0)[1:])]
open(sys.argv[2] + "/cms.der", "wb").write(der)
signed_data = children(der, children(der, 0)[1])[0]
signer_infos = children(der, signed_data)[-1]
si = children(der, signer_infos)[0]
parts = children(der, si)
for k, p in enumerate(parts):
    if der[p] == 0x04:
        open(sys.argv[2] + "/sigvalue.bin", "wb").write(content(der, p))
    if der[p] == 0xa1:
        for attr in children(der, p):
            oid, values = children(der, attr)
            if whole(der, oid) == TST_OID:
                tok = children(der, values)[0]
                open(sys.argv[2] + "/tst.der", "wb").write(whole(der, tok))
