#include "letters/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "letters/pdfupd.h"
#include "letters/text.h"
#include "signer/tsa.h"
#include "util/crypt.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define BR_WIDTH	32	/* room for "a b c" of the ByteRange after "[0 " */

static const char *const err_names[SIG_ERR__MAX] = {
	[SIG_OK] = "ok",
	[SIG_ERR_ARG] = "bad_request",
	[SIG_ERR_LAYOUT] = "bad_layout",
	[SIG_ERR_CRYPTO] = "crypto",
	[SIG_ERR_TOO_BIG] = "signature_too_big",
	[SIG_ERR_NOMEM] = "nomem",
	[SIG_ERR_TSA] = "no_timestamp",
};

const char *
sig_strerror(int err)
{
	if (err < 0 || err >= SIG_ERR__MAX)
		return "unknown";
	return err_names[err];
}

static void
pdf_date_ist(int64_t t, char out[32])
{
	char iso[26];

	time_iso_ist(t, iso);	/* 2026-11-22T15:30:00+05:30 */
	snprintf(out, 32, "D:%.4s%.2s%.2s%.2s%.2s%.2s+05'30'", iso, iso + 5, iso + 8,
	    iso + 11, iso + 14, iso + 17);
}

/* The appearance of the visible signature: a framed block with who signed and when. */
static int
appearance(struct buf *ap, const struct letter_layout *lay, const char *name_w, int64_t t)
{
	char l1[LETTER_SIG_LINE], l2[LETTER_SIG_LINE], l3[LETTER_SIG_LINE];
	float w = lay->sig_rect[2] - lay->sig_rect[0], h = lay->sig_rect[3] - lay->sig_rect[1];
	int rc = 0;

	/* The name at the size the renderer measured for it; else at 10 pt unless a rough
	 * estimate (DejaVu Serif averages about 0.6 em a character) says it would overrun. */
	float size = lay->sig_name_pt > 0 ? lay->sig_name_pt : 10, est;

	letter_sig_lines(name_w, t, l1, l2, l3);
	est = (w - 14) / (0.6f * (float)(strlen(l2) > 0 ? strlen(l2) : 1));
	if (lay->sig_name_pt <= 0 && est < size)
		size = est < 5 ? 5 : est;
	rc |= buf_printf(ap, "q 0.12 0.25 0.55 RG 0.9 w 0.45 0.45 %.2f %.2f re S Q\n"
	    "BT 0.12 0.25 0.55 rg /F1 8 Tf 7 %.2f Td ", w - 0.9, h - 0.9, h - 12.5);
	rc |= text_pdf_string(ap, l1);
	rc |= buf_printf(ap, " Tj\n2 Tr 0.3 w 0 -12 Td /F1 %.1f Tf ", size);
	rc |= text_pdf_string(ap, l2);
	rc |= buf_puts(ap, " Tj\n0 Tr 0 -12 Td /F1 8 Tf ");
	rc |= text_pdf_string(ap, l3);
	rc |= buf_puts(ap, " Tj ET\n");
	return rc == 0 ? SIG_OK : SIG_ERR_NOMEM;
}

static void
hash_ranges(const struct buf *pdf, const struct sig_prepared *prep, unsigned char out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 32;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, pdf->data, prep->contents_at) != 1 ||
	    EVP_DigestUpdate(ctx, pdf->data + prep->contents_end,
	    pdf->len - prep->contents_end) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1)
		memset(out, 0, 32);
	EVP_MD_CTX_free(ctx);
}

/* The signature dictionary: ByteRange padded with spaces until the end is known (its
 * offset in *br_at), /Contents zero-filled. */
