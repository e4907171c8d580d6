#include "letters/verify_der.h"

#include <string.h>

/* One DER TLV at p (definite length, up to 3 length bytes): its tag, header and body
 * sizes; -1 when it does not fit in len. */
static int
der_tlv(const unsigned char *p, size_t len, unsigned char *tag, size_t *hdr, size_t *body)
{
	size_t n, i, l = 0;

	if (len < 2)
		return -1;
	*tag = p[0];
	if (p[1] < 0x80) {
		*hdr = 2;
		l = p[1];
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 3 || len < 2 + n)
			return -1;
		for (i = 0; i < n; i++)
			l = (l << 8) | p[2 + i];
		*hdr = 2 + n;
	}
	if (l > len - *hdr)
		return -1;
	*body = l;
	return 0;
}

static int
der_header(struct buf *b, unsigned char tag, size_t len)
{
	unsigned char h[5];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80)
		h[n++] = (unsigned char)len;
	else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else
		return -1;
	return buf_append(b, h, n);
}

int
verify_der_split(const unsigned char *der, size_t len, struct verify_der_split *cs)
{
	const unsigned char *ci, *oid, *ctx, *sd, *q, *certs = NULL;
	size_t h, b, ci_len, oid_len, sd_body, certs_len = 0, certs_tlv = 0, off, hh, bb;
	unsigned char tag;

	cs->ncerts = 0;
	cs->der_len = 0;
	if (der_tlv(der, len, &tag, &h, &b) != 0 || tag != 0x30)
		return -1;
	cs->der_len = h + b;
	ci = der + h;
	ci_len = b;
	if (der_tlv(ci, ci_len, &tag, &h, &b) != 0 || tag != 0x06)
		return -1;
	oid = ci;
	oid_len = h + b;
	ctx = ci + oid_len;
	if (der_tlv(ctx, ci_len - oid_len, &tag, &h, &b) != 0 || tag != 0xA0 ||
	    h + b != ci_len - oid_len)
		return -1;
	sd = ctx + h;
	bb = b;
	if (der_tlv(sd, bb, &tag, &h, &b) != 0 || tag != 0x30 || h + b != bb)
		return -1;
	sd += h;
	sd_body = b;
	for (off = 0; off < sd_body; off += hh + bb) {
		if (der_tlv(sd + off, sd_body - off, &tag, &hh, &bb) != 0)
			return -1;
		if (tag == 0xA0) {
			if (certs != NULL)
				return -1;
			certs = sd + off;
			certs_tlv = hh + bb;
			certs_len = bb;
			for (q = certs + hh; q < certs + certs_tlv; q += h + b) {
				if (der_tlv(q, (size_t)(certs + certs_tlv - q), &tag, &h, &b) != 0 ||
				    tag != 0x30 || cs->ncerts >= VERIFY_DER_MAX_CERTS)
					return -1;
				cs->cert[cs->ncerts] = q;
				cs->cert_len[cs->ncerts++] = h + b;
			}
		}
	}
	if (certs == NULL || cs->ncerts == 0 || certs_len == 0)
		return -1;
	{
		size_t sd_new = sd_body - certs_tlv;
		size_t sd_hdr = sd_new < 0x80 ? 2 : sd_new < 0x100 ? 3 : 4;
		size_t ctx_new = sd_hdr + sd_new;
		size_t ctx_hdr = ctx_new < 0x80 ? 2 : ctx_new < 0x100 ? 3 : 4;
		size_t ci_new = oid_len + ctx_hdr + ctx_new;

		if (der_header(&cs->stripped, 0x30, ci_new) != 0 ||
		    buf_append(&cs->stripped, oid, oid_len) != 0 ||
		    der_header(&cs->stripped, 0xA0, ctx_new) != 0 ||
		    der_header(&cs->stripped, 0x30, sd_new) != 0 ||
		    buf_append(&cs->stripped, sd, (size_t)(certs - sd)) != 0 ||
		    buf_append(&cs->stripped, certs + certs_tlv,
		    sd_body - (size_t)(certs - sd) - certs_tlv) != 0)
			return -1;
	}
	return 0;
}