static int
append_sig_dict(struct pdfupd *u, unsigned sig, const char *name_w, const char *reason_w,
    const char *ref_w, int64_t t, struct sig_prepared *prep, size_t *br_at)
{
	static const char zeros[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	struct buf *pdf = u->pdf;
	char mdate[32], br[BR_WIDTH + 1];
	int n;

	pdf_date_ist(t, mdate);
	memset(br, ' ', BR_WIDTH);
	br[BR_WIDTH] = '\0';
	/* A certification signature (DocMDP, P 2): readers show the letter as certified, and
	 * the changes allowed after it are form filling and signing, which covers what
	 * PAdES B-LT and B-LTA append (validation data, document timestamps). */
	if (pdfupd_obj(u, sig) != 0 ||
	    buf_printf(pdf, "%u 0 obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n"
	    "/SubFilter /ETSI.CAdES.detached\n/Reference [<< /Type /SigRef /TransformMethod "
	    "/DocMDP /TransformParams << /Type /TransformParams /P 2 /V /1.2 >> >>]\n"
	    "/ByteRange [0 ", sig) != 0)
		return -1;
	*br_at = pdf->len;
	if (buf_puts(pdf, br) != 0 || buf_puts(pdf, "]\n/Contents ") != 0)
		return -1;
	prep->contents_at = pdf->len;
	if (buf_puts(pdf, "<") != 0)
		return -1;
	for (n = 0; n < 2 * SIG_RESERVED_DER / 64; n++)
		if (buf_append(pdf, zeros, 64) != 0)
			return -1;
	if (buf_puts(pdf, ">") != 0)
		return -1;
	prep->contents_end = pdf->len;
	if (buf_printf(pdf, "\n/M (%s)\n/Name ", mdate) != 0 || text_pdf_string(pdf, name_w) ||
	    buf_puts(pdf, "\n/Reason ") != 0 || text_pdf_string(pdf, reason_w) != 0 ||
	    buf_puts(pdf, "\n/SurakshaRef ") != 0 || text_pdf_string(pdf, ref_w) != 0 ||
	    buf_puts(pdf, "\n>>\nendobj\n") != 0)
		return -1;
	return 0;
}

/* The widget (visible, printed and locked: /F 132) and its appearance stream. */
static int
append_widget(struct pdfupd *u, const struct letter_layout *lay, unsigned sig,
    unsigned widget, unsigned apn, const char *name_w, int64_t t)
{
	struct buf *pdf = u->pdf, ap;
	float w = lay->sig_rect[2] - lay->sig_rect[0], h = lay->sig_rect[3] - lay->sig_rect[1];
	int rc = -1;

	buf_init(&ap, 4096);
	if (pdfupd_obj(u, widget) != 0 ||
	    buf_printf(pdf, "%u 0 obj\n<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n"
	    "/T (Signature1)\n/V %u 0 R\n/F 132\n/P %u 0 R\n/Rect [%.2f %.2f %.2f %.2f]\n"
	    "/AP << /N %u 0 R >>\n>>\nendobj\n", widget, sig, lay->page_obj, lay->sig_rect[0],
	    lay->sig_rect[1], lay->sig_rect[2], lay->sig_rect[3], apn) != 0 ||
	    appearance(&ap, lay, name_w, t) != SIG_OK || pdfupd_obj(u, apn) != 0 ||
	    buf_printf(pdf, "%u 0 obj\n<<\n/Type /XObject\n/Subtype /Form\n/BBox [0 0 %.2f %.2f]\n"
	    "/Resources << /Font << /F1 %u 0 R >> >>\n/Length %zu\n>>\nstream\n", apn, w, h,
	    lay->font_obj, ap.len) != 0 || buf_append(pdf, ap.data, ap.len) != 0 ||
	    buf_puts(pdf, "\nendstream\nendobj\n") != 0)
		goto out;
	rc = 0;
out:
	buf_free(&ap);
	return rc;
}

int
sig_prepare(struct buf *pdf, const struct letter_layout *lay, const struct sig_request *req,
    struct sig_prepared *prep)
{
	char name_w[256], reason_w[512], ref_w[128], extra[128], br[BR_WIDTH + 1];
	struct pdfupd_base base = { lay->base_xref, lay->base_size };
	struct pdfupd u;
	size_t br_at, xref_at;
	unsigned sig = lay->size, widget = lay->size + 1, apn = lay->size + 2;
	int n;

	memset(prep, 0, sizeof(*prep));
	pdfupd_begin(&u, pdf);
	if (req == NULL || req->signer_name == NULL || req->letter_ref == NULL ||
	    req->signing_time <= 0 ||
	    text_to_winansi(req->signer_name, name_w, sizeof(name_w)) != 0 ||
	    text_to_winansi(req->reason ? req->reason : "", reason_w, sizeof(reason_w)) != 0 ||
	    text_to_winansi(req->letter_ref, ref_w, sizeof(ref_w)) != 0 || name_w[0] == '\0')
		return SIG_ERR_ARG;
	if (lay->size < 2 || lay->page_obj == 0 || lay->catalog_obj == 0 ||
	    lay->font_obj == 0 || lay->startxref == 0 || pdf->len < 16 ||
	    memcmp(pdf->data + pdf->len - 6, "%%EOF\n", 6) != 0)
		return SIG_ERR_LAYOUT;
	/* the page with the widget, the catalog with the form */
	n = snprintf(extra, sizeof(extra), "/Annots [%u 0 R]\n", widget);
	if (n < 0 || (size_t)n >= sizeof(extra) ||
	    pdfupd_reemit(&u, &base, lay->page_obj, extra, "/Annots") != 0)
		goto layout;
	n = snprintf(extra, sizeof(extra), "/AcroForm << /Fields [%u 0 R] /SigFlags 3 >>\n"
	    "/Perms << /DocMDP %u 0 R >>\n", widget, sig);
	if (n < 0 || (size_t)n >= sizeof(extra) ||
	    pdfupd_reemit(&u, &base, lay->catalog_obj, extra, "/AcroForm") != 0)
		goto layout;
	if (append_sig_dict(&u, sig, name_w, reason_w, ref_w, req->signing_time, prep,
	    &br_at) != 0 ||
	    append_widget(&u, lay, sig, widget, apn, name_w, req->signing_time) != 0 ||
	    pdfupd_finish(&u, apn + 1, lay->catalog_obj, lay->info_obj, lay->startxref,
	    &xref_at) != 0) {
		pdfupd_abort(&u);
		return SIG_ERR_NOMEM;
	}
	/* the byte ranges are final now */
	n = snprintf(br, sizeof(br), "%zu %zu %zu", prep->contents_at, prep->contents_end,
	    pdf->len - prep->contents_end);
	if (n < 0 || n > BR_WIDTH)
		goto layout;
	memcpy(pdf->data + br_at, br, (size_t)n);
	hash_ranges(pdf, prep, prep->digest);
	return SIG_OK;
layout:
	/* leave the unsigned letter as it was */
	pdfupd_abort(&u);
	return SIG_ERR_LAYOUT;
}

int
sig_cms_sign(const struct buf *pdf, const struct sig_prepared *prep,
    const struct pki_signer *signer, int64_t signing_time, struct buf *der)
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP |
	    CMS_CADES;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_TIME *tm = NULL;
	BIO *in = NULL;
	unsigned char *out = NULL, *data = NULL;
	size_t len1 = prep->contents_at, len2 = pdf->len - prep->contents_end;
	int i, dlen, rc = SIG_ERR_CRYPTO;

	if (signer == NULL || signer->key == NULL || signer->cert == NULL)
		return SIG_ERR_ARG;
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    (si = CMS_add1_signer(cms, signer->cert, signer->key, EVP_sha256(), flags)) == NULL)
		goto out;
	for (i = 0; signer->chain != NULL && i < sk_X509_num(signer->chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(signer->chain, i)))
			goto out;
	/* Our own signingTime (OpenSSL adds the clock's otherwise), equal to /M. */
	if ((tm = ASN1_TIME_set(NULL, (time_t)signing_time)) == NULL ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, tm->type, tm, -1))
		goto out;
	/* The detached content is the two ranges back to back. */
	if ((data = malloc(len1 + len2 + 1)) == NULL) {
		rc = SIG_ERR_NOMEM;
		goto out;
	}
	memcpy(data, pdf->data, len1);
	memcpy(data + len1, pdf->data + prep->contents_end, len2);
	if ((in = BIO_new_mem_buf(data, (int)(len1 + len2))) == NULL ||
	    !CMS_final(cms, in, NULL, flags))
		goto out;
	if ((dlen = i2d_CMS_ContentInfo(cms, &out)) <= 0)
		goto out;
	rc = buf_append(der, out, (size_t)dlen) == 0 ? SIG_OK : SIG_ERR_NOMEM;
out:
	if (rc == SIG_ERR_CRYPTO)
		log_error("letters: CMS signing failed: %s",
		    ERR_reason_error_string(ERR_peek_last_error()) ?
		    ERR_reason_error_string(ERR_peek_last_error()) : "?");
	ERR_clear_error();
	OPENSSL_free(out);
	BIO_free(in);
	free(data);
	ASN1_TIME_free(tm);
	CMS_ContentInfo_free(cms);
	return rc;
}

int
sig_embed(struct buf *pdf, const struct sig_prepared *prep, const unsigned char *der,
    size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t room = prep->contents_end - prep->contents_at - 2, i;
	char *p;

	if (prep->contents_end > pdf->len || prep->contents_at >= prep->contents_end ||
	    pdf->data[prep->contents_at] != '<' || pdf->data[prep->contents_end - 1] != '>')
		return SIG_ERR_LAYOUT;
	if (len == 0 || 2 * len > room) {
		log_error("letters: signature of %zu bytes does not fit the %zu reserved", len,
		    room / 2);
		return SIG_ERR_TOO_BIG;
	}
	p = pdf->data + prep->contents_at + 1;
	for (i = 0; i < len; i++) {
		p[2 * i] = hex[der[i] >> 4];
		p[2 * i + 1] = hex[der[i] & 15];
	}
	memset(p + 2 * len, '0', room - 2 * len);	/* a retry may be shorter */
	return SIG_OK;
}

int
sig_fn_evp(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new((EVP_PKEY *)ctx, NULL);
	int ok;

	ok = pc != NULL && EVP_PKEY_sign_init(pc) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(pc, EVP_sha256()) == 1 &&
	    EVP_PKEY_sign(pc, sig, siglen, digest, 32) == 1;
	EVP_PKEY_CTX_free(pc);
	ERR_clear_error();
	return ok ? 0 : -1;
}

/* B-T: the TSA's token over the signature value, as the unsigned attribute
 * id-aa-signatureTimeStampToken (RFC 3161 appendix A, ETSI EN 319 122-1). */
static int
add_timestamp(CMS_SignerInfo *si, const struct sig_key *key)
{
	ASN1_OCTET_STRING *os = CMS_SignerInfo_get0_signature(si);
	struct buf token;
	int rc = SIG_ERR_CRYPTO, e;

	buf_init(&token, 64 * 1024);
	if (os == NULL)
		goto out;
	if ((e = tsa_fetch(key->tsa_url, ASN1_STRING_get0_data(os),
	    (size_t)ASN1_STRING_length(os), key->tsa_ca,
	    key->tsa_timeout_ms > 0 ? key->tsa_timeout_ms : 5000, &token)) != TSA_OK) {
		log_error("letters: no timestamp from %s: %s", key->tsa_url, tsa_strerror(e));
		rc = SIG_ERR_TSA;
		goto out;
	}
	if (CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
	    token.data, (int)token.len))
		rc = SIG_OK;
out:
	buf_free(&token);
	return rc;
}

/* Signed attributes for key->cert over digest, signed by key->fn, timestamped when the key
 * names a TSA: the CMS DER into der. */
static int
cms_for_digest(const struct sig_prepared *prep, const struct sig_key *key, struct buf *der)
{
	struct sig_external x;
	unsigned char tbs[32], sig[1024];
	size_t siglen = sizeof(sig);
	ASN1_OCTET_STRING *os;
	unsigned char *out = NULL;
	int rc, dlen;

	if ((rc = sig_external_begin(prep, key->cert, key->chain, 0, &x, tbs)) != SIG_OK)
		return rc;
	rc = SIG_ERR_CRYPTO;
	if (key->fn(key->ctx, tbs, sig, &siglen) != 0 ||
	    (os = CMS_SignerInfo_get0_signature(x.si)) == NULL ||
	    !ASN1_OCTET_STRING_set(os, sig, (int)siglen))
		goto out;
	if (key->tsa_url != NULL && key->tsa_url[0] != '\0' &&
	    (rc = add_timestamp(x.si, key)) != SIG_OK)
		goto out;
	rc = SIG_ERR_CRYPTO;
	if ((dlen = i2d_CMS_ContentInfo(x.cms, &out)) <= 0)
		goto out;
	rc = buf_append(der, out, (size_t)dlen) == 0 ? SIG_OK : SIG_ERR_NOMEM;
out:
	ERR_clear_error();
	OPENSSL_free(out);
	sig_external_free(&x);
	return rc;
}

int
sig_cms_digest(const unsigned char digest[32], const struct sig_key *key, struct buf *der)
{
	struct sig_prepared prep;

	if (key == NULL || key->cert == NULL || key->fn == NULL)
		return SIG_ERR_ARG;
	memset(&prep, 0, sizeof(prep));
	memcpy(prep.digest, digest, 32);
	return cms_for_digest(&prep, key, der);
}

int
sig_sign_key(struct buf *pdf, const struct letter_layout *lay, const struct sig_request *req,
    const struct sig_key *key)
{
	struct sig_prepared prep;
	struct buf der;
	size_t base = pdf->len;
	int rc;

	if (key == NULL || key->cert == NULL || key->fn == NULL)
		return SIG_ERR_ARG;
	buf_init(&der, 64 * 1024);
	if ((rc = sig_prepare(pdf, lay, req, &prep)) != SIG_OK)
		goto out;
	if ((rc = cms_for_digest(&prep, key, &der)) != SIG_OK ||
	    (rc = sig_embed(pdf, &prep, (const unsigned char *)der.data, der.len)) != SIG_OK) {
		pdf->len = base;
		pdf->data[base] = '\0';
	}
out:
	buf_free(&der);
	return rc;
}

int
sig_sign(struct buf *pdf, const struct letter_layout *lay, const struct sig_request *req,
    const struct pki_signer *signer)
{
	struct sig_key key = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };

	if (signer == NULL || signer->key == NULL || signer->cert == NULL)
		return SIG_ERR_ARG;
	key.cert = signer->cert;
	key.chain = signer->chain;
	key.fn = sig_fn_evp;
	key.ctx = signer->key;
	return sig_sign_key(pdf, lay, req, &key);
}

/* DER of a SET OF the signed attributes, sorted as DER wants: what the signature covers. */
static int
signed_attrs_der(CMS_SignerInfo *si, struct buf *out)
{
	unsigned char *enc[16] = { NULL };
	int len[16], n = CMS_signed_get_attr_count(si), i, j, rc = -1;
	size_t total = 0;
	unsigned char hdr[4];

	if (n <= 0 || n > 16)
		return -1;
	for (i = 0; i < n; i++) {
		if ((len[i] = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &enc[i])) <= 0)
			goto out;
		total += (size_t)len[i];
	}
	for (i = 1; i < n; i++)	/* a handful: insertion sort by encoding */
		for (j = i; j > 0; j--) {
			int m = len[j - 1] < len[j] ? len[j - 1] : len[j];
			int c = memcmp(enc[j - 1], enc[j], (size_t)m);
			unsigned char *te;
			int tl;

			if (c < 0 || (c == 0 && len[j - 1] <= len[j]))
				break;
			te = enc[j];
			enc[j] = enc[j - 1];
			enc[j - 1] = te;
			tl = len[j];
			len[j] = len[j - 1];
			len[j - 1] = tl;
		}
	if (total >= 0x10000)
		goto out;
	hdr[0] = 0x31;
	if (total < 0x80) {
		hdr[1] = (unsigned char)total;
		rc = buf_append(out, hdr, 2);
	} else if (total < 0x100) {
		hdr[1] = 0x81;
		hdr[2] = (unsigned char)total;
		rc = buf_append(out, hdr, 3);
	} else {
		hdr[1] = 0x82;
		hdr[2] = (unsigned char)(total >> 8);
		hdr[3] = (unsigned char)total;
		rc = buf_append(out, hdr, 4);
	}
	for (i = 0; rc == 0 && i < n; i++)
		rc = buf_append(out, enc[i], (size_t)len[i]);
out:
	for (i = 0; i < n; i++)
		OPENSSL_free(enc[i]);
	return rc;
}

int
sig_attrs_digest(void *si, unsigned char out[32])
{
	struct buf attrs;
	int rc;

	buf_init(&attrs, 64 * 1024);
	if ((rc = signed_attrs_der(si, &attrs)) == 0)
		crypt_sha256(attrs.data, attrs.len, out);
	buf_free(&attrs);
	return rc;
}

int
sig_external_begin(const struct sig_prepared *prep, X509 *cert, STACK_OF(X509) *chain,
    int64_t signing_time, struct sig_external *x, unsigned char tbs_digest[32])
{
	const unsigned int flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP |
	    CMS_CADES;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	ASN1_TIME *tm = NULL;
	struct buf attrs;
	int i, rc = SIG_ERR_CRYPTO;

	memset(x, 0, sizeof(*x));
	buf_init(&attrs, 64 * 1024);
	if (cert == NULL)
		return SIG_ERR_ARG;
	/* The certificate's public key stands in for the private key the token keeps:
	 * OpenSSL only compares the public halves, and nothing is signed here. */
	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    (si = CMS_add1_signer(cms, cert, X509_get0_pubkey(cert), EVP_sha256(), flags)) ==
	    NULL)
		goto out;
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(chain, i)))
			goto out;
	/* without a time, no signingTime: strict PAdES B-B (the time is the /M entry) */
	if (signing_time > 0 &&
	    ((tm = ASN1_TIME_set(NULL, (time_t)signing_time)) == NULL ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, tm->type, tm, -1)))
		goto out;
	if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
	    OBJ_nid2obj(NID_pkcs7_data), -1) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
	    prep->digest, 32) ||
	    signed_attrs_der(si, &attrs) != 0)
		goto out;
	crypt_sha256(attrs.data, attrs.len, tbs_digest);
	x->cms = cms;
	x->si = si;
	cms = NULL;
	rc = SIG_OK;
out:
	ERR_clear_error();
	ASN1_TIME_free(tm);
	CMS_ContentInfo_free(cms);
	buf_free(&attrs);
	return rc;
}

int
sig_external_finish(struct sig_external *x, const unsigned char *sig, size_t siglen,
    struct buf *der)
{
	ASN1_OCTET_STRING *os;
	unsigned char *out = NULL;
	int dlen, rc = SIG_ERR_CRYPTO;

	if (x->cms == NULL || sig == NULL || siglen == 0 || siglen > 1024)
		return SIG_ERR_ARG;
	if ((os = CMS_SignerInfo_get0_signature(x->si)) == NULL ||
	    !ASN1_OCTET_STRING_set(os, sig, (int)siglen) ||
	    (dlen = i2d_CMS_ContentInfo(x->cms, &out)) <= 0)
		goto out;
	rc = buf_append(der, out, (size_t)dlen) == 0 ? SIG_OK : SIG_ERR_NOMEM;
out:
	ERR_clear_error();
	OPENSSL_free(out);
	return rc;
}

void
sig_external_free(struct sig_external *x)
{
	if (x == NULL)
		return;
	CMS_ContentInfo_free(x->cms);
	memset(x, 0, sizeof(*x));
}
